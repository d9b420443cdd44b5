"""The encoded corpus: the numba byte tokenizer against the Python path, the cache, hostile files, streaming."""
import bz2
import gzip
import json
import logging
import lzma

import numpy as np
import pytest

import w2v
from w2v.text import ingest, pieces, tables
from w2v.text.corpus import LineSentence
from w2v.text.encoded import IDS_FILE, BOUNDS_FILE, META_FILE, EncodedCorpus, _HEADER_BYTES
from w2v.errors import CorpusError, SaveError
from w2v.text.prepare import _python_passes, prepare_corpus
from w2v.text.vocab import Vocabulary, count_words

from conftest import planted_file

# Unicode and mixed case (Greek final sigma, dotted I), invalid UTF-8, tabs, CR LF and lone CR, the ASCII
# separators str.split() splits on, a no-break space inside a token, empty lines, and lines far longer than a piece
HOSTILE = (b"The cat\tsat\r\non the MAT\r\rcaf\xc3\xa9 CAF\xc3\x89 \xce\xa3\xce\x8a\xce\xa3\xce\xa5\xce\xa6\xce\x9f\xce\xa3\n"
           b"bad\xff\xfebyte \xe2\x82 cut a\xc2\xa0b x\x1cy\x0bz\x0cw \xc4\xb0stanbul\n\n\n   \n"
           + b" ".join(b"w%d" % (i % 37) for i in range(3000)) + b"\n"
           + b"\xef\xbb\xbfbom the end")


@pytest.fixture
def small_pieces(monkeypatch):
    """Pieces of 64 bytes in blocks of 256: every cutting and carrying path runs on a small file."""
    monkeypatch.setattr(pieces, "PIECE_BYTES", 64)
    monkeypatch.setattr(pieces, "BLOCK_BYTES", 256)


def _python_encoding(path, lowercase, max_len=10000):
    sentences = LineSentence(path, lowercase=lowercase, max_sentence_length=max_len)
    words, counts, first, blocks = _python_passes(sentences, {"max_vocab_size": None, "max_sentence_length": max_len},
                                                   False)
    ids = np.concatenate([i for i, _ in blocks()])
    return words, counts, ids


@pytest.mark.parametrize("valid", [False, True])  # valid UTF-8: the tokens decode in one call; else one by one
@pytest.mark.parametrize("lowercase", [False, True])
def test_byte_tokenizer_gives_exactly_the_python_vocabulary(tmp_path, lowercase, valid, small_pieces):
    path = tmp_path / "hostile.txt"
    path.write_bytes(HOSTILE.replace(b"\xff\xfe", b"").replace(b"\xe2\x82 ", b"") if valid else HOSTILE)
    if valid:
        path.read_bytes().decode("utf-8")
    got = prepare_corpus(path, tmp_path / "c.w2vcorpus", lowercase=lowercase, workers=3, progress=False)
    counted, total = count_words(LineSentence(path, lowercase=lowercase))
    assert dict(zip(got.words, got.counts.tolist())) == dict(counted)
    words, counts, ids = _python_encoding(path, lowercase)
    assert got.words == words and got.n_words == total == len(ids)
    assert np.array_equal(got.read(0, got.n_sentences)[0], ids)  # the same words in the same order
    assert ("σίσυφος" in got.words) == lowercase and "café" in got.words and "a\xa0b" not in got.words


@pytest.mark.parametrize("lowercase", [False, True])
def test_an_ascii_text_gives_exactly_the_python_vocabulary(tmp_path, lowercase, small_pieces):
    """ASCII only: without lowercasing every byte token is its own word (decode_tokens' shortcut), with it the case
    variants of a token merge into one word."""
    path = tmp_path / "ascii.txt"
    path.write_bytes(b"The cat THE Cat the\nzebra The x\x1cy\r\n\n" + b" ".join(b"W%d w%d" % (i % 7, i % 5)
                                                                            for i in range(400)) + b"\nend")
    got = prepare_corpus(path, tmp_path / "c.w2vcorpus", lowercase=lowercase, workers=2, progress=False)
    counted, total = count_words(LineSentence(path, lowercase=lowercase))
    assert dict(zip(got.words, got.counts.tolist())) == dict(counted)
    words, counts, ids = _python_encoding(path, lowercase)
    assert got.words == words and got.n_words == total == len(ids)
    assert np.array_equal(got.read(0, got.n_sentences)[0], ids)
    assert ("The" in got.words) != lowercase and len(got.words) == (13 if lowercase else 21)


