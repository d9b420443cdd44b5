"""Fast ingestion of whitespace-tokenised text: count the vocabulary and encode the corpus in numba, on bytes.

The default tokenizer (``"whitespace"``: Python's ``str.split``) is done here on the raw bytes of a file, by one
thread per worker:

1. **Count.** Each thread splits its byte ranges at ASCII whitespace and counts the distinct *byte* tokens in
   its own open-addressing hash table (the token's bytes kept in an arena and compared in full,
   so a hash collision never merges two words). The tables are merged at the end. Only then is each distinct
   byte token decoded, once: UTF-8 with the corpus's ``encoding_errors``, lowercased if asked, and split again
   at Unicode whitespace (a no-break space inside a token), exactly as ``LineSentence`` would treat it in a
   line; so the vocabulary equals the Python path's, however often each token occurs.
2. **Encode.** Each token becomes the ids of its word(s) in the frequency-ordered vocabulary, with sentence
   lengths, streamed to a writer piece by piece in file order. In one pass (:func:`count_and_write`) the count
   also writes each token's *provisional* id (its entry in its thread's table), which the caller maps to word
   ids in place once the vocabulary is known; where a token is not exactly one word, or with pruning, the same
   byte ranges are read again and encoded with the merged table (:func:`encode_file`).

Line ends are ``\\n`` and ``\\r`` (universal newlines, as Python's text reading), empty lines are dropped, and
lines longer than ``max_sentence_length`` tokens are cut into sentences of that many. The threads take the pieces
of each block that ``w2v.text.pieces`` reads (cut at positions that depend only on the content, so the encoding
never depends on the number of threads); a piece boundary inside a line ends a sentence there, as the Python
path's 1 MiB reading blocks do.

``max_vocab_size`` prunes like word2vec.c's ``ReduceVocab`` whenever a thread's table holds more distinct tokens
(drop counts <= t, then raise t), and once more after the merge, so memory follows the vocabulary bound; each
thread prunes its own part of the corpus, so with pruning the counts can differ slightly from the one-thread
Python path (both are approximate by design).

Example
-------
>>> from w2v.text.ingest import count_tables, decode_tokens
>>> table = count_tables(["corpus.txt"], workers=2)  # doctest: +SKIP
>>> words, counts, first, token_words = decode_tokens(table, "corpus.txt", False, "replace")  # doctest: +SKIP
"""
from __future__ import annotations

import logging
from collections import namedtuple
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from ..errors import CorpusError
from .pieces import pieces, range_pieces
from .tables import BYTE_CLASS, Table, count_bytes, encode_bytes, mapped_zeros, merge_table, no_ids

logger = logging.getLogger(__name__)

MAX_PROVISIONAL_ID = np.iinfo(np.int32).max  # a one-pass reading's ids are written as int32 (count_and_write)


def _groups(cuts: list, workers: int) -> list[list[int]]:
    """Split the pieces of a block into at most ``workers`` contiguous runs of about equal bytes; each run is
    the list of its boundaries (a sub-list of ``cuts``)."""
    total = cuts[-1] - cuts[0]
    out, k = [], 0
    for w in range(workers):
        target = cuts[0] + total * (w + 1) // workers
        k2 = k
        while k2 < len(cuts) - 1 and cuts[k2] < target:
            k2 += 1
        if k2 > k:
            out.append(cuts[k:k2 + 1])
        k = k2
    return out


# ---------------------------------------------------------------------------------------------------- counting
def _grow_for(table: Table, block, pos: int, b: int) -> None:
    """Grow ``table`` for the token at ``block[pos]`` (where a count stopped)."""
    size = 0
    while pos + size < b and BYTE_CLASS[block[pos + size]] == 0:
        size += 1
    table.grow(size)


def _count_range(table: Table, block, a: int, b: int, base: int, max_vocab_size: int | None) -> None:
    pos, ids_args = a, no_ids()
    while True:
        pos = count_bytes(block, pos, b, base, BYTE_CLASS, *table.arrays(), *ids_args)
        if pos == b:
            break
        _grow_for(table, block, pos, b)
    if max_vocab_size is not None and table.n > max_vocab_size:
        table.prune(max_vocab_size)


