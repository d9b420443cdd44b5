"""Pictures of what was learned: 2-D word maps (PCA / t-SNE), analogy arrows, training-loss curves.

This is the only module that imports matplotlib. Figures are built on ``matplotlib.figure.Figure`` with
no pyplot, so nothing here changes the user's backend: it works headless (scripts, CI) and a returned
Figure still shows inline in a notebook. Projections come from scikit-learn (PCA, t-SNE).

The analogy picture is the one from Mikolov et al. 2013 ("Distributed representations of words and
phrases", Fig. 2): pairs such as country -> capital drawn as arrows in one 2-D projection, where a
consistent relation shows up as roughly parallel arrows.

Letters: n = words drawn, d = vector width.

Example
-------
>>> from w2v import plot
>>> fig = plot.plot_words(kv, limit=100, path="words.png")  # doctest: +SKIP
>>> fig = plot.plot_analogies(kv, [("man", "woman"), ("king", "queen")], path="pairs.svg")  # doctest: +SKIP
>>> fig = plot.plot_loss(model, path="loss.pdf")  # doctest: +SKIP
"""
from __future__ import annotations

import io
import logging
from pathlib import Path
from typing import Sequence

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ..errors import ConfigError, W2VError, check_count
from .explore import DEFAULT_TOP, write_explorer
from ..files import atomic_write
from ..vectors.keyedvectors import KeyedVectors
from ..options import renamed
from .projection import project

logger = logging.getLogger(__name__)

FORMATS = ("png", "svg", "pdf")
_MARKER_COLOR = "#1f77b4"
_ARROW_COLOR = "#d62728"


# ---------------------------------------------------------------------------------------------- words
def choose_words(kv: KeyedVectors, words: Sequence[str] | None = None, limit: int | None = None) -> list[str]:
    """The words to draw: ``words`` (every one must be known), or the ``limit`` most frequent (default 50)."""
    if words:
        kv.indices(words)  # raises KeyNotInVocabError naming every missing word
        return list(dict.fromkeys(words))
    limit = check_count("limit (the words to draw, a map needs two)", 50 if limit is None else limit, minimum=2)
    return list(kv.index_to_key[:limit])


# ---------------------------------------------------------------------------------------------- figures
def plot_words(kv: KeyedVectors, words: Sequence[str] | None = None, limit: int | None = None,
               projection: str = "pca", seed: int = 0, title: str | None = None, path=None, figsize=(9, 7),
               **old) -> Figure:
    """A labelled 2-D map of chosen words (or the ``limit`` most frequent: 50 by default) by PCA or t-SNE.

    Labels are placed beside their points without overlapping one another where there is room; a label
    pushed away from a crowded point gets a thin leader line back to it.

    Returns
    -------
    matplotlib.figure.Figure
        ``fig.axes[0].collections[0].get_offsets()`` are the projected points, in the order of the words.
    """
    given = renamed("plot_words", old, projection=("method", projection), limit=("top", limit))
    method, words = given["projection"], choose_words(kv, words, given["limit"])
    xy = project(kv.vectors[kv.indices(words)], method, seed)  # (n, 2)
    fig, ax = _figure(figsize)
    ax.scatter(xy[:, 0], xy[:, 1], s=14, color=_MARKER_COLOR, zorder=3)
    _frame(ax, xy)
    place_labels(fig, ax, xy, words)
    ax.set_title(title or f"{len(words)} words, {_method_name(method)}")
    _axis_labels(ax, method)
    return _finish(fig, path)