def test_the_encoding_does_not_depend_on_threads_or_compression(tmp_path, small_pieces):
    path = tmp_path / "hostile.txt"
    path.write_bytes(HOSTILE)
    one = prepare_corpus(path, tmp_path / "one.w2vcorpus", workers=1, progress=False)
    for opener, suffix in [(gzip.open, ".gz"), (bz2.open, ".bz2"), (lzma.open, ".xz"), (open, "")]:
        packed = tmp_path / f"packed.txt{suffix}"
        with opener(packed, "wb") as f:
            f.write(HOSTILE)
        other = prepare_corpus(packed, tmp_path / f"p{suffix}.w2vcorpus", workers=3, progress=False)
        assert other.words == one.words and np.array_equal(other.counts, one.counts)
        for a, b in zip(other.read(0, other.n_sentences), one.read(0, one.n_sentences)):
            assert np.array_equal(a, b)


def test_a_text8_style_line_is_cut_into_sentences_and_nothing_is_lost(tmp_path, small_pieces):
    path = tmp_path / "text8"
    words = [f"t{i % 101}" for i in range(5000)]
    path.write_text(" " + " ".join(words))  # one line, as text8
    got = prepare_corpus(path, tmp_path / "c.w2vcorpus", max_sentence_length=300, workers=2, progress=False)
    ids, bounds = got.read(0, got.n_sentences)
    assert [got.words[i] for i in ids] == words
    assert got.n_sentences > 1 and np.diff(bounds).max() <= 300


def _two_passes(monkeypatch):
    """Make prepare_corpus count, then encode (the reading before the one-pass one)."""
    from w2v.text import prepare
    byte_passes = prepare._byte_passes
    monkeypatch.setattr(prepare, "_byte_passes", lambda *args: byte_passes(*args[:4]))


def _same_corpus(a, b) -> bool:
    return (a.words == b.words and np.array_equal(a.counts, b.counts) and np.array_equal(a.first, b.first)
            and all(np.array_equal(x, y) for x, y in zip(a.read(0, a.n_sentences), b.read(0, b.n_sentences))))


@pytest.mark.parametrize("workers,lowercase,max_len", [(1, False, 10000), (3, True, 7), (2, False, 3)])
def test_one_pass_writes_the_corpus_two_passes_write(tmp_path, monkeypatch, small_pieces, workers, lowercase, max_len):
    """Counting and writing provisional ids in one pass, then mapping them to word ids, gives the corpus that
    counting and then encoding gives, bit for bit, and reads the text once."""
    path = tmp_path / "ascii.txt"
    path.write_bytes(b"\n".join(b" ".join(b"W%d w%d" % ((i * k) % 29, (i + k) % 13) for k in range(i % 11))
                                for i in range(300)) + b"\r\nlast line")
    encodes, encode_file = [], ingest.encode_file
    monkeypatch.setattr(ingest, "encode_file", lambda *a, **k: encodes.append(1) or encode_file(*a, **k))
    one = prepare_corpus(path, tmp_path / "one.w2vcorpus", workers=workers, lowercase=lowercase,
                         max_sentence_length=max_len, progress=False)
    assert not encodes and one.n_words > 1000
    _two_passes(monkeypatch)
    two = prepare_corpus(path, tmp_path / "two.w2vcorpus", workers=workers, lowercase=lowercase,
                         max_sentence_length=max_len, progress=False)
    assert _same_corpus(one, two)


