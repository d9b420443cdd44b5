"""Hostile input: every broken or crafted file, checkpoint and option ends in one line, `w2v: error: ...`, exit
status 2 (or a W2VError from Python), with bounded memory and no half-written file. One test per known case."""
import gzip
import io
import json
import logging
import os
import re
import resource
import subprocess
import sys
import tracemalloc
import zipfile

import numpy as np
import pytest

import w2v
from w2v.errors import ConfigError, CorpusError, FormatError, TrainingError, W2VError
from w2v.files.vector_buffers import BLOCK_BYTES
from w2v.files import CHECKPOINT_FILE, MODEL_FILE, directory_lock, save_npz

from conftest import planted_file


def run(*args, limits=None, cwd=None):
    """`w2v ARGS` in a subprocess, optionally under resource limits {RLIMIT_*: bytes}."""
    def preexec():
        for which, value in (limits or {}).items():
            resource.setrlimit(which, (value, value))
    return subprocess.run([sys.executable, "-m", "w2v.cli", *map(str, args)], capture_output=True, text=True,
                          timeout=300, preexec_fn=preexec if limits else None, cwd=cwd)


def one_line_error(r, needle):
    """Exit status 2 and one error line (log records, such as a warning about the corpus, may come before it)."""
    assert r.returncode == 2, (r.returncode, r.stderr[-2000:])
    lines = [line for line in r.stderr.strip().splitlines() if not re.match(r"\d{4}-\d\d-\d\d .* WARNING: ", line)]
    assert "Traceback" not in r.stderr and len(lines) == 1, r.stderr[-2000:]
    assert lines[0].startswith("w2v: error: ") and needle in lines[0], r.stderr


# ---------------------------------------------------------------------------------------------- files to break
@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return planted_file(tmp_path_factory.mktemp("corpus") / "corpus.txt", 300)


@pytest.fixture(scope="module")
def checkpoint(corpus, tmp_path_factory):
    """A real mid-run checkpoint (epoch 2 of 3) of a CBOW/negative run on ``corpus``: (arrays, meta)."""
    m = w2v.Word2Vec(vector_size=8, min_count=1, epochs=3, job_words=500, seed=2).fit(corpus, progress=False)
    m.state_.epoch, m.state_.job = 1, 1
    m.state_.history = m.state_.history[:1]
    path = tmp_path_factory.mktemp("ckpt") / CHECKPOINT_FILE
    m.save(path)
    with zipfile.ZipFile(path) as z:
        arrays = {n[:-4]: np.load(io.BytesIO(z.read(n))) for n in z.namelist() if n != "meta.npy"}
        meta = json.loads(bytes(np.load(io.BytesIO(z.read("meta.npy")))).decode())
    return arrays, meta


def write_run(tmp_path, arrays, meta, name=CHECKPOINT_FILE):
    out = tmp_path / "run"
    out.mkdir(exist_ok=True)
    save_npz(out / name, arrays, meta)
    return out


def edited(checkpoint, arrays=None, **meta_edits):
    a, m = checkpoint
    a = {**a, **(arrays or {})}
    m = json.loads(json.dumps(m))
    for dotted, value in meta_edits.items():
        target = m
        *parents, last = dotted.split("__")
        for key in parents:
            target = target[key]
        target[last] = value
    return a, m


