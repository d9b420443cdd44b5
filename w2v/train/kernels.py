"""The numba hot loops: train one job (a slice of sentences) with negative sampling or hierarchical softmax.

The training kernels (the rows they exchange are ``w2v.train.rows``; the other numba code reads text, counts phrases,
parses vectors files and answers analogies). Kernels take arrays and plain numbers, never a model object, and release
the GIL (``nogil=True``), so several Python threads run them at once over the same weight arrays without locks —
Hogwild updates, as word2vec.c does.

The kernel subsamples each sentence, draws each window's random numbers (its shrink, its noise words), gathers its
input and output rows and calls one of the window updates of ``w2v.train.updates``.

CBOW moves little arithmetic per byte of weights, so memory latency decides its speed: each window's random
draws are made ``AHEAD`` windows early (in unchanged order) and the rows they name are prefetched; with several
threads each trains private copies of the hottest rows, kept in spare rows after the vocabulary's so that a
private and a shared row are reached through one index (``private_row``) and one code path.

Random numbers come from SplitMix64, seeded per job, so a run with one worker is reproducible bit for bit.
word2vec.c's linear congruential generator, whose low 16 bits drive its subsampling, gave CBOW vectors about
0.01 lower WS353 Spearman on the dev corpus; SplitMix64 costs one more multiply per draw.

Example
-------
>>> from w2v.train.kernels import train_job  # doctest: +SKIP
>>> loss, examples, words, since_sync = train_job(W_in, W_out, ids, bounds, tables, settings, private,
...                                               0.025, 0.024, seed, 0)  # doctest: +SKIP
"""
from __future__ import annotations

import functools
import math
from collections import namedtuple

import numpy as np
from numba import njit

from ..jit import FASTMATH, borrowed, prefetch_row, rand64, rand_unit
from ..nn.losses import MAX_EXP
from .rows import private_row, sync_rows
from .updates import cbow_window_update, distinct, sg_hs_update, sg_window_update

_U32 = np.uint64(0xFFFFFFFF)

# windows between drawing a window's random numbers (and prefetching its rows) and training it
AHEAD = 4
# slots in the ring of draws: a power of two above AHEAD, so that a window's slot is a mask of its index (a modulo
# by a run-time ring size was an integer division, several a window)
RING = 8
assert RING > AHEAD and RING & (RING - 1) == 0


# train_job's arguments in three groups; numba passes named tuples of arrays and numbers without a copy
Tables = namedtuple("Tables", "keep threshold alias points codes lengths")
Tables.__doc__ = """Read-only tables: subsampling keep-probabilities (V,) float32; noise alias tables (V,) int64 and (V,)
int32 (negative sampling); Huffman points (V, L) int32, codes (V, L) uint8 and lengths (V,) int32 (hierarchical)."""
Settings = namedtuple("Settings", "cbow hierarchical cbow_mean cbow_full_error window shrink_windows negative "
                                  "compute_loss sync_every sync_root_rows sync_root_every skip_beyond",
                      defaults=(True, False, True, True, 5, True, 5, True, 8192, 0, 64, MAX_EXP))
Settings.__doc__ = """The run's flags and sizes, always built by name (``Config`` fields of the same names; ``cbow``/
``hierarchical`` from arch and loss; ``sync_every``: windows between publications of a thread's private rows;
``sync_root_rows``: with hierarchical softmax, how many of the private rows nearest the Huffman root are also
published every ``sync_root_every`` windows; ``skip_beyond``: outputs scored beyond it get no update,
``models.skip_beyond``). Every field has a default (word2vec's, gensim's skip), so a test names only what it
varies."""
CONFIG_SETTINGS = ("cbow_mean", "cbow_full_error", "window", "shrink_windows", "negative", "compute_loss")
Scratch = namedtuple("Scratch", "sent ctx rows labels scores probs d_out h neu1e ring_b ring_neg")
Scratch.__doc__ = """train_job's working arrays (:func:`make_scratch`): the subsampled sentence, a window's inputs, its
output rows and labels, the skip-gram window's scores (2w, K), the label probabilities (K,), the gradient buffers,
and the ring of the windows' draws made ``AHEAD`` windows early. Labels, scores and probabilities have room for K
rounded up to 8, which the vectorised sigmoid runs over (``updates._gradients``)."""


