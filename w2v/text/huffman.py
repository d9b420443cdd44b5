"""The Huffman tree of hierarchical softmax, merged as gensim 4 merges it, in numba.

A Huffman tree is not one tree: words of equal count can be merged in many orders, all of the same mean code
length. Which words end up siblings matters for quality. gensim 4 merges with Python's ``heapq`` over its
vocabulary order (count descending, ties by the latest first sighting) on items that compare by count alone, so
equal counts come off the heap in the order the heap's own layout gives them. Built that way from the same counts,
CBOW/hierarchical learned what gensim learns; with ties by the word, or by first sighting but leaves before inner
nodes, it scored lower on SimLex-999 and WordSim353 (docs/benchmarks.md, "The Huffman tree's ties").

:func:`merge_tree` replays ``heapq``'s exact algorithm (``heapify``, then ``heappop`` twice and ``heappush`` per
inner node; CPython's C heap does the same comparisons as its Python reference) on arrays, which for 300,000
words takes milliseconds instead of seconds.

Example
-------
>>> import numpy as np
>>> parent, branch = merge_tree(np.array([5, 3, 2]), by_count_only=True)
>>> parent.tolist(), branch.tolist()  # words 2 and 1 meet at node 3, word 0 and node 3 at the root, node 4
([4, 3, 3, 4, 0], [0, 1, 0, 1, 0])
"""
from __future__ import annotations

import numpy as np
from numba import njit


@njit(inline="always")
def _less(key_a, id_a, key_b, id_b, by_count_only):
    """gensim's heap item order (the count alone), or a total one (the count, then the node's number)."""
    return key_a < key_b or (not by_count_only and key_a == key_b and id_a < id_b)


@njit(cache=True)
def _sift_down(keys, ids, start, pos, by_count_only):
    """``heapq._siftdown``: the item at ``pos`` moves towards the root past every parent it is less than."""
    key, node = keys[pos], ids[pos]
    while pos > start:
        up = (pos - 1) >> 1
        if _less(key, node, keys[up], ids[up], by_count_only):
            keys[pos], ids[pos] = keys[up], ids[up]
            pos = up
            continue
        break
    keys[pos], ids[pos] = key, node


@njit(cache=True)
def _sift_up(keys, ids, pos, end, by_count_only):
    """``heapq._siftup``: the item at ``pos`` sinks to a leaf along the lesser children, then sifts down."""
    start = pos
    key, node = keys[pos], ids[pos]
    child = 2 * pos + 1
    while child < end:
        right = child + 1
        if right < end and not _less(keys[child], ids[child], keys[right], ids[right], by_count_only):
            child = right
        keys[pos], ids[pos] = keys[child], ids[child]
        pos = child
        child = 2 * pos + 1
    keys[pos], ids[pos] = key, node
    _sift_down(keys, ids, start, pos, by_count_only)


@njit(cache=True)
def merge_tree(counts, by_count_only):
    """Merge ``counts`` (V,) into a Huffman tree the way ``heapq`` does; returns ``(parent, branch)`` (2V - 1,).

    Leaves are 0..V-1 in the order of ``counts``, inner nodes V..2V-2 in the order they are made (the root last);
    ``parent[n]`` is a node's parent (0 for the root) and ``branch[n]`` 0 for the first of the two items merged,
    1 for the second. ``by_count_only``: ties come off the heap in the heap's own order, as gensim's; otherwise
    the lower node number first (leaves before inner nodes).
    """
    V = counts.shape[0]
    keys = np.empty(V, np.int64)
    ids = np.arange(V)
    keys[:] = counts
    for pos in range(V // 2 - 1, -1, -1):  # heapq.heapify
        _sift_up(keys, ids, pos, V, by_count_only)
    parent = np.zeros(2 * V - 1, np.int64)
    branch = np.zeros(2 * V - 1, np.uint8)
    n = V
    for made in range(V - 1):
        merged = 0
        for side in range(2):  # heapq.heappop
            n -= 1
            key, node = keys[n], ids[n]
            if n > 0:
                key, node, keys[0], ids[0] = keys[0], ids[0], key, node
                _sift_up(keys, ids, 0, n, by_count_only)
            parent[node], branch[node] = V + made, side
            merged += key
        keys[n], ids[n] = merged, V + made  # heapq.heappush
        n += 1
        _sift_down(keys, ids, 0, n - 1, by_count_only)
    return parent, branch
