"""The explorer: one self-contained HTML page to search neighbours, try analogies and browse a map of a model.

The page needs no server and no network: its script and style (``w2v/pictures/static/``) are inlined, and so is the data,
the ``top`` most frequent words with their unit vectors (little-endian float32, base64) and their 2-D
projection (PCA or t-SNE, ``w2v.pictures.projection``). The page computes cosines and 3CosAdd analogies itself, the same
arithmetic as :meth:`KeyedVectors.most_similar` restricted to the words it holds, so its answers are the
library's (``tests/test_explore.py`` checks this in a real browser).

Size: 4·d + 8 bytes a word before base64 (x 4/3), so 10,000 words of 100 dimensions take about 5.5 MB.

Example
-------
>>> from w2v.pictures.explore import write_explorer
>>> write_explorer(kv, "explorer.html", limit=10000)  # doctest: +SKIP
PosixPath('explorer.html')
"""
from __future__ import annotations

import base64
import json
import logging
from importlib import resources
from pathlib import Path

import numpy as np

from ..errors import check_count
from ..files import atomic_write
from ..vectors.keyedvectors import KeyedVectors
from ..options import check_choice, renamed
from .projection import project

logger = logging.getLogger(__name__)

DEFAULT_TOP = 10_000  # words in a page: ~5.5 MB at 100 dimensions, interactive in well under a second


def _asset(name: str) -> str:
    return resources.files("w2v.pictures").joinpath("static", name).read_text(encoding="utf-8")


def _float32_b64(a: np.ndarray) -> str:
    return base64.b64encode(np.ascontiguousarray(a, dtype="<f4").tobytes()).decode("ascii")


def explorer_html(kv: KeyedVectors, limit: int = DEFAULT_TOP, projection: str = "pca", title: str | None = None,
                  model_name: str = "vectors", seed: int = 0, **old) -> str:
    """The explorer page for the ``limit`` most frequent words of ``kv``, as one HTML string."""
    given = renamed("explorer", old, projection=("method", projection), limit=("top", limit))
    method = check_choice("projection", given["projection"])
    top = check_count("limit (the words in the page, at least 2)", given["limit"], minimum=2, optional=False)
    n = min(top, len(kv))
    unit = kv.get_normed_vectors()[:n]  # (n, d) the rows KeyedVectors queries use
    xy = project(unit, method, seed)  # (n, 2)
    lo, span = xy.min(axis=0), np.ptp(xy, axis=0).max() or 1.0
    xy = (xy - lo) / span  # into [0, 1], one scale for both axes so that distances keep their proportions
    xy[:, 1] = 1.0 - xy[:, 1]  # the screen's y grows downwards
    data = {"model": model_name, "method": method, "words": list(kv.index_to_key[:n]), "total_words": len(kv),
            "dims": int(unit.shape[1]), "vectors": _float32_b64(unit), "xy": _float32_b64(xy)}
    payload = json.dumps(data, ensure_ascii=False).replace("</", "<\\/")  # no word may close the script tag
    title = title or f"w2v explorer: {model_name}"
    escaped = title.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    page = _asset("explorer.html")
    for key, value in (("__STYLE__", _asset("explorer.css")), ("__SCRIPT__", _asset("explorer.js")),
                       ("__TITLE__", escaped), ("__DATA__", payload)):
        page = page.replace(key, value)
    return page


def write_explorer(kv: KeyedVectors, path, limit: int = DEFAULT_TOP, projection: str = "pca",
                   title: str | None = None, model_name: str | None = None, seed: int = 0, **old) -> Path:
    """Write the explorer page for ``kv`` to ``path`` (atomically) and return the path."""
    path = Path(path)
    page = explorer_html(kv, limit, projection, title, model_name or path.stem, seed, **old)
    with atomic_write(path, "w") as f:
        f.write(page)
    logger.info("explorer page %s: %.1f MB", path, len(page.encode()) / 1e6)
    return path
