"""Output layers and their losses for word prediction, each with forward and backward passes.

Letters: B = batch size, V = vocabulary size, d = vector width, k = noise words per example,
L = longest Huffman path.

* :class:`SoftmaxCrossEntropy` — the exact softmax over all V words: ``loss = -log softmax(h @ U.T)[t]``.
* :class:`NegativeSampling` — Mikolov et al. 2013: ``-log σ(u_t·h) - Σ_n log σ(-u_n·h)`` over k noise words.
* :class:`HierarchicalSoftmax` — Morin & Bengio 2005: ``-Σ_j log σ((1 - 2 c_j) u_{p_j}·h)`` along the word's
  Huffman path (c = branch code, p = inner node).

All losses are *summed* over the batch (``reduction="sum"``), so one SGD step with learning rate α moves
each example as word2vec's per-example update would; ``reduction="mean"`` is available for classic
minibatch training. Gradients come back as ``dh`` (B, d) and a gradient for the output matrix ``U``.

The two sigmoid losses take ``skip_beyond``: an output scored beyond ±``skip_beyond`` gets no gradient (the loss
still counts it), as gensim does with word2vec.c's ``MAX_EXP`` of :data:`MAX_EXP`. Such a score is a confident
mistake or a settled case; the mistakes are mostly noise words that fit the context, and pushing them away at
full strength cost CBOW analogy accuracy (docs/benchmarks.md). The default, infinity, is the exact gradient.

Example
-------
>>> import numpy as np
>>> loss = SoftmaxCrossEntropy()
>>> round(loss.forward(np.zeros((1, 4)), np.array([2])), 4)  # uniform over 4 words: log 4
1.3863
"""
from __future__ import annotations

import numpy as np

from .layers import SparseGrad

# word2vec.c's MAX_EXP: the score beyond which word2vec.c (hierarchical softmax) and gensim (both sigmoid losses)
# leave an output without an update
MAX_EXP = 6.0


def softmax(z: np.ndarray) -> np.ndarray:
    """Row-wise softmax, stable for large logits (the row max is subtracted first)."""
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def sigmoid(x: np.ndarray) -> np.ndarray:
    """Logistic function without overflow warnings for large |x|."""
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def _reduce(per_example: np.ndarray, reduction: str) -> tuple[float, float]:
    """Return (loss, scale of the per-example gradient)."""
    if reduction == "sum":
        return float(per_example.sum()), 1.0
    return float(per_example.mean()), 1.0 / max(len(per_example), 1)


class SoftmaxCrossEntropy:
    """Softmax over logits followed by cross-entropy with integer targets.

    ``forward(logits (B, V), targets (B,)) -> loss``; ``backward() -> dlogits (B, V)``, which is
    ``softmax - onehot(target)`` (times 1/B for the mean). Computed in place on a copy of the logits
    so the full-softmax path allocates one (B, V) array per step.
    """

    def __init__(self, reduction: str = "sum"):
        self.reduction = reduction
        self._p = None
        self._t = None

    def forward(self, logits: np.ndarray, targets: np.ndarray) -> float:
        p = logits - logits.max(axis=1, keepdims=True)  # (B, V)
        np.exp(p, out=p)
        p /= p.sum(axis=1, keepdims=True)
        rows = np.arange(len(targets))
        per = -np.log(np.maximum(p[rows, targets], np.finfo(p.dtype).tiny))  # (B,)
        self._p, self._t = p, targets
        loss, self._scale = _reduce(per, self.reduction)
        return loss

    def backward(self) -> np.ndarray:
        d = self._p  # reuse the probabilities' memory: they are not needed again
        d[np.arange(len(self._t)), self._t] -= 1.0
        if self._scale != 1.0:
            d *= self._scale
        return d  # (B, V)

    def forward_backward(self, h: np.ndarray, U: np.ndarray, targets: np.ndarray):
        """The whole output layer: ``logits = h @ U.T``; returns ``(loss, dh (B, d), dU (V, d) dense)``.

        Same result as ``forward`` + ``backward`` but never normalises the (B, V) matrix: with
        ``e = exp(z)`` and ``s = e.sum(1)``, ``dz = e/s - onehot`` so ``dh = (e @ U)/s - U[t]`` and
        ``dU = e.T @ (h/s) - onehot.T @ h``; the 1/s scaling touches only (B, d) arrays. ``exp`` is taken
        unshifted (one pass fewer) unless that overflows or underflows, when the max-shifted form is used.
        """
        targets = np.asarray(targets)
        rows = np.arange(len(targets))
        z = h @ U.T  # (B, V)
        z_t = z[rows, targets].astype(np.float64)  # (B,) logits of the targets
        shift = None
        with np.errstate(over="ignore"):
            e = np.exp(z, out=z)  # (B, V), in place: the logits are not needed again
            s = e.sum(axis=1).astype(np.float64)  # (B,); numpy's pairwise float32 sum is accurate here
        if not (np.isfinite(s).all() and (s > 0).all()):  # rare: huge or tiny logits, redo stably
            z = h @ U.T
            shift = z.max(axis=1, keepdims=True)
            e = np.exp(np.subtract(z, shift, out=z), out=z)
            s = e.sum(axis=1).astype(np.float64)
        log_s = np.log(s) + (0.0 if shift is None else shift[:, 0])
        loss, scale = _reduce(log_s - z_t, self.reduction)
        inv = (scale / s).astype(h.dtype)[:, None]  # (B, 1)
        dh = (e @ U) * inv  # (B, d)
        dh -= scale * U[targets]
        dU = e.T @ (h * inv)  # (V, d)
        np.add.at(dU, targets, -scale * h)
        return loss, dh, dU


