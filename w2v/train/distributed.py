"""Training on a Dask cluster: rounds of local training from shared weights, merged row by row.

The driver (the process that calls ``fit(corpus, client=client)``) holds the global weights. The encoded corpus
(``w2v.text.prepare``; with a client, its vocabulary is counted by the workers) is cut into one
*shard* per worker: contiguous runs of the jobs the single-process trainer would run. Training goes in *rounds*:

1. every worker trains the next ``round_words`` words of its shard with the numba kernels, starting from the
   global weights of this round (its replica), with each job's learning rate taken from the *global* progress
   (all workers advance together, so the schedule is the single-process one) and each job's seed from
   ``(seed, epoch, job)``;
2. it sends back only the rows it changed, with their new values;
3. the driver merges them into the global weights (``merge``; the default, ``scaled``, has the workers train at
   N times the learning rate and adds the mean of their changes, ``sum`` adds them, ``average`` averages each
   row over the workers that changed it; see :func:`merge_rows`) and broadcasts the new values of the rows that
   changed, which every replica applies before its next round.

A replica is therefore equal to the driver's weights at every round, bit for bit, and a task is a pure function
of (weights version, slice, seed): a task lost with its worker is run again by Dask elsewhere and gives the same
result. A worker that lacks the version a task needs (a fresh one after a crash) says so (:class:`StaleReplica`)
and the driver sends it the whole weights once. ``docs/distributed.md`` states the cost model and measurements.

This is the only module that imports dask, and only when a cluster is used.

Example
-------
>>> from dask.distributed import Client, LocalCluster  # doctest: +SKIP
>>> client = Client(LocalCluster(n_workers=2, threads_per_worker=1))  # doctest: +SKIP
>>> model = w2v.Word2Vec(epochs=5).fit("corpus.txt", client=client)  # doctest: +SKIP
"""
from __future__ import annotations

import contextlib
import logging
import math
import os
import threading
import time
import uuid
import warnings
from concurrent.futures import CancelledError, ThreadPoolExecutor

import numpy as np

from ..text.encoded import EncodedCorpus
from ..errors import ConfigError, CorpusError, TrainingError
from . import kernels
from .rows import changed_rows, merge_part, no_private_rows, set_rows, take_rows
from .trainer import Trainer, job_seed, read_job

logger = logging.getLogger(__name__)

# merges per epoch at the least, whatever round_words says: with 8 workers and one merge an epoch the dev corpus
# lost 1.2 analogy points, with two it lost none (5 seeds: -0.09 points on average); each round costs ~130 ms of
# exchange on 2 cores, so 2 workers kept 0.60-0.74 of one process's speed at 4 merges an epoch and 0.73-0.89 at 3
MIN_ROUNDS = 2
RESEND_TRIES = 5     # times a task is sent again (with the spec, the whole weights) before the run gives up
WORKER_WAIT_S = 30   # how long a round waits for a worker to (re)join a cluster that has none at the moment


class StaleReplica(Exception):
    """A worker does not hold the weights version a task starts from (it is new, or lost its state)."""


# ================================================================================================ worker side
_runs: dict = {}  # run id -> _Replica, in each worker process
_runs_lock = threading.Lock()


