"""Properties fuzzed by hypothesis: every mutated model file, checkpoint and word2vec file either loads correctly
or fails with a W2VError (CLI: exit status 2 and one line), never another exception.

Not collected on its own (the name does not start with ``test_``): ``tests/test_fuzz.py`` runs this file in a
child pytest under an address-space limit, so that a file making w2v allocate without bound, or crash, fails
the test instead of the machine.
"""
import contextlib
import gzip
import io
import json
import zipfile
from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, given, settings, strategies as st

import w2v
from w2v.cli import main
from w2v.errors import W2VError
from w2v.files import CHECKPOINT_FILE, save_npz

from conftest import planted_file

WORK = Path(__file__).resolve().parent / ".fuzz"  # replaced by the child's temporary directory (see test_fuzz)
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck), database=None)


def _base():
    """A corpus file and a real mid-run checkpoint of it (arrays, meta), made once per process."""
    if not hasattr(_base, "cache"):
        WORK.mkdir(parents=True, exist_ok=True)
        corpus = planted_file(WORK / "corpus.txt", 200)
        m = w2v.Word2Vec(vector_size=6, min_count=1, epochs=2, job_words=400, loss="softmax", optimizer="adam"
                         ).fit(corpus, progress=False)
        m.state_.epoch, m.state_.job, m.state_.history = 1, 1, m.state_.history[:1]
        path = WORK / "base.npz"
        m.save(path)
        with zipfile.ZipFile(path) as z:
            arrays = {n[:-4]: np.load(io.BytesIO(z.read(n))) for n in z.namelist() if n != "meta.npy"}
            meta = json.loads(bytes(np.load(io.BytesIO(z.read("meta.npy")))).decode())
        _base.cache = corpus, arrays, meta
    return _base.cache


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-2**70, 2**70) | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=8)
shapes = st.lists(st.integers(0, 14), min_size=0, max_size=3).map(tuple)
dtypes = st.sampled_from(["<f4", "<f8", "<f2", "<i8", "<i4", "|i1", "|b1", "<c8", "<U3", "|u1"])


@st.composite
def mutated_model(draw):
    """A model file's bytes after one or more of: JSON field edits, array swaps, header lies, compressed
    members, byte flips and truncation."""
    corpus, arrays, meta = _base()
    arrays, meta = dict(arrays), json.loads(json.dumps(meta))
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["meta", "meta", "array", "header", "compressed", "bytes"]))
        if kind == "meta":
            section = draw(st.sampled_from(["config", "state", "corpus", None]))
            target = meta if section is None or not isinstance(meta.get(section), dict) else meta[section]
            keys = sorted(target) + ["extra"]
            target[draw(st.sampled_from(keys))] = draw(json_values)
        elif kind == "array":
            name = draw(st.sampled_from(sorted(arrays)))
            shape, dtype = draw(shapes), np.dtype(draw(dtypes))
            if dtype.kind == "U":
                arrays[name] = np.full(shape, "ab", dtype=dtype)
            else:
                arrays[name] = np.asarray(np.random.default_rng(0).standard_normal(shape) * 3).astype(dtype)
    path = WORK / "model.npz"
    save_npz(path, arrays, meta)
    data = path.read_bytes()
    if kind == "header":  # a member whose .npy header claims a different (possibly absurd) shape
        name = draw(st.sampled_from(sorted(arrays))) + ".npy"
        shape = draw(st.sampled_from([(10**12, 6), (2**62,), (6, 10**9), (0,), (3, 3, 3)]))
        d = repr({"descr": "<f4", "fortran_order": False, "shape": shape}).encode()
        header = d + b" " * ((64 - (10 + len(d) + 1) % 64) % 64) + b"\n"
        _rewrite(path, name, b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header + b"\0" * 64)
    elif kind == "compressed":  # a small member that would expand to 256 MiB
        name = draw(st.sampled_from(sorted(arrays))) + ".npy"
        bomb = io.BytesIO()
        np.lib.format.write_array(bomb, np.zeros(256 << 20, np.uint8))
        _rewrite(path, name, bomb.getvalue(), zipfile.ZIP_DEFLATED)
    elif kind == "bytes":
        data = bytearray(data)
        for _ in range(draw(st.integers(1, 4))):
            data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
        data = bytes(data[:draw(st.integers(0, len(data)))])
        path.write_bytes(data)
    return path.read_bytes()


