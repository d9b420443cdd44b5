"""2-D projections of word vectors for pictures and the explorer page: PCA or t-SNE from scikit-learn.

PCA is linear, so parallel offsets in the vectors stay parallel in the picture; t-SNE keeps neighbourhoods.

Example
-------
>>> import numpy as np
>>> project(np.eye(3, 5), "pca").shape
(3, 2)
"""
from __future__ import annotations

import numpy as np

from ..errors import ConfigError, W2VError
from ..options import PROJECTIONS as METHODS


def project(vectors: np.ndarray, method: str = "pca", seed: int = 0, perplexity: float | None = None) -> np.ndarray:
    """Project ``(n, d)`` vectors to ``(n, 2)`` with scikit-learn's PCA or t-SNE.

    PCA is linear, so parallel offsets in the vectors stay parallel in the picture; t-SNE keeps
    neighbourhoods instead (perplexity defaults to ``min(30, (n - 1) / 3)``, as it must stay below n).

    Examples
    --------
    >>> import numpy as np
    >>> project(np.eye(3, 5), "pca").shape
    (3, 2)
    """
    from sklearn.decomposition import PCA
    from sklearn.manifold import TSNE

    if method not in METHODS:
        raise ConfigError(f"projection must be one of {', '.join(METHODS)}, got {method!r}")
    x = np.asarray(vectors, dtype=np.float64)  # (n, d)
    if x.ndim != 2 or len(x) < 2:
        raise W2VError(f"a 2-D picture needs at least 2 words, got {len(x)}")
    if method == "pca":
        return PCA(n_components=2, random_state=seed).fit_transform(x)  # (n, 2)
    if len(x) < 4:
        raise W2VError(f"t-SNE needs at least 4 words, got {len(x)}; use projection='pca'")
    perplexity = perplexity or min(30.0, (len(x) - 1) / 3)
    return TSNE(n_components=2, perplexity=perplexity, init="pca", random_state=seed).fit_transform(x)
