"""Gradient checking by centred finite differences: ``(f(x + h) - f(x - h)) / 2h``, error O(h²).

Example
-------
>>> import numpy as np
>>> x = np.array([1.0, 2.0])
>>> g = numerical_gradient(lambda: float((x ** 2).sum()), x)
>>> bool(relative_error(g, 2 * x) < 1e-8)
True
"""
from __future__ import annotations

import numpy as np


def numerical_gradient(f, x: np.ndarray, eps: float = 1e-5) -> np.ndarray:
    """Gradient of the scalar ``f()`` with respect to ``x``, which ``f`` reads and this perturbs in place.

    Use float64 arrays: in float32 the differences drown in rounding error.
    """
    grad = np.zeros_like(x, dtype=np.float64)
    it = np.nditer(x, flags=["multi_index"])
    for _ in it:
        i = it.multi_index
        old = x[i]
        x[i] = old + eps
        fp = f()
        x[i] = old - eps
        fm = f()
        x[i] = old
        grad[i] = (fp - fm) / (2 * eps)
    return grad


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    """``max |a - b| / max(|a|, |b|)`` elementwise, guarded against 0/0."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    denom = np.maximum(np.maximum(np.abs(a), np.abs(b)), 1e-12)
    return float(np.max(np.abs(a - b) / denom))
