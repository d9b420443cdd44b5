"""``Word2Vec``: the estimator users train — scikit-learn style, with the config saved in every file.

The constructor only stores hyperparameters (every field of :class:`w2v.config.Config`, with its defaults);
:meth:`Word2Vec.fit` validates them, builds the vocabulary, encodes the corpus once and runs a
:class:`w2v.train.trainer.Trainer`, which owns the weights while it trains. Learned state ends in ``_``; the query
object is :attr:`Word2Vec.wv`, a :class:`~w2v.KeyedVectors`.

Example
-------
>>> import w2v
>>> model = w2v.Word2Vec(arch="skipgram", loss="negative", vector_size=50, min_count=1,
...                      epochs=2, seed=1).fit([["a", "b", "c"]] * 50, progress=False)
>>> len(model.loss_history_)
2
>>> model.get_params()["vector_size"]
50
"""
from __future__ import annotations

import inspect
import logging
import os
import time
import warnings
from dataclasses import fields, replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ._version import __version__
from .train.callbacks import call, check_callbacks
from .config import Config, check_names
from .text.corpus import fingerprint
from .text.encoded import EncodedCorpus
from .errors import ConfigError, CorpusError, FormatError, TrainingError, is_integer
from .vectors.gensim_methods import Word2VecGensim
from .gensim_names import translate
from .files import MODEL_FORMAT, MODEL_VERSION, save_npz
from .vectors.keyedvectors import KeyedVectors
from .modelfile import OPTIMIZER_PREFIX, read_model
from .text.phrases import Phrases
from .text.prepare import prepare_corpus
from .text.vocab import Vocabulary

if TYPE_CHECKING:
    from .train.trainer import Trainer

logger = logging.getLogger(__name__)


