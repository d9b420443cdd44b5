"""Where a vectors file's bytes and rows live while it is read: ``Blocks``, the file read (or decompressed) a block
ahead by a thread, and ``Rows``, the vectors filled a block of rows at a time into their final array.

Example
-------
>>> import io
>>> from concurrent.futures import ThreadPoolExecutor
>>> with ThreadPoolExecutor(1) as pool:
...     blocks = Blocks(io.BytesIO(b"2 3\\nking ..."), pool)
...     blocks.first_line(100)[:4]
b'2 3\\n'
"""
from __future__ import annotations

import ctypes
import functools
import mmap
import time

import numpy as np

from ..errors import FormatError

BLOCK_BYTES = 4 << 20         # bytes read at a time: large enough for the parsers, small beside the vectors
CHUNK_BYTES = 32 << 20        # rows arrive in chunks of this size when their number is not known
PREFAULT_AHEAD = 128 << 20    # how far ahead of the parser the rows' pages are faulted in


class Blocks:
    """The file's bytes block by block, the next block read (or decompressed: zlib, bz2 and lzma release the GIL)
    by a thread while this one is parsed. ``take()`` returns everything not yet consumed plus one more block.

    Each block is read into a buffer with ``RESERVE`` bytes free in front, where the unconsumed end of the previous
    block (a record cut by the block boundary) is copied: the block itself is never copied again (joining the two
    cost as much as parsing a binary block). ``take()`` then returns a memoryview of that buffer."""

    RESERVE = 64 << 10  # longer leftovers (a text line of 64 KiB) are joined to the block instead

    def __init__(self, f, pool):
        self.f, self.pool = f, pool
        self.buf = b""
        self.eof = False
        self.next = pool.submit(self._read)

    def _read(self) -> tuple[bytearray, int]:
        block = bytearray(self.RESERVE + BLOCK_BYTES)  # calloc: its pages fault in here, in the reading thread
        return block, self.f.readinto(memoryview(block)[self.RESERVE:])

    def _next_view(self) -> memoryview | None:
        """What is left plus the next block, or None at the end of the file (what is left stays in ``buf``)."""
        block, n = self.next.result()
        if not n:
            self.eof, self.next = True, None
            return None
        self.next = self.pool.submit(self._read)
        left, self.buf = self.buf, b""
        if len(left) <= self.RESERVE:
            start = self.RESERVE - len(left)
            block[start:self.RESERVE] = left
            return memoryview(block)[start:self.RESERVE + n]
        return memoryview(left + block[self.RESERVE:self.RESERVE + n])

    def _pull(self) -> bool:
        view = None if self.eof else self._next_view()
        if view is not None:
            self.buf = bytes(view)
        return view is not None

    def first_line(self, longest: int) -> bytes:
        """At least the first line (or all of a shorter file, or ``longest`` bytes), without consuming it."""
        while b"\n" not in self.buf and len(self.buf) <= longest and self._pull():
            pass
        return self.buf

    def peek(self) -> bytes:
        while len(self.buf) < (1 << 20) and self._pull():
            pass
        return self.buf

    def consume(self, n: int) -> None:
        self.buf = self.buf[n:]

    def take(self) -> bytes | memoryview | None:
        """What is left plus the next block (a memoryview, or bytes at the end), or None once nothing is left."""
        view = None if self.eof else self._next_view()
        if view is not None:
            return view
        out, self.buf = self.buf, b""
        return out if out else None

    def give_back(self, rest) -> None:
        self.buf = bytes(rest) + self.buf

    def stop(self) -> None:
        if self.next is not None:
            self.next.cancel()


class MappedBlocks:
    """``Blocks`` for an uncompressed file: views of the file's own pages (a read-only mapping) instead of copies.

    Nothing is read into a buffer: a block is the next ``BLOCK_BYTES`` of the mapping, and what a parser gives
    back simply stays in view for the next ``take()``. The pages behind the parser are dropped from this process
    (the page cache keeps them), so the memory held is a few blocks, as with ``Blocks``. (Mapping the pages in
    ahead from a thread, MADV_POPULATE_READ, made no measurable difference: the kernel maps 64 KiB a fault.)
    (A file truncated by another process while it is read ends this one with SIGBUS, as with any mapped file.)"""

    def __init__(self, f, pool=None):
        self.map = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        self.size, self.pos, self.end, self.dropped = len(self.map), 0, 0, 0
        self.eof = self.size == 0

    def first_line(self, longest: int) -> bytes:
        nl = self.map.find(b"\n", self.pos, self.pos + longest + 1)
        return self.map[self.pos:(nl + 1 if nl >= 0 else min(self.size, self.pos + longest + 1))]

    def peek(self) -> bytes:
        return self.map[self.pos:self.pos + (1 << 20)]

    def consume(self, n: int) -> None:
        self.pos += n

    def take(self) -> memoryview | None:
        """What is left plus the next block, or None once nothing is left."""
        if self.pos >= self.size:
            self.eof = True
            return None
        cut = self.pos - self.pos % mmap.PAGESIZE
        if cut - self.dropped >= BLOCK_BYTES:  # the parser is done with these pages
            self.map.madvise(mmap.MADV_DONTNEED, self.dropped, cut - self.dropped)
            self.dropped = cut
        start, self.end = self.pos, min(self.size, max(self.end, self.pos) + BLOCK_BYTES)
        self.pos, self.eof = self.end, self.end == self.size  # all of it is taken; give_back returns the rest
        return memoryview(self.map)[start:self.end]

    def give_back(self, rest) -> None:
        self.pos = self.end - len(rest)

    def stop(self) -> None:
        try:
            self.map.close()
        except BufferError:  # a view of it is still alive: it closes when that goes
            pass


