"""Pretrained-vectors files: word2vec binary and text, GloVe, compressed, read block by block; values equal to
gensim's bit for bit; the native file mapped; the exact float fast path against Python's float."""
import gzip

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import w2v
from w2v.files import textparse, vector_buffers
from w2v.cli import main
from w2v.errors import FormatError
from w2v.files.word2vec_format import load_word2vec_format

# values that trip float parsers: subnormals (the smallest float32 and below it), signed zeros, exponents in
# every spelling, 9 and 17 significant digits, the float32 maximum, leading '+', a bare '.5' and '5.'
ODD_VALUES = ["1e-45", "1.4012984643e-45", "7e-46", "3e-46", "-0", "-0.0", "0", "1e5", "1E-05", "+2.5e+3", ".5",
              "5.", "0.123456789", "0.12345678901234567", "3.4028235e38", "-1.17549435e-38", "123456789012345678",
              "1.00000005960464477539062", "9007199254740993", "0.000001", "-7.5", "2.5E3"]


def _odd_rows(n_words: int, d: int, seed: int = 0) -> tuple[list[str], list[list[str]]]:
    rng = np.random.default_rng(seed)
    plain = [f"{x:.6g}" for x in rng.standard_normal(200)]
    pool = ODD_VALUES + plain
    words = [f"w{i}" if i % 7 else f"é{i}北" for i in range(n_words)]
    return words, [[pool[j] for j in rng.integers(0, len(pool), d)] for _ in range(n_words)]


def _write_text(path, words, rows, header=True, final_newline=True, eol="\n"):
    lines = ([f"{len(words)} {len(rows[0])}"] if header else []) + [w + " " + " ".join(r) for w, r in zip(words, rows)]
    text = eol.join(lines) + (eol if final_newline else "")
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "wb") as f:
        f.write(text.encode("utf-8"))
    return path


def _bits(a):
    return np.asarray(a, np.float32).view(np.int32)


@pytest.mark.parametrize("header,final_newline,eol", [(True, True, "\n"), (False, True, "\n"), (True, False, "\r\n"),
                                                      (False, False, "\n")])
def test_text_values_equal_gensim_bit_for_bit(tmp_path, gensim, header, final_newline, eol):
    words, rows = _odd_rows(300, 11)
    p = _write_text(tmp_path / "v.txt", words, rows, header, final_newline, eol)
    keys, vectors = load_word2vec_format(p)
    g = gensim.models.KeyedVectors.load_word2vec_format(str(p), binary=False, no_header=not header)
    assert keys == g.index_to_key == words
    np.testing.assert_array_equal(_bits(vectors), _bits(g.vectors))
    np.testing.assert_array_equal(_bits(vectors), _bits([[np.float32(x) for x in r] for r in rows]))


@pytest.mark.parametrize("suffix", ["", ".gz"])
@pytest.mark.parametrize("binary", [True, False])
def test_records_across_block_boundaries(tmp_path, monkeypatch, gensim, suffix, binary):
    """Blocks of 4 KiB cut records, words and numbers at every possible place; the result is the whole file.
    (A plain file is read through a mapping, a compressed one in blocks, where what is left of a block goes in
    front of the next one or, longer than the room there, is joined to it: both happen here.)"""
    monkeypatch.setattr(vector_buffers, "BLOCK_BYTES", 4096)
    monkeypatch.setattr(vector_buffers.Blocks, "RESERVE", 150)
    rng = np.random.default_rng(1)
    words = [f"{'x' * int(rng.integers(1, 30))}{i}" for i in range(700)]
    vectors = rng.standard_normal((700, 37)).astype(np.float32)
    p = tmp_path / f"v.{'bin' if binary else 'txt'}"
    w2v.KeyedVectors(words, vectors).save_word2vec_format(p, binary=binary)
    if suffix:
        p.with_name(p.name + suffix).write_bytes(gzip.compress(p.read_bytes()))
        p = p.with_name(p.name + suffix)
    keys, got = load_word2vec_format(p)
    g = gensim.models.KeyedVectors.load_word2vec_format(str(p), binary=binary)
    assert keys == words
    np.testing.assert_array_equal(_bits(got), _bits(g.vectors))
    keys, got = load_word2vec_format(p, limit=333)
    assert keys == words[:333] and np.array_equal(_bits(got), _bits(g.vectors[:333]))


def test_glove_files_are_detected_and_checked(tmp_path):
    p = _write_text(tmp_path / "glove.6B.3d.txt", ["the", ",", "king"], [["0.1", "0.2", "0.3"]] * 3, header=False)
    kv = w2v.load_vectors(p)
    assert kv.index_to_key == ["the", ",", "king"] and kv.vector_size == 3
    assert w2v.KeyedVectors.load_word2vec_format(p, no_header=True).index_to_key == kv.index_to_key
    assert w2v.load_vectors(p, limit=2).index_to_key == ["the", ","]
    with pytest.raises(FormatError, match="first line must be"):
        load_word2vec_format(p, no_header=False)
    with pytest.raises(FormatError, match="only text files"):
        load_word2vec_format(p, binary=True)


