"""gensim's method names on w2v's KeyedVectors and Word2Vec: the working ones equal gensim's results on the same
vectors; every other public gensim name fails with its w2v spelling, never a bare AttributeError."""
import re
from pathlib import Path

import numpy as np
import pytest

import w2v
from w2v.vectors import evaluate as ev
from w2v.errors import ConfigError, W2VError
from w2v.gensim_names import GENSIM_KEYEDVECTORS, GENSIM_WORD2VEC, INSTEAD, GensimNameError, method_table

ROOT = Path(__file__).resolve().parents[1]


def _public(cls) -> set:
    return {n for n in dir(cls) if not n.startswith("_")}


def test_every_gensim_name_exists_or_says_what_to_write(gensim, planted):
    assert _public(gensim.models.KeyedVectors) <= set(GENSIM_KEYEDVECTORS)  # the table knows gensim's names
    assert _public(gensim.models.Word2Vec) <= set(GENSIM_WORD2VEC)
    kv = w2v.KeyedVectors(["a", "b"], np.eye(2))
    model = w2v.Word2Vec(min_count=1, epochs=1, vector_size=8, workers=1).fit(planted[0])
    for cls, names, obj in (("KeyedVectors", GENSIM_KEYEDVECTORS, kv), ("Word2Vec", GENSIM_WORD2VEC, model)):
        for name in names:
            if name in INSTEAD[cls]:
                assert not hasattr(type(obj), name), f"{cls}.{name} exists but the table translates it"
                with pytest.raises(GensimNameError, match=rf"{cls}\.{name} is gensim's; in w2v: "):
                    getattr(obj, name)
                assert isinstance(GensimNameError("x"), AttributeError)  # hasattr() stays False
            else:
                assert hasattr(type(obj), name), f"{cls}.{name}: neither in w2v nor translated"
    with pytest.raises(AttributeError, match="no attribute 'no_such_thing'"):
        kv.no_such_thing
    with pytest.raises(AttributeError, match="not trained yet"):  # a property's own message comes through
        w2v.Word2Vec().wv


def test_docs_method_table_is_the_generated_one():
    text = (ROOT / "docs" / "from-gensim.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- method table: .*? -->\n(.*?)<!-- end of method table -->", text, re.S)
    assert block and block.group(1) == method_table()


def test_positional_corpus_and_two_step_training_say_the_fit_call(planted):
    with pytest.raises(ConfigError, match=r"write w2v.Word2Vec\(vector_size=10\).fit\(corpus\)"):
        w2v.Word2Vec(planted[0], vector_size=10)
    model = w2v.Word2Vec(min_count=1)
    with pytest.raises(GensimNameError, match=r"fit\(corpus\).*partial_fit"):
        model.build_vocab(planted[0])
    with pytest.raises(GensimNameError, match="partial_fit"):
        model.train(planted[0], total_examples=10, epochs=1)


@pytest.fixture(scope="module")
def pair(gensim_module):
    """The same vectors (with counts) in w2v and in gensim: analogy pairs share an offset, so some are answered."""
    rng = np.random.default_rng(3)
    words = []
    for line in open(ev.QUESTIONS_WORDS, encoding="utf-8"):
        if not line.startswith(":"):
            words += line.lower().split()
    words = list(dict.fromkeys(words))
    rng.shuffle(words)
    words = words[: int(len(words) * 0.8)] + [words[2].upper()]
    vectors = rng.standard_normal((len(words), 20)).astype(np.float32)
    index = {w: i for i, w in enumerate(words)}
    relation = 3 * rng.standard_normal(20).astype(np.float32)  # the first section's capital -> country offset
    for line in open(ev.QUESTIONS_WORDS, encoding="utf-8").read().split("\n: ")[0].splitlines()[1:]:
        a, b, c, d = line.lower().split()
        for capital, country in ((a, b), (c, d)):
            if capital in index and country in index:
                vectors[index[country]] = vectors[index[capital]] + relation
    counts = np.arange(len(words), 0, -1) * 3
    ours = w2v.KeyedVectors(words, vectors, counts)
    theirs = gensim_module.models.KeyedVectors(20)
    theirs.add_vectors(words, vectors)
    for w, c in zip(words, counts):
        theirs.set_vecattr(w, "count", int(c))
    return ours, theirs