# ---------------------------------------------------------------------------------------------- checkpoints
@pytest.mark.parametrize("case,needle", [
    (dict(arrays={"W_out": lambda V: np.zeros((1, 8), np.float32)}), "array W_out is float32 of shape (1, 8)"),
    (dict(state__epoch="1"), "epoch must be an integer >= 0"),
    (dict(state__job=-5), "job must be an integer >= 0"),
    (dict(state__job=10**6), "lies outside this run"),
    (dict(state__epoch=7), "at epoch 8 of a run of 3 epochs"),
    (dict(state__history=[]), "records 0 epoch losses for 1 finished epochs"),
    (dict(arrays={"counts": lambda V: np.zeros(V, np.int64)}), "counts"),
    (dict(config__alpha=float("nan")), "alpha must be a finite number"),
    (dict(arrays={"W_in": lambda V: np.full((V, 8), np.nan, np.float32)}), "NaN or infinity"),
    (dict(config__window="5"), "window must be an integer"),
    (dict(config__window=10**9), "window must be at most"),
    (dict(state__history=[float("nan")], state__lr=-1.0), "lr must be a finite number >= 0"),
])
def test_crafted_checkpoints_are_refused_before_any_kernel_runs(checkpoint, corpus, tmp_path, case, needle):
    case = dict(case)
    V = len(checkpoint[1]["words"])
    arrays = {k: f(V) for k, f in case.pop("arrays", {}).items()}
    a, m = edited(checkpoint, arrays, **case)
    out = write_run(tmp_path, a, m)
    one_line_error(run("train", corpus, "--resume", out), needle)


def test_a_checkpoint_naming_another_file_is_not_trained_on(checkpoint, tmp_path):
    secret = tmp_path / "passwd"
    secret.write_text("root:x:0:0:root:/root:/bin/bash\n" * 50)
    a, m = edited(checkpoint, corpus__path=str(secret))
    one_line_error(run("train", "--resume", write_run(tmp_path, a, m)), "is not the corpus this run was trained on")
    a, m = edited(checkpoint, corpus={"path": str(secret)})  # no identity recorded at all
    one_line_error(run("train", "--resume", write_run(tmp_path, a, m)), "records no identity")


def test_a_checkpoint_without_the_encoded_corpus_identity_does_not_resume(checkpoint, corpus, tmp_path):
    a, m = edited(checkpoint)
    del m["corpus"]["encoded"]  # the file's identity alone cannot prove the same words and ids
    one_line_error(run("train", corpus, "--resume", write_run(tmp_path, a, m)), "no identity of the encoded corpus")


def test_a_good_checkpoint_still_resumes(checkpoint, corpus, tmp_path):
    out = write_run(tmp_path, *checkpoint)
    r = run("train", corpus, "--resume", out, "-q")
    assert r.returncode == 0, r.stderr
    assert w2v.Word2Vec.load(out).state_.epoch == 3


# ---------------------------------------------------------------------------------------------- model files
@pytest.mark.parametrize("case,needle", [
    (dict(version=None), "version must be a positive integer"),
    (dict(version="1"), "version must be a positive integer"),
    (dict(version=True), "version must be a positive integer"),
    (dict(words=list(range(12))), "not a non-empty string"),
    (dict(words=["cat"] * 12), "the word 'cat' twice (entries 1 and 2)"),
    (dict(config__loss="hierarchical"), "array W_out"),  # W_out has V rows, hierarchical needs V - 1
    (dict(state=[]), "training state must be a JSON object"),
    (dict(corpus="x"), "corpus record is malformed"),
])
def test_crafted_metadata_is_refused_by_every_loader(checkpoint, tmp_path, case, needle):
    assert len(checkpoint[1]["words"]) == 12
    a, m = edited(checkpoint, **case)
    out = write_run(tmp_path, a, m, MODEL_FILE)
    for load in (w2v.Word2Vec.load, w2v.load_vectors):
        with pytest.raises(FormatError, match=needle.replace("(", r"\(").replace(")", r"\)")):
            load(out)
    one_line_error(run("neighbors", out, "cat"), needle)


@pytest.mark.parametrize("name,array,needle", [
    ("W_in", np.array(["a"] * 96).reshape(12, 8), "dtype <U1"),
    ("W_in", np.zeros((12, 8), np.complex64), "dtype complex64"),
    ("W_in", np.float32(1.0), "expected shape (12, 8)"),
    ("W_in", np.zeros(96, np.float32), "expected shape (12, 8)"),
    ("counts", np.arange(-1, 11), "counts must be integers >= 1"),
    ("counts", np.ones(12, np.float64), "of integers"),
    ("first", np.zeros(11, np.int64), "array first is int64 of shape (11,); expected shape (12,)"),
    ("first", np.ones(12, np.float32), "of integers"),
    ("W_out", np.full((12, 8), np.inf, np.float32), "NaN or infinity"),
])
def test_wrong_arrays_are_refused_by_every_loader(checkpoint, tmp_path, name, array, needle):
    a, m = edited(checkpoint, {name: array})
    out = write_run(tmp_path, a, m, MODEL_FILE)
    for load in (w2v.Word2Vec.load, w2v.load_vectors):
        with pytest.raises(FormatError, match=needle.replace("(", r"\(").replace(")", r"\)")):
            load(out)


