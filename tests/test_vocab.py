import numpy as np
import pytest

from w2v import Vocabulary
from w2v.errors import CorpusError, KeyNotInVocabError, VocabularyError
from w2v.text.vocab import alias_draw


def test_counts_order_and_tiebreak():
    v = Vocabulary.build([["b", "a", "c", "a"], ["c", "d"]], min_count=1)
    assert v.index_to_key == ["a", "c", "b", "d"]  # count desc, ties alphabetical
    assert v.counts.tolist() == [2, 2, 1, 1]
    assert v.key_to_index["c"] == 1 and v.total_words == 6


def test_min_count_and_errors():
    v = Vocabulary.build([["a", "a", "b"]], min_count=2)
    assert v.index_to_key == ["a"]
    with pytest.raises(VocabularyError, match="min_count=5"):
        Vocabulary.build([["a", "b"]], min_count=5)
    with pytest.raises(CorpusError, match="no words"):
        Vocabulary.build([[], []], min_count=1)


def test_max_vocab_size_prunes_during_scan():
    # 1000 distinct rare words and two frequent ones; the counter never holds more than the limit
    sents = [["common", "often", f"rare{i}"] for i in range(1000)]
    v = Vocabulary.build(iter(sents), min_count=1, max_vocab_size=50)
    assert "common" in v and "often" in v
    assert len(v) <= 50


def test_max_final_vocab():
    v = Vocabulary.build([["a"] * 5 + ["b"] * 4 + ["c"] * 3], min_count=1, max_final_vocab=2)
    assert v.index_to_key == ["a", "b"]


def test_one_hot_roundtrip_and_matmul_equals_row_lookup():
    v = Vocabulary.build([["x", "y", "z", "x"]], min_count=1)
    oh = v.one_hot(["z", "x"])
    assert oh.shape == (2, 3) and v.decode_one_hot(oh) == ["z", "x"]
    assert v.decode_one_hot(v.one_hot("y")) == "y"
    ids = v.encode(["z", "x", "unknown"])
    assert ids.tolist() == [v.index("z"), v.index("x")]
    assert (v.one_hot(ids) == oh).all()
    W = np.random.default_rng(0).standard_normal((3, 4))
    from w2v.nn import Embedding
    np.testing.assert_allclose(oh @ W, Embedding(W).forward(ids))
    with pytest.raises(KeyNotInVocabError, match="nope"):
        v.one_hot("nope")


def test_keep_probabilities_word2vec_formula():
    v = Vocabulary(["the", "rare"], [9000, 10])
    p = v.keep_probabilities(1e-3)
    t = 1e-3 * 9010
    assert p[0] == pytest.approx((np.sqrt(9000 / t) + 1) * t / 9000, rel=1e-6)
    assert p[1] == 1.0
    assert (v.keep_probabilities(0) == 1).all()


def test_noise_distribution_and_alias_tables():
    v = Vocabulary(["a", "b"], [16, 1])
    p = v.noise_distribution(0.75)
    assert p[0] / p[1] == pytest.approx(8.0)
    rng = np.random.default_rng(0)
    draws = alias_draw(*v.noise_alias(0.75), rng.integers(0, 2**62, 20000), rng.integers(0, 2**32, 20000))
    assert abs((draws == 0).mean() - 8 / 9) < 0.01


@pytest.mark.parametrize("exponent", [0.75, 1.0, 0.0])
def test_alias_tables_reproduce_the_distribution_exactly(exponent):
    """Column i keeps itself with threshold/2**32 and gives the rest to alias[i]: summed, that is p."""
    rng = np.random.default_rng(1)
    v = Vocabulary([f"w{i}" for i in range(500)], np.sort(rng.zipf(1.5, 500))[::-1] + 4)
    threshold, alias = v.noise_alias(exponent)
    V = len(v)
    implied = threshold / 2**32 / V
    np.add.at(implied, alias, (1 - threshold / 2**32) / V)
    np.testing.assert_allclose(implied, v.noise_distribution(exponent), rtol=1e-9, atol=1e-12)  # 2**-32 rounding


def test_huffman_codes_are_prefix_free_and_frequency_ordered():
    v = Vocabulary(list("abcdef"), [45, 13, 12, 16, 9, 5])
    codes, points, lengths = v.huffman()
    words = ["".join(map(str, codes[i, :lengths[i]])) for i in range(6)]
    for i in range(6):
        for j in range(6):
            if i != j:
                assert not words[j].startswith(words[i])
    assert lengths[0] == 1 and lengths.max() <= 4  # classic textbook example: a gets a 1-bit code
    assert points.max() < len(v) - 1 and points[:, 0].tolist().count(points[0, 0]) == 6  # one root