def count_tables(files, workers: int = 1, max_vocab_size: int | None = None, progress=None, blocks=None) -> Table:
    """Count the distinct byte tokens of files (or of ``blocks``, :func:`pieces` of something else) with
    ``workers`` threads; returns the merged :class:`Table`."""
    tables = [Table() for _ in range(workers)]
    with ThreadPoolExecutor(workers) as pool:
        for block, cuts, base in (pieces(files) if blocks is None else blocks):
            jobs = [pool.submit(_count_range, tables[w], block, run[0], run[-1], base, max_vocab_size)
                    for w, run in enumerate(_groups(cuts, workers))]
            for j in jobs:
                j.result()
            if progress is not None:
                progress(cuts[-1] - cuts[0])
    return merge_tables(tables, max_vocab_size)


def _count_run(table: Table, tag: int, stride: int, block, run: list, base: int, max_len: int, scratch: dict):
    """Count the pieces ``block[run[k]:run[k+1]]`` into ``table`` and write their provisional ids (``entry * stride
    + tag``) and sentence lengths into ``scratch``'s arrays (valid until the next call with it)."""
    out_ids, out_lens = _outputs(scratch, run)
    state = np.zeros(3, np.int64)
    for a, b in zip(run[:-1], run[1:]):
        pos = a
        while True:
            pos = count_bytes(block, pos, b, base, BYTE_CLASS, *table.arrays(), tag, stride, max_len, out_ids,
                              out_lens, state)
            if pos == b:
                break
            _grow_for(table, block, pos, b)
            if len(table.hash) * stride > MAX_PROVISIONAL_ID:
                raise TooManyTokens(f"more than {len(table.hash) // 2:,} distinct tokens in one thread's part")
    return out_ids[: state[0]], out_lens[: state[1]]


class TooManyTokens(Exception):
    """Provisional ids would not fit in 32 bits: the corpus is read in two passes instead."""


def count_and_write(files, workers: int, max_sentence_length: int, write, progress=None):
    """Count the files' byte tokens as :func:`count_tables` (no pruning) and, in the same pass, ``write(ids,
    sentence_lengths)`` them in file order, each token as a provisional id: one reading of the text instead of
    two. The caller maps the ids written to word ids once the vocabulary is known.

    Returns
    -------
    table : Table
        The merged table.
    entry_of : (P,) int64
        The merged table's entry of each provisional id.
    """
    tables, scratch = [Table() for _ in range(workers)], [{} for _ in range(workers)]
    with ThreadPoolExecutor(workers) as pool:
        for block, cuts, base in pieces(files):
            jobs = [pool.submit(_count_run, tables[w], w, workers, block, run, base, max_sentence_length, scratch[w])
                    for w, run in enumerate(_groups(cuts, workers))]
            for j in jobs:
                write(*j.result())
            if progress is not None:
                progress(cuts[-1] - cuts[0])
    entry_of = np.zeros(max(t.n for t in tables) * workers, np.int64)
    entry_of[0: tables[0].n * workers: workers] = np.arange(tables[0].n)
    wheres: list = []
    merge_tables(tables, wheres=wheres)
    for w, where in enumerate(wheres, start=1):
        entry_of[w: len(where) * workers: workers] = where
    return tables[0], entry_of


def merge_tables(tables: list, max_vocab_size: int | None = None, wheres: list | None = None) -> Table:
    """Add the counts of ``tables[1:]`` into ``tables[0]`` (first positions: the smallest), prune it to
    ``max_vocab_size`` and return it; ``tables[1:]`` lose their index (``slots``). ``wheres`` (a list) receives,
    for each of ``tables[1:]``, the entry each of its entries became (before any pruning)."""
    table = tables[0]
    for other in tables[1:]:
        other.slots = other.slots[:0]  # its index is not read, and its memory is freed before this table grows
        e, where = 0, np.zeros(other.n, np.int64)
        while e < other.n:
            e = merge_table(*table.arrays(), other.hash, other.off, other.length, other.count, other.first, other.arena,
                       other.n, e, where)
            if e < other.n:
                table.grow(int(other.length[e]))
        table.min_reduce = max(table.min_reduce, other.min_reduce)
        if wheres is not None:
            wheres.append(where)
    if max_vocab_size is not None and table.n > max_vocab_size:
        table.prune(max_vocab_size)
    return table


