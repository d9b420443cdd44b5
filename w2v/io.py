"""Files: atomic saves and the run lock, compressed input, the native model format, and the projector export.

(The word2vec and GloVe vectors files are ``w2v.word2vec_format``.)

Every save is atomic: written to a temporary file in the same directory, flushed, fsynced, then renamed over
the target. A crash mid-save leaves the previous file intact.

The native model format is one uncompressed ``.npz`` (loaded with ``allow_pickle=False``) holding the weight
matrices, the vocabulary counts, the optimizer state and a ``meta`` entry of UTF-8 JSON: format name and
version, the vocabulary words, the full config, loss history and training state. Because the archive is
stored uncompressed, large arrays can be memory-mapped straight from it (``mmap=True``). No pickle anywhere.

Example
-------
>>> from w2v.io import load_npz
>>> arrays, meta = load_npz("runs/w2v/model.npz", mmap=True)  # doctest: +SKIP
"""
from __future__ import annotations

import bz2
import contextlib
import glob
import gzip
import json
import logging
import lzma
import os
import io as io_module
import re
import struct
import tempfile
import zipfile
import zlib
from pathlib import Path

import numpy as np

from .errors import FormatError, SaveError, W2VError

logger = logging.getLogger(__name__)

MODEL_FORMAT = "w2v-model"
MODEL_VERSION = 1
VECTORS_FORMAT = "w2v-vectors"  # KeyedVectors.save: words and vectors alone, in the same npz + JSON layout
VECTORS_VERSION = 2  # 2: the words are a member of their own (UTF-8, one per line) instead of a JSON list
_NEWEST = {MODEL_FORMAT: MODEL_VERSION, VECTORS_FORMAT: VECTORS_VERSION}
# the files of a run directory (`w2v train -o OUT`)
MODEL_FILE = "model.npz"            # the finished model
CHECKPOINT_FILE = "checkpoint.npz"  # a resumable snapshot of an unfinished run
VECTORS_TEXT = "vectors.txt"        # word2vec text format
VECTORS_BINARY = "vectors.bin"      # word2vec binary format
LOCK_FILE = ".w2v.lock"             # held while a process writes the directory (directory_lock)
_COMPRESSED = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}


# ---------------------------------------------------------------------------------------------- atomic saves
@contextlib.contextmanager
def atomic_write(path, mode: str = "wb"):
    """Open a temporary file beside ``path``; on success fsync and rename it over ``path``.

    A failure (disk full, file too large, a crash) leaves the previous file intact and removes the temporary
    file; an OS error becomes a one-line :class:`SaveError` naming the path. Temporary files that a killed
    process left behind are removed by the next save into the same directory.

    Example
    -------
    >>> with atomic_write("out.txt", "w") as f:  # doctest: +SKIP
    ...     f.write("all or nothing")
    """
    path = Path(path)
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise FormatError(f"cannot write {path}: the directory {parent} does not exist")
    _remove_stale_temporaries(parent, path.name)
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(dir=parent, prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp")
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; a saved file gets the usual permissions
        with os.fdopen(fd, mode, **({} if "b" in mode else {"encoding": "utf-8", "newline": "\n"})) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException as e:
        if tmp is not None:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
        if isinstance(e, OSError) and not isinstance(e, W2VError):
            raise SaveError(f"cannot write {path}: {e.strerror or e}; the previous file, if any, is intact") from None
        raise
    with contextlib.suppress(OSError):  # make the rename itself durable
        dfd = os.open(parent, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)


def discard(path) -> None:
    """Delete ``path`` if it is there, and the temporary files that killed saves of it left behind (a file no
    longer saved is never saved again, so no later save would clean them)."""
    path = Path(path)
    path.unlink(missing_ok=True)
    _remove_stale_temporaries(path.parent, path.name)


def _remove_stale_temporaries(directory: Path, name: str) -> None:
    """Delete ``.NAME.PID.*.tmp`` files of earlier saves whose process no longer runs."""
    for tmp in stale_temporaries(directory / name):
        with contextlib.suppress(OSError):
            tmp.unlink()


def stale_temporaries(path) -> list[Path]:
    """The temporaries ``.NAME.PID.*.tmp`` beside ``path`` that killed writers of it left (their process is gone).
    The one place that knows the naming: atomic saves (files) and encoded corpora (directories) both use it."""
    path = Path(path)
    out = []
    for tmp in path.parent.glob(f".{glob.escape(path.name)}.*.tmp"):  # escaped: a name may hold [ or *
        pid = tmp.name[len(path.name) + 2:].split(".", 1)[0]
        if pid.isdigit() and not process_alive(int(pid)):
            out.append(tmp)
    return out


def process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # it exists but belongs to someone else
    return True


@contextlib.contextmanager
def directory_lock(directory):
    """Hold ``DIRECTORY/.w2v.lock`` (an advisory lock holding the owner's pid) while writing a run directory;
    a second writer gets a one-line error naming the owner. The lock goes with its process, even on kill -9.

    Example
    -------
    >>> with directory_lock("runs/w2v"):  # doctest: +SKIP
    ...     train_and_save()
    """
    import fcntl
    lock = Path(directory) / LOCK_FILE
    try:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o644)
    except OSError as e:
        raise SaveError(f"cannot create the lock file {lock}: {e.strerror or e}") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            owner = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "unknown"
            raise W2VError(f"{directory} is being written by another w2v process (pid {owner}); wait for it to "
                           "finish or choose another output directory") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)  # releases the lock; the file stays, so that a waiting writer never races its removal


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