@pytest.mark.parametrize("reason", ["unicode-whitespace", "wide-ids"])
def test_one_pass_reads_again_when_its_ids_do_not_map(tmp_path, monkeypatch, small_pieces, caplog, reason):
    """A token holding a no-break space is two words (or none), and a table too large for 32-bit provisional
    ids cannot write them: the text is read a second time, and the corpus is the one two passes write."""
    path = tmp_path / "t.txt"
    text = "\n".join(" ".join(f"token{i * 7 + k}" for k in range(7)) for i in range(6000))
    path.write_text(text + (" a\xa0b \xa0 end\n" if reason == "unicode-whitespace" else "\n"))
    if reason == "wide-ids":  # each thread's table grows past 16k entries: 2 x 32k provisional ids would not fit
        monkeypatch.setattr(ingest, "MAX_PROVISIONAL_ID", 40_000)
    with caplog.at_level(logging.INFO, logger="w2v.text.prepare"):
        one = prepare_corpus(path, tmp_path / "one.w2vcorpus", workers=2, progress=False)
    assert ("Unicode whitespace" if reason == "unicode-whitespace" else "two passes") in caplog.text
    _two_passes(monkeypatch)
    two = prepare_corpus(path, tmp_path / "two.w2vcorpus", workers=2, progress=False)
    assert _same_corpus(one, two) and one.n_words == 42_000 + 3 * (reason == "unicode-whitespace")


def test_a_directory_is_read_file_by_file_in_name_order(tmp_path):
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "b.txt").write_text("two three\n")
    (tmp_path / "d" / "a.txt").write_text("one two")  # no final newline: the file still ends the sentence
    got = prepare_corpus(tmp_path / "d", tmp_path / "c.w2vcorpus", progress=False)
    ids, bounds = got.read(0, got.n_sentences)
    assert [got.words[i] for i in ids] == ["one", "two", "two", "three"] and bounds.tolist() == [0, 2, 4]


def test_max_vocab_size_prunes_rare_words_during_the_count(tmp_path):
    path = tmp_path / "c.txt"
    rng = np.random.default_rng(0)
    path.write_text("\n".join(" ".join(["common"] * 5 + [f"rare{rng.integers(10**6)}" for _ in range(5)])
                              for _ in range(300)))
    got = prepare_corpus(path, tmp_path / "c.w2vcorpus", max_vocab_size=50, workers=2, progress=False)
    assert len(got.words) <= 50 and got.words[0] == "common" and got.counts[0] == 1500
    ids, _ = got.read(0, got.n_sentences)
    assert ids.max() < len(got.words)


def test_first_seen_order_matches_the_python_path(tmp_path):
    path = planted_file(tmp_path / "p.txt")
    model = w2v.Word2Vec(min_count=1, sorted_vocab=False, epochs=1, vector_size=4).fit(path, progress=False)
    sentences = [line.split() for line in path.read_text().splitlines()]
    assert model.vocab_.index_to_key == Vocabulary.build(sentences, min_count=1, sorted_vocab=False).index_to_key


