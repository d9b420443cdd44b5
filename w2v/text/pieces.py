"""Reading text files as blocks of bytes cut into pieces, for the numba reading in ``w2v.text.ingest``.

A file is read in blocks of ``BLOCK_BYTES`` (in a thread, one block ahead of the work on the last one; compressed
files stream through their decompressor) into a ring of reused buffers. Each block is cut into pieces of about
``PIECE_BYTES`` at line ends (in a text8-style single line, at the first whitespace after each ``PIECE_BYTES``), at
positions that depend only on the content, so the encoding never depends on the number of threads. Line ends are
``\\n`` and ``\\r`` (universal newlines, as Python's text reading).

Example
-------
>>> from w2v.text.pieces import pieces
>>> for block, cuts, base in pieces(["corpus.txt"]):  # doctest: +SKIP
...     first_piece = block[cuts[0]:cuts[1]]
"""
from __future__ import annotations

import lzma
import mmap
import os
import queue
import re
import threading
import zlib

import numpy as np

from ..errors import CorpusError
from ..files import open_binary

PIECE_BYTES = 1 << 20  # the file is cut into pieces of about this size, at line ends where possible
BLOCK_BYTES = 16 << 20  # bytes read at a time (a block holds many pieces, shared by the threads)
MAX_TOKEN_BYTES = 64 << 20  # a "token" longer than this is not text: refuse the file
_SPACE = re.compile(rb"[\t\n\x0b\x0c\r \x1c-\x1f]")


def _line_end(buf, a: int, b: int) -> int:
    """The position just after the first line end (``\\n`` or ``\\r``) in ``buf[a:b]``, or -1: two ``find``
    calls (memchr speed), where one regular-expression search took 1.3 ms a piece."""
    n = buf.find(b"\n", a, b)
    r = buf.find(b"\r", a, b if n < 0 else n)
    at = r if r >= 0 else n
    return at + 1 if at >= 0 else -1


def _read_into(f, buf: bytearray, start: int) -> int:
    view = memoryview(buf)
    pos = start
    while pos < len(buf):
        got = f.readinto(view[pos:])
        if not got:
            break
        pos += got
    return pos


def pieces(files):
    """Yield ``(block, cuts, base)`` for a list of files: a byte buffer, the piece boundaries inside it, and the
    offset of ``block[0]`` (counted over the files in order). Pieces are ``block[cuts[k]:cuts[k+1]]``; every
    boundary lies just after a line end or at whitespace, at positions that depend only on the content, and
    each file ends a piece. Compressed files stream through their decompressor."""
    def blocks():
        base = 0
        for path in files:
            end = 0
            for block, cuts, start in _file_pieces(path):
                yield block, cuts, base + start
                end = start + cuts[-1]
            base += end
    yield from _read_ahead(blocks())


