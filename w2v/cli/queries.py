"""The commands that ask questions of vectors: neighbors, analogy, evaluate, and the ones that move them: export,
convert, download.

Example
-------
>>> parse_analogy(["king - man + woman"])
(['king', 'woman'], ['man'])
"""
from __future__ import annotations

import logging
import time

from ..errors import W2VError
from ..options import ANALOGY_VOCAB
from .args import MODEL_HELP, load, option, renamed_flags

log = logging.getLogger("w2v")
PROJECTOR_TOP = 10_000  # TensorBoard's projector loads at most 100,000 points and is slow long before


def add_parsers(sub, common) -> None:
    """The commands of this module, on ``w2v``'s subparsers."""
    from ..datasets import DATASETS  # light: no numba, no matplotlib

    p = sub.add_parser("neighbors", parents=[common], help="nearest neighbours of words")
    p.add_argument("model", help=MODEL_HELP)
    p.add_argument("words", nargs="+", help="one or more words")
    option(p, "topn", 10)
    option(p, "restrict_vocab")
    p.set_defaults(func=cmd_neighbors)

    p = sub.add_parser("analogy", parents=[common], help='solve "king - man + woman"')
    p.add_argument("model", help=MODEL_HELP)
    p.add_argument("query", nargs="+", help="the analogy with its signs, e.g. 'king - man + woman'")
    new = {"topn": option(p, "topn", 5), "formula": option(p, "formula", "3cosadd")}
    option(p, "restrict_vocab")
    renamed_flags(p, "analogy", new)
    p.set_defaults(func=cmd_analogy)

    p = sub.add_parser("evaluate", parents=[common], help="analogy accuracy and word-pair correlations")
    p.add_argument("model", help=MODEL_HELP)
    p.add_argument("--analogies", nargs="*", default=None, metavar="FILE",
                   help="questions-words format files (default: the shipped questions-words.txt)")
    new = {"pair_sets": p.add_argument("--pair-sets", nargs="*", default=None, metavar="FILE",
                                       help="word-similarity files of scored pairs (default: the shipped WordSim353 "
                                            "and SimLex-999)"),
           "formula": option(p, "formula", "3cosadd")}
    option(p, "restrict_vocab", ANALOGY_VOCAB, "questions count only among the N most frequent words")
    renamed_flags(p, "evaluate", new)
    p.set_defaults(func=cmd_evaluate)

    p = sub.add_parser("export", parents=[common],
                       help="write vectors as word2vec text/binary, or for TensorBoard's Embedding Projector")
    p.add_argument("model", help=MODEL_HELP)
    p.add_argument("-o", "--output", required=True,
                   help="the vectors file (word2vec), or a directory (projector)")
    p.add_argument("--format", choices=["word2vec", "projector"], default="word2vec",
                   help="word2vec: the text (or --binary) format gensim and word2vec.c read; projector: "
                        "vectors.tsv, metadata.tsv and the projector's config (default: word2vec)")
    p.add_argument("--binary", action="store_true", help="word2vec binary instead of text (default: off)")
    new = {"limit": option(p, "limit", PROJECTOR_TOP, "projector: the N most frequent words; it loads at most "
                                                       "100,000")}
    renamed_flags(p, "export", new)
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("convert", parents=[common], help="convert a vectors file to w2v's native file, which "
                       "opens at once with mmap", description="Read a word2vec text/binary or GloVe file (plain "
                       "or .gz/.bz2/.xz) once and write w2v's native .npz, which load_vectors(..., mmap=True) "
                       "maps instead of parsing, whatever its size.")
    p.add_argument("vectors", help="word2vec text/binary or GloVe vectors file")
    p.add_argument("-o", "--output", required=True, help="the native file to write, OUT.npz")
    option(p, "limit", None, "keep the first N words")
    p.add_argument("--no-header", action="store_true",
                   help="the file has no '<words> <dims>' line (GloVe); detected when not given (default: off)")
    p.set_defaults(func=cmd_convert)

    p = sub.add_parser("download", parents=[common], help="download a public corpus into the cache (text8)")
    p.add_argument("name", help="dataset name: " + ", ".join(sorted(DATASETS)))
    p.set_defaults(func=cmd_download)


def cmd_neighbors(args) -> int:
    kv = load(args.model)
    for word in args.words:
        rows = kv.most_similar(positive=[word], topn=args.topn, restrict_vocab=args.restrict_vocab)
        print(f"{word}:")
        for w, s in rows:
            print(f"  {s:7.4f}  {w}")
    return 0


