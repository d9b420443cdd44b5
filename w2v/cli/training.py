"""The commands that read and train: train (and --resume), prepare, phrases.

Example
-------
$ w2v train corpus.txt -o runs/demo --arch skipgram --checkpoint-every 10m
"""
from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from ..errors import W2VError
from ..options import OPTIONS, seconds

log = logging.getLogger("w2v")


def add_parsers(sub, common) -> None:
    """The commands of this module, on ``w2v``'s subparsers."""
    _add_train(sub, common)
    _add_prepare(sub, common)
    _add_phrases(sub, common)


# `w2v train` options whose default is not Config's, and why: a command-line run uses every core, and the small
# starter corpus needs more epochs (datasets.STARTER_EPOCHS); the values are applied in _train_new
CLI_DEFAULTS = {"workers": "all CPU cores", "epochs": "{epochs}; {starter} on the starter corpus"}
# options a resumed run may change: they alter speed, never what is computed on one worker
RESUMABLE = ("workers",)
DEFAULT_OUT = "runs/w2v"
DASK_HELP = ("run on Dask: local (a LocalCluster, one single-thread worker per core), local:N (N workers) or "
             "a scheduler address tcp://HOST:8786 (default: this process only)")


# ---------------------------------------------------------------------------------------------- train
def config_flags(f) -> list[str]:
    """The command-line spellings of a Config field: ``--field-name`` and its aliases."""
    return [f"--{f.name.replace('_', '-')}", *f.metadata["aliases"]]


def _add_config_flag(group, f, default=None, help_text: str | None = None) -> None:
    """The flag of one Config field, with its type, choices and help from Config (``default``: None, so that a
    flag not given leaves the estimator's default, or the field's own default for the commands that are not
    training)."""
    from ..config import field_type
    help_text = help_text or f"{f.metadata['help']} (default: {f.default})".replace("%", "%%")
    kind = field_type(f)
    if kind is bool:
        group.add_argument(*config_flags(f), dest=f.name, action=argparse.BooleanOptionalAction, default=default,
                           help=help_text)
    else:
        group.add_argument(*config_flags(f), dest=f.name, type=kind, choices=f.metadata["choices"], default=default,
                           metavar=None if f.metadata["choices"] else {int: "N", float: "X", str: "S"}[kind],
                           help=help_text)


def _add_reading_flags(p) -> None:
    """--tokenizer and --lowercase of the commands that read a corpus without training (prepare, phrases): the
    Config fields' own flags, defaults and help."""
    from ..config import Config
    for name in ("tokenizer", "lowercase"):
        f = Config.__dataclass_fields__[name]
        _add_config_flag(p, f, default=f.default)


def _add_config_options(p) -> None:
    """One flag per Config field, with its type, choices, help and default taken from Config itself."""
    from dataclasses import fields
    from ..config import Config
    from ..datasets import STARTER_EPOCHS
    group = p.add_argument_group("training options (every field of w2v.Config; help(w2v.Config) says more)")
    for f in fields(Config):
        default = CLI_DEFAULTS.get(f.name, "none" if f.default is None else f.default)
        default = str(default).format(epochs=Config.epochs, starter=STARTER_EPOCHS)
        _add_config_flag(group, f, help_text=f"{f.metadata['help']} (default: {default})".replace("%", "%%"))


def config_args(args) -> dict:
    """The Config fields given on the command line: ``{field: value}``."""
    from dataclasses import fields
    from ..config import Config
    return {f.name: getattr(args, f.name) for f in fields(Config) if getattr(args, f.name, None) is not None}


