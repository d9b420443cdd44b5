"""Every hyperparameter of w2v in one dataclass, with the reason for each default.

The config is saved inside every model file and checkpoint, so a model always says how it was trained.
Defaults follow word2vec.c / gensim where they exist, so results are comparable with those tools.

Example
-------
>>> from w2v.config import Config
>>> cfg = Config(arch="skipgram", loss="negative", vector_size=50)
>>> cfg.validate().window
5
>>> Config.__dataclass_fields__["window"].metadata["help"]
"max distance between centre and context word (word2vec.c's default)"
"""
from __future__ import annotations

import dataclasses
import difflib
import math
from dataclasses import dataclass, field, fields

import numpy as np

from .errors import ConfigError, is_integer, is_number

ARCHS = ("cbow", "skipgram")
LOSSES = ("softmax", "negative", "hierarchical")
OPTIMIZERS = ("sgd", "momentum", "rmsprop", "adam")
SCHEDULES = ("linear", "constant", "step")
BACKENDS = ("auto", "numpy", "numba")
TOKENIZERS = ("whitespace", "words", "wordpunct", "toktok", "treebank")  # how lines become words (text.corpus)
DEFAULT_TOKENIZER = "whitespace"  # pre-tokenised text (text8, the starter corpus) needs nothing else
MERGES = ("scaled", "sum", "average")  # how distributed training combines the workers' changes (w2v.train.distributed)
# sizes the kernels allocate scratch for per thread (2 x window and negative + 1 rows of d floats): bounded so
# that no option, typed or read from a crafted file, can make a kernel ask for unbounded memory
MAX_WINDOW = 10_000
MAX_NEGATIVE = 1_000


def option(default, help: str, *, choices: tuple | None = None, aliases: tuple = ()):
    """A Config field: its default, the sentence ``w2v train --help`` shows for it, its allowed values and any
    extra command-line spellings (the flag itself is always ``--field-name``)."""
    return field(default=default, metadata={"help": help, "choices": choices, "aliases": aliases})