@pytest.fixture(scope="module")
def gensim_module():
    return pytest.importorskip("gensim")


@pytest.mark.parametrize("dummy4unknown", [False, True])
@pytest.mark.parametrize("restrict", [400, 300000])
def test_evaluate_word_analogies_equals_gensim(pair, dummy4unknown, restrict):
    ours, theirs = pair
    score, sections = ours.evaluate_word_analogies(ev.QUESTIONS_WORDS, restrict_vocab=restrict,
                                                   dummy4unknown=dummy4unknown)
    g_score, g_sections = theirs.evaluate_word_analogies(str(ev.QUESTIONS_WORDS), restrict_vocab=restrict,
                                                         dummy4unknown=dummy4unknown)
    assert score == pytest.approx(g_score) and len(sections) == len(g_sections)
    for s, g in zip(sections, g_sections):
        assert s == g
    assert len(sections[-1]["correct"]) > (20 if restrict > 1000 else 0)


@pytest.mark.parametrize("dummy4unknown", [False, True])
def test_evaluate_word_pairs_equals_gensim(pair, dummy4unknown):
    ours, theirs = pair
    (pearson, p_p), (spearman, s_p), oov = ours.evaluate_word_pairs(ev.WORDSIM353, dummy4unknown=dummy4unknown)
    (g_pearson, g_pp), (g_spearman, g_sp), g_oov = theirs.evaluate_word_pairs(str(ev.WORDSIM353),
                                                                               dummy4unknown=dummy4unknown)
    assert (pearson, spearman, oov) == pytest.approx((g_pearson, g_spearman, g_oov), abs=1e-6)
    assert (p_p, s_p) == pytest.approx((g_pp, g_sp), rel=1e-4)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # gensim's words_closer_than is deprecated there
def test_vecattr_index_and_query_names_equal_gensim(pair):
    ours, theirs = pair
    w, x = ours.index_to_key[5], ours.index_to_key[9]
    assert ours.get_vecattr(w, "count") == theirs.get_vecattr(w, "count")
    assert ours.has_index_for(w) and not ours.has_index_for("zzz-not-a-word") and ours.has_index_for(3)
    assert theirs.has_index_for(3) and not theirs.has_index_for("zzz-not-a-word")
    same = lambda a, b: [k for k, _ in a] == [k for k, _ in b] and np.allclose([v for _, v in a], [v for _, v in b],
                                                                               atol=1e-5)  # noqa: E731
    assert same(ours.similar_by_key(w, topn=5), theirs.similar_by_key(w, topn=5))
    assert ours.words_closer_than(w, x) == theirs.words_closer_than(w, x)
    candidates = ours.index_to_key[10:30]
    assert ours.most_similar_to_given(w, candidates) == theirs.most_similar_to_given(w, candidates)
    assert ours.relative_cosine_similarity(w, x) == pytest.approx(theirs.relative_cosine_similarity(w, x), abs=1e-5)
    ranked, g_ranked = ours.rank_by_centrality(candidates + ["zzz"]), theirs.rank_by_centrality(candidates + ["zzz"])
    assert [k for _, k in ranked] == [k for _, k in g_ranked]
    assert np.allclose([s for s, _ in ranked], [s for s, _ in g_ranked], atol=1e-5)


