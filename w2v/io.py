"""Files: the word2vec text and binary formats, the native model format, and atomic saves.

word2vec formats (word2vec.c, gensim, fastText ``.vec``): a header line ``"<words> <dims>"``, then one
record per word. Text records are ``word v1 ... vd``; binary records are ``word<space>`` followed by d
little-endian float32 values (and, from word2vec.c, a newline, which readers skip). Both may be gzip, bz2 or
xz compressed on read.

Policies:

* Words containing whitespace cannot be stored in these formats (the space ends the word). Saving refuses
  them with a :class:`FormatError` naming the word, unless ``whitespace="replace"`` is given, which writes
  runs of whitespace as ``_`` (and refuses if that collides with another word). A file is never written
  that cannot be read back.
* Reading checks the header against the data actually present: a header claiming more words or dimensions
  than the file can hold is refused before anything large is allocated; short, truncated or malformed
  records, non-numeric values, NaN or infinity, and vectors of the wrong width are each a
  :class:`FormatError` naming the file and the line or record.
* Every save is atomic: written to a temporary file in the same directory, flushed, fsynced, then renamed
  over the target. A crash mid-save leaves the previous file intact.

The native model format is one uncompressed ``.npz`` (loaded with ``allow_pickle=False``) holding the weight
matrices, the vocabulary counts, the optimizer state and a ``meta`` entry of UTF-8 JSON: format name and
version, the vocabulary words, the full config, loss history and training state. Because the archive is
stored uncompressed, large arrays can be memory-mapped straight from it (``mmap=True``). No pickle anywhere.

Example
-------
>>> from w2v.io import load_word2vec_format
>>> words, vectors = load_word2vec_format("vectors.bin")  # doctest: +SKIP
"""
from __future__ import annotations

import bz2
import contextlib
import gzip
import json
import logging
import lzma
import os
import re
import tempfile
import zipfile
from pathlib import Path

import numpy as np

from .errors import FormatError

logger = logging.getLogger(__name__)

MODEL_FORMAT = "w2v-model"
MODEL_VERSION = 1
# the files of a run directory (`w2v train -o OUT`)
MODEL_FILE = "model.npz"            # the finished model
CHECKPOINT_FILE = "checkpoint.npz"  # a resumable snapshot of an unfinished run
VECTORS_TEXT = "vectors.txt"        # word2vec text format
VECTORS_BINARY = "vectors.bin"      # word2vec binary format
_WS = re.compile(r"\s")
_COMPRESSED = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}


# ---------------------------------------------------------------------------------------------- atomic saves
@contextlib.contextmanager
def atomic_write(path, mode: str = "wb"):
    """Open a temporary file beside ``path``; on success fsync and rename it over ``path``.

    Example
    -------
    >>> with atomic_write("out.txt", "w") as f:  # doctest: +SKIP
    ...     f.write("all or nothing")
    """
    path = Path(path)
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise FormatError(f"cannot write {path}: the directory {parent} does not exist")
    fd, tmp = tempfile.mkstemp(dir=parent, prefix=f".{path.name}.", suffix=".tmp")
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; a saved file gets the usual permissions
    try:
        with os.fdopen(fd, mode, **({} if "b" in mode else {"encoding": "utf-8", "newline": "\n"})) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    with contextlib.suppress(OSError):  # make the rename itself durable
        dfd = os.open(parent, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)


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


def is_native_model(path) -> bool:
    """True when ``path`` is a native model file (a zip archive: ``.npz``) rather than a word2vec file."""
    return Path(path).is_file() and zipfile.is_zipfile(path)


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
    return p


# ---------------------------------------------------------------------------------------------- word2vec formats
def _check_words(keys, whitespace: str) -> list[str]:
    keys = [str(k) for k in keys]
    bad = [k for k in keys if _WS.search(k) or k == ""]
    if not bad:
        return keys
    if whitespace != "replace":
        raise FormatError(f"cannot save {len(bad)} word(s) containing whitespace or empty, e.g. {bad[0]!r}: the "
                          "word2vec format ends a word at a space; pass whitespace='replace' to write them with '_'")
    fixed = [re.sub(r"\s+", "_", k) if (_WS.search(k) or k == "") else k for k in keys]
    fixed = [k if k else "_" for k in fixed]
    if len(set(fixed)) != len(fixed):
        seen, dup = set(), None
        for k in fixed:
            if k in seen:
                dup = k
                break
            seen.add(k)
        raise FormatError(f"replacing whitespace by '_' makes two words equal ({dup!r}); rename them first")
    return fixed


