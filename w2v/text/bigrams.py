"""Phrase tables and joining over an encoded corpus, in numba: the hot loops of ``w2v.text.phrases``.

Letters: W tokens in the id space a pass reads (the corpus's words, then each earlier pass's phrases), N words.

A *candidate* is two non-connector tokens with only connector words between them (gensim 4's definition, so
"bank of america" is one candidate when "of" is a connector). In a sentence its tokens are the contiguous
slice ``ids[start:end]``: the key of a :class:`PairTable`. Most keys are two adjacent ids, packed into one int64
and stored in the slot itself next to its value, so finding one is a single cache line; a key with connectors
inside is stored in an arena and compared in full, so no hash collision ever merges two candidates. Counting
them is ``w2v.text.candidates``'s; a :class:`PhraseTable` maps each phrase's key to its token.

Joining follows gensim's ``analyze_sentence``: left to right, a candidate found in the phrase table becomes
the phrase's id and both its ends are consumed; otherwise its first token and connectors are kept as they are.

Example
-------
>>> import numpy as np
>>> table = PhraseTable([[0, 1]], np.array([2]), np.zeros(2, bool))  # "0 1" joins into token 2
>>> ids, bounds = table.join(np.array([1, 0, 1, 0], np.int32), np.array([0, 4]))
>>> ids.tolist(), bounds.tolist()
([1, 2, 0], [0, 3])
"""
from __future__ import annotations

import numpy as np
from numba import njit

from .tables import CountTable, grow_arrays, same_key
from ..jit import prefetch, rand64

_EMPTY = -1  # a free slot's key; a packed pair is >= 0 and a long key is -(2 + its entry)
AHEAD = 8  # tokens between prefetching a key's slot and reaching it (the table is far larger than the caches)
_LOW = np.int64(0xFFFFFFFF)
_FNV_OFFSET = np.uint64(0xCBF29CE484222325)
_FNV_PRIME = np.uint64(0x100000001B3)


@njit(inline="always")
def _mix(x):
    """A packed pair's hash: one SplitMix64 step, so every bit of both ids reaches the slot bits."""
    return rand64(np.uint64(x))[0]


@njit(inline="always")
def _pair(ids, a):
    return (np.int64(ids[a]) << 32) | np.int64(ids[a + 1])


@njit(inline="always")
def _prefetch_pair(slots, ids, a):
    """Start loading the slot of the pair ``ids[a:a+2]``, looked up ``AHEAD`` tokens later (a hint only)."""
    prefetch(slots, np.int64(_mix(_pair(ids, a)) & np.uint64(slots.shape[0] - 1)), 0)


@njit(inline="always")
def _hash_ids(ids, a, b):
    h = _FNV_OFFSET
    for k in range(a, b):
        h = (h ^ np.uint64(ids[k])) * _FNV_PRIME
    return _mix(h)


@njit(inline="always")
def _find(slots, loff, llen, lhash, arena, ids, a, b, h):
    """The slot of key ``ids[a:b]`` (hash ``h``): its own, or the empty one where it would go."""
    mask = slots.shape[0] - 1
    s = np.int64(h & np.uint64(mask))
    if b - a == 2:
        packed = _pair(ids, a)
        while True:
            k = slots[s, 0]
            if k == packed or k == _EMPTY:
                return s
            s = (s + 1) & mask
    while True:
        k = slots[s, 0]
        if k == _EMPTY:
            return s
        if k < _EMPTY:
            e = -2 - k
            if lhash[e] == h and llen[e] == b - a and same_key(arena, loff[e], ids, a, b - a):
                return s
        s = (s + 1) & mask


@njit(inline="always")
def _hash_key(ids, a, b):
    if b - a == 2:
        return _mix(_pair(ids, a))
    return _hash_ids(ids, a, b)


@njit(inline="always")
def _add(slots, loff, llen, lhash, arena, meta, ids, a, b, value):
    """Add ``value`` to key ``ids[a:b]``'s count, inserting it (the caller made room)."""
    _add_hashed(slots, loff, llen, lhash, arena, meta, ids, a, b, value, _hash_key(ids, a, b))


@njit(inline="always")
def _add_hashed(slots, loff, llen, lhash, arena, meta, ids, a, b, value, h):
    s = _find(slots, loff, llen, lhash, arena, ids, a, b, h)
    if slots[s, 0] != _EMPTY:
        slots[s, 1] += value
        return
    if b - a == 2:
        slots[s, 0] = _pair(ids, a)
    else:
        e, used = meta[1], meta[2]
        for j in range(b - a):
            arena[used + j] = ids[a + j]
        loff[e], llen[e], lhash[e] = used, b - a, h
        slots[s, 0] = -2 - e
        meta[1], meta[2] = e + 1, used + b - a
    slots[s, 1] = value
    meta[0] += 1


