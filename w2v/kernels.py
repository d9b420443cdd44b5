"""The numba hot loops: train one job (a slice of sentences) with negative sampling or hierarchical softmax.

One of the numba modules, with w2v.ingest (the byte tokenizer), w2v.bigrams (phrase counting) and w2v.textparse
(vectors files). Kernels take arrays and plain numbers, never a model object, and release the GIL (``nogil=True``), so several Python threads run them at once over the same weight
arrays without locks — Hogwild updates, as word2vec.c does.

Letters: d = vector width, w = window, K = output rows scored per window (1 + negative for negative
sampling, the Huffman path length for hierarchical softmax), c = context words in a window.

Per centre word the kernel scores the window's c input rows against its K output rows and applies the
summed gradient once — for skip-gram a (c x K) block of dot products, as in Ji et al. 2016,
"Parallelizing Word2Vec in Shared and Distributed Memory": the window shares one set of noise words, so the
K output rows are fetched from memory once per window instead of once per pair. The update is exactly the
gradient of the summed pair losses that ``w2v.nn.losses`` computes (``tests/test_kernels.py`` proves it).

CBOW moves little arithmetic per byte of weights, so memory latency decides its speed: each window's random
draws are made ``AHEAD`` windows early (in unchanged order) and the rows they name are prefetched; with several
threads each trains private copies of the hottest rows, kept in spare rows after the vocabulary's so that a
private and a shared row are reached through one index (``private_row``) and one code path.

Random numbers come from SplitMix64, seeded per job, so a run with one worker is reproducible bit for bit.
word2vec.c's linear congruential generator, whose low 16 bits drive its subsampling, gave CBOW vectors about
0.01 lower WS353 Spearman on the dev corpus; SplitMix64 costs one more multiply per draw.

Example
-------
>>> from w2v.kernels import train_job  # doctest: +SKIP
>>> loss, examples, words, since_sync = train_job(W_in, W_out, ids, bounds, tables, settings, private,
...                                               0.025, 0.024, seed, 0)  # doctest: +SKIP
"""
from __future__ import annotations

import functools
import math
import multiprocessing
import os
import subprocess
import sys
import threading
from collections import namedtuple

import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.core import cgutils
from numba.extending import intrinsic

from .similarity import COSMUL_EPS, shifted

# reassociation lets numba vectorise the d-long dot products; no "nnan"/"ninf", so exp overflow stays correct
_FASTMATH = {"nsz", "arcp", "contract", "afn", "reassoc"}
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1, _MIX2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)
_U32 = np.uint64(0xFFFFFFFF)
_shifted = njit(inline="always")(shifted)  # 3CosMul's cosine shift, the one formula of w2v.similarity
_LOWEST = np.finfo(np.float32).min
_LANES = 16
# windows between drawing a window's random numbers (and prefetching its rows) and training it
AHEAD = 4
CHILD_TIMEOUT_S = 300  # compile_in_child: a child slower than this is stopped and the kernel compiled in-process

# train_job's arguments in three groups; numba passes named tuples of arrays and numbers without a copy
Tables = namedtuple("Tables", "keep threshold alias points codes lengths")
Tables.__doc__ = """Read-only tables: subsampling keep-probabilities (V,) float32; noise alias tables (V,) int64 and (V,)
int32 (negative sampling); Huffman points (V, L) int32, codes (V, L) uint8 and lengths (V,) int32 (hierarchical)."""
Settings = namedtuple("Settings", "cbow hierarchical cbow_mean cbow_full_error window shrink_windows negative "
                                  "compute_loss sync_every", defaults=(True, False, True, True, 5, True, 5, True, 8192))
