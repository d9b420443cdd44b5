"""Vectors files: word2vec text and binary (word2vec.c, gensim, fastText ``.vec``) and GloVe's headerless text.

Formats: word2vec files start with a header line ``"<words> <dims>"``, then one record per word. Text records
are ``word v1 ... vd``; binary records are ``word<space>`` followed by d little-endian float32 values (and, from
word2vec.c, a newline, which readers skip). GloVe files are text records with no header: the number of words
comes from the file and the dimension from the first record, against which every record is checked. Any of them
may be gzip, bz2 or xz compressed.

Reading goes block by block (a thread reads or decompresses the next block while this one is parsed) straight
into the final array, so memory holds the vectors, their words and a few blocks, never a second copy:

* binary: an anchored regular-expression match (C code) finds the records that follow each other in a block, a
  second lists their words, and one fancy index over a strided view of the block gathers their float bytes into
  place (``w2v.files.vector_buffers`` holds the blocks and rows). No numba is imported: its import alone would cost
  more memory than a million words.
* text: the numba kernels of ``w2v.files.textparse`` parse a block's lines on every core, with values equal to
  gensim's ``np.float32(text)`` bit for bit (that module says how).

What the fast scans do not take as it is goes to the checking readers (``_checked_record``, ``_text_record``),
which parse it or raise a :class:`FormatError` naming the file, the record or line, and what is wrong: short,
truncated or malformed records, non-numeric values, NaN or infinity, vectors of the wrong width, words that are
not UTF-8 or hold control characters, and more (or fewer) records than the header announces. A header claiming
more words or dimensions than the file can hold is refused before anything large is allocated.

Writing: words containing whitespace cannot be stored in these formats (the space ends the word). Saving refuses
them, naming the word, unless ``whitespace="replace"`` writes runs of whitespace as ``_`` (refused if that
collides with another word). A file is never written that cannot be read back; every save is atomic.

Example
-------
>>> from w2v.files.word2vec_format import load_word2vec_format
>>> words, vectors = load_word2vec_format("glove.6B.100d.txt")  # doctest: +SKIP
"""
from __future__ import annotations

import logging
import lzma
import re
import zipfile
import zlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from ..errors import FormatError, check_count
from .atomic import atomic_write
from .compressed import is_compressed, open_binary
from .npz import first_repeat
from .vector_buffers import Blocks, MappedBlocks, Rows

logger = logging.getLogger(__name__)

MAX_DIMS = 100_000             # a vectors file may claim at most this many dimensions
_MAX_WORD_BYTES = 100_000      # longest word (bytes) a record may hold
_WS = re.compile(r"\s")
_WS_BUT_NL = re.compile(r"[^\S\n]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")  # tab, NUL, CR, ...: never part of a word in these formats
_CONTROL_BYTES = re.compile(rb"[\x00-\x09\x0b-\x1f\x7f]")  # the same, in words joined by \n
_CONTROL_SET = bytes(range(0, 10)) + bytes(range(11, 32)) + b"\x7f"  # (bytes.translate deletes them fast)


