"""The exceptions w2v raises for user mistakes and bad input.

Every error a user can cause is a :class:`W2VError`, so the CLI can print its one-line message and exit
with status 2 instead of a traceback. Messages name the file, word or option and say what to do.

Example
-------
>>> from w2v.errors import ConfigError
>>> try:
...     raise ConfigError("window must be >= 1, got 0")
... except W2VError as e:
...     print(e)
window must be >= 1, got 0
"""
from __future__ import annotations

import numbers


class W2VError(Exception):
    """Base class of every error w2v raises on purpose."""


class ConfigError(W2VError, ValueError):
    """A hyperparameter or option has an invalid value."""


class CorpusError(W2VError):
    """A corpus cannot be read, is empty, or cannot be iterated more than once."""


class VocabularyError(W2VError):
    """The vocabulary is empty or unusable (for example every word fell under min_count)."""


class FormatError(W2VError):
    """A vectors or model file is malformed, truncated or of an unknown format."""


class SaveError(W2VError, OSError):
    """A file could not be written (disk full, file too large, no permission); the old file is intact."""


class TrainingError(W2VError):
    """Training failed, for example because the loss diverged to NaN or infinity."""


class KeyNotInVocabError(W2VError, KeyError):
    """One or more words are not in the vocabulary.

    The message names every missing word and suggests close spellings that are in the vocabulary.
    """

    def __init__(self, missing, suggestions=None):
        self.missing = list(missing)
        self.suggestions = dict(suggestions or {})
        parts = []
        for word in self.missing:
            close = self.suggestions.get(word) or []
            hint = f" (did you mean {', '.join(repr(c) for c in close)}?)" if close else ""
            parts.append(f"{word!r}{hint}")
        noun = "word is" if len(self.missing) == 1 else "words are"
        super().__init__(f"{noun} not in the vocabulary: {'; '.join(parts)}")

    def __str__(self):  # KeyError would repr() the message; we want it readable
        return self.args[0]


def check_count(name: str, value, minimum: int = 1, optional: bool = True):
    """``value`` as an int ``>= minimum`` (None passes when ``optional``), else a :class:`ConfigError` naming the
    option: the one check of every count a query takes (``topn``, ``restrict_vocab``, ``top``, ``limit``, ...).

    Example
    -------
    >>> check_count("topn", 5)
    5
    >>> check_count("topn", -5)
    Traceback (most recent call last):
    ...
    w2v.errors.ConfigError: topn must be an integer >= 1, got -5
    """
    if value is None and optional:
        return None
    if not is_integer(value) or value < minimum:
        raise ConfigError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def is_integer(value) -> bool:
    """An integer (Python's or numpy's) and not a bool, which Python counts as an integer but a user never means
    as a count: the one such check, for options, queries and files alike.

    Example
    -------
    >>> is_integer(3), is_integer(True), is_integer(3.0)
    (True, False, False)
    """
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)  # (numpy.bool_ is no Integral)


def is_number(value) -> bool:
    """A real number (an integer or a float, Python's or numpy's) and not a bool.

    Example
    -------
    >>> is_number(0.5), is_number(False), is_number("1")
    (True, False, False)
    """
    return isinstance(value, numbers.Real) and not isinstance(value, bool)  # (nor a Real)


def empty_corpus(path=None) -> CorpusError:
    """The error of a corpus without a single word (an empty file, or a tokenizer that finds nothing), whichever
    reader finds it.

    Example
    -------
    >>> str(empty_corpus("corpus.txt"))
    'corpus.txt: the corpus holds no words: check the file and the tokenizer'
    """
    return CorpusError(("" if path is None else f"{path}: ") + "the corpus holds no words: check the file and the "
                       "tokenizer")
