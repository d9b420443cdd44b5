"""The window updates the training kernels are made of: one window's scores, gradients and steps, in numba.

Per centre word an update scores the window's c input rows against its K output rows and applies the
summed gradient once — for skip-gram a (c x K) block of dot products, as in Ji et al. 2016,
"Parallelizing Word2Vec in Shared and Distributed Memory": the window shares one set of noise words, so the
K output rows are fetched from memory once per window instead of once per pair. Skip-gram with hierarchical
softmax steps once per context word instead (word2vec.c's order): its output rows, the nodes near the Huffman
root, are on every path, and one deferred step for the whole window cost quality. Each step is exactly the
gradient of the summed pair losses that ``w2v.nn.losses`` computes (``tests/test_kernels.py`` proves it).

Letters: d = vector width, K = output rows scored per window (1 + negative for negative sampling, the Huffman path
length for hierarchical softmax), c = context words in a window. Every update takes ``skip``: an output scored beyond
±``skip`` gets no gradient (``Config.skip_saturated``, ``w2v.nn.losses.MAX_EXP``; infinity for the exact gradient).

The loss: an update returns ``(loss, prob)``. It multiplies the probability the model gives each label into
``prob``, a running product its caller passes in and carries from window to window, and adds ``-log`` of it to
``loss`` only when it nears underflow; the caller takes the last log once, so ``loss - log(prob)`` is the summed
negative log-likelihood (a log per window cost CBOW measurably: docs/benchmarks.md, the roofline).

Example
-------
>>> import numpy as np
>>> W_in, W_out = np.full((2, 4), 0.5, np.float32), np.zeros((2, 4), np.float32)
>>> ctx, rows, labels = np.array([0]), np.array([0, 1]), np.array([1.0, 0.0], np.float32)
>>> g, p, h, e = np.zeros(2, np.float32), np.zeros(2, np.float32), np.zeros(4, np.float32), np.zeros(4, np.float32)
>>> loss, prob = cbow_window_update(W_in, W_out, ctx, 1, rows, labels, 2, 0.1, 6.0, h, e, g, p, True, True, False,
...                                 True, 1.0)
>>> [round(float(v), 4) for v in W_out[:, 0]]  # the true word's row moves towards the input, the noise word's away
[0.025, -0.025]
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit

from ..jit import FASTMATH, add, add4, dot, dot4, sigmoid_pair, step, step4, step4_dot4, step_dot


@njit(inline="always")
def _add_prob(loss, prob, p):
    """Fold one label probability into a running product; the loss takes its log only when it nears
    underflow (a log per output was most of CBOW's time)."""
    prob *= p
    if prob < 1e-200:  # also when p underflowed to 0: such a term is counted as -log(1e-300) = 690.8
        loss -= math.log(max(prob, 1e-300))
        prob = 1.0
    return loss, prob


@njit(nogil=True, cache=True, fastmath=FASTMATH, error_model="numpy")
def sg_window_update(W_in, W_out, ctx, n_ctx, rows, labels, n_out, lr, skip, G, d_out, probs, compute_loss, prob):
    """Skip-gram: every context word (input) against the window's output rows; returns ``(loss, prob)``.

    ``ctx[:n_ctx]`` rows of ``W_in`` (X, c x d), ``rows[:n_out]`` rows of ``W_out`` (Y, K x d) with ``labels``
    1 (true word / branch) or 0. The window's block of products: scores ``F = X Yᵀ``, gradients times the
    learning rate ``G = (labels - σ(F)) lr``, 0 where ``|F| >= skip`` (c x K, in the scratch ``G``), then ``Y += Gᵀ X`` (via the scratch
    ``d_out``, K x d) and ``X += G Y``, both from the weights as they were before the window, four rows at a time.
    ``probs`` (K,) holds each row's label probabilities for the loss. Updates ``W_in`` and ``W_out`` in place; a
    word repeated in the window gets every contribution.
    """
    for c in range(n_ctx):
        x = W_in[ctx[c]]
        o = 0
        while o + 4 <= n_out:
            G[c, o], G[c, o + 1], G[c, o + 2], G[c, o + 3] = dot4(
                x, W_out[rows[o]], W_out[rows[o + 1]], W_out[rows[o + 2]], W_out[rows[o + 3]])
            o += 4
        while o < n_out:
            G[c, o] = dot(x, W_out[rows[o]])
            o += 1
    loss = 0.0
    for c in range(n_ctx):
        _gradients(G[c], labels, n_out, lr, skip, probs)
        if compute_loss:
            loss, prob = _loss(probs, n_out, loss, prob)
    # Gᵀ X into d_out before any input changes
    for o in range(n_out):
        out = d_out[o]
        out[:] = 0.0
        c = 0
        while c + 4 <= n_ctx:
            add4(out, G[c, o], W_in[ctx[c]], G[c + 1, o], W_in[ctx[c + 1]], G[c + 2, o], W_in[ctx[c + 2]],
                  G[c + 3, o], W_in[ctx[c + 3]])
            c += 4
        while c < n_ctx:
            add(out, G[c, o], W_in[ctx[c]])
            c += 1
    # X += G Y in place (the outputs change only after)
    for c in range(n_ctx):
        w = W_in[ctx[c]]
        o = 0
        while o + 4 <= n_out:
            add4(w, G[c, o], W_out[rows[o]], G[c, o + 1], W_out[rows[o + 1]], G[c, o + 2], W_out[rows[o + 2]],
                  G[c, o + 3], W_out[rows[o + 3]])
            o += 4
        while o < n_out:
            add(w, G[c, o], W_out[rows[o]])
            o += 1
    for o in range(n_out):
        w, out = W_out[rows[o]], d_out[o]
        for k in range(w.shape[0]):
            w[k] += out[k]
    return loss, prob


@njit(inline="always", fastmath=FASTMATH)
def _products(x, W_out, rows, n_out, f):
    """``f[o] = x · W_out[rows[o]]`` for the ``n_out`` output rows, four rows at a time."""
    o = 0
    while o + 4 <= n_out:
        f[o], f[o + 1], f[o + 2], f[o + 3] = dot4(x, W_out[rows[o]], W_out[rows[o + 1]], W_out[rows[o + 2]],
                                                   W_out[rows[o + 3]])
        o += 4
    while o < n_out:
        f[o] = dot(x, W_out[rows[o]])
        o += 1


@njit(inline="always", fastmath=FASTMATH)
def _gradients(f, labels, n_out, lr, skip, probs):
    """Scores ``f[:n_out]`` into gradients times the learning rate, ``(label - σ(f)) lr`` (as word2vec.c), or 0 for a
    score beyond ±``skip`` (``w2v.nn.losses``), in place, and ``probs[:n_out]`` the probability the model gives
    each label (σ(f) for 1, σ(-f) for 0); labels are 0 or 1.

    The loop runs to ``n_out`` rounded up to 8 where the arrays have room (the lanes past ``n_out`` compute values
    nothing reads): the machine's 8-lane vectors then cover it with no scalar remainder.
    """
    lr32 = np.float32(lr)
    n = min((n_out + 7) // 8 * 8, f.shape[0], labels.shape[0], probs.shape[0])
    for o in range(n):
        pos, neg = sigmoid_pair(f[o])
        one = labels[o] == np.float32(1.0)
        g = (neg if one else -pos) * lr32  # label - σ(f) without cancellation: σ(-f), or -σ(f)
        f[o] = g if abs(f[o]) < skip else np.float32(0.0)
        probs[o] = pos if one else neg


@njit(inline="always")
def _loss(probs, n_out, loss, prob):
    """The running ``(loss, prob)`` of :func:`_add_prob` with the label probabilities ``probs[:n_out]``."""
    for o in range(n_out):
        loss, prob = _add_prob(loss, prob, np.float64(probs[o]))
    return loss, prob


@njit(inline="always")
def distinct(rows, n):
    """Whether ``rows[:n]`` holds no row twice (a Huffman path never does; noise words may)."""
    for a in range(1, n):
        for b in range(a):
            if rows[a] == rows[b]:
                return False
    return True


# inlined into the job kernel: a call passed its nine arrays field by field, 14% of a CBOW window's time
# (docs/benchmarks.md, the roofline)
@njit(inline="always", nogil=True, cache=True, fastmath=FASTMATH, error_model="numpy")
def cbow_window_update(W_in, W_out, ctx, n_ctx, rows, labels, n_out, lr, skip, h, neu1e, g, probs, cbow_mean,
                       full_error, compute_loss, distinct, prob):
    """CBOW: the mean (or sum) of the context rows against the window's output rows; returns ``(loss, prob)``.

    ``ctx[:n_ctx]`` rows of ``W_in``, ``rows[:n_out]`` rows of ``W_out`` (Y) with ``labels`` 1 (true word /
    branch) or 0. ``h`` and ``neu1e`` are (d,) scratch buffers, ``g`` and ``probs`` (K,). The scores ``Y h``, the
    gradients times the learning rate ``g``, then the input error ``neu1e = gᵀ Y`` from the outputs as they were,
    the outputs ``Y += g hᵀ`` (both in one pass over four rows at a time when ``distinct``: no row is given twice)
    and every context row ``+= neu1e``. ``full_error``
    (``Config.cbow_full_error``) gives each context word the whole error, as word2vec.c and gensim; without it a
    mean's context words get 1/c of it each (the exact gradient of the mean). Updates the weights in place.
    """
    h[:] = 0.0
    for c in range(n_ctx):
        add(h, np.float32(1.0), W_in[ctx[c]])
    if cbow_mean:
        h *= np.float32(1.0 / n_ctx)
    _products(h, W_out, rows, n_out, g)
    _gradients(g, labels, n_out, lr, skip, probs)
    loss = 0.0
    if compute_loss:
        loss, prob = _loss(probs, n_out, loss, prob)
    # neu1e = gᵀ Y before any output row changes
    neu1e[:] = 0.0
    o = 0
    if distinct:  # each row in one pass: its share of neu1e as it was, then its update
        while o + 4 <= n_out:
            step4(neu1e, h, g[o], W_out[rows[o]], g[o + 1], W_out[rows[o + 1]], g[o + 2], W_out[rows[o + 2]],
                  g[o + 3], W_out[rows[o + 3]])
            o += 4
        while o < n_out:
            step(neu1e, h, g[o], W_out[rows[o]])
            o += 1
    else:  # a noise word drawn twice: neu1e from every row as it was first, then both updates land
        while o + 4 <= n_out:
            add4(neu1e, g[o], W_out[rows[o]], g[o + 1], W_out[rows[o + 1]], g[o + 2], W_out[rows[o + 2]],
                 g[o + 3], W_out[rows[o + 3]])
            o += 4
        while o < n_out:
            add(neu1e, g[o], W_out[rows[o]])
            o += 1
        for o in range(n_out):
            add(W_out[rows[o]], g[o], h)
    if cbow_mean and not full_error:  # the exact gradient of a mean reaches each input word divided by the count
        neu1e *= np.float32(1.0 / n_ctx)
    for c in range(n_ctx):
        add(W_in[ctx[c]], np.float32(1.0), neu1e)
    return loss, prob


@njit(nogil=True, cache=True, fastmath=FASTMATH, error_model="numpy")
def sg_hs_update(W_in, W_out, ctx, n_ctx, rows, labels, n_out, lr, skip, f, probs, neu1e, compute_loss, prob):
    """Skip-gram with hierarchical softmax: each context word in turn against the centre's path; returns
    ``(loss, prob)``.

    The step of each context word is :func:`cbow_window_update`'s with that one input (word2vec.c's order: the
    path rows change between context words). The pass that updates a path row also scores it against the next
    context word, so each row is read once per context word; when the next context word is the same word, its row
    changes first, so its scores wait for that. ``f`` (K,) holds the scores, then the gradients; ``probs`` (K,) the
    label probabilities.
    """
    _products(W_in[ctx[0]], W_out, rows, n_out, f)
    loss = 0.0
    for c in range(n_ctx):
        x = W_in[ctx[c]]
        _gradients(f, labels, n_out, lr, skip, probs)
        if compute_loss:
            loss, prob = _loss(probs, n_out, loss, prob)
        neu1e[:] = 0.0
        fused = c + 1 < n_ctx and ctx[c + 1] != ctx[c]
        xn = W_in[ctx[c + 1]] if fused else x
        o = 0
        while o + 4 <= n_out:
            if fused:
                f[o], f[o + 1], f[o + 2], f[o + 3] = step4_dot4(
                    neu1e, x, f[o], W_out[rows[o]], f[o + 1], W_out[rows[o + 1]], f[o + 2], W_out[rows[o + 2]],
                    f[o + 3], W_out[rows[o + 3]], xn)
            else:
                step4(neu1e, x, f[o], W_out[rows[o]], f[o + 1], W_out[rows[o + 1]], f[o + 2], W_out[rows[o + 2]],
                      f[o + 3], W_out[rows[o + 3]])
            o += 4
        while o < n_out:
            if fused:
                f[o] = step_dot(neu1e, x, f[o], W_out[rows[o]], xn)
            else:
                step(neu1e, x, f[o], W_out[rows[o]])
            o += 1
        add(x, np.float32(1.0), neu1e)
        if not fused and c + 1 < n_ctx:  # the same word next: its scores from its row as just updated
            _products(x, W_out, rows, n_out, f)
    return loss, prob
