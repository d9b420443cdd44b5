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
