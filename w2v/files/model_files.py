"""Which file to load: a run directory's file names, native files told from word2vec files, pickles refused.

Example
-------
>>> from w2v.files import find_model_file
>>> find_model_file("runs/w2v")  # doctest: +SKIP
PosixPath('runs/w2v/model.npz')
"""
from __future__ import annotations

import re
import zipfile
from pathlib import Path

from ..errors import FormatError

# the files of a run directory (`w2v train -o OUT`)
MODEL_FILE = "model.npz"            # the finished model
CHECKPOINT_FILE = "checkpoint.npz"  # a resumable snapshot of an unfinished run
VECTORS_TEXT = "vectors.txt"        # word2vec text format
VECTORS_BINARY = "vectors.bin"      # word2vec binary format


def is_native_model(path) -> bool:
    """True when ``path`` is a native model file (a zip archive: ``.npz``) rather than a word2vec file."""
    return Path(path).is_file() and zipfile.is_zipfile(path)


def native_format(path) -> str | None:
    """The ``format`` a native file declares (the metadata's first key, as w2v writes it), read cheaply to choose
    a loader; that loader then checks the whole file."""
    try:
        with zipfile.ZipFile(path) as z, z.open("meta.npy") as f:
            head = f.read(512)
    except (KeyError, OSError, zipfile.BadZipFile, EOFError):
        return None
    found = re.search(rb'\{"format": "([a-z0-9-]{1,40})"', head)
    return found.group(1).decode() if found else None


def find_model_file(path, native_only: bool = False) -> Path:
    """The file to load for ``path``: the path itself, or for a run directory its model, checkpoint or vectors.

    A directory is searched for :data:`MODEL_FILE`, then :data:`CHECKPOINT_FILE`, then (unless
    ``native_only``) :data:`VECTORS_BINARY` and :data:`VECTORS_TEXT`.

    Example
    -------
    >>> find_model_file("runs/w2v")  # doctest: +SKIP
    PosixPath('runs/w2v/model.npz')
    """
    p = Path(path)
    if p.is_dir():
        names = (MODEL_FILE, CHECKPOINT_FILE) + (() if native_only else (VECTORS_BINARY, VECTORS_TEXT))
        for name in names:
            if (p / name).is_file():
                return p / name
        raise FormatError(f"{p} is a directory without {', '.join(names[:-1])} or {names[-1]}")
    if not p.is_file():
        raise FormatError(f"file not found: {p}")
    _refuse_pickle(p)
    return p


def _refuse_pickle(path: Path) -> None:
    """A gensim ``model.save()`` file is a pickle: say so, and how to export its vectors, instead of failing to
    parse it (w2v never unpickles: a pickle can run any code)."""
    try:
        with open(path, "rb") as f:
            head = f.read(2)
    except OSError as e:
        raise FormatError(f"cannot open {path}: {e.strerror or e}") from None
    if head[:1] == b"\x80" and head[1:2] in (b"\x02", b"\x03", b"\x04", b"\x05"):
        raise FormatError(f"{path} is a Python pickle, as gensim's model.save() writes; w2v never loads pickles (they "
                          "can run any code). In gensim, export the vectors with model.wv.save_word2vec_format("
                          "'vectors.bin', binary=True) and load that file")