def _add_train(sub, common):
    from ..files import MODEL_FILE, VECTORS_BINARY, VECTORS_TEXT
    p = sub.add_parser("train", parents=[common], help="train word vectors on a corpus",
                       description=f"Train CBOW or skip-gram vectors; writes OUT/{MODEL_FILE} and OUT/{VECTORS_TEXT}.")
    p.add_argument("corpus", nargs="?", help="text file (.gz/.bz2/.xz ok, one sentence per line or text8-style), "
                                             "a directory of such files, or a corpus made by w2v prepare; none: "
                                             "the shipped starter corpus")
    p.add_argument("--dataset", metavar="NAME", default=None,
                   help="train on a public corpus, downloaded once into the cache: text8")
    p.add_argument("-o", "--out", default=None, help=f"output directory (default: {DEFAULT_OUT})")
    _add_config_options(p)
    run = p.add_argument_group("the run")
    run.add_argument("--binary", action="store_true", help=f"also write OUT/{VECTORS_BINARY} (word2vec binary)")
    run.add_argument(OPTIONS["checkpoint_every"].flag, dest="checkpoint_every", default=None,
                     metavar=OPTIONS["checkpoint_every"].metavar, help=OPTIONS["checkpoint_every"].help)
    run.add_argument("--resume", metavar="DIR", default=None,
                     help="continue the run checkpointed in DIR with its own settings (only --workers may change)")
    run.add_argument("--report", action="store_true",
                     help="print analogies, neighbours and benchmark scores after training (always on for the "
                          "starter corpus)")
    run.add_argument("--dask", metavar="SPEC", default=None, help=DASK_HELP + "; docs/distributed.md")
    run.add_argument("--eval-each-epoch", action="store_true",
                     help="score questions-words, WordSim353 and SimLex-999 after every epoch and print the table")
    p.set_defaults(func=cmd_train)


def _add_prepare(sub, common):
    from ..text.corpus import ENCODING_ERRORS
    from ..text.prepare import CACHE_ENV, DEFAULT_CACHE, DEFAULT_MAX_SENTENCE_LENGTH
    p = sub.add_parser("prepare", parents=[common], help="read and encode a corpus once, for any number of trainings",
                       description="Tokenise a corpus once into ids with its vocabulary (an encoded corpus "
                                   "directory). w2v train and Word2Vec.fit accept the result; a corpus given as "
                                   f"text is prepared into the cache (${CACHE_ENV}, default {DEFAULT_CACHE}) "
                                   "automatically.")
    p.add_argument("corpus", help="text file (.gz/.bz2/.xz ok) or a directory of such files")
    p.add_argument("-o", "--output", default=None,
                   help=f"the directory to write, e.g. NAME.w2vcorpus (default: the cache, ${CACHE_ENV})")
    _add_reading_flags(p)
    p.add_argument("--encoding-errors", choices=ENCODING_ERRORS, default=ENCODING_ERRORS[0],
                   help="bytes that are not UTF-8: replace with U+FFFD, drop, or stop (default: replace)")
    p.add_argument("--max-sentence-length", type=int, default=DEFAULT_MAX_SENTENCE_LENGTH, metavar="N",
                   help=f"longer lines become several sentences of N words (default: {DEFAULT_MAX_SENTENCE_LENGTH})")
    p.add_argument("--max-vocab-size", type=int, default=None, metavar="N",
                   help="prune the rarest words whenever more than N are counted (default: no limit)")
    p.add_argument("--workers", type=int, default=None, help="threads (default: all CPU cores)")
    p.add_argument("--dask", metavar="SPEC", default=None, help="count and encode on Dask workers: " + DASK_HELP)
    p.set_defaults(func=cmd_prepare)