class NegativeSampling:
    """Negative-sampling loss over the target's output vector and k noise vectors.

    ``forward_backward(h (B, d), U (V, d), targets (B,), negatives (B, k))`` returns
    ``(loss, dh (B, d), SparseGrad for U)``. A noise word equal to the target is skipped, as in
    word2vec.c, so it does not push the target away from its own context; outputs scored beyond
    ±``skip_beyond`` get no gradient (see the module's notes).

    Example
    -------
    >>> import numpy as np
    >>> h, U = np.ones((1, 2)), np.array([[4.0, 4.0], [0.0, 0.0]])  # the target scores 8, the noise word 0
    >>> _, dh, dU = NegativeSampling(skip_beyond=MAX_EXP).forward_backward(h, U, [0], [[1]])
    >>> dU.values[:, 0].tolist()  # the target is beyond 6: only the noise word moves
    [0.0, 0.5]
    """

    def __init__(self, reduction: str = "sum", skip_beyond: float = np.inf):
        self.reduction = reduction
        self.skip_beyond = skip_beyond

    def forward_backward(self, h, U, targets, negatives):
        targets = np.asarray(targets)
        negatives = np.asarray(negatives).reshape(len(targets), -1)
        rows = np.concatenate([targets[:, None], negatives], axis=1)  # (B, 1+k)
        labels = np.zeros(rows.shape, dtype=h.dtype)
        labels[:, 0] = 1.0
        mask = np.ones(rows.shape, dtype=h.dtype)
        mask[:, 1:] = negatives != targets[:, None]
        u = U[rows]  # (B, 1+k, d)
        x = np.einsum("bkd,bd->bk", u, h)  # (B, 1+k)
        sign = 2.0 * labels - 1.0
        per = (np.logaddexp(0.0, -sign * x) * mask).sum(axis=1)  # (B,)
        loss, scale = _reduce(per, self.reduction)
        g = np.where(np.abs(x) < self.skip_beyond, (sigmoid(x) - labels) * mask * scale, 0.0)  # dloss/dx (B, 1+k)
        dh = np.einsum("bk,bkd->bd", g, u)  # (B, d)
        dU = SparseGrad(rows.reshape(-1), (g[:, :, None] * h[:, None, :]).reshape(-1, h.shape[1]))
        return loss, dh, dU


class HierarchicalSoftmax:
    """Hierarchical softmax along Huffman paths.

    ``forward_backward(h (B, d), U (V-1, d), points (B, L), codes (B, L), lengths (B,))`` returns
    ``(loss, dh, SparseGrad for U)``; entries past each word's path length are masked out, and nodes scored
    beyond ±``skip_beyond`` get no gradient (see the module's notes).
    """

    def __init__(self, reduction: str = "sum", skip_beyond: float = np.inf):
        self.reduction = reduction
        self.skip_beyond = skip_beyond

    def forward_backward(self, h, U, points, codes, lengths):
        points = np.asarray(points)
        L = points.shape[1]
        mask = (np.arange(L)[None, :] < np.asarray(lengths)[:, None]).astype(h.dtype)  # (B, L)
        sign = 1.0 - 2.0 * np.asarray(codes, dtype=h.dtype)  # code 0 -> +1, code 1 -> -1
        u = U[points]  # (B, L, d)
        x = np.einsum("bld,bd->bl", u, h)  # (B, L)
        per = (np.logaddexp(0.0, -sign * x) * mask).sum(axis=1)  # (B,)
        loss, scale = _reduce(per, self.reduction)
        # d/dx of -log σ(s x) is -s (1 - σ(s x)); word2vec.c writes it as (1 - code - σ(x)) with the sign flipped
        g = np.where(np.abs(x) < self.skip_beyond, -sign * (1.0 - sigmoid(sign * x)) * mask * scale, 0.0)  # (B, L)
        dh = np.einsum("bl,bld->bd", g, u)
        dU = SparseGrad(points.reshape(-1), (g[:, :, None] * h[:, None, :]).reshape(-1, h.shape[1]))
        return loss, dh, dU
