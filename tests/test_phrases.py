"""Phrases: gensim 4's phrases and scores on real text, joining as gensim joins, files, the model and the CLI."""
import lzma
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import w2v
from w2v.datasets import STARTER
from w2v.errors import ConfigError, FormatError
from w2v.text.phrases import ENGLISH_CONNECTOR_WORDS, Phrases
from w2v.text.prepare import prepare_corpus

DEV_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "data" / "corpora" / "dev-corpus.txt.xz"


@pytest.fixture(scope="module")
def real_text(tmp_path_factory):
    """The first 300k words of the shipped starter corpus (King James Bible, addresses, WordNet glosses)."""
    path = tmp_path_factory.mktemp("phrases") / "real.txt"
    lines, n = [], 0
    with lzma.open(STARTER, "rt", encoding="utf-8") as f:
        for line in f:
            lines.append(line)
            n += len(line.split())
            if n > 300_000:
                break
    path.write_text("".join(lines), encoding="utf-8")
    return path


def _sentences(encoded):
    """The encoded corpus's sentences as token lists: exactly what w2v counts, to give gensim the same input."""
    ids, bounds = encoded.read(0, encoded.n_sentences)
    words = np.array(encoded.words, dtype=object)
    return [words[ids[a:b]].tolist() for a, b in zip(bounds[:-1], bounds[1:])]


def _compare_with_gensim(gensim, path, configs, min_count=5):
    from gensim.models import phrases as gp
    encoded = prepare_corpus(path, progress=False)
    sentences = _sentences(encoded)
    for connectors in (frozenset(), ENGLISH_CONNECTOR_WORDS):
        theirs = gp.Phrases(sentences, min_count=min_count, threshold=1.0, connector_words=connectors)
        for scoring, threshold in configs:
            theirs.scoring = gp.npmi_scorer if scoring == "npmi" else gp.original_scorer
            theirs.threshold = threshold
            want = theirs.export_phrases()
            ours = Phrases(min_count=min_count, threshold=threshold, scoring=scoring, connector_words=connectors,
                           workers=2).fit(encoded, progress=False)
            assert len(want) > 100, (scoring, len(connectors))
            assert set(ours.phrases_) == set(want), (scoring, len(connectors))
            assert all(ours.phrases_[p] == pytest.approx(s, rel=1e-6) for p, s in want.items())
            if connectors:
                assert any("_of_" in p or "_the_" in p for p in ours.phrases_)


def test_phrases_and_scores_equal_gensims_on_real_text(gensim, real_text):
    """Both scorers, with and without connector words: the same phrases as gensim 4's export_phrases(), scores
    equal to 1e-6, on 300k words of real text."""
    _compare_with_gensim(gensim, real_text, [("default", 10.0), ("npmi", 0.5)])


@pytest.mark.slow
def test_phrases_and_scores_equal_gensims_on_the_dev_corpus(gensim, tmp_path):
    if not DEV_CORPUS.is_file():
        pytest.skip(f"the dev corpus is not at {DEV_CORPUS}")
    path = tmp_path / "dev.txt"
    path.write_bytes(lzma.decompress(DEV_CORPUS.read_bytes()))
    _compare_with_gensim(gensim, path, [("default", 10.0), ("npmi", 0.5)])


def test_joining_two_passes_equals_gensims_trigram_of_bigram(gensim, real_text):
    """passes=2 joins like gensim's trigram[bigram[sentence]], in the encoded corpus, as text and per sentence."""
    from gensim.models.phrases import Phrases as GensimPhrases
    encoded = prepare_corpus(real_text, progress=False)
    sentences = _sentences(encoded)
    options = dict(min_count=5, threshold=5.0, connector_words=ENGLISH_CONNECTOR_WORDS)
    bigram = GensimPhrases(sentences, **options)
    joined1 = [bigram[s] for s in sentences]
    trigram = GensimPhrases(joined1, **options)
    want = [trigram[s] for s in joined1]
    ours = Phrases(passes=2, **options).fit(real_text, progress=False)
    assert set(ours.passes_[0]["phrases"] and ["_".join(p) for p in ours.passes_[0]["phrases"]]) \
        == set(bigram.export_phrases())
    assert any(p.count("_") >= 2 and "_of_" not in p and "_the_" not in p for p in ours.phrases_)  # trigrams
    assert [ours.apply(s) for s in sentences] == want
    assert _sentences(ours.transform(encoded, progress=False)) == want
    out = real_text.parent / "joined.txt"
    assert ours.write_text(real_text, out, progress=False) == sum(map(len, want))
    assert [line.split() for line in out.read_text(encoding="utf-8").splitlines()] == want