def _add_phrases(sub, common):
    from ..text.phrases import DEFAULT_MAX_VOCAB_SIZE, SCORERS, Phrases
    d = Phrases()  # the defaults, said once in Phrases.__init__
    p = sub.add_parser("phrases", parents=[common], help="learn phrases (new_york) and write the corpus with them joined",
                       description="Learn collocations as word2phrase.c and gensim's Phrases do and write the corpus "
                                   "with each phrase joined into one token, one sentence per line.")
    p.add_argument("corpus", help="text file (.gz/.bz2/.xz ok), a directory of them, or a corpus made by w2v prepare")
    p.add_argument("-o", "--output", required=True, help="the phrased text file to write")
    p.add_argument("--save", default=None, metavar="FILE",
                   help="also save the learned phrases (.npz, loadable with w2v.Phrases.load)")
    p.add_argument("--min-count", type=float, default=d.min_count,
                   help=f"ignore candidates seen fewer times (default: {d.min_count})")
    p.add_argument("--threshold", type=float, default=None,
                   help=f"join when the score is above this (default: {d.threshold} for default scoring, "
                        "0.5 for npmi)")
    p.add_argument("--scoring", choices=SCORERS, default=d.scoring,
                   help=f"Mikolov et al.'s score or normalised PMI (default: {d.scoring})")
    p.add_argument("--passes", type=int, default=d.passes,
                   help=f"rounds of joining; 2 gives trigrams and longer (default: {d.passes})")
    p.add_argument("--delimiter", default=d.delimiter, help=f"joins a phrase's words (default: {d.delimiter})")
    p.add_argument("--connector-words", choices=["none", "english"], default="none",
                   help="words that may sit inside a phrase (bank_of_america): none, or articles, prepositions "
                        "and conjunctions (default: none)")
    p.add_argument("--max-vocab-size", type=int, default=DEFAULT_MAX_VOCAB_SIZE, metavar="N",
                   help=f"prune the rarest candidates beyond N (default: {DEFAULT_MAX_VOCAB_SIZE:,})")
    _add_reading_flags(p)
    p.add_argument("--workers", type=int, default=None, help="threads (default: all CPU cores)")
    p.set_defaults(func=cmd_phrases)


NPMI_THRESHOLD = 0.5  # the CLI's npmi default: the default scoring's 10 is outside npmi's range [-1, 1]


def cmd_phrases(args) -> int:
    import time
    from ..text.phrases import ENGLISH_CONNECTOR_WORDS, Phrases
    threshold = args.threshold if args.threshold is not None else \
        NPMI_THRESHOLD if args.scoring == "npmi" else Phrases().threshold
    min_count = int(args.min_count) if float(args.min_count).is_integer() else args.min_count
    ph = Phrases(min_count=min_count, threshold=threshold, scoring=args.scoring, delimiter=args.delimiter,
                 connector_words=ENGLISH_CONNECTOR_WORDS if args.connector_words == "english" else (),
                 max_vocab_size=args.max_vocab_size, passes=args.passes, workers=args.workers)
    t0 = time.monotonic()
    ph.fit(args.corpus, tokenizer=args.tokenizer, lowercase=args.lowercase, progress=not args.quiet)
    t1 = time.monotonic()
    n = ph.write_text(args.corpus, args.output, tokenizer=args.tokenizer, lowercase=args.lowercase,
                      progress=not args.quiet)
    if args.save:
        ph.save(args.save)
    top = ", ".join(f"{p} ({s:.3g})" for p, s in list(ph.phrases_.items())[:8])
    print(f"{len(ph.phrases_):,} phrases learned in {t1 - t0:.1f}s; {n:,} tokens written to {args.output} in "
          f"{time.monotonic() - t1:.1f}s\nbest: {top}")
    return 0


def cmd_prepare(args) -> int:
    import time
    from ..text.prepare import prepare_corpus
    if args.workers is not None and args.workers < 1:
        raise W2VError(f"--workers must be >= 1, got {args.workers}")
    if args.max_vocab_size is not None and args.max_vocab_size < 1:
        raise W2VError(f"--max-vocab-size must be >= 1, got {args.max_vocab_size}")
    t0 = time.monotonic()
    with _dask(args) as client:
        corpus = prepare_corpus(args.corpus, args.output, tokenizer=args.tokenizer, lowercase=args.lowercase,
                                encoding_errors=args.encoding_errors, max_sentence_length=args.max_sentence_length,
                                max_vocab_size=args.max_vocab_size, workers=args.workers, progress=not args.quiet,
                                client=client, cache_optional=False)  # here the cache entry is the result
    secs = time.monotonic() - t0
    print(f"{corpus.path}: {corpus.n_words:,} words in {corpus.n_sentences:,} sentences, {len(corpus.words):,} "
          f"distinct ({secs:.1f}s, {corpus.n_words / max(secs, 1e-9) / 1e6:.1f}M words/s)")
    return 0