def parse_analogy(terms: list[str]) -> tuple[list[str], list[str]]:
    """``["king - man + woman"]`` or ``["king", "-", "man", "+", "woman"]`` -> (positive, negative).

    Words without signs are refused: "king man woman" reads as easily one way as the other.
    """
    tokens = " ".join(terms).replace("+", " + ").split()
    if not any(t == "+" or t.startswith("-") for t in tokens):
        raise W2VError(f"analogy: write it with its signs, like 'king - man + woman' (bare words can be read two "
                       f"ways); got {' '.join(tokens)!r}")
    pos, neg, sign = [], [], "+"
    for t in tokens:
        if t in ("+", "-"):
            sign = t
            continue
        if t.startswith("-"):  # "-man" written without a space
            sign, t = "-", t[1:]
        (pos if sign == "+" else neg).append(t)
        sign = "+"
    if not pos:
        raise W2VError(f"analogy: no positive word in {' '.join(tokens)!r}")
    return pos, neg


def cmd_analogy(args) -> int:
    kv = load(args.model)
    pos, neg = parse_analogy(args.query)
    fn = kv.most_similar_cosmul if args.formula == "3cosmul" else kv.most_similar
    rows = fn(positive=pos, negative=neg, topn=args.topn, restrict_vocab=args.restrict_vocab)
    print(" + ".join(pos) + "".join(f" - {w}" for w in neg) + ":")
    for w, s in rows:
        print(f"  {s:7.4f}  {w}")
    return 0


def cmd_evaluate(args) -> int:
    from ..vectors import evaluate as ev
    kv = load(args.model)
    t0 = time.perf_counter()
    analogy_files = args.analogies if args.analogies else ([ev.QUESTIONS_WORDS] if not args.pair_sets else [])
    pair_files = (args.pair_sets if args.pair_sets is not None
                  else ([ev.WORDSIM353, ev.SIMLEX999] if not args.analogies else []))
    for path in analogy_files:
        res = ev.analogies(kv, path, restrict_vocab=args.restrict_vocab, formula=args.formula)
        print(f"analogies: {path}  (restrict_vocab={args.restrict_vocab}, {args.formula})")
        print(f"  {'section':32s} {'accuracy':>9s} {'correct':>8s} {'total':>6s} {'skipped':>8s}")
        for s in res.sections:
            print(f"  {s.name:32s} {s.accuracy:9.1%} {s.correct:8d} {s.total:6d} {s.skipped:8d}")
        sem, syn = res.semantic_syntactic()
        print(f"  {'TOTAL':32s} {res.accuracy:9.1%} {res.correct:8d} {res.total:6d} {res.skipped:8d}")
        print(f"  semantic {sem:.1%}, syntactic {syn:.1%}, coverage {res.coverage:.1%}")
    for path in pair_files:
        r = ev.word_pairs(kv, path)
        print(f"pairs: {path}\n  spearman {r.spearman:.4f}  pearson {r.pearson:.4f}  "
              f"pairs {r.pairs}  out-of-vocabulary {r.oov_ratio:.1%}")
    log.info("evaluation took %.2fs", time.perf_counter() - t0)
    return 0


def cmd_export(args) -> int:
    kv = load(args.model)
    if args.format == "projector":
        from ..files import save_projector
        n = save_projector(args.output, kv.index_to_key, kv.vectors, limit=args.limit)
        print(f"wrote {n:,} vectors to {args.output}/ (vectors.tsv, metadata.tsv, projector_config.pbtxt for "
              "TensorBoard, projector_config.json for projector.tensorflow.org)")
        return 0
    kv.save_word2vec_format(args.output, binary=args.binary, whitespace="replace")
    print(f"wrote {len(kv)} vectors to {args.output} ({'binary' if args.binary else 'text'} word2vec format)")
    return 0


def cmd_convert(args) -> int:
    from ..loading import load_vectors
    if not str(args.output).endswith(".npz"):
        raise W2VError(f"{args.output}: the native vectors file is an .npz; name the output OUT.npz")
    t0 = time.perf_counter()
    kv = load_vectors(args.vectors, limit=args.limit, no_header=True if args.no_header else None)
    loaded = time.perf_counter() - t0
    kv.save(args.output)
    print(f"wrote {len(kv):,} vectors of {kv.vector_size} dimensions to {args.output} (read in {loaded:.1f}s); "
          f"w2v.load_vectors({str(args.output)!r}, mmap=True) opens it at once")
    return 0


def cmd_download(args) -> int:
    from .. import datasets
    print(datasets.fetch(args.name))
    return 0