@pytest.mark.parametrize("content,match", [
    (b"the 0.1 0.2 0.3\nking 0.1 0.2\n", "line 2: expected a word and 3 values, got 3 fields"),  # a short row
    (b"the 0.1 0.2 0.3\nking 0.1 nan 0.2\n", "line 2: the vector of 'king' holds NaN"),
    (b"the 0.1 0.2 0.3\nking 0.1 1e39 0.2\n", "line 2: the vector of 'king' holds NaN, infinity or a value too large"),
    (b"the 0.1 0.2 0.3\n" + b"w" * (1 << 20) + b" 0.1 0.2 0.3\n", "line 2 is longer than any record"),
    (b"the 0.1 0.2 0.3\nki\tng 0.1 0.2 0.3\n", "control character"),
    (b"the 0.1 0.2 0.3\nthe 0.1 0.2 0.3\n", "appears twice"),
    (b"the 0.1 0.2 0.3\nking 0.1 1_0 0.2\n", "not all numbers"),
    (b"the 0.1 0.2 0.3\ncaf\xe9 0.1 0.2 0.3\n", "line 2: the word .* is not valid UTF-8"),
    (b"the one two\n", "neither a header"),
])
def test_hostile_glove_files(tmp_path, content, match):
    p = tmp_path / "glove.txt"
    p.write_bytes(content)
    with pytest.raises(FormatError, match=match):
        w2v.load_vectors(p)


@pytest.mark.parametrize("binary", [True, False])
def test_a_header_promising_fewer_rows_than_the_file_holds_is_refused(tmp_path, binary):
    p = tmp_path / "v"
    w2v.KeyedVectors(["a", "b", "c"], np.eye(3)).save_word2vec_format(p, binary=binary)
    data = p.read_bytes()
    p.write_bytes(b"2 3\n" + data[data.index(b"\n") + 1:])
    with pytest.raises(FormatError, match="more than the 2 words its header announces; pass limit=2"):
        load_word2vec_format(p)
    assert load_word2vec_format(p, limit=2)[0] == ["a", "b"]  # asked for: the first rows


def test_binary_odd_records(tmp_path, monkeypatch):
    """word2vec.c's newline after each record, none (gensim), CR LF; a word of 1 MB; a record cut short."""
    monkeypatch.setattr(vector_buffers, "BLOCK_BYTES", 1024)
    v = np.arange(6, dtype="<f4").reshape(2, 3)
    p = tmp_path / "v.bin"
    p.write_bytes(b"2 3\n\r\nab " + v[0].tobytes() + b"cd " + v[1].tobytes() + b"\r\n")
    keys, got = load_word2vec_format(p, binary=True)
    assert keys == ["ab", "cd"] and np.array_equal(got, v)
    p.write_bytes(b"2 3\nab " + v[0].tobytes() + b"\n" + b"c" * (1 << 20) + b" " + v[1].tobytes())
    with pytest.raises(FormatError, match="record 2: no word found|record 2: a word of"):
        load_word2vec_format(p, binary=True)
    p.write_bytes(b"2 3\nab " + v[0].tobytes() + b"\ncd " + v[1].tobytes()[:-2])
    with pytest.raises(FormatError, match="record 2: the file ends in the middle of a record"):
        load_word2vec_format(p, binary=True)
    p.write_bytes(b"3 3\nab " + v[0].tobytes() + b"\ncd " + v[1].tobytes() + b"\n")
    with pytest.raises(FormatError, match="header says 3 words but the file ends after 2"):
        load_word2vec_format(p, binary=True)
    p.write_bytes(b"2 3\nab " + v[0].tobytes() + b"\nc\x01d " + v[1].tobytes() + b"\n")
    with pytest.raises(FormatError, match="record 2: the word 'c\\\\x01d' holds a control character"):
        load_word2vec_format(p, binary=True)


def test_float16_storage_through_the_block_readers(tmp_path):
    kv = w2v.KeyedVectors(["a", "b"], np.array([[1.5, -2], [0.25, 3]], np.float32))
    for binary in (True, False):
        kv.save_word2vec_format(tmp_path / "v", binary=binary)
        _, got = load_word2vec_format(tmp_path / "v", dtype=np.float16)
        assert got.dtype == np.float16 and got.tolist() == [[1.5, -2], [0.25, 3]]