def _dask(args):
    """A context giving the Dask client of ``--dask`` (``w2v.train.distributed.connect``), or None without it."""
    import contextlib
    if args.dask is None:
        return contextlib.nullcontext(None)
    from ..train.distributed import connect
    return connect(args.dask)


def _resume(args, out: Path, every, client=None):
    """Load the checkpoint in ``--resume DIR`` and continue it; refuse options that would change the run."""
    import math
    from ..config import Config
    from ..files import CHECKPOINT_FILE, MODEL_FILE
    from ..word2vec import Word2Vec
    clashes = [flag for flag, given in (("-o", args.out), ("--dataset", args.dataset)) if given is not None]
    if clashes:
        raise W2VError(f"--resume continues {out} as it was started; drop {', '.join(clashes)}")
    ckpt = out / CHECKPOINT_FILE
    if not ckpt.is_file():
        if (out / MODEL_FILE).is_file():
            raise W2VError(f"--resume {out}: it holds a finished model ({MODEL_FILE}) and no {CHECKPOINT_FILE}; "
                           "there is nothing to resume")
        raise W2VError(f"--resume {out}: no {CHECKPOINT_FILE} there")
    model = Word2Vec.load(ckpt)
    given = config_args(args)
    changed = {k: v for k, v in given.items() if k not in RESUMABLE and getattr(model.config_, k) != v
               and not (isinstance(v, float) and math.isclose(v, getattr(model.config_, k) or math.nan))}
    if changed:
        flags = {f.name: config_flags(f)[0] for f in Config.__dataclass_fields__.values()}
        raise W2VError("--resume continues the run with the settings it started with; drop " + ", ".join(
            f"{flags[k]} (the run has {k}={getattr(model.config_, k)!r})" for k in changed))
    log.info("resuming %s at epoch %d, job %d", ckpt, model.state_.epoch + 1, model.state_.job)
    _start_kernels(model, args)
    model.resume(args.corpus, progress=not args.quiet, workers=given.get("workers"), checkpoint_path=ckpt,
                 checkpoint_every=every, callbacks=_callbacks(args), client=client)
    return model


def _train_new(args, out: Path, every, client=None):
    from .. import datasets
    from ..files import CHECKPOINT_FILE
    from ..word2vec import Word2Vec
    corpus, starter = _choose_corpus(args)
    if starter:
        args.report = True
        print(f"training on the shipped starter corpus {corpus} (2.7M words: King James Bible, State of the "
              f"Union and inaugural addresses, WordNet definitions)")
    params = {"workers": os.cpu_count() or 1, **({"epochs": datasets.STARTER_EPOCHS} if starter else {}),
              **config_args(args)}
    model = Word2Vec(**params)
    _start_kernels(model, args)
    ckpt = out / CHECKPOINT_FILE
    model.fit(corpus, progress=not args.quiet, checkpoint_path=ckpt if every else None, checkpoint_every=every,
              callbacks=_callbacks(args), client=client)
    return model


def _start_kernels(model, args) -> None:
    """A run that evaluates its vectors (--report, --eval-each-epoch) compiles that kernel with the training
    ones, while the corpus is read, on a fresh install."""
    cfg = model.get_config()
    if cfg.use_kernels and (args.report or args.eval_each_epoch):
        from ..train.warmup import start_kernels
        start_kernels(cfg, evaluation=True)


