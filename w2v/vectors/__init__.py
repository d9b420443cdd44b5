"""Trained vectors and their questions: ``KeyedVectors`` (``keyedvectors``, with gensim's method names in
``gensim_methods``), the similarity formulas (``similarity``), the benchmarks (``evaluate``) and the analogy
kernel (``analogy``). No training code: nothing here imports ``w2v.train`` or ``w2v.text``.

Example
-------
>>> from w2v.vectors.keyedvectors import KeyedVectors
>>> wv = KeyedVectors.load("vectors.npz")  # doctest: +SKIP
"""
