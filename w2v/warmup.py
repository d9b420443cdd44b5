"""The numba kernels made ready in the background: a run starts compiling (or loading from numba's cache) the
kernel it trains with while its corpus is read, and waits for it only when training begins.

Example
-------
>>> start_kernels(config)  # doctest: +SKIP
>>> kernels_ready(config)  # doctest: +SKIP
"""
from __future__ import annotations

import logging
import threading
import time

from .config import Config
from .progress import tqdm

logger = logging.getLogger(__name__)


def kernel_variant(config: Config) -> tuple[bool, bool]:
    """``(cbow, hierarchical)``: which of ``kernels.job_kernel`` a run of ``config`` trains with."""
    return config.arch == "cbow", config.loss == "hierarchical"


class _WarmUp:
    """Makes one kernel variant ready while the corpus is read (:func:`start_kernels`)."""

    def __init__(self, variant: tuple[bool, bool], evaluation: bool):
        from . import kernels
        self.variant, self.evaluation = variant, evaluation
        # here, in the caller's thread: a child forked before the thread below starts inherits no other thread
        child = kernels.compile_in_child(*variant)
        # while a child compiles the kernel, the small ones compiled in the thread would take numba's lock from the
        # reading's kernels and a core from the child: they compile after the reading (ready), the child at work
        self.deferred = child is not None
        self.thread = threading.Thread(target=kernels.warm_up, args=variant, name="w2v-kernels", daemon=True,
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
            from . import kernels
            kernels.warm_up(*self.variant, train=False, evaluation=self.evaluation)
        self.thread.join()
        notice.cancel()
        if time.monotonic() - t0 > 1.0:
            logger.info("kernels ready after %.1fs", time.monotonic() - t0)


_warm_ups: dict[tuple[bool, bool], _WarmUp] = {}  # per kernel variant, once per process


def start_kernels(config: Config, evaluation: bool = False) -> None:
    """Start compiling (or loading) the numba kernels a run of ``config`` trains with in the background, once per
    process and variant, so that training waits for them only after the corpus is read.

    A fresh install compiles them for a few seconds; numba compiles one function at a time per process, so the
    largest (``kernels.job_kernel``) compiles in a child process on another core (``kernels.compile_in_child``)
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