def _callbacks(args) -> list:
    if not args.eval_each_epoch:
        return []
    from ..train.callbacks import EvaluateEachEpoch
    return [EvaluateEachEpoch(print_table=True)]


def _make_dir(path: Path) -> list[Path]:
    """Create ``path`` and its missing parents; return the directories made (outermost first)."""
    made = [p for p in [path, *path.parents] if not p.exists()][::-1]
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise W2VError(f"cannot create the output directory {path}: {e.strerror or e}") from None
    return made


def cmd_train(args) -> int:
    from ..config import Config
    from ..files import LOCK_FILE, directory_lock

    every = None
    if args.checkpoint_every is not None:
        every, has_unit = seconds(args.checkpoint_every)
        if not has_unit:  # the number meant minutes until this release: say so once, for a release
            print(f"w2v: --checkpoint-every is in seconds now (it was minutes): {args.checkpoint_every} means "
                  f"{every:g} s; write {args.checkpoint_every}s, or {args.checkpoint_every}m for minutes",
                  file=sys.stderr)
    if not args.resume:
        Config(**config_args(args)).validate()  # a bad option fails before any directory is made
    out = Path(args.resume) if args.resume else Path(args.out or DEFAULT_OUT)
    if args.resume and not out.is_dir():
        raise W2VError(f"--resume {out}: no such directory")
    made = _make_dir(out)
    try:
        with directory_lock(out), _dask(args) as client:  # one writer per run directory
            model = _resume(args, out, every, client) if args.resume else _train_new(args, out, every, client)
            _save_run(model, out, args)
    except BaseException:
        if made:  # a failed run leaves no directory of its own behind
            (out / LOCK_FILE).unlink(missing_ok=True)
            for d in reversed(made):
                if d.is_dir() and not any(d.iterdir()):
                    d.rmdir()
        raise
    if args.report:
        from ..report import training_report
        print(training_report(model.wv, out))
    return 0


def _save_run(model, out: Path, args) -> None:
    """Write the finished run: the model, its vectors, the summary line; the checkpoint goes."""
    from ..files import CHECKPOINT_FILE, MODEL_FILE, VECTORS_BINARY, VECTORS_TEXT, discard
    from ..files.word2vec_format import save_word2vec_format
    model.save(out / MODEL_FILE)
    save_word2vec_format(out / VECTORS_TEXT, model.vocab_.index_to_key, model.W_in_, whitespace="replace")
    if args.binary:
        save_word2vec_format(out / VECTORS_BINARY, model.vocab_.index_to_key, model.W_in_, binary=True,
                             whitespace="replace")
    discard(out / CHECKPOINT_FILE)  # the finished model supersedes it
    st = model.state_
    final = f"final loss {model.loss_history_[-1]:.4f}" if model.config_.compute_loss else "loss not computed"
    print(f"trained {model.config_.arch}/{model.config_.loss} on {len(model.vocab_)} words, {model.config_.epochs} "
          f"epochs in {st.train_seconds:.1f}s ({st.words_done / max(st.train_seconds, 1e-9):,.0f} words/s); {final}")
    print(f"model:   {out / MODEL_FILE}\nvectors: {out / VECTORS_TEXT}")


def _choose_corpus(args):
    """(corpus path, whether it is the shipped starter corpus) from the positional corpus or --dataset."""
    from .. import datasets
    if args.corpus is not None and args.dataset is not None:
        raise W2VError("give either a corpus file or --dataset, not both")
    if args.dataset is not None:
        return str(datasets.fetch(args.dataset, progress=not args.quiet)), False
    if args.corpus is not None:
        return args.corpus, False
    if not datasets.STARTER.is_file():
        raise W2VError(f"the starter corpus {datasets.STARTER} is missing (was w2v installed from a checkout?); "
                       f"give a corpus file to train on")
    return str(datasets.STARTER), True
