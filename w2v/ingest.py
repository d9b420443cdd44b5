"""Fast ingestion of whitespace-tokenised text: count the vocabulary and encode the corpus in numba, on bytes.

The default tokenizer (``"whitespace"``: Python's ``str.split``) is done here on the raw bytes of a file, in
two passes over it, by one thread per worker:

1. **Count.** Each thread splits its byte ranges at ASCII whitespace and counts the distinct *byte* tokens in
   its own open-addressing hash table (FNV-1a hashes, the token's bytes kept in an arena and compared in full,
   so a hash collision never merges two words). The tables are merged at the end. Only then is each distinct
   byte token decoded, once: UTF-8 with the corpus's ``encoding_errors``, lowercased if asked, and split again
   at Unicode whitespace (a no-break space inside a token), exactly as ``LineSentence`` would treat it in a
   line; so the vocabulary equals the Python path's, however often each token occurs.
2. **Encode.** The same byte ranges are read again and each token becomes the ids of its word(s) in the
   frequency-ordered vocabulary, with sentence lengths, streamed to a writer piece by piece in file order.

Line ends are ``\\n`` and ``\\r`` (universal newlines, as Python's text reading), empty lines are dropped, and
lines longer than ``max_sentence_length`` tokens are cut into sentences of that many. The file is cut into
pieces of about ``PIECE_BYTES`` at line ends (in a text8-style single line, at the first whitespace after each
``PIECE_BYTES``) at positions that depend only on the content, so the encoding never depends on the number of
threads; a piece boundary inside a line ends a sentence there, as the Python path's 1 MiB reading blocks do.

``max_vocab_size`` prunes like word2vec.c's ``ReduceVocab`` whenever a thread's table holds more distinct tokens
(drop counts <= t, then raise t), and once more after the merge, so memory follows the vocabulary bound; each
thread prunes its own part of the corpus, so with pruning the counts can differ slightly from the one-thread
Python path (both are approximate by design).

Example
-------
>>> from w2v.ingest import count_tables, decode_tokens
>>> table = count_tables(["corpus.txt"], workers=2)  # doctest: +SKIP
>>> words, counts, first, token_ids = decode_tokens(table, "corpus.txt", False, "replace")  # doctest: +SKIP
"""
from __future__ import annotations

import logging
import lzma
import mmap
import os
import queue
import re
import threading
import zlib
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from numba import njit

from .errors import CorpusError
from .io import open_binary

logger = logging.getLogger(__name__)

PIECE_BYTES = 1 << 20  # the file is cut into pieces of about this size, at line ends where possible
BLOCK_BYTES = 16 << 20  # bytes read at a time (a block holds many pieces, shared by the threads)
MAPPED_BYTES = 128 << 10  # mapped_zeros: arrays this large get their own mapping (glibc's initial mmap threshold)
MAX_TOKEN_BYTES = 64 << 20  # a "token" longer than this is not text: refuse the file
_LINE_END = re.compile(rb"[\n\r]")
_SPACE = re.compile(rb"[\t\n\x0b\x0c\r \x1c-\x1f]")

# byte classes: 0 token byte, 1 whitespace, 2 line end. ASCII whitespace is what str.split() splits on among
# bytes < 0x80 (including the separators 0x1c-0x1f); "\n" and "\r" end lines as universal newlines do.
BYTE_CLASS = np.zeros(256, np.uint8)
BYTE_CLASS[[0x09, 0x0B, 0x0C, 0x20, 0x1C, 0x1D, 0x1E, 0x1F]] = 1
BYTE_CLASS[[0x0A, 0x0D]] = 2

_FNV_OFFSET = np.uint64(0xCBF29CE484222325)
_FNV_PRIME = np.uint64(0x100000001B3)


def mapped_zeros(n: int, dtype) -> np.ndarray:
    """``np.zeros(n, dtype)``; a large one in its own anonymous memory map, returned to the system when it goes.

    For the buffers of a pass over the corpus: when glibc's malloc frees a large block it had mapped, it raises
    its mmap threshold to that size, and freed blocks below it then stay in the heap: reading a 100 M-word
    corpus left the process ~80 MB larger for the rest of the run (the fit peaked at 361 MB; 284 MB now).

    Example
    -------
    >>> mapped_zeros(1 << 20, np.int32)[:3]
    array([0, 0, 0], dtype=int32)
    """
    size = int(n) * np.dtype(dtype).itemsize
    if size < MAPPED_BYTES:
        return np.zeros(n, dtype)
    return np.frombuffer(mmap.mmap(-1, size), dtype, n)


