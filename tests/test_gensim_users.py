"""What gensim users reach for: their argument names get the w2v spelling, pickles are refused with the export
command, KeyedVectors answers gensim's conveniences as gensim does, callbacks, and a native save of vectors."""
import pickle
import subprocess
import sys

import numpy as np
import pytest

import w2v
from w2v.callbacks import EarlyStopping, EvaluateEachEpoch
from w2v.errors import ConfigError, FormatError
from w2v.gensim_names import GENSIM_ARGUMENTS, translate

from conftest import planted_corpus, planted_file

GENSIM_VALUES = {"sentences": [["a"]], "corpus_file": "c.txt", "corpus_iterable": [["a"]], "size": 50, "iter": 3,
                 "sg": 1, "hs": 1, "cbow_mean": 1, "sorted_vocab": 1, "batch_words": 5000, "callbacks": [],
                 "hashfxn": hash, "null_word": 0, "trim_rule": None, "comment": "x"}


@pytest.mark.parametrize("name", sorted(GENSIM_ARGUMENTS))
def test_every_gensim_name_gets_a_spelling_that_works(name):
    value = GENSIM_VALUES[name]
    params, hint = translate(name, value)
    if name in ("cbow_mean", "sorted_vocab"):  # the same names: gensim's 0/1 need to be booleans
        with pytest.raises(ConfigError, match="gensim's 1 is True"):
            w2v.Word2Vec(**{name: value}).get_config().validate()
    else:
        with pytest.raises(ConfigError) as e:
            w2v.Word2Vec(**{name: value})
        assert hint in str(e.value) and "docs/from-gensim.md" in str(e.value)
    if params is not None:  # the printed spelling is accepted and means what gensim meant
        cfg = w2v.Word2Vec(**params).get_config().validate()
        assert all(getattr(cfg, k) == v for k, v in params.items())


def test_the_gensim_script_runs_after_the_printed_translations():
    sents, _ = planted_corpus(200)
    with pytest.raises(ConfigError) as e:
        w2v.Word2Vec(sentences=sents, sg=1, hs=0, negative=5, size=16, iter=2, min_count=1)
    message = str(e.value)
    for hint in ("sg=1 -> arch='skipgram'", "hs=0 -> loss='negative'", "size=16 -> vector_size=16",
                 "iter=2 -> epochs=2", "Word2Vec(...).fit(sentences)"):
        assert hint in message
    model = w2v.Word2Vec(arch="skipgram", loss="negative", negative=5, vector_size=16, epochs=2, min_count=1).fit(
        sents, progress=False)
    assert model.wv.vector_size == 16 and len(model.loss_history_) == 2


def test_docs_table_names_every_translated_argument():
    from pathlib import Path
    doc = (Path(__file__).resolve().parents[1] / "docs" / "from-gensim.md").read_text()
    import re
    table = doc.split("## Queries")[0]
    for name in GENSIM_ARGUMENTS:
        assert re.search(rf"`[^`]*\b{name}\b[^`]*`", table), name


def test_a_gensim_pickle_is_refused_with_the_export_command(tmp_path):
    path = tmp_path / "gensim.model"
    with open(path, "wb") as f:
        pickle.dump({"not": "loaded"}, f, protocol=4)
    for load in (w2v.load_vectors, w2v.Word2Vec.load):
        with pytest.raises(FormatError, match=r"Python pickle.*save_word2vec_format\('vectors.bin', binary=True\)"):
            load(path)
    r = subprocess.run([sys.executable, "-m", "w2v.cli", "neighbors", str(path), "a"], capture_output=True, text=True)
    assert r.returncode == 2 and "allow_pickle" not in r.stderr and len(r.stderr.strip().splitlines()) == 1


@pytest.fixture
def both(gensim):
    rng = np.random.default_rng(3)
    words = [f"w{i}" for i in range(50)]
    vecs = rng.standard_normal((50, 8)).astype(np.float32)
    theirs = gensim.models.KeyedVectors(8)
    theirs.add_vectors(words, vecs)
    return w2v.KeyedVectors(words, vecs), theirs