class _Replica:
    """One run's weights on a worker: ``base_*`` = the global weights of ``version``; ``work_*`` = the same
    values, trained in place by a task and put back to ``base_*`` (row by row) when its changes are taken."""

    def __init__(self, spec: dict, version: int, W_in: np.ndarray, W_out: np.ndarray):
        self.version = version
        self.base_in, self.base_out = np.array(W_in, np.float32), np.array(W_out, np.float32)
        self.work_in, self.work_out = self.base_in.copy(), self.base_out.copy()
        self.lock = threading.Lock()
        if spec["arrays"] is not None:
            self.corpus = EncodedCorpus.from_arrays(*spec["arrays"])
        else:
            path = spec["corpus"]
            if not os.path.isdir(path):
                raise CorpusError(f"the Dask worker on {_host()} cannot read the prepared corpus {path}: put it on "
                                  "storage every worker sees (w2v prepare CORPUS -o /shared/NAME.w2vcorpus) and "
                                  "train on that")
            self.corpus = EncodedCorpus.open(path, verify=False)  # the driver verified it; ids are checked per job
            if self.corpus.identity() != spec["identity"]:
                raise CorpusError(f"the Dask worker on {_host()} sees another corpus at {path} than the driver: "
                                  "share one prepared corpus between them")

    def apply(self, rows_in, vals_in, rows_out, vals_out) -> None:
        """Move to the next version: the rows the merge changed get their new values."""
        set_rows(self.base_in, self.work_in, rows_in, vals_in)
        set_rows(self.base_out, self.work_out, rows_out, vals_out)

    def take_changes(self):
        """``(rows, new values)`` of each layer for the rows a task changed; puts those rows back."""
        out = []
        for base, work in ((self.base_in, self.work_in), (self.base_out, self.work_out)):
            rows = np.empty(len(base), np.int64)
            rows = rows[: changed_rows(work, base, rows)].copy()
            values = np.empty((len(rows), base.shape[1]), np.float32)  # (r, d)
            take_rows(work, base, rows, values)
            out += [rows, values]
        return out


def _host() -> str:
    import socket
    return socket.gethostname()


def _replica(spec: dict, version: int, update, full) -> _Replica:
    run = spec["run"]
    with _runs_lock:
        rep = _runs.get(run)
        if full is not None and (rep is None or rep.version != version):
            for other in [r for r in _runs if r != run]:  # one run at a time per worker: free older ones
                del _runs[other]
            rep = _runs[run] = _Replica(spec, *full)
        if rep is None:
            raise StaleReplica(f"no replica of run {run}")
        if rep.version == version - 1 and update is not None and update[0] == version:
            rep.apply(*update[1:])
            rep.version = version
        if rep.version != version:
            raise StaleReplica(f"replica at version {rep.version}, the task needs {version}")
        return rep


def train_slice(spec: dict, version: int, update, full, jobs: np.ndarray, lrs: np.ndarray) -> dict:
    """One worker's part of a round (runs on a Dask worker).

    Parameters
    ----------
    spec : dict
        The run: ``run`` id, the corpus (``corpus`` path and ``identity``, or in-memory ``arrays``), ``remap``,
        the kernels' ``tables`` and ``settings``, ``max_len``.
    version : int
        The weights version this slice trains from.
    update : tuple or None
        ``(version, rows_in, values_in, rows_out, values_out)``: the merge that made ``version``.
    full : tuple or None
        ``(version, W_in, W_out)``: the whole weights, for a worker that has no replica yet.
    jobs : (J, 3) int64
        Each job's first and end sentence and its seed.
    lrs : (J, 2) float64
        Each job's learning rate at its start and end.

    Returns
    -------
    dict with the changed rows and their differences per layer, the loss sum, examples and words.
    """
    t0 = time.perf_counter()
    rep = _replica(spec, version, update, full)
    with rep.lock:
        t1 = time.perf_counter()
        try:
            loss, n_ex = _train_jobs(rep, spec, jobs, lrs)
        except BaseException:
            rep.work_in[:], rep.work_out[:] = rep.base_in, rep.base_out  # a failed task leaves the replica clean
            raise
        t2 = time.perf_counter()
        rows_in, v_in, rows_out, v_out = rep.take_changes()
    return {"rows_in": rows_in, "values_in": v_in, "rows_out": rows_out, "values_out": v_out, "loss": loss,
            "examples": n_ex, "seconds": (t1 - t0, t2 - t1, time.perf_counter() - t2)}


