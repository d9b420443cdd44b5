"""numba kernels that parse the lines of a text vectors file (word2vec text, fastText ``.vec``, GloVe) on every core.

A block of the file is a ``uint8`` array; ``starts``/``ends`` index its lines (``ends`` at the ``\\n``). A line
that these kernels take as it is -- a word that starts the line and holds no control byte, then exactly d
numbers of the plain form ``[+-]digits[.digits][e[+-]digits]`` separated by spaces -- is written straight into
its row. Every other line is marked :data:`SLOW` and left to the checking Python reader
(``w2v.files.word2vec_format``), which parses it or names what is wrong; so these kernels decide nothing about errors.

Values: a number whose decimal digits form an integer m <= 2^53 and whose power of ten e has |e| <= 22 is
exactly ``m * 10^e`` or ``m / 10^-e`` in one IEEE operation, which rounds correctly (Clinger 1990, the "fast
path" of every correct strtod). Any other number (``1e-45``, 17 digits, ``1e39``, ``nan``) is SLOW and goes
through Python's ``float``. Both round the correct double to float32, as gensim's ``np.float32(text)`` does:
the values are gensim's bit for bit.

Example
-------
>>> import numpy as np
>>> buf = np.frombuffer(b"king 0.5 -1e-2\\n", np.uint8)
>>> out = np.zeros((1, 2), np.float32)
>>> starts, ends = np.array([0]), np.array([14])
>>> status, word_end = parse_lines(buf, starts, ends, np.zeros(1, np.int64), 1, 2, out)
>>> status.tolist(), word_end.tolist(), out.tolist()
([0], [4], [[0.5, -0.009999999776482582]])
"""
from __future__ import annotations

import numba
import numpy as np

OK, SLOW = 0, 2  # a line's status after parse_lines
_MAX_EXACT = 2 ** 53
_POW10 = np.array([10.0 ** k for k in range(23)])  # exact doubles: 10^22 < 2^53 * 2^22
_SPACE, _NL, _CR = 32, 10, 13


@numba.njit(cache=True, nogil=True, parallel=True)
def blank_lines(buf, starts, ends):
    """1 for each line that holds only ASCII whitespace (skipped, as the checking reader skips it), else 0."""
    n = len(starts)
    blank = np.ones(n, np.uint8)
    for i in numba.prange(n):
        for p in range(starts[i], ends[i]):
            c = buf[p]
            if not (c == _SPACE or 9 <= c <= 13):
                blank[i] = 0
                break
    return blank


@numba.njit(cache=True, nogil=True, inline="always")
def _number(buf, p, e):
    """Parse the token buf[p:e] by the exact fast path: (ok, value as float64)."""
    neg = False
    if buf[p] == 43 or buf[p] == 45:  # + -
        neg = buf[p] == 45
        p += 1
    m = np.uint64(0)
    digits = 0      # significant digits taken into m (leading zeros are not)
    any_digit = False
    exp10 = 0
    seen_dot = False
    while p < e:
        c = buf[p]
        if 48 <= c <= 57:
            any_digit = True
            if m != 0 or c != 48:
                digits += 1
                if digits > 19:
                    return False, 0.0
                m = m * np.uint64(10) + np.uint64(c - 48)
            if seen_dot:
                exp10 -= 1
        elif c == 46 and not seen_dot:  # .
            seen_dot = True
        else:
            break
        p += 1
    if not any_digit:
        return False, 0.0
    if p < e:
        if buf[p] != 101 and buf[p] != 69:  # e E
            return False, 0.0
        p += 1
        eneg = False
        if p < e and (buf[p] == 43 or buf[p] == 45):
            eneg = buf[p] == 45
            p += 1
        if p == e:
            return False, 0.0
        x = 0
        while p < e:
            c = buf[p]
            if not 48 <= c <= 57:
                return False, 0.0
            if x < 100000:
                x = x * 10 + (c - 48)
            p += 1
        exp10 += -x if eneg else x
    if m > _MAX_EXACT:
        return False, 0.0
    if m == 0:
        v = 0.0
    elif 0 <= exp10 <= 22:
        v = float(m) * _POW10[exp10]
    elif -22 <= exp10 < 0:
        v = float(m) / _POW10[-exp10]
    else:
        return False, 0.0
    return True, -v if neg else v


@numba.njit(cache=True, nogil=True, parallel=True)
def parse_lines(buf, starts, ends, rows, n_rows, d, out):
    """Parse each line i with ``rows[i] < n_rows`` into ``out[rows[i]]`` (d float32 values).

    Returns ``status`` (OK, or SLOW for a line the checking reader must read) and ``word_end`` (where each line's
    word ends) per line. Lines whose row is ``>= n_rows`` (blank, or past a limit) are not touched.
    """
    n = len(starts)
    status = np.full(n, SLOW, np.uint8)
    word_end = np.zeros(n, np.int64)
    for i in numba.prange(n):
        r = rows[i]
        if r < 0 or r >= n_rows:
            continue
        s, e = starts[i], ends[i]
        while e > s and (buf[e - 1] == _CR or buf[e - 1] == _NL):
            e -= 1
        p = s
        while p < e and buf[p] != _SPACE:
            if buf[p] < 32 or buf[p] == 127:
                break
            p += 1
        if p == s or p == e or buf[p] != _SPACE:
            continue  # empty word, a control byte, or no values: the checking reader says which
        word_end[i] = p
        j = 0
        good = True
        while good:
            while p < e and buf[p] == _SPACE:
                p += 1
            if p == e:
                break
            q = p
            while q < e and buf[q] != _SPACE:
                q += 1
            if j == d:
                good = False
                break
            ok, v = _number(buf, p, q)
            if not ok:
                good = False
                break
            out[r, j] = np.float32(v)
            j += 1
            p = q
        if good and j == d:
            status[i] = OK
    return status, word_end


@numba.njit(cache=True, nogil=True)
def gather_words(buf, starts, lengths):
    """The words ``buf[starts[i]:starts[i] + lengths[i]]`` joined by ``\\n`` (one decode for a whole block)."""
    total = 0
    for i in range(len(starts)):
        total += lengths[i] + 1
    out = np.empty(max(total - 1, 0), np.uint8)
    k = 0
    for i in range(len(starts)):
        if i:
            out[k] = _NL
            k += 1
        for p in range(starts[i], starts[i] + lengths[i]):
            out[k] = buf[p]
            k += 1
    return out