Settings.__doc__ = """The run's flags and sizes, always built by name (``Config`` fields of the same names; ``cbow``/
``hierarchical`` from arch and loss; ``sync_every``: windows between publications of a thread's private rows).
Every field has a default (word2vec's), so a test names only what it varies."""
CONFIG_SETTINGS = ("cbow_mean", "cbow_full_error", "window", "shrink_windows", "negative", "compute_loss")
Scratch = namedtuple("Scratch", "sent ctx rows labels d_in d_out h neu1e ring_b ring_neg")
Scratch.__doc__ = """train_job's working arrays (:func:`make_scratch`): the subsampled sentence, a window's inputs, its
output rows and labels, the gradient buffers, and the ring of the windows' draws made ``AHEAD`` windows early."""
Private = namedtuple("Private", "snap_in base_in snap_out base_out out_lo")
Private.__doc__ = """One thread's private rows (``hogwild.PrivateRows``): ``W_in[base_in:base_in+H_in]`` stand for rows
``0..H_in``, ``W_out[base_out:base_out+H_out]`` for rows ``out_lo..out_lo+H_out``; ``snap_*`` (H, d) float32
hold the values last published. Zero rows (one thread): every row is updated in place."""


def make_tables(keep, threshold=None, alias=None, points=None, codes=None, lengths=None) -> Tables:
    """A :class:`Tables` with one-element placeholders for the tables the loss does not use (numba needs every
    field typed)."""
    return Tables(keep,
                  np.zeros(1, np.int64) if threshold is None else threshold,
                  np.zeros(1, np.int32) if alias is None else alias,
                  np.zeros((1, 1), np.int32) if points is None else points,
                  np.zeros((1, 1), np.uint8) if codes is None else codes,
                  np.zeros(1, np.int32) if lengths is None else lengths)


def no_private_rows(d: int) -> Private:
    """The :class:`Private` of a thread that keeps no private rows."""
    return Private(np.empty((0, d), np.float32), 0, np.empty((0, d), np.float32), 0, 0)


@intrinsic
def _prefetch(typingctx, arr, i, k):
    """Ask the CPU to start loading the cache line holding ``arr[i, k]`` (LLVM's prefetch, write intent).

    A hint only: it changes no value. Rows of the window ``AHEAD`` windows on arrive while this one trains.
    """
    def codegen(context, builder, signature, args):
        aryty = signature.args[0]
        ary = context.make_array(aryty)(context, builder, args[0])
        idx = [context.cast(builder, v, t, types.intp) for v, t in zip(args[1:], signature.args[1:])]
        ptr = cgutils.get_item_pointer(context, builder, aryty, ary, idx, wraparound=False)
        i8p, i32 = ir.IntType(8).as_pointer(), ir.IntType(32)
        # llvmlite names the overload for its pointer kind ("p0i8" typed, "p0" opaque)
        fnty = ir.FunctionType(ir.VoidType(), [i8p, i32, i32, i32])
        fn = builder.module.declare_intrinsic("llvm.prefetch", [i8p], fnty)
        # write intent (1), keep in all cache levels (3), data cache (1)
        builder.call(fn, [builder.bitcast(ptr, i8p), ir.Constant(i32, 1), ir.Constant(i32, 3), ir.Constant(i32, 1)])
        return context.get_dummy_value()
    return types.void(arr, i, k), codegen


@njit(inline="always")
def rand64(state):
    """SplitMix64 (Steele, Lea & Flood 2014, as in Java's SplittableRandom): ``(64 random bits, next state)``.

    Every output bit is well mixed, so the high and the low 32 bits of one output serve as two independent
    uniform numbers.
    """
    state = state + _GOLDEN
    z = state
    z = (z ^ (z >> np.uint64(30))) * _MIX1
    z = (z ^ (z >> np.uint64(27))) * _MIX2
    return z ^ (z >> np.uint64(31)), state


@njit(inline="always")
def rand_unit(state):
    """A uniform float in [0, 1) from the high 32 bits of one draw; returns ``(u, next state)``."""
    r, state = rand64(state)
    return (r >> np.uint64(32)) / 4294967296.0, state