def _train_jobs(rep: _Replica, spec: dict, jobs, lrs):
    """Train the slice's jobs on the replica's work arrays with the worker's threads (Hogwild)."""
    from dask.distributed import get_worker
    private = no_private_rows(rep.work_in.shape[1])
    local = threading.local()

    def one(j):
        buffers = getattr(local, "buffers", None)
        if buffers is None:
            buffers = local.buffers = {}
        s0, s1, seed = (int(x) for x in jobs[j])
        ids, bounds = read_job(rep.corpus, spec["remap"], s0, s1, spec["max_len"], buffers)
        loss, n_ex, _, _ = kernels.train_job(rep.work_in, rep.work_out, ids, bounds, spec["tables"],
                                             spec["settings"], private, float(lrs[j, 0]), float(lrs[j, 1]), seed, 0)
        return loss, n_ex

    try:
        threads = max(1, int(get_worker().state.nthreads))
    except (ValueError, AttributeError):  # not on a worker (called directly, as the tests do)
        threads = 1
    if threads == 1 or len(jobs) < 2:
        results = [one(j) for j in range(len(jobs))]
    else:
        with ThreadPoolExecutor(threads) as pool:
            results = list(pool.map(one, range(len(jobs))))
    return float(sum(r[0] for r in results)), int(sum(r[1] for r in results))


def forget(run: str) -> None:
    """Free a run's replica on this worker (the driver calls it on every worker when the run ends)."""
    with _runs_lock:
        _runs.pop(run, None)