def test_strict_decoding_names_the_file(tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes(b"caf\xe9 ok\n")
    with pytest.raises(CorpusError, match="latin1.txt.*not UTF-8"):
        prepare_corpus(path, tmp_path / "c.w2vcorpus", encoding_errors="strict", progress=False)
    assert not (tmp_path / "c.w2vcorpus").exists()


def test_a_binary_file_without_whitespace_is_refused(tmp_path, monkeypatch, small_pieces):
    monkeypatch.setattr(pieces, "MAX_TOKEN_BYTES", 1024)
    path = tmp_path / "blob.bin"
    path.write_bytes(b"x" * 5000)
    with pytest.raises(CorpusError, match="without whitespace"):
        prepare_corpus(path, tmp_path / "c.w2vcorpus", progress=False)


# ------------------------------------------------------------------------------------------------ training
def test_training_reads_the_same_words_from_text_disk_and_memory(tmp_path):
    """One seed, one worker: a file (through the cache), its prepared directory and the same token lists in
    memory train bit for bit the same model."""
    path = planted_file(tmp_path / "p.txt")
    params = dict(min_count=2, epochs=2, vector_size=8, workers=1, seed=5, job_words=300)
    from_file = w2v.Word2Vec(**params).fit(path, progress=False)
    prepared = prepare_corpus(path, tmp_path / "p.w2vcorpus", progress=False)
    from_dir = w2v.Word2Vec(**params).fit(str(tmp_path / "p.w2vcorpus"), progress=False)
    from_obj = w2v.Word2Vec(**params).fit(prepared, progress=False)
    in_memory = w2v.Word2Vec(**params).fit([line.split() for line in path.read_text().splitlines()], progress=False)
    for m in (from_dir, from_obj, in_memory):
        assert m.vocab_.index_to_key == from_file.vocab_.index_to_key
        assert np.array_equal(m.W_in_, from_file.W_in_)


def test_a_min_count_keeps_a_prefix_and_rarer_words_drop_out_of_training(tmp_path):
    path = planted_file(tmp_path / "p.txt")
    prepared = prepare_corpus(path, tmp_path / "p.w2vcorpus", progress=False)
    model = w2v.Word2Vec(min_count=200, epochs=1, vector_size=4).fit(prepared, progress=False)
    V = len(model.vocab_)
    assert 0 < V < len(prepared.words) and model.vocab_.index_to_key == prepared.words[:V]


def test_select_job_refuses_ids_and_bounds_out_of_range():
    from w2v.train.kernels import select_job
    remap = np.array([0, -1, 1], np.int32)
    out_i, out_b = np.empty(4, np.int32), np.empty(5, np.int64)
    ok = select_job(np.array([0, 1, 2, 2], np.int32), np.array([0, 3, 4]), remap, 2, out_i, out_b)
    assert ok == (3, 2) and out_i[:3].tolist() == [0, 1, 1] and out_b[:3].tolist() == [0, 2, 3]
    assert select_job(np.array([0, 3], np.int32), np.array([0, 2]), remap, 9, out_i, out_b) == (-1, -1)
    assert select_job(np.array([0, -1], np.int32), np.array([0, 2]), remap, 9, out_i, out_b) == (-1, -1)
    assert select_job(np.array([0, 0], np.int32), np.array([0, 5]), remap, 9, out_i, out_b) == (-1, -1)
    assert select_job(np.array([0, 0], np.int32), np.array([2, 1]), remap, 9, out_i, out_b) == (-1, -1)


# ------------------------------------------------------------------------------------------------ the cache
def test_a_second_fit_opens_the_cache_instead_of_reading_the_text(tmp_path, corpus_cache, monkeypatch, caplog):
    path = planted_file(tmp_path / "cachedonce.txt")
    first = w2v.Word2Vec(min_count=1, epochs=1, vector_size=4).fit(path, progress=False)
    entries = list(corpus_cache.glob("cachedonce-*.w2vcorpus"))
    assert len(entries) == 1

    def no_reading(*a, **k):
        raise AssertionError("the text was read again")
    monkeypatch.setattr(ingest, "count_tables", no_reading)
    second = w2v.Word2Vec(min_count=3, epochs=1, vector_size=6, arch="skipgram").fit(path, progress=False)
    assert second.vocab_.index_to_key == first.vocab_.index_to_key[:len(second.vocab_)]
    monkeypatch.undo()
    path.write_text(path.read_text() + "new words here\n")  # the file changed: a new entry, the old one removed
    third = w2v.Word2Vec(min_count=1, epochs=1, vector_size=4).fit(path, progress=False)
    now = list(corpus_cache.glob("cachedonce-*.w2vcorpus"))
    assert "here" in third.vocab_ and len(now) == 1 and now != entries


@pytest.mark.parametrize("damage", ["flip an id", "truncate bounds", "garbage meta", "id out of range"])
def test_a_damaged_cache_is_rebuilt_with_a_warning_never_trained_on(tmp_path, corpus_cache, caplog, damage):
    name = "damaged" + damage.replace(" ", "")
    path = planted_file(tmp_path / f"{name}.txt")
    params = dict(min_count=1, epochs=1, vector_size=4, workers=1, seed=2)
    clean = w2v.Word2Vec(**params).fit(path, progress=False)
    entry = next(corpus_cache.glob(f"{name}-*.w2vcorpus"))
    ids = entry / IDS_FILE
    if damage == "flip an id":
        with open(ids, "r+b") as f:
            f.seek(_HEADER_BYTES + 40)
            f.write(b"\x01")
    elif damage == "truncate bounds":
        with open(entry / BOUNDS_FILE, "r+b") as f:
            f.truncate(_HEADER_BYTES + 16)
    elif damage == "garbage meta":
        (entry / META_FILE).write_text("{not json")
    else:  # a crafted file: the checksum recomputed, one id past the vocabulary
        import zlib
        meta = json.loads((entry / META_FILE).read_text())
        a = np.load(ids)
        a[3] = 10**6
        np.save(ids, a)
        meta["ids_crc32"] = zlib.crc32(a)
        (entry / META_FILE).write_text(json.dumps(meta))
    with caplog.at_level(logging.WARNING, logger="w2v.text.prepare"):
        again = w2v.Word2Vec(**params).fit(path, progress=False)
    assert "rebuilding the cached corpus" in caplog.text
    assert np.array_equal(again.W_in_, clean.W_in_)
    assert EncodedCorpus.open(entry).n_words == clean.corpus_info_["encoded"]["words"]


def test_a_full_disk_gives_a_one_line_error_and_leaves_nothing(tmp_path, monkeypatch):
    import errno
    path = planted_file(tmp_path / "p.txt")

    def full(self, ids, lengths):
        raise self._error(OSError(errno.ENOSPC, "No space left on device"))
    monkeypatch.setattr("w2v.text.encoded.Writer.add", full)
    with pytest.raises(SaveError, match="No space left on device.*nothing was left"):
        prepare_corpus(path, tmp_path / "out" / "p.w2vcorpus", progress=False)
    assert list((tmp_path / "out").iterdir()) == []


def test_prepare_from_the_command_line_then_train_on_it(tmp_path, capsys):
    from w2v.cli import main
    path = planted_file(tmp_path / "p.txt")
    out = tmp_path / "p.w2vcorpus"
    assert main(["prepare", str(path), "-o", str(out), "-q", "--workers", "2"]) == 0
    assert "3,200 words in 400 sentences" in capsys.readouterr().out
    assert main(["train", str(out), "-o", str(tmp_path / "run"), "-q", "--min-count", "1", "--epochs", "1",
                 "--vector-size", "8"]) == 0
    model = w2v.Word2Vec.load(tmp_path / "run")
    assert "cat" in model.wv and model.corpus_info_["encoded"]["words"] == 3200
    capsys.readouterr()
    assert main(["prepare", str(tmp_path / "missing.txt")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "missing.txt" in err


def test_tables_grow_past_their_first_size(tmp_path):
    """More distinct tokens and bytes than a table starts with (16k entries, 256 KiB): it grows, nothing is lost."""
    path = tmp_path / "many.txt"
    path.write_text("\n".join(" ".join(f"token{i * 7 + k:06d}" for k in range(7)) for i in range(6000)) + "\n")
    got = prepare_corpus(path, tmp_path / "c.w2vcorpus", workers=2, progress=False)
    assert len(got.words) == got.n_words == 42_000 and got.words == sorted(got.words)


def test_large_ingestion_buffers_live_in_their_own_mappings():
    """The big arrays of a pass over the corpus bypass malloc (whose raised mmap threshold kept ~100 MB after
    reading a 100 M-word corpus): zeroed, writable, and unmapped when they go."""
    import mmap
    big = tables.mapped_zeros(tables.MAPPED_BYTES // 4, np.int32)
    small = tables.mapped_zeros(10, np.int64)
    assert isinstance(big.base.obj, mmap.mmap) and not isinstance(getattr(small.base, "obj", None), mmap.mmap)
    assert not big.any() and not small.any() and big.flags.writeable
    big[-1] = 7
    assert big.sum() == 7


@pytest.mark.parametrize("token", [b"cat", b"abcdefgh", b"abcdefghij"])
def test_a_token_with_the_same_slot_but_other_bytes_gets_its_own_entry(token):
    """A slot keeps a token's length, hash bits and first 8 bytes; a longer token is also compared byte for byte.
    Changing the bytes a table holds (as a hash collision would look) makes the same token a new entry."""
    buf = np.frombuffer(token + b" " + token + b"\n", np.uint8)
    t = tables.Table()
    tables.count_bytes(buf, 0, len(buf), 0, tables.BYTE_CLASS, *t.arrays(), *tables.no_ids())
    assert t.n == 1 and t.count[0] == 2
    t.arena[len(token) - 1] ^= 1  # the entry's last byte: in the slot's head for short tokens, only in the arena past 8
    if len(token) <= 8:
        t.slots[t.slots[:, 0] >= 0, 1] ^= 1 << (8 * (len(token) - 1))
    tables.count_bytes(buf, 0, len(buf), 0, tables.BYTE_CLASS, *t.arrays(), *tables.no_ids())
    assert t.n == 2 and t.count[:2].tolist() == [2, 2] and t.tokens()[1] == token


def test_the_byte_scan_finds_the_tokens_a_byte_by_byte_split_finds():
    """Token ends are found 8 bytes at a time; control bytes inside tokens (0x01 next to '!' fools the word test),
    tokens cut by the range's end and tokens in the array's last 8 bytes split as a byte-by-byte scan does."""
    import re
    from collections import Counter
    rng = np.random.default_rng(0)
    alphabet = np.array([0x00, 0x01, 0x09, 0x0A, 0x0D, 0x1C, 0x20, 0x21, 0x41, 0x42, 0x7F, 0x80, 0xC3, 0xFF], np.uint8)
    sep = re.compile(rb"[\t\x0b\x0c \x1c-\x1f\n\r]+")
    for trial in range(300):
        buf = rng.choice(alphabet, size=int(rng.integers(1, 80)), p=None)
        a = int(rng.integers(0, len(buf)))
        b = int(rng.integers(a, len(buf) + 1))
        t = tables.Table()
        tables.count_bytes(buf, a, b, 0, tables.BYTE_CLASS, *t.arrays(), *tables.no_ids())
        want = Counter(tok for tok in sep.split(buf[a:b].tobytes()) if tok)
        assert dict(zip(t.tokens(), t.count[: t.n].tolist())) == want, (buf.tobytes(), a, b)


def test_mapping_provisional_ids_refuses_an_id_it_has_no_word_for(tmp_path):
    """The one-pass reading maps the ids it wrote in place; an id past the map is an error, not a wrapped read."""
    from w2v.text.encoded import Writer
    with Writer(tmp_path / "c.w2vcorpus") as w:
        w.add(np.array([2, 0, 1, 2], np.int32), np.array([4]))
        w.map_ids(np.array([7, 8, 9], np.int32))
        corpus = w.finish(["x"] * 10, [1] * 10, list(range(10)), {"options": {}})
    assert corpus.read(0, 1)[0].tolist() == [9, 7, 8, 9]
    with pytest.raises(CorpusError, match="id 5 at 1 was never written"), Writer(tmp_path / "d.w2vcorpus") as w:
        w.add(np.array([0, 5], np.int32), np.array([2]))
        w.map_ids(np.array([1, 2], np.int32))
    assert list(tmp_path.iterdir()) == [tmp_path / "c.w2vcorpus"]


def test_pieces_end_after_the_first_line_end_of_either_kind():
    """Piece boundaries: just after the first "\\n" or "\\r" in a window (found by two byte searches), as a
    regular expression would find it."""
    import re
    rng = np.random.default_rng(1)
    for trial in range(500):
        buf = rng.choice(np.frombuffer(b"ab \n\r", np.uint8), size=int(rng.integers(0, 40))).tobytes()
        a = int(rng.integers(0, len(buf) + 1))
        b = int(rng.integers(a, len(buf) + 1))
        m = re.compile(rb"[\n\r]").search(buf, a, b)
        assert pieces._line_end(buf, a, b) == (m.end() if m else -1), (buf, a, b)


def test_a_long_token_is_not_taken_for_a_shorter_one_whose_slot_matches():
    """A slot keeps lengths up to 255; past that the entry's own length decides. Put a slot for the 300-byte entry
    (whose bytes run on into a 100-byte one in the arena) where a 400-byte token looks first, with that token's
    length and hash bits: the 400-byte token must still get its own entry, not match 400 bytes of the arena."""
    from numba import njit

    @njit
    def slot_of(buf, n, mask):
        h, head = tables._hash_head(buf, 0, n)
        return tables._slot_word(h, n), h & np.uint64(mask)
    t = tables.Table()
    first = np.frombuffer(b"a" * 300 + b" " + b"a" * 100 + b"\n", np.uint8)
    tables.count_bytes(first, 0, len(first), 0, tables.BYTE_CLASS, *t.arrays(), *tables.no_ids())
    long = np.frombuffer(b"a" * 400 + b"\n", np.uint8)
    word, home = slot_of(long, 400, len(t.slots) - 1)
    assert t.slots[int(home), 0] < 0
    t.slots[int(home)] = [word | 0, t.slots[t.slots[:, 0] >= 0][0, 1]]  # entry 0 (the 300-byte token), same head
    tables.count_bytes(long, 0, len(long), 0, tables.BYTE_CLASS, *t.arrays(), *tables.no_ids())
    assert t.n == 3 and t.count[:3].tolist() == [1, 1, 1]