class Word2Vec(Word2VecGensim):
    """Train CBOW or skip-gram word vectors.

    Parameters
    ----------
    **params
        Any field of :class:`w2v.config.Config`, which documents every option and its default: ``arch``
        ("cbow", "skipgram"), ``loss`` ("softmax", "negative", "hierarchical"), ``vector_size``, ``window``,
        ``min_count``, ``epochs``, ``alpha``, ``negative``, ``sample``, ``workers``, ``seed``, ...

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
    state_ : TrainState
        Where training stands (epoch, job, words done, loss history).
    corpus_info_ : dict
        How the corpus was read and its identity (path, size, hashes), so a resume can check it.
    optimizer_state_ : dict
        The numpy optimizer's arrays (momentum velocity, Adam moments); empty for SGD.
    round_timings_ : list of dict
        After distributed training (``client=``): each round's wall time, merge time, rows merged and each
        worker's seconds (taking the update, training, finding its changes).
    """

    def __init__(self, *corpus, **params):
        if corpus:  # gensim's Word2Vec(sentences, ...) trains at once; w2v's constructor only stores options
            given = ", ".join(f"{k}={v!r}" for k, v in params.items())
            raise ConfigError(f"w2v.Word2Vec takes the corpus in fit(), not in the constructor: write "
                              f"w2v.Word2Vec({given}).fit(corpus) (docs/from-gensim.md)")
        _check_params(params)
        for f in fields(Config):
            setattr(self, f.name, params.get(f.name, f.default))

    # ------------------------------------------------------------------ scikit-learn parameters
    def get_params(self, deep: bool = True) -> dict:
        """The constructor's parameters by name (scikit-learn's protocol; ``sklearn.base.clone`` uses it)."""
        return {f.name: getattr(self, f.name) for f in fields(Config)}

    def set_params(self, **params) -> "Word2Vec":
        """Change constructor parameters (before the next ``fit``); returns self."""
        _check_params(params)
        for name, value in params.items():
            setattr(self, name, value)
        return self

    def get_config(self) -> Config:
        """The :class:`Config` these parameters describe (not yet validated)."""
        return Config(**self.get_params())

    # ------------------------------------------------------------------ training
    def fit(self, corpus, *, progress: bool = True, checkpoint_path=None, checkpoint_every: float | None = None,
            callbacks=(), phrases=None, client=None, tokenizer: str | None = None,
            lowercase: bool | None = None) -> "Word2Vec":
        """Build the vocabulary and train.

        Parameters
        ----------
        corpus : path, list of token lists, or re-iterable of token lists
            Paths may be files (plain/.gz/.bz2/.xz, one sentence per line or text8-style) or directories.
            A one-shot iterator (a generator) is accepted for one epoch only.
        progress : bool
            tqdm progress bars.
        checkpoint_path : path, optional
            Save a resumable checkpoint here every ``checkpoint_every`` seconds.
        callbacks : list
            Objects with any of ``on_train_begin``, ``on_epoch_begin``, ``on_epoch_end`` (True stops after that
            epoch) and ``on_train_end``; see ``w2v.train.callbacks`` (evaluate every epoch, stop early).
        phrases : Phrases, optional
            Join phrases with this :class:`w2v.Phrases` (learned on this corpus first unless it is fitted), where
            the estimator's ``phrases=N`` learns N passes of a default one. The model keeps it (``phrases_``,
            saved with it): ``partial_fit`` and ``resume`` join their corpus the same way, and queries accept
            "new york" for ``new_york``. (A number here is the estimator's parameter given late: deprecated.)
        client : dask.distributed.Client, optional
            Train on this Dask cluster (``w2v.train.distributed``): the workers count the vocabulary of a text file and
            train in rounds (``round_words``, ``merge``); the corpus must be on storage every worker reads.

        tokenizer, lowercase
            Deprecated: the estimator's parameters (``Word2Vec(tokenizer="words", lowercase=True)``), given late.

        Returns
        -------
        self
        """
        cfg, phrases = _late_params(self.get_config(), "fit", tokenizer=tokenizer, lowercase=lowercase,
                                    phrases=phrases)
        callbacks = check_callbacks(callbacks)
        if cfg.use_kernels:
            from .train.warmup import start_kernels  # numba loads when a fit starts, not on `import w2v`
            start_kernels(cfg)  # a fresh install compiles them; training waits for them after the corpus is read
        t0 = time.monotonic()
        self.phrases_ = None
        prepared = self._prepare(corpus, cfg, progress, client)
        if phrases is None and cfg.phrases:
            phrases = Phrases(passes=cfg.phrases, workers=cfg.workers)
        if phrases is not None:
            self.phrases_ = phrases if hasattr(phrases, "passes_") else phrases.fit(prepared, progress=progress)
            prepared = self.phrases_.transform(prepared, progress=progress)
        vocab = Vocabulary.from_counts(prepared.words, prepared.counts, prepared.first, cfg.min_count,
                                       cfg.max_final_vocab, cfg.sorted_vocab)
        logger.info("corpus ready: %d words in %d sentences (%.1fs)", prepared.n_words, prepared.n_sentences,
                    time.monotonic() - t0)
        trainer = _trainer(cfg, vocab, None, client)
        trainer.init_weights(np.random.default_rng(cfg.seed))
        self.config_, self.vocab_ = cfg, vocab
        self.corpus_info_ = _corpus_record(corpus, prepared, cfg)
        return self._train(trainer, prepared, vocab, progress, checkpoint_path, checkpoint_every, callbacks)

    def _prepare(self, corpus, cfg: Config, progress: bool, client=None) -> EncodedCorpus:
        """The corpus encoded once (``w2v.text.prepare``, on the cluster's workers with a ``client``): a path through
        the cache, token lists in memory; joined by the model's phrases when it has them."""
        prepared = prepare_corpus(corpus, tokenizer=cfg.tokenizer, lowercase=cfg.lowercase,
                                  max_sentence_length=cfg.max_sentence_length, max_vocab_size=cfg.max_vocab_size,
                                  workers=cfg.workers, progress=progress, client=client)
        if getattr(self, "phrases_", None) is not None:
            prepared = self.phrases_.transform(prepared, progress=progress)
        return prepared

    def partial_fit(self, corpus, *, epochs: int | None = None, alpha: float | None = None, progress: bool = True,
                    tokenizer: str | None = None,
                    lowercase: bool | None = None, checkpoint_path=None, checkpoint_every: float | None = None,
                    callbacks=(), client=None) -> "Word2Vec":
        """Continue training a fitted model on more text (gensim's ``build_vocab(update=True)`` + ``train``).

        Words of ``corpus`` already known add their counts; new words that occur at least ``min_count`` times in
        it get new rows (inputs drawn as at ``fit``, outputs zero) after the old ones, which keep their index. The
        noise distribution and the Huffman tree are rebuilt from the new counts (with hierarchical softmax the
        inner nodes are renumbered, so expect the first epoch to move more), the optimizer state grows with the
        weights, the learning rate runs its schedule again over the new ``epochs`` (default: the model's) from
        ``alpha`` (default: the model's), and ``loss_history_`` continues; docs/training.md measures how far the
        old words move. The corpus is read as the first one was (the model's ``tokenizer`` and ``lowercase``); a
        checkpoint of this run resumes on this corpus.

        Example
        -------
        >>> model = w2v.Word2Vec(min_count=1).fit(corpus_a).partial_fit(corpus_b, epochs=2)  # doctest: +SKIP
        """
        if not hasattr(self, "W_in_"):
            return self.fit(corpus, progress=progress, tokenizer=tokenizer, lowercase=lowercase,
                            checkpoint_path=checkpoint_path,
                            checkpoint_every=checkpoint_every, callbacks=callbacks, client=client)
        if self.state_.epoch < self.config_.epochs:
            raise TrainingError(f"this model stopped after {self.state_.epoch} of its {self.config_.epochs} epochs: "
                                "resume() it first, or partial_fit a model that finished")
        old = self.config_
        epochs = old.epochs if epochs is None else epochs
        if not is_integer(epochs) or epochs < 1:
            raise ConfigError(f"epochs must be an integer >= 1, got {epochs!r}")
        cfg = replace(old, epochs=old.epochs + epochs, alpha=old.alpha if alpha is None else alpha)
        cfg, _ = _late_params(cfg, "partial_fit", tokenizer=tokenizer, lowercase=lowercase)
        callbacks = check_callbacks(callbacks)
        prepared = self._prepare(corpus, cfg, progress, client)
        seen = Vocabulary.from_counts(prepared.words, prepared.counts, prepared.first, 1, cfg.max_vocab_size,
                                      False)
        vocab = self.vocab_.updated(seen, cfg.min_count)
        info = _corpus_record(corpus, prepared, cfg)
        V0, V = len(self.vocab_), len(vocab)
        logger.info("partial_fit: %d new words (vocabulary %d -> %d), %d corpus words", V - V0, V0, V,
                    prepared.n_words)
        rng = np.random.default_rng(np.random.SeedSequence([cfg.seed, old.epochs, V0]))  # not fit's draws again
        state = replace(self.state_, job=0, epoch_loss=0.0, epoch_examples=0, run_start=self.state_.epoch)
        trainer = _trainer(cfg, vocab, state, client)
        trainer.grow(self.W_in_, self.W_out_, self.optimizer_state_, rng)
        self.config_, self.vocab_, self.corpus_info_ = cfg, vocab, info
        return self._train(trainer, prepared, vocab, progress, checkpoint_path, checkpoint_every, callbacks)

    def _train(self, trainer: Trainer, corpus: EncodedCorpus, vocab: Vocabulary, progress, checkpoint_path,
               checkpoint_every, callbacks):
        remap = _remap(corpus.words, vocab)
        if not (remap >= 0).any():
            raise CorpusError("no word of the corpus is in the vocabulary: nothing to train on")
        self.W_in_, self.W_out_, self.state_ = trainer.W_in, trainer.W_out, trainer.state
        self.optimizer_state_ = trainer.optimizer_state()
        self._wv = None

        def save_checkpoint(state):
            self.optimizer_state_ = trainer.optimizer_state()
            self.save(checkpoint_path)
            logger.info("checkpoint saved to %s (epoch %d, job %d)", checkpoint_path, state.epoch + 1, state.job)
        ckpt = None if checkpoint_path is None else save_checkpoint

        def epoch_end(epoch, loss):
            self._wv = None  # the vectors moved: queries in a callback see this epoch's
            return call(callbacks, "on_epoch_end", self, epoch, loss)

        call(callbacks, "on_train_begin", self)
        try:
            trainer.train(corpus, remap, progress=progress, checkpoint=ckpt,
                          checkpoint_every=None if checkpoint_every is None else float(checkpoint_every),
                          on_epoch_begin=lambda epoch: call(callbacks, "on_epoch_begin", self, epoch),
                          on_epoch_end=epoch_end)
        finally:
            self.optimizer_state_ = trainer.optimizer_state()
            if hasattr(trainer, "timings"):
                self.round_timings_ = trainer.timings
        self._wv = None
        call(callbacks, "on_train_end", self)
        return self

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
        if getattr(self, "_wv", None) is None:
            self._wv = KeyedVectors(self.vocab_.index_to_key, self.W_in_, self.vocab_.counts,
                                    phrase_delimiter=_delimiter(self))
        return self._wv

    # ------------------------------------------------------------------ files
    def save(self, path) -> None:
        """Save the whole model (weights, vocabulary, config, loss history, training state) atomically.

        The file is the native ``.npz`` + JSON format of ``w2v.files``: no pickle, loadable with mmap.
        """
        opt = {OPTIMIZER_PREFIX + k: v for k, v in self.optimizer_state_.items()}
        meta = {
            "format": MODEL_FORMAT, "version": MODEL_VERSION, "w2v_version": __version__,
            "config": self.config_.to_dict(), "words": self.vocab_.index_to_key,
            "state": self.state_.to_dict(), "corpus": self.corpus_info_,
        }
        if getattr(self, "phrases_", None) is not None:
            meta["phrases"] = self.phrases_.to_dict()
        first = {} if self.vocab_.first is None else {"first": self.vocab_.first}
        save_npz(path, {"W_in": self.W_in_, "W_out": self.W_out_, "counts": self.vocab_.counts, **first, **opt}, meta)

    @classmethod
    def load(cls, path, mmap: bool = False, verify: bool | None = None) -> "Word2Vec":
        """Load a model saved by :meth:`save` (a file, or a run directory's model or checkpoint).

        Everything in the file is checked first (``w2v.modelfile``). ``mmap=True`` maps the weights read-only
        from the file instead of reading them; ``verify`` (default: not ``mmap``) checks CRCs and scans them.
        """
        m = read_model(path, mmap=mmap, verify=verify)
        model = cls(**m.config.to_dict())
        model.config_, model.W_in_, model.W_out_ = m.config, m.W_in, m.W_out
        model.vocab_ = Vocabulary(m.words, m.counts, m.first)
        model.state_, model.corpus_info_, model.optimizer_state_ = m.state, m.corpus, m.optimizer
        model.phrases_ = m.phrases
        model._wv = None
        return model

    def resume(self, corpus=None, *, progress: bool = True, workers: int | None = None, checkpoint_path=None,
               checkpoint_every: float | None = None, callbacks=(), client=None) -> "Word2Vec":
        """Continue a training loaded from a checkpoint, on the same corpus, to its configured epochs.

        ``corpus`` defaults to the path recorded in the checkpoint; either way it must be the corpus the run
        started on (same size and content hashes, same encoded words), else a :class:`CorpusError` says so
        before anything trains. ``workers`` may differ from the interrupted run's. With one worker the result
        is identical to a run that was never interrupted. A distributed run resumes on a Dask ``client`` (any
        number of workers: it keeps its shards).
        """
        cfg = self.config_
        if self.state_.epoch >= cfg.epochs:
            raise TrainingError(f"this model has finished its {cfg.epochs} epochs: there is nothing to resume; "
                                "to train more, fit a new model with more epochs")
        if workers is not None:
            cfg = self.config_ = replace(cfg, workers=workers).validate()
            self.workers = workers
        info = self.corpus_info_
        if corpus is None:
            corpus = info.get("path")
            if corpus is None:
                raise CorpusError("this checkpoint does not record a corpus file: pass the corpus to resume()")
            if "head_tail_sha256" not in info:
                raise CorpusError(f"this checkpoint names the corpus {corpus} but records no identity to check it "
                                  "against: pass the corpus to resume() (CLI: w2v train CORPUS --resume DIR)")
        if isinstance(corpus, (str, os.PathLike)) and "head_tail_sha256" in info:
            found = fingerprint(corpus)  # before reading it: a checkpoint must not make us train on any file
            if any(found[k] != info.get(k) for k in found):
                raise CorpusError(f"{corpus} is not the corpus this run was trained on ({info.get('path')}: "
                                  f"{info.get('bytes')} bytes; this one has {found['bytes']} bytes or other "
                                  "content): resume with the same corpus file")
        prepared = self._prepare(corpus, cfg, progress, client)
        if "encoded" not in info:  # every checkpoint since the encoded corpus records it; without it, no proof
            raise CorpusError("this checkpoint records no identity of the encoded corpus it trained on, so a resume "
                              "cannot prove it trains on the same words: start the run again")
        if prepared.identity() != info["encoded"]:
            raise CorpusError(f"the corpus gives {prepared.n_words} words in {prepared.n_sentences} sentences (or "
                              f"other ids), not the {info['encoded'].get('words')} words in "
                              f"{info['encoded'].get('sentences')} sentences this run was trained on: resume with the "
                              "same corpus and reading options")
        trainer = _trainer(cfg, self.vocab_, self.state_, client)
        try:
            trainer.set_weights(self.W_in_, self.W_out_, self.optimizer_state_)
        except ValueError as e:  # the optimizer refuses state of other names or shapes
            raise FormatError(f"the checkpoint's optimizer state does not fit this model: {e}") from None
        return self._train(trainer, prepared, self.vocab_, progress, checkpoint_path, checkpoint_every,
                           check_callbacks(callbacks))

    def __repr__(self):
        trained = f", {len(self.vocab_)} words" if hasattr(self, "vocab_") else ""
        return f"Word2Vec(arch={self.arch!r}, loss={self.loss!r}, vector_size={self.vector_size}{trained})"


