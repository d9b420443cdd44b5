"""The encoded corpus: every word of a corpus as an id, with sentence bounds and the vocabulary, on disk.

A corpus is read and tokenised once (``w2v.text.prepare``); training then reads only this. It is a directory:

* ``ids.npy`` — (N,) int32: the corpus's words as ids into ``words``, in order;
* ``bounds.npy`` — (S+1,) int64: sentence s is ``ids[bounds[s]:bounds[s+1]]`` (never empty);
* ``meta.json`` — ``words`` (most frequent first, ties by the word, so any ``min_count`` keeps a prefix),
  their ``counts`` and first positions, how the text was read, the source's identity, and CRC-32s of both
  arrays.

Both arrays are plain ``.npy`` files (``np.load(..., mmap_mode="r")`` reads them), written by streaming and
published by renaming a finished temporary directory, so a crash or a full disk never leaves a half-written
corpus under the final name. :meth:`EncodedCorpus.open` checks sizes, headers, CRCs and the range of every id
and bound before anything trains on it, and training reads each job's slice with ``pread`` into small
per-thread buffers, so memory does not grow with the corpus.

Example
-------
>>> from w2v.text.encoded import EncodedCorpus
>>> corpus = EncodedCorpus.from_arrays(np.array([0, 1, 0], np.int32), np.array([0, 2, 3]), ["a", "b"], [2, 1])
>>> corpus.read(0, 2)[0].tolist()
[0, 1, 0]
"""
from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import uuid
import zlib
from pathlib import Path

import numpy as np

from ..errors import CorpusError, SaveError
from ..files import MAX_META_BYTES, stale_temporaries

logger = logging.getLogger(__name__)

FORMAT, VERSION = "w2v-encoded-corpus", 1
SUFFIX = ".w2vcorpus"
META_FILE, IDS_FILE, BOUNDS_FILE = "meta.json", "ids.npy", "bounds.npy"
_HEADER_BYTES = 128  # .npy version 1.0 header, padded to this size so it can be rewritten in place
_CHUNK = 1 << 22  # elements read at a time when checking or scanning the arrays


def _npy_header(dtype: str, n: int) -> bytes:
    d = "{'descr': '%s', 'fortran_order': False, 'shape': (%d,), }" % (dtype, n)
    magic = b"\x93NUMPY\x01\x00"
    body = d.encode("latin1")
    pad = _HEADER_BYTES - len(magic) - 2 - len(body) - 1
    return magic + (len(body) + pad + 1).to_bytes(2, "little") + body + b" " * pad + b"\n"


def _read_header(path: Path, dtype: str) -> int:
    """The length of a 1-d array in a .npy file written by :class:`Writer`; raises CorpusError otherwise."""
    try:
        with open(path, "rb") as f:
            if np.lib.format.read_magic(f) != (1, 0):
                raise ValueError("not a version 1.0 header")
            shape, fortran, found = np.lib.format.read_array_header_1_0(f)
            offset = f.tell()
    except (OSError, ValueError) as e:
        raise CorpusError(f"{path}: not a readable .npy array ({e})") from None
    if found != np.dtype(dtype) or fortran or len(shape) != 1 or offset != _HEADER_BYTES:
        raise CorpusError(f"{path}: expected a 1-d {np.dtype(dtype)} array, found {found} {shape}")
    if path.stat().st_size != _HEADER_BYTES + shape[0] * found.itemsize:
        raise CorpusError(f"{path}: the file is {path.stat().st_size:,} bytes, not the {shape[0]:,} elements its "
                          "header declares: it is truncated")
    return int(shape[0])



def bounds_of(lengths) -> np.ndarray:
    """Sentence bounds from sentence lengths: ``[0, n0, n0 + n1, ...]`` (int64), where sentence s is
    ``ids[bounds[s]:bounds[s + 1]]``.

    Example
    -------
    >>> bounds_of([3, 1, 2]).tolist()
    [0, 3, 4, 6]
    """
    lengths = np.asarray(lengths, np.int64)
    bounds = np.zeros(len(lengths) + 1, np.int64)
    np.cumsum(lengths, out=bounds[1:])
    return bounds