TokenWords = namedtuple("TokenWords", "lengths ids")
TokenWords.__doc__ = """What each byte token of a :class:`Table` decodes to: ``lengths`` (T,) int32 words per token (usually 1;
0 for a token of Unicode whitespace, several when one splits it) and their word ids ``ids`` (sum of lengths,)
int32, token after token."""


def decode_tokens(table: Table, path, lowercase: bool, encoding_errors: str):
    """Decode each distinct byte token once, as the Python path would read it in a line.

    The tokens are joined by newlines (which no token holds) and decoded, lowercased and split in three calls on
    the whole text, so a million distinct tokens cost a few C-level passes, not a million Python iterations; a
    table with undecodable bytes takes the token-by-token way, which names the token or replaces its bytes.

    Returns
    -------
    words : list of str
        The distinct words.
    counts, first : (W,) int64
        Occurrences, and the file position of the first occurrence (for first-seen order).
    token_words : TokenWords
        For each byte token of the table, the indices into ``words`` of what it decodes to.
    """
    tokens = table.tokens()
    try:
        texts = b"\n".join(tokens).decode("utf-8")
        replaced = False
    except UnicodeDecodeError:
        texts, replaced = _decode_each(tokens, path, encoding_errors)
    if lowercase:  # the same as per token: a newline ends a word for str.lower's final-sigma rule too
        texts = texts.lower()
    ascii_only = texts.isascii()  # one C-level scan of the whole table, not a Python test per token
    texts = texts.split("\n") if tokens else []
    index: dict[str, int] = {}
    if ascii_only and not lowercase and not replaced:
        # every token is one word, and distinct byte tokens are distinct words (strict UTF-8 decoding is one to one):
        # the words are the tokens, in order (no dictionary of a million words: 0.55 s of 1.9 s on a wide corpus)
        words = texts
        ids = np.arange(len(texts), dtype=np.int64)
        lengths = np.ones(len(texts), np.int32)
    elif ascii_only:  # no Unicode whitespace: every token is one word
        ids = [index.setdefault(t, len(index)) for t in texts]
        lengths = np.ones(len(texts), np.int32)
        words = list(index)
    else:
        ids, lengths = [], np.empty(len(texts), np.int32)
        for e, t in enumerate(texts):
            found = [t] if t.isascii() else t.split()  # a no-break space splits a token, as in a line
            ids.extend(index.setdefault(w, len(index)) for w in found)
            lengths[e] = len(found)
        words = list(index)
    ids = np.asarray(ids, np.int64)
    starts = np.repeat(np.cumsum(lengths) - lengths, lengths)
    counts = np.zeros(len(words), np.int64)
    np.add.at(counts, ids, np.repeat(table.count[: table.n], lengths))
    first = np.full(len(words), np.iinfo(np.int64).max, np.int64)  # the k-th word of a token starts k after it
    np.minimum.at(first, ids, np.repeat(table.first[: table.n], lengths) + np.arange(len(ids)) - starts)
    if replaced:
        logger.warning("%s: undecodable bytes replaced by U+FFFD", path)
    return words, counts, first, TokenWords(lengths, ids.astype(np.int32))


def _decode_each(tokens: list[bytes], path, encoding_errors: str) -> tuple[str, bool]:
    """The tokens decoded one by one and joined by newlines, for a table with bytes that are not UTF-8: raises
    for the first such token, or replaces its bytes (``encoding_errors="replace"``); also whether it did."""
    texts, replaced = [], False
    for tok in tokens:
        try:
            text = tok.decode("utf-8", encoding_errors)
        except UnicodeDecodeError as e:
            raise CorpusError(f"{path}: bytes that are not UTF-8 ({e.reason}) in the token {tok[:40]!r}; "
                              "re-encode the file or use encoding_errors='replace'") from None
        replaced = replaced or (encoding_errors == "replace" and "\ufffd" in text)
        texts.append(text)
    return "\n".join(texts), replaced