# ---------------------------------------------------------------------------------------------- writing
def _storable_words(keys, whitespace: str) -> list[str]:
    """The words as they will be written: refused, or with whitespace replaced (see the module docstring)."""
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
        What to do with words containing whitespace (see the module docstring).

    Example
    -------
    >>> save_word2vec_format("vectors.bin", ["king", "queen"], vectors, binary=True)  # doctest: +SKIP
    """
    vectors = np.asarray(vectors)
    keys = _storable_words(keys, whitespace)
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
            for s in range(0, V, 10000):
                lines = [k + " " + " ".join(fmt % x for x in row) for k, row in zip(keys[s:s + 10000], vectors[s:s + 10000])]
                f.write(("\n".join(lines) + "\n").encode("utf-8"))


# ---------------------------------------------------------------------------------------------- reading
def load_word2vec_format(path, binary: bool | None = None, limit: int | None = None,
                         unicode_errors: str = "strict", dtype=np.float32,
                         no_header: bool | None = None) -> tuple[list[str], np.ndarray]:
    """Read a word2vec text or binary file, or a GloVe file: returns ``(words, vectors (V, d))``.

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
    no_header : bool or None
        True: the file has no header line (GloVe), as gensim spells it; False: it must have one; None (the
        default): a first line of two integers is the header, a first line ``word v1 ... vd`` is a record.

    Raises
    ------
    FormatError
        For every kind of malformed, truncated or inconsistent file.

    Example
    -------
    >>> words, vectors = load_word2vec_format("GoogleNews-vectors-negative300.bin.gz", limit=100000)  # doctest: +SKIP
    """
    path = Path(path)
    limit = check_count("limit", limit, minimum=0)
    raw_size = path.stat().st_size if path.is_file() and not is_compressed(path) else None
    with open_binary(path, FormatError, "vectors file") as f, ThreadPoolExecutor(2) as pool:
        blocks, rows = (MappedBlocks if raw_size else Blocks)(f, pool), None
        try:
            head = blocks.first_line(_MAX_WORD_BYTES + 64 * MAX_DIMS)
            if not head:
                raise FormatError(f"{path}: the file is empty")
            line = head[:head.find(b"\n") + 1] if b"\n" in head else head
            V, d = _header(line, path, no_header, binary)
            if V is not None:
                blocks.consume(len(line))
                if raw_size is not None:
                    _check_claim(path, V, d, raw_size - len(line))
            want = V if limit is None else (limit if V is None else min(V, limit))
            if binary is None:
                binary = V is not None and _detect_binary(blocks.peek(), d)
            rows = Rows(want, d, dtype, _bound(raw_size, V, d, want))
            rows.prefault(pool)
            read = _read_binary if binary else _read_text
            keys = read(blocks, path, V, d, want, unicode_errors, rows, V is not None and limit is None)
            vectors = rows.result()
        except (OSError, EOFError, lzma.LZMAError, zipfile.BadZipFile, zlib.error) as e:
            raise FormatError(f"{path}: cannot read the file ({e}); is it truncated or corrupt?") from None
        finally:
            blocks.stop()
            if rows is not None:
                rows.stopped = True
    _check_unique(keys, path)
    _warn_unicode_spaces(keys, path)
    return keys, vectors


def _header(line: bytes, path, no_header, binary) -> tuple[int | None, int]:
    """(words, dims) from a header line, or (None, dims) for a headerless file whose first record is ``line``."""
    parts = line.split()
    is_header = len(parts) == 2 and all(p.isdigit() for p in parts)
    if no_header is not True and (is_header or no_header is False):
        return _parse_header(line, path)
    if binary:
        raise FormatError(f"{path}: a binary vectors file starts with the header '<number of words> <dimensions>'; "
                          "only text files can go without one")
    try:
        if len(parts) < 2 or any(b"_" in p for p in parts[1:]):
            raise ValueError
        [float(p) for p in parts[1:]]
    except ValueError:
        raise FormatError(f"{path}: the first line is neither a header '<number of words> <dimensions>' nor a "
                          f"record 'word v1 ... vd' (got {line[:80]!r}); is this a vectors file?") from None
    d = len(parts) - 1
    if d > MAX_DIMS:
        raise FormatError(f"{path}: the first record holds {d:,} values; w2v reads at most {MAX_DIMS:,} dimensions")
    return None, d


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
    if d > MAX_DIMS:
        raise FormatError(f"{path}: header claims {d:,} dimensions; w2v reads at most {MAX_DIMS:,}")
    return V, d


def _check_claim(path, V: int, d: int, room: int) -> None:
    """Refuse a header that claims more than ``room`` bytes of records can hold, before allocating for it."""
    if d > room:
        raise FormatError(f"{path}: header claims {d} dimensions but the file holds only {room} bytes of data")
    if V > room // (2 * d + 1) + 1:  # text "x 0 0 ..." is the shortest record; binary needs 4d + 2
        raise FormatError(f"{path}: header claims {V} words but the file is too small to hold them "
                          f"({room} bytes after the header); it is truncated or the header is wrong")


def _bound(raw_size, V, d: int, want) -> int | None:
    """The most rows the file can hold, when its size says (a plain file); None for a compressed one."""
    if raw_size is None:
        return None
    most = raw_size // (2 * d + 1) + 1
    return most if want is None else min(want, most)


def _detect_binary(head: bytes, d: int) -> bool:
    """True unless the first record after the header is a line of d numbers."""
    body = head.lstrip(b"\r\n")  # blank lines after the header: the text reader skips them too
    end = body.find(b"\n")
    parts = (body if end < 0 else body[:end]).decode("latin-1").split()  # the word's encoding does not matter
    if len(parts) < d + 1:
        return True
    try:
        [float(x) for x in parts[-d:]]
        return False
    except ValueError:
        return True


def _words(joined: bytes, n: int, path, errors: str, where, sep: str = "\n") -> list[str]:
    """Decode ``n`` words joined by ``sep``: one decode for a whole block; a failure names its record."""
    if n == 0:
        return []
    bsep = sep.encode()
    bad = len(joined.translate(None, _CONTROL_SET)) != len(joined) and _CONTROL_BYTES.search(joined)
    if bad:
        i = joined.count(bsep, 0, bad.start())
        _check_word(joined.split(bsep)[i].decode("utf-8", "replace"), path, where(i))
    try:
        return joined.decode("utf-8", errors).split(sep)
    except UnicodeDecodeError:
        for i, word in enumerate(joined.split(bsep)):
            _decode(word, path, where(i), errors)
        raise


def _check_word(word: str, path, where: str) -> str:
    if _CONTROL.search(word):
        raise FormatError(f"{path}: {where}: the word {word[:40]!r} holds a control character (tab, NUL, CR, ...); "
                          "the file is corrupt or not in the word2vec format")
    return word


def _decode(word: bytes, path, where: str, errors: str) -> str:
    try:
        return word.decode("utf-8", errors=errors)
    except UnicodeDecodeError:
        raise FormatError(f"{path}: {where}: the word {word[:40]!r} is not valid UTF-8; pass "
                          "unicode_errors='replace' (CLI: --unicode-errors replace) to load it anyway") from None


def _warn_unicode_spaces(keys, path) -> None:
    joined = "\n".join(keys)  # no word holds a newline
    if joined.isascii() or not _WS_BUT_NL.search(joined):  # ASCII spaces other than " " are control characters
        return
    odd = [k for k in keys if _WS.search(k)]  # e.g. a no-break space: legal in word2vec.c's output, but surprising
    logger.warning("%s: %d word(s) hold Unicode spaces (kept as they are), e.g. %r", path, len(odd), odd[0])


def _check_unique(keys, path) -> None:
    twice = first_repeat(keys)
    if twice is not None:
        raise FormatError(f"{path}: the word {keys[twice[1]]!r} appears twice (records {twice[0] + 1} and "
                          f"{twice[1] + 1})")


def _short(path, V, n) -> FormatError:
    return FormatError(f"{path}: header says {V} words but the file ends after {n}: it is truncated")


def _more(path, V) -> FormatError:
    return FormatError(f"{path}: the file holds more than the {V} words its header announces; pass limit={V} "
                       f"(CLI: --limit {V}) to read only those")


# ---------------------------------------------------------------------------------------------- binary
def _read_binary(blocks: Blocks, path, V, d, want, errors, rows: Rows, strict_count: bool) -> list[str]:
    nbytes = 4 * d
    # a record: the newlines before it and its word (captured), a space, 4d bytes ('.{n}' skips them in one step)
    record = re.compile(rb"([\n\r]*[^ \n\r]+) .{%d}" % nbytes, re.DOTALL)
    # the records that follow each other from the block's start. Anchored, it stops at the first bytes that are
    # not a record (a search would retry at every later byte: quadratic in a long run without a space); possessive
    # (*+), it keeps no state to backtrack into (a plain * took memory and time for every record matched)
    run = re.compile(rb"(?:[\n\r]*+[^ \n\r]++ .{%d})*+" % nbytes, re.DOTALL)
    keys: list[str] = []
    while rows.n < want:
        buf = blocks.take()
        if buf is None:
            raise _short(path, V, rows.n)
        found = record.findall(buf, 0, run.match(buf).end())[:want - rows.n]
        end = 0
        if found:
            # no word holds a space, CR or LF: joined by spaces, the spaces give the lengths (with the newlines
            # before each word), and with the newlines dropped one decode gives the words
            joined = b" ".join(found)
            spaces = np.flatnonzero(np.frombuffer(joined, np.uint8) == 32)
            lengths = np.diff(spaces, prepend=-1, append=len(joined)) - 1
            if lengths.max() > _MAX_WORD_BYTES:
                i = int(np.argmax(lengths))
                raise FormatError(f"{path}: record {rows.n + i + 1}: a word of {lengths[i]:,} bytes (at most "
                                  f"{_MAX_WORD_BYTES:,}); the file is corrupt or not in the binary word2vec format")
            stops = np.cumsum(lengths + (1 + nbytes))
            target = rows.target(len(found))
            _place_binary(buf, stops - nbytes, target, nbytes)
            n0 = rows.n
            words = _words(joined.translate(None, b"\r\n"), len(found), path, errors, lambda i: f"record {n0 + i + 1}", sep=" ")
            rows.check_finite(target, path, lambda i: f"record {n0 + i + 1}", words)
            rows.commit(len(found))
            keys += words
            end = int(stops[-1])
        elif blocks.eof or len(buf) > _MAX_WORD_BYTES + nbytes + 2:
            # a record the scan does not take: the checking reader reads it or says what is wrong with it
            word, end = _checked_record(buf, path, V, d, errors, rows, blocks.eof)
            keys.append(word)
        blocks.give_back(buf[end:])
    if strict_count and _has_more(blocks):
        raise _more(path, V)
    return keys


def _place_binary(buf, starts: np.ndarray, target: np.ndarray, nbytes: int) -> None:
    """Copy the float bytes of the records starting at ``starts`` into ``target``, little-endian to native."""
    # item i of this view is the nbytes from buf[i] (a void item: one memcpy each), so a fancy index gathers the
    # records without a loop (np.take would first make the overlapping view contiguous, nbytes times the block).
    # A few dozen rows at a time: the gathered copy stays in the cache instead of faulting in fresh pages
    windows = np.ndarray((len(buf) - nbytes + 1,), f"V{nbytes}", buffer=buf, strides=(1,))
    direct = target.dtype == np.dtype("<f4")
    rows = target.view(f"V{nbytes}").reshape(-1) if direct else None
    step = max(1, (64 << 10) // nbytes)
    for s in range(0, len(starts), step):
        gathered = windows[starts[s:s + step]]
        if direct:
            rows[s:s + step] = gathered
        else:
            with np.errstate(over="ignore"):
                target[s:s + step] = gathered.view("<f4").reshape(-1, nbytes // 4)  # float16, or big-endian


def _checked_record(buf: bytes, path, V, d, errors, rows: Rows, at_end: bool) -> tuple[str, int]:
    """Read the record at the start of ``buf`` one check at a time: (its word, where it ends), or the error."""
    nbytes, pos, buf = 4 * d, 0, bytes(buf)
    while pos < len(buf) and buf[pos:pos + 1] in (b"\n", b"\r"):
        pos += 1  # word2vec.c ends each record with a newline
    where = f"record {rows.n + 1}"
    if pos == len(buf) and at_end:
        raise _short(path, V, rows.n)
    sp = buf.find(b" ", pos, pos + _MAX_WORD_BYTES + 1)
    if sp < 0:
        if at_end:
            raise FormatError(f"{path}: {where}: the file ends in the middle of a record: it is truncated")
        raise FormatError(f"{path}: {where}: no word found in {_MAX_WORD_BYTES} bytes; the file is corrupt or "
                          "not in the binary word2vec format")
    word = _decode(buf[pos:sp], path, where, errors)
    if not word:
        raise FormatError(f"{path}: {where}: empty word; the file is corrupt")
    _check_word(word, path, where)
    if len(buf) - (sp + 1) < nbytes:
        raise FormatError(f"{path}: {where}: the file ends in the middle of a record: it is truncated")
    rows.set(rows.target(1), 0, np.frombuffer(buf, "<f4", d, sp + 1), path, where, word)
    rows.commit(1)
    return word, sp + 1 + nbytes


def _has_more(blocks: Blocks) -> bool:
    """Whether anything but whitespace follows the records the header announced."""
    while True:
        buf = blocks.take()
        if buf is None:
            return False
        if bytes(buf).strip():
            return True


# ---------------------------------------------------------------------------------------------- text
def _read_text(blocks: Blocks, path, V, d, want, errors, rows: Rows, strict_count: bool) -> list[str]:
    from . import textparse  # numba: only text needs it
    longest = _MAX_WORD_BYTES + 64 * d  # a word and d numbers can take no more
    keys: list[str] = []
    lineno = 0 if V is None else 1  # lines before the block
    limit = np.inf if want is None else want
    while rows.n < limit:
        buf = blocks.take()
        if buf is None:
            break
        buf = bytes(buf)  # the text parser slices and searches it
        cut = buf.rfind(b"\n") + 1
        if blocks.eof and cut < len(buf):
            buf, cut = buf + b"\n", len(buf) + 1  # the last line has no newline
        if cut == 0:
            if len(buf) > longest:
                raise FormatError(f"{path}: line {lineno + 1} is longer than any record of {d} values "
                                  f"({longest:,} bytes); the file is corrupt")
            blocks.give_back(buf)
            continue
        blocks.give_back(buf[cut:])
        lineno, surplus = _text_block(textparse, buf, cut, path, d, limit, errors, rows, keys, lineno, longest)
        if surplus and strict_count:
            raise _more(path, V)
    if want is not None and rows.n < want and V is not None:
        raise _short(path, V, rows.n)
    if strict_count and _has_more(blocks):
        raise _more(path, V)
    return keys


def _text_block(tp, buf, cut, path, d, limit, errors, rows, keys, lineno, longest) -> tuple[int, bool]:
    """Parse the whole lines ``buf[:cut]`` into the next rows; returns (lines so far, whether non-blank lines
    remain past the limit)."""
    raw = np.frombuffer(buf, np.uint8, cut)
    ends = np.flatnonzero(raw == 10)
    starts = np.concatenate(([0], ends[:-1] + 1))
    if len(ends) and (ends - starts).max() > longest:
        i = int(np.argmax(ends - starts))
        raise FormatError(f"{path}: line {lineno + i + 1} is longer than any record of {d} values ({longest:,} "
                          "bytes); the file is corrupt")
    kept = tp.blank_lines(raw, starts, ends) == 0
    row = np.where(kept, np.cumsum(kept) - 1, -1)
    n_rows = int(min(kept.sum(), limit - rows.n))
    surplus = bool((row >= n_rows).any())
    target = rows.target(n_rows)
    parsed = target if rows.dtype == np.float32 else np.empty((n_rows, d), np.float32)
    status, word_end = tp.parse_lines(raw, starts, ends, row, n_rows, d, parsed)
    if parsed is not target:
        target[:] = parsed
    lines = np.flatnonzero((row >= 0) & (row < n_rows))
    ok = status[lines] == tp.OK
    lengths = np.where(ok, word_end[lines] - starts[lines], 0)
    line_of = lambda k: f"line {lineno + int(lines[k]) + 1}"  # noqa: E731
    words = _words(tp.gather_words(raw, starts[lines], lengths).tobytes(), len(lines), path, errors, line_of)
    for k in np.flatnonzero(~ok):  # what the kernel left: the checking reader parses it or says what is wrong
        i = int(lines[k])
        words[k], values = _text_record(buf[starts[i]:ends[i]], d, path, f"line {lineno + i + 1}", errors)
        rows.set(target, k, values, path, f"line {lineno + i + 1}", words[k])
    keys += words
    rows.commit(n_rows)
    return lineno + len(ends), surplus


def _text_record(line: bytes, d: int, path, where: str, errors: str) -> tuple[str, list[float]]:
    """One text record, checked: (word, d values)."""
    parts = line.rstrip(b"\r\n").split(b" ")
    parts = [p for p in parts if p != b""] if len(parts) != d + 1 else parts
    if len(parts) != d + 1:
        raise FormatError(f"{path}: {where}: expected a word and {d} values, got {len(parts)} fields")
    word = _check_word(_decode(parts[0], path, where, errors), path, where)
    try:
        if any(b"_" in x for x in parts[1:]):
            raise ValueError  # Python's float() reads "1_0" as 10; no vectors file writes that
        return word, [float(x) for x in parts[1:]]
    except ValueError:
        raise FormatError(f"{path}: {where}: the values of {word!r} are not all numbers") from None