def plot_analogies(kv: KeyedVectors, pairs: Sequence[tuple[str, str]], projection: str = "pca", seed: int = 0,
                   title: str | None = None, path=None, figsize=(9, 7), **old) -> Figure:
    """Pairs such as ``("man", "woman"), ("king", "queen")`` as arrows ``a -> b`` in one 2-D projection.

    All words of all pairs are projected together, so a relation the vectors encode as a constant offset
    shows as parallel arrows of similar length.

    Returns
    -------
    matplotlib.figure.Figure
        One annotation arrow per pair (``ann.xyann`` at a, ``ann.xy`` at b, in pair order).
    """
    method = renamed("plot_analogies", old, projection=("method", projection))
    pairs = [_pair(p) for p in pairs]
    if not pairs:
        raise ConfigError("give at least one pair a:b to draw")
    words = list(dict.fromkeys(w for p in pairs for w in p))
    kv.indices(words)  # names every missing word at once
    xy = project(kv.vectors[kv.indices(words)], method, seed)  # (n, 2)
    at = {w: xy[i] for i, w in enumerate(words)}
    fig, ax = _figure(figsize)
    ax.scatter(xy[:, 0], xy[:, 1], s=14, color=_MARKER_COLOR, zorder=3)
    for a, b in pairs:
        ax.annotate("", xy=tuple(at[b]), xytext=tuple(at[a]),
                    arrowprops=dict(arrowstyle="-|>", color=_ARROW_COLOR, lw=1.4, shrinkA=3, shrinkB=3), zorder=2)
    _frame(ax, xy)
    place_labels(fig, ax, xy, words)
    ax.set_title(title or f"{len(pairs)} pairs, {_method_name(method)}")
    _axis_labels(ax, method)
    return _finish(fig, path)


def plot_loss(model=None, history: Sequence[float] | None = None, steps: Sequence[Sequence[float]] | None = None,
              title: str | None = None, path=None, figsize=(8, 5)) -> Figure:
    """The training-loss curve: the mean loss of each epoch, and the finer curve recorded during training.

    Parameters
    ----------
    model : Word2Vec, optional
        Reads ``loss_history_`` (one value per epoch) and ``step_loss_history_`` (``[epochs done, loss]``
        about 20 times an epoch). Or pass ``history`` / ``steps`` directly.
    """
    if model is not None:
        history = list(getattr(model, "loss_history_", []) or [])
        steps = list(getattr(model, "step_loss_history_", []) or [])
    history = [float(h) for h in (history or [])]
    steps = np.asarray(steps if steps is not None and len(steps) else np.zeros((0, 2)), dtype=np.float64)
    finite = [h for h in history if np.isfinite(h)]
    if not finite and not len(steps):
        raise W2VError("this model has no loss history to draw: train it with compute_loss=True")
    fig, ax = _figure(figsize)
    if len(steps):
        ax.plot(steps[:, 0], steps[:, 1], color="#7f7f7f", lw=1, label="during training (mean since last point)")
    if finite:
        epochs = np.arange(1, len(history) + 1)
        ax.plot(epochs, history, "o-", color=_ARROW_COLOR, lw=2, label="epoch mean")
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss per example")
    ax.grid(alpha=0.3)
    ax.legend(loc="upper right")
    ax.set_title(title or "training loss")
    return _finish(fig, path)


# ---------------------------------------------------------------------------------------------- labels
def place_labels(fig: Figure, ax, xy: np.ndarray, labels: Sequence[str], fontsize: float = 9) -> list:
    """Label each point, greedily choosing for each the nearest free spot around it.

    Candidate spots ring the point at growing distances (8 directions); the first whose text box overlaps
    no placed label and no other point wins. Crowded points whose label had to move far get a leader line.
    Returns the annotations, in the order of ``labels``.
    """
    fig.draw_without_rendering()  # let the layout settle so data -> pixel transforms are final
    renderer = fig.canvas.get_renderer()
    pts = ax.transData.transform(xy)  # (n, 2) display pixels
    scale = fig.dpi / 72.0  # points -> pixels
    sizes = []
    for text in labels:  # measure each label once
        t = ax.text(0, 0, text, fontsize=fontsize)
        box = t.get_window_extent(renderer)
        sizes.append((box.width, box.height))
        t.remove()
    placed: list[tuple[float, float, float, float]] = []
    dirs = [(1, 0), (0, 1), (-1, 0), (0, -1), (1, 1), (-1, 1), (-1, -1), (1, -1)]
    anns = []
    for i, text in enumerate(labels):
        w, h = sizes[i]
        best = None
        for radius in (4, 9, 16, 26, 40):
            for dx, dy in dirs:
                ox, oy = dx * radius * scale, dy * radius * scale
                x0 = pts[i, 0] + ox - (w if dx < 0 else w / 2 if dx == 0 else 0)
                y0 = pts[i, 1] + oy - (h if dy < 0 else h / 2 if dy == 0 else 0)
                box = (x0, y0, x0 + w, y0 + h)
                if not _collides(box, placed, pts, i):
                    best = (dx, dy, radius, box)
                    break
            if best:
                break
        if best is None:  # no free spot: sit beside the point, overlapping as little as we can
            best = (1, 0, 4, (pts[i, 0], pts[i, 1] - h / 2, pts[i, 0] + w, pts[i, 1] + h / 2))
        dx, dy, radius, box = best
        placed.append(box)
        ha = "left" if dx > 0 else "right" if dx < 0 else "center"
        va = "bottom" if dy > 0 else "top" if dy < 0 else "center"
        leader = dict(arrowstyle="-", color="#999999", lw=0.6, shrinkA=0, shrinkB=2) if radius > 9 else None
        anns.append(ax.annotate(text, xy=tuple(xy[i]), xytext=(dx * radius, dy * radius), textcoords="offset points",
                                ha=ha, va=va, fontsize=fontsize, arrowprops=leader, zorder=4))
    return anns