def make_tables(keep, threshold=None, alias=None, points=None, codes=None, lengths=None) -> Tables:
    """A :class:`Tables` with one-element placeholders for the tables the loss does not use (numba needs every
    field typed)."""
    return Tables(keep,
                  np.zeros(1, np.int64) if threshold is None else threshold,
                  np.zeros(1, np.int32) if alias is None else alias,
                  np.zeros((1, 1), np.int32) if points is None else points,
                  np.zeros((1, 1), np.uint8) if codes is None else codes,
                  np.zeros(1, np.int32) if lengths is None else lengths)


@njit(inline="always")
def draw_noise(threshold, alias, state):
    """One noise word from Walker alias tables (``Vocabulary.noise_alias``); returns ``(word, state)``.

    One generator step: a column from its high 32 bits, a 32-bit keep test from its low 32 bits; the same
    arithmetic as ``vocab.alias_draw``. O(1), where a binary search over the cumulative distribution pays for
    mispredicted branches.
    """
    # a binary search took ~67 ns per draw, this ~5 ns
    r, state = rand64(state)
    col = np.int64((r >> np.uint64(32)) % np.uint64(threshold.shape[0]))
    if np.int64(r & _U32) < threshold[col]:
        return col, state
    return np.int64(alias[col]), state



@njit(inline="always")
def _draw_window(ring_b, ring_neg, slot, n, shrink_windows, window, hierarchical, negative, threshold, alias, state):
    """A window's random draws into ``slot``: its shrink (dynamic window) and, when it has a context, its noise
    words. Returns the generator state."""
    b = 0
    if shrink_windows:  # dynamic window: effective size uniform in [1, window]
        r, state = rand64(state)
        b = int((r >> np.uint64(32)) % np.uint64(window))
    ring_b[slot] = b
    if n > 1 and not hierarchical:  # a one-word sentence has no context and draws no noise
        for t in range(negative):
            ring_neg[slot, t], state = draw_noise(threshold, alias, state)
    return state


def train_job(W_in, W_out, ids, bounds, tables, settings, private, lr_start, lr_end, seed, since_sync, scratch=None):
    """Train on sentences ``ids[bounds[s]:bounds[s+1]]`` for every s of ``bounds``.

    Parameters
    ----------
    W_in, W_out : (V + P_in, d) float32, (V or V-1 + P_out, d) float32
        Weights, updated in place; rows past the vocabulary hold the threads' private rows (``private``).
    ids : (N,) int32; bounds : (S+1,) int64
        The job's sentences (absolute offsets into ``ids``).
    tables : Tables
        Subsampling keep-probabilities, noise alias tables, Huffman paths.
    settings : Settings
        Architecture, loss, window and the other flags of the run.
    private : Private
        This thread's private rows, kept across its jobs. The kernel trains on them and publishes what changed
        since ``snap_*`` every ``settings.sync_every`` windows (``sync_rows``); the trainer publishes the rest when it
        drains (:func:`publish_rows`).
    lr_start, lr_end : float
        Learning rate at the job's first and last word (linear in between, updated per sentence).
    seed : int
        Seed of the job's random generator.
    since_sync : int
        Windows since this thread's last publication.
    scratch : Scratch, optional
        The kernel's working arrays (:func:`make_scratch`); made for the job when not given.

    Returns
    -------
    (loss_sum, n_examples, n_words, since_sync) : (float, int, int, int)
        Summed loss, examples trained (pairs for skip-gram, windows for CBOW), words after subsampling, and
        windows since the last publication (the next job's ``since_sync``).
    """
    longest = int(np.diff(bounds).max()) if len(bounds) > 1 else 0
    if scratch is None:
        scratch = make_scratch(settings, tables, W_in.shape[1], longest)
    else:  # the kernel indexes these without bounds checks: a scratch made for other settings must not reach it
        short = [name for name, have, shape, dtype in zip(Scratch._fields, scratch, _scratch_shapes(
                     settings, tables, W_in.shape[1], longest), _SCRATCH_DTYPES)
                 if have.dtype != dtype or have.ndim != len(shape) or any(h < n for h, n in zip(have.shape, shape))]
        if short:
            raise ValueError(f"train_job's scratch does not fit this job ({', '.join(short)}): make it with "
                             "make_scratch for these settings and the longest sentence")
    kernel = job_kernel(bool(settings.cbow), bool(settings.hierarchical))
    return kernel(W_in, W_out, ids, bounds, tables, settings, private, lr_start, lr_end, seed, since_sync, scratch)


