"""The standard benchmarks: analogy questions and word-pair similarity, computed in batched matrix products.

* Analogies in the questions-words format (Mikolov et al. 2013): ``: section`` headers, then lines
  ``a b c d`` meaning "a is to b as c is to d". A question counts when all four words are among the
  ``restrict_vocab`` most frequent; otherwise it is *skipped* (out of vocabulary). The answer is the best
  word for ``b - a + c`` (3CosAdd) or 3CosMul, the question words themselves excluded. Matching is
  case-insensitive. These rules are gensim's ``evaluate_word_analogies``, so results are comparable.
* Word pairs (WordSim353, SimLex-999): tab-separated ``word1 word2 score`` with ``#`` comments; Spearman
  and Pearson correlations (scipy) between human scores and cosine similarity over pairs whose words are
  both known, and the fraction of pairs skipped as out of vocabulary.

Example
-------
>>> from w2v.vectors.evaluate import analogies, word_pairs
>>> res = analogies(kv, "corpora/questions-words.txt")  # doctest: +SKIP
>>> print(f"{res.accuracy:.1%} of {res.total} questions ({res.skipped} skipped)")  # doctest: +SKIP
"""
from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from scipy import stats

from ..datasets import CORPORA
from ..errors import W2VError, check_count
from ..options import ANALOGY_VOCAB, check_choice, renamed
from .similarity import cosadd_direction, cosmul

logger = logging.getLogger(__name__)

QUESTIONS_WORDS = CORPORA / "questions-words.txt"
WORDSIM353 = CORPORA / "wordsim353.tsv"
SIMLEX999 = CORPORA / "simlex999.txt"


class TooFewPairsError(W2VError):
    """Fewer than 3 pairs of a word-pair set have both words in the vocabulary: no correlation exists."""


@dataclass
class Section:
    name: str
    correct: int = 0
    total: int = 0      # questions answered (all four words known)
    skipped: int = 0    # questions with an out-of-vocabulary word
    # every question in file order: [(a, b, c, expected) as compared (upper-cased when case_insensitive),
    # "correct", "incorrect" or "unknown" (a word out of the vocabulary)]
    outcomes: list = field(default_factory=list, repr=False)

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 0.0


@dataclass
class AnalogyResult:
    """Accuracy over answered questions, per section and in total."""

    correct: int
    total: int
    skipped: int
    sections: list = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 0.0

    @property
    def coverage(self) -> float:
        """Fraction of questions answered (not skipped)."""
        n = self.total + self.skipped
        return self.total / n if n else 0.0

    def semantic_syntactic(self) -> tuple[float, float]:
        """Accuracy on the semantic sections and on the syntactic (``gram*``) sections."""
        sem = [s for s in self.sections if not s.name.startswith("gram")]
        syn = [s for s in self.sections if s.name.startswith("gram")]
        acc = lambda ss: sum(s.correct for s in ss) / max(sum(s.total for s in ss), 1)
        return acc(sem), acc(syn)


@dataclass
class PairResult:
    spearman: float
    pearson: float
    oov_ratio: float   # fraction (0-1) of pairs with an unknown word (of all pairs; of those scored with dummy4unknown)
    pairs: int         # pairs scored
    oov: int           # pairs with an unknown word (skipped, or scored 0 with dummy4unknown)
    gold: list = field(default_factory=list, repr=False)    # the human scores of the pairs scored
    model: list = field(default_factory=list, repr=False)   # their cosines (0 for unknown words with dummy4unknown)


def _ok_vocab(kv, restrict_vocab: int | None, case_insensitive: bool) -> dict:
    keys = kv.index_to_key[:restrict_vocab]
    # walk backwards so the most frequent spelling wins when two differ only in case
    fold = str.upper if case_insensitive else (lambda s: s)
    return {fold(k): i for i, k in reversed(list(enumerate(keys)))}


def _read_lines(path):
    path = Path(path)
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read().splitlines()
    except FileNotFoundError:
        raise W2VError(f"evaluation file not found: {path}") from None
    except OSError as e:
        raise W2VError(f"cannot read {path}: {e.strerror or e}") from None


