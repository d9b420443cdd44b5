"""The numba kernels made ready in the background: a run starts compiling (or loading from numba's cache) the
kernel it trains with while its corpus is read, and waits for it only when training begins. A first run
compiles the largest kernel in a child process on another core (:func:`compile_in_child`).

Example
-------
>>> start_kernels(config)  # doctest: +SKIP
>>> kernels_ready(config)  # doctest: +SKIP
"""
from __future__ import annotations

import logging
import multiprocessing
import os
import subprocess
import sys
import threading
import time

import numpy as np

from ..config import Config
from ..progress import tqdm
from ..text.huffman import merge_tree
from ..vectors.analogy import analogy_argmax
from .kernels import Settings, Tables, job_kernel, make_scratch, select_job
from .rows import no_private_rows, publish_rows, refresh_rows

logger = logging.getLogger(__name__)


def kernel_variant(config: Config) -> tuple[bool, bool]:
    """``(cbow, hierarchical)``: which of ``kernels.job_kernel`` a run of ``config`` trains with."""
    return config.arch == "cbow", config.loss == "hierarchical"


class _WarmUp:
    """Makes one kernel variant ready while the corpus is read (:func:`start_kernels`)."""

    def __init__(self, variant: tuple[bool, bool], evaluation: bool):
        self.variant, self.evaluation = variant, evaluation
        # here, in the caller's thread: a child forked before the thread below starts inherits no other thread
        child = compile_in_child(*variant)
        # while a child compiles the kernel, the small ones compiled in the thread would take numba's lock from the
        # reading's kernels and a core from the child: they compile after the reading (ready), the child at work
        self.deferred = child is not None
        self.thread = threading.Thread(target=warm_up, args=variant, name="w2v-kernels", daemon=True,
                                       kwargs={"helpers": not self.deferred, "child": child,
                                               "evaluation": evaluation and not self.deferred})
        self.thread.start()

    def ready(self):
        """Wait for the kernels, saying so when that takes a while (a first run compiles them)."""
        notice = threading.Timer(1.0, lambda: tqdm.write("compiling the training kernels (first run only; later "
                                                         "runs load them from numba's cache)"))
        notice.start()
        t0 = time.monotonic()
        if self.deferred:
            warm_up(*self.variant, train=False, evaluation=self.evaluation)
        self.thread.join()
        notice.cancel()
        if time.monotonic() - t0 > 1.0:
            logger.info("kernels ready after %.1fs", time.monotonic() - t0)


_warm_ups: dict[tuple[bool, bool], _WarmUp] = {}  # per kernel variant, once per process


def start_kernels(config: Config, evaluation: bool = False) -> None:
    """Start compiling (or loading) the numba kernels a run of ``config`` trains with in the background, once per
    process and variant, so that training waits for them only after the corpus is read.

    A fresh install compiles them for a few seconds; numba compiles one function at a time per process, so the
    largest (``kernels.job_kernel``) compiles in a child process on another core (:func:`compile_in_child`)
    while this one reads the corpus, and then loads from numba's cache. ``evaluation``: the run evaluates its
    vectors when it ends; that kernel compiles meanwhile too.
    """
    variant = kernel_variant(config)
    if variant not in _warm_ups:
        _warm_ups[variant] = _WarmUp(variant, evaluation)


def kernels_ready(config: Config) -> None:
    """Wait for the kernels of a run of ``config`` (:meth:`_WarmUp.ready`)."""
    start_kernels(config)
    _warm_ups[kernel_variant(config)].ready()


CHILD_TIMEOUT_S = 300  # compile_in_child: a child slower than this is stopped and the kernel compiled in-process


def _warm_inputs(cbow: bool, hierarchical: bool) -> tuple:
    """Arguments of the types training passes to :func:`job_kernel` ``(cbow, hierarchical)``, on empty inputs."""
    f32, i32, i64 = np.float32, np.int32, np.int64
    W = np.zeros((2, 4), f32)
    tables = Tables(np.ones(2, f32), np.zeros(2, i64), np.zeros(2, i32), np.zeros((2, 1), i32),
                    np.zeros((2, 1), np.uint8), np.ones(2, i32))
    settings = Settings(cbow=cbow, hierarchical=hierarchical, window=2, negative=1)
    return (W, W.copy(), np.zeros(0, i32), np.zeros(1, i64), tables, settings, no_private_rows(4), 0.025, 0.025, 1, 0,
            make_scratch(settings, tables, 4, 1))