def test_keyedvectors_conveniences_match_gensim(both):
    ours, theirs = both
    np.testing.assert_allclose(ours.get_vector("w3", norm=True), theirs.get_vector("w3", norm=True), rtol=1e-6)
    np.testing.assert_array_equal(ours[0], theirs[0])  # an integer key is an index
    np.testing.assert_array_equal(ours.get_vector(4), theirs.get_vector(4))
    for kw in ({}, {"pre_normalize": False}, {"post_normalize": True}, {"weights": [1.0, -2.0, 0.5]}):
        np.testing.assert_allclose(ours.get_mean_vector(["w1", "w2", "w9"], **kw),
                                   theirs.get_mean_vector(["w1", "w2", "w9"], **kw), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(ours.distances("w1"), theirs.distances("w1"), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(ours.distances("w1", ["w2", "w3"]), theirs.distances("w1", ["w2", "w3"]), rtol=1e-5)
    np.testing.assert_allclose(ours.cosine_similarities(ours["w1"], ours[["w2", "w3"]]),
                               theirs.cosine_similarities(theirs["w1"], theirs[["w2", "w3"]]), rtol=1e-6)
    for query in ({"positive": [("w1", 2.0), "w2"], "negative": [("w3", -0.5)]}, {"positive": [0, 7]}):
        a, b = ours.most_similar(**query, topn=5), theirs.most_similar(**query, topn=5)
        assert [w for w, _ in a] == [w for w, _ in b]
        np.testing.assert_allclose([s for _, s in a], [s for _, s in b], rtol=1e-5)


def test_keyedvectors_native_save_and_load(tmp_path):
    kv = w2v.KeyedVectors(["a", "b", "c"], np.arange(6, dtype=np.float32).reshape(3, 2), np.array([5, 3, 1]))
    kv.save(tmp_path / "kv.npz")
    for back in (w2v.KeyedVectors.load(tmp_path / "kv.npz"), w2v.load_vectors(tmp_path / "kv.npz")):
        assert back.index_to_key == ["a", "b", "c"] and np.array_equal(back.vectors, kv.vectors)
        assert back.counts.tolist() == [5, 3, 1]
    with pytest.raises(FormatError, match="not a w2v model"):  # vectors alone cannot continue training
        w2v.Word2Vec.load(tmp_path / "kv.npz")


def test_evaluate_is_reachable_after_import_w2v():
    code = "import sys, w2v; assert 'scipy.stats' not in sys.modules; print(w2v.evaluate.analogies.__name__)"
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 0 and r.stdout.strip() == "analogies", r.stderr


# ---------------------------------------------------------------------------------------------- callbacks
class Recorder:
    def __init__(self):
        self.calls = []

    def on_train_begin(self, model):
        self.calls.append(("begin",))

    def on_epoch_begin(self, model, epoch):
        self.calls.append(("epoch_begin", epoch))

    def on_epoch_end(self, model, epoch, loss):
        self.calls.append(("epoch_end", epoch, loss, model.wv.most_similar("cat", topn=1)[0][0]))

    def on_train_end(self, model):
        self.calls.append(("end",))


def test_callbacks_see_every_epoch_and_the_current_vectors():
    sents, _ = planted_corpus(300)
    rec = Recorder()
    m = w2v.Word2Vec(vector_size=8, min_count=1, epochs=3).fit(sents, progress=False, callbacks=[rec])
    assert [c[0] for c in rec.calls] == ["begin"] + ["epoch_begin", "epoch_end"] * 3 + ["end"]
    ends = [c for c in rec.calls if c[0] == "epoch_end"]
    assert [c[1] for c in ends] == [1, 2, 3] and [c[2] for c in ends] == m.loss_history_
    with pytest.raises(ConfigError, match="has none of the methods"):
        w2v.Word2Vec(min_count=1).fit(sents, callbacks=[object()])


def test_early_stopping_on_a_planted_plateau():
    sents, _ = planted_corpus(300)
    plateau = iter([0.1, 0.3, 0.5, 0.5, 0.49, 0.5, 0.9, 0.9])  # improves for 3 epochs, then stalls
    stop = EarlyStopping(monitor=lambda model: next(plateau), patience=2)
    rec = Recorder()
    m = w2v.Word2Vec(vector_size=8, min_count=1, epochs=8).fit(sents, progress=False, callbacks=[stop, rec])
    assert stop.stopped_epoch == 5 and stop.best == 0.5 and stop.best_epoch == 3
    assert m.state_.epoch == 5 and len(m.loss_history_) == 5 and rec.calls[-1] == ("end",)


def test_evaluate_each_epoch_and_stopping_on_a_real_metric():
    sents, groups = planted_corpus(300)
    scores = EvaluateEachEpoch(analogies=None, pairs={})
    stop = EarlyStopping(monitor="loss", patience=1, min_delta=10.0)  # no epoch beats the first by 10 nats
    m = w2v.Word2Vec(vector_size=8, min_count=1, epochs=6).fit(sents, progress=False, callbacks=[scores, stop])
    assert m.state_.epoch == 2 and [r["epoch"] for r in scores.history] == [1, 2]
    assert scores.history[0]["loss"] == m.loss_history_[0]


def test_without_compute_loss_the_history_is_empty_not_nan(tmp_path):
    sents, _ = planted_corpus(200)
    m = w2v.Word2Vec(vector_size=8, min_count=1, epochs=2, compute_loss=False).fit(sents, progress=False)
    assert m.loss_history_ == [] and m.step_loss_history_ == [] and m.state_.epoch == 2
    m.save(tmp_path / "m.npz")
    assert w2v.Word2Vec.load(tmp_path / "m.npz").loss_history_ == []


def test_cli_eval_each_epoch_prints_the_table(tmp_path):
    corpus = planted_file(tmp_path / "c.txt", 300)
    r = subprocess.run([sys.executable, "-m", "w2v.cli", "train", str(corpus), "-o", str(tmp_path / "o"),
                        "--min-count", "1", "--epochs", "2", "--eval-each-epoch", "-q"],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    header = lines.index(next(l for l in lines if l.startswith("epoch")))
    assert lines[header].split() == ["epoch", "loss", "analogy", "WordSim353", "SimLex-999"]
    assert [l.split()[0] for l in lines[header + 1:header + 3]] == ["1", "2"]