def save_word2vec_format(path, keys, vectors, binary: bool = False, whitespace: str = "error",
                         precision: int = 6) -> None:
    """Write vectors in the word2vec text or binary format, atomically.

    Parameters
    ----------
    path : str or Path
    keys : sequence of str
    vectors : (V, d) array; written as float32 (binary) or with ``precision`` significant digits (text).
    binary : bool
    whitespace : "error" or "replace"
        What to do with words containing whitespace (see module docstring).
    """
    vectors = np.asarray(vectors)
    keys = _check_words(keys, whitespace)
    if vectors.ndim != 2 or len(keys) != len(vectors):
        raise FormatError(f"{len(keys)} words but vectors of shape {vectors.shape}")
    if not np.isfinite(vectors).all():
        raise FormatError("refusing to save vectors that contain NaN or infinity")
    V, d = vectors.shape
    with atomic_write(path, "wb") as f:
        f.write(f"{V} {d}\n".encode("ascii"))
        if binary:
            v32 = vectors.astype("<f4", copy=False)
            for k, row in zip(keys, v32):
                f.write(k.encode("utf-8") + b" " + row.tobytes() + b"\n")
        else:
            fmt = f"%.{precision}g"
            chunk = 10000
            for s in range(0, V, chunk):
                lines = []
                for k, row in zip(keys[s:s + chunk], vectors[s:s + chunk]):
                    lines.append(k + " " + " ".join(fmt % x for x in row))
                f.write(("\n".join(lines) + "\n").encode("utf-8"))


def _parse_header(line: bytes, path) -> tuple[int, int]:
    try:
        parts = line.decode("ascii").split()
        if len(parts) != 2:
            raise ValueError
        V, d = int(parts[0]), int(parts[1])
    except (UnicodeDecodeError, ValueError):
        raise FormatError(f"{path}: the first line must be '<number of words> <dimensions>', got "
                          f"{line[:80]!r}; is this a word2vec vectors file?") from None
    if V < 0 or d < 1:
        raise FormatError(f"{path}: header claims {V} words of {d} dimensions")
    return V, d


def _detect_binary(head: bytes, d: int) -> bool:
    """True unless the first record after the header is a line of d numbers."""
    nl = head.find(b"\n")
    body = head[nl + 1:]
    end = body.find(b"\n")
    line = body if end < 0 else body[:end]
    parts = line.decode("latin-1").split()  # the word's encoding does not matter here, only the numbers
    if len(parts) < d + 1:
        return True
    try:
        [float(x) for x in parts[-d:]]
        return False
    except ValueError:
        return True


def load_word2vec_format(path, binary: bool | None = None, limit: int | None = None,
                         unicode_errors: str = "strict", dtype=np.float32) -> tuple[list[str], np.ndarray]:
    """Read a word2vec text or binary file: returns ``(words, vectors (V, d))``.

    :meth:`w2v.KeyedVectors.load_word2vec_format` and :func:`w2v.load_vectors` wrap the result for queries.

    Parameters
    ----------
    path : str or Path
        Possibly ``.gz``/``.bz2``/``.xz`` compressed.
    binary : bool or None
        None detects the format from the first record.
    limit : int, optional
        Read only the first ``limit`` words (the rest of the file is not read).
    unicode_errors : str
        How to decode words that are not valid UTF-8: ``"strict"`` (a FormatError naming the record),
        ``"replace"`` or ``"ignore"``.
    dtype : float32 or float16
        In-memory storage of the vectors.

    Raises
    ------
    FormatError
        For every kind of malformed, truncated or inconsistent file.
    """
    path = Path(path)
    if limit is not None and limit < 0:
        raise FormatError(f"limit must be >= 0, got {limit}")
    raw_size = path.stat().st_size if path.exists() and not is_compressed(path) else None
    with open_binary(path, FormatError, "vectors file") as f:
        try:
            header = f.readline(256)
            if not header:
                raise FormatError(f"{path}: the file is empty")
            V, d = _parse_header(header, path)
            if raw_size is not None:
                room = raw_size - len(header)
                min_record = 2 * d + 1  # text "x 0 0 ..." is the shortest record; binary needs 4d + 2
                if d > room:
                    raise FormatError(f"{path}: header claims {d} dimensions but the file holds only {room} bytes of data")
                if V > room // min_record + 1:
                    raise FormatError(f"{path}: header claims {V} words but the file is too small to hold them "
                                      f"({raw_size} bytes); it is truncated or the header is wrong")
            want = V if limit is None else min(V, limit)
            head = f.read(16 * d + 4096)  # enough for a first text record of d numbers
            if binary is None:
                binary = _detect_binary(header + head, d)
            reader = _read_binary if binary else _read_text
            keys, vecs = reader(_Prefixed(head, f), path, V, d, want, unicode_errors, dtype)
        except (OSError, EOFError, lzma.LZMAError, zipfile.BadZipFile) as e:
            raise FormatError(f"{path}: cannot read the file ({e}); is it truncated or corrupt?") from None
    return keys, vecs