@njit(inline="always")
def draw_noise(threshold, alias, state):
    """One noise word from Walker alias tables (``Vocabulary.noise_alias``); returns ``(word, state)``.

    One generator step: a column from its high 32 bits, a 32-bit keep test from its low 32 bits; the same
    arithmetic as ``vocab.alias_draw``. O(1): a binary search over the cumulative distribution
    costs ~67 ns per draw in mispredicted branches, this ~5 ns.
    """
    r, state = rand64(state)
    col = np.int64((r >> np.uint64(32)) % np.uint64(threshold.shape[0]))
    if np.int64(r & _U32) < threshold[col]:
        return col, state
    return np.int64(alias[col]), state


@njit(inline="always", fastmath=_FASTMATH)
def _score(f, label):
    """σ(f) and the probability the model gives the label (σ for 1, 1-σ for 0), from one exp."""
    e = math.exp(-f)
    sig = 1.0 / (1.0 + e)
    if label == 1.0:
        return sig, sig
    return sig, (e * sig if e < 1e300 else 1.0)  # 1 - σ without cancellation


@njit(inline="always")
def _add_prob(loss, prob, p):
    """Fold one label probability into a running product; the loss takes its log only when it nears
    underflow, so a window costs one log instead of one per output (the log was 40% of CBOW's time)."""
    prob *= p
    if prob < 1e-200:  # also when p underflowed to 0: such a term is counted as -log(1e-300) = 690.8
        loss -= math.log(max(prob, 1e-300))
        prob = 1.0
    return loss, prob


@njit(inline="always")
def _prefetch_row(W, row):
    """Prefetch every cache line of row ``row`` of ``W`` (16 float32 to a 64-byte line)."""
    for k in range(0, W.shape[1], 16):
        _prefetch(W, row, k)


@njit(inline="always")
def private_row(row, lo, n_private, base):
    """The row a thread trains for ``row``: its private copy ``base + row - lo`` when ``row`` is one of the
    ``n_private`` rows from ``lo``, else the shared row itself (a select, not a branch: no misprediction)."""
    i = row - lo
    return base + i if 0 <= i < n_private else row


@njit(nogil=True, cache=True)
def publish_rows(W, snap, base, lo):
    """Add what a thread changed in its private rows ``W[base:base+n]`` since ``snap`` (n, d) to the shared rows
    ``W[lo:lo+n]``; ``snap`` takes the new private values."""
    for i in range(snap.shape[0]):
        for k in range(W.shape[1]):
            W[lo + i, k] += W[base + i, k] - snap[i, k]
            snap[i, k] = W[base + i, k]


@njit(nogil=True, cache=True)
def refresh_rows(W, snap, base, lo):
    """Give a thread's private rows (and ``snap``) the shared values, after every thread has published."""
    for i in range(snap.shape[0]):
        for k in range(W.shape[1]):
            W[base + i, k] = W[lo + i, k]
            snap[i, k] = W[lo + i, k]


@njit(inline="always")
def _sync(W, snap, base, lo):
    """``publish_rows`` then ``refresh_rows`` in one pass, for one thread mid-job (each row is read once)."""
    for i in range(snap.shape[0]):
        for k in range(W.shape[1]):
            v = W[lo + i, k] + (W[base + i, k] - snap[i, k])
            W[lo + i, k] = v
            W[base + i, k] = v
            snap[i, k] = v