@njit(nogil=True, cache=True)
def _merge(slots, loff, llen, lhash, arena, meta, o_slots, o_loff, o_llen, o_arena, min_count, pair):
    """Add the keys of another table counted more than ``min_count`` times (the caller made room)."""
    for s in range(o_slots.shape[0]):
        k = o_slots[s, 0]
        if k == _EMPTY or o_slots[s, 1] <= min_count:
            continue
        if k >= 0:
            pair[0], pair[1] = k >> 32, k & _LOW
            _add(slots, loff, llen, lhash, arena, meta, pair, 0, 2, o_slots[s, 1])
        else:
            o = o_loff[-2 - k]
            _add(slots, loff, llen, lhash, arena, meta, o_arena, o, o + o_llen[-2 - k], o_slots[s, 1])


class PairTable(CountTable):
    """Candidates (id sequences) with a count each: open addressing over ``slots`` ``(cap, 2)`` int64 rows of
    ``[key, count]``, at most half full. A key of two ids is packed in the row; a longer one is entry e
    (``arena[loff[e]:loff[e] + llen[e]]``, hash ``lhash[e]``). ``meta`` is ``[keys, long keys, arena used]``."""

    def __init__(self, keys: int = 1 << 14, long_keys: int = 1 << 10):
        cap = 1 << max(4, (2 * keys - 1).bit_length())
        self.slots = np.full((cap, 2), _EMPTY, np.int64)
        self.loff = np.zeros(long_keys, np.int64)
        self.llen = np.zeros(long_keys, np.int32)
        self.lhash = np.zeros(long_keys, np.uint64)
        self.arena = np.zeros(4 * long_keys, np.int32)
        self.meta = np.zeros(3, np.int64)

    def arrays(self):
        return self.slots, self.loff, self.llen, self.lhash, self.arena, self.meta

    def reserve(self, keys: int, ids: int) -> None:
        """Room for ``keys`` more keys holding ``ids`` more ids in all."""
        n, nl, used = (int(x) for x in self.meta)
        if nl + keys > len(self.loff):
            grow_arrays(self, ("loff", "llen", "lhash"), max(2 * len(self.loff), nl + keys), nl)
        if used + ids > len(self.arena):
            grow_arrays(self, ("arena",), max(2 * len(self.arena), used + ids), used)
        if 2 * (n + keys) > len(self.slots):
            self._rebuild(2 * (n + keys), 0)

    def _rebuild(self, keys: int, min_count: int) -> None:
        """Keep the keys counted more than ``min_count`` times, in slots with room for ``keys``."""
        old = self.arrays()
        n_long, used = int(self.meta[1]), int(self.meta[2])
        self.slots = np.full((1 << max(4, (2 * keys - 1).bit_length()), 2), _EMPTY, np.int64)
        self.loff, self.llen = np.zeros(max(n_long, 1), np.int64), np.zeros(max(n_long, 1), np.int32)
        self.lhash, self.arena = np.zeros(max(n_long, 1), np.uint64), np.zeros(max(used, 1), np.int32)
        self.meta = np.zeros(3, np.int64)
        _merge(*self.arrays(), old[0], old[1], old[2], old[4], min_count, np.zeros(2, np.int32))

    def _drop(self, t: int) -> None:
        self._rebuild(self.n, t)

    def key(self, slot: int) -> list:
        """The ids of the key in ``slot``."""
        k = int(self.slots[slot, 0])
        if k >= 0:
            return [k >> 32, k & 0xFFFFFFFF]
        e = -2 - k
        return self.arena[self.loff[e]:self.loff[e] + self.llen[e]].tolist()


@njit(nogil=True, cache=True)
def _fill(slots, loff, llen, lhash, arena, meta, keys, koff, klen, values):
    for k in range(koff.shape[0]):
        _add(slots, loff, llen, lhash, arena, meta, keys, koff[k], koff[k] + klen[k], values[k])


