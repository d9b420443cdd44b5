"""The pictures hold the right content: sklearn's projections, every word labelled, arrows on the right points."""
import numpy as np
import pytest
from matplotlib.text import Annotation
from sklearn.decomposition import PCA
from sklearn.manifold import TSNE

import w2v
from w2v import plot


@pytest.fixture(scope="module")
def kv():
    rng = np.random.default_rng(0)
    words = [f"w{i}" for i in range(60)] + ["man", "woman", "king", "queen", "boy", "girl"]
    vecs = rng.standard_normal((len(words), 16)).astype(np.float32)
    gender = rng.standard_normal(16).astype(np.float32)
    for a, b in [("man", "woman"), ("king", "queen"), ("boy", "girl")]:
        vecs[words.index(b)] = vecs[words.index(a)] + gender  # one shared offset: parallel arrows
    return w2v.KeyedVectors(words, vecs)


def _labels(ax):
    return [t for t in ax.texts if isinstance(t, Annotation) and t.get_text()]


def test_word_map_is_sklearn_pca_and_every_word_is_labelled(kv):
    words = ["man", "woman", "king", "queen", "w3", "w7", "w11"]
    fig = plot.plot_words(kv, words=words)
    ax = fig.axes[0]
    expected = PCA(n_components=2, random_state=0).fit_transform(kv.vectors[kv.indices(words)].astype(np.float64))
    np.testing.assert_allclose(ax.collections[0].get_offsets(), expected, rtol=1e-6, atol=1e-9)
    labels = _labels(ax)
    assert [t.get_text() for t in labels] == words
    for t, point in zip(labels, expected):  # each label is anchored at its own point
        np.testing.assert_allclose(t.xy, point, atol=1e-9)


def test_top_n_and_tsne_match_sklearn(kv):
    fig = plot.plot_words(kv, limit=20, projection="tsne", seed=3)
    x = kv.vectors[:20].astype(np.float64)
    expected = TSNE(n_components=2, perplexity=min(30.0, 19 / 3), init="pca", random_state=3).fit_transform(x)
    np.testing.assert_allclose(fig.axes[0].collections[0].get_offsets(), expected, rtol=1e-5, atol=1e-6)
    assert [t.get_text() for t in _labels(fig.axes[0])] == kv.index_to_key[:20]


def test_labels_do_not_overlap_when_there_is_room(kv):
    fig = plot.plot_words(kv, limit=30)
    renderer = fig.canvas.get_renderer()
    boxes = [t.get_window_extent(renderer) for t in _labels(fig.axes[0])]
    overlaps = sum(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1:])
    assert overlaps == 0


def test_analogy_arrows_join_the_right_points(kv):
    pairs = [("man", "woman"), ("king", "queen"), ("boy", "girl")]
    fig = plot.plot_analogies(kv, ["man:woman", "king:queen", ("boy", "girl")])
    ax = fig.axes[0]
    words = ["man", "woman", "king", "queen", "boy", "girl"]
    xy = PCA(n_components=2, random_state=0).fit_transform(kv.vectors[kv.indices(words)].astype(np.float64))
    at = dict(zip(words, xy))
    arrows = [t for t in ax.texts if isinstance(t, Annotation) and not t.get_text()]
    assert len(arrows) == 3
    for arrow, (a, b) in zip(arrows, pairs):
        np.testing.assert_allclose(arrow.xyann, at[a], atol=1e-9)  # tail at a
        np.testing.assert_allclose(arrow.xy, at[b], atol=1e-9)  # head at b
    # the planted offset is the same for all pairs, so PCA (linear) draws parallel, equal arrows
    offsets = [at[b] - at[a] for a, b in pairs]
    np.testing.assert_allclose(offsets[0], offsets[1], atol=1e-4)
    assert sorted(t.get_text() for t in _labels(ax)) == sorted(words)


def test_loss_curve_holds_the_history():
    corpus = [["a", "b", "c", "d"] * 5, ["c", "d", "e", "a"] * 5] * 10
    model = w2v.Word2Vec(vector_size=8, min_count=1, epochs=3, seed=1, workers=1).fit(corpus, progress=False)
    fig = plot.plot_loss(model)
    lines = {line.get_label(): line for line in fig.axes[0].get_lines()}
    epoch = lines["epoch mean"]
    np.testing.assert_allclose(epoch.get_xdata(), [1, 2, 3])
    np.testing.assert_allclose(epoch.get_ydata(), model.loss_history_)
    steps = np.asarray(model.step_loss_history_)
    fine = lines["during training (mean since last point)"]
    np.testing.assert_allclose(fine.get_xdata(), steps[:, 0])
    np.testing.assert_allclose(fine.get_ydata(), steps[:, 1])


@pytest.mark.parametrize("ext,magic", [("png", b"\x89PNG"), ("svg", b"<?xml"), ("pdf", b"%PDF")])
def test_saves_png_svg_pdf(kv, tmp_path, ext, magic):
    path = tmp_path / f"map.{ext}"
    plot.plot_words(kv, words=["man", "woman", "king"], path=path)
    assert path.read_bytes().startswith(magic)
    assert not list(tmp_path.glob(".*tmp"))  # written atomically, no leftovers


def test_bad_requests_name_the_problem(kv, tmp_path):
    with pytest.raises(w2v.KeyNotInVocabError, match="'kingg'.*'quen'"):
        plot.plot_words(kv, words=["man", "kingg", "quen"])
    with pytest.raises(w2v.ConfigError, match=r"\.png, \.svg or \.pdf"):
        plot.plot_words(kv, words=["man", "woman"], path=tmp_path / "map.jpg")
    with pytest.raises(w2v.ConfigError, match="a:b"):
        plot.plot_analogies(kv, ["man-woman"])
    with pytest.raises(w2v.ConfigError, match="pca"):
        plot.plot_words(kv, limit=5, projection="umap")
    with pytest.raises(w2v.W2VError, match="no loss history"):
        plot.plot_loss(history=[], steps=[])