@njit(nogil=True, cache=True, fastmath=_FASTMATH)
def sg_window_update(W_in, W_out, ctx, n_ctx, rows, labels, n_out, lr, d_in, d_out, compute_loss):
    """Skip-gram: every context word (input) against the window's output rows; returns the summed loss.

    ``ctx[:n_ctx]`` rows of ``W_in``, ``rows[:n_out]`` rows of ``W_out`` with ``labels`` 1 (true word / branch)
    or 0. ``d_in (2w, d)`` and ``d_out (K, d)`` are scratch buffers. Updates ``W_in`` and ``W_out`` in place.
    """
    d = W_in.shape[1]
    loss, prob = 0.0, 1.0
    for o in range(n_out):
        for k in range(d):
            d_out[o, k] = 0.0
    for c in range(n_ctx):
        wi = ctx[c]
        for k in range(d):
            d_in[c, k] = 0.0
        for o in range(n_out):
            wo = rows[o]
            f = np.float32(0.0)
            for k in range(d):
                f += W_in[wi, k] * W_out[wo, k]
            sig, p = _score(f, labels[o])
            if compute_loss:
                loss, prob = _add_prob(loss, prob, p)
            # g is the gradient (label - σ) multiplied by the learning rate, as in word2vec.c
            g = np.float32((labels[o] - sig) * lr)
            for k in range(d):
                d_in[c, k] += g * W_out[wo, k]
                d_out[o, k] += g * W_in[wi, k]
    # apply after the whole block: a word repeated in the window gets every contribution
    for c in range(n_ctx):
        wi = ctx[c]
        for k in range(d):
            W_in[wi, k] += d_in[c, k]
    for o in range(n_out):
        wo = rows[o]
        for k in range(d):
            W_out[wo, k] += d_out[o, k]
    return loss - math.log(prob)


@njit(nogil=True, cache=True, fastmath=_FASTMATH)
def cbow_window_update(W_in, W_out, ctx, n_ctx, rows, labels, n_out, lr, h, neu1e, d_out, cbow_mean, full_error,
                       compute_loss):
    """CBOW: the mean (or sum) of the context rows against the window's output rows; returns the loss.

    ``ctx[:n_ctx]`` rows of ``W_in``, ``rows[:n_out]`` rows of ``W_out`` with ``labels`` 1 (true word / branch)
    or 0. ``h`` and ``neu1e`` are (d,) scratch buffers, ``d_out`` (K, d). Updates the weights in place.
    ``full_error`` (``Config.cbow_full_error``) gives each context word the whole error, as word2vec.c and gensim;
    without it a mean's context words get 1/c of it each (the exact gradient of the mean).
    """
    d = W_in.shape[1]
    for k in range(d):
        h[k] = 0.0
        neu1e[k] = 0.0
    for c in range(n_ctx):
        wi = ctx[c]
        for k in range(d):
            h[k] += W_in[wi, k]
    if cbow_mean:
        inv = np.float32(1.0 / n_ctx)
        for k in range(d):
            h[k] *= inv
    loss, prob = 0.0, 1.0
    for o in range(n_out):
        wo = rows[o]
        f = np.float32(0.0)
        for k in range(d):
            f += h[k] * W_out[wo, k]
        sig, p = _score(f, labels[o])
        if compute_loss:
            loss, prob = _add_prob(loss, prob, p)
        g = np.float32((labels[o] - sig) * lr)
        for k in range(d):
            neu1e[k] += g * W_out[wo, k]
            d_out[o, k] = g * h[k]
    for o in range(n_out):
        wo = rows[o]
        for k in range(d):
            W_out[wo, k] += d_out[o, k]
    if cbow_mean and not full_error:  # the exact gradient of a mean reaches each input word divided by the count
        inv = np.float32(1.0 / n_ctx)
        for k in range(d):
            neu1e[k] *= inv
    for c in range(n_ctx):
        wi = ctx[c]
        for k in range(d):
            W_in[wi, k] += neu1e[k]
    return loss - math.log(prob)


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
        since ``snap_*`` every ``settings.sync_every`` windows (``_sync``); the trainer publishes the rest when it
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
    return job_kernel(bool(settings.cbow), bool(settings.hierarchical))(W_in, W_out, ids, bounds, tables, settings, private, lr_start, lr_end, seed, since_sync,
                             scratch)


_SCRATCH_DTYPES = (np.int32, np.int64, np.int64, np.float32, np.float32, np.float32, np.float32, np.float32, np.int64,
                   np.int64)


