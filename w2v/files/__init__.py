"""Files, reading and writing, with nothing of w2v's above them: atomic saves and the run lock, compressed input,
the native npz format, which file a path means, word2vec text/binary and GloVe vectors, the projector export.

This package imports nothing of w2v but ``w2v.errors``; its public names are here (``w2v.io``, the module these
came from, is this package).

Example
-------
>>> from w2v.files import load_word2vec_format
>>> wv = load_word2vec_format("GoogleNews-vectors-negative300.bin", limit=100000)  # doctest: +SKIP
"""
from .atomic import LOCK_FILE, atomic_write, directory_lock, discard, process_alive, stale_temporaries
from .compressed import is_compressed, open_binary
from .model_files import (CHECKPOINT_FILE, MODEL_FILE, VECTORS_BINARY, VECTORS_TEXT, find_model_file,
                          is_native_model, native_format)
from .npz import (MAX_META_BYTES, MAX_WORDS, MODEL_FORMAT, MODEL_VERSION, VECTORS_FORMAT, VECTORS_VERSION,
                  check_counts, check_words, first_repeat, load_npz, save_npz, words_from_member, words_member)
from .projector import save_projector
from .word2vec_format import load_word2vec_format, save_word2vec_format

__all__ = [
    "LOCK_FILE", "atomic_write", "directory_lock", "discard", "process_alive", "stale_temporaries",
    "is_compressed", "open_binary",
    "CHECKPOINT_FILE", "MODEL_FILE", "VECTORS_BINARY", "VECTORS_TEXT", "find_model_file", "is_native_model",
    "native_format",
    "MAX_META_BYTES", "MAX_WORDS", "MODEL_FORMAT", "MODEL_VERSION", "VECTORS_FORMAT", "VECTORS_VERSION",
    "check_counts", "check_words", "first_repeat", "load_npz", "save_npz", "words_from_member", "words_member",
    "save_projector", "load_word2vec_format", "save_word2vec_format",
]