def analogies(kv, path=QUESTIONS_WORDS, restrict_vocab: int | None = ANALOGY_VOCAB, formula: str = "3cosadd",
              case_insensitive: bool = True, workers: int = 2, **old) -> AnalogyResult:
    """Score an analogy set.

    Parameters
    ----------
    kv : KeyedVectors
    path : questions-words format file (default: the shipped copy)
    restrict_vocab : int or None
        Only the first (most frequent) words are candidates and count as known.
    formula : "3cosadd" or "3cosmul"
        How a question is scored (``w2v.options.FORMULAS``).
    workers : int
        Threads scoring questions in parallel.

    Returns
    -------
    AnalogyResult with ``accuracy``, ``correct``, ``total``, ``skipped``, ``sections``.
    """
    method = check_choice("formula", renamed("analogies", old, formula=("method", formula)))
    restrict_vocab = check_count("restrict_vocab", restrict_vocab)
    fold = str.upper if case_insensitive else (lambda s: s)
    ok = _ok_vocab(kv, restrict_vocab, case_insensitive)
    sections: list[Section] = []
    questions = []  # (section index, ia, ib, ic, expected folded, a, b, c folded)
    for line in _read_lines(path):
        if line.startswith(":"):
            sections.append(Section(line.lstrip(": ").strip()))
            continue
        parts = [fold(w) for w in line.split()]
        if len(parts) != 4:
            continue
        if not sections:
            raise W2VError(f"{path}: questions before the first ': section' header; is this a questions-words file?")
        sec = sections[-1]
        if any(p not in ok for p in parts):
            sec.skipped += 1
            sec.outcomes.append([tuple(parts), "unknown"])
            continue
        a, b, c, d = parts
        sec.outcomes.append([tuple(parts), None])
        questions.append((len(sections) - 1, ok[a], ok[b], ok[c], d, (a, b, c), sec.outcomes[-1]))
        sec.total += 1
    normed = kv.get_normed_vectors()[:restrict_vocab]  # (R, d)
    fold_keys = [fold(k) for k in kv.index_to_key[: len(normed)]]
    if questions:
        best = _best_answers(normed, questions, method, workers)
        for q, b in zip(questions, best):
            predicted = fold_keys[b]
            if predicted in q[5]:  # a spelling variant of a question word won: look deeper, as gensim does
                predicted = _next_answer(normed, q, method, fold_keys)
            q[6][1] = "correct" if predicted == q[4] else "incorrect"
            if predicted == q[4]:
                sections[q[0]].correct += 1
    correct = sum(x.correct for x in sections)
    total = sum(x.total for x in sections)
    skipped = sum(x.skipped for x in sections)
    return AnalogyResult(correct, total, skipped, sections)


def _best_answers(normed, questions, method, workers):
    """Index of the best answer to each question, its own words excluded.

    The questions use few distinct words (905 in questions-words), so one (U, d) x (d, R) product gives
    every similarity needed and each question then costs three row reads in ``analogy.analogy_argmax``
    instead of a (d x R) product of its own: about 30x fewer operations.
    """
    from .analogy import analogy_argmax  # numba stays out of `import w2v.evaluate` until an evaluation runs

    abc = np.array([q[1:4] for q in questions], dtype=np.int64)  # (Q, 3) vocabulary rows of a, b, c
    words, rows = np.unique(abc, return_inverse=True)
    rows = rows.reshape(abc.shape)  # (Q, 3) rows of sims
    sims = np.ascontiguousarray(normed[words] @ normed.T, dtype=np.float32)  # (U, R)
    out = np.empty(len(questions), dtype=np.int64)
    qa, qb, qc = (np.ascontiguousarray(rows[:, k]) for k in range(3))
    cosmul = method == "3cosmul"
    step = -(-len(questions) // max(1, workers))
    spans = [(s, min(s + step, len(questions))) for s in range(0, len(questions), step)]
    with ThreadPoolExecutor(len(spans)) as pool:  # the kernel releases the GIL
        list(pool.map(lambda sp: analogy_argmax(sims, qa, qb, qc, abc, cosmul, out, *sp), spans))
    return out


def _next_answer(normed, q, method, fold_keys):
    """The best answer that is not a spelling variant of a question word, at most 5 deep (gensim's rule)."""
    ia, ib, ic = q[1:4]
    if method == "3cosadd":
        scores = normed @ cosadd_direction([normed[ib], normed[ic]], [normed[ia]])  # (R,)
    else:
        scores = cosmul([normed @ normed[ib], normed @ normed[ic]], [normed @ normed[ia]])  # (R,)
    scores[[ia, ib, ic]] = -np.inf
    for idx in np.argsort(-scores, kind="stable")[:5]:
        if fold_keys[idx] not in q[5]:
            return fold_keys[idx]
    return fold_keys[idx]


def word_pairs(kv, path=WORDSIM353, restrict_vocab: int | None = 300000,
               case_insensitive: bool = True, delimiter: str = "\t", dummy4unknown: bool = False) -> PairResult:
    """Spearman and Pearson correlation between human pair scores and cosine similarity.

    Pairs with a word outside the ``restrict_vocab`` most frequent words are skipped and counted in
    ``oov_ratio`` (with ``dummy4unknown``, scored as similarity 0 instead, as gensim does). Lines starting with
    ``#`` and malformed lines are ignored.
    """
    restrict_vocab = check_count("restrict_vocab", restrict_vocab)
    fold = str.upper if case_insensitive else (lambda s: s)
    ok = _ok_vocab(kv, restrict_vocab, case_insensitive)
    normed = kv.get_normed_vectors()
    gold, model = [], []
    oov = 0
    for line in _read_lines(path):
        if not line or line.startswith("#"):
            continue
        parts = line.split(delimiter)
        if len(parts) != 3:
            continue
        try:
            score = float(parts[2])
        except ValueError:
            continue
        a, b = fold(parts[0]), fold(parts[1])
        if a not in ok or b not in ok:
            oov += 1
            if dummy4unknown:
                gold.append(score)
                model.append(0.0)
            continue
        gold.append(score)
        model.append(float(np.dot(normed[ok[a]], normed[ok[b]])))
    if len(gold) < 3:
        raise TooFewPairsError(f"{path}: only {len(gold)} pairs have both words in the vocabulary; need at least 3")
    return PairResult(float(stats.spearmanr(gold, model).statistic), float(stats.pearsonr(gold, model).statistic),
                      oov / (len(gold) if dummy4unknown else len(gold) + oov), len(gold), oov, gold, model)