_SCRATCH_DTYPES = (np.int32, np.int64, np.int64, np.float32, np.float32, np.float32, np.float32, np.float32,
                   np.float32, np.int64, np.int64)


def _scratch_shapes(settings, tables, d: int, max_len: int) -> tuple:
    """The shape of each :class:`Scratch` array for ``settings`` and sentences of up to ``max_len`` words."""
    w2, k_max = 2 * settings.window, (tables.points.shape[1] if settings.hierarchical else settings.negative + 1)
    k_pad = (k_max + 7) // 8 * 8  # K in whole 8-lane vectors
    return ((max_len,), (w2,), (k_max,), (k_pad,), (w2, k_pad), (k_pad,), (k_max, d), (d,), (d,), (RING,),
            (RING, max(settings.negative, 1)))


def make_scratch(settings, tables, d: int, max_len: int) -> Scratch:
    """The working arrays of :func:`train_job` for sentences of up to ``max_len`` words (allocated here, in numpy,
    so that the kernel compiles no allocation code: a fresh install compiles ~0.6 s less).

    Example
    -------
    >>> s = make_scratch(Settings(cbow=True), make_tables(np.ones(3)), 100, 50)
    >>> s.sent.shape, s.ctx.shape, s.d_out.shape, s.scores.shape
    ((50,), (10,), (6, 100), (10, 8))
    """
    return Scratch(*(np.zeros(shape, dtype) for shape, dtype in zip(_scratch_shapes(settings, tables, d, max_len),
                                                                     _SCRATCH_DTYPES)))


