"""The ``w2v`` command line: train, prepare, phrases (``w2v.cli.training``); neighbors, analogy, evaluate,
export, convert, download (``w2v.cli.queries``); plot, plot-loss, explore (``w2v.cli.pictures``).

Every user mistake (a missing file, an unknown word, a bad option value) prints one line
``w2v: error: ...`` and exits with status 2; no traceback.

Example
-------
$ w2v train corpus.txt -o runs/demo --arch skipgram --loss negative --dim 100
$ w2v analogy runs/demo "king - man + woman"
"""
from __future__ import annotations

import argparse
import logging
import sys

from .._version import __version__
from ..errors import W2VError
from . import pictures, queries, training
from .args import Parser
from .queries import parse_analogy
from .training import CLI_DEFAULTS, config_args, config_flags

__all__ = ["build_parser", "main", "parse_analogy", "CLI_DEFAULTS", "config_args", "config_flags"]


def build_parser() -> argparse.ArgumentParser:
    """The ``w2v`` parser with every command."""
    parser = Parser(prog="w2v", description="Train and query word2vec embeddings.")
    parser.add_argument("--version", action="version", version=f"w2v {__version__}")
    # -v / -q work before or after the command; SUPPRESS keeps a subcommand's absent flag from undoing the top's
    common = argparse.ArgumentParser(add_help=False)
    for target, default in ((parser, False), (common, argparse.SUPPRESS)):
        target.add_argument("-v", "--verbose", action="store_true", default=default,
                            help="log details (INFO level) (default: off)")
        target.add_argument("-q", "--quiet", action="store_true", default=default,
                            help="no progress bars, warnings only (default: off)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for commands in (training, queries, pictures):
        commands.add_parsers(sub, common)
    return parser


def main(argv=None) -> int:
    """Run ``w2v ARGV``; returns the exit status (0, 2 for a refusal, 130 when interrupted)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(asctime)s %(name)s %(levelname)s: %(message)s")
    try:
        return args.func(args)
    except W2VError as e:
        print(f"w2v: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("w2v: interrupted", file=sys.stderr)
        return 130