def grow_arrays(owner, names, size: int, keep: int) -> None:
    """Replace the arrays ``owner.<name>`` by zeroed ones of ``size`` elements holding their first ``keep``."""
    for name in names:
        old = getattr(owner, name)
        new = mapped_zeros(size, old.dtype)
        new[:keep] = old[:keep]
        setattr(owner, name, new)


class CountTable:
    """What the tables of counted keys share (here and in ``w2v.bigrams``): the number of keys in ``meta[0]`` and
    word2vec.c's ReduceVocab."""

    min_reduce = 1  # ReduceVocab's threshold: raised at each pruning, never lowered (an instance's own once raised)

    @property
    def n(self) -> int:
        return int(self.meta[0])

    def prune(self, max_size: int) -> None:
        """ReduceVocab until at most ``max_size`` keys remain: drop counts <= ``min_reduce``, then raise it, as
        ``vocab.count_words`` does (a threshold that restarted at 1 would prune again after every few new keys
        once the table is full)."""
        while self.n > max_size:
            before = self.n
            self._drop(self.min_reduce)
            logger.info("%s pruned from %d to %d keys (count <= %d)", type(self).__name__, before, self.n,
                        self.min_reduce)
            self.min_reduce += 1

    def _drop(self, t: int) -> None:
        raise NotImplementedError


class Table(CountTable):
    """One thread's distinct byte tokens: an open-addressing index into entry arrays, the bytes in an arena.

    ``slots`` (power of two) holds entry numbers or -1; entry e has hash ``hash[e]``, bytes
    ``arena[off[e]:off[e] + length[e]]``, ``count[e]`` occurrences, first seen at file byte ``first[e]``.
    ``meta`` is ``[entries, arena bytes used]``. The kernels stop when an array is full; :meth:`grow` doubles
    it and they carry on from where they stopped.
    """

    def __init__(self, entries: int = 1 << 14, arena: int = 1 << 18):
        self.slots = np.full(2 * entries, -1, np.int32)
        self.hash = np.zeros(entries, np.uint64)
        self.off = np.zeros(entries, np.int64)
        self.length = np.zeros(entries, np.int32)
        self.count = np.zeros(entries, np.int64)
        self.first = np.zeros(entries, np.int64)
        self.arena = mapped_zeros(arena, np.uint8)
        self.meta = np.zeros(2, np.int64)

    def arrays(self):
        return self.slots, self.hash, self.off, self.length, self.count, self.first, self.arena, self.meta

    def grow(self, token_bytes: int = 0) -> None:
        n, used = self.n, int(self.meta[1])
        if 2 * (n + 1) > len(self.slots) or n >= len(self.hash):
            cap = 2 * len(self.hash)
            grow_arrays(self, ("hash", "off", "length", "count", "first"), cap, n)
            self.slots = mapped_zeros(2 * cap, np.int32)
            self.slots.fill(-1)
            _rehash(self.slots, self.hash, n)
        if used + token_bytes > len(self.arena):
            grow_arrays(self, ("arena",), max(2 * len(self.arena), used + token_bytes), used)

    def _drop(self, t: int) -> None:
        _prune(*self.arrays(), t)

    def tokens(self) -> list[bytes]:
        arena = self.arena[: int(self.meta[1])].tobytes()
        return [arena[o:o + n] for o, n in zip(self.off[: self.n].tolist(), self.length[: self.n].tolist())]


@njit(inline="always")
def _fnv(buf, a, b):
    h = _FNV_OFFSET
    for k in range(a, b):
        h = (h ^ np.uint64(buf[k])) * _FNV_PRIME
    return h if h != 0 else np.uint64(1)


@njit(inline="always")
def same_key(arena, o, buf, a, n):
    """Whether ``arena[o:o+n]`` and ``buf[a:a+n]`` hold the same elements (a key is compared in full)."""
    for k in range(n):
        if arena[o + k] != buf[a + k]:
            return False
    return True