def test_converted_file_maps_and_answers_as_the_original(tmp_path, capsys):
    rng = np.random.default_rng(2)
    kv = w2v.KeyedVectors([f"w{i}" for i in range(500)], rng.standard_normal((500, 20)).astype(np.float32))
    kv.save_word2vec_format(tmp_path / "v.bin", binary=True)
    assert main(["convert", str(tmp_path / "v.bin"), "-o", str(tmp_path / "v.npz")]) == 0
    assert "wrote 500 vectors of 20 dimensions" in capsys.readouterr().out
    mapped = w2v.load_vectors(tmp_path / "v.npz", mmap=True)
    assert not mapped.vectors.flags.writeable and mapped._norms is not None  # mapped read-only; lengths stored
    np.testing.assert_array_equal(mapped.norms, kv.norms)
    ours, theirs = mapped.most_similar("w7", topn=5), kv.most_similar("w7", topn=5)
    assert [w for w, _ in ours] == [w for w, _ in theirs]
    np.testing.assert_allclose([c for _, c in ours], [c for _, c in theirs], rtol=1e-6)
    assert w2v.load_vectors(tmp_path / "v.npz", limit=10).index_to_key == kv.index_to_key[:10]
    assert main(["convert", str(tmp_path / "v.bin"), "-o", str(tmp_path / "v.bin2")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("w2v: error:") and "OUT.npz" in err


def test_native_vectors_store_their_words_as_one_text_member(tmp_path):
    """Words one per line in a uint8 member (one decode to open a mapped file); a word holding a newline goes in
    the JSON metadata instead, as every word did in version 1 files, which still load; a bad member is refused."""
    from w2v import files as io
    vectors = np.eye(3, dtype=np.float32)
    for words in (["king", "é北", "queen"], ["king", "two\nlines", "queen"]):
        w2v.KeyedVectors(words, vectors).save(tmp_path / "v.npz")
        arrays, meta = io.load_npz(tmp_path / "v.npz", formats=(io.VECTORS_FORMAT,))
        assert ("words" in arrays) != ("words" in meta) and meta["version"] == 2
        assert w2v.load_vectors(tmp_path / "v.npz", mmap=True).index_to_key == words
    io.save_npz(tmp_path / "v1.npz", {"vectors": vectors}, {"format": io.VECTORS_FORMAT, "version": 1,
                                                            "words": ["a", "b", "c"]})
    assert w2v.load_vectors(tmp_path / "v1.npz").index_to_key == ["a", "b", "c"]
    for member, match in ((np.frombuffer(b"a\nb\xff\nc", np.uint8), "not valid UTF-8"),
                          (np.frombuffer(b"a\nb", np.uint8), "one row per word"),
                          (np.frombuffer(b"a\n\nc", np.uint8), "not a non-empty string"),
                          (np.frombuffer(b"a\nb\na", np.uint8), "the word 'a' twice"),
                          (np.zeros(3, np.int32), "a UTF-8 text")):
        io.save_npz(tmp_path / "bad.npz", {"vectors": vectors, "words": member},
                    {"format": io.VECTORS_FORMAT, "version": 2})
        with pytest.raises(FormatError, match=match):
            w2v.load_vectors(tmp_path / "bad.npz")


def test_cli_queries_a_glove_file(tmp_path, capsys):
    p = _write_text(tmp_path / "glove.txt", ["king", "queen", "apple"],
                    [["1", "0.9", "0"], ["0.9", "1", "0.1"], ["0", "0.1", "1"]], header=False)
    assert main(["neighbors", str(p), "king", "--topn", "1"]) == 0
    assert "queen" in capsys.readouterr().out


def test_queries_need_no_second_copy_of_the_vectors():
    rng = np.random.default_rng(3)
    kv = w2v.KeyedVectors([f"w{i}" for i in range(300)], rng.standard_normal((300, 10)).astype(np.float32))
    kv.most_similar("w1")
    kv.nearest(["w1", "w2"])
    kv.similarity("w1", "w2")
    assert kv._normed is None  # scored as vectors @ q / norms
    unit = kv.get_normed_vectors()
    np.testing.assert_allclose(np.linalg.norm(unit, axis=1), 1, rtol=1e-6)
    np.testing.assert_allclose(kv.norms, np.linalg.norm(kv.vectors, axis=1), rtol=1e-6)


# the fast path takes a number only when it is exact; what it takes equals np.float32(text) bit for bit
_number = st.from_regex(r"\A[+-]?[0-9]{0,20}(\.[0-9]{0,20})?([eE][+-]?[0-9]{1,3})?\Z")


@settings(max_examples=120, deadline=None)
@given(st.lists(_number.filter(lambda s: any(c.isdigit() for c in s.split("e")[0].split("E")[0])),
                min_size=1, max_size=8))
def test_fast_path_equals_numpy_float32(tokens):
    line = ("w " + " ".join(tokens) + "\n").encode()
    buf = np.frombuffer(line, np.uint8)
    out = np.zeros((1, len(tokens)), np.float32)
    status, _ = textparse.parse_lines(buf, np.array([0]), np.array([len(line) - 1]), np.zeros(1, np.int64), 1,
                                      len(tokens), out)
    if status[0] == textparse.OK:
        assert _bits(out[0]).tolist() == _bits([np.float32(t) for t in tokens]).tolist()
