"""``Word2Vec``: the estimator users train — scikit-learn style, with the config saved in every file.

The constructor only stores hyperparameters; :meth:`Word2Vec.fit` validates them, builds the vocabulary,
encodes the corpus once, initialises the weights from one seed and runs :class:`w2v.trainer.Trainer`.
Learned state ends in ``_``; the query object is :attr:`Word2Vec.wv`, a :class:`~w2v.KeyedVectors`.

Example
-------
>>> import w2v
>>> model = w2v.Word2Vec(arch="skipgram", loss="negative", vector_size=50, min_count=1,
...                      epochs=2, seed=1).fit([["a", "b", "c"]] * 50, progress=False)
>>> len(model.loss_history_)
2
"""
from __future__ import annotations

import logging
import os
import time
from dataclasses import fields
from pathlib import Path

import numpy as np

from ._version import __version__
from .config import Config
from .corpus import as_corpus, encode_corpus
from .errors import ConfigError, CorpusError, FormatError
from .io import MODEL_FORMAT, MODEL_VERSION, load_npz, save_npz
from .keyedvectors import KeyedVectors
from .nn.init import word2vec_uniform
from .trainer import Trainer, TrainState, private_row_counts
from .vocab import Vocabulary

logger = logging.getLogger(__name__)

_CONFIG_FIELDS = [f.name for f in fields(Config)]


