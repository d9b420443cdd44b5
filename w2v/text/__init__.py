"""From bytes to ids: sentence streams and tokenizers (``corpus``), the numba byte tokenizer (``ingest`` over the
hash tables of ``tables``), the encoded corpus on disk (``encoded``), reading a corpus once into the cache
(``prepare``), the vocabulary (``vocab``) and phrases (``phrases``, counted in numba by ``candidates`` and joined by
``bigrams``).

Imports ``w2v.files`` and the modules at w2v's root below it, never ``w2v.train`` or ``w2v.vectors``.

Example
-------
>>> from w2v.text.prepare import prepare_corpus
>>> corpus = prepare_corpus("corpus.txt")  # doctest: +SKIP
"""
