"""The hash tables that count and encode whitespace-separated byte tokens, and their numba kernels.

A :class:`Table` is an open-addressing hash table of distinct byte tokens (the token's bytes kept in an arena and
compared in full, so a hash collision never merges two words) with a count and a first position per token. Each
slot holds, besides the entry number, the token's length, hash bits and first 8 bytes, so finding a token of up to
8 bytes reads its slot and its count, nothing else; the scan finds token ends and hashes 8 bytes at a time.
``w2v.text.ingest`` fills one table per thread from a file's bytes (:func:`count_bytes`), merges them
(:func:`merge_table`) and encodes the file with the result (:func:`encode_bytes`). ``w2v.text.bigrams`` builds its
pair tables on :class:`CountTable` and :func:`same_key`, ``w2v.text.candidates`` its sorted runs of pairs on
:class:`CountTable`.

Example
-------
>>> import numpy as np
>>> t = Table()
>>> buf = np.frombuffer(b"the cat the\\n", np.uint8)
>>> end = count_bytes(buf, 0, len(buf), 0, BYTE_CLASS, *t.arrays(), *no_ids())
>>> sorted(zip(t.tokens(), t.count[: t.n].tolist()))
[(b'cat', 1), (b'the', 2)]
"""
from __future__ import annotations

import logging
import mmap

import numpy as np
from numba import njit

from ..errors import CorpusError
from ..jit import load8, mix64

logger = logging.getLogger(__name__)

MAPPED_BYTES = 128 << 10  # mapped_zeros: arrays this large get their own mapping (glibc's initial mmap threshold)

# byte classes: 0 token byte, 1 whitespace, 2 line end. ASCII whitespace is what str.split() splits on among
# bytes < 0x80 (including the separators 0x1c-0x1f); "\n" and "\r" end lines as universal newlines do.
BYTE_CLASS = np.zeros(256, np.uint8)
BYTE_CLASS[[0x09, 0x0B, 0x0C, 0x20, 0x1C, 0x1D, 0x1E, 0x1F]] = 1
BYTE_CLASS[[0x0A, 0x0D]] = 2

# the scan looks for token ends 8 bytes at a time, as bytes below 0x21, then checks each in BYTE_CLASS
assert not BYTE_CLASS[0x21:].any(), "a separator at or above 0x21 would need another word test in _token_end"
_ONES = np.uint64(0x0101010101010101)
_HIGH_BITS = _ONES * np.uint64(0x80)
_BELOW_SPACE = _ONES * np.uint64(0x21)
_BYTE_INDEX = np.uint64(0x0001020304050607)  # (1 << 8k) * this has k in its top byte
_HASH_MUL = np.uint64(0x9E3779B97F4A7C15)


def mapped_zeros(n: int, dtype) -> np.ndarray:
    """``np.zeros(n, dtype)``; a large one in its own anonymous memory map, returned to the system when it goes.

    For the buffers of a pass over the corpus: when glibc's malloc frees a large block it had mapped, it raises
    its mmap threshold to that size, and freed blocks below it then stay in the heap for the rest of the run.

    Example
    -------
    >>> mapped_zeros(1 << 20, np.int32)[:3]
    array([0, 0, 0], dtype=int32)
    """
    # (reading a 100 M-word corpus through the heap left the process ~80 MB larger: the fit peaked at 361 MB
    # instead of 284 MB)
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
    """What the tables of counted keys share (here, in ``w2v.text.bigrams`` and ``w2v.text.candidates``): the number
    of keys (``n``: ``meta[0]`` here) and word2vec.c's ReduceVocab."""

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

    ``slots`` (power of two rows) holds one record per slot: ``[entry | length | hash bits, first 8 bytes]``
    (:func:`_slot_word`; -1 when empty). Entry e has hash ``hash[e]``, bytes ``arena[off[e]:off[e] + length[e]]``,
    ``count[e]`` occurrences, first seen at file byte ``first[e]``. ``meta`` is ``[entries, arena bytes used]``.
    The kernels stop when an array is full; :meth:`grow` doubles it and they carry on from where they stopped.
    """

    def __init__(self, entries: int = 1 << 14, arena: int = 1 << 18):
        self.slots = np.full((2 * entries, 2), -1, np.int64)
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
            if cap > 1 << _ENTRY_BITS:
                raise CorpusError(f"more than {1 << _ENTRY_BITS:,} distinct tokens: this is not text split into "
                                  "words; check the file, or pass max_vocab_size")
            grow_arrays(self, ("hash", "off", "length", "count", "first"), cap, n)
            self.slots = mapped_zeros(4 * cap, np.int64).reshape(2 * cap, 2)
            self.slots.fill(-1)
            _rehash(self.slots, self.hash, self.off, self.length, self.arena, n)
        if used + token_bytes > len(self.arena):
            grow_arrays(self, ("arena",), max(2 * len(self.arena), used + token_bytes), used)

    def _drop(self, t: int) -> None:
        _prune(*self.arrays(), t)

    def tokens(self) -> list[bytes]:
        arena = self.arena[: int(self.meta[1])].tobytes()
        return [arena[o:o + n] for o, n in zip(self.off[: self.n].tolist(), self.length[: self.n].tolist())]


@njit(inline="always")
def _word(buf, a, n):
    """The first ``min(n, 8)`` bytes of ``buf[a:]`` as one integer, in the machine's byte order (the rest zero)."""
    if a + 8 <= buf.shape[0]:
        w = load8(buf, a)
        return w if n >= 8 else w & ((np.uint64(1) << np.uint64(8 * n)) - np.uint64(1))
    w = np.uint64(0)
    for k in range(min(n, 8)):
        w |= np.uint64(buf[a + k]) << np.uint64(8 * k)
    return w


