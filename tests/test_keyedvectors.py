import numpy as np
import pytest

from w2v import KeyedVectors
from w2v.errors import KeyNotInVocabError
from w2v.vectors.keyedvectors import top_k

WORDS = [f"w{i}" for i in range(300)] + ["King", "king"]


@pytest.fixture
def ours():
    rng = np.random.default_rng(0)
    return KeyedVectors(WORDS, rng.standard_normal((len(WORDS), 12)).astype(np.float32))


@pytest.fixture
def pair(ours, gensim):
    theirs = gensim.models.KeyedVectors(12)
    theirs.add_vectors(WORDS, ours.vectors)
    return ours, theirs


def _same(a, b):
    assert [w for w, _ in a] == [w for w, _ in b]
    np.testing.assert_allclose([s for _, s in a], [s for _, s in b], rtol=1e-5, atol=1e-6)


def test_queries_match_gensim(pair):
    ours, theirs = pair
    _same(ours.most_similar(positive=["w1", "w2"], negative=["w3"], topn=7),
          theirs.most_similar(positive=["w1", "w2"], negative=["w3"], topn=7))
    _same(ours.most_similar("w5", topn=5, restrict_vocab=100), theirs.most_similar("w5", topn=5, restrict_vocab=100))
    _same(ours.most_similar_cosmul(positive=["w1", "w2"], negative=["w3"], topn=5),
          theirs.most_similar_cosmul(positive=["w1", "w2"], negative=["w3"], topn=5))
    _same(ours.similar_by_vector(ours["w9"], topn=4), theirs.similar_by_vector(theirs["w9"], topn=4))
    assert ours.similarity("w1", "w2") == pytest.approx(float(theirs.similarity("w1", "w2")), abs=1e-6)
    assert ours.n_similarity(["w1", "w2"], ["w3"]) == pytest.approx(float(theirs.n_similarity(["w1", "w2"], ["w3"])), abs=1e-6)
    assert ours.doesnt_match(["w1", "w2", "w3", "w4"]) == theirs.doesnt_match(["w1", "w2", "w3", "w4"])
    assert ours.rank("w1", "w2") == theirs.rank("w1", "w2")
    # "w3 is to w1 as w2 is to ?" is gensim's w1 - w3 + w2 (analogy is implemented by w2v's most_similar, so
    # compare with gensim's, which is not)
    _same(ours.analogy("w3", "w1", "w2", topn=3), theirs.most_similar(positive=["w1", "w2"], negative=["w3"], topn=3))


def test_container_protocol(ours):
    assert len(ours) == 302 and "w1" in ours and "zz" not in ours
    assert ours["w1"].shape == (12,) and ours[["w1", "w2"]].shape == (2, 12)
    assert ours.key_to_index["king"] == 301 and ours.index_to_key[300] == "King"
    n = ours.get_normed_vectors()
    assert n is ours.get_normed_vectors()  # cached
    np.testing.assert_allclose(np.linalg.norm(n, axis=1), 1, rtol=1e-5)


def test_missing_words_named_with_suggestions(ours):
    with pytest.raises(KeyNotInVocabError) as e:
        ours.most_similar(positive=["kin", "w1", "qqq"])
    msg = str(e.value)
    assert "'kin'" in msg and "'qqq'" in msg and "'king'" in msg and "w1'" not in msg.split("(")[0][:-1]
    assert isinstance(e.value, KeyError)


def test_batched_nearest_equals_single_queries(ours):
    idx, sims = ours.nearest(["w1", "w2", "w3"], topn=5)
    for q, row in zip(["w1", "w2", "w3"], idx):
        assert [ours.index_to_key[i] for i in row] == [w for w, _ in ours.most_similar(q, topn=5)]
    idx2, _ = ours.nearest(ours[["w1"]], topn=1)
    assert ours.index_to_key[idx2[0, 0]] == "w1"  # a vector query keeps the word itself


def test_top_k_matches_full_sort():
    s = np.random.default_rng(1).standard_normal((4, 50))
    idx, vals = top_k(s, 6)
    assert (idx == np.argsort(-s, axis=1)[:, :6]).all()