def test_deeply_nested_metadata(checkpoint, tmp_path):
    a, m = checkpoint
    out = write_run(tmp_path, a, m, MODEL_FILE)
    deep = ('{"format": "w2v-model", "version": 1, "x": ' + "[" * 100000 + "]" * 100000 + "}").encode()
    _replace_member(out / MODEL_FILE, "meta.npy", np.frombuffer(deep, np.uint8))
    with pytest.raises(FormatError, match="nested too deeply"):
        w2v.Word2Vec.load(out)


def _replace_member(path, member, array=None, compress=zipfile.ZIP_STORED, raw=None):
    """Rewrite one .npy member of an npz (other members kept as they are): an array, or raw bytes."""
    with zipfile.ZipFile(path) as z:
        others = {n: z.read(n) for n in z.namelist() if n != member}
    if raw is None:
        buf = io.BytesIO()
        np.lib.format.write_array(buf, np.asarray(array))
        raw = buf.getvalue()
    with zipfile.ZipFile(path, "w") as z:
        for n, data in others.items():
            z.writestr(n, data)
        z.writestr(zipfile.ZipInfo(member), raw, compress_type=compress)


def _npy(shape, data: bytes, descr="<f4") -> bytes:
    """A .npy file whose header claims ``shape`` whatever ``data`` holds."""
    d = repr({"descr": descr, "fortran_order": False, "shape": shape}).encode()
    header = d + b" " * ((64 - (10 + len(d) + 1) % 64) % 64) + b"\n"
    return b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header + data


def test_a_header_claiming_a_trillion_rows_allocates_nothing(checkpoint, tmp_path):
    a, m = checkpoint
    path = write_run(tmp_path, a, m, MODEL_FILE) / MODEL_FILE
    _replace_member(path, "W_in.npy", raw=_npy((10**12, 8), a["W_in"].tobytes()))
    tracemalloc.start()
    for mmap in (False, True):
        for load in (w2v.Word2Vec.load, w2v.load_vectors):
            with pytest.raises(FormatError, match="declares shape"):
                load(path, mmap=mmap)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 20 << 20


def test_a_compressed_member_is_refused_so_no_bomb_expands(checkpoint, tmp_path):
    a, m = checkpoint
    path = write_run(tmp_path, a, m, MODEL_FILE) / MODEL_FILE
    _replace_member(path, "W_in.npy", np.zeros((1 << 27, 8), np.uint8), compress=zipfile.ZIP_DEFLATED)  # 1 GiB
    assert path.stat().st_size < 5 << 20
    for mmap in (False, True):
        with pytest.raises(FormatError, match="is compressed"):
            w2v.Word2Vec.load(path, mmap=mmap)
    one_line_error(run("neighbors", path, "cat", limits={resource.RLIMIT_AS: 1536 << 20}), "is compressed")


def test_mmap_skips_the_crc_unless_asked_to_verify(checkpoint, tmp_path):
    a, m = checkpoint
    path = write_run(tmp_path, a, m, MODEL_FILE) / MODEL_FILE
    data = bytearray(path.read_bytes())
    i = data.index(a["W_in"].tobytes()) + 5  # a byte inside the weights
    data[i] ^= 0x01
    path.write_bytes(bytes(data))
    with pytest.raises(FormatError, match="CRC"):
        w2v.Word2Vec.load(path)
    assert w2v.Word2Vec.load(path, mmap=True).W_in_.shape == (12, 8)  # documented: mapping reads no weights
    with pytest.raises(FormatError, match="CRC"):
        w2v.Word2Vec.load(path, mmap=True, verify=True)
    with pytest.raises(FormatError, match="CRC"):
        w2v.load_vectors(path)


