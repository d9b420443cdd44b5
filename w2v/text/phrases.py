"""Phrases: join frequent collocations ("new york" -> "new_york") before training, as word2phrase.c and gensim do.

Mikolov et al. 2013, "Distributed Representations of Words and Phrases and their Compositionality" (section 4):
a bigram ``a b`` becomes one token when its score is above a threshold. Both scores follow gensim 4's
``Phrases`` exactly (so ``phrases_`` equals its ``export_phrases()``):

* ``"default"`` (Mikolov et al.): ``(count(a b) - min_count) / (count(a) * count(b)) * L``, where L is the
  number of distinct unigrams and candidates counted (gensim's ``len(vocab)``);
* ``"npmi"`` (Bouma 2009): ``ln(p(a b) / (p(a) p(b))) / -ln(p(a b))`` with ``p(x) = count(x) / N`` over the N
  words of the corpus, and minus infinity below ``min_count``; in [-1, 1].

A candidate is two non-connector words with only connector words between them, so with
``connector_words=ENGLISH_CONNECTOR_WORDS`` "bank of america" can become ``bank_of_america``; connector words
are not counted as unigrams and never start or end a phrase. Each further pass (``passes=2, 3, ...``) learns
on the corpus the previous passes joined, so ``new_york`` + ``city`` gives ``new_york_city``; joining runs the
passes in order, left to right in each sentence (gensim's ``trigram[bigram[sentence]]``).

Counting runs in numba over the encoded corpus (``w2v.text.prepare``), streamed in chunks, one thread per worker
(``w2v.text.candidates``: by sorting). ``max_vocab_size`` bounds each thread's candidates by word2vec.c's
pruning: when it holds more, candidates seen at most t times are dropped and t rises, so the counts of rare
candidates become lower bounds (the ones counted before a drop are lost) and a bigram that is rare early in the
corpus and frequent later can score lower than it would unpruned. Unigram counts are always exact. A candidate of
two words with at most two connector words between takes 16 bytes (twice that while its run merges), a longer
one about 50.

Example
-------
>>> import w2v
>>> sentences = [["new", "york", "is", "big"], ["i", "love", "new", "york"], ["i", "love", "paris"],
...              ["paris", "is", "big"], ["is", "it", "new"], ["york", "is", "old"]] * 10
>>> ph = w2v.Phrases(min_count=1, threshold=0.4).fit(sentences, progress=False)
>>> round(ph.phrases_["new_york"], 3), "york_is" in ph.phrases_
(0.401, False)
>>> ph.apply(["we", "love", "new", "york"])
['we', 'love', 'new_york']
"""
from __future__ import annotations

import gc
import hashlib
import json
import logging
import math
import os
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from .encoded import SUFFIX, EncodedCorpus, Writer, bounds_of
from .vocab import frequency_order
from ..errors import ConfigError, FormatError, is_integer, is_number
from ..files import atomic_write, load_npz, save_npz
from ..progress import tqdm

logger = logging.getLogger(__name__)

FORMAT, VERSION = "w2v-phrases", 1
SCORERS = ("default", "npmi")
DEFAULT_MAX_VOCAB_SIZE = 20_000_000  # candidates before pruning: 320-640 MB of pairs; gensim's 40M takes ~3.6 GB
CHUNK_WORDS = 1 << 22  # words of the encoded corpus read at a time
# gensim's ENGLISH_CONNECTOR_WORDS: articles, prepositions and conjunctions that may sit inside a phrase
ENGLISH_CONNECTOR_WORDS = frozenset("a an the for of with without at from to in on by and or".split())