@njit(inline="always")
def _find(slots, hashes, off, length, arena, buf, a, b, h):
    """The slot of token ``buf[a:b]`` (hash ``h``): its entry's, or the empty one where it would go."""
    mask = slots.shape[0] - 1
    n = b - a
    s = np.int64(h & np.uint64(mask))
    while True:
        e = slots[s]
        if e < 0:
            return s
        if hashes[e] == h and length[e] == n and same_key(arena, off[e], buf, a, n):
            return s
        s = (s + 1) & mask


@njit(nogil=True, cache=True)
def _rehash(slots, hashes, n):
    mask = slots.shape[0] - 1
    for e in range(n):
        s = np.int64(hashes[e] & np.uint64(mask))
        while slots[s] >= 0:
            s = (s + 1) & mask
        slots[s] = e


@njit(nogil=True, cache=True)
def _count(buf, start, end, base, byte_class, slots, hashes, off, length, count, first, arena, meta):
    """Count the tokens of ``buf[start:end]`` (file offset ``base + start``); return where it stopped: ``end``
    when done, else the start of a token that needs a bigger table or arena (grow, then call again from it)."""
    n, used = meta[0], meta[1]
    i = start
    while i < end:
        if byte_class[buf[i]] != 0:
            i += 1
            continue
        j = i
        while j < end and byte_class[buf[j]] == 0:
            j += 1
        h = _fnv(buf, i, j)
        s = _find(slots, hashes, off, length, arena, buf, i, j, h)
        e = slots[s]
        if e >= 0:
            count[e] += 1
        else:
            if 2 * (n + 1) > slots.shape[0] or n >= hashes.shape[0] or used + (j - i) > arena.shape[0]:
                meta[0], meta[1] = n, used
                return i
            for k in range(j - i):
                arena[used + k] = buf[i + k]
            hashes[n], off[n], length[n], count[n], first[n] = h, used, j - i, 1, base + i
            slots[s] = n
            n += 1
            used += j - i
        i = j
    meta[0], meta[1] = n, used
    return end


@njit(nogil=True, cache=True)
def _merge(slots, hashes, off, length, count, first, arena, meta,
           o_hashes, o_off, o_length, o_count, o_first, o_arena, o_n, e_start):
    """Add entries ``e_start:o_n`` of another table into this one; return where it stopped (``o_n`` when done)."""
    n, used = meta[0], meta[1]
    for e2 in range(e_start, o_n):
        a, b = o_off[e2], o_off[e2] + o_length[e2]
        s = _find(slots, hashes, off, length, arena, o_arena, a, b, o_hashes[e2])
        e = slots[s]
        if e >= 0:
            count[e] += o_count[e2]
            first[e] = min(first[e], o_first[e2])
            continue
        if 2 * (n + 1) > slots.shape[0] or n >= hashes.shape[0] or used + (b - a) > arena.shape[0]:
            meta[0], meta[1] = n, used
            return e2
        for k in range(b - a):
            arena[used + k] = o_arena[a + k]
        hashes[n], off[n], length[n], count[n], first[n] = o_hashes[e2], used, b - a, o_count[e2], o_first[e2]
        slots[s] = n
        n += 1
        used += b - a
    meta[0], meta[1] = n, used
    return o_n


@njit(nogil=True, cache=True)
def _prune(slots, hashes, off, length, count, first, arena, meta, t):
    """Drop entries counted ``<= t`` (compacting entries and arena), then rebuild the index."""
    n, used = 0, 0
    for e in range(meta[0]):
        if count[e] <= t:
            continue
        o, m = off[e], length[e]
        for k in range(m):
            arena[used + k] = arena[o + k]
        hashes[n], off[n], length[n], count[n], first[n] = hashes[e], used, m, count[e], first[e]
        n += 1
        used += m
    slots[:] = -1
    _rehash(slots, hashes, n)
    meta[0], meta[1] = n, used


