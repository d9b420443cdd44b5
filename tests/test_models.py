"""The whole networks: gradient checks, and learning a planted structure with every optimizer."""
import numpy as np
import pytest

import w2v
from w2v.config import Config
from w2v.train.models import CBOW, Network, SkipGram, make_output
from w2v.nn import numerical_gradient, relative_error

from conftest import planted_corpus


@pytest.mark.parametrize("arch", [CBOW(), SkipGram()])
@pytest.mark.parametrize("loss", ["softmax", "negative", "hierarchical"])
@pytest.mark.parametrize("cbow_mean", [True, False])
def test_whole_network_gradcheck(arch, loss, cbow_mean):
    rng = np.random.default_rng(0)
    V, d = 7, 4
    W_in = rng.standard_normal((V, d))
    W_out = rng.standard_normal((V - 1 if loss == "hierarchical" else V, d))
    ids = np.array([0, 1, 2, 1, 3, 4, 5, 6, 1])
    bounds = np.array([0, 5, 9])
    inputs, mask, targets = arch.examples(ids, bounds, window=2)
    vocab = w2v.Vocabulary([str(i) for i in range(V)], [9, 7, 5, 4, 3, 2, 1])
    # the exact gradient: gensim's skip of outputs scored beyond MAX_EXP (the default) is checked in test_kernels
    output = make_output(Config(loss=loss, negative=3, skip_saturated=False), vocab)
    extra = output.sample(targets, rng)  # the noise words of negative sampling, fixed for the check
    net = Network(W_in, W_out, output, cbow_mean)
    _, (g_in, g_out) = net.loss_and_grads(inputs, mask, targets, **extra)
    f = lambda: Network(W_in, W_out, output, cbow_mean).loss_and_grads(inputs, mask, targets, **extra)[0]
    assert relative_error(numerical_gradient(f, W_in), g_in.dense(V)) < 1e-6
    dense_out = g_out if isinstance(g_out, np.ndarray) else g_out.dense(len(W_out))
    assert relative_error(numerical_gradient(f, W_out), dense_out) < 1e-6


def test_examples_respect_sentences_and_window():
    ids, bounds = np.array([10, 11, 12, 20, 21]), np.array([0, 3, 5])
    inputs, _, targets = SkipGram().examples(ids, bounds, window=5)
    pairs = set(zip(inputs[:, 0].tolist(), targets.tolist()))
    assert (12, 20) not in pairs and (20, 12) not in pairs  # never across a sentence boundary
    assert (10, 12) in pairs and len(pairs) == 6 + 2
    reduce = np.array([4, 4, 4, 4, 4])  # effective window 1
    inputs, _, targets = SkipGram().examples(ids, bounds, window=5, reduce=reduce)
    assert (10, 12) not in set(zip(inputs[:, 0].tolist(), targets.tolist()))


def _group_precision(model, groups):
    """Fraction of each word's top-3 neighbours that come from its own planted group."""
    hits = total = 0
    for g in groups:
        for w in g:
            near = [x for x, _ in model.wv.most_similar(w, topn=3)]
            hits += sum(x in g for x in near)
            total += 3
    return hits / total


@pytest.mark.parametrize("arch", ["cbow", "skipgram"])
@pytest.mark.parametrize("optimizer,alpha", [("sgd", 0.05), ("momentum", 0.01)])
def test_softmax_networks_learn_planted_structure(arch, optimizer, alpha):
    sents, groups = planted_corpus()
    m = w2v.Word2Vec(arch=arch, loss="softmax", optimizer=optimizer, vector_size=16, window=3, min_count=1,
                     epochs=8, alpha=alpha, batch_size=32, sample=0, seed=3).fit(sents, progress=False)
    hist = m.loss_history_
    assert all(isinstance(x, float) for x in hist) and len(hist) == 8
    assert hist[-1] < hist[0] * 0.97, hist
    assert _group_precision(m, groups) >= 0.9


@pytest.mark.parametrize("arch", ["cbow", "skipgram"])
@pytest.mark.parametrize("loss", ["negative", "hierarchical"])
@pytest.mark.parametrize("workers", [1, 2])
def test_kernel_networks_learn_planted_structure(arch, loss, workers):
    """Also with two threads, whose private copies hold every row of this small vocabulary: what they learn
    reaches the shared weights."""
    sents, groups = planted_corpus()
    m = w2v.Word2Vec(arch=arch, loss=loss, vector_size=16, window=3, min_count=1, epochs=10, sample=0,
                     seed=5, workers=workers, job_words=300).fit(sents, progress=False)
    assert m.loss_history_[-1] < m.loss_history_[0]
    assert _group_precision(m, groups) >= 0.9


def test_numpy_reference_trains_negative_sampling_too():
    sents, groups = planted_corpus()
    m = w2v.Word2Vec(arch="skipgram", loss="negative", vector_size=16, window=3, min_count=1, epochs=6, sample=0,
                     backend="numpy", batch_size=16, seed=5).fit(sents, progress=False)
    assert _group_precision(m, groups) >= 0.9


def test_the_docs_readable_path_example_learns(caplog):
    """docs/training.md's full-softmax example, run as written, visibly learns; the same corpus with subsampling on
    (the default) says why it cannot."""
    import logging
    import re
    from pathlib import Path
    readme = (Path(__file__).resolve().parents[1] / "docs" / "training.md").read_text()
    code = re.search(r"^small = w2v\.Word2Vec\(.*?\* 100\)\n", readme, re.S | re.M).group(0)
    scope = {"w2v": w2v}
    exec(code.replace(".fit(", ".fit(progress=False, corpus="), scope)
    losses = scope["small"].loss_history_
    assert losses[0] > 1.5 and losses[-1] < 0.5, losses
    with caplog.at_level(logging.WARNING):
        w2v.Word2Vec(loss="softmax", min_count=1, epochs=1).fit([["the", "cat", "sat"]] * 100, progress=False)
    assert "keeps only" in caplog.text and "sample=0" in caplog.text
