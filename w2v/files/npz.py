"""The native file format: arrays plus JSON metadata in one uncompressed ``.npz``, and the checks of what it holds.

The native model format is one uncompressed ``.npz`` (loaded with ``allow_pickle=False``) holding the weight
matrices, the vocabulary counts, the optimizer state and a ``meta`` entry of UTF-8 JSON: format name and
version, the vocabulary words, the full config, loss history and training state. Because the archive is
stored uncompressed, large arrays can be memory-mapped straight from it (``mmap=True``). No pickle anywhere.
Saved through :func:`w2v.files.atomic_write`.

Example
-------
>>> from w2v.files import load_npz
>>> arrays, meta = load_npz("runs/w2v/model.npz", mmap=True)  # doctest: +SKIP
"""
from __future__ import annotations

import io
import json
import struct
import zipfile
import zlib
from pathlib import Path

import numpy as np

from ..errors import FormatError, is_integer
from .atomic import atomic_write

MODEL_FORMAT = "w2v-model"
MODEL_VERSION = 1
VECTORS_FORMAT = "w2v-vectors"  # KeyedVectors.save: words and vectors alone, in the same npz + JSON layout
VECTORS_VERSION = 2  # 2: the words are a member of their own (UTF-8, one per line) instead of a JSON list
_NEWEST = {MODEL_FORMAT: MODEL_VERSION, VECTORS_FORMAT: VECTORS_VERSION}


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
    array (``mmap=True``) must be aligned for numpy to hand it to BLAS. The padding is an extra field of the
    member's local header, which zip readers skip."""
    # (an unaligned, mapped 1 M x 300 matrix took over 10x longer per query)
    header = io.BytesIO()
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
    if not is_integer(version) or version < 1:
        raise FormatError(f"{path}: the model format version must be a positive integer, got {str(version)[:40]!r}")
    newest = _NEWEST.get(meta["format"], MODEL_VERSION)
    if version > newest:
        raise FormatError(f"{path}: model format version {version} is newer than this w2v understands "
                          f"({newest}); upgrade w2v")
    return meta