def _scratch_shapes(settings, tables, d: int, max_len: int) -> tuple:
    """The shape of each :class:`Scratch` array for ``settings`` and sentences of up to ``max_len`` words."""
    w2, k_max = 2 * settings.window, (tables.points.shape[1] if settings.hierarchical else settings.negative + 1)
    ring = AHEAD + 1  # the draws of windows i..i+AHEAD
    return ((max_len,), (w2,), (k_max,), (k_max,), (w2, d), (k_max, d), (d,), (d,), (ring,),
            (ring, max(settings.negative, 1)))


def make_scratch(settings, tables, d: int, max_len: int) -> Scratch:
    """The working arrays of :func:`train_job` for sentences of up to ``max_len`` words (allocated here, in numpy,
    so that the kernel compiles no allocation code: a fresh install compiles ~0.6 s less).

    Example
    -------
    >>> s = make_scratch(Settings(cbow=True), make_tables(np.ones(3)), 100, 50)
    >>> s.sent.shape, s.ctx.shape, s.d_out.shape
    ((50,), (10,), (6, 100))
    """
    return Scratch(*(np.zeros(shape, dtype) for shape, dtype in zip(_scratch_shapes(settings, tables, d, max_len),
                                                                     _SCRATCH_DTYPES)))


@functools.cache
def job_kernel(cbow: bool, hierarchical: bool):
    """:func:`train_job`'s kernel for one architecture and one output layer (made once, compiled on first call).

    ``cbow`` and ``hierarchical`` are constants of the kernel, not arguments, so numba drops the branches of the
    other variants and compiles one window update, once: a fresh install compiles 2.9 s instead of 3.9 s for the
    default CBOW with negative sampling. Measured on the dev corpus against the kernel with both architectures:
    skip-gram trains as fast, CBOW 1.5% slower (13 A/B pairs; LLVM lays the smaller loop out differently).

    Example
    -------
    >>> job_kernel(True, False) is job_kernel(True, False)
    True
    """
    @njit(nogil=True, cache=True, fastmath=_FASTMATH)
    def train_job_kernel(W_in, W_out, ids, bounds, tables, settings, private, lr_start, lr_end, seed, since_sync,
                         scratch):
        keep, threshold, alias = tables.keep, tables.threshold, tables.alias
        points, codes, lengths = tables.points, tables.codes, tables.lengths
        cbow_mean = settings.cbow_mean  # settings.cbow and settings.hierarchical chose this kernel (job_kernel)
        full_error, window, shrink_windows = settings.cbow_full_error, settings.window, settings.shrink_windows
        negative, compute_loss, sync_every = settings.negative, settings.compute_loss, settings.sync_every
        snap_in, base_in, snap_out = private.snap_in, private.base_in, private.snap_out
        base_out, out_lo = private.base_out, private.out_lo
        n_in, n_out_private = snap_in.shape[0], snap_out.shape[0]
        state = np.uint64(seed)
        sent, ctx, rows, labels, d_in, d_out, h, neu1e, ring_b, ring_neg = scratch
        ring = ring_b.shape[0]
        total = max(bounds[bounds.shape[0] - 1] - bounds[0], 1)
        done = 0
        loss = 0.0
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
                state = _draw_window(ring_b, ring_neg, a % ring, n, shrink_windows, window, hierarchical, negative,
                                     threshold, alias, state)
            for i in range(n):
                a = i + AHEAD
                if a < n:  # the rows window a will touch that earlier windows did not: its outputs, its newest input
                    state = _draw_window(ring_b, ring_neg, a % ring, n, shrink_windows, window, hierarchical, negative,
                                         threshold, alias, state)
                    ahead = sent[a]
                    if hierarchical:
                        for t in range(lengths[ahead]):
                            _prefetch_row(W_out, private_row(points[ahead, t], out_lo, n_out_private, base_out))
                    else:
                        _prefetch_row(W_out, private_row(ahead, out_lo, n_out_private, base_out))
                        for t in range(negative):
                            _prefetch_row(W_out, private_row(ring_neg[a % ring, t], out_lo, n_out_private, base_out))
                    if a + window < n:
                        _prefetch_row(W_in, private_row(sent[a + window], 0, n_in, base_in))
                b = ring_b[i % ring]
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
                        neg = ring_neg[i % ring, t]
                        if neg == centre:  # as word2vec.c: a noise word equal to the target is skipped
                            continue
                        rows[n_out] = private_row(neg, out_lo, n_out_private, base_out)
                        labels[n_out] = 0.0
                        n_out += 1
                if cbow:
                    loss += cbow_window_update(W_in, W_out, ctx, n_ctx, rows, labels, n_out, lr, h, neu1e, d_out,
                                               cbow_mean, full_error, compute_loss)
                    n_examples += 1
                else:
                    loss += sg_window_update(W_in, W_out, ctx, n_ctx, rows, labels, n_out, lr, d_in, d_out,
                                             compute_loss)
                    n_examples += n_ctx
                since_sync += 1
                if since_sync >= sync_every:
                    _sync(W_in, snap_in, base_in, 0)
                    _sync(W_out, snap_out, base_out, out_lo)
                    since_sync = 0
            done += bounds[s + 1] - bounds[s]
        return loss, n_examples, n_words, since_sync
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


