"""The short report printed after a training run: analogies, neighbours, benchmark scores, pictures.

Example
-------
>>> from w2v.report import training_report
>>> print(training_report(model.wv, "runs/w2v"))  # doctest: +SKIP
"""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

from .vectors import evaluate as ev
from .vectors.keyedvectors import KeyedVectors

ANALOGIES = [("man", "king", "woman"), ("man", "father", "woman"), ("brother", "sister", "son"),
             ("good", "better", "bad"), ("france", "paris", "england")]
NEIGHBOURS = ["god", "king", "war", "water", "president"]
PHRASES = 8  # phrases shown with their neighbours when the model joined phrases
PAIRS = [("man", "woman"), ("king", "queen"), ("father", "mother"), ("son", "daughter"), ("brother", "sister"),
         ("he", "she")]


def training_report(kv: KeyedVectors, out_dir, analogies: Sequence[tuple[str, str, str]] = ANALOGIES,
                    neighbours: Sequence[str] = NEIGHBOURS, pairs=PAIRS, picture: bool = True) -> str:
    """What the vectors learned, as text; also writes ``OUT/analogies.png`` (PCA arrows of ``pairs``).

    Questions whose words the vocabulary lacks are listed as skipped, not dropped silently.
    """
    out_dir = Path(out_dir)
    lines = ["", "analogies (a is to b as c is to ?):"]
    for a, b, c in analogies:
        missing = [w for w in (a, b, c) if w not in kv]
        if missing:
            lines.append(f"  {b} - {a} + {c}: skipped, not in the vocabulary: {', '.join(missing)}")
            continue
        answers = kv.most_similar(positive=[b, c], negative=[a], topn=3)
        lines.append(f"  {b} - {a} + {c} = " + ", ".join(f"{w} ({s:.2f})" for w, s in answers))
    lines.append("nearest neighbours:")
    for word in neighbours:
        if word not in kv:
            lines.append(f"  {word}: not in the vocabulary")
            continue
        lines.append(f"  {word}: " + ", ".join(w for w, _ in kv.most_similar(positive=[word], topn=6)))
    if kv.phrase_delimiter:
        lines.append("phrases (the most frequent, and their nearest neighbours):")
        phrases = [w for w in kv.index_to_key if kv.phrase_delimiter in w][:PHRASES]
        for p in phrases:
            lines.append(f"  {p}: " + ", ".join(w for w, _ in kv.most_similar(positive=[p], topn=5)))
    res = ev.analogies(kv)
    lines += ["benchmarks:",
              f"  questions-words analogies {res.accuracy:.1%} ({res.correct}/{res.total} answered questions; "
              f"{res.skipped} skipped as out of vocabulary)",
              f"  WordSim353 Spearman {_pairs(kv, ev.WORDSIM353)}   SimLex-999 Spearman {_pairs(kv, ev.SIMLEX999)}"]
    if picture:
        usable = [p for p in pairs if p[0] in kv and p[1] in kv]
        if usable:
            from .pictures.plot import plot_analogies  # matplotlib only when a picture is asked for
            path = out_dir / "analogies.png"
            plot_analogies(kv, usable, title="word pairs as arrows (PCA)", path=path)
            lines.append(f"picture: {path}  (PCA of {len(usable)} word pairs as arrows)")
    return "\n".join(lines)


def _pairs(kv: KeyedVectors, path) -> str:
    """A word-pair correlation for the report, or why there is none (a small vocabulary knows too few pairs)."""
    try:
        return f"{ev.word_pairs(kv, path).spearman:.3f}"
    except ev.TooFewPairsError:
        return "skipped (too few known pairs)"
