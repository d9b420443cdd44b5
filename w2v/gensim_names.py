"""gensim's argument names and what w2v calls them, so a script written the gensim way fails with the fix.

``docs/from-gensim.md`` shows this table with the CLI; :func:`translate` turns one gensim argument (with its value)
into the w2v parameters to use instead, and the error for an unknown option prints them.

Example
-------
>>> translate("sg", 1)
({'arch': 'skipgram'}, "sg=1 -> arch='skipgram'")
>>> translate("size", 300)[1]
'size=300 -> vector_size=300'
"""
from __future__ import annotations

from .errors import W2VError


def _rename(new):
    return lambda name, v: ({new: v}, f"{name}={v!r} -> {new}={v!r}")


def _bool(new):
    return lambda name, v: ({new: bool(v)}, f"{name}={v!r} -> {new}={bool(v)!r}")


def _advice(text):
    return lambda name, v: (None, f"{name}: {text}")


# gensim 3 and 4 Word2Vec arguments that w2v spells differently or does not take; every other gensim argument
# (alpha, window, min_count, max_vocab_size, sample, seed, workers, min_alpha, negative, ns_exponent, epochs,
# vector_size, max_final_vocab, compute_loss, shrink_windows) has the same name and meaning in w2v.
GENSIM_ARGUMENTS = {
    "sentences": _advice("give the corpus to fit(): Word2Vec(...).fit(sentences)"),
    "corpus_file": _advice("give the file's path to fit(): Word2Vec(...).fit('corpus.txt')"),
    "corpus_iterable": _advice("give the corpus to fit(): Word2Vec(...).fit(corpus)"),
    "size": _rename("vector_size"),
    "iter": _rename("epochs"),
    "sg": lambda name, v: ({"arch": "skipgram" if v else "cbow"},
                           f"sg={v!r} -> arch={'skipgram' if v else 'cbow'!r}"),
    "hs": lambda name, v: ({"loss": "hierarchical" if v else "negative"},
                           f"hs={v!r} -> loss={'hierarchical' if v else 'negative'!r}"),
    "cbow_mean": _bool("cbow_mean"),
    "sorted_vocab": _bool("sorted_vocab"),
    "batch_words": _rename("job_words"),
    "callbacks": _advice("give them to fit(): Word2Vec(...).fit(corpus, callbacks=[...])"),
    "hashfxn": _advice("drop it: w2v's initialisation depends on seed alone"),
    "null_word": _advice("drop it: w2v has no padding word"),
    "trim_rule": _advice("drop it: keep words with min_count and max_final_vocab"),
    "comment": _advice("drop it"),
}


def translate(name: str, value):
    """``(w2v parameters or None, one-line hint)`` for a gensim argument, or None when gensim has no such name."""
    rule = GENSIM_ARGUMENTS.get(name)
    return None if rule is None else rule(name, value)


# ---------------------------------------------------------------------------------------------- methods
# Every public name of gensim 4.4's KeyedVectors and Word2Vec classes (and a few instance attributes people reach
# for). A name w2v has means the same there; each other one maps to what to write in w2v instead. The attribute
# lookup of both classes consults this table (GensimNameError), and docs/from-gensim.md's method table is made from
# it (method_table), so the error and the page say the same.
GENSIM_KEYEDVECTORS = (
    "add_lifecycle_event", "add_vector", "add_vectors", "allocate_vecattrs", "closer_than", "cosine_similarities",
    "distance", "distances", "doesnt_match", "evaluate_word_analogies", "evaluate_word_pairs", "fill_norms",
    "get_index", "get_mean_vector", "get_normed_vectors", "get_vecattr", "get_vector", "has_index_for",
    "index2entity", "index2word", "init_sims", "intersect_word2vec_format", "load", "load_word2vec_format",
    "log_accuracy", "log_evaluate_word_pairs", "most_similar", "most_similar_cosmul", "most_similar_to_given",
    "n_similarity", "rank", "rank_by_centrality", "relative_cosine_similarity", "resize_vectors", "save",
    "save_word2vec_format", "set_vecattr", "similar_by_key", "similar_by_vector", "similar_by_word", "similarity",
    "similarity_unseen_docs", "sort_by_descending_frequency", "unit_normalize_all", "vectors_for_all",
    "vectors_norm", "vocab", "wmdistance", "word_vec", "words_closer_than",
)
GENSIM_WORD2VEC = (
    "add_lifecycle_event", "add_null_word", "build_vocab", "build_vocab_from_freq", "create_binary_tree",
    "estimate_memory", "get_latest_training_loss", "init_sims", "init_weights", "load", "make_cum_table",
    "predict_output_word", "prepare_vocab", "prepare_weights", "reset_from", "save", "scan_vocab", "score",
    "seeded_vector", "train", "update_weights",
)
_INTERNAL = "gensim's internal step of training; w2v's fit() does it"
_FIT = ("w2v builds the vocabulary and trains in one call: model = w2v.Word2Vec(epochs=N, ...).fit(corpus); "
        "gensim's build_vocab(more, update=True) + train(more) is model.partial_fit(more, epochs=N)")