# ---------------------------------------------------------------------------------------------- word2vec files
def _vec(tmp_path, content: bytes, name="v.txt"):
    p = tmp_path / name
    if name.endswith(".gz"):
        p.write_bytes(gzip.compress(content))
    else:
        p.write_bytes(content)
    return p


@pytest.mark.parametrize("content,needle", [
    (b"2 2\na 1 2\nb 1e39 0\n", "too large for float32"),
    (b"1 2\na 1_0 2\n", "not all numbers"),
    (b"2 2\na 1 2\nb\tc 1 2\n", "control character"),
    (b"2 2\na 1 2\nb\x00 1 2\n", "control character"),
    (b"2 2\na 1 2\nb\rx 1 2\n", "control character"),
    (b"1 200000\n", "at most 100,000"),
])
def test_hostile_word2vec_text(tmp_path, content, needle):
    p = _vec(tmp_path, content)
    with pytest.raises(FormatError, match=needle):
        w2v.load_vectors(p)
    one_line_error(run("neighbors", p, "a"), needle)


def test_blank_line_after_the_header_is_still_text(tmp_path):
    kv = w2v.load_vectors(_vec(tmp_path, b"2 3\n\na 1 2 3\nb 3 2 1\n"))
    assert kv.index_to_key == ["a", "b"] and kv["b"].tolist() == [3, 2, 1]
    assert kv.similarity("a", "b") == pytest.approx(10 / 14)


def test_unicode_spaces_in_words_are_kept_but_said(tmp_path, caplog):
    with caplog.at_level(logging.WARNING):
        kv = w2v.load_vectors(_vec(tmp_path, "2 2\na\u00a0b 1 2\nc 3 4\n".encode()))
    assert "a\u00a0b" in kv and "Unicode spaces" in caplog.text


def test_a_tiny_gz_claiming_a_billion_words_allocates_little(tmp_path):
    p = _vec(tmp_path, b"1000000000 300\nw 1 2\n", "v.txt.gz")
    assert p.stat().st_size < 60
    tracemalloc.start()
    with pytest.raises(FormatError):
        w2v.load_vectors(p)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 20 << 20


def test_a_gz_expanding_to_one_huge_record_is_refused_with_little_memory(tmp_path):
    p = _vec(tmp_path, b"1 3\nword 1 2 " + b"3" * (100 << 20) + b"\n", "v.txt.gz")  # one 100 MB number
    assert p.stat().st_size < 200 << 10
    tracemalloc.start()
    with pytest.raises(FormatError, match="longer than any record"):
        w2v.load_vectors(p)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 8 * BLOCK_BYTES  # a few read blocks (the reader holds two, and joins two), never the 100 MB record


# ---------------------------------------------------------------------------------------------- options
@pytest.mark.parametrize("args,needle", [
    (("--dim", 1000000000), "GiB of memory but"),
    (("--epochs", 0), "epochs must be an integer >= 1"),
    (("--seed", -1), "seed must be an integer in"),
    (("--min-alpha", 0.5, "--alpha", 0.1), "must not exceed"),
    (("--sample", "inf"), "sample must be a finite number"),
    (("--checkpoint-every", "nan"), "checkpoint_every must be a number of seconds"),
    (("--alpha", "nan"), "alpha must be a finite number"),
])
def test_bad_options_are_one_line(corpus, tmp_path, args, needle):
    r = run("train", corpus, "-o", tmp_path / "o", "--min-count", 1, *args)
    one_line_error(r, needle)
    assert not (tmp_path / "o").exists()  # a failed run leaves no directory behind


def test_string_values_from_python_are_config_errors():
    with pytest.raises(ConfigError, match="alpha must be a finite number"):
        w2v.Word2Vec(alpha="0.1").fit([["a", "b"]] * 5)