class Word2Vec:
    """Train CBOW or skip-gram word vectors.

    Parameters
    ----------
    arch : {"cbow", "skipgram"}
    loss : {"softmax", "negative", "hierarchical"}
    optimizer : {"sgd", "momentum", "rmsprop", "adam"}
        Anything but "sgd" needs ``loss="softmax"`` (the numpy path).
    vector_size, window, min_count, epochs, alpha, min_alpha, batch_size, seed, workers
        See :class:`w2v.config.Config`, which documents every option and its default.
    **options
        Any other :class:`~w2v.config.Config` field (``negative``, ``sample``, ``max_vocab_size``, ...).

    Attributes
    ----------
    wv : KeyedVectors
        The trained word vectors (input weights).
    vocab_ : Vocabulary
    W_in_, W_out_ : float32 arrays
    loss_history_ : list of float
        Mean loss per epoch.
    step_loss_history_ : list of [epochs, loss]
        ~20 points per epoch, for finer loss curves.
    config_ : Config
        The validated configuration used.
    """

    def __init__(self, arch: str = "cbow", loss: str = "negative", optimizer: str = "sgd", vector_size: int = 100,
                 window: int = 5, min_count: int = 5, epochs: int = 5, alpha: float | None = None,
                 min_alpha: float = 0.0001, batch_size: int = 256, seed: int = 1, workers: int = 1, **options):
        unknown = sorted(set(options) - set(_CONFIG_FIELDS))
        if unknown:
            raise ConfigError(f"unknown Word2Vec option(s): {', '.join(unknown)}")
        self.arch, self.loss, self.optimizer = arch, loss, optimizer
        self.vector_size, self.window, self.min_count, self.epochs = vector_size, window, min_count, epochs
        self.alpha, self.min_alpha, self.batch_size, self.seed, self.workers = alpha, min_alpha, batch_size, seed, workers
        self.options = dict(options)

    def get_config(self) -> Config:
        """The :class:`Config` these arguments describe (not yet validated)."""
        base = {n: getattr(self, n) for n in ("arch", "loss", "optimizer", "vector_size", "window", "min_count",
                                              "epochs", "alpha", "min_alpha", "batch_size", "seed", "workers")}
        return Config(**{**base, **self.options})

    # ------------------------------------------------------------------ training
    def fit(self, corpus, *, progress: bool = True, tokenizer: str = "whitespace", lowercase: bool = False,
            checkpoint_path=None, checkpoint_every: float | None = None) -> "Word2Vec":
        """Build the vocabulary and train.

        Parameters
        ----------
        corpus : path, list of token lists, or re-iterable of token lists
            Paths may be files (plain/.gz/.bz2/.xz, one sentence per line or text8-style) or directories.
        progress : bool
            tqdm progress bars.
        tokenizer, lowercase
            How to read a corpus given as a path (see ``w2v.corpus``).
        checkpoint_path : path, optional
            Save a resumable checkpoint here every ``checkpoint_every`` seconds.

        Returns
        -------
        self
        """
        cfg = self.get_config().validate()
        t0 = time.monotonic()
        source = corpus
        if not isinstance(corpus, (str, os.PathLike, list, tuple)) and iter(corpus) is corpus:
            # a one-shot iterator can still train when nothing needs a second pass: keep it in memory
            if cfg.epochs > 1:
                as_corpus(corpus, passes=cfg.epochs)  # raises the clear error
            corpus = [list(s) for s in corpus]
        corpus = as_corpus(corpus, passes=2, tokenizer=tokenizer, lowercase=lowercase,
                           max_sentence_length=cfg.max_sentence_length)
        vocab = Vocabulary.build(corpus, cfg.min_count, cfg.max_vocab_size, cfg.max_final_vocab, cfg.sorted_vocab)
        ids, bounds = encode_corpus(corpus, vocab.key_to_index, cfg.max_sentence_length)
        logger.info("corpus encoded: %d words in %d sentences (%.1fs)", len(ids), len(bounds) - 1, time.monotonic() - t0)
        rng = np.random.default_rng(cfg.seed)
        V, d = len(vocab), cfg.vector_size
        V_out = max(V - 1, 1) if cfg.loss == "hierarchical" else V
        # the leading rows of buffers with room for each worker thread's private rows (trainer.PrivateRows)
        spare_in, spare_out = (cfg.workers * n for n in private_row_counts(cfg, V, V_out))
        W_in = word2vec_uniform((V, d), rng, out=np.empty((V + spare_in, d), np.float32)[:V])
        W_out = np.zeros((V_out + spare_out, d), np.float32)[:V_out]
        self._corpus_info = _describe(source, tokenizer, lowercase)
        self._set_learned(cfg, vocab, W_in, W_out, TrainState())
        return self._train(ids, bounds, progress, checkpoint_path, checkpoint_every)

    def _train(self, ids, bounds, progress, checkpoint_path, checkpoint_every, optimizer_state=None):
        cfg = self.config_
        if len(ids) == 0:
            raise CorpusError("no word of the corpus is in the vocabulary: nothing to train on")
        trainer = Trainer(cfg, self.vocab_, self.W_in_, self.W_out_, self.state_, optimizer_state)
        self._trainer = trainer
        ckpt = None
        if checkpoint_path is not None:
            def ckpt(state):
                self.save(checkpoint_path)
                logger.info("checkpoint saved to %s (epoch %d, job %d)", checkpoint_path, state.epoch + 1, state.job)
        trainer.train(ids, bounds, progress=progress, checkpoint=ckpt,
                      checkpoint_every=None if checkpoint_every is None else float(checkpoint_every))
        self._wv = None
        return self

    def _set_learned(self, cfg, vocab, W_in, W_out, state):
        self.config_, self.vocab_, self.W_in_, self.W_out_, self.state_ = cfg, vocab, W_in, W_out, state
        self._wv = None
        self._trainer = None

    # ------------------------------------------------------------------ results
    @property
    def loss_history_(self) -> list[float]:
        return [float(x) for x in self.state_.history]

    @property
    def step_loss_history_(self) -> list:
        return [list(map(float, p)) for p in self.state_.step_history]

    @property
    def wv(self) -> KeyedVectors:
        if not hasattr(self, "W_in_"):
            raise AttributeError("this Word2Vec is not trained yet: call fit(corpus) first")
        if self._wv is None:
            self._wv = KeyedVectors(self.vocab_.index_to_key, self.W_in_, self.vocab_.counts)
        return self._wv

    # ------------------------------------------------------------------ files
    def save(self, path) -> None:
        """Save the whole model (weights, vocabulary, config, loss history, training state) atomically.

        The file is the native ``.npz`` + JSON format of ``w2v.io``: no pickle, loadable with mmap.
        """
        opt = {}
        if getattr(self, "_trainer", None) is not None and self._trainer.optimizer is not None:
            opt = {f"opt_{k}": np.asarray(v) for k, v in self._trainer.optimizer.state().items()}
        meta = {
            "format": MODEL_FORMAT, "version": MODEL_VERSION, "w2v_version": __version__,
            "config": self.config_.to_dict(), "words": self.vocab_.index_to_key,
            "state": self.state_.to_dict(), "corpus": getattr(self, "_corpus_info", None),
        }
        save_npz(path, {"W_in": self.W_in_, "W_out": self.W_out_, "counts": self.vocab_.counts, **opt}, meta)

    @classmethod
    def load(cls, path, mmap: bool = False) -> "Word2Vec":
        """Load a model saved by :meth:`save` (``mmap=True`` maps the weights read-only from the file)."""
        path = _model_file(path)
        arrays, meta = load_npz(path, mmap=mmap)
        try:
            cfg = Config.from_dict(meta["config"]).validate()
            vocab = Vocabulary(meta["words"], arrays["counts"])
            state = TrainState.from_dict(meta["state"])
            W_in, W_out = arrays["W_in"], arrays["W_out"]
        except (KeyError, TypeError, ValueError) as e:
            raise FormatError(f"{path}: the model file is incomplete or inconsistent ({e})") from None
        if W_in.shape != (len(vocab), cfg.vector_size) or W_out.shape[1] != cfg.vector_size:
            raise FormatError(f"{path}: weights of shape {W_in.shape} do not match {len(vocab)} words x "
                              f"{cfg.vector_size} dimensions")
        model = cls(**{k: v for k, v in cfg.to_dict().items()})
        if not mmap:
            W_in, W_out = np.array(W_in, dtype=np.float32), np.array(W_out, dtype=np.float32)
        model._set_learned(cfg, vocab, W_in, W_out, state)
        model._corpus_info = meta.get("corpus")
        model._optimizer_state = {k[4:]: v for k, v in arrays.items() if k.startswith("opt_")}
        return model

    def resume(self, corpus=None, *, progress: bool = True, checkpoint_path=None,
               checkpoint_every: float | None = None) -> "Word2Vec":
        """Continue a training loaded from a checkpoint, on the same corpus, to its configured epochs.

        ``corpus`` defaults to the path recorded in the checkpoint. With one worker the result is identical
        to a run that was never interrupted.
        """
        info = getattr(self, "_corpus_info", None) or {}
        if corpus is None:
            corpus = info.get("path")
            if corpus is None:
                raise CorpusError("this checkpoint does not record a corpus file: pass the corpus to resume()")
        cfg = self.config_
        if self.state_.epoch >= cfg.epochs:
            logger.info("training already finished (%d epochs)", cfg.epochs)
            return self
        if isinstance(self.W_in_, np.memmap):
            self.W_in_, self.W_out_ = np.array(self.W_in_), np.array(self.W_out_)
        src = as_corpus(corpus, passes=1, tokenizer=info.get("tokenizer", "whitespace"),
                        lowercase=info.get("lowercase", False), max_sentence_length=cfg.max_sentence_length)
        ids, bounds = encode_corpus(src, self.vocab_.key_to_index, cfg.max_sentence_length)
        if info.get("words") is not None and int(bounds[-1]) != info["words"]:
            raise CorpusError(f"the corpus has {int(bounds[-1])} in-vocabulary words but the checkpoint was trained "
                              f"on {info['words']}: resume with the same corpus file")
        return self._train(ids, bounds, progress, checkpoint_path, checkpoint_every,
                           getattr(self, "_optimizer_state", None))

    def __repr__(self):
        trained = f", {len(self.vocab_)} words" if hasattr(self, "vocab_") else ""
        return f"Word2Vec(arch={self.arch!r}, loss={self.loss!r}, vector_size={self.vector_size}{trained})"


def _describe(source, tokenizer, lowercase) -> dict | None:
    if isinstance(source, (str, os.PathLike)):
        return {"path": str(Path(source).resolve()), "tokenizer": tokenizer, "lowercase": lowercase}
    return None


def _model_file(path) -> Path:
    p = Path(path)
    if p.is_dir():
        for name in ("model.npz", "checkpoint.npz"):
            if (p / name).is_file():
                return p / name
        raise FormatError(f"no model.npz in directory {p}")
    return p
