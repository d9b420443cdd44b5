"""Compressed input: a plain, .gz, .bz2 or .xz file opened for reading bytes, decompressed by its suffix.

Example
-------
>>> from w2v.files import is_compressed
>>> is_compressed("corpus.txt.xz")
True
"""
from __future__ import annotations

import bz2
import gzip
import lzma
from pathlib import Path

from ..errors import FormatError

_COMPRESSED = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}


def is_compressed(path) -> bool:
    """True for the suffixes :func:`open_binary` decompresses (.gz, .bz2, .xz)."""
    return Path(path).suffix.lower() in _COMPRESSED


def open_binary(path, error=FormatError, what: str = "file"):
    """Open a plain, .gz, .bz2 or .xz file for reading bytes (decompressed by its suffix).

    A missing file, a directory or an unreadable file raises ``error`` naming ``what`` and the path.

    Example
    -------
    >>> with open_binary("corpus.txt.xz") as f:  # doctest: +SKIP
    ...     head = f.read(100)
    """
    path = Path(path)
    opener = _COMPRESSED.get(path.suffix.lower(), open)
    try:
        return opener(path, "rb")
    except FileNotFoundError:
        raise error(f"{what} not found: {path}") from None
    except IsADirectoryError:
        raise error(f"{path} is a directory, not a {what}") from None
    except OSError as e:
        raise error(f"cannot open {what} {path}: {e.strerror or e}") from None
