"""Callbacks: your code at the start and end of training and of every epoch, as Keras and gensim users expect.

A callback is any object with some of these methods (each is optional)::

    on_train_begin(model)
    on_epoch_begin(model, epoch)        # epoch counts from 1
    on_epoch_end(model, epoch, loss)    # loss: the epoch's mean loss (None without compute_loss);
                                        # returning True stops training after this epoch
    on_train_end(model)

``model`` is the :class:`w2v.Word2Vec` being trained; at an epoch's end its weights hold every update so far.
A run stopped early keeps ``state_.epoch < config_.epochs``, so ``resume()`` could continue it.

Built-ins: :class:`EvaluateEachEpoch` scores the standard benchmarks after each epoch (``w2v train
--eval-each-epoch`` prints its table as it goes), :class:`EarlyStopping` stops when a metric stops improving.

Example
-------
>>> from w2v.train.callbacks import EarlyStopping, EvaluateEachEpoch
>>> scores = EvaluateEachEpoch()
>>> model = w2v.Word2Vec(epochs=20).fit("corpus.txt", callbacks=[scores, EarlyStopping("analogy", scores)])  # doctest: +SKIP
>>> scores.history[-1]["analogy"]  # doctest: +SKIP
0.171
"""
from __future__ import annotations

import logging
import math


from ..errors import ConfigError
from ..progress import tqdm
from ..vectors.keyedvectors import KeyedVectors
from ..options import ANALOGY_VOCAB

logger = logging.getLogger(__name__)

HOOKS = ("on_train_begin", "on_epoch_begin", "on_epoch_end", "on_train_end")


def check_callbacks(callbacks) -> list:
    """The callbacks as a list, each with at least one hook (a typo in a method name would silently do nothing)."""
    callbacks = list(callbacks or [])
    for cb in callbacks:
        if not any(callable(getattr(cb, h, None)) for h in HOOKS):
            raise ConfigError(f"callback {cb!r} has none of the methods {', '.join(HOOKS)}")
    return callbacks


def call(callbacks, hook: str, *args) -> bool:
    """Call ``hook`` on every callback that has it; True when any of them asks to stop."""
    stop = False
    for cb in callbacks:
        fn = getattr(cb, hook, None)
        if callable(fn):
            stop = bool(fn(*args)) or stop
    return stop


class EvaluateEachEpoch:
    """After each epoch: questions-words accuracy and word-pair Spearman correlations (``w2v.vectors.evaluate``).

    Parameters
    ----------
    analogies : path or None
        A questions-words file (default "questions-words": the shipped one); None skips analogies.
    pairs : dict name -> path
        Word-pair sets (default: WordSim353 and SimLex-999).
    restrict_vocab : int
        As ``evaluate.analogies`` (gensim's 30,000).
    print_table : bool
        Print a row per epoch (through tqdm, so a progress bar stays intact).

    Attributes
    ----------
    history : list of dict
        One row per epoch: ``{"epoch", "loss", "analogy", "WordSim353", "SimLex-999"}`` (NaN where a set has too
        few known words).
    """

    def __init__(self, analogies="questions-words", pairs=None, restrict_vocab: int = ANALOGY_VOCAB,
                 print_table: bool = False):
        from ..vectors import evaluate as ev  # scipy only when evaluating: `import w2v` stays light
        self.analogies = ev.QUESTIONS_WORDS if analogies == "questions-words" else analogies
        self.pairs = {"WordSim353": ev.WORDSIM353, "SimLex-999": ev.SIMLEX999} if pairs is None else dict(pairs)
        self.restrict_vocab = restrict_vocab
        self.print_table = print_table
        self.history: list[dict] = []

    def score(self, model, epoch: int, loss) -> dict:
        from ..vectors import evaluate as ev
        kv = KeyedVectors(model.vocab_.index_to_key, model.W_in_)  # fresh unit vectors of the current weights
        row = {"epoch": epoch, "loss": loss}
        if self.analogies is not None:
            row["analogy"] = ev.analogies(kv, self.analogies, restrict_vocab=self.restrict_vocab).accuracy
        for name, path in self.pairs.items():
            try:
                row[name] = ev.word_pairs(kv, path).spearman
            except ev.TooFewPairsError:
                row[name] = math.nan
        return row

    def on_epoch_end(self, model, epoch, loss):
        row = self.score(model, epoch, loss)
        self.history.append(row)
        names = [k for k in row if k not in ("epoch", "loss")]
        if self.print_table:
            if len(self.history) == 1:
                tqdm.write("epoch      loss  " + "  ".join(f"{n:>10s}" for n in names))
            loss_text = "         -" if loss is None else f"{loss:10.4f}"
            cells = [f"{row[n]:10.1%}" if n == "analogy" else f"{row[n]:10.3f}" for n in names]
            tqdm.write(f"{epoch:5d}{loss_text}  " + "  ".join(cells))
        logger.info("epoch %d: %s", epoch, ", ".join(f"{k} {v:.4f}" for k, v in row.items()
                                                      if k != "epoch" and v is not None))


