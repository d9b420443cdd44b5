"""Every hyperparameter of w2v in one dataclass, with the reason for each default.

The config is saved inside every model file and checkpoint, so a model always says how it was trained.
Defaults follow word2vec.c / gensim where they exist, so results are comparable with those tools.

Example
-------
>>> from w2v.config import Config
>>> cfg = Config(arch="skipgram", loss="negative", vector_size=50)
>>> cfg.validate().window
5
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, fields

from .errors import ConfigError

ARCHS = ("cbow", "skipgram")
LOSSES = ("softmax", "negative", "hierarchical")
OPTIMIZERS = ("sgd", "momentum", "rmsprop", "adam")
SCHEDULES = ("linear", "constant", "step")
BACKENDS = ("auto", "numpy", "numba")


@dataclass
class Config:
    """Hyperparameters of one training run (see each field's comment)."""

    arch: str = "cbow"            # "cbow": context mean -> centre word; "skipgram": centre -> each context word
    loss: str = "negative"        # output layer: "softmax" (exact, O(V)), "negative" sampling, "hierarchical" softmax
    optimizer: str = "sgd"        # "sgd" as word2vec; "momentum"/"rmsprop"/"adam" for the softmax (numpy) path
    vector_size: int = 100        # embedding dimension d; 100-300 is the usual range
    window: int = 5               # max distance between centre and context word (word2vec.c default)
    min_count: int = 5            # drop words seen fewer times: rare words get poor vectors and cost time
    max_vocab_size: int | None = None  # prune rarest words during the scan when the vocabulary grows past this
    max_final_vocab: int | None = None  # keep at most this many most frequent words after counting
    epochs: int = 5               # passes over the corpus (gensim default)
    alpha: float | None = None    # start learning rate; None: 0.025 (gensim's default; 0.001 for adam)
    min_alpha: float = 0.0001     # floor of the linear decay (gensim default)
    lr_schedule: str = "linear"   # "linear" decay alpha -> min_alpha over all words of all epochs, "constant", "step"
    lr_step_size: int = 1         # "step" schedule: epochs between drops
    lr_gamma: float = 0.5         # "step" schedule: factor applied at each drop
    momentum: float = 0.9         # momentum coefficient (optimizer="momentum")
    batch_size: int = 256         # (input, target) pairs per minibatch in the softmax/numpy path
    negative: int = 5             # noise words per positive example (loss="negative"); 5-20 for small corpora
    ns_exponent: float = 0.75     # noise distribution ∝ count**ns_exponent (Mikolov et al. 2013)
    sample: float = 1e-3          # subsampling threshold for frequent words; 0 disables (word2vec.c default 1e-3)
    cbow_mean: bool = True        # CBOW input is the mean (True) or the sum (False) of the context vectors
    cbow_full_error: bool = True  # with cbow_mean, each context word gets the whole error, as word2vec.c and
                                  # gensim do, not the 1/c share of the exact gradient: it trains much better
                                  # (dev corpus analogies 11.7% vs 5.2%); False gives the exact gradient
    shrink_windows: bool = True   # word2vec's dynamic window: effective window drawn uniformly in [1, window]
    sorted_vocab: bool = True     # sort the vocabulary by descending frequency (needed by restrict_vocab queries)
    seed: int = 1                 # one seed for everything random; workers=1 runs are reproducible bit for bit
    workers: int = 1              # threads (Hogwild updates over shared arrays, as word2vec.c)
    job_words: int = 10000        # words per job handed to a worker thread (sentences are never truncated)
    max_sentence_length: int = 10000  # longer sentences/lines are split into chunks of this many words
    compute_loss: bool = True     # track the training loss (one exp + log1p per update in the kernels)
    backend: str = "auto"         # "numpy" reference minibatches, "numba" kernels; "auto": numpy for softmax only

    def validate(self) -> "Config":
        """Check every field; raise :class:`ConfigError` naming the bad option. Returns self."""
        def need(cond, msg):
            if not cond:
                raise ConfigError(msg)

        need(self.arch in ARCHS, f"arch must be one of {ARCHS}, got {self.arch!r}")
        need(self.loss in LOSSES, f"loss must be one of {LOSSES}, got {self.loss!r}")
        need(self.optimizer in OPTIMIZERS, f"optimizer must be one of {OPTIMIZERS}, got {self.optimizer!r}")
        need(self.lr_schedule in SCHEDULES, f"lr_schedule must be one of {SCHEDULES}, got {self.lr_schedule!r}")
        need(self.backend in BACKENDS, f"backend must be one of {BACKENDS}, got {self.backend!r}")
        need(not (self.loss == "softmax" and self.backend == "numba"),
             "loss='softmax' trains only with backend='numpy' (its cost is a few matrix products per batch)")
        if self.loss != "softmax":
            need(self.optimizer == "sgd", f"optimizer={self.optimizer!r} is only available with loss='softmax'; "
                 "negative sampling and hierarchical softmax train with plain SGD as word2vec does")
        for name in ("vector_size", "window", "epochs", "batch_size", "workers", "job_words",
                     "max_sentence_length", "lr_step_size"):
            v = getattr(self, name)
            need(isinstance(v, int) and not isinstance(v, bool) and v >= 1, f"{name} must be an integer >= 1, got {v!r}")
        need(isinstance(self.min_count, int) and self.min_count >= 1, f"min_count must be an integer >= 1, got {self.min_count!r}")
        for name in ("max_vocab_size", "max_final_vocab"):
            v = getattr(self, name)
            need(v is None or (isinstance(v, int) and v >= 1), f"{name} must be None or an integer >= 1, got {v!r}")
        need(isinstance(self.negative, int) and self.negative >= (1 if self.loss == "negative" else 0),
             f"negative must be an integer >= 1 with loss='negative', got {self.negative!r}")
        need(self.alpha is None or (self.alpha > 0 and self.alpha < 10), f"alpha must be in (0, 10), got {self.alpha!r}")
        need(self.min_alpha >= 0, f"min_alpha must be >= 0, got {self.min_alpha!r}")
        need(self.sample >= 0, f"sample must be >= 0, got {self.sample!r}")
        need(0 <= self.momentum < 1, f"momentum must be in [0, 1), got {self.momentum!r}")
        need(0 < self.lr_gamma <= 1, f"lr_gamma must be in (0, 1], got {self.lr_gamma!r}")
        need(isinstance(self.seed, int), f"seed must be an integer, got {self.seed!r}")
        return self

    @property
    def use_kernels(self) -> bool:
        """True when training runs in the numba kernels rather than the numpy reference path."""
        return self.backend == "numba" or (self.backend == "auto" and self.loss != "softmax")

    @property
    def start_alpha(self) -> float:
        """The learning rate at the start: ``alpha`` or the word2vec.c default for the architecture."""
        if self.alpha is not None:
            return float(self.alpha)
        if self.loss == "softmax" and self.optimizer == "adam":
            return 0.001
        return 0.025

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "Config":
        """Build from a dict (e.g. a model file's JSON); unknown keys are an error, missing ones default."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(d) - known)
        if unknown:
            raise ConfigError(f"unknown config option(s): {', '.join(unknown)}")
        return cls(**d)
