"""The options the command line and Python share outside training: one row each, so that a flag and its Python
parameter have one name, one unit and one check (training's options come from ``w2v.Config`` the same way).

``--topn`` is always how many answers (neighbours, analogy answers), ``--limit`` the first (most frequent) N
words, ``--formula`` how an analogy is scored, ``--projection`` how words are laid out in 2-D, and
``--checkpoint-every`` is in seconds, as ``checkpoint_every=`` is. Spellings that meant something else before
(``--method``, ``--top``, ``--pairs``, minutes) still work for a release, with a one-line message
(:data:`RENAMED_FLAGS`, :func:`renamed`).

Example
-------
>>> OPTIONS["restrict_vocab"].flag
'--restrict-vocab'
>>> check_choice("formula", "3cosmul")
'3cosmul'
"""
from __future__ import annotations

import re
import warnings
from dataclasses import dataclass

from .errors import ConfigError

FORMULAS = ("3cosadd", "3cosmul")     # analogy scoring: b - a + c (Mikolov et al.), or Levy and Goldberg's product
PROJECTIONS = ("pca", "tsne")         # 2-D layouts for pictures and the explorer
ANALOGY_VOCAB = 30000  # analogy benchmarks count questions among this many most frequent words (word2vec.c's)


@dataclass(frozen=True)
class Option:
    """One shared option: ``name`` is the Python parameter, ``flag`` the command line's spelling of it."""
    name: str
    help: str
    metavar: str | None = None
    choices: tuple | None = None
    count: bool = False     # an integer >= 1
    unit: str | None = None

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")


OPTIONS = {o.name: o for o in [
    Option("topn", "how many answers to show", metavar="N", count=True),
    Option("restrict_vocab", "search only the N most frequent words", metavar="N", count=True),
    Option("limit", "the first (most frequent) N words", metavar="N", count=True),
    Option("formula", "how an analogy is scored: 3cosadd (b - a + c) or 3cosmul (Levy and Goldberg 2014)",
           choices=FORMULAS),
    Option("projection", "how the words are laid out in 2-D: pca (linear: parallel offsets stay parallel) or tsne "
           "(keeps neighbourhoods)", choices=PROJECTIONS),
    Option("checkpoint_every", "save OUT/checkpoint.npz this often (seconds, or with a unit: 90s, 10m, 1h); "
           "w2v train --resume OUT continues from it", metavar="SECONDS", unit="seconds"),
]}

# command -> {old flag: the option it is now}; accepted with a one-line message until the next release
RENAMED_FLAGS = {
    "analogy": {"--method": "formula"},
    "evaluate": {"--method": "formula", "--pairs": "pair_sets"},
    "plot": {"--method": "projection", "--top": "limit", "--pairs": "arrows"},
    "explore": {"--method": "projection", "--top": "limit"},
    "export": {"--top": "limit"},
}


def check_choice(name: str, value, choices=None):
    """``value`` if it is one of the option's choices, else a :class:`ConfigError` naming them."""
    choices = OPTIONS[name].choices if choices is None else choices
    if value not in choices:
        raise ConfigError(f"{name} must be one of {', '.join(choices)}, got {value!r}")
    return value


def renamed(where: str, kwargs: dict, **values):
    """Parameters under their new names: ``values`` maps each new name to ``(old name, value given)``; a value
    given under the old name (in ``kwargs``) wins, with a FutureWarning. Any other leftover keyword is an error,
    as Python's own would be. Returns the one value, or a dict of them.

    Example
    -------
    >>> renamed("analogy", {}, formula=("method", "3cosmul"))
    '3cosmul'
    """
    kwargs, out = dict(kwargs), {}
    for new, (old, value) in values.items():
        if old in kwargs:
            warnings.warn(f"{where}: {old}= is now {new}= (the old name goes in the next release)", FutureWarning,
                          stacklevel=3)
            value = kwargs.pop(old)
        out[new] = value
    if kwargs:
        raise TypeError(f"{where}() got an unexpected keyword argument {next(iter(kwargs))!r}")
    return out if len(out) > 1 else out[next(iter(out))]


_UNITS = {"s": 1.0, "m": 60.0, "h": 3600.0}


def seconds(text: str) -> tuple[float, bool]:
    """A duration from the command line: ``(seconds, whether it had a unit)``; '90', '90s', '1.5m', '2h'."""
    m = re.fullmatch(r"\s*([0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)\s*([smh]?)\s*", str(text))
    if not m:
        raise ConfigError(f"checkpoint_every must be a number of seconds, or one with a unit (90s, 10m, 1h); "
                          f"got {text!r}")
    value = float(m.group(1)) * _UNITS.get(m.group(2) or "s")
    if not 0 < value < float("inf"):
        raise ConfigError(f"checkpoint_every must be a positive, finite duration, got {text!r}")
    return value, bool(m.group(2))