# ---------------------------------------------------------------- rows exchanged by distributed training
@njit(nogil=True, cache=True)
def changed_rows(work, base, out):
    """Write to ``out`` the rows where ``work`` differs from ``base`` (a worker's changes in a round); returns how
    many. A row stops being compared at its first difference, so changed rows cost little."""
    n = 0
    for r in range(work.shape[0]):
        for j in range(work.shape[1]):
            if work[r, j] != base[r, j]:
                out[n] = r
                n += 1
                break
    return n


@njit(nogil=True, cache=True)
def take_rows(work, base, rows, values):
    """``values[i] = work[rows[i]]``, then ``work[rows[i]] = base[rows[i]]``: hand a round's new rows over and
    start the next round from the base again."""
    for i in range(rows.shape[0]):
        r = rows[i]
        for j in range(work.shape[1]):
            values[i, j] = work[r, j]
            work[r, j] = base[r, j]


@njit(nogil=True, cache=True)
def merge_part(W, rows, values, slot, acc, scale):
    """Merge one worker's new ``values`` of ``rows`` (distinct) into ``W``: a row no other worker changed
    (``slot[r] < 0``) takes the value itself; otherwise its change from ``W`` times ``scale`` is added to
    ``acc[slot[r]]``, which the caller adds to ``W`` once every worker is in. Taking the value, not adding a
    difference, keeps a row one worker trained exactly as that worker left it (float32 ``w + (v - w)`` need not
    be ``v``), so one worker reproduces one process bit for bit."""
    for i in range(rows.shape[0]):
        r = rows[i]
        k = slot[r]
        if k < 0:
            for j in range(W.shape[1]):
                W[r, j] = values[i, j]
        else:
            for j in range(W.shape[1]):
                acc[k, j] += (values[i, j] - W[r, j]) * scale


@njit(nogil=True, cache=True)
def set_rows(a, b, rows, values):
    """``a[rows[i]] = b[rows[i]] = values[i]``: a replica takes the merged rows."""
    for i in range(rows.shape[0]):
        r = rows[i]
        for j in range(a.shape[1]):
            a[r, j] = values[i, j]
            b[r, j] = values[i, j]