def _collides(box, placed, pts, own, pad=1.0) -> bool:
    x0, y0, x1, y1 = box
    for a0, b0, a1, b1 in placed:
        if x0 < a1 + pad and a0 < x1 + pad and y0 < b1 + pad and b0 < y1 + pad:
            return True
    inside = (pts[:, 0] > x0 - 2) & (pts[:, 0] < x1 + 2) & (pts[:, 1] > y0 - 2) & (pts[:, 1] < y1 + 2)
    inside[own] = False
    return bool(inside.any())


# ---------------------------------------------------------------------------------------------- helpers
def save(fig: Figure, path) -> Path:
    """Write ``fig`` to ``path`` as PNG, SVG or PDF (from the extension), atomically."""
    path = Path(path)
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise ConfigError(f"cannot save a picture as {path.name!r}: use a .png, .svg or .pdf file name")
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt, dpi=150, bbox_inches="tight")
    with atomic_write(path, "wb") as f:
        f.write(buf.getvalue())
    logger.info("wrote %s", path)
    return path


class PictureFigure(Figure):
    """A matplotlib Figure that also shows itself in Jupyter with no backend set up (``_repr_png_``)."""

    def _repr_png_(self) -> bytes:
        buf = io.BytesIO()
        self.savefig(buf, format="png", dpi=100, bbox_inches="tight")
        return buf.getvalue()


def _figure(figsize):
    fig = PictureFigure(figsize=figsize, layout="constrained")
    FigureCanvasAgg(fig)  # a canvas of our own: no pyplot, no global backend
    return fig, fig.add_subplot()


def _frame(ax, xy):
    """Fix the data limits (with a margin for labels) before labels are measured against them."""
    lo, hi = xy.min(axis=0), xy.max(axis=0)
    pad = (hi - lo) * 0.08 + 1e-9
    ax.set_xlim(lo[0] - pad[0], hi[0] + pad[0])
    ax.set_ylim(lo[1] - pad[1], hi[1] + pad[1])


def _axis_labels(ax, method):
    names = ("PC 1", "PC 2") if method == "pca" else ("t-SNE 1", "t-SNE 2")
    ax.set_xlabel(names[0])
    ax.set_ylabel(names[1])


def _method_name(method):
    return "PCA" if method == "pca" else "t-SNE"


def _pair(p) -> tuple[str, str]:
    if isinstance(p, str):
        parts = p.split(":")
        if len(parts) != 2 or not all(parts):
            raise ConfigError(f"a pair is written a:b (like man:woman), got {p!r}")
        return parts[0], parts[1]
    a, b = p
    return str(a), str(b)


def _finish(fig, path):
    if path is not None:
        save(fig, path)
    return fig


def explorer(kv: KeyedVectors, path, limit: int = DEFAULT_TOP, projection: str = "pca", title: str | None = None,
             **old):
    """The interactive explorer page (search, analogies, zoomable map) as one self-contained HTML file; see
    :func:`w2v.pictures.explore.write_explorer`. Returns its path."""
    return write_explorer(kv, path, limit=limit, projection=projection, title=title, **old)