@njit(inline="always")
def _hash_head(buf, a, b):
    """Token ``buf[a:b]``'s hash (its length and 8-byte words multiplied in, then mixed: a slot's index is its
    low bits, :func:`_slot_word` keeps high ones) and its head (first 8 bytes, :func:`_word`)."""
    head = _word(buf, a, b - a)
    h = (np.uint64(b - a) * _HASH_MUL ^ head) * _HASH_MUL
    for k in range(a + 8, b, 8):
        h = (h ^ _word(buf, k, b - k)) * _HASH_MUL
    return mix64(h), np.int64(head)


@njit(inline="always")
def _token_end(buf, i, end, byte_class):
    """Where the token starting at ``buf[i]`` ends: the first separator (byte class > 0) after it, or ``end``.

    Reads 8 bytes at a time: ``(w - 0x21..21) & ~w & 0x80..80`` flags bytes below 0x21 (exactly, from the
    lowest flagged byte up), and only those are looked up in ``byte_class``.
    """
    j = i
    while j + 8 <= buf.shape[0] and j < end:
        w = load8(buf, j)
        m = (w - _BELOW_SPACE) & ~w & _HIGH_BITS
        while m != 0:
            k = np.int64((((m & (~m + np.uint64(1))) >> np.uint64(7)) * _BYTE_INDEX) >> np.uint64(56))
            if byte_class[buf[j + k]] != 0:
                return min(j + k, end)
            m &= m - np.uint64(1)  # a control byte inside the token: look at the next flagged byte
        j += 8
    j = min(j, end)
    while j < end and byte_class[buf[j]] == 0:
        j += 1
    return j


@njit(inline="always")
def same_key(arena, o, buf, a, n):
    """Whether ``arena[o:o+n]`` and ``buf[a:a+n]`` hold the same elements (a key is compared in full)."""
    for k in range(n):
        if arena[o + k] != buf[a + k]:
            return False
    return True


_ENTRY_BITS = 32  # a slot's word: entry number (bits 0-31), length (32-39, 255 for longer), hash bits 40-62


@njit(inline="always")
def _slot_word(h, n):
    """A slot's first word without the entry number: the token's length ``n`` (capped at 255) and hash bits that
    the slot index does not use (bit 63 stays clear: an empty slot is -1)."""
    return (np.int64(h >> np.uint64(41)) << 40) | (np.int64(min(n, 255)) << _ENTRY_BITS)


@njit(inline="always")
def _find(slots, off, length, arena, buf, a, b, h, head):
    """The slot of token ``buf[a:b]`` (hash and head ``h, head``, :func:`_hash_head`): its entry's, or the empty
    one where it would go. A token longer than 8 bytes is compared in full with its entry's bytes once its slot's
    word and head match (and its entry's length, which the slot caps at 255)."""
    # (the head comes from the caller: loaded here, next to the probe, it made the count 2x slower)
    mask = slots.shape[0] - 1
    n = b - a
    want = _slot_word(h, n)
    s = np.int64(h & np.uint64(mask))
    while True:
        w = slots[s, 0]
        if w < 0:
            return s
        if (w >> _ENTRY_BITS) << _ENTRY_BITS == want and slots[s, 1] == head:
            e = w & 0xFFFFFFFF
            if n <= 8 or (n < 255 or length[e] == n) and same_key(arena, off[e] + 8, buf, a + 8, n - 8):
                return s
        s = (s + 1) & mask


@njit(inline="always")
def _entry(slots, s):
    """The entry number in slot ``s``, -1 when it is empty."""
    w = slots[s, 0]
    return np.int64(-1) if w < 0 else w & 0xFFFFFFFF


@njit(inline="always")
def _fill(slots, s, e, h, arena, a, n):
    """Point slot ``s`` at entry ``e``: token ``arena[a:a+n]`` of hash ``h``."""
    slots[s, 0] = _slot_word(h, n) | e
    slots[s, 1] = np.int64(_word(arena, a, n))


@njit(nogil=True, cache=True)
def _rehash(slots, hashes, off, length, arena, n):
    mask = slots.shape[0] - 1
    for e in range(n):
        s = np.int64(hashes[e] & np.uint64(mask))
        while slots[s, 0] >= 0:
            s = (s + 1) & mask
        _fill(slots, s, e, hashes[e], arena, off[e], length[e])


