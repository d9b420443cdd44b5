"""Shared fixtures: small corpora with planted structure."""
import numpy as np
import pytest


def planted_corpus(n_sentences=400, seed=0):
    """Two groups of words that only ever share contexts within their group.

    Sentences mix the words of one group ("animal" words or "tool" words) with common filler, so a model
    that learns anything ranks same-group words first.
    """
    rng = np.random.default_rng(seed)
    groups = [["cat", "dog", "cow", "pig"], ["saw", "axe", "drill", "hammer"]]
    filler = ["the", "a", "and", "of"]
    sents = []
    for i in range(n_sentences):
        g = groups[i % 2]
        sents.append([str(w) for w in rng.choice(g + filler, size=8, p=[0.2] * 4 + [0.05] * 4)])
    return sents, groups


def planted_file(path, n_sentences=400, seed=0):
    """The planted corpus written to ``path``, one sentence a line; returns the path."""
    sents, _ = planted_corpus(n_sentences, seed)
    path.write_text("\n".join(" ".join(s) for s in sents) + "\n")
    return path


@pytest.fixture
def planted():
    return planted_corpus()


@pytest.fixture
def gensim():
    """gensim, for the tests that compare with it (a test dependency); only those tests skip without it."""
    return pytest.importorskip("gensim")


@pytest.fixture(autouse=True, scope="session")
def corpus_cache(tmp_path_factory):
    """Prepared corpora go to a temporary cache, never to the user's ~/.cache (child processes inherit it)."""
    import os
    path = tmp_path_factory.mktemp("w2v-cache")
    old = os.environ.get("W2V_CACHE")
    os.environ["W2V_CACHE"] = str(path)
    yield path
    if old is None:
        os.environ.pop("W2V_CACHE", None)
    else:
        os.environ["W2V_CACHE"] = old


def encode_sentences(sentences, key_to_index, max_sentence_length=10000):
    """Sentences in memory as (ids, bounds), unknown words dropped, long sentences split: what an encoded
    corpus holds (``EncodedCorpus.from_arrays`` takes it), built from the library's own encoder."""
    from w2v.text.corpus import encode_blocks
    blocks = list(encode_blocks(sentences, key_to_index, max_sentence_length))
    lengths = np.concatenate([n for _, n in blocks]) if blocks else np.zeros(0, np.int64)
    bounds = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(lengths, out=bounds[1:])
    return (np.concatenate([i for i, _ in blocks]) if blocks else np.zeros(0, np.int32)), bounds