# ---------------------------------------------------------------------------------------------- projector
def save_projector(directory, keys, vectors, limit: int | None = None) -> int:
    """Write the files TensorBoard's Embedding Projector and projector.tensorflow.org load: ``vectors.tsv`` (one
    row of tab-separated values per word), ``metadata.tsv`` (the words, one per line), ``projector_config.pbtxt``
    (TensorBoard) and ``projector_config.json`` (the standalone projector), for the first ``limit`` words (default:
    all). Returns the number of words."""
    directory = Path(directory)
    keys = [str(k) for k in keys[:limit]]
    bad = next((k for k in keys if "\t" in k or "\n" in k or "\r" in k), None)
    if bad is not None:
        raise FormatError(f"the word {bad!r} holds a tab or a line break, which the projector's TSV cannot hold")
    vectors = np.asarray(vectors)[:limit]
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise SaveError(f"cannot create {directory}: {e.strerror or e}") from None
    with atomic_write(directory / "vectors.tsv", "w") as f:
        for s in range(0, len(vectors), 10000):
            f.write("".join("\t".join(f"{x:.6g}" for x in row) + "\n" for row in vectors[s:s + 10000]))
    with atomic_write(directory / "metadata.tsv", "w") as f:
        f.write("".join(k + "\n" for k in keys))  # one column: no header line, as the projector expects
    with atomic_write(directory / "projector_config.pbtxt", "w") as f:
        f.write('embeddings {\n  tensor_path: "vectors.tsv"\n  metadata_path: "metadata.tsv"\n}\n')
    with atomic_write(directory / "projector_config.json", "w") as f:
        json.dump({"embeddings": [{"tensorName": "w2v", "tensorShape": list(vectors.shape),
                                   "tensorPath": "vectors.tsv", "metadataPath": "metadata.tsv"}]}, f, indent=1)
    return len(keys)


# ---------------------------------------------------------------------------------------------- native format
def save_npz(path, arrays: dict, meta: dict) -> None:
    """Write arrays plus JSON metadata to one uncompressed ``.npz``, atomically."""
    payload = {k: np.asarray(v, order="C") for k, v in arrays.items()}  # keeps 0-d arrays 0-d (Adam's step count)
    for k, v in payload.items():
        if v.dtype == object:
            raise FormatError(f"array {k!r} has dtype object, which cannot be saved without pickle")
    payload["meta"] = np.frombuffer(json.dumps(meta, ensure_ascii=False).encode("utf-8"), dtype=np.uint8)
    with atomic_write(path, "wb") as f, zipfile.ZipFile(f, "w", zipfile.ZIP_STORED, allowZip64=True) as zf:
        for name, array in payload.items():
            _write_aligned_member(zf, f, name + ".npy", array)


_ALIGN = 64  # where every array's data starts in the file, as numpy aligns it inside a .npy


def _write_aligned_member(zf: zipfile.ZipFile, f, name: str, array: np.ndarray) -> None:
    """One ``.npy`` member whose data starts at a multiple of 64 bytes in the file, as np.savez does not: a mapped
    array (``mmap=True``) must be aligned for numpy to hand it to BLAS (an unaligned 1 M x 300 matrix took over 10x
    longer per query). The padding is an extra field of the member's local header, which zip readers skip."""
    header = io_module.BytesIO()
    np.lib.format.write_array_header_1_0(header, np.lib.format.header_data_from_array_1_0(array))
    header = header.getvalue()
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_STORED
    info.file_size = len(header) + array.nbytes
    zip64 = info.file_size > zipfile.ZIP64_LIMIT
    fixed = 30 + len(name.encode()) + 4 + (20 if zip64 else 0)  # local header, our extra's own header, zip64's
    pad = -(f.tell() + fixed + len(header)) % _ALIGN
    info.extra = struct.pack("<HH", _PAD_ID, pad) + bytes(pad)
    with zf.open(info, "w", force_zip64=zip64) as out:
        out.write(header)
        flat = array.reshape(-1).view(np.uint8) if array.size else np.zeros(0, np.uint8)
        for start in range(0, len(flat), 64 << 20):
            out.write(flat[start:start + (64 << 20)])