class _Prefixed:
    """A binary stream with some already-read bytes put back in front (for format detection)."""

    def __init__(self, head: bytes, f):
        self.head, self.f = head, f

    def read(self, n: int) -> bytes:
        if self.head:
            out, self.head = self.head[:n], self.head[n:]
            return out if len(out) == n else out + self.f.read(n - len(out))
        return self.f.read(n)

    def readline(self) -> bytes:
        if self.head:
            nl = self.head.find(b"\n")
            if nl >= 0:
                out, self.head = self.head[:nl + 1], self.head[nl + 1:]
                return out
            out, self.head = self.head, b""
            return out + self.f.readline()
        return self.f.readline()


def _decode(word: bytes, path, where: str, errors: str) -> str:
    try:
        return word.decode("utf-8", errors=errors)
    except UnicodeDecodeError:
        raise FormatError(f"{path}: {where}: the word {word[:40]!r} is not valid UTF-8; pass "
                          "unicode_errors='replace' (CLI: --unicode-errors replace) to load it anyway") from None


def _finish(keys, vecs, path, n, want, V):
    if n < want:
        raise FormatError(f"{path}: header says {V} words but the file ends after {n}: it is truncated")
    seen = {}
    for i, k in enumerate(keys):
        if k in seen:
            raise FormatError(f"{path}: the word {k!r} appears twice (records {seen[k] + 1} and {i + 1})")
        seen[k] = i
    return keys, vecs


def _read_text(f, path, V, d, want, errors, dtype):
    keys: list[str] = []
    vecs = np.empty((want, d), dtype=dtype)
    n = 0
    lineno = 1
    while n < want:
        line = f.readline()
        lineno += 1
        if not line:
            break
        if not line.strip():
            continue
        parts = line.rstrip(b"\r\n").split(b" ")
        parts = [p for p in parts if p != b""] if len(parts) != d + 1 else parts
        if len(parts) != d + 1:
            raise FormatError(f"{path}: line {lineno}: expected a word and {d} values, got {len(parts)} fields")
        word = _decode(parts[0], path, f"line {lineno}", errors)
        try:
            row = np.array([float(x) for x in parts[1:]], dtype=np.float64)
        except ValueError:
            raise FormatError(f"{path}: line {lineno}: the values of {word!r} are not all numbers") from None
        if not np.isfinite(row).all():
            raise FormatError(f"{path}: line {lineno}: the vector of {word!r} contains NaN or infinity")
        keys.append(word)
        vecs[n] = row
        n += 1
    if n == want and want == V and f.readline().strip():
        raise FormatError(f"{path}: the file holds more than the {V} words its header announces")
    return _finish(keys, vecs, path, n, want, V)