@njit(nogil=True, cache=True)
def _join(ids, bounds, connector, slots, loff, llen, lhash, arena, out_ids, out_bounds):
    """Join the phrases of sentences ``bounds`` into ``out_ids`` / ``out_bounds`` (from 0); a key's count is
    its phrase's id. Returns the ids written. A sentence never grows and never becomes empty."""
    n = 0
    out_bounds[0] = 0
    for s in range(bounds.shape[0] - 1):
        a, b = bounds[s], bounds[s + 1]
        start = -1
        for p in range(a, b):
            if p + AHEAD < b:
                _prefetch_pair(slots, ids, p + AHEAD - 1)
            w = ids[p]
            if connector[w]:
                if start < 0:
                    out_ids[n] = w
                    n += 1
                continue
            if start >= 0:
                slot = _find(slots, loff, llen, lhash, arena, ids, start, p + 1, _hash_key(ids, start, p + 1))
                if slots[slot, 0] != _EMPTY:
                    out_ids[n] = slots[slot, 1]
                    n += 1
                    start = -1
                    continue
                for q in range(start, p):
                    out_ids[n] = ids[q]
                    n += 1
            start = p
        if start >= 0:
            for q in range(start, b):
                out_ids[n] = ids[q]
                n += 1
        out_bounds[s + 1] = n
    return n


class PhraseTable:
    """One pass's phrases: key k (an id sequence in the space the pass reads) joins into token ``phrase_id[k]``
    of the space it writes; ``connector`` (W,) marks the connector words of the space it reads."""

    def __init__(self, keys: list, phrase_id: np.ndarray, connector: np.ndarray):
        lengths = np.array([len(k) for k in keys], np.int64)
        flat = np.array([i for k in keys for i in k], np.int32)
        offs = np.zeros(len(keys), np.int64)
        np.cumsum(lengths[:-1], out=offs[1:])
        self.table = PairTable(len(keys) + 1, max(int((lengths > 2).sum()), 1))
        self.table.reserve(0, len(flat))
        _fill(*self.table.arrays(), flat, offs, lengths, np.asarray(phrase_id, np.int64))
        self.connector = np.ascontiguousarray(connector, np.bool_)

    def join(self, ids: np.ndarray, bounds: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Sentences ``bounds`` of ``ids`` with this pass's phrases joined: ``(ids, bounds from 0)``."""
        out_ids = np.empty(bounds[-1] - bounds[0], np.int32)
        out_bounds = np.empty(len(bounds), np.int64)
        n = _join(ids, bounds, self.connector, *self.table.arrays()[:5], out_ids, out_bounds)
        return out_ids[:n], out_bounds


def join_all(tables: list, ids: np.ndarray, bounds: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Apply the passes in order (each reads what the previous one wrote)."""
    for t in tables:
        ids, bounds = t.join(ids, bounds)
    return ids, bounds


def join_runs(pool, workers: int, tables: list, ids: np.ndarray, bounds: np.ndarray) -> list:
    """:func:`join_all` of a chunk in ``workers`` runs of sentences on ``pool``: the joined runs, in order."""
    if not tables:
        return [(ids, bounds)]
    return list(pool.map(lambda b: join_all(tables, ids, b), split(bounds, workers)))


@njit(nogil=True, cache=True)
def tally(ids, base, counts, first):
    """Add each token's occurrences to ``counts`` and lower ``first`` to its first position (from ``base``)."""
    for p in range(ids.shape[0]):
        w = ids[p]
        if base + p < first[w]:
            first[w] = base + p
        counts[w] += 1


@njit(nogil=True, cache=True)
def _spell(ids, bounds, offsets, arena, out):
    n = 0
    for s in range(bounds.shape[0] - 1):
        for p in range(bounds[s], bounds[s + 1]):
            w = ids[p]
            for k in range(offsets[w], offsets[w + 1]):
                out[n] = arena[k]
                n += 1
            out[n] = 32 if p + 1 < bounds[s + 1] else 10  # a space between words, a line end after the last
            n += 1
    return n


def spell(ids: np.ndarray, bounds: np.ndarray, offsets: np.ndarray, arena: np.ndarray) -> bytes:
    """Sentences as UTF-8 text, one per line: word w is ``arena[offsets[w]:offsets[w+1]]``."""
    out = np.empty(int((offsets[1:] - offsets[:-1])[ids].sum()) + len(ids), np.uint8)
    return out[:_spell(ids, bounds, offsets, arena, out)].tobytes()


def split(bounds: np.ndarray, parts: int) -> list:
    """Cut sentences ``bounds`` into at most ``parts`` runs of about equal words: the sub-bounds of each."""
    marks = bounds[0] + (bounds[-1] - bounds[0]) * np.arange(1, parts) // parts
    cuts = np.unique(np.concatenate([[0], np.searchsorted(bounds, marks), [len(bounds) - 1]]))
    return [bounds[a:b + 1] for a, b in zip(cuts[:-1], cuts[1:]) if b > a]