_PAD_ID = 0xA11C  # the extra field that pads a member (no zip tool assigns this id)


MAX_META_BYTES = 1 << 30   # a model's JSON metadata may hold up to 1 GiB (10M words take about 150 MB)
_NUMERIC_KINDS = "biuf"    # native arrays are booleans, integers or reals: never strings, objects or complex


def _npy_members(path: Path, zf: zipfile.ZipFile, fh) -> dict:
    """Where each array of a native ``.npz`` lies, checked against the bytes actually there before anything
    is allocated: ``{name: (info, shape, fortran, dtype, data offset, npy header bytes)}``.

    Every member must be stored uncompressed (w2v never compresses them, so no member can expand into more
    memory than the file's size), be a ``.npy`` of a real numeric dtype, and hold exactly the bytes its header
    declares.
    """
    size = path.stat().st_size
    out = {}
    for info in zf.infolist():
        name = info.filename[:-4] if info.filename.endswith(".npy") else None
        if name is None or name in out:
            raise FormatError(f"{path}: unexpected member {info.filename!r}; not a w2v model file")
        if info.compress_type != zipfile.ZIP_STORED or info.file_size != info.compress_size:
            raise FormatError(f"{path}: member {info.filename} is compressed; w2v writes model files uncompressed "
                              "(re-save it with w2v)")
        fh.seek(info.header_offset)
        local = fh.read(30)
        if len(local) != 30 or local[:4] != b"PK\x03\x04":
            raise FormatError(f"{path}: member {info.filename} has no valid zip header; the file is corrupt")
        start = info.header_offset + 30 + int.from_bytes(local[26:28], "little") + int.from_bytes(local[28:30], "little")
        if start + info.file_size > size:
            raise FormatError(f"{path}: member {info.filename} runs past the end of the file; it is truncated")
        fh.seek(start)
        version = np.lib.format.read_magic(fh)
        if version not in ((1, 0), (2, 0)):
            raise FormatError(f"{path}: array {name} uses .npy format {version}; w2v writes 1.0")
        read_header = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
        shape, fortran, dtype = read_header(fh, max_header_size=10000)
        if dtype.kind not in _NUMERIC_KINDS or dtype.hasobject or dtype.fields is not None:
            raise FormatError(f"{path}: array {name} has dtype {dtype}; a w2v model holds only numeric arrays")
        offset = fh.tell()
        nbytes = dtype.itemsize * int(np.prod(shape, dtype=object))  # exact: no overflow on absurd shapes
        if (offset - start) + nbytes != info.file_size:
            raise FormatError(f"{path}: array {name} declares shape {shape} ({nbytes:,} bytes) but its member holds "
                              f"{info.file_size - (offset - start):,}; the file is corrupt")
        fh.seek(start)
        out[name] = (info, shape, fortran, dtype, offset, fh.read(offset - start))
    return out


def load_npz(path, mmap: bool = False, verify: bool | None = None,
             formats: tuple = (MODEL_FORMAT,)) -> tuple[dict, dict]:
    """Read a native ``.npz``: returns ``(arrays, meta)``. Never unpickles anything.

    Nothing is allocated before the archive's layout is checked (:func:`_npy_members`), so a header claiming
    10^12 rows is refused, not attempted. ``mmap=True`` maps the arrays read-only instead of reading them.
    ``verify`` checks each member against its zip CRC-32; it defaults to True without mmap (the read touches
    every byte anyway) and to False with mmap (verifying reads the whole file, which mapping avoids).
    """
    path = Path(path)
    verify = (not mmap) if verify is None else verify
    if not path.is_file():
        raise FormatError(f"model file not found: {path}")
    try:
        with zipfile.ZipFile(path) as zf, open(path, "rb") as fh:
            members = _npy_members(path, zf, fh)
            if "meta" not in members:
                raise FormatError(f"{path}: not a w2v model file (no 'meta' entry)")
            info, shape, _, dtype, offset, head = members.pop("meta")
            if dtype != np.uint8 or len(shape) != 1 or shape[0] > MAX_META_BYTES:
                raise FormatError(f"{path}: the model's metadata is not a JSON text of at most {MAX_META_BYTES:,} bytes")
            fh.seek(offset)
            raw = fh.read(shape[0])
            if verify and zlib.crc32(raw, zlib.crc32(head)) != info.CRC:
                raise FormatError(f"{path}: the metadata fails its CRC check; the file is corrupt")
            meta = _parse_meta(raw, path, formats)
            arrays = {}
            for name, (info, shape, fortran, dtype, offset, head) in members.items():
                count = int(np.prod(shape, dtype=object))
                if mmap and count:
                    flat = np.memmap(path, dtype=dtype, mode="r", offset=offset, shape=(count,))
                else:
                    fh.seek(offset)
                    flat = np.fromfile(fh, dtype=dtype, count=count)
                    if len(flat) != count:
                        raise FormatError(f"{path}: array {name} is truncated")
                if verify and zlib.crc32(memoryview(flat).cast("B"), zlib.crc32(head)) != info.CRC:
                    raise FormatError(f"{path}: array {name} fails its CRC check; the file is corrupt")
                arrays[name] = flat.reshape(shape, order="F" if fortran else "C")
    except FormatError:
        raise
    except (ValueError, OSError, EOFError, zipfile.BadZipFile, KeyError, MemoryError) as e:
        raise FormatError(f"{path}: cannot read the model file ({e}); is it truncated or corrupt?") from None
    return arrays, meta