def _corpus_record(corpus, prepared: EncodedCorpus, cfg: Config) -> dict:
    """How a corpus is read, for a file its identity (``corpus.fingerprint``), and the encoded corpus's identity,
    as a checkpoint records them so a resume can prove it trains on the same words."""
    info = {"path": None, "tokenizer": cfg.tokenizer, "lowercase": cfg.lowercase, "encoded": prepared.identity()}
    if isinstance(corpus, (str, os.PathLike)):
        info.update(path=str(Path(corpus).resolve()), **fingerprint(corpus))
    return info


def _trainer(cfg: Config, vocab: Vocabulary, state, client) -> Trainer:
    """The trainer of this run: on a Dask cluster when there is a ``client`` (``w2v.train.distributed``, imported only
    then), else in this process."""
    if client is None:
        from .train.trainer import Trainer  # numba loads when a fit starts, not on `import w2v`
        return Trainer(cfg, vocab, state)
    from .train.distributed import DaskTrainer
    return DaskTrainer(cfg, vocab, client, state)


def _late_params(cfg: Config, where: str, phrases=None, **late) -> tuple[Config, Phrases | None]:
    """The run's validated config with the estimator parameters given late to ``fit``/``partial_fit`` (a
    FutureWarning each: scikit-learn keeps what shapes the model in the constructor, where ``get_params`` and
    ``clone`` see it), and the :class:`Phrases` object ``fit`` was given, if any."""
    if phrases is not None and not isinstance(phrases, Phrases):
        late["phrases"] = phrases
        phrases = None
    for name, value in late.items():
        if value is not None:
            warnings.warn(f"{where}({name}=...) is deprecated: give it to the estimator, Word2Vec({name}=...), "
                          "so that get_params and clone keep it", FutureWarning, stacklevel=3)
            cfg = replace(cfg, **{name: value})
    return cfg.validate(), phrases


