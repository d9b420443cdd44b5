"""Similarity arithmetic shared by queries, evaluation and the analogy kernel: unit rows, 3CosAdd, 3CosMul.

Letters: V = vocabulary size, d = vector width, m = query vectors.

* 3CosAdd (Mikolov et al. 2013): the best answer to "a is to b as c is to ?" is the word nearest to the
  direction ``b - a + c`` of unit vectors (:func:`cosadd_direction`). Ranking by
  ``cos(x, b) - cos(x, a) + cos(x, c)`` gives the same order, which the analogy kernel uses.
* 3CosMul (Levy & Goldberg 2014): ``Π_p s(x, p) / (Π_n s(x, n) + ε)`` with cosines shifted to [0, 1] by
  :func:`shifted`. ε is :data:`COSMUL_EPS` = 1e-6, gensim's value, so scores equal gensim's (Levy & Goldberg
  used 0.001).

Every function works on numpy arrays elementwise; :func:`shifted` is also compiled into the numba analogy
kernel, so the formula is written once. Constants are float32 so that float32 inputs stay float32 in numpy
and in numba, as gensim computes.

Example
-------
>>> import numpy as np
>>> cosmul([np.float32(1.0), np.float32(0.0)], [np.float32(-1.0)]).round(1)
np.float32(500000.0)
"""
from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np

COSMUL_EPS = np.float32(1e-6)  # 3CosMul's guard against a zero denominator (gensim's value)
_ONE, _HALF = np.float32(1), np.float32(0.5)


def unit_rows(m: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length, ``(..., d) -> (..., d)``; zero rows stay zero."""
    norms = np.linalg.norm(m, axis=-1, keepdims=True)
    return m / np.where(norms == 0, 1, norms)


def shifted(cos):
    """A cosine mapped from [-1, 1] to [0, 1], as 3CosMul needs (float32 stays float32)."""
    return (_ONE + cos) * _HALF


def cosmul(positive_sims, negative_sims):
    """3CosMul scores from the cosines of every candidate to each positive and each negative word.

    ``positive_sims``, ``negative_sims``: lists of ``(V,)`` cosine arrays (or scalars); returns ``(V,)``.
    """
    num = np.prod([shifted(s) for s in positive_sims], axis=0)
    den = np.prod([shifted(s) for s in negative_sims], axis=0)  # 1.0 when there is no negative word
    return num / (den + COSMUL_EPS)


def cosadd_direction(positive_units, negative_units) -> np.ndarray:
    """The unit direction ``Σ positive - Σ negative`` of unit vectors ``(m, d)`` lists; rank words by their
    cosine to it (3CosAdd)."""
    total = np.sum(list(positive_units) + [-v for v in negative_units], axis=0)  # (d,)
    return unit_rows(np.asarray(total, dtype=np.float32))


def row_norms(m: np.ndarray) -> np.ndarray:
    """The length of each row ``(V, d) -> (V,)`` float32, in row blocks on every core (numpy's einsum releases the
    GIL) and without a float64 or squared copy of the matrix."""
    out = np.empty(len(m), np.float32)

    def block(start: int) -> None:
        part = m[start:start + _NORM_ROWS].astype(np.float32, copy=False)
        np.sqrt(np.einsum("ij,ij->i", part, part), out=out[start:start + _NORM_ROWS])

    starts = range(0, len(m), _NORM_ROWS)
    if len(starts) < 2:
        for s in starts:
            block(s)
    else:
        with ThreadPoolExecutor(min(os.cpu_count() or 1, len(starts))) as pool:
            list(pool.map(block, starts))
    return out


_NORM_ROWS = 1 << 16  # rows per block of row_norms