@njit(nogil=True, cache=True, fastmath=True)
def analogy_argmax(sims, qa, qb, qc, exclude, cosmul, out, start, stop):
    """Best answer of analogy questions ``start:stop`` from precomputed similarities.

    ``sims`` (U, R) holds the cosine similarity of each of the U distinct question words to every one of the
    R candidate words, so a question costs three row reads instead of a (d x R) product: 3CosAdd scores
    ``sims[b] + sims[c] - sims[a]`` (the same order as ``n_j . (b + c - a)``, whose length does not change
    the argmax), 3CosMul scores ``s_b s_c / (s_a + ε)`` with ``s = (1 + cos) / 2`` (``w2v.similarity``).
    ``qa, qb, qc`` (Q,) index rows of ``sims``; ``exclude`` (Q, 3) are the question words' candidate
    columns, never answers. Writes the winning column to ``out[q]`` (first one on ties, as ``argmax``).
    Scores are finite (cosines), so full fastmath is safe; excluded columns get the lowest float32.
    """
    R = sims.shape[1]
    row = np.empty(R, dtype=np.float32)  # (R,) scores of one question; stays in L2 cache for R = 30k
    lanes = np.empty(_LANES, dtype=np.float32)
    for q in range(start, stop):
        a, b, c = sims[qa[q]], sims[qb[q]], sims[qc[q]]
        if cosmul:
            for j in range(R):
                row[j] = _shifted(b[j]) * _shifted(c[j]) / (_shifted(a[j]) + COSMUL_EPS)
        else:
            for j in range(R):
                row[j] = b[j] + c[j] - a[j]
        for k in range(3):
            row[exclude[q, k]] = _LOWEST
        # max first, then the first column holding it: LLVM vectorises neither a plain max nor an argmax
        # loop, but it does vectorise 16 independent running maxima (5x faster on AVX2)
        lanes[:] = _LOWEST
        for j in range(0, R - R % _LANES, _LANES):
            for k in range(_LANES):
                lanes[k] = lanes[k] if lanes[k] > row[j + k] else row[j + k]
        top = _LOWEST
        for k in range(_LANES):
            top = max(top, lanes[k])
        for j in range(R - R % _LANES, R):
            top = max(top, row[j])
        for j in range(R):
            if row[j] == top:
                out[q] = j
                break


def _warm_inputs(cbow: bool, hierarchical: bool) -> tuple:
    """Arguments of the types training passes to :func:`job_kernel` ``(cbow, hierarchical)``, on empty inputs."""
    f32, i32, i64 = np.float32, np.int32, np.int64
    W = np.zeros((2, 4), f32)
    tables = Tables(np.ones(2, f32), np.zeros(2, i64), np.zeros(2, i32), np.zeros((2, 1), i32),
                    np.zeros((2, 1), np.uint8), np.ones(2, i32))
    settings = Settings(cbow=cbow, hierarchical=hierarchical, window=2, negative=1)
    return (W, W.copy(), np.zeros(0, i32), np.zeros(1, i64), tables, settings, no_private_rows(4), 0.025, 0.025, 1, 0,
            make_scratch(settings, tables, 4, 1))


def warm_up(cbow: bool = True, hierarchical: bool = False, train: bool = True, helpers: bool = True,
            evaluation: bool = False, child: multiprocessing.process.BaseProcess | subprocess.Popen | None = None
            ) -> None:
    """Compile (or load from numba's cache) the kernels training calls, with the argument types training
    passes, on empty inputs: a fresh install compiles once, here, instead of inside the first timed job.

    ``cbow``, ``hierarchical``: the variant of :func:`job_kernel` to make ready; ``train``: that kernel (the
    largest); ``helpers``: the small kernels around it; ``evaluation``: :func:`analogy_argmax` too, for a run
    that evaluates its vectors when it ends. ``child``: a process compiling the kernel meanwhile
    (:func:`compile_in_child`): the kernel then loads from the cache once it is done.

    Example
    -------
    >>> warm_up(True, False, child=compile_in_child(True, False))  # doctest: +SKIP
    """
    f32, i32, i64 = np.float32, np.int32, np.int64
    if helpers:
        W, snap = np.zeros((2, 4), f32), np.zeros((0, 4), f32)
        select_job(np.zeros(0, i32), np.zeros(1, i64), np.zeros(1, i32), 1, np.zeros(1, i32), np.zeros(1, i64))
        publish_rows(W, snap, 0, 0)
        refresh_rows(W, snap, 0, 0)
    if evaluation:
        q = np.zeros(0, i64)
        analogy_argmax(np.zeros((1, 1), f32), q, q, q, np.zeros((0, 3), i64), False, q, 0, 0)
    if child is not None:
        _join(child)  # then the kernel loads from the cache, or compiles here if the child failed
    if train:
        job_kernel(cbow, hierarchical)(*_warm_inputs(cbow, hierarchical))


