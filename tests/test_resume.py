"""Checkpoints and resume: interrupted runs finish as if never stopped, optimizer and schedule state included,
and a resume refuses another corpus or changed settings with a one-line error."""
import subprocess
import sys

import numpy as np
import pytest

import w2v
from w2v.errors import CorpusError, TrainingError

from conftest import planted_corpus, planted_file


def _interrupted(monkeypatch, corpus, ckpt, after, **params):
    """Fit with a checkpoint after every job and stop the process-like run (KeyboardInterrupt, as Ctrl-C) right
    after checkpoint number ``after``; returns the model loaded from that checkpoint."""
    saves = []
    real_save = w2v.Word2Vec.save

    def save(self, path):
        real_save(self, path)
        saves.append(path)
        if len(saves) == after:
            raise KeyboardInterrupt
    monkeypatch.setattr(w2v.Word2Vec, "save", save)
    with pytest.raises(KeyboardInterrupt):
        w2v.Word2Vec(**params).fit(corpus, progress=False, checkpoint_path=ckpt, checkpoint_every=0.0)
    monkeypatch.setattr(w2v.Word2Vec, "save", real_save)
    return w2v.Word2Vec.load(ckpt)


@pytest.mark.parametrize("options", [
    dict(loss="softmax", optimizer="adam", lr_schedule="linear"),
    dict(loss="softmax", optimizer="rmsprop", lr_schedule="step", lr_gamma=0.5, alpha=0.002),
    dict(loss="softmax", optimizer="momentum", lr_schedule="constant", alpha=0.01),
    dict(loss="negative", lr_schedule="step", lr_gamma=0.7),
    dict(loss="hierarchical", arch="skipgram"),
], ids=["adam-linear", "rmsprop-step", "momentum-constant", "negative-step", "hierarchical-linear"])
def test_resumed_run_equals_the_uninterrupted_one(monkeypatch, tmp_path, options):
    sents, _ = planted_corpus(300)
    params = dict(vector_size=8, min_count=1, epochs=3, job_words=300, seed=4, **options)
    straight = w2v.Word2Vec(**params).fit(sents, progress=False)
    model = _interrupted(monkeypatch, sents, tmp_path / "ckpt.npz", after=7, **params)
    assert 0 < model.state_.epoch * 100 + model.state_.job < 300  # stopped in the middle
    if options.get("optimizer", "sgd") != "sgd":
        assert model.optimizer_state_ and all(np.abs(v).sum() > 0 for v in model.optimizer_state_.values())
    model.resume(sents, progress=False)
    assert np.array_equal(model.W_in_, straight.W_in_) and np.array_equal(model.W_out_, straight.W_out_)
    assert model.loss_history_ == straight.loss_history_ and model.state_.lr == straight.state_.lr


def test_resume_keeps_the_huffman_tree_of_words_tied_in_count(monkeypatch, tmp_path):
    """Every word occurs equally often and the text meets them out of alphabetical order: the tree pairs them by
    first sighting, so the checkpoint must carry where each word was first seen for the resumed run to match."""
    rng = np.random.default_rng(0)
    words = [f"w{i:02d}" for i in rng.permutation(24)]
    sents = [list(rng.permutation(words)) for _ in range(60)]
    params = dict(vector_size=8, min_count=1, epochs=2, job_words=240, seed=3, sample=0, loss="hierarchical")
    straight = w2v.Word2Vec(**params).fit(sents, progress=False)
    model = _interrupted(monkeypatch, sents, tmp_path / "ckpt.npz", after=5, **params)
    model.resume(sents, progress=False)
    assert np.array_equal(model.W_in_, straight.W_in_) and np.array_equal(model.W_out_, straight.W_out_)


def test_two_workers_resume_and_finish_with_normal_quality(monkeypatch, tmp_path):
    sents, groups = planted_corpus(600)
    params = dict(vector_size=16, min_count=1, epochs=4, job_words=200, workers=2, window=3, sample=0)
    model = _interrupted(monkeypatch, sents, tmp_path / "ckpt.npz", after=15, **params)
    assert model.state_.epoch < 4
    model.resume(sents, progress=False)
    assert model.state_.epoch == 4 and len(model.loss_history_) == 4 and np.isfinite(model.W_in_).all()
    hits = [x in g for g in groups for w in g for x, _ in model.wv.most_similar(w, topn=2)]
    assert np.mean(hits) > 0.8


def test_resume_refuses_another_corpus_and_a_finished_model(monkeypatch, tmp_path):
    sents, _ = planted_corpus(300)
    params = dict(vector_size=8, min_count=1, epochs=2, job_words=300)
    model = _interrupted(monkeypatch, sents, tmp_path / "ckpt.npz", after=2, **params)
    with pytest.raises(CorpusError, match="not the 2400 words in 300 sentences"):
        model.resume(sents[:-1], progress=False)
    model.resume(sents, progress=False)
    with pytest.raises(TrainingError, match="nothing to resume"):
        model.resume(sents, progress=False)


def run(*args):
    return subprocess.run([sys.executable, "-m", "w2v.cli", *map(str, args)], capture_output=True, text=True,
                          timeout=300)


