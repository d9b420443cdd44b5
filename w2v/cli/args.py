"""Building blocks of the ``w2v`` command line that every command uses: the parser that says a mistake in one
line, counts, the shared options of ``w2v.options`` (one flag, name, unit and check with Python) and their
old spellings.

Example
-------
>>> count("5")
5
"""
from __future__ import annotations

import argparse
import sys

from ..errors import W2VError, check_count
from ..files import MODEL_FILE
from ..options import OPTIONS, RENAMED_FLAGS

MODEL_HELP = f"native model ({MODEL_FILE} or its directory) or a word2vec text/binary vectors file"


class Parser(argparse.ArgumentParser):
    """argparse, with a mistake on the command line said in one line like every other refusal (argparse's usage
    block wraps over several), pointing at the command's help."""

    def error(self, message):
        self.exit(2, f"w2v: error: {message} (see: {self.prog} --help)\n")


def count(text: str) -> int:
    """argparse type of the counts a command takes: an integer >= 1 (argparse names the option)."""
    try:
        return check_count("the value", int(text))
    except (ValueError, W2VError):
        raise argparse.ArgumentTypeError(f"must be an integer >= 1, got {text!r}") from None


def option(p, name: str, default=None, help: str | None = None, shown=None) -> argparse.Action:
    """Add the shared option ``name`` (``w2v.options.OPTIONS``: one flag, name, unit and check with Python)."""
    o = OPTIONS[name]
    shown = shown if shown is not None else ("all" if default is None and o.count else default)
    return p.add_argument(o.flag, dest=o.name, default=default, metavar=o.metavar, choices=o.choices,
                          type=count if o.count else None, help=f"{help or o.help} (default: {shown})")


class Renamed(argparse.Action):
    """An old spelling of a flag: works for a release, with one line saying the new one."""

    def __init__(self, option_strings, dest, new_flag: str = "", **kwargs):
        self.new_flag = new_flag
        super().__init__(option_strings, dest, **kwargs)

    def __call__(self, parser, namespace, values, option_string=None):
        print(f"w2v: {option_string} is now {self.new_flag} (the old spelling goes in the next release)",
              file=sys.stderr)
        setattr(namespace, self.dest, values)


def renamed_flags(p, command: str, new: dict, group=None) -> None:
    """Accept the old flags of ``command`` (``w2v.options.RENAMED_FLAGS``) as the options in ``new`` they became
    (in the new one's mutually exclusive ``group``, where it has one)."""
    for old, name in RENAMED_FLAGS[command].items():
        a = new[name]
        (group if group is not None and a in group._group_actions else p).add_argument(old, dest=a.dest, action=Renamed, new_flag=a.option_strings[-1], nargs=a.nargs, type=a.type,
                       choices=a.choices, metavar=a.metavar, help=argparse.SUPPRESS)


def load(path):
    from ..loading import load_vectors
    return load_vectors(path)