class EncodedCorpus:
    """A corpus as ids and sentence bounds, in memory or in a directory written by :class:`Writer`.

    Attributes
    ----------
    words : list of str
        The vocabulary of the text, most frequent first.
    counts, first : (W,) int64
        Each word's occurrences and the position of its first occurrence (for first-seen order).
    n_words, n_sentences : int
    meta : dict
        How the text was read (``options``) and the source's identity (``source``).
    path : Path or None
        The directory, or None in memory.
    """

    def __init__(self, words, counts, first, n_words, n_sentences, meta=None, path=None, ids=None, bounds=None):
        self.words, self.counts = list(words), np.asarray(counts, np.int64)
        self.first = np.arange(len(self.words), dtype=np.int64) if first is None else np.asarray(first, np.int64)
        self.n_words, self.n_sentences = int(n_words), int(n_sentences)
        self.meta = dict(meta or {})
        self.path = None if path is None else Path(path)
        self._ids, self._bounds = ids, bounds  # arrays in memory, or None on disk
        self._fds = None

    def __repr__(self):
        where = f"{str(self.path)!r}" if self.path else "in memory"
        return f"EncodedCorpus({where}, {self.n_words:,} words, {self.n_sentences:,} sentences, " \
               f"{len(self.words):,} distinct)"

    # ------------------------------------------------------------------ making one
    @classmethod
    def from_arrays(cls, ids, bounds, words=None, counts=None, first=None, meta=None) -> "EncodedCorpus":
        """An in-memory corpus (ids already checked by whoever made them)."""
        ids, bounds = np.ascontiguousarray(ids, np.int32), np.ascontiguousarray(bounds, np.int64)
        if words is None:
            words = [str(i) for i in range(int(ids.max()) + 1 if len(ids) else 0)]
            counts = np.bincount(ids, minlength=len(words))
        return cls(words, counts, first, bounds[-1] - bounds[0], len(bounds) - 1, meta, None, ids, bounds)

    @classmethod
    def open(cls, path, verify: bool = True) -> "EncodedCorpus":
        """Open a directory written by :class:`Writer`, checking it whole (``verify``) before use.

        Raises
        ------
        CorpusError
            Naming the directory and what is wrong (missing, truncated, corrupt, another format).
        """
        path = Path(path)
        meta_file = path / META_FILE
        try:
            if meta_file.stat().st_size > MAX_META_BYTES:
                raise CorpusError(f"{meta_file}: larger than {MAX_META_BYTES:,} bytes")
            meta = json.loads(meta_file.read_text("utf-8"))
        except FileNotFoundError:
            raise CorpusError(f"{path} is not an encoded corpus (no {META_FILE}): make one with w2v prepare") from None
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
            raise CorpusError(f"{meta_file}: unreadable ({e}); delete {path} and prepare the corpus again") from None
        if not isinstance(meta, dict) or meta.get("format") != FORMAT:
            raise CorpusError(f"{path} is not an encoded corpus of w2v (format {FORMAT!r})")
        if meta.get("version") != VERSION:
            raise CorpusError(f"{path} is an encoded corpus of version {meta.get('version')!r}; this w2v reads "
                              f"version {VERSION}: prepare the corpus again")
        words, counts, first = meta.get("words"), meta.get("counts"), meta.get("first")
        n_words, n_sent = meta.get("n_words"), meta.get("n_sentences")
        if not (isinstance(words, list) and all(isinstance(w, str) and w for w in words)
                and isinstance(counts, list) and isinstance(first, list) and len(counts) == len(words) == len(first)
                and all(isinstance(c, int) and c >= 1 for c in counts) and all(isinstance(c, int) for c in first)
                and isinstance(n_words, int) and isinstance(n_sent, int) and 0 <= n_sent <= n_words
                and len(set(words)) == len(words)):
            raise CorpusError(f"{meta_file}: the vocabulary or sizes are malformed; delete {path} and prepare "
                              "the corpus again")
        if _read_header(path / IDS_FILE, "<i4") != n_words or _read_header(path / BOUNDS_FILE, "<i8") != n_sent + 1:
            raise CorpusError(f"{path}: the arrays do not hold the {n_words:,} words and {n_sent:,} sentences its "
                              "metadata declares; prepare the corpus again")
        corpus = cls(words, counts, first, n_words, n_sent, {k: meta.get(k) for k in ("source", "options",
                                                                                     "ids_crc32", "bounds_crc32")},
                     path)
        if verify:
            corpus.verify()
        return corpus

    # ------------------------------------------------------------------ checks
    def _chunks(self, name: str, dtype, n: int):
        with open(self.path / name, "rb") as f:
            f.seek(_HEADER_BYTES)
            buf = np.empty(_CHUNK, dtype)
            done = 0
            while done < n:
                k = min(_CHUNK, n - done)
                got = f.readinto(memoryview(buf[:k]).cast("B"))
                if got != k * buf.itemsize:
                    raise CorpusError(f"{self.path / name}: shorter than its header says")
                yield buf[:k]
                done += k

    def verify(self) -> None:
        """Check both CRCs, that every id names a word and that the bounds rise from 0 to ``n_words``."""
        V, crc, last = len(self.words), 0, 0
        for chunk in self._chunks(IDS_FILE, np.int32, self.n_words):
            crc = zlib.crc32(chunk, crc)
            if len(chunk) and (int(chunk.min()) < 0 or int(chunk.max()) >= V):
                raise CorpusError(f"{self.path}: an id outside the vocabulary of {V:,} words: the corpus is corrupt; "
                                  "prepare it again")
        bcrc, first = 0, True
        for chunk in self._chunks(BOUNDS_FILE, np.int64, self.n_sentences + 1):
            bcrc = zlib.crc32(chunk, bcrc)
            if first and chunk[0] != 0 or (not first and chunk[0] <= last) or (np.diff(chunk) <= 0).any():
                raise CorpusError(f"{self.path}: the sentence bounds do not rise from 0: the corpus is corrupt; "
                                  "prepare it again")
            first, last = False, int(chunk[-1])
        if last != self.n_words or crc != self.meta.get("ids_crc32") or bcrc != self.meta.get("bounds_crc32"):
            raise CorpusError(f"{self.path}: the arrays do not match their checksums: the corpus is corrupt; "
                              "prepare it again")

    def identity(self) -> dict:
        """What a checkpoint records to prove a resumed run reads the same encoded corpus."""
        if self.path is None:
            crcs = zlib.crc32(self._ids), zlib.crc32(self._bounds - self._bounds[0])
        else:
            crcs = self.meta.get("ids_crc32"), self.meta.get("bounds_crc32")
        return {"words": self.n_words, "sentences": self.n_sentences, "ids_crc32": crcs[0], "bounds_crc32": crcs[1]}

    # ------------------------------------------------------------------ reading
    def cuts(self, job_words: int) -> tuple[np.ndarray, np.ndarray]:
        """Jobs of about ``job_words`` words that never split a sentence.

        Returns ``(cuts, words)``, both ``(J+1,)`` int64: job j is sentences ``cuts[j]:cuts[j+1]``, which start at
        corpus word ``words[j]``; a job ends at the first sentence end at or after each multiple of ``job_words``.
        Read in chunks, so a corpus on disk is never loaded whole.

        Example
        -------
        >>> c = EncodedCorpus.from_arrays(np.zeros(9, np.int32), np.array([0, 2, 5, 9]))
        >>> [a.tolist() for a in c.cuts(4)]
        [[0, 2, 3], [0, 5, 9]]
        """
        marks = np.arange(job_words, self.n_words, job_words, dtype=np.int64)
        if self.path is None:
            found = np.searchsorted(self._bounds, marks, side="left")
            cuts = np.unique(np.concatenate([[0], found, [self.n_sentences]])).astype(np.int64)
            return cuts, self._bounds[cuts] - self._bounds[0]
        found, at, i0, m = [], [], 0, 0
        for chunk in self._chunks(BOUNDS_FILE, np.int64, self.n_sentences + 1):
            hi = np.searchsorted(marks, chunk[-1], side="right")  # marks this chunk's last bound reaches
            local = np.searchsorted(chunk, marks[m:hi], side="left")
            found.append(i0 + local)
            at.append(chunk[local])
            m, i0 = hi, i0 + len(chunk)
        found = np.concatenate([[0]] + found + [[self.n_sentences]]).astype(np.int64)
        at = np.concatenate([[0]] + at + [[self.n_words]]).astype(np.int64)
        cuts, first = np.unique(found, return_index=True)
        return cuts, at[first]

    def read(self, s0: int, s1: int, buffers: dict | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Sentences ``s0:s1`` as ``(ids, bounds)`` with bounds from 0. On disk they are read with ``pread`` into
        ``buffers`` (one dict per thread, grown as needed and reused), so the result is valid until the next
        read with the same buffers."""
        if self.path is None:
            b = self._bounds[s0:s1 + 1]
            return self._ids[b[0]:b[-1]], b - b[0]
        if self._fds is None:
            self._fds = (os.open(self.path / IDS_FILE, os.O_RDONLY), os.open(self.path / BOUNDS_FILE, os.O_RDONLY))
        buffers = {} if buffers is None else buffers
        bounds = _pread(self._fds[1], buffers, "bounds", np.int64, s0, s1 + 1 - s0, self.path / BOUNDS_FILE)
        b0, b1 = int(bounds[0]), int(bounds[-1])
        if not 0 <= b0 <= b1 <= self.n_words:
            raise CorpusError(f"{self.path}: sentence bounds outside the corpus: it changed while training; "
                              "prepare it again")
        ids = _pread(self._fds[0], buffers, "ids", np.int32, b0, b1 - b0, self.path / IDS_FILE)
        relative = buffers.setdefault("relative", np.empty(0, np.int64))  # the bounds from this job's first id
        if len(relative) < len(bounds):
            relative = buffers["relative"] = np.empty(2 * len(bounds), np.int64)
        np.subtract(bounds, b0, out=relative[:len(bounds)])
        return ids, relative[:len(bounds)]

    def close(self) -> None:
        if self._fds is not None:
            for fd in self._fds:
                os.close(fd)
            self._fds = None

    def __del__(self):
        with contextlib.suppress(Exception):
            self.close()


def _pread(fd: int, buffers: dict, name: str, dtype, start: int, n: int, path) -> np.ndarray:
    buf = buffers.get(name)
    if buf is None or len(buf) < n:
        buf = buffers[name] = np.empty(max(n, 2 * (0 if buf is None else len(buf))), dtype)
    view = memoryview(buf[:n]).cast("B")
    offset, done = _HEADER_BYTES + start * buf.itemsize, 0
    while done < len(view):
        got = os.preadv(fd, [view[done:]], offset + done)
        if got <= 0:
            raise CorpusError(f"{path}: shorter than expected: it was truncated while training; prepare it again")
        done += got
    return buf[:n]


class Writer:
    """Stream an encoded corpus into a temporary directory beside ``path``; :meth:`finish` publishes it.

    Use as a context manager: an error (a full disk, an interrupt) removes the temporary directory, and an
    ``OSError`` becomes a one-line :class:`SaveError` naming the path.

    Example
    -------
    >>> with Writer("corpus.w2vcorpus") as w:  # doctest: +SKIP
    ...     w.add(np.array([0, 1], np.int32), np.array([2]))
    ...     corpus = w.finish(["a", "b"], [1, 1], [0, 1], {"options": {}})
    """

    def __init__(self, path):
        self.path = Path(path)
        self.tmp = self.path.parent / f".{self.path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp"
        self.n_words, self.n_sentences = 0, 0
        self.crc_ids, self.crc_bounds = 0, 0
        self._files = None

    def __enter__(self):
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            _remove_stale(self.path)
            self.tmp.mkdir()
            self._files = (open(self.tmp / IDS_FILE, "wb"), open(self.tmp / BOUNDS_FILE, "wb"))
            for f in self._files:
                f.write(bytes(_HEADER_BYTES))
            self._write_bounds(np.zeros(1, np.int64))
        except OSError as e:
            self._abort()
            raise self._error(e) from None
        return self

    def _error(self, e: OSError) -> SaveError:
        return SaveError(f"cannot write the encoded corpus {self.path}: {e.strerror or e}; nothing was left "
                         "behind (free space there, or choose another place: -o / the W2V_CACHE variable)")

    def _write_bounds(self, bounds: np.ndarray) -> None:
        self._files[1].write(memoryview(bounds))  # no copy: a copy per block fragments the heap
        self.crc_bounds = zlib.crc32(bounds, self.crc_bounds)

    def add(self, ids: np.ndarray, lengths: np.ndarray) -> None:
        """Append sentences: ``ids`` (all their words) and ``lengths`` (each >= 1, summing to ``len(ids)``)."""
        try:
            ids = np.ascontiguousarray(ids, np.int32)
            self._files[0].write(memoryview(ids))
            self.crc_ids = zlib.crc32(ids, self.crc_ids)
            self._write_bounds(self.n_words + np.cumsum(lengths, dtype=np.int64))
        except OSError as e:
            raise self._error(e) from None
        self.n_words += len(ids)
        self.n_sentences += len(lengths)

    def map_ids(self, remap: np.ndarray) -> None:
        """Replace every id written so far by ``remap[id]``, in place, a chunk at a time (a one-pass reading writes
        provisional ids before the vocabulary is known). Read and written through the file, not mapped: mapped
        pages would count in the process's memory, the whole corpus of them."""
        from .tables import remap_in_place  # numba: loaded by the reading that calls this, not by import w2v
        try:
            remap = np.asarray(remap, np.int32)
            self._files[0].flush()
            with open(self.tmp / IDS_FILE, "r+b") as g:
                chunk, self.crc_ids = np.empty(_CHUNK, np.int32), 0
                for a in range(0, self.n_words, _CHUNK):
                    part = chunk[: min(_CHUNK, self.n_words - a)]
                    g.seek(_HEADER_BYTES + 4 * a)
                    if g.readinto(memoryview(part)) != part.nbytes:
                        raise OSError(f"{IDS_FILE} is shorter than the ids written to it")
                    bad = remap_in_place(part, remap)
                    if bad >= 0:
                        raise CorpusError(f"{self.tmp / IDS_FILE}: id {int(part[bad])} at {a + bad} was never "
                                          f"written by this reading ({len(remap)} ids); prepare the corpus again")
                    g.seek(_HEADER_BYTES + 4 * a)
                    g.write(memoryview(part))
                    self.crc_ids = zlib.crc32(part, self.crc_ids)
        except OSError as e:
            raise self._error(e) from None

    def restart(self) -> None:
        """Drop everything written so far: the corpus is written again from the start."""
        try:
            for f in self._files:
                f.seek(_HEADER_BYTES)
                f.truncate()
        except OSError as e:
            raise self._error(e) from None
        self.n_words, self.n_sentences, self.crc_ids, self.crc_bounds = 0, 0, 0, 0
        self._write_bounds(np.zeros(1, np.int64))

    def finish(self, words, counts, first, meta: dict) -> EncodedCorpus:
        """Write the headers and ``meta.json``, sync, and rename the directory into place (replacing an old one)."""
        body = {"format": FORMAT, "version": VERSION, "n_words": self.n_words, "n_sentences": self.n_sentences,
                "ids_crc32": self.crc_ids, "bounds_crc32": self.crc_bounds, **meta,
                "words": list(words), "counts": np.asarray(counts).tolist(), "first": np.asarray(first).tolist()}
        try:
            for f, (dtype, n) in zip(self._files, (("<i4", self.n_words), ("<i8", self.n_sentences + 1))):
                f.seek(0)
                f.write(_npy_header(dtype, n))
                f.flush()
                os.fsync(f.fileno())
                f.close()
            with open(self.tmp / META_FILE, "w", encoding="utf-8") as f:
                f.write(json.dumps(body, ensure_ascii=False))  # dumps: json.dump encodes in Python, 5x slower
                f.flush()
                os.fsync(f.fileno())
            old = None
            if self.path.exists():
                old = self.path.parent / f".{self.path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.old.tmp"
                os.replace(self.path, old)
            os.replace(self.tmp, self.path)
            if old is not None:
                shutil.rmtree(old, ignore_errors=True)
        except OSError as e:
            raise self._error(e) from None
        return EncodedCorpus(words, counts, first, self.n_words, self.n_sentences,
                             {k: body.get(k) for k in ("source", "options", "ids_crc32", "bounds_crc32")}, self.path)

    def _abort(self) -> None:
        if self._files is not None:
            for f in self._files:
                with contextlib.suppress(OSError):
                    f.close()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def __exit__(self, kind, value, tb):
        if kind is not None:
            self._abort()
        return False


def _remove_stale(path: Path) -> None:
    """Delete temporary directories that killed writers of ``path`` left behind (their process is gone)."""
    for tmp in stale_temporaries(path):
        shutil.rmtree(tmp, ignore_errors=True)