@dataclass
class Config:
    """Hyperparameters of one training run: each field's help says what it does and why its default."""

    arch: str = option("cbow", "cbow: the context mean predicts the centre word; skipgram: each context word "
                       "predicts it", choices=ARCHS)
    loss: str = option("negative", "output layer: exact softmax (O(V), numpy), negative sampling, or "
                       "hierarchical softmax", choices=LOSSES)
    optimizer: str = option("sgd", "sgd as word2vec; momentum/rmsprop/adam only for the softmax (numpy) path",
                            choices=OPTIMIZERS)
    tokenizer: str = option(DEFAULT_TOKENIZER, "how lines become words: whitespace (str.split, read on every "
                            "core in numba) or an nltk tokenizer: words (letters and apostrophes), wordpunct, "
                            "toktok, treebank", choices=TOKENIZERS)
    lowercase: bool = option(False, "lowercase each line before tokenizing it")
    phrases: int = option(0, "join phrases (new_york) before training: N passes of w2v.Phrases with its defaults, "
                          "learned on the corpus; the model keeps them (0: none)")
    vector_size: int = option(100, "embedding dimension d; 100-300 is the usual range", aliases=("--dim",))
    window: int = option(5, "max distance between centre and context word (word2vec.c's default)")
    min_count: int = option(5, "drop words seen fewer times: rare words get poor vectors and cost time")
    max_vocab_size: int | None = option(None, "prune the rarest words during the count whenever the vocabulary "
                                        "grows past this (memory guard, as word2vec.c)")
    max_final_vocab: int | None = option(None, "keep at most this many most frequent words after counting")
    epochs: int = option(5, "passes over the corpus (gensim's default)")
    alpha: float | None = option(None, "start learning rate; none: 0.025 as gensim (0.001 for adam)")
    min_alpha: float = option(0.0001, "floor of the linear decay (gensim's default)")
    lr_schedule: str = option("linear", "linear: decay alpha -> min_alpha over all words of all epochs; "
                              "constant; step: alpha * lr_gamma every lr_step_size epochs", choices=SCHEDULES)
    lr_step_size: int = option(1, "step schedule: epochs between drops")
    lr_gamma: float = option(0.5, "step schedule: factor applied at each drop")
    momentum: float = option(0.9, "momentum coefficient (optimizer momentum)")
    batch_size: int = option(256, "(input, target) pairs per minibatch of the numpy path")
    negative: int = option(5, "noise words per positive example (negative sampling); 5-20 for small corpora")
    ns_exponent: float = option(0.75, "noise distribution ∝ count ** ns_exponent (Mikolov et al. 2013)")
    sample: float = option(1e-3, "subsampling threshold of frequent words; 0 disables (word2vec.c's default)")
    cbow_mean: bool = option(True, "CBOW input is the mean (or, with --no-cbow-mean, the sum) of the context "
                             "vectors")
    cbow_full_error: bool = option(True, "with cbow_mean, every context word gets the whole error as in word2vec.c "
                                   "and gensim (dev corpus analogies 10.3 vs 5.2 percent); off: the exact gradient "
                                   "of the mean")
    skip_saturated: bool = option(True, "negative sampling and hierarchical softmax: an output scored beyond +-6 "
                                  "gets no update, as gensim (word2vec.c's MAX_EXP); off: the exact gradient "
                                  "everywhere, with which CBOW answers fewer analogies (docs/benchmarks.md)")
    shrink_windows: bool = option(True, "word2vec's dynamic window: each centre's window drawn in [1, window]")
    sorted_vocab: bool = option(True, "order the vocabulary by descending frequency (restrict_vocab queries "
                                "rely on it)")
    seed: int = option(1, "one seed for everything random; one worker reproduces a run bit for bit")
    workers: int = option(1, "training threads (Hogwild updates of shared weights, as word2vec.c)")
    job_words: int = option(10000, "words per job handed to a worker thread (sentences are never cut)")
    max_sentence_length: int = option(10000, "longer sentences or lines are split into pieces of this many words")
    compute_loss: bool = option(True, "track the training loss (one exp and a log per window in the kernels)")
    round_words: int = option(1_000_000, "distributed training (--dask): words each Dask worker trains between two "
                              "merges (dev corpus, 2 workers: 0.1 M and 1 M words the same quality; longer rounds "
                              "spend less of the time exchanging rows; docs/distributed.md)")
    merge: str = option("scaled", "distributed training: N workers train at N times the learning rate and each row "
                        "moves by the mean of their changes (scaled), or by their sum, or their per-row average "
                        "(docs/distributed.md: sum diverged at 4 workers, average lost 3 analogy points)",
                        choices=MERGES)
    backend: str = option("auto", "numpy reference minibatches or numba kernels; auto: numpy for softmax only",
                          choices=BACKENDS)

    def validate(self) -> "Config":
        """Check every field; raise :class:`ConfigError` naming the bad option. Returns self."""
        def need(cond, msg):
            if not cond:
                raise ConfigError(msg)

        for f in fields(self):
            v, kind = getattr(self, f.name), field_type(f)
            if v is None and f.type.endswith("| None"):
                continue
            if kind is bool:
                need(isinstance(v, (bool, np.bool_)), f"{f.name} must be True or False, got {v!r}"
                     + (" (gensim's 1 is True, 0 is False)" if v in (0, 1) else ""))
            elif kind is int:
                need(is_integer(v), f"{f.name} must be an integer, got {v!r}")
            elif kind is float:
                need(is_number(v) and math.isfinite(v), f"{f.name} must be a finite number, got {v!r}")
            choices = f.metadata["choices"]
            if choices:
                need(v in choices, f"{f.name} must be one of {', '.join(choices)}; got {v!r}")
        need(not (self.loss == "softmax" and self.backend == "numba"),
             "loss='softmax' trains only with backend='numpy' (its cost is a few matrix products per batch)")
        if self.loss != "softmax":
            need(self.optimizer == "sgd", f"optimizer={self.optimizer!r} is only available with loss='softmax'; "
                 "negative sampling and hierarchical softmax train with plain SGD as word2vec does")
        for name in ("vector_size", "window", "epochs", "batch_size", "workers", "job_words", "max_sentence_length",
                     "lr_step_size", "min_count", "round_words"):
            need(getattr(self, name) >= 1, f"{name} must be an integer >= 1, got {getattr(self, name)!r}")
        need(self.phrases >= 0, f"phrases must be a number of passes >= 0 (0: none), got {self.phrases!r}")
        for name in ("max_vocab_size", "max_final_vocab"):
            v = getattr(self, name)
            need(v is None or v >= 1, f"{name} must be None or an integer >= 1, got {v!r}")
        need(self.negative >= (1 if self.loss == "negative" else 0),
             f"negative must be an integer >= 1 with loss='negative', got {self.negative!r}")
        need(self.window <= MAX_WINDOW, f"window must be at most {MAX_WINDOW:,} words, got {self.window!r}")
        need(self.negative <= MAX_NEGATIVE, f"negative must be at most {MAX_NEGATIVE:,}, got {self.negative!r}")
        need(self.alpha is None or 0 < self.alpha < 10, f"alpha must be in (0, 10), got {self.alpha!r}")
        need(self.min_alpha >= 0, f"min_alpha must be >= 0, got {self.min_alpha!r}")
        need(self.min_alpha <= self.start_alpha, f"min_alpha ({self.min_alpha}) must not exceed the start "
             f"learning rate alpha ({self.start_alpha})")
        need(self.sample >= 0, f"sample must be >= 0, got {self.sample!r}")
        need(self.ns_exponent >= 0, f"ns_exponent must be >= 0, got {self.ns_exponent!r}")
        need(0 <= self.momentum < 1, f"momentum must be in [0, 1), got {self.momentum!r}")
        need(0 < self.lr_gamma <= 1, f"lr_gamma must be in (0, 1], got {self.lr_gamma!r}")
        need(0 <= self.seed < 2**63, f"seed must be an integer in [0, 2**63), got {self.seed!r}")
        return self

    @property
    def use_kernels(self) -> bool:
        """True when training runs in the numba kernels rather than the numpy reference path."""
        return self.backend == "numba" or (self.backend == "auto" and self.loss != "softmax")

    def output_rows(self, V: int) -> int:
        """Rows of the output matrix for V words: one per word, or one per inner Huffman node (V - 1, at least
        one so a single word still has a loss) for hierarchical softmax."""
        return max(V - 1, 1) if self.loss == "hierarchical" else V

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
        if not isinstance(d, dict):
            raise ConfigError(f"a config must be a mapping of option names to values, got {type(d).__name__}")
        check_names(d, "config option")
        return cls(**d)


def field_type(f) -> type:
    """The Python type of a Config field (``int`` for ``int | None``)."""
    return {"int": int, "float": float, "str": str, "bool": bool}[f.type.split("|")[0].strip()]


def check_names(names, what: str = "option") -> None:
    """Raise :class:`ConfigError` for names that are not Config fields, suggesting the closest ones."""
    known = [f.name for f in fields(Config)]
    unknown = [n for n in names if n not in known]
    if unknown:
        hints = []
        for n in unknown:
            close = difflib.get_close_matches(str(n), known, n=1)
            hints.append(f"{n!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
        raise ConfigError(f"unknown {what}(s): {', '.join(hints)}; see help(w2v.Config) for every option")