def _delimiter(model) -> str | None:
    ph = getattr(model, "phrases_", None)
    return None if ph is None else ph.delimiter


def _remap(words: list, vocab: Vocabulary) -> np.ndarray:
    """Each corpus word's row in the model, -1 for words it does not train (the trainer's ``remap``)."""
    V = len(vocab)
    remap = np.full(len(words), -1, np.int32)
    if words[:V] == vocab.index_to_key:  # the usual case: the vocabulary is the corpus's most frequent words
        remap[:V] = np.arange(V, dtype=np.int32)
    else:
        get = vocab.key_to_index.get
        remap[:] = [get(w, -1) for w in words]
    return remap


def _check_params(params: dict) -> None:
    """Refuse unknown parameters: gensim's spellings get their w2v translation, typos the closest name."""
    known = {f.name for f in fields(Config)}
    hints = [translate(n, v)[1] for n, v in params.items() if n not in known and translate(n, v)]
    if hints:
        raise ConfigError("these are gensim's names; in w2v write " + "; ".join(hints)
                          + " (docs/from-gensim.md has the whole table)")
    check_names(params, "Word2Vec option")


# help(), IDEs and scikit-learn read the constructor's signature: every Config field, keyword-only, its default
Word2Vec.__init__.__signature__ = inspect.Signature(
    [inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD)]
    + [inspect.Parameter(f.name, inspect.Parameter.KEYWORD_ONLY, default=f.default, annotation=f.type)
       for f in fields(Config)])