def cached(cbow: bool, hierarchical: bool) -> bool:
    """Whether numba's cache holds :func:`job_kernel` ``(cbow, hierarchical)`` compiled from this source for this
    machine (the key numba itself looks up)."""
    from numba import typeof
    kernel = job_kernel(cbow, hierarchical)
    try:
        key = kernel._cache._index_key(tuple(typeof(a) for a in _warm_inputs(cbow, hierarchical)),
                                       kernel.targetctx.codegen())
        return key in kernel._cache._cache_file._load_index()
    except Exception:  # noqa: BLE001 - numba's cache internals moved, or no cache: compile in-process as before
        return True


def compile_in_child(cbow: bool, hierarchical: bool) -> multiprocessing.process.BaseProcess | subprocess.Popen | None:
    """Start compiling :func:`job_kernel` ``(cbow, hierarchical)`` into numba's cache in a child process, when
    the cache lacks it; returns the child (for :func:`warm_up`), or None.

    numba compiles one function at a time per process (a global lock, holding the GIL), so a second process is
    the only way to compile on a second core: the caller reads its corpus (compiling the ingestion kernels)
    and compiles the small kernels while the child compiles the largest. A caller with no other thread forks
    (Linux): the copy starts compiling at once, with numba imported and initialised, where a fresh interpreter
    spends 0.7 s getting there. With other threads (forking them is unsafe) the child is a fresh interpreter.
    If the child fails (a cache directory it cannot write, a crash), :func:`warm_up` finds no cached kernel
    and compiles it in-process.

    Example
    -------
    >>> warm_up(True, False, child=compile_in_child(True, False))  # doctest: +SKIP
    """
    from numba import config
    if config.DISABLE_JIT or (os.cpu_count() or 1) < 2 or cached(cbow, hierarchical):
        return None
    if sys.platform == "linux" and threading.active_count() == 1:
        try:  # numba's first compile of a process initialises its target (0.3 s); done here, the copy inherits it
            job_kernel(cbow, hierarchical).targetctx.refresh()
        except Exception:  # noqa: BLE001 - numba's internals moved: the copy initialises it itself
            pass
        child = multiprocessing.get_context("fork").Process(
            target=_compile_quietly, args=(cbow, hierarchical), name="w2v-compile", daemon=True)
        try:
            child.start()
            return child
        except OSError:  # no memory to fork a large process under strict overcommit: a fresh interpreter instead
            pass
    python = os.path.basename(sys.executable or "").lower().startswith(("python", "pypy"))
    if not python or getattr(sys, "frozen", False):  # an embedding or frozen application: no interpreter to run
        return None
    package_parent = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    code = (f"import sys; sys.path.insert(0, {package_parent!r}); from w2v import kernels; "
            f"kernels.warm_up({bool(cbow)}, {bool(hierarchical)}, helpers=False)")
    try:
        return subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
    except OSError:
        return None


def _compile_quietly(cbow: bool, hierarchical: bool) -> None:
    """A forked child's work: the kernel into numba's cache, its output discarded (this process reports any
    error when it compiles the kernel itself), as a fresh interpreter's is."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    warm_up(cbow, hierarchical, helpers=False)


def _join(child: multiprocessing.process.BaseProcess | subprocess.Popen) -> None:
    """Wait for a compiling child (:func:`compile_in_child`); one slower than ``CHILD_TIMEOUT_S`` is stopped."""
    if isinstance(child, subprocess.Popen):
        try:
            child.wait(timeout=CHILD_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            child.kill()
    else:
        child.join(CHILD_TIMEOUT_S)
        if child.exitcode is None:
            child.kill()