@njit(nogil=True, cache=True)
def _encode(buf, start, end, byte_class, slots, hashes, off, length, arena, expand_start, expand_len, expand,
            max_len, out_ids, out_lens):
    """Encode ``buf[start:end]``: each token's word ids (none for a pruned token) into ``out_ids``, the length of
    each non-empty sentence into ``out_lens``; a sentence ends at a line end, after ``max_len`` tokens, and at
    the end of the range. Returns (ids written, sentences written)."""
    n_ids, n_sent = 0, 0
    in_sentence, raw = 0, 0  # ids and tokens (known or not) of the open sentence
    i = start
    while i <= end:
        c = byte_class[buf[i]] if i < end else 2
        if c != 0:
            if c == 2 and raw > 0:
                if in_sentence > 0:
                    out_lens[n_sent] = in_sentence
                    n_sent += 1
                in_sentence, raw = 0, 0
            i += 1
            continue
        j = i
        while j < end and byte_class[buf[j]] == 0:
            j += 1
        e = slots[_find(slots, hashes, off, length, arena, buf, i, j, _fnv(buf, i, j))]
        m = 1 if e < 0 else expand_len[e]
        for k in range(m):
            if e >= 0:
                out_ids[n_ids] = expand[expand_start[e] + k]
                n_ids += 1
                in_sentence += 1
            raw += 1
            if raw == max_len:
                if in_sentence > 0:
                    out_lens[n_sent] = in_sentence
                    n_sent += 1
                in_sentence, raw = 0, 0
        i = j
    return n_ids, n_sent


# ---------------------------------------------------------------------------------------------------- reading
def _read_into(f, buf: bytearray, start: int) -> int:
    view = memoryview(buf)
    pos = start
    while pos < len(buf):
        got = f.readinto(view[pos:])
        if not got:
            break
        pos += got
    return pos


def pieces(files):
    """Yield ``(block, cuts, base)`` for a list of files: a byte buffer, the piece boundaries inside it, and the
    offset of ``block[0]`` (counted over the files in order). Pieces are ``block[cuts[k]:cuts[k+1]]``; every
    boundary lies just after a line end or at whitespace, at positions that depend only on the content, and
    each file ends a piece. Compressed files stream through their decompressor."""
    def blocks():
        base = 0
        for path in files:
            end = 0
            for block, cuts, start in _file_pieces(path):
                yield block, cuts, base + start
                end = start + cuts[-1]
            base += end
    yield from _read_ahead(blocks())


