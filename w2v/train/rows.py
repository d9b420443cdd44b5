"""numba kernels that move rows between copies of the weights: a thread's private copies of the hottest rows
(``w2v.train.hogwild``) and the rows workers exchange in distributed training (``w2v.train.distributed``).

Example
-------
>>> import numpy as np
>>> W, snap = np.ones((3, 2), np.float32), np.zeros((1, 2), np.float32)
>>> publish_rows(W, snap, 2, 0)  # row 2 is a thread's copy of row 0, changed by 1 since snap
>>> W[0].tolist()
[2.0, 2.0]
"""
from __future__ import annotations

from collections import namedtuple

import numpy as np
from numba import njit

Private = namedtuple("Private", "snap_in base_in snap_out base_out out_lo")
Private.__doc__ = """One thread's private rows (``hogwild.PrivateRows``): ``W_in[base_in:base_in+H_in]`` stand for rows
``0..H_in``, ``W_out[base_out:base_out+H_out]`` for rows ``out_lo..out_lo+H_out``; ``snap_*`` (H, d) float32
hold the values last published. Zero rows (one thread): every row is updated in place."""


def no_private_rows(d: int) -> Private:
    """The :class:`Private` of a thread that keeps no private rows."""
    return Private(np.empty((0, d), np.float32), 0, np.empty((0, d), np.float32), 0, 0)


@njit(inline="always")
def private_row(row, lo, n_private, base):
    """The row a thread trains for ``row``: its private copy ``base + row - lo`` when ``row`` is one of the
    ``n_private`` rows from ``lo``, else the shared row itself (a select, not a branch: no misprediction)."""
    i = row - lo
    return base + i if 0 <= i < n_private else row


@njit(inline="always")
def _merged(shared, mine, snap):
    """A shared value after a thread publishes ``mine``: its change since ``snap`` added to ``shared``, or ``mine``
    itself where no other thread changed the value (float32 ``snap + (mine - snap)`` need not be ``mine``, and one
    thread's private rows must change nothing)."""
    return mine if shared == snap else shared + (mine - snap)


@njit(nogil=True, cache=True)
def publish_rows(W, snap, base, lo):
    """Add what a thread changed in its private rows ``W[base:base+n]`` since ``snap`` (n, d) to the shared rows
    ``W[lo:lo+n]``; ``snap`` takes the new private values."""
    for i in range(snap.shape[0]):
        for k in range(W.shape[1]):
            W[lo + i, k] = _merged(W[lo + i, k], W[base + i, k], snap[i, k])
            snap[i, k] = W[base + i, k]


@njit(nogil=True, cache=True)
def refresh_rows(W, snap, base, lo):
    """Give a thread's private rows (and ``snap``) the shared values, after every thread has published."""
    for i in range(snap.shape[0]):
        for k in range(W.shape[1]):
            W[base + i, k] = W[lo + i, k]
            snap[i, k] = W[lo + i, k]


@njit(inline="always")
def sync_rows(W, snap, base, lo):
    """``publish_rows`` then ``refresh_rows`` in one pass, for one thread mid-job (each row is read once)."""
    for i in range(snap.shape[0]):
        for k in range(W.shape[1]):
            v = _merged(W[lo + i, k], W[base + i, k], snap[i, k])
            W[lo + i, k] = v
            W[base + i, k] = v
            snap[i, k] = v


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
