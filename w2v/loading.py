"""``load_vectors``: open whatever vectors a user has — our native model or any word2vec file.

Example
-------
>>> import w2v
>>> kv = w2v.load_vectors("runs/model.npz")  # doctest: +SKIP
>>> kv = w2v.load_vectors("GoogleNews-vectors-negative300.bin.gz", limit=100000)  # doctest: +SKIP
"""
from __future__ import annotations

import zipfile
from pathlib import Path

from .errors import FormatError
from .io import load_npz, load_word2vec_format
from .keyedvectors import KeyedVectors


def load_vectors(path, binary: bool | None = None, limit: int | None = None, mmap: bool = False,
                 unicode_errors: str = "strict") -> KeyedVectors:
    """Load word vectors from a native model (``.npz`` or a directory holding ``model.npz``) or a word2vec
    text/binary file (format detected). Training code is not imported."""
    p = Path(path)
    if p.is_dir():
        for name in ("model.npz", "vectors.bin", "vectors.txt"):
            if (p / name).is_file():
                p = p / name
                break
        else:
            raise FormatError(f"{p} is a directory without model.npz, vectors.bin or vectors.txt")
    if not p.is_file():
        raise FormatError(f"file not found: {p}")
    if zipfile.is_zipfile(p):
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
    return load_word2vec_format(p, binary=binary, limit=limit, unicode_errors=unicode_errors)
