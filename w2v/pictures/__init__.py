"""Pictures of vectors: PCA / t-SNE maps, analogy arrows and loss curves (``plot``, the only matplotlib import),
the projection they share (``projection``) and the offline explorer page (``explore``, with ``static/``).

Example
-------
>>> from w2v.pictures import plot
>>> plot.plot_words(wv, ["king", "queen", "man", "woman"], path="words.png")  # doctest: +SKIP
"""