def test_huffman_without_first_sightings_is_the_tree_older_models_trained_with():
    """No first positions (a model file from before they were saved): ties by vocabulary order, leaves before inner
    nodes, as w2v merged with ``heapq`` on (count, node) tuples until then."""
    import heapq
    rng = np.random.default_rng(1)
    counts = np.sort(rng.integers(1, 6, 200))[::-1]
    heap, parent, branch = [(int(c), i) for i, c in enumerate(counts)], {}, {}
    heapq.heapify(heap)
    for made in range(200, 399):
        total = 0
        for side in (0, 1):
            c, node = heapq.heappop(heap)
            parent[node], branch[node], total = made, side, total + c
        heapq.heappush(heap, (total, made))
    codes, points, lengths = Vocabulary([f"w{i}" for i in range(200)], counts).huffman()
    for w in range(200):
        node, path = w, []
        while node in parent:
            path.append((branch[node], parent[node] - 200))
            node = parent[node]
        assert [(int(c), int(p)) for c, p in zip(codes[w, :lengths[w]], points[w, :lengths[w]])] == path[::-1]


def test_first_sightings_travel_with_the_vocabulary():
    """``from_counts`` and ``updated`` carry where each word was first seen, a new word's after every old one."""
    v = Vocabulary.from_counts(["x", "y", "z"], [2, 2, 3], [5, 1, 9], min_count=1)
    assert v.index_to_key == ["z", "x", "y"] and v.first.tolist() == [9, 5, 1]
    u = v.updated(Vocabulary(["n", "m", "x"], [1, 1, 4], [7, 3, 0]), min_count=1)
    assert u.index_to_key == ["z", "x", "y", "m", "n"] and u.first.tolist() == [9, 5, 1, 13, 17]
    assert Vocabulary(["x"], [2]).updated(v, 1).first is None  # unknown stays unknown
    with pytest.raises(VocabularyError, match="first positions"):
        Vocabulary(["a", "b"], [1, 1], first=[0])


@pytest.mark.parametrize("source", ["file", "sentences"])
def test_huffman_tree_is_gensims(tmp_path, source):
    """Given the same text, every word gets gensim 4's code and inner nodes (the output rows), ties included, from
    a text file (read in pieces, first positions from the encoded corpus) as from sentences in memory."""
    gensim = pytest.importorskip("gensim")
    import w2v
    rng = np.random.default_rng(0)
    words = [f"w{i}" for i in range(300)]
    sents = [[words[min(int(k), 299)] for k in rng.zipf(1.3, 12) - 1] for _ in range(400)]
    path = tmp_path / "ties.txt"
    path.write_text("".join(" ".join(s) + "\n" for s in sents))
    g = gensim.models.Word2Vec(hs=1, negative=0, min_count=2, vector_size=4)
    g.build_vocab(gensim.models.word2vec.LineSentence(str(path)))
    model = w2v.Word2Vec(loss="hierarchical", min_count=2, vector_size=4, epochs=1, sample=0)
    v = model.fit(path if source == "file" else sents, progress=False).vocab_
    assert len(set(v.counts.tolist())) < len(v) - 20  # many ties
    codes, points, lengths = v.huffman()
    for i, w in enumerate(v.index_to_key):
        assert codes[i, :lengths[i]].tolist() == g.wv.get_vecattr(w, "code").tolist(), w
        assert points[i, :lengths[i]].tolist() == g.wv.get_vecattr(w, "point").tolist(), w


def test_frequency_order_is_by_count_then_by_the_whole_word():
    """Words are ordered by count, ties by code point; the fast path compares the first 8 UTF-8 bytes and sorts
    what ties on them again (NUL, shared prefixes, lone surrogates, astral characters, a word with a line end)."""
    import random
    from w2v.text.vocab import frequency_order
    rng = random.Random(0)
    alphabet = ["a", "b", "ab", "\x00", "é", "z", "\udc80", "日", "\U0001F600", "internat", "\n"]
    for trial in range(1500):
        words = list({"".join(rng.choice(alphabet) for _ in range(rng.randint(1, 5))) for _ in range(rng.randint(0, 30))})
        counts = [rng.randint(1, 3) for _ in words]
        want = sorted(range(len(words)), key=lambda i: (-counts[i], words[i]))
        assert frequency_order(words, counts).tolist() == want, (words, counts)