def test_threads_and_pruning(real_text):
    one = Phrases(workers=1).fit(real_text, progress=False)
    three = Phrases(workers=3).fit(real_text, progress=False)
    assert one.phrases_ == three.phrases_ and list(one.phrases_) == list(three.phrases_)  # order too
    pruned = Phrases(max_vocab_size=20_000, workers=2).fit(real_text, progress=False)
    distinct = len(prepare_corpus(real_text, progress=False).words)  # vocabulary = distinct words + candidates
    assert one.passes_[0]["vocabulary"] - distinct > 50_000
    assert pruned.passes_[0]["vocabulary"] - distinct <= 20_000  # the candidate tables stayed bounded
    top = [p for p in list(one.phrases_)[:200]]
    assert len(set(top) & set(pruned.phrases_)) > 150  # the frequent phrases survive pruning


def test_counting_in_many_sorted_runs_equals_one(real_text, monkeypatch):
    """Packed keys are counted by sorting buffers into runs that merge: tiny buffers (hundreds of runs, merges at
    every level, sentences longer than a buffer) must count exactly what one buffer does, with and without
    connectors; and keys with connectors inside count the same packed as in the hash table (too many connector
    words to pack)."""
    from w2v.text import candidates
    for connectors in (frozenset(), ENGLISH_CONNECTOR_WORDS):
        one = Phrases(connector_words=connectors, workers=2).fit(real_text, progress=False)
        monkeypatch.setattr(candidates, "BUFFER_PAIRS", 7)
        many = Phrases(connector_words=connectors, workers=2).fit(real_text, progress=False)
        monkeypatch.undo()
        assert many.passes_ == one.passes_ and len(one.phrases_) > 100
    monkeypatch.setattr(candidates, "_CODES", 10)  # fewer than the 15 English connector words: none packed
    table = Phrases(connector_words=ENGLISH_CONNECTOR_WORDS, workers=2).fit(real_text, progress=False)
    assert table.passes_ == one.passes_ and any("_of_the_" in p for p in one.phrases_)


def test_sorted_runs_count_and_prune_as_word2vec():
    from w2v.text.candidates import ThreadCounts
    t = ThreadCounts(8, 1, np.full(1, -1))
    for keys in ([5, 3, 5, 9], [9, 9, 1], [3]):
        t.pairs.buffer[:len(keys)] = keys
        t.pairs.add(len(keys))
    assert [k.tolist() for k, _ in t.pairs.runs] == [[1, 3, 5, 9], [3]]  # runs within 2x merged as they came
    keys, counts = t.pairs.whole()
    assert dict(zip(keys.tolist(), counts.tolist())) == {1: 1, 3: 2, 5: 2, 9: 3}
    t.prune(2)  # ReduceVocab: drop counts <= 1, then <= 2
    assert t.pairs.whole()[0].tolist() == [9] and t.min_reduce == 3


def test_save_load_and_hostile_files(tmp_path, real_text):
    ph = Phrases(passes=2, connector_words=ENGLISH_CONNECTOR_WORDS).fit(real_text, progress=False)
    ph.save(tmp_path / "ph.npz")
    back = Phrases.load(tmp_path / "ph.npz")
    assert back.phrases_ == ph.phrases_ and back.params() == ph.params()
    sentence = "the house of representatives and the united states of america".split()
    assert back.apply(sentence) == ph.apply(sentence)
    d = ph.to_dict()
    for bad in [{**d, "version": 99}, {**d, "passes": d["passes"][:1]},
                {**d, "params": {**d["params"], "threshold": "high"}},
                {**d, "passes": [{**d["passes"][0], "scores": [float("nan")] * len(d["passes"][0]["scores"])},
                                 d["passes"][1]]},
                {**d, "passes": [{**d["passes"][0], "phrases": [["alone"]] * len(d["passes"][0]["phrases"])},
                                 d["passes"][1]]}]:
        with pytest.raises(FormatError, match="phrases.npz"):
            Phrases.from_dict(bad, tmp_path / "phrases.npz")
    import pickle
    (tmp_path / "pickled.npz").write_bytes(pickle.dumps(ph.to_dict()))
    with pytest.raises(FormatError):
        Phrases.load(tmp_path / "pickled.npz")


@pytest.mark.parametrize("options, match", [({"scoring": "npmi"}, "between -1 and 1"),
                                             ({"threshold": 0}, "> 0"), ({"min_count": 0}, "min_count"),
                                             ({"scoring": "pmi"}, "scoring"), ({"delimiter": " "}, "delimiter"),
                                             ({"passes": 0}, "passes"), ({"max_vocab_size": 0}, "max_vocab_size")])
def test_bad_options_are_named(options, match):
    with pytest.raises(ConfigError, match=match):
        Phrases(**options).fit([["a", "b"]], progress=False)
    with pytest.raises(ConfigError, match="not fitted"):
        Phrases().apply(["a"])


