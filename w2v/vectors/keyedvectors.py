"""Word vectors and the questions people ask of them: neighbours, analogies, similarities.

This module imports no training code (and so no numba): a user who only queries vectors loads numpy.

Letters: V = vocabulary size, d = vector width, q = number of queries, k = neighbours asked for.

Analogies follow Mikolov et al. 2013 (3CosAdd: ``b - a + c`` over unit vectors) and Levy & Goldberg 2014
(3CosMul: ``cos(x,b) cos(x,c) / (cos(x,a) + ε)`` with cosines shifted to [0, 1]); the arithmetic of both is
in ``w2v.vectors.similarity``, shared with the benchmarks.

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

from .. import files
from ..files import word2vec_format
from ..errors import FormatError, KeyNotInVocabError, W2VError, check_count, is_integer, is_number
from .gensim_methods import KeyedVectorsGensim
from ..options import check_choice, renamed
from .similarity import cosadd_direction, cosmul, row_norms, unit_rows


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


class KeyedVectors(KeyedVectorsGensim):
    """A vocabulary of words with one vector each.

    Parameters
    ----------
    keys : sequence of str
        Words, conventionally most frequent first (``restrict_vocab`` relies on that order).
    vectors : (V, d) array
    counts : (V,) array, optional
        Corpus counts, when known.
    phrase_delimiter : str, optional
        The delimiter of the phrases the vectors were trained with (``w2v.Phrases``): a query "new york" that
        is not a word is looked up as "new_york".
    norms : (V,) float32 array, optional
        The vectors' lengths, when a file stored them (``save`` does); computed at the first query otherwise.

    Attributes
    ----------
    index_to_key, key_to_index, vectors, norms

    gensim's other method names work too (``w2v.vectors.gensim_methods``: ``evaluate_word_analogies``, ``get_vecattr``,
    ``add_vectors``, ...), and the rest say what to write instead.

    Queries score words by ``vectors @ q / norms`` (as gensim does), so they need no second, normalised copy of
    the vectors: pretrained vectors of millions of words take their own size in memory, not twice it.
    """

    def __init__(self, keys: Sequence[str], vectors: np.ndarray, counts: np.ndarray | None = None,
                 phrase_delimiter: str | None = None, norms: np.ndarray | None = None):
        self.index_to_key = list(keys)
        self._key_to_index = None  # built when lookups become many: a million words' dict is as large as their list
        self._scans = 0
        self.vectors = np.asarray(vectors)  # (V, d)
        if self.vectors.ndim != 2 or len(self.vectors) != len(self.index_to_key):
            raise W2VError(f"{len(self.index_to_key)} keys but vectors of shape {self.vectors.shape}")
        self.counts = None if counts is None else np.asarray(counts)
        self.phrase_delimiter = phrase_delimiter
        if norms is not None and np.shape(norms) != (len(self.index_to_key),):
            raise W2VError(f"{len(self.index_to_key)} keys but norms of shape {np.shape(norms)}")
        self._norms = norms
        self._normed = None

    @property
    def key_to_index(self) -> dict:
        """``{word: row}``, built at the first use. (Until then, the first ``_SCANNED_LOOKUPS`` single-word lookups
        scan ``index_to_key`` in C, milliseconds each, so that the first query on a million words does not wait
        for the dict, which takes longer to build than the query itself.)"""
        if self._key_to_index is None:
            self._key_to_index = dict(zip(self.index_to_key, range(len(self.index_to_key))))
        return self._key_to_index

    @key_to_index.setter
    def key_to_index(self, mapping: dict) -> None:
        self._key_to_index = mapping

    # ------------------------------------------------------------------ container protocol
    def __len__(self) -> int:
        return len(self.index_to_key)

    def __contains__(self, key) -> bool:
        return self._row_of(key) is not None

    def __iter__(self):
        return iter(self.index_to_key)

    def __repr__(self):
        return f"KeyedVectors({len(self)} words, {self.vector_size} dimensions)"

    @property
    def vector_size(self) -> int:
        return self.vectors.shape[1]

    def __getitem__(self, key):
        """The vector of a word (or of an integer index, as gensim allows) ``(d,)``, or of a list ``(n, d)``."""
        if isinstance(key, (str, int, np.integer)):
            return self.vectors[self.get_index(key)]
        return self.vectors[self.indices(key)]

    def _index_of(self, key) -> int | None:
        """The row of a word, or of an integer index in range (gensim's rule: a word is looked up first)."""
        try:
            i = self._row_of(key)
        except TypeError:  # unhashable: not a word
            return None
        if i is None and is_integer(key) and 0 <= key < len(self):
            return int(key)
        if i is None and self.phrase_delimiter and isinstance(key, str) and len(key.split()) > 1:
            return self._row_of(self.phrase_delimiter.join(key.split()))  # "new york" -> new_york
        return i

    def _row_of(self, word) -> int | None:
        """The row of a word, or None."""
        if self._key_to_index is None and self._scans < _SCANNED_LOOKUPS and isinstance(word, str):
            self._scans += 1
            try:
                return self.index_to_key.index(word)
            except ValueError:
                return None
        return self.key_to_index.get(word)

    def get_index(self, key) -> int:
        i = self._index_of(key)
        if i is None:
            raise self._missing([key])
        return i

    def indices(self, keys: Iterable) -> np.ndarray:
        """Indices of several words; raises one error naming *every* missing word."""
        keys = list(keys)
        if len(keys) > _SCANNED_LOOKUPS:
            self.key_to_index  # many lookups at once: build the dict now
        idx = [self._index_of(k) for k in keys]
        missing = [k for k, i in zip(keys, idx) if i is None]
        if missing:
            raise self._missing(missing)
        return np.array(idx, dtype=np.int64)

    def get_vector(self, key, norm: bool = False) -> np.ndarray:
        """The vector of a word ``(d,)``, or its unit vector with ``norm=True`` (gensim's spelling)."""
        return (self.get_normed_vectors() if norm else self.vectors)[self.get_index(key)]

    def get_mean_vector(self, keys, weights=None, pre_normalize: bool = True, post_normalize: bool = False,
                        ignore_missing: bool = True) -> np.ndarray:
        """The weighted mean of words' (unit, with ``pre_normalize``) vectors or given vectors, as gensim computes
        it: ``Σ w v / Σ |w|``; unknown words are skipped (or raise, without ``ignore_missing``)."""
        keys = [keys] if isinstance(keys, (str, int, np.integer)) else list(keys)
        weights = np.ones(len(keys)) if weights is None else np.asarray(weights, dtype=np.float64)
        if len(weights) != len(keys):
            raise W2VError(f"{len(keys)} keys but {len(weights)} weights")
        mean, total = np.zeros(self.vector_size, np.float64), 0.0
        missing = []
        for key, w in zip(keys, weights):
            if isinstance(key, np.ndarray):
                vec = key
            elif self._index_of(key) is not None:
                vec = self.get_vector(key, norm=pre_normalize)
            else:
                missing.append(key)
                continue
            mean += w * vec
            total += abs(w)
        if missing and not ignore_missing:
            raise self._missing(missing)
        if total == 0:
            raise W2VError("get_mean_vector: none of the keys is in the vocabulary")
        mean = (mean / total).astype(np.float32)
        return unit_rows(mean) if post_normalize else mean

    def distances(self, word_or_vector, other_words: Sequence = ()) -> np.ndarray:
        """Cosine distances ``1 - cos`` from a word or vector to ``other_words`` (every word when empty)."""
        _, (v,), _ = self._terms([word_or_vector], 1.0)
        if not len(other_words):
            return 1.0 - self._cosines(v)
        return 1.0 - self._unit(self.indices(other_words)) @ v

    @staticmethod
    def cosine_similarities(vector_1, vectors_all) -> np.ndarray:
        """Cosine similarity of one vector ``(d,)`` to each row of ``vectors_all`` ``(n, d)``."""
        v, m = np.asarray(vector_1), np.asarray(vectors_all)
        return (m @ v) / (np.linalg.norm(v) * np.linalg.norm(m, axis=1))

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
    @property
    def norms(self) -> np.ndarray:
        """The length of every vector ``(V,)`` float32, computed once (on every core) and cached."""
        if self._norms is None:
            self._norms = row_norms(self.vectors)
        return self._norms

    def get_normed_vectors(self) -> np.ndarray:
        """Unit-length rows ``(V, d)`` float32, computed once and cached (zero vectors stay zero). Queries do not
        need them; this is a second copy of the vectors, for code that wants the unit rows themselves."""
        if self._normed is None:
            self._normed = self._unit(slice(None))
        return self._normed

    def fill_norms(self, force: bool = False) -> None:
        """Recompute the cached lengths (call after changing ``vectors`` in place)."""
        if force or self._norms is None:
            self._norms = self._normed = None
            self.norms

    def _unit(self, rows) -> np.ndarray:
        """The unit vectors of some rows (an index, a slice or an index array), float32."""
        norms = self.norms[rows]
        return (self.vectors[rows].astype(np.float32, copy=False) / np.where(norms == 0, 1, norms)[..., None]
                if np.ndim(norms) else self.vectors[rows].astype(np.float32) / (norms or 1))

    def _cosines(self, q: np.ndarray, stop: int | None = None) -> np.ndarray:
        """Cosines of the first ``stop`` words to unit vector(s) ``q``: ``(d,) -> (n,)``, ``(b, d) -> (b, n)``."""
        if self._normed is not None:
            return q @ self._normed[:stop].T
        vectors = self.vectors[:stop]
        if vectors.dtype != np.float32:  # float16 storage: compute in float32, as get_normed_vectors does
            vectors = vectors.astype(np.float32)
        norms = self.norms[:stop]
        return (q @ vectors.T) / np.where(norms == 0, 1, norms)

    # ------------------------------------------------------------------ similarity
    def similarity(self, w1: str, w2: str) -> float:
        """Cosine similarity of two words."""
        a, b = self._unit(self.indices([w1, w2]))
        return float(np.dot(a, b))

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

    def _terms(self, items, default_weight: float):
        """Split query items (words, integer indices, vectors, or ``(word, weight)`` pairs as gensim takes them)
        into (indices to exclude, unit vectors (m, d), weights)."""
        if items is None:
            return [], [], []
        if isinstance(items, (str, int, np.integer)) or (isinstance(items, np.ndarray) and items.ndim == 1):
            items = [items]
        idx, vecs, weights, missing = [], [], [], []
        for x in items:
            weight = default_weight
            if isinstance(x, tuple) and len(x) == 2 and is_number(x[1]):
                x, weight = x
            if isinstance(x, np.ndarray):
                vecs.append(unit_rows(np.asarray(x, dtype=np.float32)))
            else:
                i = self._index_of(x)
                if i is None:
                    missing.append(x)
                    continue
                idx.append(i)
                vecs.append(self._unit(i))
            weights.append(float(weight))
        if missing:
            raise self._missing(missing)
        return idx, vecs, weights

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
        positive, negative : word, integer index, vector, ``(word, weight)`` pair, or a list of them
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
        topn, restrict_vocab = _limits(topn, restrict_vocab)
        pi, pv, pw = self._terms(positive, 1.0)
        ni, nv, nw = self._terms(negative, -1.0)  # gensim's rule: a (word, weight) pair keeps its weight's sign
        if not pv and not nv:
            raise W2VError("most_similar needs at least one positive or negative word")
        weighted = [w * v for w, v in zip(pw + nw, pv + nv)]
        scores = self._cosines(cosadd_direction(weighted, []), restrict_vocab)  # (V,)
        return self._ranked(scores, pi + ni, topn)

    def most_similar_cosmul(self, positive=None, negative=None, topn: int | None = 10,
                            restrict_vocab: int | None = None):
        """3CosMul (Levy & Goldberg 2014): ``Π (1+cos(x,p))/2 / (Π (1+cos(x,n))/2 + ε)``."""
        topn, restrict_vocab = _limits(topn, restrict_vocab)
        pi, pv, _ = self._terms(positive, 1.0)
        ni, nv, _ = self._terms(negative, 1.0)
        if not pv:
            raise W2VError("most_similar_cosmul needs at least one positive word")
        scores = cosmul([self._cosines(v, restrict_vocab) for v in pv], [self._cosines(v, restrict_vocab) for v in nv])
        return self._ranked(scores, pi + ni, topn)

    def analogy(self, a: str, b: str, c: str, topn: int = 1, formula: str = "3cosadd",
                restrict_vocab: int | None = None, **old):
        """"a is to b as c is to ?": the words nearest ``b - a + c``, as ``[(word, score)]`` (``topn`` of them).

        ``kv.analogy("man", "king", "woman")`` asks "man is to king as woman is to ?", which is
        ``kv.most_similar(positive=["king", "woman"], negative=["man"])``: king - man + woman. ``formula``
        "3cosmul" scores with Levy and Goldberg's 3CosMul (``most_similar_cosmul``) instead.

        Example
        -------
        >>> kv.analogy("man", "king", "woman")  # doctest: +SKIP
        [('queen', 0.67)]
        """
        formula = check_choice("formula", renamed("analogy", old, formula=("method", formula)))
        fn = self.most_similar if formula == "3cosadd" else self.most_similar_cosmul
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
        n = self._unit(self.indices(words))  # (m, d)
        mean = unit_rows(n.mean(axis=0))
        return words[int(np.argmin(n @ mean))]

    def closer_than(self, w1: str, w2: str) -> list[str]:
        """Words closer to ``w1`` than ``w2`` is."""
        i, j = self.indices([w1, w2])
        sims = self._cosines(self._unit(i))
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
        topn, restrict_vocab = _limits(topn, restrict_vocab, allow_all=False)
        batch_size = check_count("batch_size", batch_size, optional=False)
        n_words = len(self) if restrict_vocab is None else min(restrict_vocab, len(self))
        if isinstance(queries, np.ndarray) and queries.ndim == 2:
            qvec, qidx = unit_rows(queries.astype(np.float32)), None
        else:
            qidx = self.indices(queries)
            qvec = self._unit(qidx)
        extra = 1 if (exclude_self and qidx is not None) else 0
        out_i, out_s = [], []
        for s in range(0, len(qvec), batch_size):
            scores = self._cosines(qvec[s:s + batch_size], restrict_vocab)  # (b, n)
            if extra:
                rows = np.arange(len(scores))
                own = qidx[s:s + batch_size]
                inside = own < n_words
                scores[rows[inside], own[inside]] = -np.inf
            i, v = top_k(scores, topn)
            out_i.append(i)
            out_s.append(v)
        return np.concatenate(out_i), np.concatenate(out_s)

    # ------------------------------------------------------------------ files
    def save(self, path) -> None:
        """Save words, vectors, their lengths and counts in the native safe format (npz + JSON, no pickle),
        atomically. ``load(path, mmap=True)`` then opens it at once, and the stored lengths spare the first query a
        pass over the mapped vectors."""
        arrays = {"vectors": self.vectors, "norms": self.norms,
                  **({} if self.counts is None else {"counts": self.counts})}
        meta = {"format": files.VECTORS_FORMAT, "version": files.VECTORS_VERSION, "phrase_delimiter": self.phrase_delimiter}
        words = files.words_member(self.index_to_key)
        if words is None:
            meta["words"] = self.index_to_key  # a word holds a newline: JSON can say it
        else:
            arrays["words"] = words
        files.save_npz(path, arrays, meta)

    @classmethod
    def load(cls, path, mmap: bool = False) -> "KeyedVectors":
        """Load what :meth:`save` wrote, checked: unique string words, finite float vectors, counts >= 1."""
        arrays, meta = files.load_npz(path, mmap=mmap, formats=(files.VECTORS_FORMAT,))
        words = files.words_from_member(arrays.pop("words"), path) if "words" in arrays else meta.get("words")
        words, vectors, counts = files.check_words(words, path), arrays.get("vectors"), arrays.get("counts")
        if vectors is None or vectors.dtype.kind != "f" or vectors.shape[:1] != (len(words),) or vectors.ndim != 2:
            raise FormatError(f"{path}: the vectors must be a float matrix with one row per word")
        if set(arrays) - {"vectors", "counts", "norms"}:
            extra = sorted(set(arrays) - {"vectors", "counts", "norms"})
            raise FormatError(f"{path}: unexpected arrays {', '.join(extra)}")
        norms = arrays.get("norms")
        if norms is not None and (norms.dtype != np.float32 or norms.shape != (len(words),)):
            raise FormatError(f"{path}: norms must be float32 with one length per word")
        if counts is not None:
            counts = files.check_counts(counts, len(words), path)
        if not mmap and not (np.isfinite(vectors).all() and (norms is None or np.isfinite(norms).all())):
            raise FormatError(f"{path}: the vectors hold NaN or infinity")
        delimiter = meta.get("phrase_delimiter")
        if delimiter is not None and not (isinstance(delimiter, str) and delimiter):
            raise FormatError(f"{path}: phrase_delimiter must be a non-empty string")
        return cls(words, vectors, counts, phrase_delimiter=delimiter, norms=norms)

    def head(self, n: int) -> "KeyedVectors":
        """The first (most frequent) ``n`` words, sharing this object's arrays (views, no copy)."""
        counts = None if self.counts is None else self.counts[:n]
        return KeyedVectors(self.index_to_key[:n], self.vectors[:n], counts, self.phrase_delimiter,
                            None if self._norms is None else self._norms[:n])

    def save_word2vec_format(self, path, binary: bool = False, **kwargs) -> None:
        """Write the word2vec text (or binary) format that gensim and word2vec.c read; see ``w2v.files.word2vec_format``."""
        word2vec_format.save_word2vec_format(path, self.index_to_key, self.vectors, binary=binary, **kwargs)

    @classmethod
    def load_word2vec_format(cls, path, binary: bool | None = None, **kwargs) -> "KeyedVectors":
        """Read a word2vec text or binary file, or a GloVe file (``no_header=True``, or detected); see
        ``w2v.files.word2vec_format.load_word2vec_format`` for the options."""
        return cls(*word2vec_format.load_word2vec_format(path, binary=binary, **kwargs))


def _limits(topn, restrict_vocab, allow_all: bool = True):
    """A query's ``topn`` (None: every score, where ``allow_all``) and ``restrict_vocab`` (None: every word), each
    an integer >= 1. (gensim returns [] for topn <= 0 and searches nothing for restrict_vocab=0; w2v says so.)"""
    return check_count("topn", topn, optional=allow_all), check_count("restrict_vocab", restrict_vocab)


_SCANNED_LOOKUPS = 16  # lookups that scan the word list before the dict is built (see key_to_index)