class Rows:
    """The vectors being read, filled a block of rows at a time: ``target(k)`` is where the next k rows go,
    ``commit(k)`` counts them in.

    When the number of rows is known (a header, or ``limit``), they are one mapping of address space, which a
    thread faults in a little ahead of the parser (``prefault``: a page fault per 4 KiB page took longer than
    reading the file); pages are only ever faulted in for rows that arrive, so a small compressed file whose
    header claims 10^9 words costs nothing but a refusal at its end. A claim larger than the address space the
    system grants (or a headerless file) gets chunks of ``CHUNK_BYTES`` instead, which ``result`` moves into one
    array chunk by chunk, freeing each as it goes: the peak is the vectors plus one chunk.
    """

    def __init__(self, want: int | None, d: int, dtype, bound: int | None):
        self.n, self.d, self.dtype = 0, d, np.dtype(dtype)
        self.row_bytes = d * self.dtype.itemsize
        self.stopped = False
        self.chunks: list[np.ndarray] = []  # full chunks, then the one being filled
        self.used = 0                        # rows of the last chunk in use
        self.fixed = False
        if want is not None:
            rows = max(want if bound is None else min(want, bound), 1)
            try:
                self.data = _mapped((rows, d), self.dtype)
                self.fixed = True
            except (OSError, MemoryError, ValueError, OverflowError):  # more than the address space granted
                pass

    def target(self, k: int) -> np.ndarray:
        """A (k, d) array for the next k rows, in place where possible (write, then ``commit``)."""
        if self.fixed:
            if self.n + k > len(self.data):  # never: the readers stop at the rows announced
                raise AssertionError("more rows than announced")
            return self.data[self.n:self.n + k]
        if not self.chunks or self.used + k > len(self.chunks[-1]):
            if self.chunks:
                self.chunks[-1] = self.chunks[-1][:self.used]
            self.chunks.append(_mapped((max(k, CHUNK_BYTES // self.row_bytes), self.d), self.dtype))
            self.used = 0
        return self.chunks[-1][self.used:self.used + k]

    def commit(self, k: int) -> None:
        self.n += k
        if not self.fixed:
            self.used += k

    def set(self, target: np.ndarray, i: int, values, path, where: str, word: str) -> None:
        """Row i of ``target`` from values parsed in Python, checked finite after the cast."""
        with np.errstate(over="ignore", invalid="ignore"):
            target[i] = values
        if not np.isfinite(target[i]).all():  # after the cast: 1e39 overflows float32 to infinity
            raise FormatError(f"{path}: {where}: the vector of {word!r} holds NaN, infinity or a value too large "
                              f"for {self.dtype.name}")

    def check_finite(self, target: np.ndarray, path, where, words) -> None:
        with np.errstate(over="ignore", invalid="ignore"):
            total = np.add.reduce(target, axis=None)  # NaN and infinity carry into the sum; one pass, no mask
        if not np.isfinite(total) and not np.isfinite(target).all():  # (or finite values whose sum overflows)
            i = int(np.argmin(np.isfinite(target).all(axis=1)))
            self.set(target, i, target[i].copy(), path, where(i), words[i])

    def prefault(self, pool) -> None:
        """Fault the mapped rows' pages in from a pool thread while the reader fills them: MADV_POPULATE_WRITE
        (Linux 5.14) leaves what is already written as it is, so it can run behind or ahead of the parser; ctypes
        releases the GIL for the call. Elsewhere the pages fault in as rows are written."""
        madvise = _libc_madvise()
        if not self.fixed or madvise is None:
            return
        base, size, step = self.data.ctypes.data, self.data.nbytes, 16 << 20

        def run():
            for off in range(0, size, step):
                while off > self.n * self.row_bytes + PREFAULT_AHEAD and not self.stopped:
                    time.sleep(0.002)  # no further ahead than the rows that arrive (a header may lie)
                if self.stopped or madvise(base + off, min(step, size - off), _MADV_POPULATE_WRITE) != 0:
                    return
        pool.submit(run)

    def result(self) -> np.ndarray:
        if self.fixed:
            return self.data[:self.n]
        if self.chunks:
            self.chunks[-1] = self.chunks[-1][:self.used]
        out = _mapped((self.n, self.d), self.dtype)
        start = 0
        while self.chunks:
            chunk = self.chunks.pop(0)
            out[start:start + len(chunk)] = chunk
            start += len(chunk)
            del chunk  # freed before the next is copied
        return out


def _mapped(shape, dtype) -> np.ndarray:
    """An uninitialised array in its own anonymous mapping: freed, it goes back to the system at once."""
    size = int(shape[0]) * int(shape[1]) * np.dtype(dtype).itemsize  # Python ints: a claim cannot overflow
    if size < CHUNK_BYTES:
        return np.empty(shape, dtype)
    return np.frombuffer(mmap.mmap(-1, size), dtype).reshape(shape)


_MADV_POPULATE_WRITE = 23  # Linux 5.14; older kernels refuse it (EINVAL) and pages fault in as written



@functools.cache
def _libc_madvise():
    try:
        fn = ctypes.CDLL(None, use_errno=True).madvise
    except (OSError, AttributeError):
        return None
    fn.argtypes, fn.restype = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int], ctypes.c_int
    return fn
