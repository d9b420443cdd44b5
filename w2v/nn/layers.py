"""Layers with explicit forward and backward passes.

Letters: B = batch size, V = rows of an embedding (vocabulary), d = width, k = inputs per example.

An :class:`Embedding` lookup ``W[ids]`` is the product of one-hot rows with ``W`` without ever building
the (B, V) one-hot matrix. Its backward pass *adds* into the gradient rows (``np.add.at``): a word that
appears twice in a batch receives both contributions — ``dW[ids] += g`` would silently keep only one.

Example
-------
>>> import numpy as np
>>> emb = Embedding(np.arange(6.0).reshape(3, 2))
>>> emb.forward(np.array([1, 1])).tolist()
[[2.0, 3.0], [2.0, 3.0]]
>>> emb.backward(np.ones((2, 2))).dense(3).tolist()
[[0.0, 0.0], [2.0, 2.0], [0.0, 0.0]]
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class SparseGrad:
    """Gradient of a matrix that is non-zero only on some rows: ``dW[rows[i]] += values[i]``.

    ``rows`` may repeat; every repeat is added (never overwritten).
    """

    rows: np.ndarray    # (n,) int
    values: np.ndarray  # (n, d)

    def dense(self, n_rows: int) -> np.ndarray:
        """The full ``(n_rows, d)`` gradient."""
        out = np.zeros((n_rows, self.values.shape[1]), dtype=self.values.dtype)
        np.add.at(out, self.rows, self.values)
        return out

    def apply(self, W: np.ndarray, scale: float) -> None:
        """``W += scale * gradient`` in place, accumulating repeated rows."""
        np.add.at(W, self.rows, scale * self.values)


class Embedding:
    """Row lookup ``W[ids]``: the product of one-hot vectors with ``W``.

    ``forward`` takes ids of any shape ``(...)`` and returns ``(..., d)``; ``backward`` takes the gradient
    with respect to that output and returns a :class:`SparseGrad` for ``W``.
    """

    def __init__(self, W: np.ndarray):
        self.W = W  # (V, d)
        self._ids = None

    def forward(self, ids: np.ndarray) -> np.ndarray:
        self._ids = np.asarray(ids)
        return self.W[self._ids]  # (..., d)

    def backward(self, grad_out: np.ndarray) -> SparseGrad:
        d = self.W.shape[1]
        return SparseGrad(self._ids.reshape(-1), grad_out.reshape(-1, d))


class Linear:
    """``y = x @ W.T (+ b)`` with ``W`` of shape (out, in), as an output layer ``scores = h @ W_out.T``.

    ``backward(dy)`` returns ``(dx, dW, db)``; db is None without a bias.
    """

    def __init__(self, W: np.ndarray, b: np.ndarray | None = None):
        self.W = W  # (out, in)
        self.b = b  # (out,) or None
        self._x = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        self._x = x  # (B, in)
        y = x @ self.W.T  # (B, out)
        if self.b is not None:
            y += self.b
        return y

    def backward(self, dy: np.ndarray):
        dx = dy @ self.W  # (B, in)
        dW = dy.T @ self._x  # (out, in)
        db = dy.sum(axis=0) if self.b is not None else None
        return dx, dW, db