def _rewrite(path, member, raw, compress=zipfile.ZIP_STORED):
    with zipfile.ZipFile(path) as z:
        others = {n: z.read(n) for n in z.namelist() if n != member}
    with zipfile.ZipFile(path, "w") as z:
        for n, data in others.items():
            z.writestr(n, data)
        z.writestr(zipfile.ZipInfo(member), raw, compress_type=compress)


def cli(*args) -> int:
    """``w2v ARGS`` in this process: its exit status; a W2VError's message must be one line."""
    err, out = io.StringIO(), io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
        rc = main([str(a) for a in args])
    assert rc in (0, 2), (rc, err.getvalue())
    if rc == 2:
        assert len(err.getvalue().strip().splitlines()) == 1 and err.getvalue().startswith("w2v: error: ")
    return rc


@SETTINGS
@given(data=mutated_model())
def test_mutated_model_files_load_or_fail_cleanly(data):
    corpus, _, _ = _base()
    run = WORK / "run"
    run.mkdir(exist_ok=True)
    (run / CHECKPOINT_FILE).write_bytes(data)
    for load in (lambda p: w2v.Word2Vec.load(p), lambda p: w2v.Word2Vec.load(p, mmap=True),
                 lambda p: w2v.load_vectors(p), lambda p: w2v.Word2Vec.load(p, mmap=True, verify=True)):
        try:
            model = load(run)
        except W2VError:
            continue
        vectors = model.W_in_ if isinstance(model, w2v.Word2Vec) else model.vectors
        assert vectors.ndim == 2 and vectors.shape[0] >= 1
    if cli("neighbors", run, "cat", "--topn", 2) == 0:
        try:  # a checkpoint that loads must resume, or say why not
            w2v.Word2Vec.load(run).resume(corpus, progress=False)
        except W2VError:
            pass
        (run / CHECKPOINT_FILE).write_bytes(data)
        cli("train", corpus, "--resume", run, "-q")


@st.composite
def mutated_vectors(draw):
    """A word2vec text or binary file, or a headerless (GloVe) one, maybe gzip-compressed, after header edits, byte
    edits and truncation."""
    rng = np.random.default_rng(draw(st.integers(0, 3)))
    words = ["the", "cat", "naïve", "北京", "x"]
    vecs = rng.standard_normal((5, 4)).astype(np.float32)
    binary = draw(st.booleans())
    header = draw(st.sampled_from([b"5 4\n", b"5 4\n", b"1000000000 300\n", b"5 99999\n", b"-1 4\n", b"5 4 3\n",
                                   b"5 4\n\n", b"\n", b"", b"4 4\n"]))
    if binary:
        body = b"".join(w.encode() + b" " + v.tobytes() + b"\n" for w, v in zip(words, vecs))
    else:
        body = b"".join((w + " " + " ".join(f"{x:.5g}" for x in v) + "\n").encode() for w, v in zip(words, vecs))
    data = bytearray(header + body)
    for _ in range(draw(st.integers(0, 4))):
        i = draw(st.integers(0, len(data) - 1))
        data[i:i + 1] = draw(st.sampled_from([b"\x00", b"\t", b"\r", b"_", b"\xa0", b"1e39", b"nan", b" ", b"\n",
                                              bytes([draw(st.integers(0, 255))])]))
    data = bytes(data[:draw(st.integers(len(data) // 2, len(data)))])
    if draw(st.booleans()):
        return "v.gz", gzip.compress(data)
    return ("v.bin" if binary else "v.txt"), data


@SETTINGS
@given(file=mutated_vectors())
def test_mutated_word2vec_files_load_or_fail_cleanly(file):
    name, data = file
    path = WORK / name
    path.write_bytes(data)
    try:
        kv = w2v.load_vectors(path)
    except W2VError:
        pass
    else:
        assert kv.vectors.ndim == 2 and np.isfinite(kv.vectors).all() and len(set(kv.index_to_key)) == len(kv)
    cli("neighbors", path, "cat", "--topn", 2)
