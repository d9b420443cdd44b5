"""gensim's method names on w2v's classes: the ones people call every day, working as in gensim 4.4, and every
other gensim name failing with what to write instead (``w2v.gensim_names`` holds that table).

``KeyedVectorsGensim`` and ``Word2VecGensim`` are mixins of :class:`w2v.KeyedVectors` and :class:`w2v.Word2Vec`;
each method is written on w2v's own (``most_similar``, ``w2v.vectors.evaluate``, ``loss_history_``), returning what
gensim returns (a test compares each with gensim on the same vectors).

Example
-------
>>> import numpy as np, w2v
>>> kv = w2v.KeyedVectors(["a", "b", "c"], np.eye(3), counts=np.array([5, 3, 1]))
>>> kv.get_vecattr("b", "count"), kv.has_index_for("z")
(3, False)
"""
from __future__ import annotations

import itertools
import logging

import numpy as np

from ..errors import W2VError
from ..gensim_names import missing

logger = logging.getLogger(__name__)


class KeyedVectorsGensim:
    """gensim's KeyedVectors methods that w2v's KeyedVectors offers under gensim's names."""

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        raise missing("KeyedVectors", name)

    # ------------------------------------------------------------------ evaluation
    def evaluate_word_analogies(self, analogies, restrict_vocab: int = 300000, case_insensitive: bool = True,
                                dummy4unknown: bool = False, similarity_function: str = "most_similar"):
        """gensim's analogy evaluation: ``(score, sections)``, each section ``{"section": name, "correct":
        [(a, b, c, expected), ...], "incorrect": [...]}`` and a last one, "Total accuracy". With ``dummy4unknown``
        questions with an unknown word count as incorrect; otherwise they are skipped. ``w2v.vectors.evaluate.analogies``
        gives the same counts (and 3CosMul, ``formula="3cosmul"``)."""
        from . import evaluate
        method = {"most_similar": "3cosadd", "most_similar_cosmul": "3cosmul"}.get(similarity_function)
        if method is None:
            raise W2VError(f"similarity_function must be 'most_similar' or 'most_similar_cosmul', got "
                           f"{similarity_function!r}")
        res = evaluate.analogies(self, analogies, restrict_vocab=restrict_vocab, formula=method,
                                 case_insensitive=case_insensitive)
        wrong = ("incorrect", "unknown") if dummy4unknown else ("incorrect",)
        sections = [{"section": s.name, "correct": [q for q, outcome in s.outcomes if outcome == "correct"],
                     "incorrect": [q for q, outcome in s.outcomes if outcome in wrong]} for s in res.sections]
        total = {"section": "Total accuracy",
                 "correct": list(itertools.chain.from_iterable(s["correct"] for s in sections)),
                 "incorrect": list(itertools.chain.from_iterable(s["incorrect"] for s in sections))}
        answered = len(total["correct"]) + len(total["incorrect"])
        score = len(total["correct"]) / answered if answered else 0.0
        return score, sections + [total]

    def evaluate_word_pairs(self, pairs, delimiter: str = "\t", encoding: str = "utf8", restrict_vocab: int = 300000,
                            case_insensitive: bool = True, dummy4unknown: bool = False):
        """gensim's word-pair evaluation: ``(pearson, spearman, oov_ratio)``, the first two scipy's results
        (correlation and p-value), ``oov_ratio`` in percent. ``w2v.vectors.evaluate.word_pairs`` gives the same numbers."""
        from scipy import stats

        from . import evaluate
        if encoding.replace("-", "").lower() != "utf8":
            raise W2VError(f"w2v reads word-pair files as UTF-8, not {encoding!r}; convert the file first")
        r = evaluate.word_pairs(self, pairs, restrict_vocab=restrict_vocab, case_insensitive=case_insensitive,
                                delimiter=delimiter, dummy4unknown=dummy4unknown)
        return stats.pearsonr(r.gold, r.model), stats.spearmanr(r.gold, r.model), r.oov_ratio * 100

    # ------------------------------------------------------------------ per-word attributes
    def get_vecattr(self, key, attr: str):
        """A word's attribute; ``"count"`` is its corpus count (``counts``), others are set with set_vecattr."""
        table = self._vecattr(attr)
        value = table[self.get_index(key)]
        return value.item() if isinstance(value, np.generic) else value

    def set_vecattr(self, key, attr: str, val) -> None:
        """Set a word's attribute (``"count"``: its corpus count); an attribute's array is made when first set."""
        i = self.get_index(key)
        if attr == "count":
            if self.counts is None:
                self.counts = np.ones(len(self), np.int64)
            self.counts[i] = val
            return
        extras = self.__dict__.setdefault("_vecattrs", {})
        if attr not in extras:
            extras[attr] = np.zeros(len(self), np.asarray(val).dtype)
        extras[attr][i] = val

    def _vecattr(self, attr: str) -> np.ndarray:
        if attr == "count":
            if self.counts is None:
                raise W2VError("these vectors carry no word counts (a word2vec file holds none)")
            return self.counts
        table = self.__dict__.get("_vecattrs", {}).get(attr)
        if table is None:
            raise W2VError(f"no attribute {attr!r} was set on these vectors (set_vecattr sets one)")
        return table

    def has_index_for(self, key) -> bool:
        """Whether ``key`` (a word, or an index in range) has a row."""
        return self._index_of(key) is not None

    # ------------------------------------------------------------------ changing the vocabulary
    def add_vectors(self, keys, weights, extras: dict | None = None, replace: bool = False) -> None:
        """Append new words with their vectors; a word already present keeps its vector unless ``replace``.
        ``extras`` gives per-word attributes, e.g. ``{"count": [...]}`` (new words' count is 1 otherwise)."""
        if isinstance(keys, (str, int, np.integer)):
            keys, weights = [keys], np.asarray(weights).reshape(1, -1)
        keys, weights = list(keys), np.asarray(weights)
        if weights.ndim != 2 or weights.shape != (len(keys), self.vector_size):
            raise W2VError(f"{len(keys)} keys need vectors of shape {(len(keys), self.vector_size)}, got "
                           f"{weights.shape}")
        extras = {name: np.asarray(v) for name, v in (extras or {}).items()}
        rows = [self._index_of(k) if isinstance(k, str) else self.key_to_index.get(k) for k in keys]
        new = [j for j, i in enumerate(rows) if i is None]
        if replace:
            for j, i in enumerate(rows):
                if i is not None:
                    self.vectors[i] = weights[j]
                    for name, values in extras.items():
                        self.set_vecattr(self.index_to_key[i], name, values[j])
        if new:
            start = len(self)
            self.index_to_key.extend(keys[j] for j in new)
            self.vectors = np.concatenate([self.vectors, weights[new].astype(self.vectors.dtype)])
            if self.counts is not None or "count" in extras:
                old = np.ones(start, np.int64) if self.counts is None else self.counts
                added = extras["count"][new] if "count" in extras else np.ones(len(new), np.int64)
                self.counts = np.concatenate([old, added.astype(old.dtype)])
            for name, table in self.__dict__.get("_vecattrs", {}).items():
                self._vecattrs[name] = np.concatenate([table, np.zeros(len(new), table.dtype)])
            for name, values in extras.items():
                if name != "count":
                    for j in new:
                        self.set_vecattr(keys[j], name, values[j])
        self._key_to_index = None
        self.fill_norms(force=True)

    def add_vector(self, key, vector) -> int:
        """Add one word (or replace its vector, if present); returns its row."""
        self.add_vectors([key], np.asarray(vector).reshape(1, -1), replace=True)
        return self.get_index(key)

    def sort_by_descending_frequency(self) -> None:
        """Reorder the rows most frequent first (ties keep their order), as gensim does."""
        if not len(self):
            return
        counts = np.asarray(self._vecattr("count"), np.int64)
        order = np.lexsort((np.arange(len(counts)), -counts))
        self.index_to_key = [self.index_to_key[i] for i in order]
        self.vectors, self.counts = self.vectors[order], counts[order]
        for name, table in self.__dict__.get("_vecattrs", {}).items():
            self._vecattrs[name] = table[order]
        self._key_to_index = None
        self.fill_norms(force=True)

    def unit_normalize_all(self) -> None:
        """Scale every vector to unit length, in place (their lengths are lost)."""
        self.vectors = self._unit(slice(None)).astype(self.vectors.dtype, copy=False)
        self.fill_norms(force=True)

    def intersect_word2vec_format(self, fname, lockf: float = 0.0, binary: bool | None = None,
                                  encoding: str = "utf8", unicode_errors: str = "strict") -> int:
        """Take the vectors of a word2vec file for the words both hold (seeding a model with pretrained vectors
        before ``partial_fit``); returns how many. gensim's ``lockf`` decides whether its training may move them
        (1.0) or not (0.0, its default); w2v never freezes rows, so they train like every other row, whatever
        ``lockf`` says (a warning says so when it asks to freeze)."""
        from ..files.word2vec_format import load_word2vec_format
        words, vectors = load_word2vec_format(fname, binary=binary, unicode_errors=unicode_errors)
        if vectors.shape[1] != self.vector_size:
            raise W2VError(f"{fname}: vectors of {vectors.shape[1]} dimensions, these have {self.vector_size}")
        index = self.key_to_index  # one lookup table for the file's words (not a lookup per word, twice)
        shared = [(index[w], j) for j, w in enumerate(words) if w in index]
        for i, j in shared:
            self.vectors[i] = vectors[j]
        if lockf != 1.0 and shared:
            logger.warning("intersect_word2vec_format: lockf=%s would freeze the %d imported vectors in gensim; w2v "
                           "trains every row, so they move if this model trains again", lockf, len(shared))
        self.fill_norms(force=True)
        return len(shared)

    # ------------------------------------------------------------------ queries under gensim's other names
    def similar_by_key(self, key, topn: int = 10, restrict_vocab: int | None = None):
        """``similar_by_word`` for any key."""
        return self.most_similar(positive=[key], topn=topn, restrict_vocab=restrict_vocab)

    def words_closer_than(self, word1, word2) -> list:
        """gensim's older name of ``closer_than``."""
        return self.closer_than(word1, word2)

    def most_similar_to_given(self, key1, keys_list):
        """The key of ``keys_list`` most similar to ``key1``."""
        return keys_list[int(np.argmax([self.similarity(key1, k) for k in keys_list]))]

    def relative_cosine_similarity(self, wa, wb, topn: int = 10) -> float:
        """cos(wa, wb) over the sum of wa's ``topn`` neighbours' cosines (Leeuwenberg et al. 2016)."""
        sims = self.similar_by_word(wa, topn)
        if not sims:
            raise W2VError("relative_cosine_similarity needs at least one neighbour (topn >= 1)")
        return float(self.similarity(wa, wb)) / sum(s for _, s in sims)

    def rank_by_centrality(self, words, use_norm: bool = True) -> list:
        """``[(cosine to the mean, word), ...]`` most central first; unknown words are left out with a warning."""
        used = [w for w in words if w in self]
        if len(used) != len(words):
            logger.warning("rank_by_centrality: no vectors for %s; leaving them out", set(words) - set(used))
        if not used:
            raise W2VError("rank_by_centrality needs at least one known word")
        vectors = np.vstack([self.get_vector(w, norm=use_norm) for w in used]).astype(np.float32)
        mean = self.get_mean_vector(vectors, post_normalize=True)
        return sorted(zip(vectors @ mean, used), reverse=True)


