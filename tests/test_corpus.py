import bz2
import gzip
import lzma

import pytest

from w2v.text.corpus import DirectoryCorpus, LineSentence, as_corpus

from conftest import encode_sentences
from w2v.errors import CorpusError

TEXT = "The cat sat.\nA dog ran home\n\nlast line without newline"


@pytest.mark.parametrize("suffix,opener", [(".txt", open), (".gz", gzip.open), (".bz2", bz2.open), (".xz", lzma.open)])
def test_line_sentence_formats(tmp_path, suffix, opener):
    p = tmp_path / f"c{suffix}"
    with opener(p, "wt", encoding="utf-8") as f:
        f.write(TEXT)
    sents = list(LineSentence(p))
    assert sents == [["The", "cat", "sat."], ["A", "dog", "ran", "home"], ["last", "line", "without", "newline"]]
    assert list(LineSentence(p)) == sents  # re-iterable


def test_tokenizers_and_lowercase(tmp_path):
    p = tmp_path / "c.txt"
    p.write_text("Hello, World! It's 2024.\n")
    assert list(LineSentence(p, tokenizer="words", lowercase=True)) == [["hello", "world", "it's"]]
    assert list(LineSentence(p, tokenizer="wordpunct"))[0][:3] == ["Hello", ",", "World"]
    assert "World" in list(LineSentence(p, tokenizer="treebank"))[0]
    assert "World" in list(LineSentence(p, tokenizer="toktok"))[0]


def test_long_line_is_chunked_never_cut(tmp_path, monkeypatch):
    import w2v.text.corpus as c
    monkeypatch.setattr(c, "_BLOCK_CHARS", 64)  # force the single-line (text8) reader to work in pieces
    words = [f"w{i}" for i in range(1000)]
    p = tmp_path / "text8"
    p.write_text(" ".join(words))  # one line, no newline
    chunks = list(LineSentence(p, max_sentence_length=300))
    assert [w for s in chunks for w in s] == words  # every token, in order, none split
    assert max(map(len, chunks)) <= 300
    # the reader cuts at the last space of each 64-character block, and each piece is a sentence of its own
    text, pieces, carry = " ".join(words), [], ""
    for start in range(0, len(text), 64):
        block = carry + text[start:start + 64]
        cut = block.rfind(" ") if start + 64 < len(text) else len(block)
        pieces.append(block[:cut].split())
        carry = block[cut:]
    assert chunks == [p for p in pieces if p]


def test_undecodable_bytes_policy(tmp_path):
    p = tmp_path / "bad.txt"
    p.write_bytes(b"caf\xe9 ok\n")
    assert list(LineSentence(p)) == [["caf\ufffd", "ok"]]
    with pytest.raises(CorpusError, match="not UTF-8"):
        list(LineSentence(p, encoding_errors="strict"))


def test_directory_corpus(tmp_path):
    (tmp_path / "b.txt").write_text("two\n")
    (tmp_path / "a.txt").write_text("one\n")
    (tmp_path / ".hidden").write_text("no\n")
    assert list(DirectoryCorpus(tmp_path)) == [["one"], ["two"]]
    assert list(as_corpus(tmp_path)) == [["one"], ["two"]]


def test_generator_refused_for_several_passes():
    gen = (s for s in [["a"]])
    with pytest.raises(CorpusError, match="one-shot"):
        as_corpus(gen, epochs=2)


def test_missing_file_and_string_sentences(tmp_path):
    with pytest.raises(CorpusError, match="not found"):
        LineSentence(tmp_path / "nope.txt")
    with pytest.raises(CorpusError, match="split it first"):
        as_corpus(["a sentence as a string"])


def test_encoding_drops_unknown_and_splits_long():
    ids, bounds = encode_sentences([["a", "x", "b", "a"], ["x"], ["b"] * 5], {"a": 0, "b": 1}, max_sentence_length=3)
    assert ids.tolist() == [0, 1, 0, 1, 1, 1, 1, 1]
    assert bounds.tolist() == [0, 3, 6, 8]
