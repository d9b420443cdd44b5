"""``load_vectors``: open whatever vectors a user has — our native model or any word2vec file.

Example
-------
>>> import w2v
>>> kv = w2v.load_vectors("runs/model.npz")  # doctest: +SKIP
>>> kv = w2v.load_vectors("GoogleNews-vectors-negative300.bin.gz", limit=100000)  # doctest: +SKIP
"""
from __future__ import annotations

from .errors import FormatError
from .io import find_model_file, is_native_model, load_npz, load_word2vec_format
from .keyedvectors import KeyedVectors


def load_vectors(path, binary: bool | None = None, limit: int | None = None, mmap: bool = False,
                 unicode_errors: str = "strict") -> KeyedVectors:
    """Load word vectors from a native model (``.npz``, or a run directory: see ``io.find_model_file``) or a
    word2vec text/binary file (format detected). Training code is not imported."""
    p = find_model_file(path)
    if is_native_model(p):
        arrays, meta = load_npz(p, mmap=mmap)
        try:
            words, W = meta["words"], arrays["W_in"]
        except KeyError as e:
            raise FormatError(f"{p}: the model file lacks {e}") from None
        if len(words) != len(W):
            raise FormatError(f"{p}: {len(words)} words but {len(W)} vectors")
        if limit is not None:
            words, W = words[:limit], W[:limit]
        return KeyedVectors(words, W, arrays.get("counts"))
    return KeyedVectors(*load_word2vec_format(p, binary=binary, limit=limit, unicode_errors=unicode_errors))