class Phrases:
    """Learn phrases from a corpus and join them.

    Parameters
    ----------
    min_count : number
        Ignore candidates seen fewer times (the default score subtracts it; npmi scores them minus infinity).
    threshold : float
        A candidate becomes a phrase when its score is above this (default scoring: > 0; npmi: in [-1, 1]).
    scoring : {"default", "npmi"}
        Mikolov et al.'s score or normalised PMI (see the module docstring).
    delimiter : str
        Joins the words of a phrase.
    connector_words : iterable of str
        Words that may sit inside a phrase but never start or end one (``ENGLISH_CONNECTOR_WORDS``).
    max_vocab_size : int or None
        Candidates kept before pruning the rarest, a ``workers``-th in each thread (None: never prune).
    passes : int
        Rounds of learning; pass k joins the phrases of pass k-1 further (2: trigrams, 4-grams).
    workers : int, optional
        Threads (default: all cores).

    Attributes
    ----------
    phrases_ : dict
        Every learned phrase ("new_york") -> its score, best first, over all passes.
    passes_ : list of dict
        Per pass: ``phrases`` (each a list of its tokens, e.g. ``["new", "york"]``), ``scores``, and the
        ``corpus_words`` and ``vocabulary`` (gensim's ``len(vocab)``) it was scored with.
    """

    def __init__(self, min_count=5, threshold: float = 10.0, scoring: str = "default", delimiter: str = "_",
                 connector_words=(), max_vocab_size: int | None = DEFAULT_MAX_VOCAB_SIZE, passes: int = 1,
                 workers: int | None = None):
        self.min_count, self.threshold, self.scoring, self.delimiter = min_count, threshold, scoring, delimiter
        self.connector_words = frozenset(connector_words)
        self.max_vocab_size, self.passes, self.workers = max_vocab_size, passes, workers

    def __repr__(self):
        found = f", {len(self.phrases_)} phrases" if hasattr(self, "phrases_") else ""
        return f"Phrases(min_count={self.min_count}, threshold={self.threshold}, scoring={self.scoring!r}, " \
               f"passes={self.passes}{found})"

    def params(self) -> dict:
        return {"min_count": self.min_count, "threshold": self.threshold, "scoring": self.scoring,
                "delimiter": self.delimiter, "connector_words": sorted(self.connector_words),
                "max_vocab_size": self.max_vocab_size, "passes": self.passes}

    def _check(self) -> None:
        """Every option's type and range, naming the bad one (gensim's rules, plus types)."""
        def bad(name, want):
            return ConfigError(f"Phrases {name} must be {want}, got {getattr(self, name)!r}")
        if not is_number(self.min_count) or not self.min_count > 0 or not math.isfinite(self.min_count):
            raise bad("min_count", "a number > 0")
        if self.scoring not in SCORERS:
            raise bad("scoring", "'default' or 'npmi'")
        if not is_number(self.threshold) or not math.isfinite(self.threshold):
            raise bad("threshold", "a finite number")
        if self.scoring == "default" and self.threshold <= 0:
            raise bad("threshold", "> 0 for the default scoring")
        if self.scoring == "npmi" and not -1 <= self.threshold <= 1:
            raise bad("threshold", "between -1 and 1 for npmi scoring")
        if not isinstance(self.delimiter, str) or not self.delimiter or any(c.isspace() for c in self.delimiter):
            raise bad("delimiter", "a non-empty string without whitespace")
        if not all(isinstance(w, str) and w for w in self.connector_words):
            raise bad("connector_words", "non-empty strings")
        if self.max_vocab_size is not None and (not is_integer(self.max_vocab_size) or self.max_vocab_size < 1):
            raise bad("max_vocab_size", "an integer >= 1 or None")
        if not is_integer(self.passes) or not 1 <= self.passes <= 10:
            raise bad("passes", "an integer from 1 to 10")
        if self.workers is not None and (not is_integer(self.workers) or self.workers < 1):
            raise bad("workers", "an integer >= 1 or None")

    # ------------------------------------------------------------------ learning
    def fit(self, corpus, *, tokenizer: str | None = None, lowercase: bool = False, progress: bool = True) -> "Phrases":
        """Learn the phrases of a corpus: a text file or directory, a prepared corpus, or token lists.

        Returns
        -------
        self
        """
        self._check()
        encoded = _encoded(corpus, tokenizer, lowercase, self.workers, progress)
        with _gc_paused():
            self._set_passes(self._learn(encoded, progress))
        return self

    def _learn(self, encoded: EncodedCorpus, progress: bool) -> list:
        """Each pass's phrases and scores (see :meth:`_score`), in order."""
        from .candidates import count_pairs  # numba: only when learning or joining a corpus
        words, tables, passes = list(encoded.words), [], []
        for k in range(self.passes):
            connector = self._connector(words)
            with tqdm(total=encoded.n_words, unit="word", unit_scale=True, disable=not progress,
                      desc=f"phrases: counting (pass {k + 1}/{self.passes})") as bar:
                table, unigram = count_pairs(_chunks(encoded), connector, tables, self._workers(),
                                             self.max_vocab_size, bar.update)
            found = self._score(table, unigram, connector, words)
            passes.append(found)
            logger.info("phrases pass %d: %d of %d candidates score above %s", k + 1, len(found["phrases"]),
                        table.n, self.threshold)
            if k + 1 < self.passes:
                t, words = self._table(found["phrases"], words)
                tables.append(t)
        return passes

    def _workers(self) -> int:
        return self.workers or os.cpu_count() or 1

    def _connector(self, words: list) -> np.ndarray:
        if not self.connector_words:
            return np.zeros(len(words), np.bool_)
        return np.array(list(map(self.connector_words.__contains__, words)), np.bool_)

    def _score(self, table, unigram: np.ndarray, connector: np.ndarray, words: list) -> dict:
        """The candidates of ``table`` that score above the threshold, as gensim's ``score_candidate`` scores."""
        n_words = int(unigram.sum())  # every token, connectors too (gensim's corpus_word_count)
        vocabulary = int(((unigram > 0) & ~connector).sum()) + table.n  # gensim's len(vocab)
        where, score = table.score(unigram, self.scoring == "npmi", self.min_count, vocabulary, n_words,
                                   self.threshold)
        found = sorted(zip((-score).tolist(), ([words[i] for i in key] for key in table.keys(where))))
        return {"phrases": [p for _, p in found], "scores": [-s for s, _ in found], "corpus_words": n_words,
                "vocabulary": vocabulary}

    def _set_passes(self, passes: list) -> None:
        self.passes_ = passes
        self.phrases_ = {}
        for p in passes:
            for tokens, s in zip(p["phrases"], p["scores"]):
                self.phrases_.setdefault(self.delimiter.join(tokens), s)
        self.phrases_ = dict(sorted(self.phrases_.items(), key=lambda x: -x[1]))
        self._lookup = None  # apply's dictionaries, made on its first call

    def _lookups(self) -> list:
        if self._lookup is None:
            self._lookup = [{tuple(t): self.delimiter.join(t) for t in p["phrases"]} for p in self.passes_]
        return self._lookup

    def _fitted(self) -> None:
        if not hasattr(self, "passes_"):
            raise ConfigError("this Phrases is not fitted yet: call fit(corpus) first (or Phrases.load)")

    def _table(self, phrases: list, words: list):
        """One pass's phrases as a ``bigrams.PhraseTable`` over ``words``, and the words it writes (``words``
        plus the new phrases). Phrases naming a word ``words`` lacks cannot occur and are left out."""
        from .bigrams import PhraseTable
        index = {w: i for i, w in enumerate(words)}
        out, added, keys, ids = list(words), {}, [], []
        for tokens in phrases:
            key = [index.get(t) for t in tokens]
            if None in key:
                continue
            phrase = self.delimiter.join(tokens)
            j = index.get(phrase, added.get(phrase))
            if j is None:
                j = added[phrase] = len(out)
                out.append(phrase)
            keys.append(key)
            ids.append(j)
        return PhraseTable(keys, np.array(ids, np.int32), self._connector(words)), out

    def _tables(self, words: list):
        tables = []
        for p in self.passes_:
            t, words = self._table(p["phrases"], words)
            tables.append(t)
        return tables, words

    # ------------------------------------------------------------------ joining
    def apply(self, tokens) -> list:
        """One sentence with its phrases joined, every pass in order (gensim's ``phrases[sentence]``)."""
        self._fitted()
        out = list(tokens)
        for lookup in self._lookups():
            out = self._join(out, lookup)
        return out

    __getitem__ = apply

    def _join(self, sentence: list, lookup: dict) -> list:
        """gensim's ``analyze_sentence``: a candidate that is a phrase consumes both ends."""
        out, start, between = [], None, []
        for w in sentence:
            if w in self.connector_words:
                if start is None:
                    out.append(w)
                else:
                    between.append(w)
                continue
            if start is not None:
                phrase = lookup.get((start, *between, w))
                if phrase is not None:
                    out.append(phrase)
                    start, between = None, []
                    continue
                out.append(start)
                out.extend(between)
            start, between = w, []
        if start is not None:
            out.append(start)
            out.extend(between)
        return out

    def transform(self, corpus, output=None, *, tokenizer: str | None = None, lowercase: bool = False,
                  progress: bool = True) -> EncodedCorpus:
        """A corpus with its phrases joined, as an encoded corpus to train on (``Word2Vec.fit`` accepts it).

        A corpus in memory stays in memory; one on disk (a text file is prepared first) is joined chunk by
        chunk into ``output``, or by default into the corpus cache (``w2v.text.prepare.cache_dir``), keyed by the
        corpus and these phrases, so a second run reuses it.
        """
        self._fitted()
        encoded = _encoded(corpus, tokenizer, lowercase, self.workers, progress)
        key = hashlib.sha256(json.dumps([self.to_dict(), encoded.identity()], sort_keys=True).encode()).hexdigest()
        source = {"phrased": encoded.identity(), "phrases_sha256": key}
        if output is not None:
            target = Path(output)
        elif encoded.path is not None:
            from .prepare import cache_dir, cached_entry
            name = encoded.path.name[:-len(SUFFIX)] if encoded.path.name.endswith(SUFFIX) else encoded.path.name
            target = cache_dir() / f"{name}-phrases-{key[:10]}{SUFFIX}"
            found = cached_entry(target, {"source": source})
            if found is not None:
                return found
        else:
            target = None  # in memory, as the corpus is
        from concurrent.futures import ThreadPoolExecutor
        from .bigrams import join_runs, tally
        tables, words = self._tables(encoded.words)
        workers = self._workers()
        counts = np.zeros(len(words), np.int64)
        first = np.full(len(words), np.iinfo(np.int64).max, np.int64)
        with ThreadPoolExecutor(workers) as pool:
            pos = 0
            for ids, bounds in tqdm(_chunks(encoded), disable=not progress, desc="phrases: counting joined tokens"):
                for x, _ in join_runs(pool, workers, tables, ids, bounds):
                    tally(x, pos, counts, first)
                    pos += len(x)
            seen = np.flatnonzero(counts)
            order = seen[frequency_order([words[i] for i in seen], counts[seen])]
            rank = np.full(len(words), -1, np.int32)
            rank[order] = np.arange(len(order), dtype=np.int32)
            new_words = [words[i] for i in order]
            meta = {"source": source, "options": encoded.meta.get("options")}
            if target is None:
                runs = join_runs(pool, workers, tables, *encoded.read(0, encoded.n_sentences))
                ids = np.concatenate([rank[x] for x, _ in runs])
                lengths = np.concatenate([np.diff(b) for _, b in runs])
                return EncodedCorpus.from_arrays(ids, bounds_of(lengths), new_words, counts[order], first[order], meta)
            with Writer(target) as writer:
                for ids, bounds in tqdm(_chunks(encoded), disable=not progress, desc="phrases: joining"):
                    for x, b in join_runs(pool, workers, tables, ids, bounds):
                        writer.add(rank[x], np.diff(b))
                return writer.finish(new_words, counts[order], first[order], meta)

    def write_text(self, corpus, path, *, tokenizer: str | None = None, lowercase: bool = False,
                   progress: bool = True) -> int:
        """Write a corpus with its phrases joined as text, one sentence per line, atomically; returns the number
        of tokens written. This is ``w2v phrases CORPUS -o PHRASED.txt``."""
        self._fitted()
        from concurrent.futures import ThreadPoolExecutor
        from .bigrams import join_runs, spell
        encoded = _encoded(corpus, tokenizer, lowercase, self.workers, progress)
        tables, words = self._tables(encoded.words)
        data = [w.encode("utf-8") for w in words]
        lengths = np.array([len(w) for w in data], np.int64)
        offsets = bounds_of(lengths)  # where each word's bytes start in the arena
        arena = np.frombuffer(b"".join(data), np.uint8)
        n = 0
        workers = self._workers()
        with atomic_write(path, "wb") as f, ThreadPoolExecutor(workers) as pool:
            for ids, bounds in tqdm(_chunks(encoded), disable=not progress, desc="phrases: writing"):
                for text, k in pool.map(lambda r: (spell(*r, offsets, arena), len(r[0])),
                                        join_runs(pool, workers, tables, ids, bounds)):
                    f.write(text)
                    n += k
        return n

    # ------------------------------------------------------------------ files
    def to_dict(self) -> dict:
        """Everything a fitted Phrases is, as JSON (what :meth:`save` and a model file store)."""
        self._fitted()
        return {"format": FORMAT, "version": VERSION, "params": self.params(), "passes": self.passes_}

    @classmethod
    def from_dict(cls, d, path="phrases") -> "Phrases":
        """Rebuild a Phrases from :meth:`to_dict`'s output, checking every field (it may come from any file)."""
        def bad(msg):
            return FormatError(f"{path}: {msg}")
        if not isinstance(d, dict) or d.get("format") != FORMAT:
            raise bad("not a w2v phrases record")
        if d.get("version") != VERSION:
            raise bad(f"phrases format version {d.get('version')!r}; this w2v reads {VERSION}")
        params = d.get("params")
        names = set(cls().params())
        if not isinstance(params, dict) or set(params) != names:
            raise bad(f"its phrase options must be exactly {', '.join(sorted(names))}")
        if not isinstance(params["connector_words"], list):
            raise bad("connector_words must be a list")
        ph = cls(**params)
        try:
            ph._check()
        except ConfigError as e:
            raise bad(str(e)) from None
        passes = d.get("passes")
        if not isinstance(passes, list) or len(passes) != ph.passes:
            raise bad(f"it must hold {ph.passes} passes of phrases")
        for p in passes:
            if not (isinstance(p, dict) and set(p) == {"phrases", "scores", "corpus_words", "vocabulary"}
                    and isinstance(p["phrases"], list) and isinstance(p["scores"], list)
                    and len(p["phrases"]) == len(p["scores"])
                    and all(isinstance(t, list) and len(t) >= 2 and all(isinstance(w, str) and w for w in t)
                            for t in p["phrases"])
                    and all(is_number(s) and math.isfinite(s)
                            for s in p["scores"])
                    and all(is_integer(p[k]) and p[k] >= 0 for k in ("corpus_words", "vocabulary"))):
                raise bad("a pass of phrases is malformed (each phrase a list of 2+ words, a finite score each)")
        ph._set_passes(passes)
        return ph

    def save(self, path) -> None:
        """Save in the native safe format (an ``.npz`` holding only JSON, no pickle), atomically."""
        save_npz(path, {}, self.to_dict())

    @classmethod
    def load(cls, path) -> "Phrases":
        """Load what :meth:`save` wrote (checked as a whole)."""
        arrays, meta = load_npz(path, formats=(FORMAT,))
        if arrays:
            raise FormatError(f"{path}: unexpected arrays in a phrases file")
        return cls.from_dict(meta, path)


@contextmanager
def _gc_paused():
    """No cyclic garbage collection inside: building the phrases' tens of thousands of small lists set off full
    collections over every object numba holds, a third of the learning's time on a corpus of a few million words."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _encoded(corpus, tokenizer, lowercase, workers, progress) -> EncodedCorpus:
    from ..config import DEFAULT_TOKENIZER
    from .prepare import prepare_corpus
    return prepare_corpus(corpus, tokenizer=tokenizer or DEFAULT_TOKENIZER, lowercase=lowercase, workers=workers,
                          progress=progress)


def _chunks(corpus: EncodedCorpus, chunk_words: int = CHUNK_WORDS):
    """``(ids, bounds)`` of whole sentences, about ``chunk_words`` at a time, in order (valid until the next)."""
    cuts, _ = corpus.cuts(chunk_words)
    buffers: dict = {}
    for s0, s1 in zip(cuts[:-1].tolist(), cuts[1:].tolist()):
        yield corpus.read(s0, s1, buffers)