# ---------------------------------------------------------------------------------------------------- encoding
def _outputs(scratch: dict, run: list):
    """Id and sentence-length arrays for the pieces of ``run`` (``scratch``'s, grown as needed and reused)."""
    need = (run[-1] - run[0]) // 2 + len(run)  # a token takes a byte and is followed by one
    if len(scratch.get("ids", ())) < need:
        scratch["ids"], scratch["lens"] = mapped_zeros(need, np.int32), mapped_zeros(need, np.int64)
    return scratch["ids"], scratch["lens"]


def _encode_run(table: Table, expand_start, expand_len, expand, block, run: list, max_len: int, scratch: dict):
    """Encode the pieces ``block[run[k]:run[k+1]]`` in order (a sentence always ends with its piece), into
    ``scratch``'s arrays (grown as needed and reused: the result is valid until the next call with it)."""
    out_ids, out_lens = _outputs(scratch, run)
    n_ids, n_sent = 0, 0
    for a, b in zip(run[:-1], run[1:]):
        i, s = encode_bytes(block, a, b, BYTE_CLASS, table.slots, table.off, table.length, table.arena,
                       expand_start, expand_len, expand, max_len, out_ids[n_ids:], out_lens[n_sent:])
        n_ids, n_sent = n_ids + i, n_sent + s
    return out_ids[:n_ids], out_lens[:n_sent]


def encode_file(files, table: Table, token_words: TokenWords, max_sentence_length: int, workers: int = 1,
                progress=None, blocks=None):
    """Yield ``(ids, sentence_lengths)`` blocks of the files (or of ``blocks``) in order, with ``token_words`` the
    word ids of each of the table's byte tokens (none drops it). Each block is valid until the next is asked
    for."""
    expand_len, expand = token_words
    expand_start = np.zeros(len(expand_len), np.int64)
    np.cumsum(expand_len[:-1], out=expand_start[1:])
    scratch = [{} for _ in range(workers)]  # each group's output arrays, reused once the writer took them
    with ThreadPoolExecutor(workers) as pool:
        for block, cuts, base in (pieces(files) if blocks is None else blocks):
            jobs = [pool.submit(_encode_run, table, expand_start, expand_len, expand, block, run,
                                max_sentence_length, scratch[w]) for w, run in enumerate(_groups(cuts, workers))]
            for j in jobs:
                yield j.result()
            if progress is not None:
                progress(cuts[-1] - cuts[0])


# ---------------------------------------------------------------------------------------------------- cluster parts
def count_part(path: str, start: int, end: int | None, max_vocab_size: int | None, threads: int = 1):
    """Count the byte tokens of ``path[start:end]`` (a Dask task of ``prepare_corpus(client=...)``) with
    ``threads`` threads; returns the :class:`Table` and the bytes read (a compressed file's decompressed size)."""
    seen = [0]

    def blocks():
        for block, cuts, base in range_pieces(path, start, end):
            seen[0] = base + cuts[-1] - start
            yield block, cuts, base
    table = count_tables([], threads, max_vocab_size, blocks=blocks())
    return table, seen[0]


def encode_part(table_and_ids, path: str, start: int, end: int | None, max_sentence_length: int, threads: int = 1):
    """Encode ``path[start:end]`` with the merged table (a Dask task) with ``threads`` threads; returns
    ``(ids, sentence_lengths)``."""
    table, token_words = table_and_ids
    ids, lengths = [], []
    for i, n in encode_file([], table, token_words, max_sentence_length, threads,
                            blocks=range_pieces(path, start, end)):
        ids.append(i.copy())
        lengths.append(n.copy())
    return (np.concatenate(ids) if ids else np.zeros(0, np.int32),
            np.concatenate(lengths) if lengths else np.zeros(0, np.int64))


