"""``load_vectors``: open whatever vectors a user has — our native model or any word2vec file.

Example
-------
>>> import w2v
>>> kv = w2v.load_vectors("runs/model.npz")  # doctest: +SKIP
>>> kv = w2v.load_vectors("GoogleNews-vectors-negative300.bin.gz", limit=100000)  # doctest: +SKIP
"""
from __future__ import annotations

from .errors import check_count
from .files import VECTORS_FORMAT, find_model_file, is_native_model, native_format
from .vectors.keyedvectors import KeyedVectors
from .modelfile import read_model
from .files.word2vec_format import load_word2vec_format


def load_vectors(path, binary: bool | None = None, limit: int | None = None, mmap: bool = False,
                 unicode_errors: str = "strict", no_header: bool | None = None) -> KeyedVectors:
    """Load word vectors from a native file (a model or ``kv.save``'s vectors, ``.npz``, or a run directory: see
    ``io.find_model_file``) or a word2vec text/binary or GloVe file (format detected; ``no_header=True`` forces
    a headerless GloVe reading). Training code is not imported; a native model is checked as a whole
    (``w2v.modelfile``), exactly as ``Word2Vec.load`` checks it.

    ``mmap=True`` maps a native file's arrays instead of reading them: ``w2v convert`` a word2vec file once,
    then every later load opens at once, whatever its size.

    Example
    -------
    >>> kv = load_vectors("glove.6B.100d.txt", limit=50000)  # doctest: +SKIP
    """
    limit = check_count("limit", limit, minimum=0)
    p = find_model_file(path)
    if is_native_model(p) and native_format(p) == VECTORS_FORMAT:
        kv = KeyedVectors.load(p, mmap=mmap)
        return kv if limit is None else kv.head(limit)
    if is_native_model(p):
        m = read_model(p, mmap=mmap)  # as strict as Word2Vec.load
        n = len(m.words) if limit is None else limit
        delimiter = None if m.phrases is None else m.phrases.delimiter
        return KeyedVectors(m.words[:n], m.W_in[:n], m.counts[:n], phrase_delimiter=delimiter)
    return KeyedVectors(*load_word2vec_format(p, binary=binary, limit=limit, unicode_errors=unicode_errors,
                                              no_header=no_header))
