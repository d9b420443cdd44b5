"""w2v: word2vec (CBOW and skip-gram) that you can read and that trains fast.

Example
-------
>>> import w2v
>>> model = w2v.Word2Vec(arch="skipgram", loss="negative").fit("corpus.txt")  # doctest: +SKIP
>>> model.wv.most_similar(positive=["king", "woman"], negative=["man"])  # doctest: +SKIP
"""
from ._version import __version__
from . import _moved

_moved.install()  # the module paths from before the subpackages (w2v.evaluate, w2v.kernels, ...)
from .config import Config
from .errors import (ConfigError, CorpusError, FormatError, KeyNotInVocabError, TrainingError,
                     VocabularyError, W2VError)
from .vectors.keyedvectors import KeyedVectors
from .text.vocab import Vocabulary
from .text import corpus
from .text.corpus import LineSentence, DirectoryCorpus
from .text.encoded import EncodedCorpus
from .text.prepare import prepare_corpus
from .text.phrases import Phrases, ENGLISH_CONNECTOR_WORDS
from .word2vec import Word2Vec
from .loading import load_vectors

_SUBMODULES = ("evaluate", "plot", "datasets", "explore", "io")


def __getattr__(name):
    """``w2v.evaluate``, ``w2v.plot``, ... without importing scipy or matplotlib for every ``import w2v``."""
    if name in _SUBMODULES:
        import importlib
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module 'w2v' has no attribute {name!r}")


__all__ = [
    "Word2Vec", "KeyedVectors", "Phrases", "ENGLISH_CONNECTOR_WORDS", "prepare_corpus", "EncodedCorpus", "Vocabulary", "Config", "corpus", "LineSentence", "DirectoryCorpus",
    "load_vectors", "W2VError", "ConfigError", "CorpusError", "FormatError", "KeyNotInVocabError",
    "TrainingError", "VocabularyError", "__version__",
]