@functools.cache
def job_kernel(cbow: bool, hierarchical: bool):
    """:func:`train_job`'s kernel for one architecture and one output layer (made once, compiled on first call).

    ``cbow`` and ``hierarchical`` are constants of the kernel, not arguments, so numba drops the branches of the
    other variants and compiles one window update, once, which shortens a fresh install's first compile.

    Example
    -------
    >>> job_kernel(True, False) is job_kernel(True, False)
    True
    """
    # a fresh install compiled the default CBOW-negative kernel in 2.9 s instead of 3.9 s; against the kernel with
    # both architectures, on the dev corpus, skip-gram trained as fast and CBOW 1.5% slower (13 A/B pairs)
    # numpy's error model, as the window updates': CBOW's update is inlined here, and a test for a zero divisor in its
    # sigmoid loop would keep that loop from vectorising. No divisor here can be zero (total >= 1, window >= 1, a
    # vocabulary of at least one word, a window trained only with a context).
    @njit(nogil=True, cache=True, fastmath=FASTMATH, error_model="numpy")
    def train_job_kernel(W_in, W_out, ids, bounds, tables, settings, private, lr_start, lr_end, seed, since_sync,
                         scratch):
        # every array borrowed (the caller keeps them alive): no atomic reference count per row view or call
        W_in, W_out, ids, bounds = borrowed(W_in), borrowed(W_out), borrowed(ids), borrowed(bounds)
        keep, threshold, alias = borrowed(tables.keep), borrowed(tables.threshold), borrowed(tables.alias)
        points, codes, lengths = borrowed(tables.points), borrowed(tables.codes), borrowed(tables.lengths)
        cbow_mean = settings.cbow_mean  # settings.cbow and settings.hierarchical chose this kernel (job_kernel)
        full_error, window, shrink_windows = settings.cbow_full_error, settings.window, settings.shrink_windows
        negative, compute_loss, sync_every = settings.negative, settings.compute_loss, settings.sync_every
        root_every = settings.sync_root_every
        skip = np.float32(settings.skip_beyond)
        snap_in, base_in, snap_out = borrowed(private.snap_in), private.base_in, borrowed(private.snap_out)
        base_out, out_lo = private.base_out, private.out_lo
        n_in, n_out_private = snap_in.shape[0], snap_out.shape[0]
        # a Huffman tree's nodes are numbered from the leaves up: the last private rows are the root's neighbourhood
        root_at = n_out_private - min(settings.sync_root_rows if hierarchical else 0, n_out_private)
        state = np.uint64(seed)
        sent, ctx, rows, labels = borrowed(scratch.sent), borrowed(scratch.ctx), borrowed(scratch.rows), \
            borrowed(scratch.labels)
        scores, d_out, h, neu1e = borrowed(scratch.scores), borrowed(scratch.d_out), borrowed(scratch.h), \
            borrowed(scratch.neu1e)
        probs = borrowed(scratch.probs)
        ring_b, ring_neg = borrowed(scratch.ring_b), borrowed(scratch.ring_neg)
        total = max(bounds[bounds.shape[0] - 1] - bounds[0], 1)
        done = 0
        loss, prob = 0.0, 1.0  # the loss carries the product of label probabilities (updates.py): one log a job
        n_examples = 0
        n_words = 0
        for s in range(bounds.shape[0] - 1):
            lr = lr_start + (lr_end - lr_start) * (done / total)
            n = 0
            for p in range(bounds[s], bounds[s + 1]):  # subsampling of frequent words
                w = ids[p]
                if keep[w] < 1.0:
                    u, state = rand_unit(state)
                    if keep[w] < u:
                        continue
                sent[n] = w
                n += 1
            n_words += n
            # each window's random draws (its shrink, its noise words) are made AHEAD windows before it trains, in
            # the order they would be made without look-ahead, so that its rows can be prefetched in between
            for a in range(min(n, AHEAD)):
                state = _draw_window(ring_b, ring_neg, a & (RING - 1), n, shrink_windows, window, hierarchical,
                                     negative, threshold, alias, state)
            for i in range(n):
                a = i + AHEAD
                if a < n:  # the rows window a will touch that earlier windows did not: its outputs, its newest input
                    slot = a & (RING - 1)
                    state = _draw_window(ring_b, ring_neg, slot, n, shrink_windows, window, hierarchical, negative,
                                         threshold, alias, state)
                    ahead = sent[a]
                    if hierarchical:
                        for t in range(lengths[ahead]):
                            prefetch_row(W_out, private_row(points[ahead, t], out_lo, n_out_private, base_out))
                    else:
                        prefetch_row(W_out, private_row(ahead, out_lo, n_out_private, base_out))
                        for t in range(negative):
                            prefetch_row(W_out, private_row(ring_neg[slot, t], out_lo, n_out_private, base_out))
                    if a + window < n:
                        prefetch_row(W_in, private_row(sent[a + window], 0, n_in, base_in))
                b = ring_b[i & (RING - 1)]
                # n_ctx and n_out start as np.int64, not as literals: numba would compile a window update twice
                n_ctx = np.int64(0)
                for j in range(max(0, i - window + b), min(n, i + window - b + 1)):
                    if j != i:
                        ctx[n_ctx] = private_row(sent[j], 0, n_in, base_in)
                        n_ctx += 1
                if n_ctx == 0:
                    continue
                centre = sent[i]
                n_out = np.int64(0)
                if hierarchical:
                    for t in range(lengths[centre]):
                        rows[n_out] = private_row(points[centre, t], out_lo, n_out_private, base_out)
                        labels[n_out] = 1.0 - codes[centre, t]
                        n_out += 1
                else:
                    rows[0] = private_row(centre, out_lo, n_out_private, base_out)
                    labels[0] = 1.0
                    n_out = np.int64(1)
                    for t in range(negative):
                        neg = ring_neg[i & (RING - 1), t]
                        if neg == centre:  # as word2vec.c: a noise word equal to the target is skipped
                            continue
                        rows[n_out] = private_row(neg, out_lo, n_out_private, base_out)
                        labels[n_out] = 0.0
                        n_out += 1
                if cbow:  # a Huffman path never holds a node twice; noise words may repeat
                    window_loss, prob = cbow_window_update(
                        W_in, W_out, ctx, n_ctx, rows, labels, n_out, lr, skip, h, neu1e, scores[0], probs,
                        cbow_mean, full_error, compute_loss, hierarchical or distinct(rows, n_out), prob)
                    loss += window_loss
                    n_examples += 1
                elif hierarchical:
                    # one context word at a time, the path's nodes changing in between, as word2vec.c and gensim:
                    # the nodes near the root are on every path, and c stale updates at once cost 0.9 analogy
                    # points (dev corpus, 5 epochs, 3 seeds: 12.31% deferred, 13.23% this way; gensim 13.15%).
                    # (the skip-gram block's (K x d) buffer took 1.4x as long as stepping each row in one pass; scoring
                    # the next context word in that pass too took a skip-gram/hierarchical epoch from 9.1 s to 7.0 s)
                    window_loss, prob = sg_hs_update(W_in, W_out, ctx, n_ctx, rows, labels, n_out, lr, skip,
                                                     scores[0], probs, neu1e, compute_loss, prob)
                    loss += window_loss
                    n_examples += n_ctx
                else:
                    window_loss, prob = sg_window_update(W_in, W_out, ctx, n_ctx, rows, labels, n_out, lr, skip,
                                                         scores, d_out, probs, compute_loss, prob)
                    loss += window_loss
                    n_examples += n_ctx
                since_sync += 1
                if since_sync >= sync_every:
                    sync_rows(W_in, snap_in, base_in, 0)
                    sync_rows(W_out, snap_out, base_out, out_lo)
                    since_sync = 0
                elif root_at < n_out_private and since_sync % root_every == 0:
                    # the nodes next to the root are on almost every path: kept private for as long as the others,
                    # the threads' copies drift apart and cost quality (hogwild.ROOT_ROWS)
                    sync_rows(W_out, snap_out[root_at:], base_out + root_at, out_lo + root_at)
            done += bounds[s + 1] - bounds[s]
        return loss - math.log(prob), n_examples, n_words, since_sync
    return train_job_kernel