def test_changing_the_vocabulary_as_gensim_does(gensim_module):
    rng = np.random.default_rng(4)
    words, vectors = ["a", "b", "c"], rng.standard_normal((3, 4)).astype(np.float32)
    ours, theirs = w2v.KeyedVectors(words, vectors.copy(), np.array([1, 5, 3])), gensim_module.models.KeyedVectors(4)
    theirs.add_vectors(words, vectors.copy())
    for w, c in zip(words, [1, 5, 3]):
        theirs.set_vecattr(w, "count", c)
    new = rng.standard_normal((2, 4)).astype(np.float32)
    for kv in (ours, theirs):
        kv.add_vectors(["d", "b"], new)              # b exists: kept without replace
        kv.add_vectors(["b"], new[:1], replace=True)  # now replaced
    assert ours.index_to_key == theirs.index_to_key == ["a", "b", "c", "d"]
    np.testing.assert_array_equal(ours.vectors, theirs.vectors)
    assert ours.add_vector("e", new[1]) == theirs.add_vector("e", new[1]) == 4
    assert ours.most_similar("a", topn=2)[0][0] == theirs.most_similar("a", topn=2)[0][0]  # norms follow the change
    for kv in (ours, theirs):
        kv.set_vecattr("d", "count", 9)
        kv.set_vecattr("e", "count", 2)
        kv.sort_by_descending_frequency()
    assert ours.index_to_key == theirs.index_to_key
    np.testing.assert_array_equal(ours.vectors, theirs.vectors)
    assert [ours.get_vecattr(w, "count") for w in ours.index_to_key] == \
        [theirs.get_vecattr(w, "count") for w in theirs.index_to_key]
    before = ours.vectors.copy()
    ours.unit_normalize_all()  # (gensim's divides by lengths cached before its sort: rows get other rows' lengths)
    np.testing.assert_allclose(ours.vectors, before / np.linalg.norm(before, axis=1, keepdims=True), rtol=1e-6)
    np.testing.assert_allclose(ours.norms, 1, rtol=1e-6)


def test_intersect_word2vec_format_seeds_the_shared_words(tmp_path, caplog):
    kv = w2v.KeyedVectors(["a", "b", "c"], np.zeros((3, 2), np.float32))
    w2v.KeyedVectors(["b", "z", "a"], np.array([[1, 2], [3, 4], [5, 6]], np.float32)).save_word2vec_format(
        tmp_path / "pre.txt")
    assert kv.intersect_word2vec_format(tmp_path / "pre.txt") == 2
    assert kv.vectors.tolist() == [[5, 6], [1, 2], [0, 0]] and kv.most_similar("a", topn=1)[0][0] == "b"
    assert "trains every row" in caplog.text  # gensim's default lockf=0.0 would freeze them: said plainly
    with pytest.raises(W2VError, match="2 dimensions"):
        w2v.KeyedVectors(["a"], np.zeros((1, 3))).intersect_word2vec_format(tmp_path / "pre.txt")


def test_word2vec_methods_equal_gensims_formulas(planted, gensim):
    model = w2v.Word2Vec(min_count=1, epochs=2, vector_size=16, workers=1, seed=3, loss="negative").fit(planted[0])
    assert model.get_latest_training_loss() == pytest.approx(model.loss_history_[-1])
    context = [model.wv.index_to_key[i] for i in (3, 5, 8)]
    got = model.predict_output_word(context + ["not-a-word"], topn=4)
    # gensim's own predict_output_word on the same words and weights
    g = gensim.models.Word2Vec(vector_size=16, min_count=1, cbow_mean=1)
    g.build_vocab_from_freq({w: int(c) for w, c in zip(model.wv.index_to_key, model.wv.counts)})
    order = [model.wv.get_index(w) for w in g.wv.index_to_key]
    g.wv.vectors[:], g.syn1neg[:] = model.W_in_[order], model.W_out_[order]
    expected = g.predict_output_word(context, topn=4)
    assert [w for w, _ in got] == [w for w, _ in expected]
    np.testing.assert_allclose([q for _, q in got], [q for _, q in expected], rtol=1e-4)
    assert model.predict_output_word(["not-a-word"]) is None
    mem = model.estimate_memory()
    assert mem["vectors"] == 4 * len(model.wv) * 16 and mem["syn1neg"] == 4 * len(model.wv) * 16
    assert mem["total"] == mem["vocab"] + mem["vectors"] + mem["syn1neg"]
    theirs = gensim.models.Word2Vec(vector_size=16, min_count=1).estimate_memory(vocab_size=len(model.wv))
    assert set(theirs) == set(mem) and theirs["vectors"] == mem["vectors"] and theirs["syn1neg"] == mem["syn1neg"]
    hs = w2v.Word2Vec(min_count=1, epochs=1, vector_size=8, workers=1, loss="hierarchical").fit(planted[0])
    with pytest.raises(W2VError, match="output row per word"):
        hs.predict_output_word(context)
    assert w2v.Word2Vec().get_latest_training_loss() == 0.0