class Word2VecGensim:
    """gensim's Word2Vec methods that w2v's Word2Vec offers under gensim's names."""

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        prop = getattr(type(self), name, None)
        if isinstance(prop, property):  # a property that raised AttributeError: let its own message through
            return prop.fget(self)
        raise missing("Word2Vec", name)

    def get_latest_training_loss(self) -> float:
        """The last epoch's mean loss (0.0 before any, or without ``compute_loss``)."""
        history = self.loss_history_ if hasattr(self, "state_") else []
        return float(history[-1]) if history else 0.0

    def predict_output_word(self, context_words_list, topn: int = 10):
        """The words the output layer predicts from a context, ``[(word, probability), ...]`` most likely first:
        the softmax over the words of the (mean, with ``cbow_mean``) context vector's scores, as gensim computes
        it. Needs a model whose output layer has a row per word (negative sampling or softmax); None, with a
        warning, when no context word is known."""
        if self.config_.loss == "hierarchical":
            raise W2VError("predict_output_word needs an output row per word: train with loss='negative' or "
                           "'softmax' (hierarchical softmax's rows are inner nodes of its tree)")
        wv = self.wv
        rows = [wv.get_index(w) for w in context_words_list if w in wv]
        if not rows:
            logger.warning("predict_output_word: every context word is out of the vocabulary")
            return None
        hidden = np.sum(wv.vectors[rows], axis=0)
        if self.config_.cbow_mean:
            hidden /= len(rows)
        scores = self.W_out_[:len(wv)] @ hidden
        probs = np.exp(scores - scores.max())
        probs /= probs.sum()
        top = np.argsort(-probs, kind="stable")[:topn]
        return [(wv.index_to_key[i], float(probs[i])) for i in top]

    def estimate_memory(self, vocab_size: int | None = None, report=None) -> dict:
        """Bytes a model needs, as gensim reports them: ``{"vocab", "vectors", "syn1neg" or "syn1", "total"}``
        (w2v's weights, plus gensim's estimate of the vocabulary: 500 bytes a word, 700 with hierarchical
        softmax)."""
        cfg = self.get_config()
        V = vocab_size if vocab_size is not None else (len(self.vocab_) if hasattr(self, "vocab_") else None)
        if V is None:
            raise W2VError("estimate_memory needs vocab_size= before the model is fitted")
        out_name = "syn1" if cfg.loss == "hierarchical" else "syn1neg"
        report = dict(report or {})
        report["vocab"] = (700 if cfg.loss == "hierarchical" else 500) * V
        report["vectors"] = 4 * V * cfg.vector_size
        report[out_name] = 4 * cfg.output_rows(V) * cfg.vector_size
        report["total"] = sum(v for k, v in report.items() if k != "total")
        return report