def _read_ahead(items):
    """Iterate ``items`` one step ahead in a thread, so reading (and decompressing) the next block overlaps the
    work on this one; an error in the reader is raised here."""
    q: queue.Queue = queue.Queue(maxsize=1)
    done = object()
    stop = threading.Event()

    def run():
        try:
            for item in items:
                while not stop.is_set():
                    try:
                        q.put(item, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            q.put(done)
        except BaseException as e:  # handed to the consumer
            q.put(e)

    reader = threading.Thread(target=run, name="w2v-read-ahead", daemon=True)
    reader.start()
    try:
        while True:
            item = q.get()
            if item is done:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()


class _Limited:
    """A binary file read from its current position for at most ``n`` more bytes."""

    def __init__(self, f, n: int):
        self.f, self.left = f, n

    def readinto(self, view) -> int:
        if self.left <= 0:
            return 0
        got = self.f.readinto(view[: self.left])
        self.left -= got
        return got

    def close(self) -> None:
        self.f.close()


def range_pieces(path, start: int = 0, end: int | None = None):
    """:func:`pieces` of the bytes ``[start, end)`` of one file (to its end when ``end`` is None); ``base``
    counts from the file's start. A range starting at a piece boundary of the whole file (``part_cuts``) is cut
    into exactly the pieces the whole file has there, so it encodes as that stretch of the file does."""
    yield from _read_ahead(_file_pieces(path, start, end))


def part_cuts(path, part_bytes: int) -> list[int]:
    """Byte offsets cutting a plain file into parts of about ``part_bytes`` (a multiple of ``PIECE_BYTES``), at
    the piece boundaries the whole file has there: the first line end in the ``PIECE_BYTES`` after each multiple
    (else the first whitespace after it). Returns ``[0, ..., size]``."""
    size = os.path.getsize(path)
    cuts = [0]
    with open(path, "rb") as f:
        for mark in range(part_bytes, size, part_bytes):
            if mark <= cuts[-1]:
                continue
            f.seek(mark)
            window = f.read(PIECE_BYTES)
            at = _line_end(window, 0, len(window))
            if at < 0:
                m = _SPACE.search(window)  # a longer search is not worth it: the part just grows
                at = -1 if m is None else m.end()
            if at >= 0 and mark + at < size:
                cuts.append(mark + at)
    return cuts + [size]


def _file_pieces(path, start: int = 0, end: int | None = None):
    f = open_binary(path, CorpusError, "corpus file")
    if start or end is not None:
        f.seek(start)
        f = _Limited(f, (end if end is not None else os.path.getsize(path)) - start)
    # a ring of buffers, reused: a block is in use by the consumer, one waits in the read-ahead queue and one is
    # being filled, so the fourth is free. A fresh 16 MiB buffer per block made glibc raise its mmap threshold
    # and keep freed blocks in its heap: the peak memory grew with the corpus (356 MB at 200 M words, 263 reused)
    ring = [mmap.mmap(-1, BLOCK_BYTES)]  # mapped, not malloc'ed: see mapped_zeros
    turn = 0
    try:
        buf = ring[0]
        tail, base = 0, start  # bytes carried over from the previous block, and the file offset of buf[0]
        while True:
            end = _read_into(f, buf, tail)
            eof = end < len(buf)
            cuts = [0]
            while True:
                c = cuts[-1]
                mark = ((base + c) // PIECE_BYTES + 1) * PIECE_BYTES - base  # the next multiple after c
                if mark >= end:
                    break
                if mark + PIECE_BYTES > end and not eof:
                    break  # the line-end search window is not all read yet
                at = _line_end(buf, mark, min(mark + PIECE_BYTES, end))
                if at < 0:
                    m = _SPACE.search(buf, mark, end)
                    if m is None:
                        break
                    at = m.end()
                cuts.append(at)
            if eof:
                if cuts[-1] < end:
                    cuts.append(end)
                if len(cuts) > 1:
                    yield np.frombuffer(buf, np.uint8, end), cuts, base
                return
            if len(cuts) == 1:  # no boundary in a whole block: a line of one enormous token, or a tiny block
                if end >= MAX_TOKEN_BYTES:
                    raise CorpusError(f"{path}: more than {MAX_TOKEN_BYTES >> 20} MiB without whitespace; "
                                      "this is not text (is it a binary file?)")
                grown = mmap.mmap(-1, 2 * len(buf))  # a new buffer: the caller may still hold a view of the old one
                grown[:end] = buf[:end]
                buf, tail = grown, end
                continue
            yield np.frombuffer(buf, np.uint8, cuts[-1]), cuts, base
            rest = end - cuts[-1]
            turn = (turn + 1) % 4
            if turn == len(ring):
                ring.append(mmap.mmap(-1, BLOCK_BYTES))
            old = buf  # the block just yielded may still be in use: the next one goes into another buffer
            buf = ring[turn] if rest < len(ring[turn]) // 2 else mmap.mmap(-1, 2 * rest)
            buf[:rest] = old[cuts[-1]:end]
            tail, base = rest, base + cuts[-1]
    except (OSError, EOFError, lzma.LZMAError, zlib.error) as e:
        raise CorpusError(f"{path}: cannot read the file ({e}); is it truncated or corrupt?") from None
    finally:
        f.close()