@pytest.fixture
def checkpointed_dir(monkeypatch, tmp_path):
    """A run directory holding a mid-run checkpoint of a corpus file, as a killed `w2v train` leaves it."""
    corpus = planted_file(tmp_path / "corpus.txt", 300)
    out = tmp_path / "run"
    out.mkdir()
    _interrupted(monkeypatch, corpus, out / "checkpoint.npz", after=3, vector_size=8, min_count=1, epochs=3,
                 job_words=300)
    return corpus, out


def test_cli_resume_refuses_another_corpus_in_one_line(checkpointed_dir, tmp_path):
    corpus, out = checkpointed_dir
    other = tmp_path / "other.txt"
    other.write_text(corpus.read_text().replace("cat", "cow"))  # same size, other words
    for args in ((other, "--resume", out), ("--resume", out)):
        if args[0] == "--resume":
            corpus.write_text(other.read_text())  # the recorded file itself changed since the run began
        r = run("train", *args)
        assert r.returncode == 2 and "Traceback" not in r.stderr, r.stderr
        assert len(r.stderr.strip().splitlines()) == 1 and "is not the corpus this run was trained on" in r.stderr


def test_cli_resume_refuses_changed_settings_but_not_workers(checkpointed_dir):
    corpus, out = checkpointed_dir
    r = run("train", "--resume", out, "--dim", 50, "--epochs", 3, "--lowercase")
    assert r.returncode == 2 and "drop --lowercase" in r.stderr
    r = run("train", "--resume", out, "--dim", 50, "--epochs", 3)  # --epochs 3 is the run's own: fine
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1
    assert "drop --vector-size (the run has vector_size=8)" in r.stderr and "--epochs" not in r.stderr
    r = run("train", "--resume", out, "--workers", 2, "-q")
    assert r.returncode == 0, r.stderr
    m = w2v.Word2Vec.load(out)
    assert m.state_.epoch == 3 and m.config_.workers == 2 and not (out / "checkpoint.npz").exists()
    r = run("train", "--resume", out)
    assert r.returncode == 2 and "finished model" in r.stderr


def test_partial_fit_keeps_old_neighbours_and_places_new_words_by_their_contexts(tmp_path):
    """gensim's continued training: the King James Bible, then half of it again in which half the "lord"s are
    written "yahweh" and half the "gold"s "aurum" (new words with planted relatives)."""
    import itertools
    import lzma
    from w2v import datasets
    with lzma.open(datasets.STARTER, "rt", encoding="utf-8") as f:
        bible = [line.split() for line in itertools.islice(f, 31102)]
    rng = np.random.default_rng(0)
    renamed = [["yahweh" if w == "lord" and rng.random() < 0.5 else "aurum" if w == "gold" and rng.random() < 0.5
                else w for w in s] for s in bible[:15000]]
    model = w2v.Word2Vec(epochs=5, vector_size=50, seed=1).fit(bible, progress=False)
    words = ["god", "king", "israel", "david", "moses", "water", "house", "son", "silver", "sheep", "day", "city"]
    before = {w: {x for x, _ in model.wv.most_similar(w, topn=10)} for w in words}
    history, V = model.loss_history_, len(model.vocab_)
    model.partial_fit(renamed, epochs=1, progress=False)
    overlap = np.mean([len(before[w] & {x for x, _ in model.wv.most_similar(w, topn=10)}) / 10 for w in words])
    assert overlap >= 0.7, overlap
    assert model.wv.most_similar("yahweh", topn=1)[0][0] == "lord"
    assert model.wv.most_similar("aurum", topn=1)[0][0] == "gold"
    assert model.vocab_.index_to_key[:V] == model.wv.index_to_key[:V] and len(model.vocab_) == V + 2
    assert model.vocab_.counts[model.vocab_.key_to_index["yahweh"]] > 100
    assert model.loss_history_[:5] == history and len(model.loss_history_) == 6
    assert model.config_.epochs == 6 and model.state_.epoch == 6
    model.save(tmp_path / "m.npz")  # the grown model is a valid model file
    assert w2v.Word2Vec.load(tmp_path / "m.npz").wv.most_similar("yahweh", topn=1)[0][0] == "lord"


@pytest.mark.parametrize("options", [dict(loss="hierarchical"), dict(loss="softmax", optimizer="adam")])
def test_partial_fit_grows_huffman_and_optimizer_state(options):
    sents, groups = planted_corpus(300)
    model = w2v.Word2Vec(vector_size=8, min_count=1, epochs=2, **options).fit(sents, progress=False)
    more = [s + ["newt"] for s in sents[:100:2]] + [s + ["anvil"] for s in sents[1:100:2]]  # animal / tool lines
    model.partial_fit(more, epochs=2, progress=False)
    assert {"newt", "anvil"} <= set(model.wv.index_to_key)
    assert model.W_out_.shape[0] == model.config_.output_rows(len(model.vocab_))
    for v in model.optimizer_state_.values():
        assert np.ndim(v) == 0 or len(v) in (len(model.W_in_), len(model.W_out_))
    assert np.isfinite(model.W_in_).all() and len(model.loss_history_) == 4
