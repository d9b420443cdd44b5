"""Memory shared by the training threads: the weight buffers and each thread's private copies of hot rows.

Several threads train the same two weight matrices without locks (Hogwild, as word2vec.c). Rows that every
thread writes all the time (frequent words, the Huffman nodes next to the root) would bounce between the
cores' caches, so with several threads each keeps private copies of the ``HOT_ROWS`` rows written most and
publishes what it changed every ``SYNC_EVERY`` windows (the ``ROOT_ROWS`` Huffman nodes nearest the root, which
nearly every path passes, every ``ROOT_SYNC_EVERY``).

The copies live in spare rows after the vocabulary's rows of the very arrays the kernels train, so a
kernel reaches a private or a shared row through the same index arithmetic (``rows.private_row``); kept
in separate arrays, the per-row choice between them was a branch the CPU mispredicted, costing one thread
8-15%. :class:`SharedWeights` allocates and owns those buffers; everyone else sees only ``W_in`` and
``W_out``, the vocabulary's rows.

Example
-------
>>> import numpy as np
>>> w = SharedWeights.allocate(V_in=10, V_out=10, d=4, spare_in=0, spare_out=2)
>>> w.W_out.shape, w.buf_out.shape
((10, 4), (12, 4))
"""
from __future__ import annotations

import numpy as np

from .rows import Private, publish_rows, refresh_rows

# A publication streams 3 x HOT_ROWS x d floats a layer. A CBOW window costs so little that publishing every
# 2048 windows took a sixth of its time, so CBOW publishes every 8192 (5 epochs, seeds 1-3: the same quality);
# a skip-gram window writes ~6x more per row, and at 8192 it lost 0.4-0.6 analogy points, so it keeps 2048.
# Two threads against one on the dev corpus (one epoch, benchmark.py scaling): skip-gram 1.90x / 1.95x, CBOW 1.86x /
# 1.90x (negative / hierarchical); with no private rows 1.78x / 1.27x and 1.73x / 0.95x.
HOT_ROWS = 1024
SYNC_EVERY = {"cbow": 8192, "skipgram": 2048}
# With hierarchical softmax the Huffman nodes next to the root are on almost every path, and two threads' copies of
# them drift apart between publications: the ROOT_ROWS nearest the root are published every ROOT_SYNC_EVERY windows
# as well (5 epochs, 2 workers, seeds 1-3: skip-gram 13.07% -> 13.55%, CBOW 10.11% -> 10.57%; gensim 13.5% / 10.7%).
ROOT_ROWS = 64
ROOT_SYNC_EVERY = 64


def available_memory() -> int | None:
    """Bytes of memory the machine can still give (Linux ``MemAvailable``), or None when unknown."""
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def private_row_counts(arch: str, workers: int, V_in: int, V_out: int) -> tuple[int, int]:
    """How many rows of each layer every thread keeps private: none with one worker (nothing to share);
    skip-gram writes one input row per window, so only CBOW keeps input rows private."""
    if workers < 2:
        return 0, 0
    return (min(HOT_ROWS, V_in) if arch == "cbow" else 0), min(HOT_ROWS, V_out)


class SharedWeights:
    """The input and output weight buffers the kernels train, with ``spare_*`` rows past the vocabulary's.

    ``W_in`` and ``W_out`` are views of the leading rows (what a model saves and queries); ``buf_in`` and
    ``buf_out`` are the whole buffers (what the kernels index, private rows included).
    """

    def __init__(self, buf_in: np.ndarray, buf_out: np.ndarray, V_in: int, V_out: int):
        self.buf_in, self.buf_out = buf_in, buf_out
        self.W_in, self.W_out = buf_in[:V_in], buf_out[:V_out]  # (V, d), (V_out, d)

    @classmethod
    def allocate(cls, V_in: int, V_out: int, d: int, spare_in: int, spare_out: int) -> "SharedWeights":
        """Fresh buffers: the input rows uninitialised (fill ``W_in``), the output rows zero as in word2vec."""
        return cls(np.empty((V_in + spare_in, d), np.float32), np.zeros((V_out + spare_out, d), np.float32),
                   V_in, V_out)

    @classmethod
    def adopt(cls, W_in: np.ndarray, W_out: np.ndarray, spare_in: int, spare_out: int) -> "SharedWeights":
        """Weights from elsewhere (a loaded model): trained in place when no spare rows are needed and they
        are writable float32, else copied once into buffers with room."""
        def buffer(W, spare):
            if spare == 0 and W.dtype == np.float32 and W.flags.c_contiguous and W.flags.writeable \
                    and not isinstance(W, np.memmap):
                return W
            out = np.empty((len(W) + spare, W.shape[1]), np.float32)
            out[:len(W)] = W
            return out
        return cls(buffer(W_in, spare_in), buffer(W_out, spare_out), len(W_in), len(W_out))


class PrivateRows:
    """One thread's private copies of the hottest weight rows, kept across its jobs (see ``HOT_ROWS``).

    ``buf_in[base_in:base_in+n_in]`` stand for rows ``0..n_in`` (CBOW only), ``buf_out[base_out:base_out+n_out]``
    for rows ``out_lo..out_lo+n_out``; ``slot`` numbers the thread's block. ``snap_*`` hold the values last
    published or taken.
    """

    def __init__(self, n_in: int, n_out: int, V_in: int, V_out: int, d: int, slot: int, hierarchical: bool):
        self.out_lo = V_out - n_out if hierarchical else 0  # the Huffman root is the last node
        self.base_in, self.base_out = V_in + slot * n_in, V_out + slot * n_out
        self.snap_in = np.empty((n_in, d), np.float32)    # (n_in, d)
        self.snap_out = np.empty((n_out, d), np.float32)  # (n_out, d)
        self.since_sync = 0

    def kernel_args(self):
        """The ``rows.Private`` tuple ``train_job`` takes."""
        return Private(self.snap_in, self.base_in, self.snap_out, self.base_out, self.out_lo)

    def publish(self, buf_in, buf_out):
        """Add what changed since the last publication to the shared rows."""
        publish_rows(buf_in, self.snap_in, self.base_in, 0)
        publish_rows(buf_out, self.snap_out, self.base_out, self.out_lo)

    def refresh(self, buf_in, buf_out):
        """Take the shared values (after every thread has published)."""
        refresh_rows(buf_in, self.snap_in, self.base_in, 0)
        refresh_rows(buf_out, self.snap_out, self.base_out, self.out_lo)
        self.since_sync = 0