def _new_york_corpus(n=300, seed=0):
    """Sentences where "new york" and "los angeles" are fixed pairs used like the city names around them, among
    rare words (so the vocabulary is large enough for the default threshold, as in real text)."""
    rng = np.random.default_rng(seed)
    cities = [["new", "york"], ["los", "angeles"], ["paris"], ["london"], ["berlin"]]
    out = []
    for i in range(n):
        city = cities[i % len(cities)]
        verb = ["visited", "left", "loved"][rng.integers(3)]
        rare = [f"w{k}" for k in rng.integers(0, 2000, size=3)]
        out.append(["we", verb, *city, "last", "year", *rare] if i % 2 else ["people", "in", *city, "are", verb, *rare])
    return out


def test_a_model_trained_with_phrases_keeps_them(tmp_path):
    sentences = _new_york_corpus()
    model = w2v.Word2Vec(min_count=2, vector_size=16, epochs=3, seed=1, workers=1, phrases=1).fit(
        sentences, progress=False)
    assert model.get_params()["phrases"] == 1 and model.config_.phrases == 1
    assert "new_york" in model.wv and "los_angeles" in model.wv and "york" not in model.wv
    assert model.wv.most_similar("new york", topn=3) == model.wv.most_similar("new_york", topn=3)
    model.save(tmp_path / "m.npz")
    back = w2v.Word2Vec.load(tmp_path / "m.npz")
    assert back.phrases_.phrases_ == model.phrases_.phrases_
    assert w2v.load_vectors(tmp_path / "m.npz")["new york"].shape == (16,)
    back.partial_fit([["they", "loved", "new", "york"]] * 5, epochs=1, progress=False)  # joined the same way
    assert "york" not in back.wv and back.vocab_.counts[back.vocab_.key_to_index["new_york"]] > \
        model.vocab_.counts[model.vocab_.key_to_index["new_york"]]
    kv = back.wv
    kv.save(tmp_path / "kv.npz")
    assert w2v.KeyedVectors.load(tmp_path / "kv.npz").get_index("new york") == kv.get_index("new_york")
    with pytest.raises(ConfigError, match="phrases"):
        w2v.Word2Vec(min_count=1, phrases="yes").fit(sentences, progress=False)
    with pytest.warns(FutureWarning, match=r"Word2Vec\(phrases=...\)"):  # the old place, for a release
        late = w2v.Word2Vec(min_count=2, vector_size=16, epochs=1, seed=1).fit(sentences, phrases=1, progress=False)
    assert "new_york" in late.wv and late.config_.phrases == 1 and late.phrases == 0


def test_cli_phrases_then_train_with_phrases_then_neighbors(tmp_path):
    corpus = tmp_path / "cities.txt"
    corpus.write_text("\n".join(" ".join(s) for s in _new_york_corpus()) + "\n")

    def cli(*args):
        r = subprocess.run([sys.executable, "-m", "w2v.cli", *map(str, args)], capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        return r.stdout
    out = cli("phrases", corpus, "-o", tmp_path / "joined.txt", "--passes", 2,
              "--save", tmp_path / "ph.npz", "-q")
    assert "phrases learned" in out and "new_york" in out
    assert "new_york" in (tmp_path / "joined.txt").read_text().split()
    assert "new_york" in Phrases.load(tmp_path / "ph.npz").phrases_
    cli("train", corpus, "--phrases", 1, "--min-count", 2, "--epochs", 2, "--vector-size", 16, "-o", tmp_path / "run",
        "-q")
    assert "new_york:" in cli("neighbors", tmp_path / "run", "new_york")
    assert "new york:" in cli("neighbors", tmp_path / "run", "new york")
    r = subprocess.run([sys.executable, "-m", "w2v.cli", "phrases", corpus, "-o", tmp_path / "x.txt", "--scoring",
                        "npmi", "--threshold", "3"], capture_output=True, text=True)
    assert r.returncode != 0 and "between -1 and 1" in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "x.txt").exists()


def test_a_joined_corpus_is_cached_and_rebuilt_when_damaged(real_text, caplog):
    ph = Phrases().fit(real_text, progress=False)
    first = ph.transform(real_text, progress=False)
    again = ph.transform(real_text, progress=False)
    assert again.path == first.path and again.identity() == first.identity()
    ids = first.path / "ids.npy"
    raw = bytearray(ids.read_bytes())
    raw[-1] ^= 0x7F  # a flipped id: the CRC no longer matches
    ids.write_bytes(bytes(raw))
    rebuilt = ph.transform(real_text, progress=False)
    assert "rebuilding the cached corpus" in caplog.text and rebuilt.identity() == first.identity()
    other = Phrases(threshold=50.0).fit(real_text, progress=False).transform(real_text, progress=False)
    assert other.path != first.path and other.n_words > first.n_words  # fewer phrases joined
