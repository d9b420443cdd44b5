"""The one training loop: jobs, epochs, learning-rate decay, threads, loss history, progress, checkpoints.

The corpus arrives encoded once (``w2v.text.encoded.EncodedCorpus``: ids and sentence bounds, in memory or on disk)
and is cut into jobs of about ``job_words`` corpus words at sentence boundaries (no sentence is ever cut).
Each job reads its slice (from disk with ``pread`` into per-thread buffers, so memory does not grow with the
corpus) and maps the corpus's ids to the model's with ``remap`` (``kernels.select_job``: words below
``min_count`` drop out). The learning rate and the progress follow corpus words. Every job
draws its random numbers from a generator seeded by ``(seed, epoch, job)``, so a run with one worker is
reproducible bit for bit and a run resumed at a job boundary continues exactly as if never stopped.

Two backends compute the same network:

* ``numpy`` — the readable reference: examples from ``w2v.train.models``, minibatches through ``w2v.nn`` losses
  and optimizers. The full softmax always trains here (a few matrix products per batch).
* ``numba`` — ``w2v.train.kernels.train_job`` over ``workers`` threads sharing the weights (Hogwild; the shared
  buffers and each thread's private rows are ``w2v.train.hogwild``'s).

Example
-------
>>> trainer = Trainer(config, vocab)  # doctest: +SKIP
>>> trainer.init_weights(np.random.default_rng(config.seed))  # doctest: +SKIP
>>> trainer.train(EncodedCorpus.from_arrays(ids, bounds)).history  # doctest: +SKIP
[3.12, 2.87, ...]
"""
from __future__ import annotations

import logging
import math
import threading
import time
from collections import deque
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from ..config import Config
from ..text.encoded import EncodedCorpus
from ..errors import ConfigError, TrainingError
from .hogwild import (ROOT_ROWS, ROOT_SYNC_EVERY, SYNC_EVERY, PrivateRows, SharedWeights, available_memory,
                      private_row_counts)
from .models import Network, make_architecture, make_output, skip_beyond
from ..nn.init import word2vec_uniform
from ..nn.optim import make_optimizer, make_schedule
from ..progress import tqdm
from .state import TrainState
from ..text.vocab import Vocabulary
from . import kernels
from .kernels import make_scratch, select_job
from .warmup import kernel_variant, kernels_ready

logger = logging.getLogger(__name__)


def read_job(corpus: EncodedCorpus, remap: np.ndarray, s0: int, s1: int, max_len: int, buffers: dict):
    """Sentences ``s0:s1`` in model ids (``kernels.select_job``: words mapped by ``remap``, dropped at -1, long
    sentences split), read into ``buffers`` and checked: an id or bound out of range is a corrupt corpus."""
    raw_ids, raw_bounds = corpus.read(s0, s1, buffers)
    ids, bounds = np.empty(len(raw_ids), np.int32), np.empty(len(raw_ids) + 1, np.int64)
    n, s = select_job(raw_ids, raw_bounds, remap, max_len, ids, bounds)
    if n < 0:
        raise TrainingError(f"the encoded corpus {corpus.path or ''} holds an id or a sentence bound out of "
                            f"range in sentences {s0}-{s1}: it is corrupt; prepare the corpus again")
    return ids[:n], bounds[:s + 1]


# an epoch whose mean loss is this many times that of a model scoring every output 0 has diverged: with the skip of
# saturated outputs (Config.skip_saturated) a learning rate far too high leaves the weights finite but huge, never NaN
# (0.5 M words, 2 epochs, alpha 0.5-9.9: 12-72 times in all four configurations; alpha 0.025-0.1: 0.6-1.1 times)
DIVERGED = 8.0


def job_seed(seed: int, epoch: int, job: int) -> int:
    """An independent 63-bit seed per (seed, epoch, job)."""
    return int(np.random.SeedSequence([seed & 0xFFFFFFFF, epoch, job]).generate_state(1, np.uint64)[0] >> 1)


