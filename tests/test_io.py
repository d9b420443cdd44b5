import os

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import w2v
from w2v.errors import FormatError
from w2v.files import atomic_write

load_word2vec_format = w2v.KeyedVectors.load_word2vec_format

WORDS = ["the", "café", "naïve", "北京", "x"]


@pytest.fixture
def kv():
    rng = np.random.default_rng(0)
    return w2v.KeyedVectors(WORDS, rng.standard_normal((5, 7)).astype(np.float32))


@pytest.mark.parametrize("binary", [False, True])
def test_roundtrip_with_gensim_both_ways(tmp_path, kv, binary, gensim):
    p = tmp_path / "ours"
    kv.save_word2vec_format(p, binary=binary)
    g = gensim.models.KeyedVectors.load_word2vec_format(str(p), binary=binary)
    assert g.index_to_key == WORDS
    np.testing.assert_allclose(g.vectors, kv.vectors, rtol=1e-5, atol=1e-6)
    q = tmp_path / "theirs"
    g.save_word2vec_format(str(q), binary=binary)
    back = load_word2vec_format(q)  # format detected
    assert back.index_to_key == WORDS
    np.testing.assert_allclose(back.vectors, kv.vectors, rtol=1e-5, atol=1e-6)


def test_c_tool_binary_layout_and_limit(tmp_path, kv):
    # word2vec.c writes "word " + floats + "\n" for every record
    p = tmp_path / "c.bin"
    with open(p, "wb") as f:
        f.write(b"5 7\n")
        for w, v in zip(WORDS, kv.vectors):
            f.write(w.encode() + b" " + v.astype("<f4").tobytes() + b"\n")
    back = load_word2vec_format(p, binary=True)
    np.testing.assert_array_equal(back.vectors, kv.vectors)
    assert load_word2vec_format(p, limit=2).index_to_key == WORDS[:2]


def test_fasttext_vec_with_trailing_spaces_and_float16(tmp_path):
    p = tmp_path / "ft.vec"
    p.write_text("2 3\na 1 2 3 \nb 4 5 6 \n")
    kv = load_word2vec_format(p, dtype=np.float16)
    assert kv.vectors.dtype == np.float16 and kv["b"].tolist() == [4, 5, 6]


def test_whitespace_words_policy(tmp_path):
    kv = w2v.KeyedVectors(["new york", "a"], np.ones((2, 2)))
    with pytest.raises(FormatError, match="new york"):
        kv.save_word2vec_format(tmp_path / "v.txt")
    assert not (tmp_path / "v.txt").exists()
    kv.save_word2vec_format(tmp_path / "v.txt", whitespace="replace")
    assert load_word2vec_format(tmp_path / "v.txt").index_to_key == ["new_york", "a"]


@pytest.mark.parametrize("content,match", [
    (b"", "empty"),
    (b"hello world\n", "first line"),
    (b"3 2\na 1 2\nb 3 4\n", "truncated"),
    (b"1000000000 2\na 1 2\n", "too small"),
    (b"1 99999999\na 1 2\n", "dimensions"),
    (b"2 2\na 1 2\nb 1 x\n", "not all numbers"),
    (b"2 2\na 1 2\nb 1 nan\n", "NaN"),
    (b"2 2\na 1 2\nb 1 2 3\n", "expected a word and 2 values"),
    (b"2 2\na 1 2\na 3 4\n", "twice"),
    (b"1 2\n\xff\xfe 1 2\n", "not valid UTF-8"),
])
def test_hostile_text_files(tmp_path, content, match):
    p = tmp_path / "bad.txt"
    p.write_bytes(content)
    with pytest.raises(FormatError, match=match):
        load_word2vec_format(p, binary=False if content.count(b"\n") > 1 else None)


def test_unicode_errors_replace(tmp_path):
    p = tmp_path / "v.txt"
    p.write_bytes(b"1 2\ncaf\xe9 1 2\n")
    assert load_word2vec_format(p, unicode_errors="replace").index_to_key == ["caf\ufffd"]