# ---------------------------------------------------------------------------------------------- disks and locks
def test_file_too_large_is_one_line_and_leaves_the_old_file(corpus, tmp_path):
    m = w2v.Word2Vec(vector_size=50, min_count=1, epochs=1).fit(corpus, progress=False)
    m.save(tmp_path / MODEL_FILE)
    out = tmp_path / "vectors.txt"
    out.write_text("old\n")
    r = run("export", tmp_path, "-o", out, limits={resource.RLIMIT_FSIZE: 4096})
    one_line_error(r, f"cannot write {out}: File too large")
    assert out.read_text() == "old\n" and sorted(p.name for p in tmp_path.iterdir()) == [MODEL_FILE, "vectors.txt"]


def test_a_killed_saves_temporary_file_is_removed_by_the_next_save(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True).stdout.strip()  # a pid that no longer runs
    stale = tmp_path / f".vectors.txt.{dead}.abc123.tmp"
    stale.write_text("half")
    mine = tmp_path / f".vectors.txt.{os.getpid()}.live.tmp"  # a save still running: left alone
    mine.write_text("busy")
    w2v.KeyedVectors(["a"], np.ones((1, 2))).save_word2vec_format(tmp_path / "vectors.txt")
    assert not stale.exists() and mine.exists()


def test_a_second_training_into_the_same_directory_is_refused(corpus, tmp_path):
    out = tmp_path / "run"
    out.mkdir()
    with directory_lock(out):
        r = run("train", corpus, "-o", out, "--min-count", 1, "--epochs", 1)
    one_line_error(r, f"being written by another w2v process (pid {os.getpid()})")
    r = run("train", corpus, "-o", out, "--min-count", 1, "--epochs", 1, "-q")  # free again
    assert r.returncode == 0, r.stderr


def test_python_errors_for_resume_are_w2v_errors(checkpoint, corpus, tmp_path):
    a, m = edited(checkpoint, state__job=10**6)
    model = w2v.Word2Vec.load(write_run(tmp_path, a, m))
    with pytest.raises(TrainingError, match="lies outside this run"):
        model.resume(corpus, progress=False)
    a, m = edited(checkpoint, {"opt_velocity_0": np.zeros((3, 3), np.float32)})
    with pytest.raises(FormatError):
        w2v.Word2Vec.load(write_run(tmp_path, a, m)).resume(corpus, progress=False)
    assert issubclass(CorpusError, W2VError)


# ---------------------------------------------------------------------------------------------- query options
@pytest.mark.parametrize("args,option", [
    (["neighbors", "{v}", "king", "--topn", "-5"], "--topn"),
    (["neighbors", "{v}", "king", "--topn", "0"], "--topn"),
    (["neighbors", "{v}", "king", "--restrict-vocab", "0"], "--restrict-vocab"),
    (["analogy", "{v}", "king - man + woman", "--topn", "-1"], "--topn"),
    (["evaluate", "{v}", "--restrict-vocab", "-3"], "--restrict-vocab"),
    (["plot", "{v}", "--limit", "-2", "-o", "x.png"], "--limit"),
    (["explore", "{v}", "--limit", "0", "-o", "x.html"], "--limit"),
    (["export", "{v}", "--format", "projector", "--limit", "-1", "-o", "proj"], "--limit"),
    (["convert", "{v}", "--limit", "-1", "-o", "x.npz"], "--limit"),
])
def test_out_of_range_query_options_are_refused_by_every_command(tmp_path, monkeypatch, capsys, args, option):
    v = tmp_path / "v.txt"
    w2v.KeyedVectors(["king", "man", "woman", "queen"], np.eye(4)).save_word2vec_format(v)
    monkeypatch.chdir(tmp_path)
    code, err = in_process(capsys, *[a.format(v=v) for a in args])
    assert code == 2 and "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    assert err.startswith(f"w2v: error: argument {option}: must be an integer >= 1"), err
    assert not list(tmp_path.glob("x.*")) and not (tmp_path / "proj").exists()


def in_process(capsys, *args) -> tuple[int, str]:
    """``w2v ARGS`` in this process (no interpreter to start): (exit status, stderr)."""
    from w2v.cli import main
    capsys.readouterr()
    try:
        code = main([str(a) for a in args])
    except SystemExit as e:
        code = e.code
    return code, capsys.readouterr().err