class Trainer:
    """Runs the epochs of one training, on weights it owns.

    Parameters
    ----------
    config : Config
    vocab : Vocabulary
    state : TrainState, optional
        Resume from here (a checkpoint's state); a fresh run starts at zero.

    Give it weights with :meth:`init_weights` (a new run) or :meth:`set_weights` (a loaded model), then call
    :meth:`train`; ``W_in`` / ``W_out`` are the trained weights, ``optimizer_state()`` the numpy optimizer's.
    """

    def __init__(self, config: Config, vocab: Vocabulary, state: TrainState | None = None):
        self.config = config
        self.vocab = vocab
        self.state = state or TrainState()
        c = config
        self.schedule = make_schedule(c.lr_schedule, c.start_alpha, c.min_alpha, c.lr_gamma, c.lr_step_size)
        self.keep = vocab.keep_probabilities(c.sample)  # (V,)
        kept = float((self.keep * vocab.counts).sum() / max(vocab.total_words, 1))
        if kept < 0.25:  # the starter corpus keeps 74% at sample=1e-3, the dev corpus 78%
            logger.warning("subsampling (sample=%g) keeps only %.0f%% of this corpus's words, too few for most "
                           "windows to train: a corpus this small needs sample=0", c.sample, 100 * kept)
        self.output = make_output(c, vocab)
        self.workers = c.workers if c.use_kernels else 1  # the numpy path is a sequential reference
        self.weights: SharedWeights | None = None
        self.optimizer = None
        self._local = threading.local()   # each worker thread's PrivateRows
        self._private: list[PrivateRows] = []
        self._private_lock = threading.Lock()

    # ------------------------------------------------------------------ weights
    def _spare_rows(self) -> tuple[int, int]:
        n_in, n_out = private_row_counts(self.config.arch, self.workers, len(self.vocab),
                                         self.config.output_rows(len(self.vocab)))
        return self.workers * n_in, self.workers * n_out

    def memory_needed(self) -> int:
        """Bytes the weights, the threads' private rows and the numpy optimizer's state will take."""
        c, V = self.config, len(self.vocab)
        spare_in, spare_out = self._spare_rows()
        weights = (V + spare_in + c.output_rows(V) + spare_out) * c.vector_size * 4
        copies = {"sgd": 0, "momentum": 1, "rmsprop": 1, "adam": 2}[c.optimizer] if not c.use_kernels else 0
        batch = 0 if c.use_kernels else 3 * c.batch_size * c.output_rows(V) * 4  # the softmax's (B, V) arrays
        return weights * (1 + copies) + batch

    def _check_memory(self) -> None:
        need, have = self.memory_needed(), available_memory()
        if have is not None and need > have:
            c = self.config
            raise ConfigError(f"training {len(self.vocab):,} words x {c.vector_size:,} dimensions needs "
                              f"{need / 2**30:,.1f} GiB of memory but {have / 2**30:,.1f} GiB is available: lower "
                              "vector_size (--vector-size) or the vocabulary (min_count, max_final_vocab)")

    def init_weights(self, rng: np.random.Generator) -> None:
        """Fresh weights: inputs uniform in [-1/d, 1/d) from ``rng``, outputs zero (word2vec's init)."""
        self._check_memory()
        V = len(self.vocab)
        self.weights = SharedWeights.allocate(V, self.config.output_rows(V), self.config.vector_size,
                                              *self._spare_rows())
        word2vec_uniform(self.weights.W_in.shape, rng, out=self.weights.W_in)
        self._make_network()

    def set_weights(self, W_in: np.ndarray, W_out: np.ndarray, optimizer_state: dict | None = None) -> None:
        """Continue from given weights (and the numpy optimizer's state), copied only if they must be."""
        self._check_memory()
        self.weights = SharedWeights.adopt(W_in, W_out, *self._spare_rows())
        self._make_network(optimizer_state)

    def grow(self, W_in: np.ndarray, W_out: np.ndarray, optimizer_state: dict | None, rng) -> None:
        """Continue from the weights of a smaller vocabulary (``partial_fit``): this vocabulary's first words are
        those rows; new input rows are drawn as :meth:`init_weights` draws them (from ``rng``), new output rows are
        zero, and the optimizer's per-row state grows with its parameters (new rows zero)."""
        c, V = self.config, len(self.vocab)
        grown_in = np.empty((V, c.vector_size), np.float32)
        grown_in[:len(W_in)] = W_in
        word2vec_uniform((V - len(W_in), c.vector_size), rng, out=grown_in[len(W_in):])
        grown_out = np.zeros((c.output_rows(V), c.vector_size), np.float32)
        kept = min(len(W_out), len(grown_out))
        grown_out[:kept] = W_out[:kept]  # hierarchical softmax: the rebuilt tree renumbers these nodes
        self.set_weights(grown_in, grown_out)
        if optimizer_state:
            if self.optimizer is None:
                raise ValueError("it holds optimizer state but plain SGD in the kernels keeps none")
            self.optimizer.load_grown_state(optimizer_state)

    def _make_network(self, optimizer_state=None):
        """The numpy path's network, architecture and optimizer over the weights (with ``optimizer_state``); the
        kernels need none of them (and plain SGD keeps no state to continue)."""
        c = self.config
        if not c.use_kernels:
            self.network = Network(self.W_in, self.W_out, self.output, c.cbow_mean, c.cbow_full_error)
            self.architecture = make_architecture(c.arch)
            self.optimizer = make_optimizer(c.optimizer, [self.W_in, self.W_out], momentum=c.momentum)
            if optimizer_state:
                self.optimizer.load_state(optimizer_state)
        elif optimizer_state:
            raise ValueError(f"it holds optimizer state ({', '.join(sorted(optimizer_state))[:80]}) but plain SGD in "
                             "the kernels keeps none")

    @property
    def W_in(self) -> np.ndarray:
        return self.weights.W_in

    @property
    def W_out(self) -> np.ndarray:
        return self.weights.W_out

    def optimizer_state(self) -> dict:
        """The numpy optimizer's arrays by name (momentum velocity, Adam moments); empty for SGD and kernels."""
        return {} if self.optimizer is None else {k: np.asarray(v) for k, v in self.optimizer.state().items()}

    # ------------------------------------------------------------------ schedule
    def lr_at(self, words_done: int, epoch: int, words_per_epoch: int) -> float:
        """The learning rate at corpus position ``words_done`` (counted from epoch 0) of ``epoch``; the schedule
        runs over this run's epochs, from ``state.run_start`` (where a partial_fit began) to ``config.epochs``."""
        start = self.state.run_start
        progress = (words_done - start * words_per_epoch) / max((self.config.epochs - start) * words_per_epoch, 1)
        return float(self.schedule(progress, epoch - start))

    # ------------------------------------------------------------------ private rows of the threads
    def _rows_of_this_thread(self) -> PrivateRows:
        rows = getattr(self._local, "rows", None)
        if rows is None:
            n_in, n_out = private_row_counts(self.config.arch, self.workers, len(self.W_in), len(self.W_out))
            w = self.weights
            with self._private_lock:
                rows = PrivateRows(n_in, n_out, len(w.W_in), len(w.W_out), w.W_in.shape[1], len(self._private),
                                   self.config.loss == "hierarchical")
                rows.refresh(w.buf_in, w.buf_out)
                self._private.append(rows)
            self._local.rows = rows
        return rows

    def _publish_all(self):
        """With no job in flight: every thread's changes into the shared weights, then fresh copies for all."""
        w = self.weights
        for rows in self._private:
            rows.publish(w.buf_in, w.buf_out)
        for rows in self._private:
            rows.refresh(w.buf_in, w.buf_out)

    # ------------------------------------------------------------------ one job, each backend
    def _kernel_inputs(self):
        c = self.config
        tables = kernels.make_tables(self.keep, **self.output.kernel_tables())
        cbow, hierarchical = kernel_variant(c)
        settings = kernels.Settings(cbow=cbow, hierarchical=hierarchical, sync_every=SYNC_EVERY[c.arch],
                                    sync_root_rows=ROOT_ROWS, sync_root_every=ROOT_SYNC_EVERY,
                                    skip_beyond=skip_beyond(c),
                                    **{name: getattr(c, name) for name in kernels.CONFIG_SETTINGS})
        return kernels.train_job, tables, settings

    def _read_job(self, corpus, remap, s0: int, s1: int):
        """The job's sentences in model ids, read into this thread's buffers (:func:`read_job`)."""
        buffers = getattr(self._local, "buffers", None)
        if buffers is None:
            buffers = self._local.buffers = {}
        return read_job(corpus, remap, s0, s1, self.config.max_sentence_length, buffers)

    def _job(self, corpus, remap, cuts, at, j, epoch):
        """Train job ``j`` of ``epoch``; returns (loss sum, examples, corpus words, learning rate)."""
        ids, bounds = self._read_job(corpus, remap, int(cuts[j]), int(cuts[j + 1]))
        base, w0, w1 = epoch * corpus.n_words, int(at[j]), int(at[j + 1])
        seed = job_seed(self.config.seed, epoch, j)
        if self.config.use_kernels:
            loss, n_ex, lr = self._train_kernel(ids, bounds, base + w0, base + w1, epoch, corpus.n_words, seed)
        else:
            loss, n_ex, lr = self._train_numpy(ids, bounds, base + w0, base + w1, epoch, corpus.n_words, seed)
        return loss, n_ex, w1 - w0, lr

    def _train_kernel(self, ids, bounds, p0, p1, epoch, n_words, seed):
        train_job, tables, settings = self._kernel
        lr0, lr1 = self.lr_at(p0, epoch, n_words), self.lr_at(p1, epoch, n_words)
        p = self._rows_of_this_thread()
        thread = self._local  # this thread's own attributes
        if getattr(thread, "scratch_of", None) is not self._kernel:  # once per thread and run: reused by its jobs
            d = self.weights.buf_in.shape[1]
            thread.scratch = make_scratch(settings, tables, d, self.config.max_sentence_length)
            thread.scratch_of = self._kernel
        loss, n_ex, _, p.since_sync = train_job(self.weights.buf_in, self.weights.buf_out, ids, bounds, tables,
                                                settings, p.kernel_args(), lr0, lr1, seed, p.since_sync,
                                                thread.scratch)
        return loss, n_ex, lr0

    def _train_numpy(self, job_ids, bounds, p0, p1, epoch, n_words, seed):
        c = self.config
        rng = np.random.default_rng(seed)
        if c.sample > 0 and len(job_ids):  # subsampling, then rebuild the sentence bounds of what was kept
            kept = rng.random(len(job_ids)) < self.keep[job_ids]
            per_sentence = np.add.reduceat(kept.astype(np.int64), bounds[:-1])
            job_ids = job_ids[kept]
            bounds = np.concatenate([[0], np.cumsum(per_sentence)])
        reduce = rng.integers(0, c.window, size=len(job_ids)) if c.shrink_windows else None
        inputs, mask, targets = self.architecture.examples(job_ids, bounds, c.window, reduce)
        n = len(targets)
        loss_sum, lr = 0.0, self.lr_at(p0, epoch, n_words)
        for start in range(0, n, c.batch_size):
            sl = slice(start, start + c.batch_size)
            # the learning rate follows the corpus position of this batch inside the job
            lr = self.lr_at(p0 + (p1 - p0) * start // max(n, 1), epoch, n_words)
            draws = self.output.sample(targets[sl], rng)
            loss, grads = self.network.loss_and_grads(inputs[sl], mask[sl], targets[sl], **draws)
            self.optimizer.step(grads, lr)
            loss_sum += loss
        return loss_sum, n, lr

    def null_loss(self) -> float:
        """The loss per example of weights that score every output 0: log 2 for each sigmoid output (1 + negative
        of them, or the Huffman path, its mean over the corpus), log V for the softmax."""
        c = self.config
        if c.loss == "negative":
            return (1 + c.negative) * math.log(2)
        if c.loss == "hierarchical":
            counts = self.vocab.counts
            return math.log(2) * float((counts * self.output.lengths).sum()) / max(int(counts.sum()), 1)
        return math.log(max(len(self.vocab), 2))

    def _end_epoch(self, words_per_s: float, on_epoch_end) -> tuple[bool, float]:
        """Close the epoch in the state (mean loss into the history, or a look at the vectors for divergence when
        no loss is computed; log; move to the next epoch) and call ``on_epoch_end``. Returns whether it asked to
        stop and the seconds it took."""
        c, st = self.config, self.state
        mean = st.epoch_loss / max(st.epoch_examples, 1) if c.compute_loss else None
        if not c.compute_loss:  # no loss to watch: look at the vectors for divergence instead
            if not np.isfinite(self.W_in[: min(len(self.W_in), 1000)]).all():
                raise TrainingError(f"training diverged: the vectors became NaN or infinite in epoch "
                                    f"{st.epoch + 1} at learning rate {st.lr:.4g}; lower alpha")
        else:
            if mean > DIVERGED * self.null_loss():
                raise TrainingError(f"training diverged: the mean loss of epoch {st.epoch + 1} is {mean:.4g}, "
                                    f"{mean / self.null_loss():.0f} times that of untrained weights, at learning rate "
                                    f"{st.lr:.4g}; lower alpha")
            st.history.append(float(mean))
        logger.info("epoch %d/%d: mean loss %s, %.0f words/s, lr %.5f", st.epoch + 1, c.epochs,
                    "-" if mean is None else f"{mean:.5f}", words_per_s, st.lr)
        st.epoch += 1
        st.job = 0
        st.epoch_loss, st.epoch_examples = 0.0, 0
        if on_epoch_end is None:
            return False, 0.0
        t_callback = time.monotonic()
        stop = bool(on_epoch_end(st.epoch, mean))
        if stop:
            logger.info("stopped after epoch %d of %d at a callback's request", st.epoch, c.epochs)
        return stop, time.monotonic() - t_callback

    # ------------------------------------------------------------------ the loop
    def train(self, corpus: EncodedCorpus, remap: np.ndarray | None = None, progress: bool = True, checkpoint=None,
              checkpoint_every: float | None = None, on_epoch_begin=None, on_epoch_end=None) -> TrainState:
        """Run the remaining epochs over the encoded corpus.

        The one training loop: epochs, steps, bookkeeping, progress, checkpoints and callbacks. What a step is
        comes from :meth:`_steps`: a job on this process's threads here, a round on a Dask cluster in
        :class:`w2v.train.distributed.DaskTrainer`.

        Parameters
        ----------
        corpus : EncodedCorpus
            In memory (``EncodedCorpus.from_arrays(ids, bounds)``) or on disk (``w2v.prepare_corpus``).
        remap : (W,) int32, optional
            The model's id of each corpus id, -1 to skip the word; default: the corpus's ids are the model's.
        progress : bool
            Show a tqdm bar (words/s, loss, learning rate).
        checkpoint : callable(TrainState), optional
            Called at a step boundary, with no step in flight, every ``checkpoint_every`` seconds.
        on_epoch_begin, on_epoch_end : callable(epoch), callable(epoch, loss) -> bool, optional
            Called as each epoch (counted from 1) begins, and as it ends, once all of its updates are in the
            weights; ``loss`` is the epoch's mean loss, or None without ``compute_loss``. ``on_epoch_end``
            returning True stops training after that epoch.

        Returns
        -------
        TrainState, whose ``history`` is the per-epoch mean loss.

        Raises
        ------
        TrainingError
            When the loss becomes NaN or infinite (the message names the learning rate).
        """
        c, st = self.config, self.state
        if self.weights is None:
            raise TrainingError("the trainer has no weights: call init_weights() or set_weights() first")
        remap = np.ascontiguousarray(np.arange(len(self.vocab)) if remap is None else remap, np.int32)
        if len(remap) and (remap.min() < -1 or remap.max() >= len(self.vocab)):
            raise TrainingError(f"remap names rows outside the vocabulary of {len(self.vocab)} words")
        steps = self._steps(corpus, remap)
        bar = tqdm(total=c.epochs * corpus.n_words, initial=st.words_done, unit="word", unit_scale=True,
                   disable=not progress, desc=steps.desc, dynamic_ncols=True, leave=True)
        record = _Record(st, c, steps, bar).step
        last_ckpt = time.monotonic()
        t_start = time.monotonic() - st.train_seconds
        try:
            while st.epoch < c.epochs:
                if on_epoch_begin is not None and st.job == 0:
                    on_epoch_begin(st.epoch + 1)
                epoch_t0, words0 = time.monotonic(), st.words_done
                steps.begin_epoch()
                while st.job < steps.count:
                    record(steps.next())
                    if checkpoint is not None and checkpoint_every is not None \
                            and time.monotonic() - last_ckpt >= checkpoint_every and st.job < steps.count:
                        for result in steps.settle():  # the steps in flight land: the snapshot is consistent
                            record(result)
                        st.train_seconds = time.monotonic() - t_start
                        checkpoint(st)
                        last_ckpt = time.monotonic()
                steps.end_epoch()
                secs = time.monotonic() - epoch_t0
                stop, callback_secs = self._end_epoch((st.words_done - words0) / max(secs, 1e-9), on_epoch_end)
                t_start += callback_secs  # a callback's evaluation is not training time
                if stop:
                    break
        finally:
            steps.close()
            bar.close()
        st.train_seconds = time.monotonic() - t_start
        return st

    def _steps(self, corpus: EncodedCorpus, remap: np.ndarray) -> "_Jobs":
        """How this trainer's steps happen: jobs on this process's threads."""
        return _Jobs(self, corpus, remap)

    def check_position(self, steps: int, step: str) -> None:
        """A checkpoint's position must lie inside this run: anything else would skip or repeat work silently."""
        c, st = self.config, self.state
        if st.epoch > c.epochs or st.job >= steps or (st.epoch == c.epochs and st.job):
            raise TrainingError(f"the training state (epoch {st.epoch + 1}, {step} {st.job}) lies outside this run "
                                f"of {c.epochs} epochs of {steps} {step}s; the checkpoint does not belong to it")


class _Record:
    """The bookkeeping of each finished step of :meth:`Trainer.train`: the state's counters, ~20 points of
    ``step_history`` per epoch, the progress bar; a loss that is not finite stops the run."""

    def __init__(self, state: TrainState, config: Config, steps, bar):
        self.state, self.config, self.steps, self.bar = state, config, steps, bar
        self.log_every = max(1, steps.count // 20)
        self.loss, self.examples = 0.0, 0  # since the last step_history point

    def step(self, result) -> None:
        loss, n_ex, words, lr = result
        st, steps = self.state, self.steps
        if not math.isfinite(loss):
            raise TrainingError(f"training diverged: the loss became {loss} in epoch {st.epoch + 1} "
                                f"at learning rate {lr:.4g}; {steps.hint}")
        st.job += 1
        st.words_done += words
        st.epoch_loss += loss
        st.epoch_examples += n_ex
        st.lr = lr
        self.loss += loss
        self.examples += n_ex
        if (st.job % self.log_every == 0 or st.job == steps.count) and self.config.compute_loss:
            mean = self.loss / max(self.examples, 1)
            st.step_history.append([st.epoch + st.job / steps.count, mean])  # x: epochs, fractional
            self.bar.set_postfix(loss=f"{mean:.4f}", lr=f"{lr:.5f}", epoch=f"{st.epoch + 1}/{self.config.epochs}",
                                 refresh=False)
            self.loss, self.examples = 0.0, 0
        self.bar.update(words)


class _Jobs:
    """The steps of :meth:`Trainer.train` in one process: each is a job (``job_words`` of the corpus), trained
    by a thread of the pool (up to two jobs a thread in flight) or, with one worker, in this thread.

    ``count`` steps an epoch; ``next()`` returns the next step's (loss sum, examples, corpus words, learning
    rate); ``settle()`` lands the steps in flight and publishes the threads' private rows (for a checkpoint);
    ``end_epoch()`` after an epoch's last step; ``close()`` always, last.
    """
    desc = "training"
    hint = "lower alpha (--alpha) and try again"

    def __init__(self, trainer: Trainer, corpus: EncodedCorpus, remap: np.ndarray):
        c, st = trainer.config, trainer.state
        if st.shards and st.job:
            raise TrainingError(f"this checkpoint comes from distributed training over {st.shards} shards: resume it "
                                "on a Dask cluster (client=..., CLI: --dask)")
        self.trainer, self.corpus, self.remap = trainer, corpus, remap
        self.cuts, self.at = corpus.cuts(c.job_words)
        self.count = len(self.cuts) - 1
        trainer.check_position(self.count, "job")
        if c.use_kernels:
            kernels_ready(c)  # before the clock starts: compiling is not training
            trainer._kernel = trainer._kernel_inputs()
        self.pool = ThreadPoolExecutor(max_workers=trainer.workers) if trainer.workers > 1 else None
        trainer._local, trainer._private = threading.local(), []  # fresh private rows, copied from the weights
        self.in_flight: deque = deque()
        self.j_next = st.job

    def begin_epoch(self) -> None:
        self.j_next = self.trainer.state.job

    def next(self):
        t, st = self.trainer, self.trainer.state
        if self.pool is None:
            return t._job(self.corpus, self.remap, self.cuts, self.at, st.job, st.epoch)
        while self.j_next < self.count and len(self.in_flight) < 2 * t.workers:
            self.in_flight.append(self.pool.submit(t._job, self.corpus, self.remap, self.cuts, self.at, self.j_next,
                                                   st.epoch))
            self.j_next += 1
        return self.in_flight.popleft().result()

    def settle(self) -> list:
        landed = []
        while self.in_flight:
            landed.append(self.in_flight.popleft().result())
        self.trainer._publish_all()
        return landed

    def end_epoch(self) -> None:
        self.trainer._publish_all()

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
        self.trainer._publish_all()  # also after an error: the weights hold every finished update