class EarlyStopping:
    """Stop training when a metric has not improved for ``patience`` epochs.

    Parameters
    ----------
    monitor : "loss", a column of :class:`EvaluateEachEpoch` ("analogy", "WordSim353", "SimLex-999"), or a
        function ``model -> float``
    evaluator : EvaluateEachEpoch, optional
        Whose scores to watch (one is made when the monitor needs it); list it before this callback to see its
        table too.
    patience : int
        Epochs without improvement tolerated before stopping.
    min_delta : float
        The least change that counts as an improvement.
    mode : "min" or "max"
        Whether lower is better; default "min" for the loss, "max" otherwise.

    Attributes
    ----------
    best, best_epoch, stopped_epoch : the best value seen, its epoch, and the epoch training stopped after (or None)
    """

    def __init__(self, monitor="analogy", evaluator: EvaluateEachEpoch | None = None, patience: int = 1,
                 min_delta: float = 0.0, mode: str | None = None):
        if mode not in (None, "min", "max"):
            raise ConfigError(f"mode must be 'min' or 'max', got {mode!r}")
        if not isinstance(patience, int) or patience < 1:
            raise ConfigError(f"patience must be an integer >= 1, got {patience!r}")
        self.monitor, self.patience, self.min_delta = monitor, patience, float(min_delta)
        self.mode = mode or ("min" if monitor == "loss" else "max")
        self.evaluator = evaluator if evaluator is not None or monitor == "loss" or callable(monitor) \
            else EvaluateEachEpoch()
        self.best, self.best_epoch, self.stopped_epoch, self.wait = None, None, None, 0

    def value(self, model, epoch, loss) -> float:
        if callable(self.monitor):
            return float(self.monitor(model))
        if self.monitor == "loss":
            if loss is None:
                raise ConfigError("EarlyStopping('loss') needs compute_loss=True")
            return float(loss)
        if not self.evaluator.history or self.evaluator.history[-1]["epoch"] != epoch:
            self.evaluator.history.append(self.evaluator.score(model, epoch, loss))
        try:
            return float(self.evaluator.history[-1][self.monitor])
        except KeyError:
            raise ConfigError(f"EarlyStopping: no metric {self.monitor!r}; the evaluator gives "
                              f"{', '.join(k for k in self.evaluator.history[-1] if k != 'epoch')}") from None

    def on_epoch_end(self, model, epoch, loss) -> bool:
        v = self.value(model, epoch, loss)
        better = self.best is None or (v < self.best - self.min_delta if self.mode == "min"
                                       else v > self.best + self.min_delta)
        if better:
            self.best, self.best_epoch, self.wait = v, epoch, 0
            return False
        self.wait += 1
        if self.wait >= self.patience:
            self.stopped_epoch = epoch
            logger.info("early stopping after epoch %d: %s has not improved on %.4f (epoch %d) for %d epoch(s)",
                        epoch, self.monitor, self.best, self.best_epoch, self.wait)
            return True
        return False
