"""Our benchmarks agree exactly with gensim's evaluate_word_analogies / evaluate_word_pairs."""
import numpy as np
import pytest

import w2v
from w2v import evaluate as ev

gensim = pytest.importorskip("gensim")


@pytest.fixture(scope="module")
def vectors(tmp_path_factory):
    """Vectors for the words of the evaluation sets (plus case variants), with real structure: each
    analogy pair shares a random 'relation' offset, so a good share of questions are answerable."""
    rng = np.random.default_rng(7)
    words = []
    for line in open(ev.QUESTIONS_WORDS, encoding="utf-8"):
        if not line.startswith(":"):
            words += line.split()
    for path in (ev.WORDSIM353, ev.SIMLEX999):
        for line in open(path, encoding="utf-8"):
            if not line.startswith("#"):
                words += line.split("\t")[:2]
    uniq = list(dict.fromkeys(w.lower() for w in words))
    rng.shuffle(uniq)
    uniq = uniq[: int(len(uniq) * 0.8)]  # leave some words out: coverage must be counted
    uniq += [uniq[3].upper(), uniq[10].capitalize()]  # case variants that collide when folded
    d = 30
    base = rng.standard_normal((len(uniq), d)).astype(np.float32)
    offset = rng.standard_normal(d).astype(np.float32)
    base[: len(uniq) // 2] += offset * 0.5
    path = tmp_path_factory.mktemp("v") / "vecs.txt"
    w2v.KeyedVectors(uniq, base).save_word2vec_format(path)
    return path


@pytest.mark.parametrize("restrict", [300, 2000, 30000])
def test_analogies_equal_gensim(vectors, restrict):
    ours = w2v.load_vectors(vectors)
    theirs = gensim.models.KeyedVectors.load_word2vec_format(str(vectors))
    res = ev.analogies(ours, ev.QUESTIONS_WORDS, restrict_vocab=restrict)
    score, sections = theirs.evaluate_word_analogies(str(ev.QUESTIONS_WORDS), restrict_vocab=restrict)
    total = sections[-1]
    assert res.correct == len(total["correct"])
    assert res.total == len(total["correct"]) + len(total["incorrect"])
    assert res.accuracy == pytest.approx(score)
    assert res.skipped == 19544 - res.total
    for ours_s, g in zip(res.sections, sections[:-1]):
        assert ours_s.name == g["section"] and ours_s.correct == len(g["correct"])


@pytest.mark.parametrize("path", [ev.WORDSIM353, ev.SIMLEX999])
def test_pairs_equal_gensim(vectors, path):
    ours = w2v.load_vectors(vectors)
    theirs = gensim.models.KeyedVectors.load_word2vec_format(str(vectors))
    r = ev.word_pairs(ours, path)
    pearson, spearman, oov = theirs.evaluate_word_pairs(str(path))
    assert r.spearman == pytest.approx(spearman.statistic, abs=1e-6)
    assert r.pearson == pytest.approx(pearson.statistic, abs=1e-6)
    assert r.oov_ratio * 100 == pytest.approx(oov)


def test_3cosmul_and_sections(vectors):
    kv = w2v.load_vectors(vectors)
    res = ev.analogies(kv, restrict_vocab=None, method="3cosmul")
    assert 0 <= res.accuracy <= 1 and len(res.sections) == 14
    sem, syn = res.semantic_syntactic()
    assert 0 <= sem <= 1 and 0 <= syn <= 1


def test_bad_files(tmp_path, vectors):
    kv = w2v.load_vectors(vectors)
    with pytest.raises(w2v.W2VError, match="not found"):
        ev.analogies(kv, tmp_path / "nope.txt")
    bad = tmp_path / "q.txt"
    bad.write_text("a b c d\n")
    with pytest.raises(w2v.W2VError, match="section"):
        ev.analogies(kv, bad, restrict_vocab=None)