def test_out_of_range_query_options_are_refused_in_python():
    from w2v import evaluate
    from w2v.errors import ConfigError
    kv = w2v.KeyedVectors(["king", "man", "woman", "queen"], np.eye(4))
    for call, needle in [
        (lambda: kv.most_similar("king", topn=-5), "topn must be an integer >= 1, got -5"),
        (lambda: kv.most_similar("king", topn=0), "topn must be"),
        (lambda: kv.most_similar("king", topn=2.5), "topn must be"),
        (lambda: kv.most_similar("king", restrict_vocab=0), "restrict_vocab must be"),
        (lambda: kv.most_similar_cosmul("king", topn=-1), "topn must be"),
        (lambda: kv.similar_by_word("king", topn=-1), "topn must be"),
        (lambda: kv.analogy("man", "king", "woman", topn=0), "topn must be"),
        (lambda: kv.nearest(["king"], topn=None), "topn must be"),
        (lambda: kv.nearest(["king"], batch_size=0), "batch_size must be"),
        (lambda: evaluate.analogies(kv, restrict_vocab=-1), "restrict_vocab must be"),
        (lambda: evaluate.word_pairs(kv, restrict_vocab=0), "restrict_vocab must be"),
        (lambda: w2v.load_vectors("nothing.txt", limit=-1), "limit must be"),
    ]:
        with pytest.raises((ConfigError, FormatError), match=needle):
            call()
    assert kv.most_similar("king", topn=None).shape == (4,)  # None: every word's cosine, as in gensim


# ---------------------------------------------------------------------------------------------- the corpus cache
@pytest.mark.parametrize("make_cache", [
    lambda tmp: (tmp / "cache-file").write_text("not a directory") and tmp / "cache-file",   # a regular file
    lambda tmp: tmp / "cache-file2",                                                        # a path under a file
    lambda tmp: (tmp / "dangling").symlink_to(tmp / "nowhere" / "x") or tmp / "dangling",   # a dangling link
])
def test_a_cache_that_cannot_be_written_never_stops_a_training(tmp_path, monkeypatch, capsys, caplog, make_cache):
    corpus = planted_file(tmp_path / "c.txt")
    cache = make_cache(tmp_path)
    if cache.name == "cache-file2":
        (tmp_path / "blocker").write_text("x")
        cache = tmp_path / "blocker" / "cache"
    monkeypatch.setenv("W2V_CACHE", str(cache))
    code, err = in_process(capsys, "train", corpus, "--epochs", "1", "--min-count", "1", "--workers", "1",
                           "-o", tmp_path / "out", "-q")
    assert code == 0, err
    warnings = [r.getMessage() for r in caplog.records if r.name == "w2v.text.prepare" and r.levelname == "WARNING"]
    assert len(warnings) == 1 and "W2V_CACHE" in warnings[0] and "temporary copy" in warnings[0], warnings
    assert (tmp_path / "out" / "model.npz").is_file()
    # w2v prepare without -o asks for the cache entry itself: refused in one line
    code, err = in_process(capsys, "prepare", corpus, "-q")
    assert code == 2 and err.startswith("w2v: error: cannot write the encoded corpus") and err.count("\n") == 1, err


def test_fit_from_python_trains_through_an_unwritable_cache(tmp_path, monkeypatch, caplog):
    import gc
    import glob
    import tempfile
    (tmp_path / "cache").write_text("a file, not a directory")
    monkeypatch.setenv("W2V_CACHE", str(tmp_path / "cache"))
    copies = os.path.join(tempfile.gettempdir(), "w2v-corpus-*")
    before = set(glob.glob(copies))
    model = w2v.Word2Vec(min_count=1, epochs=1, vector_size=8, workers=1).fit(str(planted_file(tmp_path / "c.txt")),
                                                                              progress=False)
    assert len(model.wv) > 10 and "W2V_CACHE" in caplog.text
    gc.collect()
    assert set(glob.glob(copies)) == before  # the private copy went with the corpus object