# ================================================================================================ driver side
class RoundPlan:
    """Which jobs each shard trains in each round of an epoch.

    The corpus's jobs (``EncodedCorpus.cuts``) are cut into ``shards`` contiguous runs of about equal words; an
    epoch has as many rounds as the largest shard needs at ``round_words`` words a round (at least ``MIN_ROUNDS``,
    at most one job per shard a round), and each shard's run is cut into that many pieces of about equal words.

    Example
    -------
    >>> plan = RoundPlan(np.arange(41), np.arange(0, 410, 10), shards=2, round_words=40)
    >>> plan.rounds, plan.jobs(0, 0), plan.jobs(1, 4)
    (5, (0, 4), (36, 40))
    """

    def __init__(self, cuts: np.ndarray, at: np.ndarray, shards: int, round_words: int):
        n_jobs, n_words = len(cuts) - 1, int(at[-1])
        edges = np.searchsorted(at, np.arange(shards + 1) * n_words / shards, side="left")
        edges[0], edges[-1] = 0, n_jobs
        words = at[edges[1:]] - at[edges[:-1]]
        self.rounds = max(MIN_ROUNDS, math.ceil(int(words.max()) / round_words))
        self.rounds = min(self.rounds, max(1, n_jobs // shards))  # a round trains at least a job per shard
        self.shards = shards
        self._edges = np.zeros((shards, self.rounds + 1), np.int64)  # shard k, round r: jobs [e[k, r], e[k, r+1])
        for k in range(shards):
            a, b = edges[k], edges[k + 1]
            marks = at[a] + np.arange(self.rounds + 1) * (at[b] - at[a]) / self.rounds
            e = np.searchsorted(at, marks, side="left")
            e[0], e[-1] = a, b
            self._edges[k] = np.clip(e, a, b)

    def jobs(self, shard: int, r: int) -> tuple[int, int]:
        """The jobs ``[j0, j1)`` shard ``shard`` trains in round ``r``."""
        return int(self._edges[shard, r]), int(self._edges[shard, r + 1])

    def first_job(self, r: int) -> np.ndarray:
        """(shards,) the first job of round ``r`` in each shard (round ``rounds``: each shard's end)."""
        return self._edges[:, r]


def merge_rows(W: np.ndarray, parts: list, how: str) -> np.ndarray:
    """Merge the workers' new rows ``parts`` = [(rows, values), ...] into ``W`` in place; returns the rows changed.

    Each worker's change of a row is ``value - W[row]``. ``sum`` adds every change, ``average`` divides a row's
    summed change by the number of workers that changed it (Spark's per-word average), ``scaled`` divides every
    change by the number of workers N (the workers trained at N times the learning rate: a row that moves in
    proportion to the rate gets the sum of the changes at the schedule's rate, a frequent row that reaches its
    target within a round gets the average instead of N times the step, which diverged with ``sum`` at 4 workers).
    A row only one worker changed takes its value (with ``scaled`` only when N = 1).

    Example
    -------
    >>> W = np.zeros((3, 1), np.float32)
    >>> merge_rows(W, [(np.array([0, 2]), np.array([[1.0], [2.0]], np.float32)),
    ...                (np.array([2]), np.array([[4.0]], np.float32))], "average").tolist(), W.ravel().tolist()
    ([0, 2], [1.0, 0.0, 3.0])
    """
    touched = np.zeros(len(W), np.int32)
    for rows, _ in parts:
        touched[rows] += 1
    scaled = how == "scaled" and len(parts) > 1
    shared = np.flatnonzero(touched > (0 if scaled else 1))  # rows whose changes are added up
    slot = np.full(len(W), -1, np.int64)
    slot[shared] = np.arange(len(shared))
    acc = np.zeros((len(shared), W.shape[1]), np.float32)  # (s, d) the summed changes of those rows
    scale = np.float32(1.0 / len(parts) if how == "scaled" else 1.0)
    for rows, values in parts:
        merge_part(W, rows, values, slot, acc, scale)
    if how == "average":
        acc /= touched[shared, None].astype(np.float32)
    W[shared] += acc
    return np.flatnonzero(touched)


class DaskTrainer(Trainer):
    """A :class:`~w2v.train.trainer.Trainer` whose epochs run as rounds on a Dask cluster (see the module docstring).

    Its ``train`` takes the same arguments and keeps the same state (``job`` counts rounds, ``shards`` the
    shards), so ``Word2Vec`` checkpoints, resumes and calls back as in one process.
    """

    def __init__(self, config, vocab, client, state=None):
        super().__init__(config, vocab, state)
        self.client = client
        self.workers = 1  # the driver never trains: no private rows in its weights

    def _addresses(self) -> list[str]:
        """The cluster's workers now, asked of the scheduler (``Client.nthreads``). Not ``scheduler_info()``: its
        cached copy is replaced every few seconds by one that lists no workers, and a default test run once read
        that copy. A round that finds none waits up to ``WORKER_WAIT_S`` for one to join (a nanny restarting a
        worker that died) before it gives up."""
        addresses = sorted(self.client.nthreads())
        if not addresses:
            try:
                self.client.wait_for_workers(1, timeout=WORKER_WAIT_S)
            except (TimeoutError, OSError):
                pass
            addresses = sorted(self.client.nthreads())
        if not addresses:
            raise TrainingError(f"the Dask cluster has had no workers for {WORKER_WAIT_S} s: start some (dask worker "
                                "SCHEDULER) and try again")
        return addresses

    def _steps(self, corpus: EncodedCorpus, remap: np.ndarray) -> "_Rounds":
        """The steps of :meth:`Trainer.train` (the one loop) are rounds on the cluster."""
        return _Rounds(self, corpus, remap)

    def _round(self, version, update, full, plan: RoundPlan, at, cuts, n_words):
        """Run round ``state.job`` of ``state.epoch`` on every shard; returns the results in shard order and the
        corpus words the round covered."""
        c, st = self.config, self.state
        r, e = st.job, st.epoch
        first, last = plan.first_job(r), plan.first_job(r + 1)
        words = int((at[last] - at[first]).sum())
        done = int((at[first] - at[plan.first_job(0)]).sum())
        p0 = e * n_words + done  # global progress at the start of the round
        tasks = []
        for k in range(plan.shards):
            j0, j1 = plan.jobs(k, r)
            piece = max(int(at[j1] - at[j0]), 1)
            js = np.arange(j0, j1)
            # every shard's piece spans the round's whole stretch of the schedule: all workers advance together
            pos0 = p0 + words * (at[js] - at[j0]) / piece
            pos1 = p0 + words * (at[js + 1] - at[j0]) / piece
            lrs = np.array([[self.lr_at(a, e, n_words), self.lr_at(b, e, n_words)] for a, b in zip(pos0, pos1)],
                           np.float64).reshape(-1, 2)
            jobs = np.array([[cuts[j], cuts[j + 1], job_seed(c.seed, e, int(j))] for j in js], np.int64).reshape(-1, 3)
            if c.merge == "scaled":  # N times the rate, 1/N of the changes: see merge_rows
                lrs = lrs * plan.shards
            tasks.append((jobs, lrs))
        if len(tasks) and len(tasks[-1][1]):
            st.lr = float(tasks[-1][1][-1, 1])
        addresses = self._addresses()
        # the round's update goes straight to every worker once; if that fails (a worker dying), inside the tasks
        shared_update, shared_full = self._broadcast(update), self._broadcast(full)
        futures = [self._submit(version, shared_update, shared_full, t, k, addresses, 0) for k, t in enumerate(tasks)]
        results = []
        for k, f in enumerate(futures):
            for attempt in range(1, RESEND_TRIES + 1):
                try:
                    results.append(f.result())
                    break
                except (StaleReplica, CancelledError) as e:
                    if attempt == RESEND_TRIES:
                        raise TrainingError(f"shard {k} could not train after {attempt} tries ({e}); is the cluster "
                                            "losing workers?") from None
                    if isinstance(e, CancelledError):  # every worker holding the run's spec died
                        logger.info("shard %d: the run's spec was lost with its workers; sending it again", k)
                        self._spec_f = self._broadcast(self._spec)  # the corpus, remap and kernel tables
                    else:
                        logger.info("shard %d: its worker has no replica (restarted?); sending it the weights", k)
                        if full is None:  # the weights of this version, for a worker that has none
                            full = (version, self.W_in.copy(), self.W_out.copy())
                    f = self._submit(version, update, full, tasks[k], k, self._addresses(), attempt)
        return results, words

    def _broadcast(self, obj):
        """``obj`` sent to every worker directly (a future), or ``obj`` itself to travel inside the tasks when
        that fails; a task retried after a loss gets ``obj`` itself, which the scheduler keeps with the task."""
        if obj is None:
            return None
        try:
            return self.client.scatter([obj], broadcast=True, hash=False, direct=True)[0]
        except Exception as e:  # noqa: BLE001 - a worker lost while sending: the tasks carry it instead
            logger.info("broadcast failed (%s); the tasks carry the data", e)
            return obj

    def _submit(self, version, update, full, task, k, addresses, attempt):
        jobs, lrs = task
        with warnings.catch_warnings():  # "large graph": the rows a round exchanges are meant to travel this way
            warnings.simplefilter("ignore", UserWarning)
            return self.client.submit(train_slice, self._spec_f, version, update, full, jobs, lrs,
                                      key=f"w2v-train-{version}-{k}-{attempt}-{uuid.uuid4().hex[:8]}",
                                      workers=[addresses[k % len(addresses)]], allow_other_workers=True, pure=False)


class _Rounds:
    """The steps of :meth:`Trainer.train` on a Dask cluster: each is a round (every shard trains its next
    ``round_words`` words from the same weights; the driver merges the rows they changed). Same protocol as
    ``w2v.train.trainer._Jobs``; a round ends with nothing in flight, so ``settle`` has nothing to land."""
    hint = "lower alpha (--alpha) or round_words (--round-words)"

    def __init__(self, trainer: DaskTrainer, corpus: EncodedCorpus, remap: np.ndarray):
        c, st = trainer.config, trainer.state
        if not c.use_kernels:
            raise ConfigError("distributed training runs the numba kernels: use loss='negative' or 'hierarchical'")
        if st.shards == 0 and st.job:
            raise TrainingError("this checkpoint stopped inside an epoch of single-process training: resume it "
                                "without a Dask cluster")
        st.shards = st.shards if st.job else len(trainer._addresses())  # mid-epoch: the checkpoint's shards
        self.trainer, self.n_words = trainer, corpus.n_words
        self.cuts, self.at = corpus.cuts(c.job_words)
        self.plan = RoundPlan(self.cuts, self.at, st.shards, c.round_words)
        self.count = self.plan.rounds
        trainer.check_position(self.count, "round")
        self.desc = f"training on {st.shards} Dask workers"
        _, tables, settings = trainer._kernel_inputs()
        self.run = uuid.uuid4().hex
        spec = {"run": self.run, "corpus": None if corpus.path is None else str(corpus.path),
                "identity": corpus.identity(), "remap": remap, "tables": tables, "settings": settings,
                "max_len": c.max_sentence_length, "arrays": None}
        if corpus.path is None:  # sentences given in memory: every worker receives them once
            spec["arrays"] = corpus.read(0, corpus.n_sentences)
        trainer._spec = spec
        trainer._spec_f = trainer._broadcast(spec)  # the corpus, remap and kernel tables
        # version 0: every worker receives the whole weights once; later rounds send only the merged rows
        self.full = (0, trainer.W_in.copy(), trainer.W_out.copy())
        self.update, self.version = None, 0
        # per round: wall time of the tasks and of the merge, rows merged, each worker's (update, train, diff)
        # seconds: what the cost model of docs/distributed.md is checked against
        trainer.timings = []

    def begin_epoch(self) -> None:
        pass

    def next(self):
        t, c, st = self.trainer, self.trainer.config, self.trainer.state
        t_round = time.monotonic()
        results, words = t._round(self.version, self.update, self.full, self.plan, self.at, self.cuts, self.n_words)
        t_merge = time.monotonic()
        rows_in = merge_rows(t.W_in, [(r["rows_in"], r["values_in"]) for r in results], c.merge)
        rows_out = merge_rows(t.W_out, [(r["rows_out"], r["values_out"]) for r in results], c.merge)
        self.version += 1
        self.update = (self.version, rows_in, t.W_in[rows_in], rows_out, t.W_out[rows_out])
        self.full = None  # the workers hold replicas now
        t.timings.append({"round": t_merge - t_round, "merge": time.monotonic() - t_merge,
                          "rows": (len(rows_in), len(rows_out)), "worker": [r["seconds"] for r in results]})
        if not c.compute_loss and not np.isfinite(t.W_in[rows_in[:1000]]).all():  # no loss to watch
            raise TrainingError(f"training diverged: the vectors became NaN or infinite in epoch {st.epoch + 1} at "
                                f"learning rate {st.lr:.4g}; {self.hint}")
        return sum(r["loss"] for r in results), sum(r["examples"] for r in results), words, st.lr

    def settle(self) -> list:
        return []

    def end_epoch(self) -> None:
        st = self.trainer.state
        st.words_done = (st.epoch + 1) * self.n_words  # whole epochs, exactly (rounding in the rounds' shares)

    def close(self) -> None:
        self.trainer._spec_f = None  # releases the scattered spec
        with contextlib.suppress(Exception):
            self.trainer.client.run(forget, self.run)


# ================================================================================================ clusters
@contextlib.contextmanager
def connect(spec: str):
    """A ``dask.distributed.Client`` for ``--dask SPEC``: ``local`` (a LocalCluster of one single-thread worker
    process per core), ``local:N`` (N workers) or a scheduler address (``tcp://HOST:8786``).

    Example
    -------
    >>> with connect("local:2") as client:  # doctest: +SKIP
    ...     model = w2v.Word2Vec().fit("corpus.txt", client=client)
    """
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise ConfigError("distributed training needs Dask: pip install 'dask[distributed]'") from None
    if not logging.getLogger("w2v").isEnabledFor(logging.INFO):  # -v shows Dask's own log; else its warnings only
        logging.getLogger("distributed").setLevel(logging.WARNING)
    spec = str(spec)
    if spec == "local" or spec.startswith("local:"):
        n = spec.partition(":")[2]
        if n and not (n.isdigit() and int(n) >= 1):
            raise ConfigError(f"--dask {spec}: write local or local:N with N >= 1 workers")
        n_workers = int(n) if n else (os.cpu_count() or 1)
        environ = dict(os.environ)
        cluster = LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True, dashboard_address=":0")
        # Dask sets its workers' OMP/MKL/OPENBLAS_NUM_THREADS=1 (and MALLOC_TRIM_THRESHOLD_) in this process's
        # environment too: every process started later would inherit one BLAS thread
        os.environ.clear()
        os.environ.update(environ)
        try:
            with Client(cluster) as client:
                yield client
        finally:
            cluster.close()
        return
    if "://" not in spec:
        raise ConfigError(f"--dask {spec}: write local, local:N or a scheduler address such as tcp://HOST:8786")
    try:
        client = Client(spec, timeout=30)
    except OSError as e:
        raise ConfigError(f"--dask {spec}: cannot reach the Dask scheduler ({e}); start it with dask scheduler "
                          "and workers with dask worker " + spec) from None
    with client:
        yield client