def _read_ahead(items):
    """Iterate ``items`` one step ahead in a thread, so reading (and decompressing) the next block overlaps the
    work on this one; an error in the reader is raised here."""
    q: queue.Queue = queue.Queue(maxsize=1)
    done = object()
    stop = threading.Event()

    def run():
        try:
            for item in items:
                while not stop.is_set():
                    try:
                        q.put(item, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            q.put(done)
        except BaseException as e:  # handed to the consumer
            q.put(e)

    reader = threading.Thread(target=run, name="w2v-read-ahead", daemon=True)
    reader.start()
    try:
        while True:
            item = q.get()
            if item is done:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()


class _Limited:
    """A binary file read from its current position for at most ``n`` more bytes."""

    def __init__(self, f, n: int):
        self.f, self.left = f, n

    def readinto(self, view) -> int:
        if self.left <= 0:
            return 0
        got = self.f.readinto(view[: self.left])
        self.left -= got
        return got

    def close(self) -> None:
        self.f.close()


def range_pieces(path, start: int = 0, end: int | None = None):
    """:func:`pieces` of the bytes ``[start, end)`` of one file (to its end when ``end`` is None); ``base``
    counts from the file's start. A range starting at a piece boundary of the whole file (``part_cuts``) is cut
    into exactly the pieces the whole file has there, so it encodes as that stretch of the file does."""
    yield from _read_ahead(_file_pieces(path, start, end))


def part_cuts(path, part_bytes: int) -> list[int]:
    """Byte offsets cutting a plain file into parts of about ``part_bytes`` (a multiple of ``PIECE_BYTES``), at
    the piece boundaries the whole file has there: the first line end in the ``PIECE_BYTES`` after each multiple
    (else the first whitespace after it). Returns ``[0, ..., size]``."""
    size = os.path.getsize(path)
    cuts = [0]
    with open(path, "rb") as f:
        for mark in range(part_bytes, size, part_bytes):
            if mark <= cuts[-1]:
                continue
            f.seek(mark)
            window = f.read(PIECE_BYTES)
            m = _LINE_END.search(window)
            if m is None:
                m = _SPACE.search(window)  # a longer search is not worth it: the part just grows
            if m is not None and mark + m.end() < size:
                cuts.append(mark + m.end())
    return cuts + [size]


def _file_pieces(path, start: int = 0, end: int | None = None):
    f = open_binary(path, CorpusError, "corpus file")
    if start or end is not None:
        f.seek(start)
        f = _Limited(f, (end if end is not None else os.path.getsize(path)) - start)
    # a ring of buffers, reused: a block is in use by the consumer, one waits in the read-ahead queue and one is
    # being filled, so the fourth is free. A fresh 16 MiB buffer per block made glibc raise its mmap threshold
    # and keep freed blocks in its heap: the peak memory grew with the corpus (356 MB at 200 M words, 263 reused)
    ring = [mmap.mmap(-1, BLOCK_BYTES)]  # mapped, not malloc'ed: see mapped_zeros
    turn = 0
    try:
        buf = ring[0]
        tail, base = 0, start  # bytes carried over from the previous block, and the file offset of buf[0]
        while True:
            end = _read_into(f, buf, tail)
            eof = end < len(buf)
            cuts = [0]
            while True:
                c = cuts[-1]
                mark = ((base + c) // PIECE_BYTES + 1) * PIECE_BYTES - base  # the next multiple after c
                if mark >= end:
                    break
                if mark + PIECE_BYTES > end and not eof:
                    break  # the line-end search window is not all read yet
                m = _LINE_END.search(buf, mark, min(mark + PIECE_BYTES, end))
                if m is None:
                    m = _SPACE.search(buf, mark, end)
                    if m is None:
                        break
                cuts.append(m.end())
            if eof:
                if cuts[-1] < end:
                    cuts.append(end)
                if len(cuts) > 1:
                    yield np.frombuffer(buf, np.uint8, end), cuts, base
                return
            if len(cuts) == 1:  # no boundary in a whole block: a line of one enormous token, or a tiny block
                if end >= MAX_TOKEN_BYTES:
                    raise CorpusError(f"{path}: more than {MAX_TOKEN_BYTES >> 20} MiB without whitespace; "
                                      "this is not text (is it a binary file?)")
                grown = mmap.mmap(-1, 2 * len(buf))  # a new buffer: the caller may still hold a view of the old one
                grown[:end] = buf[:end]
                buf, tail = grown, end
                continue
            yield np.frombuffer(buf, np.uint8, cuts[-1]), cuts, base
            rest = end - cuts[-1]
            turn = (turn + 1) % 4
            if turn == len(ring):
                ring.append(mmap.mmap(-1, BLOCK_BYTES))
            old = buf  # the block just yielded may still be in use: the next one goes into another buffer
            buf = ring[turn] if rest < len(ring[turn]) // 2 else mmap.mmap(-1, 2 * rest)
            buf[:rest] = old[cuts[-1]:end]
            tail, base = rest, base + cuts[-1]
    except (OSError, EOFError, lzma.LZMAError, zlib.error) as e:
        raise CorpusError(f"{path}: cannot read the file ({e}); is it truncated or corrupt?") from None
    finally:
        f.close()


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
def _count_range(table: Table, block, a: int, b: int, base: int, max_vocab_size: int | None) -> None:
    pos = a
    while True:
        pos = _count(block, pos, b, base, BYTE_CLASS, *table.arrays())
        if pos == b:
            break
        size = 0
        while pos + size < b and BYTE_CLASS[block[pos + size]] == 0:
            size += 1
        table.grow(size)
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


def merge_tables(tables: list, max_vocab_size: int | None = None) -> Table:
    """Add the counts of ``tables[1:]`` into ``tables[0]`` (first positions: the smallest), prune it to
    ``max_vocab_size`` and return it."""
    table = tables[0]
    for other in tables[1:]:
        e = 0
        while e < other.n:
            e = _merge(*table.arrays(), other.hash, other.off, other.length, other.count, other.first, other.arena,
                       other.n, e)
            if e < other.n:
                table.grow(int(other.length[e]))
        table.min_reduce = max(table.min_reduce, other.min_reduce)
    if max_vocab_size is not None and table.n > max_vocab_size:
        table.prune(max_vocab_size)
    return table


def decode_tokens(table: Table, path, lowercase: bool, encoding_errors: str):
    """Decode each distinct byte token once, as the Python path would read it in a line.

    Returns
    -------
    words : list of str
        The distinct words.
    counts, first : (W,) int64
        Occurrences, and the file position of the first occurrence (for first-seen order).
    parts : list of list of int
        For each byte token of the table, the indices into ``words`` of what it decodes to (usually one word;
        none for a token of Unicode whitespace, several when one splits a token).
    """
    index: dict[str, int] = {}
    counts: list[int] = []
    first: list[int] = []
    parts: list[list[int]] = []
    replaced = False
    tok_counts, tok_first = table.count[: table.n].tolist(), table.first[: table.n].tolist()
    for tok, c, f in zip(table.tokens(), tok_counts, tok_first):
        if tok.isascii():
            text = tok.decode("ascii")
            found = [text.lower() if lowercase else text]
        else:
            try:
                text = tok.decode("utf-8", encoding_errors)
            except UnicodeDecodeError as e:
                raise CorpusError(f"{path}: bytes that are not UTF-8 ({e.reason}) in the token {tok[:40]!r}; "
                                  "re-encode the file or use encoding_errors='replace'") from None
            replaced = replaced or (encoding_errors == "replace" and "\ufffd" in text)
            found = (text.lower() if lowercase else text).split()
        ids = []
        for k, word in enumerate(found):
            i = index.get(word)
            if i is None:
                i = index[word] = len(counts)
                counts.append(0)
                first.append(f + k)
            counts[i] += c
            first[i] = min(first[i], f + k)
            ids.append(i)
        parts.append(ids)
    if replaced:
        logger.warning("%s: undecodable bytes replaced by U+FFFD", path)
    return list(index), np.array(counts, np.int64), np.array(first, np.int64), parts


# ---------------------------------------------------------------------------------------------------- encoding
def _encode_run(table: Table, expand_start, expand_len, expand, block, run: list, max_len: int, scratch: dict):
    """Encode the pieces ``block[run[k]:run[k+1]]`` in order (a sentence always ends with its piece), into
    ``scratch``'s arrays (grown as needed and reused: the result is valid until the next call with it)."""
    size = run[-1] - run[0]
    need = size // 2 + len(run)  # a token takes a byte and is followed by one
    if len(scratch.get("ids", ())) < need:
        scratch["ids"], scratch["lens"] = mapped_zeros(need, np.int32), mapped_zeros(need, np.int64)
    out_ids, out_lens = scratch["ids"], scratch["lens"]
    n_ids, n_sent = 0, 0
    for a, b in zip(run[:-1], run[1:]):
        i, s = _encode(block, a, b, BYTE_CLASS, table.slots, table.hash, table.off, table.length, table.arena,
                       expand_start, expand_len, expand, max_len, out_ids[n_ids:], out_lens[n_sent:])
        n_ids, n_sent = n_ids + i, n_sent + s
    return out_ids[:n_ids], out_lens[:n_sent]


def encode_file(files, table: Table, token_ids: list[list[int]], max_sentence_length: int, workers: int = 1,
                progress=None, blocks=None):
    """Yield ``(ids, sentence_lengths)`` blocks of the files (or of ``blocks``) in order, with ``token_ids[e]`` the
    word ids of the table's byte token e (an empty list drops it). Each block is valid until the next is asked
    for."""
    expand_len = np.array([len(t) for t in token_ids], np.int32)
    expand_start = np.zeros(len(token_ids), np.int64)
    np.cumsum(expand_len[:-1], out=expand_start[1:])
    expand = np.array([i for t in token_ids for i in t], np.int32)
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
    table, token_ids = table_and_ids
    ids, lengths = [], []
    for i, n in encode_file([], table, token_ids, max_sentence_length, threads,
                            blocks=range_pieces(path, start, end)):
        ids.append(i.copy())
        lengths.append(n.copy())
    return (np.concatenate(ids) if ids else np.zeros(0, np.int32),
            np.concatenate(lengths) if lengths else np.zeros(0, np.int64))

