"""Atomic saves, their stale temporaries, and the lock a run holds on its directory.

Every save is atomic: written to a temporary file in the same directory, flushed, fsynced, then renamed over
the target. A crash mid-save leaves the previous file intact, and the next save of the same name (or
:func:`discard`) removes the killed save's temporary.

Example
-------
>>> from w2v.files import atomic_write
>>> with atomic_write("runs/w2v/notes.txt", "w") as f:  # doctest: +SKIP
...     f.write("done")
"""
from __future__ import annotations

import contextlib
import glob
import os
import tempfile
from pathlib import Path

from ..errors import FormatError, SaveError, W2VError

LOCK_FILE = ".w2v.lock"  # held while a process writes the directory (directory_lock)


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
