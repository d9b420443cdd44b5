"""Counting a corpus's phrase candidates, in numba: the learning half of ``w2v.text.phrases``.

A *candidate* is two non-connector tokens with only connector words between them (gensim 4's definition; see
``w2v.text.bigrams``). Nearly all are packed into one int64: two adjacent ids as ``(a << 32) | b``, and, with up to
``BRIDGE`` connector words between (``bank of america``), as ``(a << 40) | (b << 16)`` plus the connectors' codes
(:func:`_bridged`). Those are counted by sorting: each thread writes the keys it owns into a buffer, sorts it
(numpy's sort, vectorised and run without the GIL) and keeps the distinct keys with their counts as a sorted
*run*; runs within 2x of each other merge, so a thread holds a few runs of falling sizes and each key is merged
O(log(N / buffer)) times. A sequential pass and a sort cost far less than one random access into a table larger
than the caches per pair, which is what counting in a hash table did (docs/benchmarks.md, "Phrases"). The rare
rest (more connectors in a row, or a vocabulary too large to pack) is counted in a ``bigrams.PairTable``,
compared in full.

Each thread owns the keys whose hash falls to it (:func:`_owner`), so the threads' counts are disjoint and
never merged. ``max_vocab_size`` bounds each thread's candidates as word2vec.c's ``ReduceVocab`` does (drop
counts <= t, then raise t), checked whenever a buffer is flushed (a buffer holds at most that many pairs).

Example
-------
>>> import numpy as np
>>> found, unigram = count_pairs([(np.array([0, 1, 0, 1], np.int32), np.array([0, 4]))], np.zeros(2, bool), [])
>>> found.n, unigram.tolist()  # (0, 1) twice, (1, 0) once
(2, [2, 2])
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
from numba import njit

from .bigrams import _EMPTY, _LOW, AHEAD, PairTable, _add_hashed, _hash_ids, _mix, _pair, join_runs
from .tables import CountTable
from ..jit import prefetch

BUFFER_PAIRS = 1 << 20  # keys a thread sorts at a time (8 MB)
BRIDGE = 2  # connector words a packed key holds between its ends: 8 bits each
_PACKED_WORDS = 1 << 23  # a bridged key packs its first id in 23 bits, its last in 24
_CODES = 255  # connector words a bridged key can name (code 0: none)
_LOW24 = np.int64(0xFFFFFF)
_NEVER = -np.inf  # a candidate that can never be a phrase (gensim's minus infinity)


@njit(inline="always")
def _owner(h, parts):
    """Which of ``parts`` threads counts the key of hash ``h``: its high 32 bits scaled to ``[0, parts)`` (a multiply,
    not a division; the slot index uses the low bits)."""
    return np.int64(((h >> np.uint64(32)) * np.uint64(parts)) >> np.uint64(32))


@njit(inline="always")
def _bridged(ids, a, b, code):
    """The packed key of candidate ``ids[a:b]`` with 1 or 2 (``BRIDGE``) connector words inside."""
    key = (np.int64(ids[a]) << 40) | (np.int64(ids[b - 1]) << 16) | (code[ids[a + 1]] << 8)
    if b - a == 4:
        key |= code[ids[a + 2]]
    return key


@njit(nogil=True, cache=True)
def _scan(ids, bounds, s_start, connector, code, bridge, unigram, part, parts, limit, out, out2, slots, loff, llen,
          lhash, arena, meta):
    """Write the keys of sentences ``s_start:`` that thread ``part`` of ``parts`` owns: adjacent pairs into
    ``out``, candidates with up to ``BRIDGE`` connectors inside into ``out2`` when ``bridge`` (``code``: each
    connector word's code), the rest into the table; count the tokens of every ``parts``-th sentence, from sentence
    ``part``, in ``unigram``.

    Returns ``(sentence, pairs, bridged)``: the sentence it stopped before (``len(bounds) - 1`` when done; else a
    buffer is full, the table needs room, or it holds more than ``limit`` keys) and the keys written to each
    buffer."""
    mask = np.uint64(slots.shape[0] - 1)
    connectors = code.shape[0] > 0
    n = n2 = 0
    for s in range(s_start, bounds.shape[0] - 1):
        a, b = bounds[s], bounds[s + 1]
        # a sentence adds at most b - a keys whose slices overlap only at their ends: <= 2 (b - a) ids
        if n + b - a > out.shape[0] or n2 + b - a > out2.shape[0] or 2 * (meta[0] + b - a) > slots.shape[0] \
                or meta[1] + b - a > loff.shape[0] or meta[2] + 2 * (b - a) > arena.shape[0] or meta[0] > limit:
            return s, n, n2
        if s % parts == part:
            for p in range(a, b):
                unigram[ids[p]] += 1
        start = -1
        ahead = -1  # the last non-connector before the look-ahead position
        for q in range(a, min(a + AHEAD, b) if connectors else a):
            if not connector[ids[q]]:
                ahead = q
        for p in range(a, b):
            q = p + AHEAD
            if connectors and q < b and not connector[ids[q]]:
                if 0 <= ahead and (q - ahead > BRIDGE + 1 or (not bridge and q - ahead > 1)):
                    h = _hash_ids(ids, ahead, q + 1)  # a key for the table AHEAD tokens on: load its slot
                    if _owner(h, parts) == part:
                        prefetch(slots, np.int64(h & mask), 0)
                ahead = q
            if connector[ids[p]]:
                continue
            # a key is kept only if this thread owns it: written anyway, no branch to mispredict on half of them
            if start >= 0 and start == p - 1:
                key = _pair(ids, start)
                out[n] = key
                n += _owner(_mix(key), parts) == part
            elif start >= 0 and bridge and p - start <= BRIDGE + 1:
                key = _bridged(ids, start, p + 1, code)
                out2[n2] = key
                n2 += _owner(_mix(key), parts) == part
            elif start >= 0:
                h = _hash_ids(ids, start, p + 1)
                if _owner(h, parts) == part:
                    _add_hashed(slots, loff, llen, lhash, arena, meta, ids, start, p + 1, 1, h)
            start = p
    return bounds.shape[0] - 1, n, n2


@njit(nogil=True, cache=True)
def _distinct(keys, counts):
    """Sorted ``keys`` in place to their distinct values, each one's occurrences in ``counts``; returns how many."""
    m = 0
    for i in range(keys.shape[0]):
        if m > 0 and keys[i] == keys[m - 1]:
            counts[m - 1] += 1
        else:
            keys[m] = keys[i]
            counts[m] = 1
            m += 1
    return m


@njit(nogil=True, cache=True)
def _merge(ak, ac, bk, bc, min_count, ok, oc):
    """Two sorted runs into ``ok``/``oc``, the counts of a key in both added; keeps the keys counted more than
    ``min_count`` times. Returns how many."""
    i = j = n = 0
    while i < ak.shape[0] or j < bk.shape[0]:
        if j == bk.shape[0] or (i < ak.shape[0] and ak[i] < bk[j]):
            k, c = ak[i], ac[i]
            i += 1
        elif i == ak.shape[0] or bk[j] < ak[i]:
            k, c = bk[j], bc[j]
            j += 1
        else:
            k, c = ak[i], ac[i] + bc[j]
            i += 1
            j += 1
        if c > min_count:
            ok[n], oc[n] = k, c
            n += 1
    return n


@njit(inline="always")
def score_one(ca, cb, pair, npmi, min_count, vocabulary, n_words):
    """gensim's ``score_candidate`` of a candidate counted ``pair`` times whose ends are counted ``ca`` and ``cb``
    times: plain IEEE arithmetic in gensim's order (no fastmath), so the scores are gensim's to the last bit but
    for ``log``'s rounding; ``_NEVER`` for what gensim never makes a phrase."""
    if npmi:
        if pair < min_count:
            return _NEVER
        pab = pair / n_words
        ratio = pab / ((ca / n_words) * (cb / n_words))
        if ratio <= 0.0 or pab >= 1.0:  # log(0) or a zero denominator
            return _NEVER
        return np.log(ratio) / -np.log(pab)
    # float(count(a) * count(b)) as Python computes it: the exact product, then rounded
    denom = np.float64(ca) * np.float64(cb)
    if denom < 2.0 ** 62:
        denom = np.float64(ca * cb)
    return (pair - min_count) / denom * vocabulary


@njit(nogil=True, cache=True)
def _score_packed(keys, counts, shift_a, shift_b, mask_b, unigram, npmi, min_count, vocabulary, n_words, threshold,
                  out_where, out_score):
    """Score a run of packed keys (first id ``key >> shift_a``, last ``(key >> shift_b) & mask_b``); keep those
    above ``threshold`` (their indices in ``out_where``). Returns how many."""
    n = 0
    N = np.float64(n_words)
    for i in range(keys.shape[0]):
        a, b = keys[i] >> shift_a, (keys[i] >> shift_b) & mask_b
        score = score_one(unigram[a], unigram[b], counts[i], npmi, min_count, vocabulary, N)
        if score > threshold:
            out_where[n], out_score[n] = i, score
            n += 1
    return n


@njit(nogil=True, cache=True)
def _score_long(slots, loff, llen, arena, unigram, npmi, min_count, vocabulary, n_words, threshold, out_where,
                out_score):
    """Score the long keys of a table's ``slots`` as :func:`_score_packed` does (their slots in ``out_where``)."""
    n = 0
    N = np.float64(n_words)
    for s in range(slots.shape[0]):
        k = slots[s, 0]
        if k >= 0 or k == _EMPTY:  # a packed pair (none here) or a free slot
            continue
        e = -2 - k
        a, b = arena[loff[e]], arena[loff[e] + llen[e] - 1]
        score = score_one(unigram[a], unigram[b], slots[s, 1], npmi, min_count, vocabulary, N)
        if score > threshold:
            out_where[n], out_score[n] = s, score
            n += 1
    return n


class SortedRuns:
    """Distinct int64 keys with their counts, as sorted runs ``(keys, counts)`` of falling sizes, filled a
    ``buffer`` at a time."""

    def __init__(self, buffer: int):
        self.runs: list = []
        self.buffer = np.empty(buffer, np.int64)

    @property
    def n(self) -> int:
        """The keys held (an upper bound while they are in several runs)."""
        return sum(len(k) for k, _ in self.runs)

    def add(self, n: int) -> None:
        """Sort the first ``n`` keys of the buffer into a run; merge runs while the last two are within 2x."""
        keys = self.buffer[:n]
        keys.sort()
        counts = np.empty(n, np.int64)
        m = _distinct(keys, counts)
        self.runs.append((keys[:m].copy(), counts[:m].copy()))
        while len(self.runs) > 1 and len(self.runs[-2][0]) < 2 * len(self.runs[-1][0]):
            self._merge_last(0)

    def _merge_last(self, min_count: int) -> None:
        (ak, ac), (bk, bc) = self.runs[-2:]
        ok, oc = np.empty(len(ak) + len(bk), np.int64), np.empty(len(ak) + len(bk), np.int64)
        m = _merge(ak, ac, bk, bc, min_count, ok, oc)
        self.runs[-2:] = [(ok[:m].copy(), oc[:m].copy())]

    def whole(self) -> tuple[np.ndarray, np.ndarray]:
        """All the keys as one sorted run ``(keys, counts)``."""
        while len(self.runs) > 1:
            self._merge_last(0)
        if not self.runs:
            self.runs.append((np.empty(0, np.int64), np.empty(0, np.int64)))
        return self.runs[0]

    def drop(self, t: int) -> None:
        """Keep the keys counted more than ``t`` times."""
        self.whole()
        self.runs.append((np.empty(0, np.int64), np.empty(0, np.int64)))
        self._merge_last(t)


class ThreadCounts(CountTable):
    """One thread's candidates: adjacent pairs and bridged keys as :class:`SortedRuns`, the rest in a
    :class:`bigrams.PairTable`; ``codes`` is the word id of each connector code (0: none)."""

    def __init__(self, buffer: int, words: int, codes: np.ndarray):
        self.unigram = np.zeros(words, np.int64)  # the tokens of the sentences this thread counts
        self.pairs, self.bridged = SortedRuns(buffer), SortedRuns(buffer)
        self.long = PairTable(1 << 10, 1 << 8)
        self.codes = codes

    @property
    def n(self) -> int:
        """The keys held (an upper bound while sorted keys are in several runs)."""
        return self.pairs.n + self.bridged.n + self.long.n

    def finish(self) -> None:
        """One run of each kind: ``n`` is exact."""
        self.pairs.whole()
        self.bridged.whole()

    def _drop(self, t: int) -> None:
        self.pairs.drop(t)
        self.bridged.drop(t)
        self.long._drop(t)

    def prune(self, max_size: int) -> None:
        if self.n > max_size:
            self.finish()  # the exact number of keys, and whole counts to prune by
        super().prune(max_size)

    def keys(self, where: np.ndarray) -> list:
        """The ids of candidates: bits 40-41 of ``where`` say the kind (0 pair, 1 bridged, 2 table), the rest the
        index in its run or its slot in the table."""
        kind, index = (where >> 40) & 3, where & ((1 << 40) - 1)
        found: list = [None] * len(where)
        at = np.flatnonzero(kind == 0)
        packed = self.pairs.whole()[0][index[at]]
        for i, a, b in zip(at.tolist(), (packed >> 32).tolist(), (packed & _LOW).tolist()):
            found[i] = [a, b]
        at = np.flatnonzero(kind == 1)
        packed = self.bridged.whole()[0][index[at]]
        inner = np.stack([self.codes[(packed >> 8) & 0xFF], self.codes[packed & 0xFF]], axis=1).tolist()
        for i, a, middle, b in zip(at.tolist(), (packed >> 40).tolist(), inner, ((packed >> 16) & _LOW24).tolist()):
            found[i] = [a, *(c for c in middle if c >= 0), b]
        for i in np.flatnonzero(kind == 2).tolist():
            found[i] = self.long.key(int(index[i]))
        return found


def _count_run(counts: ThreadCounts, runs: list, connector, code, part: int, parts: int, limit: int) -> None:
    table, bridge = counts.long, len(counts.codes) > 1
    for ids, bounds in runs:
        s = 0
        while s < len(bounds) - 1:
            s, n, n2 = _scan(ids, bounds, s, connector, code, bridge, counts.unigram, part, parts, limit,
                             counts.pairs.buffer, counts.bridged.buffer, *table.arrays())
            if n:
                counts.pairs.add(n)
            if n2:
                counts.bridged.add(n2)
            if counts.n > limit:
                counts.prune(limit)
            if s < len(bounds) - 1:
                size = int(bounds[s + 1] - bounds[s])
                for runs_ in (counts.pairs, counts.bridged):
                    if size > len(runs_.buffer):  # a sentence longer than the buffer
                        runs_.buffer = np.empty(size, np.int64)
                table.reserve(size, 2 * size)


class Candidates:
    """The candidates counted by :func:`count_pairs`: one :class:`ThreadCounts` per thread, disjoint (each thread
    counts the keys whose hash it owns, so nothing is merged)."""

    def __init__(self, threads: list):
        self.threads = threads

    @property
    def n(self) -> int:
        return sum(t.n for t in self.threads)

    def keys(self, where: np.ndarray) -> list:
        """The ids of candidates (``where`` from :meth:`score`), in order."""
        thread = where >> 42
        out = [None] * len(where)
        for k, t in enumerate(self.threads):
            mine = np.flatnonzero(thread == k)
            for i, key in zip(mine.tolist(), t.keys(where[mine] & ((1 << 42) - 1))):
                out[i] = key
        return out

    def score(self, unigram: np.ndarray, npmi: bool, min_count, vocabulary: int, n_words: int,
              threshold: float) -> tuple[np.ndarray, np.ndarray]:
        """``(where, score)`` of the candidates scoring above ``threshold``, as gensim's ``score_candidate``."""
        out = []
        args = (unigram, npmi, float(min_count), vocabulary, n_words, float(threshold))
        for k, t in enumerate(self.threads):
            for kind, (runs, shifts) in enumerate([(t.pairs, (32, 0, _LOW)), (t.bridged, (40, 16, _LOW24))]):
                keys, counts = runs.whole()
                where, score = np.empty(len(keys), np.int64), np.empty(len(keys), np.float64)
                m = _score_packed(keys, counts, *shifts, *args, where, score)
                out.append((where[:m] + (k << 42) + (kind << 40), score[:m]))
            long = t.long
            where, score = np.empty(long.n, np.int64), np.empty(long.n, np.float64)
            m = _score_long(long.slots, long.loff, long.llen, long.arena, *args, where, score)
            out.append((where[:m] + (k << 42) + (2 << 40), score[:m]))
        return np.concatenate([w for w, _ in out]), np.concatenate([s for _, s in out])


def _codes(connector: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each word's connector code (1, 2, ... for connector words, 0 else) and the word id of each code (-1 for 0),
    or empty codes when bridged keys cannot be packed (too many words or connector words)."""
    words = np.flatnonzero(connector)
    if len(connector) > _PACKED_WORDS or len(words) > _CODES:
        return np.zeros(len(connector) if len(words) else 0, np.int64), np.full(1, -1, np.int64)
    code = np.zeros(len(connector) if len(words) else 0, np.int64)
    code[words] = np.arange(1, len(words) + 1)
    return code, np.concatenate([[-1], words]).astype(np.int64)


def count_pairs(chunks, connector: np.ndarray, earlier: list, workers: int = 1,
                max_vocab_size: int | None = None, progress=None) -> tuple[Candidates, np.ndarray]:
    """Count the candidates of a corpus after the ``earlier`` passes' phrases are joined.

    Each chunk is joined by the earlier passes in ``workers`` runs of sentences, then every thread reads the
    whole chunk and counts the candidates whose hash it owns.

    Parameters
    ----------
    chunks : iterable of (ids, bounds)
        The corpus in order, a chunk of whole sentences at a time (``ids[bounds[s]:bounds[s+1]]``).
    connector : (W,) bool
        The connector words of the space this pass reads (after the earlier passes).
    earlier : list of bigrams.PhraseTable
        The passes to apply first.
    max_vocab_size : int, optional
        Candidates kept in all (each thread keeps a ``workers``-th), pruned as word2vec.c does.

    Returns
    -------
    candidates : Candidates
    unigram : (W,) int64
        Every token's count in the corpus this pass reads.
    """
    limit = np.iinfo(np.int64).max if max_vocab_size is None else max(max_vocab_size // workers, 1)
    code, codes = _codes(connector)
    threads = [ThreadCounts(min(BUFFER_PAIRS, limit), len(connector), codes) for _ in range(workers)]
    with ThreadPoolExecutor(workers) as pool:
        for ids, bounds in chunks:
            runs = join_runs(pool, workers, earlier, ids, bounds)
            for job in [pool.submit(_count_run, threads[w], runs, connector, code, w, workers, limit)
                        for w in range(workers)]:
                job.result()
            if progress is not None:
                progress(int(bounds[-1] - bounds[0]))
        list(pool.map(ThreadCounts.finish, threads))
    return Candidates(threads), sum(t.unigram for t in threads)