@njit(nogil=True, cache=True)
def select_job(ids, bounds, remap, max_len, out_ids, out_bounds):
    """A job's sentences in model ids: ``remap[ids]``, dropping words mapped to -1 (below ``min_count``, or
    not in a vocabulary at all), splitting sentences longer than ``max_len`` and dropping empty ones.

    ``ids``/``bounds`` come from a file, so every bound and id is checked before it is used as an index; the
    result is written to ``out_ids`` (>= len(ids)) and ``out_bounds`` (>= len(ids) + 1).

    Returns
    -------
    (n_ids, n_sentences), or (-1, -1) when a bound or an id is out of range.
    """
    V = remap.shape[0]
    n, s = 0, 0
    out_bounds[0] = 0
    for k in range(bounds.shape[0] - 1):
        a, b = bounds[k], bounds[k + 1]
        if a < 0 or b < a or b > ids.shape[0]:
            return -1, -1
        run = 0
        for i in range(a, b):
            w = ids[i]
            if w < 0 or w >= V:
                return -1, -1
            m = remap[w]
            if m < 0:
                continue
            out_ids[n] = m
            n += 1
            run += 1
            if run == max_len:
                s += 1
                out_bounds[s] = n
                run = 0
        if run > 0:
            s += 1
            out_bounds[s] = n
    return n, s