def no_ids() -> tuple:
    """:func:`count_bytes`' last arguments when it only counts."""
    return np.int64(0), np.int64(0), np.int64(1), np.zeros(0, np.int32), np.zeros(0, np.int64), np.zeros(3, np.int64)


@njit(nogil=True, cache=True)
def count_bytes(buf, start, end, base, byte_class, slots, hashes, off, length, count, first, arena, meta,
                tag, stride, max_len, out_ids, out_lens, state):
    """Count the tokens of ``buf[start:end]`` (file offset ``base + start``); return where it stopped: ``end``
    when done, else the start of a token that needs a bigger table or arena (grow, then call again from it).

    With ``stride`` > 0 it also writes each token's provisional id ``entry * stride + tag`` into ``out_ids`` and the
    sentence lengths into ``out_lens``, as :func:`encode_bytes` would with one word per token (a sentence ends at
    a line end, after ``max_len`` tokens and at ``end``); ``state`` is ``[ids written, sentences written, tokens of
    the open sentence]``, kept across the calls of one range. (:func:`no_ids`: only count.)
    """
    n, used = meta[0], meta[1]
    n_ids, n_sent, open_len = state[0], state[1], state[2]
    i = start
    while i <= end:
        c = byte_class[buf[i]] if i < end else 2
        if c != 0:
            if c == 2 and open_len > 0:
                out_lens[n_sent] = open_len
                n_sent += 1
                open_len = 0
            i += 1
            continue
        j = _token_end(buf, i, end, byte_class)
        h, head = _hash_head(buf, i, j)
        s = _find(slots, off, length, arena, buf, i, j, h, head)
        e = _entry(slots, s)
        if e >= 0:
            count[e] += 1
        else:
            if 2 * (n + 1) > slots.shape[0] or n >= hashes.shape[0] or used + (j - i) > arena.shape[0]:
                meta[0], meta[1] = n, used
                state[0], state[1], state[2] = n_ids, n_sent, open_len
                return i
            for k in range(j - i):
                arena[used + k] = buf[i + k]
            hashes[n], off[n], length[n], count[n], first[n] = h, used, j - i, 1, base + i
            _fill(slots, s, n, h, arena, used, j - i)
            e = n
            n += 1
            used += j - i
        if stride > 0:
            out_ids[n_ids] = e * stride + tag
            n_ids += 1
            open_len += 1
            if open_len == max_len:
                out_lens[n_sent] = open_len
                n_sent += 1
                open_len = 0
        i = j
    meta[0], meta[1] = n, used
    state[0], state[1], state[2] = n_ids, n_sent, open_len
    return end


@njit(nogil=True, cache=True)
def merge_table(slots, hashes, off, length, count, first, arena, meta,
           o_hashes, o_off, o_length, o_count, o_first, o_arena, o_n, e_start, where):
    """Add entries ``e_start:o_n`` of another table into this one, entry ``e2`` as this table's ``where[e2]``;
    return where it stopped (``o_n`` when done)."""
    n, used = meta[0], meta[1]
    for e2 in range(e_start, o_n):
        a, b = o_off[e2], o_off[e2] + o_length[e2]
        s = _find(slots, off, length, arena, o_arena, a, b, o_hashes[e2], np.int64(_word(o_arena, a, b - a)))
        e = _entry(slots, s)
        if e >= 0:
            count[e] += o_count[e2]
            first[e] = min(first[e], o_first[e2])
            where[e2] = e
            continue
        if 2 * (n + 1) > slots.shape[0] or n >= hashes.shape[0] or used + (b - a) > arena.shape[0]:
            meta[0], meta[1] = n, used
            return e2
        for k in range(b - a):
            arena[used + k] = o_arena[a + k]
        hashes[n], off[n], length[n], count[n], first[n] = o_hashes[e2], used, b - a, o_count[e2], o_first[e2]
        _fill(slots, s, n, o_hashes[e2], arena, used, b - a)
        where[e2] = n
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
    _rehash(slots, hashes, off, length, arena, n)
    meta[0], meta[1] = n, used


@njit(nogil=True, cache=True)
def encode_bytes(buf, start, end, byte_class, slots, off, length, arena, expand_start, expand_len, expand,
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
        j = _token_end(buf, i, end, byte_class)
        h, head = _hash_head(buf, i, j)
        e = _entry(slots, _find(slots, off, length, arena, buf, i, j, h, head))
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


@njit(nogil=True, cache=True)
def remap_in_place(ids, remap):
    """``ids[:] = remap[ids]``; returns -1, or the index of the first id outside ``remap`` (left unmapped): the
    one-pass reading's provisional ids become word ids (``encoded.Writer.map_ids``).

    Example
    -------
    >>> ids = np.array([1, 0, 1], np.int32)
    >>> remap_in_place(ids, np.array([5, 7], np.int32)), ids.tolist()
    (-1, [7, 5, 7])
    """
    n = remap.shape[0]
    for k in range(ids.shape[0]):
        v = ids[k]
        if v < 0 or v >= n:
            return k
        ids[k] = remap[v]
    return -1