INSTEAD = {
    "KeyedVectors": {
        "add_lifecycle_event": "w2v keeps no lifecycle log (a native model's metadata holds its config, training "
                               "state and w2v version)",
        "allocate_vecattrs": "not needed: set_vecattr(key, attr, value) makes an attribute's array when first set",
        "index2entity": "gensim 3's name: use index_to_key",
        "index2word": "gensim 3's name: use index_to_key",
        "init_sims": "gensim 3's name: use fill_norms() (queries need no normalised copy; get_normed_vectors() "
                     "makes one)",
        "log_accuracy": "use evaluate_word_analogies(path), which returns every section's results",
        "log_evaluate_word_pairs": "use evaluate_word_pairs(path), which returns the correlations",
        "resize_vectors": "use add_vectors(keys, vectors) to grow the vocabulary",
        "similarity_unseen_docs": "w2v has no document model (gensim's Doc2Vec)",
        "vectors_for_all": "w2v has no subword (FastText) vectors: kv[words] gives the vectors of known words",
        "vectors_norm": "gensim 3's name: use get_normed_vectors()",
        "vocab": "gensim 3's name: use key_to_index (word -> row) and get_vecattr(word, 'count')",
        "wmdistance": "w2v does not offer Word Mover's Distance (gensim's needs the POT package)",
        "word_vec": "gensim 3's name: use get_vector(word)",
    },
    "Word2Vec": {
        "add_lifecycle_event": "w2v keeps no lifecycle log (a native model's metadata holds its config, training "
                               "state and w2v version)",
        "add_null_word": "w2v has no padding word",
        "build_vocab": _FIT,
        "build_vocab_from_freq": "w2v counts the corpus inside fit(); it does not train from given frequencies",
        "create_binary_tree": _INTERNAL + " (loss='hierarchical')",
        "init_sims": "gensim 3's name: use model.wv.fill_norms()",
        "init_weights": _INTERNAL, "make_cum_table": _INTERNAL, "prepare_vocab": _INTERNAL,
        "prepare_weights": _INTERNAL, "reset_from": _INTERNAL, "scan_vocab": _INTERNAL, "seeded_vector": _INTERNAL,
        "update_weights": _INTERNAL + " (partial_fit grows the weights for new words)",
        "score": "w2v does not score sentences by likelihood (gensim's score needs skip-gram with hierarchical "
                 "softmax)",
        "train": _FIT,
        # instance attributes of a gensim model
        "syn1neg": "model.W_out_ holds the output vectors (negative sampling: one row per word)",
        "syn1": "model.W_out_ holds the output vectors (hierarchical softmax: one row per inner node)",
        "running_training_loss": "model.get_latest_training_loss() or model.loss_history_ (one mean per epoch)",
        "corpus_count": "model.corpus_info_ says how the corpus was read; model.state_ how far training went",
        "sg": "model.arch ('cbow' or 'skipgram')",
        "hs": "model.loss ('softmax', 'negative' or 'hierarchical')",
    },
}


class GensimNameError(W2VError, AttributeError):
    """A gensim name that w2v spells differently or does not offer; the message says what to write instead."""


def missing(cls: str, name: str) -> AttributeError:
    """The error for ``obj.name`` on w2v's ``cls`` (KeyedVectors or Word2Vec): the translation of a gensim name,
    else Python's plain AttributeError."""
    advice = INSTEAD[cls].get(name)
    if advice is None:
        return AttributeError(f"'{cls}' object has no attribute {name!r}")
    return GensimNameError(f"{cls}.{name} is gensim's; in w2v: {advice} (docs/from-gensim.md)")


def method_table() -> str:
    """The markdown table of docs/from-gensim.md: each gensim name and what w2v offers, from this module's tables."""
    lines = ["| gensim | w2v |", "|---|---|"]
    for cls, names in (("KeyedVectors", GENSIM_KEYEDVECTORS), ("Word2Vec", GENSIM_WORD2VEC)):
        for name in names:
            ours = INSTEAD[cls].get(name)
            same = "wv." if cls == "KeyedVectors" else "model."
            lines.append(f"| `{cls}.{name}` | {'`' + same + name + '`, the same' if ours is None else ours} |")
    return "\n".join(lines) + "\n"
