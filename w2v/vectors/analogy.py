"""The analogy kernel: the best answer of many analogy questions from precomputed similarities, in numba.

Example
-------
>>> import numpy as np
>>> sims = np.array([[1, 0, 0, 0.1], [0, 1, 0, 0.5], [0, 0, 1, 0.2]], np.float32)  # a, b, c against 4 words
>>> q, out = np.zeros(1, np.int64), np.zeros(1, np.int64)
>>> analogy_argmax(sims, q, q + 1, q + 2, np.array([[0, 1, 2]]), False, out, 0, 1)
>>> int(out[0])  # the one word left once a, b and c are excluded
3
"""
from __future__ import annotations

import numpy as np
from numba import njit

from .similarity import COSMUL_EPS, shifted

_shifted = njit(inline="always")(shifted)  # 3CosMul's cosine shift, the one formula of w2v.vectors.similarity
_LOWEST = np.finfo(np.float32).min
_LANES = 16


@njit(nogil=True, cache=True, fastmath=True)
def analogy_argmax(sims, qa, qb, qc, exclude, cosmul, out, start, stop):
    """Best answer of analogy questions ``start:stop`` from precomputed similarities.

    ``sims`` (U, R) holds the cosine similarity of each of the U distinct question words to every one of the
    R candidate words, so a question costs three row reads instead of a (d x R) product: 3CosAdd scores
    ``sims[b] + sims[c] - sims[a]`` (the same order as ``n_j . (b + c - a)``, whose length does not change
    the argmax), 3CosMul scores ``s_b s_c / (s_a + ε)`` with ``s = (1 + cos) / 2`` (``w2v.vectors.similarity``).
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