def _read_binary(f, path, V, d, want, errors, dtype):
    keys: list[str] = []
    vecs = np.empty((want, d), dtype=dtype)
    nbytes = 4 * d
    buf = b""
    pos = 0
    n = 0
    eof = False
    while n < want:
        # ensure the buffer holds a whole record: up to the space, then 4d bytes
        while True:
            while pos < len(buf) and buf[pos:pos + 1] in (b"\n", b"\r"):
                pos += 1  # word2vec.c ends each record with a newline
            sp = buf.find(b" ", pos)
            if sp >= 0 and len(buf) - (sp + 1) >= nbytes:
                break
            if sp < 0 and len(buf) - pos > 100000:
                raise FormatError(f"{path}: record {n + 1}: no word found in 100000 bytes; the file is corrupt "
                                  "or not in the binary word2vec format")
            if eof:
                if pos >= len(buf):
                    return _finish(keys, vecs, path, n, want, V)
                raise FormatError(f"{path}: record {n + 1}: the file ends in the middle of a record: it is truncated")
            more = f.read(1 << 20)
            if not more:
                eof = True
            buf = buf[pos:] + more
            pos = 0
        word = _decode(buf[pos:sp], path, f"record {n + 1}", errors)
        if not word:
            raise FormatError(f"{path}: record {n + 1}: empty word; the file is corrupt")
        row = np.frombuffer(buf, dtype="<f4", count=d, offset=sp + 1)
        if not np.isfinite(row).all():
            raise FormatError(f"{path}: record {n + 1}: the vector of {word!r} contains NaN or infinity")
        keys.append(word)
        vecs[n] = row
        n += 1
        pos = sp + 1 + nbytes
    return _finish(keys, vecs, path, n, want, V)


# ---------------------------------------------------------------------------------------------- native format
def save_npz(path, arrays: dict, meta: dict) -> None:
    """Write arrays plus JSON metadata to one uncompressed ``.npz``, atomically."""
    payload = {k: np.asarray(v, order="C") for k, v in arrays.items()}  # keeps 0-d arrays 0-d (Adam's step count)
    for k, v in payload.items():
        if v.dtype == object:
            raise FormatError(f"array {k!r} has dtype object, which cannot be saved without pickle")
    payload["meta"] = np.frombuffer(json.dumps(meta, ensure_ascii=False).encode("utf-8"), dtype=np.uint8)
    with atomic_write(path, "wb") as f:
        np.savez(f, **payload)


def _mmap_member(path: Path, zf: zipfile.ZipFile, name: str):
    """Memory-map an uncompressed ``.npy`` member of a zip archive in place."""
    info = zf.getinfo(name)
    if info.compress_type != zipfile.ZIP_STORED:
        return None
    with open(path, "rb") as fh:
        fh.seek(info.header_offset)
        local = fh.read(30)
        start = info.header_offset + 30 + int.from_bytes(local[26:28], "little") + int.from_bytes(local[28:30], "little")
        fh.seek(start)
        version = np.lib.format.read_magic(fh)
        if version == (1, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(fh)
        else:
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(fh)
        if dtype.hasobject:
            raise FormatError(f"{path}: array {name} holds Python objects; refusing to load it")
        offset = fh.tell()
    if int(np.prod(shape)) == 0:
        return np.zeros(shape, dtype)
    return np.memmap(path, dtype=dtype, mode="r", offset=offset, shape=shape, order="F" if fortran else "C")


def load_npz(path, mmap: bool = False) -> tuple[dict, dict]:
    """Read a native ``.npz``: returns ``(arrays, meta)``. Never unpickles anything."""
    path = Path(path)
    if not path.is_file():
        raise FormatError(f"model file not found: {path}")
    try:
        with np.load(path, allow_pickle=False) as z:
            if "meta" not in z.files:
                raise FormatError(f"{path}: not a w2v model file (no 'meta' entry)")
            try:
                meta = json.loads(bytes(z["meta"]).decode("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError) as e:
                raise FormatError(f"{path}: the model's metadata is not valid JSON ({e})") from None
            if not isinstance(meta, dict) or meta.get("format") != MODEL_FORMAT:
                raise FormatError(f"{path}: not a w2v model file (format {meta.get('format') if isinstance(meta, dict) else None!r})")
            if meta.get("version", 0) > MODEL_VERSION:
                raise FormatError(f"{path}: model format version {meta.get('version')} is newer than this w2v "
                                  f"understands ({MODEL_VERSION}); upgrade w2v")
            names = [n for n in z.files if n != "meta"]
            arrays = {}
            if mmap:
                with zipfile.ZipFile(path) as zf:
                    for n in names:
                        arrays[n] = _mmap_member(path, zf, n + ".npy")
            for n in names:
                if arrays.get(n) is None:
                    arrays[n] = z[n]
    except FormatError:
        raise
    except (ValueError, OSError, EOFError, zipfile.BadZipFile, KeyError) as e:
        raise FormatError(f"{path}: cannot read the model file ({e}); is it truncated or corrupt?") from None
    return arrays, meta
