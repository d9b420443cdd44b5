"""Word vectors and the questions people ask of them: neighbours, analogies, similarities.

This module imports no training code (and so no numba): a user who only queries vectors loads numpy.

Letters: V = vocabulary size, d = vector width, q = number of queries, k = neighbours asked for.

Analogies follow Mikolov et al. 2013 (3CosAdd: ``b - a + c`` over unit vectors) and Levy & Goldberg 2014
(3CosMul: ``cos(x,b) cos(x,c) / (cos(x,a) + ε)`` with cosines shifted to [0, 1]); the arithmetic of both is
in ``w2v.similarity``, shared with the benchmarks.

Example
-------
>>> import numpy as np
>>> kv = KeyedVectors(["king", "queen", "man", "woman"], np.array([[1, 1], [1, -1], [1, 2], [1, -2.]]))
>>> kv.most_similar(positive=["king", "woman"], negative=["man"], topn=1)[0][0]
'queen'
"""
from __future__ import annotations

import difflib
from typing import Iterable, Sequence

import numpy as np

from . import io
from .errors import KeyNotInVocabError, W2VError
from .similarity import cosadd_direction, cosmul, unit_rows


def top_k(scores: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices and values of the k largest entries of each row, best first, by ``argpartition``.

    ``scores (q, n) -> (idx (q, k), values (q, k))``; O(n) per row plus O(k log k) to order the k.
    """
    n = scores.shape[1]
    k = min(k, n)
    if k <= 0:
        return np.zeros((len(scores), 0), np.int64), np.zeros((len(scores), 0), scores.dtype)
    part = np.argpartition(-scores, k - 1, axis=1)[:, :k] if k < n else np.tile(np.arange(n), (len(scores), 1))
    vals = np.take_along_axis(scores, part, axis=1)
    order = np.argsort(-vals, axis=1, kind="stable")
    return np.take_along_axis(part, order, axis=1), np.take_along_axis(vals, order, axis=1)


class KeyedVectors:
    """A vocabulary of words with one vector each.

    Parameters
    ----------
    keys : sequence of str
        Words, conventionally most frequent first (``restrict_vocab`` relies on that order).
    vectors : (V, d) array
    counts : (V,) array, optional
        Corpus counts, when known.

    Attributes
    ----------
    index_to_key, key_to_index, vectors
    """

    def __init__(self, keys: Sequence[str], vectors: np.ndarray, counts: np.ndarray | None = None):
        self.index_to_key = list(keys)
        self.key_to_index = {k: i for i, k in enumerate(self.index_to_key)}
        self.vectors = np.asarray(vectors)  # (V, d)
        if self.vectors.ndim != 2 or len(self.vectors) != len(self.index_to_key):
            raise W2VError(f"{len(self.index_to_key)} keys but vectors of shape {self.vectors.shape}")
        self.counts = None if counts is None else np.asarray(counts)
        self._normed = None

    # ------------------------------------------------------------------ container protocol
    def __len__(self) -> int:
        return len(self.index_to_key)

    def __contains__(self, key) -> bool:
        return key in self.key_to_index

    def __iter__(self):
        return iter(self.index_to_key)

    def __repr__(self):
        return f"KeyedVectors({len(self)} words, {self.vector_size} dimensions)"

    @property
    def vector_size(self) -> int:
        return self.vectors.shape[1]

    def __getitem__(self, key):
        """The vector of a word ``(d,)``, or of a list of words ``(n, d)``."""
        if isinstance(key, str):
            return self.vectors[self.get_index(key)]
        return self.vectors[self.indices(key)]

    def get_index(self, key: str) -> int:
        i = self.key_to_index.get(key)
        if i is None:
            raise self._missing([key])
        return i

    def indices(self, keys: Iterable[str]) -> np.ndarray:
        """Indices of several words; raises one error naming *every* missing word."""
        keys = list(keys)
        missing = [k for k in keys if k not in self.key_to_index]
        if missing:
            raise self._missing(missing)
        return np.array([self.key_to_index[k] for k in keys], dtype=np.int64)

    def _missing(self, words) -> KeyNotInVocabError:
        pool = self.index_to_key[:100000]  # suggestions from the common words keep the error path fast
        lowered = {}
        for w in pool:
            lowered.setdefault(w.lower(), w)
        suggestions = {}
        for w in words:
            close = []
            if isinstance(w, str):
                if w.lower() in lowered and lowered[w.lower()] != w:
                    close.append(lowered[w.lower()])
                close += [c for c in difflib.get_close_matches(w, pool, n=3, cutoff=0.75) if c not in close]
            suggestions[w] = close[:3]
        return KeyNotInVocabError(words, suggestions)

    # ------------------------------------------------------------------ norms
    def get_normed_vectors(self) -> np.ndarray:
        """Unit-length rows ``(V, d)``, computed once and cached (zero vectors stay zero)."""
        if self._normed is None:
            self._normed = unit_rows(self.vectors.astype(np.float32, copy=False))
        return self._normed

    def fill_norms(self, force: bool = False) -> None:
        """Recompute the cached unit vectors (call after changing ``vectors`` in place)."""
        if force or self._normed is None:
            self._normed = None
            self.get_normed_vectors()

    # ------------------------------------------------------------------ similarity
    def similarity(self, w1: str, w2: str) -> float:
        """Cosine similarity of two words."""
        n = self.get_normed_vectors()
        i, j = self.indices([w1, w2])
        return float(np.dot(n[i], n[j]))

    def distance(self, w1: str, w2: str) -> float:
        """Cosine distance ``1 - similarity``."""
        return 1.0 - self.similarity(w1, w2)

    def n_similarity(self, ws1: Sequence[str], ws2: Sequence[str]) -> float:
        """Cosine similarity between the means of the (raw) vectors of two sets of words, as gensim."""
        if not len(ws1) or not len(ws2):
            raise W2VError("n_similarity needs at least one word on each side")
        a = self.vectors[self.indices(ws1)].mean(axis=0)
        b = self.vectors[self.indices(ws2)].mean(axis=0)
        return float(np.dot(unit_rows(a), unit_rows(b)))

    def _terms(self, items):
        """Split query items (words or vectors) into (indices to exclude, unit vectors (m, d))."""
        if items is None:
            return [], []
        if isinstance(items, (str, np.ndarray)) and not (isinstance(items, np.ndarray) and items.ndim == 2):
            items = [items]
        words = [x for x in items if isinstance(x, str)]
        idx = list(self.indices(words)) if words else []
        normed = self.get_normed_vectors()
        vecs, it = [], iter(idx)
        for x in items:
            vecs.append(normed[next(it)] if isinstance(x, str) else unit_rows(np.asarray(x, dtype=np.float32)))
        return idx, vecs

    def _scores_limit(self, restrict_vocab):
        n = self.get_normed_vectors()
        return n if restrict_vocab is None else n[:restrict_vocab]

    def _ranked(self, scores: np.ndarray, exclude, topn: int | None):
        """Turn one row of scores into [(word, score)], dropping excluded indices."""
        exclude = [i for i in set(exclude) if i < len(scores)]
        if topn is None:
            return scores
        idx, vals = top_k(scores[None, :], topn + len(exclude))
        out = [(self.index_to_key[i], float(v)) for i, v in zip(idx[0], vals[0]) if i not in exclude]
        return out[:topn]

    def most_similar(self, positive=None, negative=None, topn: int | None = 10, restrict_vocab: int | None = None):
        """Words closest to the mean of ``positive`` minus ``negative`` unit vectors (3CosAdd).

        Parameters
        ----------
        positive, negative : word, vector, or list of them
        topn : int or None
            How many; None returns the similarity to every word as an array.
        restrict_vocab : int, optional
            Search only the first (most frequent) words.

        Returns
        -------
        list of (word, cosine similarity), best first. Query words are never returned.

        Example
        -------
        >>> kv.most_similar(positive=["king", "woman"], negative=["man"], topn=3)  # doctest: +SKIP
        [('queen', 0.71), ...]
        """
        pi, pv = self._terms(positive)
        ni, nv = self._terms(negative)
        if not pv and not nv:
            raise W2VError("most_similar needs at least one positive or negative word")
        scores = self._scores_limit(restrict_vocab) @ cosadd_direction(pv, nv)  # (V,)
        return self._ranked(scores, pi + ni, topn)

    def most_similar_cosmul(self, positive=None, negative=None, topn: int | None = 10,
                            restrict_vocab: int | None = None):
        """3CosMul (Levy & Goldberg 2014): ``Π (1+cos(x,p))/2 / (Π (1+cos(x,n))/2 + ε)``."""
        pi, pv = self._terms(positive)
        ni, nv = self._terms(negative)
        if not pv:
            raise W2VError("most_similar_cosmul needs at least one positive word")
        normed = self._scores_limit(restrict_vocab)
        scores = cosmul([normed @ v for v in pv], [normed @ v for v in nv])
        return self._ranked(scores, pi + ni, topn)

    def analogy(self, a: str, b: str, c: str, topn: int = 1, method: str = "3cosadd",
                restrict_vocab: int | None = None):
        """"a is to b as c is to ?": ``b - a + c``. Returns ``[(word, score)]`` (``topn`` of them)."""
        fn = {"3cosadd": self.most_similar, "3cosmul": self.most_similar_cosmul}.get(method)
        if fn is None:
            raise W2VError(f"unknown analogy method {method!r}: use '3cosadd' or '3cosmul'")
        return fn(positive=[b, c], negative=[a], topn=topn, restrict_vocab=restrict_vocab)

    def similar_by_vector(self, vector, topn: int = 10, restrict_vocab: int | None = None):
        """Words closest to a vector (nothing is excluded)."""
        return self.most_similar(positive=[np.asarray(vector)], topn=topn, restrict_vocab=restrict_vocab)

    def similar_by_word(self, word: str, topn: int = 10, restrict_vocab: int | None = None):
        return self.most_similar(positive=[word], topn=topn, restrict_vocab=restrict_vocab)

    def doesnt_match(self, words: Sequence[str]) -> str:
        """The word furthest from the mean of the others' unit vectors."""
        words = list(words)
        if len(words) < 2:
            raise W2VError("doesnt_match needs at least two words")
        n = self.get_normed_vectors()[self.indices(words)]  # (m, d)
        mean = unit_rows(n.mean(axis=0))
        return words[int(np.argmin(n @ mean))]

    def closer_than(self, w1: str, w2: str) -> list[str]:
        """Words closer to ``w1`` than ``w2`` is."""
        n = self.get_normed_vectors()
        i, j = self.indices([w1, w2])
        sims = n @ n[i]
        closer = np.flatnonzero(sims > sims[j])
        return [self.index_to_key[k] for k in closer if k != i]

    def rank(self, w1: str, w2: str) -> int:
        """Rank of ``w2`` among the neighbours of ``w1`` (1 = nearest)."""
        return len(self.closer_than(w1, w2)) + 1

    def nearest(self, queries, topn: int = 10, restrict_vocab: int | None = None, exclude_self: bool = True,
                batch_size: int = 4096):
        """Nearest neighbours of many words or vectors at once, in blocks of matrix products.

        Parameters
        ----------
        queries : list of str, or (q, d) array
        exclude_self : bool
            Leave a query word out of its own neighbours.

        Returns
        -------
        idx : (q, topn) int64 and sims : (q, topn) float32, best first. ``index_to_key`` maps idx to words.
        """
        normed = self._scores_limit(restrict_vocab)  # (n, d)
        if isinstance(queries, np.ndarray) and queries.ndim == 2:
            qvec, qidx = unit_rows(queries.astype(np.float32)), None
        else:
            qidx = self.indices(queries)
            qvec = self.get_normed_vectors()[qidx]
        extra = 1 if (exclude_self and qidx is not None) else 0
        out_i, out_s = [], []
        for s in range(0, len(qvec), batch_size):
            scores = qvec[s:s + batch_size] @ normed.T  # (b, n)
            if extra:
                rows = np.arange(len(scores))
                own = qidx[s:s + batch_size]
                inside = own < normed.shape[0]
                scores[rows[inside], own[inside]] = -np.inf
            i, v = top_k(scores, topn)
            out_i.append(i)
            out_s.append(v)
        return np.concatenate(out_i), np.concatenate(out_s)

    # ------------------------------------------------------------------ files
    def save_word2vec_format(self, path, binary: bool = False, **kwargs) -> None:
        """Write the word2vec text (or binary) format that gensim and word2vec.c read; see ``w2v.io``."""
        io.save_word2vec_format(path, self.index_to_key, self.vectors, binary=binary, **kwargs)

    @classmethod
    def load_word2vec_format(cls, path, binary: bool | None = None, **kwargs) -> "KeyedVectors":
        """Read a word2vec text or binary file (binary detected when None); see ``w2v.io``."""
        return cls(*io.load_word2vec_format(path, binary=binary, **kwargs))