def warm_up(cbow: bool = True, hierarchical: bool = False, train: bool = True, helpers: bool = True,
            evaluation: bool = False, child: multiprocessing.process.BaseProcess | subprocess.Popen | None = None
            ) -> None:
    """Compile (or load from numba's cache) the kernels training calls, with the argument types training
    passes, on empty inputs: a fresh install compiles once, here, instead of inside the first timed job.

    ``cbow``, ``hierarchical``: the variant of :func:`job_kernel` to make ready; ``train``: that kernel (the
    largest); ``helpers``: the small kernels around it; ``evaluation``: :func:`analogy_argmax` too, for a run
    that evaluates its vectors when it ends. ``child``: a process compiling the kernel meanwhile
    (:func:`compile_in_child`): the kernel then loads from the cache once it is done.

    Example
    -------
    >>> warm_up(True, False, child=compile_in_child(True, False))  # doctest: +SKIP
    """
    f32, i32, i64 = np.float32, np.int32, np.int64
    if helpers:
        W, snap = np.zeros((2, 4), f32), np.zeros((0, 4), f32)
        select_job(np.zeros(0, i32), np.zeros(1, i64), np.zeros(1, i32), 1, np.zeros(1, i32), np.zeros(1, i64))
        publish_rows(W, snap, 0, 0)
        refresh_rows(W, snap, 0, 0)
        if hierarchical:  # the Huffman tree, built when training starts
            merge_tree(np.ones(2, i64), True)
    if evaluation:
        q = np.zeros(0, i64)
        analogy_argmax(np.zeros((1, 1), f32), q, q, q, np.zeros((0, 3), i64), False, q, 0, 0)
    if child is not None:
        _join(child)  # then the kernel loads from the cache, or compiles here if the child failed
    if train:
        job_kernel(cbow, hierarchical)(*_warm_inputs(cbow, hierarchical))


def cached(cbow: bool, hierarchical: bool) -> bool:
    """Whether numba's cache holds :func:`job_kernel` ``(cbow, hierarchical)`` compiled from this source for this
    machine (the key numba itself looks up)."""
    from numba import typeof
    kernel = job_kernel(cbow, hierarchical)
    try:
        key = kernel._cache._index_key(tuple(typeof(a) for a in _warm_inputs(cbow, hierarchical)),
                                       kernel.targetctx.codegen())
        return key in kernel._cache._cache_file._load_index()
    except Exception:  # noqa: BLE001 - numba's cache internals moved, or no cache: compile in-process as before
        return True


def compile_in_child(cbow: bool, hierarchical: bool) -> multiprocessing.process.BaseProcess | subprocess.Popen | None:
    """Start compiling :func:`job_kernel` ``(cbow, hierarchical)`` into numba's cache in a child process, when
    the cache lacks it; returns the child (for :func:`warm_up`), or None.

    numba compiles one function at a time per process (a global lock, holding the GIL), so a second process is
    the only way to compile on a second core: the caller reads its corpus (compiling the ingestion kernels)
    and compiles the small kernels while the child compiles the largest. A caller with no other thread forks
    (Linux): the copy starts compiling at once, with numba imported and initialised, where a fresh interpreter
    spends 0.7 s getting there. With other threads (forking them is unsafe) the child is a fresh interpreter.
    If the child fails (a cache directory it cannot write, a crash), :func:`warm_up` finds no cached kernel
    and compiles it in-process.

    Example
    -------
    >>> warm_up(True, False, child=compile_in_child(True, False))  # doctest: +SKIP
    """
    from numba import config
    if config.DISABLE_JIT or (os.cpu_count() or 1) < 2 or cached(cbow, hierarchical):
        return None
    if sys.platform == "linux" and threading.active_count() == 1:
        try:  # numba's first compile of a process initialises its target (0.3 s); done here, the copy inherits it
            job_kernel(cbow, hierarchical).targetctx.refresh()
        except Exception:  # noqa: BLE001 - numba's internals moved: the copy initialises it itself
            pass
        child = multiprocessing.get_context("fork").Process(
            target=_compile_quietly, args=(cbow, hierarchical), name="w2v-compile", daemon=True)
        try:
            child.start()
            return child
        except OSError:  # no memory to fork a large process under strict overcommit: a fresh interpreter instead
            pass
    python = os.path.basename(sys.executable or "").lower().startswith(("python", "pypy"))
    if not python or getattr(sys, "frozen", False):  # an embedding or frozen application: no interpreter to run
        return None
    package_parent = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    code = (f"import sys; sys.path.insert(0, {package_parent!r}); from w2v.train import warmup; "
            f"warmup.warm_up({bool(cbow)}, {bool(hierarchical)}, helpers=False)")
    try:
        return subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
    except OSError:
        return None


def _compile_quietly(cbow: bool, hierarchical: bool) -> None:
    """A forked child's work: the kernel into numba's cache, its output discarded (this process reports any
    error when it compiles the kernel itself), as a fresh interpreter's is."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    warm_up(cbow, hierarchical, helpers=False)


def _join(child: multiprocessing.process.BaseProcess | subprocess.Popen) -> None:
    """Wait for a compiling child (:func:`compile_in_child`); one slower than ``CHILD_TIMEOUT_S`` is stopped."""
    if isinstance(child, subprocess.Popen):
        try:
            child.wait(timeout=CHILD_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            child.kill()
    else:
        child.join(CHILD_TIMEOUT_S)
        if child.exitcode is None:
            child.kill()
