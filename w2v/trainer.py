"""The one training loop: jobs, epochs, learning-rate decay, threads, loss history, progress, checkpoints.

The corpus arrives encoded once as a flat id array with sentence bounds (``w2v.corpus.encode_corpus``) and
is cut into jobs of about ``job_words`` words at sentence boundaries (no sentence is ever cut). Every job
draws its random numbers from a generator seeded by ``(seed, epoch, job)``, so a run with one worker is
reproducible bit for bit and a run resumed at a job boundary continues exactly as if never stopped.

Two backends compute the same network:

* ``numpy`` — the readable reference: examples from ``w2v.models``, minibatches through ``w2v.nn`` losses
  and optimizers. The full softmax always trains here (a few matrix products per batch).
* ``numba`` — ``w2v.kernels.train_job`` over ``workers`` threads sharing the weights (Hogwild).

Example
-------
>>> trainer = Trainer(config, vocab, W_in, W_out)  # doctest: +SKIP
>>> trainer.train(ids, bounds).history  # doctest: +SKIP
[3.12, 2.87, ...]
"""
from __future__ import annotations

import logging
import math
import threading
import time
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
from tqdm.auto import tqdm

from .config import Config
from .errors import TrainingError
from .models import Network, make_architecture
from .nn.optim import make_optimizer, make_schedule
from .vocab import Vocabulary, alias_draw

logger = logging.getLogger(__name__)

# With several threads each keeps private copies of the HOT_ROWS rows written most often (frequent words, the
# Huffman nodes nearest the root) and publishes its changes every SYNC_EVERY windows: rows that both threads
# write bounce between the cores' caches (two CBOW/hierarchical threads shared every row at 0.95x of one).
# The copies sit in spare rows after the vocabulary's, so a kernel reaches a private or a shared row through
# the same index arithmetic; kept in separate arrays, the per-row choice between them cost one thread 8-15%.
# A publication streams 3 x HOT_ROWS x d floats a layer. A CBOW window costs so little that publishing every
# 2048 windows took a sixth of its time, so CBOW publishes every 8192 (5 epochs, seeds 1-3: the same quality);
# a skip-gram window writes ~6x more per row, and at 8192 it lost 0.4-0.6 analogy points, so it keeps 2048.
# Measured on the dev corpus, 2 vs 1 threads, one epoch (benchmark.py scaling): skip-gram 1.90x / 1.95x,
# CBOW 1.86x / 1.90x (negative / hierarchical); with no private rows 1.78x / 1.27x and 1.73x / 0.95x.
HOT_ROWS = 1024
SYNC_EVERY = {"cbow": 8192, "skipgram": 2048}


@dataclass
class TrainState:
    """Where training stands; saved in checkpoints so a run can resume at a job boundary."""

    epoch: int = 0              # current epoch (0-based)
    job: int = 0                # next job of the current epoch
    words_done: int = 0         # corpus words processed over all epochs (drives the learning rate)
    epoch_loss: float = 0.0     # summed loss of the current epoch so far
    epoch_examples: int = 0     # examples of the current epoch so far
    history: list = field(default_factory=list)        # mean loss per finished epoch (float64)
    step_history: list = field(default_factory=list)   # [progress in epochs, mean loss] per logged interval
    lr: float = 0.0             # learning rate of the last job
    train_seconds: float = 0.0  # wall time spent training so far

    def to_dict(self) -> dict:
        return dict(self.__dict__)

    @classmethod
    def from_dict(cls, d: dict) -> "TrainState":
        return cls(**d)


class PrivateRows:
    """One thread's private copies of the hottest weight rows, kept across its jobs (see ``HOT_ROWS``).

    The copies live in spare rows past the vocabulary of the arrays the kernels train (``slot`` numbers the
    thread's block), so a kernel reads a private or a shared row through one index and one code path:
    ``W_in[base_in:base_in+n_in]`` stand for rows ``0..n_in`` (CBOW only: skip-gram writes one input row per
    window), ``W_out[base_out:base_out+n_out]`` for rows ``out_lo..out_lo+n_out``. ``snap_*`` hold the values
    last published or taken.
    """

    def __init__(self, n_in: int, n_out: int, V_in: int, V_out: int, d: int, slot: int, hierarchical: bool):
        self.out_lo = V_out - n_out if hierarchical else 0  # the Huffman root is the last node
        self.base_in, self.base_out = V_in + slot * n_in, V_out + slot * n_out
        self.snap_in = np.empty((n_in, d), np.float32)    # (n_in, d)
        self.snap_out = np.empty((n_out, d), np.float32)  # (n_out, d)
        self.since_sync = 0

    def publish(self, W_in, W_out):
        """Add what changed since the last publication to the shared rows."""
        from .kernels import publish_rows
        publish_rows(W_in, self.snap_in, self.base_in, 0)
        publish_rows(W_out, self.snap_out, self.base_out, self.out_lo)

    def refresh(self, W_in, W_out):
        """Take the shared values (after every thread has published)."""
        from .kernels import refresh_rows
        refresh_rows(W_in, self.snap_in, self.base_in, 0)
        refresh_rows(W_out, self.snap_out, self.base_out, self.out_lo)
        self.since_sync = 0


