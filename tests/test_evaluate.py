"""Our benchmarks agree exactly with gensim's evaluate_word_analogies / evaluate_word_pairs."""
import numpy as np
import pytest

import w2v
from w2v.vectors import evaluate as ev


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
def test_analogies_equal_gensim(vectors, restrict, gensim):
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
def test_pairs_equal_gensim(vectors, path, gensim):
    ours = w2v.load_vectors(vectors)
    theirs = gensim.models.KeyedVectors.load_word2vec_format(str(vectors))
    r = ev.word_pairs(ours, path)
    pearson, spearman, oov = theirs.evaluate_word_pairs(str(path))
    assert r.spearman == pytest.approx(spearman.statistic, abs=1e-6)
    assert r.pearson == pytest.approx(pearson.statistic, abs=1e-6)
    assert r.oov_ratio * 100 == pytest.approx(oov)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # gensim's most_similar_cosmul calls init_sims
@pytest.mark.parametrize("restrict", [2000, 30000])
def test_3cosmul_equals_gensim_most_similar_cosmul(vectors, restrict, gensim):
    """3CosMul accuracy equals what gensim's evaluation loop gives with most_similar_cosmul in place of
    most_similar (gensim has no 3CosMul evaluation of its own): same questions, same answers."""
    ours = w2v.load_vectors(vectors)
    theirs = gensim.models.KeyedVectors.load_word2vec_format(str(vectors))
    res = ev.analogies(ours, restrict_vocab=restrict, formula="3cosmul")
    ok = {}
    for i, k in reversed(list(enumerate(theirs.index_to_key[:restrict]))):
        ok[k.upper()] = k  # the most frequent spelling of a word, as gensim's evaluation picks it
    correct = total = 0
    section_correct = []
    for line in open(ev.QUESTIONS_WORDS, encoding="utf-8"):
        if line.startswith(":"):
            section_correct.append(0)
            continue
        a, b, c, expected = (w.upper() for w in line.split())
        if not all(w in ok for w in (a, b, c, expected)):
            continue
        total += 1
        for word, _ in theirs.most_similar_cosmul(positive=[ok[b], ok[c]], negative=[ok[a]], topn=5,
                                                  restrict_vocab=restrict):
            if word.upper() in ok and word.upper() not in (a, b, c):
                break
        correct += word.upper() == expected
        section_correct[-1] += word.upper() == expected
    assert total > 100 and correct > 5  # the fixture's planted offsets make some questions answerable
    assert (res.correct, res.total) == (correct, total)
    assert [s.correct for s in res.sections] == section_correct


def test_semantic_and_syntactic_split(vectors):
    res = ev.analogies(w2v.load_vectors(vectors), restrict_vocab=None)
    sem, syn = res.semantic_syntactic()
    semantic = [s for s in res.sections if not s.name.startswith("gram")]
    assert len(res.sections) == 14 and len(semantic) == 5
    assert sem == pytest.approx(sum(s.correct for s in semantic) / sum(s.total for s in semantic))
    assert syn == pytest.approx((res.correct - sum(s.correct for s in semantic))
                                / (res.total - sum(s.total for s in semantic)))


def test_bad_files(tmp_path, vectors):
    kv = w2v.load_vectors(vectors)
    with pytest.raises(w2v.W2VError, match="not found"):
        ev.analogies(kv, tmp_path / "nope.txt")
    bad = tmp_path / "q.txt"
    bad.write_text("a b c d\n")
    with pytest.raises(w2v.W2VError, match="section"):
        ev.analogies(kv, bad, restrict_vocab=None)