MAX_WORDS = 2**31 - 1  # word ids are int32 in the kernels


def check_words(words, path) -> list:
    """A saved vocabulary must be a non-empty list of unique, non-empty strings; returns it."""
    if not isinstance(words, list) or not 1 <= len(words) <= MAX_WORDS:
        raise FormatError(f"{path}: its vocabulary must be a non-empty list of words")
    if set(map(type, words)) != {str} or "" in words:
        raise FormatError(f"{path}: its vocabulary holds something that is not a non-empty string")
    twice = first_repeat(words)
    if twice is not None:
        raise FormatError(f"{path}: its vocabulary holds the word {words[twice[1]]!r} twice (entries {twice[0] + 1} "
                          f"and {twice[1] + 1})")
    return words


def words_member(words: list) -> np.ndarray | None:
    """The words as one UTF-8 text, one per line, for an npz member (read in one decode, where a JSON list of a
    million words took a third of a second to parse); None when a word holds a newline and so cannot go there."""
    text = "\n".join(words).encode("utf-8")
    return np.frombuffer(text, np.uint8) if text.count(b"\n") == len(words) - 1 else None


def words_from_member(member: np.ndarray, path) -> list:
    """The words :func:`words_member` stored (then checked by :func:`check_words`)."""
    if member.dtype != np.uint8 or member.ndim != 1:
        raise FormatError(f"{path}: the words must be a UTF-8 text (uint8), one word per line")
    try:
        return member.tobytes().decode("utf-8").split("\n")
    except UnicodeDecodeError as e:
        raise FormatError(f"{path}: the words are not valid UTF-8 ({e})") from None


def first_repeat(words: list) -> tuple[int, int] | None:
    """The positions (i, j), i < j, of the first word that appears again, or None when all differ.

    Sorting the words' hashes takes a fraction of the memory and time of a set of a million words (and the hashes
    stay cached in the strings for a lookup table built later); only words with equal hashes are compared.
    """
    hashes = np.fromiter(map(hash, words), np.int64, len(words))
    if not (np.diff(np.sort(hashes)) == 0).any():  # all hashes differ: nearly always, and a plain sort is quicker
        return None
    order = np.argsort(hashes)
    same = np.flatnonzero(hashes[order[1:]] == hashes[order[:-1]])
    seen: dict = {}
    for j in sorted({int(k) for s in same for k in order[s:s + 2]}):
        if words[j] in seen:
            return seen[words[j]], j
        seen[words[j]] = j
    return None


def check_counts(counts, V: int, path) -> np.ndarray:
    """Saved word counts must be one integer >= 1 per word (summing below 2**62); returns them as int64."""
    if counts.dtype.kind not in "iu" or counts.shape != (V,):
        raise FormatError(f"{path}: array counts is {counts.dtype} of shape {counts.shape}; expected shape {(V,)} "
                          "of integers")
    if counts.size and (counts.min() < 1 or counts.astype(np.float64).sum() >= 2**62):
        raise FormatError(f"{path}: word counts must be integers >= 1 (and sum below 2**62)")
    return counts.astype(np.int64, copy=False)


def _parse_meta(raw: bytes, path, formats=(MODEL_FORMAT,)) -> dict:
    try:
        meta = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise FormatError(f"{path}: the model's metadata is not valid JSON ({e})") from None
    except RecursionError:
        raise FormatError(f"{path}: the model's metadata is nested too deeply to be a w2v model") from None
    if not isinstance(meta, dict) or meta.get("format") not in formats:
        got = meta.get("format") if isinstance(meta, dict) else None
        raise FormatError(f"{path}: not a w2v model file (format {str(got)[:40]!r})")
    version = meta.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise FormatError(f"{path}: the model format version must be a positive integer, got {str(version)[:40]!r}")
    newest = _NEWEST.get(meta["format"], MODEL_VERSION)
    if version > newest:
        raise FormatError(f"{path}: model format version {version} is newer than this w2v understands "
                          f"({newest}); upgrade w2v")
    return meta