def private_row_counts(config: Config, V_in: int, V_out: int) -> tuple[int, int]:
    """How many rows of each layer every thread keeps private: none with one worker (nothing to share)."""
    if config.workers < 2 or not config.use_kernels:
        return 0, 0
    return (min(HOT_ROWS, V_in) if config.arch == "cbow" else 0), min(HOT_ROWS, V_out)


def with_spare_rows(W: np.ndarray, spare: int) -> np.ndarray:
    """An array whose leading rows are ``W`` with ``spare`` rows after them: ``W``'s own buffer when ``W`` is
    already the leading rows of one that large (no copy), else a copy."""
    base = W.base
    if spare == 0:
        return W
    if (isinstance(base, np.ndarray) and base.ndim == 2 and base.dtype == W.dtype and base.flags.c_contiguous
            and base.shape[1] == W.shape[1] and len(base) >= len(W) + spare and base.ctypes.data == W.ctypes.data):
        return base
    out = np.empty((len(W) + spare, W.shape[1]), W.dtype)
    out[:len(W)] = W
    return out


def make_jobs(bounds: np.ndarray, job_words: int) -> np.ndarray:
    """Cut sentences into jobs of about ``job_words`` words: returns ``(J+1,)`` sentence indices.

    Job j covers sentences ``cuts[j]:cuts[j+1]``; a job ends at the first sentence end at or after each
    multiple of ``job_words``, so jobs are never empty and never split a sentence.
    """
    start, total = int(bounds[0]), int(bounds[-1])
    marks = np.arange(start + job_words, total, job_words)
    cuts = np.searchsorted(bounds, marks, side="left")
    cuts = np.unique(np.concatenate([[0], cuts, [len(bounds) - 1]]))
    return cuts


def job_seed(seed: int, epoch: int, job: int) -> int:
    """An independent 63-bit seed per (seed, epoch, job)."""
    return int(np.random.SeedSequence([seed & 0xFFFFFFFF, epoch, job]).generate_state(1, np.uint64)[0] >> 1)