def test_truncated_binary(tmp_path, kv):
    p = tmp_path / "v.bin"
    kv.save_word2vec_format(p, binary=True)
    data = p.read_bytes()
    (tmp_path / "t.bin").write_bytes(data[:-10])
    with pytest.raises(FormatError, match="truncated|ends"):
        load_word2vec_format(tmp_path / "t.bin", binary=True)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_mutated_files_load_or_raise_our_error(tmp_path, kv, data):
    binary = data.draw(st.booleans())
    p = tmp_path / ("v.bin" if binary else "v.txt")
    kv.save_word2vec_format(p, binary=binary)
    raw = bytearray(p.read_bytes())
    if not binary and data.draw(st.booleans()):  # a GloVe file: no header line
        raw = raw[raw.index(b"\n") + 1:]
    for _ in range(data.draw(st.integers(0, 4))):
        i = data.draw(st.integers(0, len(raw) - 1))
        raw[i] = data.draw(st.integers(0, 255))
    raw = raw[: data.draw(st.integers(0, len(raw)))]
    q = tmp_path / "m"
    q.write_bytes(bytes(raw))
    try:
        out = load_word2vec_format(q, binary=data.draw(st.sampled_from([None, binary])))
    except FormatError:
        return
    assert out.vectors.shape[1] >= 1 and np.isfinite(out.vectors.astype(np.float64)).all()


def test_atomic_write_keeps_old_file_on_crash(tmp_path):
    p = tmp_path / "f.txt"
    p.write_text("old")
    with pytest.raises(RuntimeError):
        with atomic_write(p, "w") as f:
            f.write("half")
            raise RuntimeError("crash")
    assert p.read_text() == "old" and os.listdir(tmp_path) == ["f.txt"]


def test_native_model_roundtrip_and_mmap(tmp_path):
    from conftest import planted_corpus
    sents, _ = planted_corpus(100)
    m = w2v.Word2Vec(min_count=1, vector_size=8, epochs=2, loss="softmax", optimizer="momentum").fit(sents, progress=False)
    m.save(tmp_path / "model.npz")
    back = w2v.Word2Vec.load(tmp_path / "model.npz")
    assert np.array_equal(back.W_in_, m.W_in_) and back.loss_history_ == m.loss_history_
    assert back.config_ == m.config_ and back.vocab_.index_to_key == m.vocab_.index_to_key
    mm = w2v.Word2Vec.load(tmp_path / "model.npz", mmap=True)
    assert isinstance(mm.W_in_, np.memmap) and np.array_equal(mm.W_in_, m.W_in_)
    kv = w2v.load_vectors(tmp_path)
    assert kv.index_to_key == m.wv.index_to_key
    with np.load(tmp_path / "model.npz", allow_pickle=False) as z:
        assert "opt_velocity_0" in z.files  # optimizer state travels with the model
    # where each word was first seen orders the Huffman tree's ties: a resumed or grown model keeps its tree
    assert back.vocab_.first.tolist() == m.vocab_.first.tolist() != list(range(len(m.vocab_)))


def test_not_a_model(tmp_path):
    p = tmp_path / "x.npz"
    np.savez(p, a=np.zeros(2))
    with pytest.raises(FormatError, match="not a w2v model"):
        w2v.Word2Vec.load(p)
    p.write_bytes(b"PK\x03\x04garbage")
    with pytest.raises(FormatError):
        w2v.Word2Vec.load(p)


def test_atomic_saves_get_the_usual_permissions(tmp_path):
    import os
    from w2v.files import atomic_write
    umask = os.umask(0o022)
    try:
        with atomic_write(tmp_path / "x.txt", "w") as f:
            f.write("x")
    finally:
        os.umask(umask)
    assert (tmp_path / "x.txt").stat().st_mode & 0o777 == 0o644