class Trainer:
    """Runs the epochs of one training.

    Parameters
    ----------
    config : Config
    vocab : Vocabulary
    W_in, W_out : float32 arrays
        Weights, updated in place.
    state : TrainState, optional
        Resume from here (a checkpoint's state); a fresh run starts at zero.
    optimizer_state : dict, optional
        The numpy optimizer's arrays from a checkpoint (momentum velocity, Adam moments).
    """

    def __init__(self, config: Config, vocab: Vocabulary, W_in: np.ndarray, W_out: np.ndarray,
                 state: TrainState | None = None, optimizer_state: dict | None = None):
        self.config = config
        self.vocab = vocab
        self.W_in, self.W_out = W_in, W_out
        self.state = state or TrainState()
        c = config
        self.schedule = make_schedule(c.lr_schedule, c.start_alpha, c.min_alpha, c.lr_gamma, c.lr_step_size)
        self.keep = vocab.keep_probabilities(c.sample)  # (V,)
        if c.loss == "negative":
            self.threshold, self.alias = vocab.noise_alias(c.ns_exponent)  # (V,), (V,)
        else:
            self.threshold, self.alias = np.zeros(1, np.int64), np.zeros(1, np.int32)
        if c.loss == "hierarchical":
            self.codes, self.points, self.lengths = vocab.huffman()
        else:
            self.codes = np.zeros((1, 1), np.uint8)
            self.points = np.zeros((1, 1), np.int32)
            self.lengths = np.zeros(1, np.int32)
        self.optimizer = None
        self._local = threading.local()   # each worker thread's PrivateRows
        self._private: list[PrivateRows] = []
        self._run_in, self._run_out = W_in, W_out  # the arrays the kernels train (with spare rows: train())
        self._private_lock = threading.Lock()
        if not c.use_kernels:
            self.network = Network(W_in, W_out, c.loss, c.cbow_mean, c.cbow_full_error)
            self.architecture = make_architecture(c.arch)
            self.optimizer = make_optimizer(c.optimizer, [W_in, W_out], momentum=c.momentum)
            if optimizer_state:
                self.optimizer.load_state(optimizer_state)

    # ------------------------------------------------------------------ schedule
    def lr_at(self, words_done: int, epoch: int, words_per_epoch: int) -> float:
        progress = words_done / max(self.config.epochs * words_per_epoch, 1)
        return float(self.schedule(progress, epoch))

    # ------------------------------------------------------------------ private rows of the threads
    def _rows_of_this_thread(self) -> PrivateRows:
        rows = getattr(self._local, "rows", None)
        if rows is None:
            n_in, n_out = private_row_counts(self.config, len(self.W_in), len(self.W_out))
            with self._private_lock:
                rows = PrivateRows(n_in, n_out, len(self.W_in), len(self.W_out), self.W_in.shape[1],
                                   len(self._private), self.config.loss == "hierarchical")
                rows.refresh(self._run_in, self._run_out)
                self._private.append(rows)
            self._local.rows = rows
        return rows

    def _publish_all(self):
        """With no job in flight: every thread's changes into the shared weights, then fresh copies for all,
        and the shared rows into the caller's arrays when the kernels train a copy of them."""
        for rows in self._private:
            rows.publish(self._run_in, self._run_out)
        for rows in self._private:
            rows.refresh(self._run_in, self._run_out)
        if self._run_in.ctypes.data != self.W_in.ctypes.data:
            self.W_in[...] = self._run_in[:len(self.W_in)]
        if self._run_out.ctypes.data != self.W_out.ctypes.data:
            self.W_out[...] = self._run_out[:len(self.W_out)]

    # ------------------------------------------------------------------ one job, each backend
    def _job_kernel(self, ids, bounds, cuts, j, epoch, n_words):
        from .kernels import train_job  # imported here so query-only users never load numba
        c = self.config
        s0, s1 = int(cuts[j]), int(cuts[j + 1])
        base = epoch * n_words
        lr0 = self.lr_at(base + int(bounds[s0]), epoch, n_words)
        lr1 = self.lr_at(base + int(bounds[s1]), epoch, n_words)
        p = self._rows_of_this_thread()
        loss, n_ex, _, p.since_sync = train_job(
            self._run_in, self._run_out, ids, bounds[s0:s1 + 1], self.keep, self.threshold, self.alias, self.points,
            self.codes, self.lengths, c.arch == "cbow", c.loss == "hierarchical", c.cbow_mean,
            c.cbow_mean and not c.cbow_full_error, c.window, c.shrink_windows, c.negative, lr0, lr1,
            job_seed(c.seed, epoch, j), c.compute_loss, p.snap_in, p.base_in, p.snap_out, p.base_out, p.out_lo,
            SYNC_EVERY[c.arch], p.since_sync)
        return loss, n_ex, int(bounds[s1] - bounds[s0]), lr0

    def _job_numpy(self, ids, bounds, cuts, j, epoch, n_words):
        c = self.config
        rng = np.random.default_rng(job_seed(c.seed, epoch, j))
        s0, s1 = int(cuts[j]), int(cuts[j + 1])
        b0, b1 = int(bounds[s0]), int(bounds[s1])
        job_ids = ids[b0:b1]
        local = bounds[s0:s1 + 1] - b0  # (S+1,)
        if c.sample > 0:  # subsampling, then rebuild the sentence bounds of what was kept
            kept = rng.random(len(job_ids)) < self.keep[job_ids]
            per_sentence = np.add.reduceat(kept.astype(np.int64), local[:-1])
            job_ids = job_ids[kept]
            local = np.concatenate([[0], np.cumsum(per_sentence)])
        reduce = rng.integers(0, c.window, size=len(job_ids)) if c.shrink_windows else None
        inputs, mask, targets = self.architecture.examples(job_ids, local, c.window, reduce)
        n = len(targets)
        loss_sum, lr = 0.0, self.lr_at(epoch * n_words + b0, epoch, n_words)
        for start in range(0, n, c.batch_size):
            sl = slice(start, start + c.batch_size)
            # the learning rate follows the corpus position of this batch inside the job
            lr = self.lr_at(epoch * n_words + b0 + (b1 - b0) * start // max(n, 1), epoch, n_words)
            extra = {}
            if c.loss == "negative":
                shape = (len(targets[sl]), c.negative)
                extra["negatives"] = alias_draw(self.threshold, self.alias, rng.integers(0, 2**62, size=shape),
                                                rng.integers(0, 2**32, size=shape))
            elif c.loss == "hierarchical":
                t = targets[sl]
                extra = {"points": self.points[t], "codes": self.codes[t], "lengths": self.lengths[t]}
            loss, grads = self.network.loss_and_grads(inputs[sl], mask[sl], targets[sl], **extra)
            self.optimizer.step(grads, lr)
            loss_sum += loss
        return loss_sum, n, b1 - b0, lr

    # ------------------------------------------------------------------ the loop
    def train(self, ids: np.ndarray, bounds: np.ndarray, progress: bool = True, checkpoint=None,
              checkpoint_every: float | None = None) -> TrainState:
        """Run the remaining epochs over the encoded corpus.

        Parameters
        ----------
        ids, bounds : arrays from :func:`w2v.corpus.encode_corpus`
        progress : bool
            Show a tqdm bar (words/s, loss, learning rate).
        checkpoint : callable(TrainState), optional
            Called at a job boundary, with no job in flight, every ``checkpoint_every`` seconds.

        Returns
        -------
        TrainState, whose ``history`` is the per-epoch mean loss.

        Raises
        ------
        TrainingError
            When the loss becomes NaN or infinite (the message names the learning rate).
        """
        c, st = self.config, self.state
        n_words = int(bounds[-1] - bounds[0])
        cuts = make_jobs(bounds, c.job_words)
        n_jobs = len(cuts) - 1
        run_job = self._job_kernel if c.use_kernels else self._job_numpy
        workers = c.workers if c.use_kernels else 1  # the numpy path is a sequential reference
        bar = tqdm(total=c.epochs * n_words, initial=st.words_done, unit="word", unit_scale=True,
                   disable=not progress, desc="training", dynamic_ncols=True, leave=True)
        last_ckpt = time.monotonic()
        t_start = time.monotonic() - st.train_seconds
        log_every = max(1, n_jobs // 20)  # ~20 points per epoch in step_history
        interval = [0.0, 0]  # loss and examples since the last step_history point
        pool = ThreadPoolExecutor(max_workers=workers) if workers > 1 else None
        # the kernels train arrays with each thread's private rows after the vocabulary's (see PrivateRows)
        n_in, n_out = private_row_counts(c, len(self.W_in), len(self.W_out))
        self._run_in = with_spare_rows(self.W_in, workers * n_in)
        self._run_out = with_spare_rows(self.W_out, workers * n_out)
        self._local, self._private = threading.local(), []  # fresh private rows, copied from the weights

        def record(result):
            loss, n_ex, words, lr = result
            if not math.isfinite(loss):
                raise TrainingError(f"training diverged: the loss became {loss} in epoch {st.epoch + 1} "
                                    f"at learning rate {lr:.4g}; lower alpha (--alpha) and try again")
            st.job += 1
            st.words_done += words
            st.epoch_loss += loss
            st.epoch_examples += n_ex
            st.lr = lr
            interval[0] += loss
            interval[1] += n_ex
            if st.job % log_every == 0 or st.job == n_jobs:
                mean = interval[0] / max(interval[1], 1)
                st.step_history.append([st.words_done / max(n_words, 1), mean])
                bar.set_postfix(loss=f"{mean:.4f}", lr=f"{lr:.5f}", epoch=f"{st.epoch + 1}/{c.epochs}", refresh=False)
                interval[:] = [0.0, 0]
            bar.update(words)

        try:
            while st.epoch < c.epochs:
                epoch_t0 = time.monotonic()
                epoch_words0 = st.words_done
                in_flight: deque = deque()
                j_next = st.job
                while st.job < n_jobs:
                    if pool is None:
                        record(run_job(ids, bounds, cuts, st.job, st.epoch, n_words))
                    else:
                        while j_next < n_jobs and len(in_flight) < 2 * workers:
                            in_flight.append(pool.submit(run_job, ids, bounds, cuts, j_next, st.epoch, n_words))
                            j_next += 1
                        record(in_flight.popleft().result())
                    if checkpoint is not None and checkpoint_every is not None \
                            and time.monotonic() - last_ckpt >= checkpoint_every and st.job < n_jobs:
                        while in_flight:  # let running jobs land so the snapshot is consistent
                            record(in_flight.popleft().result())
                        self._publish_all()
                        st.train_seconds = time.monotonic() - t_start
                        checkpoint(st)
                        last_ckpt = time.monotonic()
                self._publish_all()
                mean = st.epoch_loss / max(st.epoch_examples, 1)
                if not c.compute_loss and c.use_kernels:
                    mean = float("nan")
                    if not np.isfinite(self.W_in[: min(len(self.W_in), 1000)]).all():
                        raise TrainingError(f"training diverged: the vectors became NaN or infinite in epoch "
                                            f"{st.epoch + 1} at learning rate {st.lr:.4g}; lower alpha")
                st.history.append(float(mean))
                secs = time.monotonic() - epoch_t0
                logger.info("epoch %d/%d: mean loss %.5f, %.0f words/s, lr %.5f", st.epoch + 1, c.epochs, mean,
                            (st.words_done - epoch_words0) / max(secs, 1e-9), st.lr)
                st.epoch += 1
                st.job = 0
                st.epoch_loss, st.epoch_examples = 0.0, 0
        finally:
            if pool is not None:
                pool.shutdown(wait=True, cancel_futures=True)
            self._publish_all()  # also after an error: the weights hold every finished update
            bar.close()
        st.train_seconds = time.monotonic() - t_start
        return st
