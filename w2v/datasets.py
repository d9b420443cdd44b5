"""Public corpora by name: download once into a cache, verify the checksum, resume broken downloads.

The cache is ``$W2V_DATA`` when set, else ``$XDG_CACHE_HOME/w2v`` (``~/.cache/w2v``). A download goes to
``NAME.part`` first; if it breaks off, the next call asks the server for the rest (an HTTP ``Range``
request) instead of starting again. The finished file is checked against its published SHA-256 before it
takes its final name, so a file in the cache is always whole and correct.

Example
-------
>>> from w2v import datasets
>>> path = datasets.fetch("text8")  # doctest: +SKIP
>>> sorted(datasets.DATASETS)
['text8']
"""
from __future__ import annotations

import hashlib
import http.client
import logging
import os
import socket
import urllib.error
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path


from .errors import W2VError
from .progress import tqdm

logger = logging.getLogger(__name__)

# the shipped corpus and evaluation sets: inside the package when installed from a wheel (setup.py copies them
# there), else in the checkout's corpora/ (an editable install)
_PACKAGED = Path(__file__).resolve().parent / "data"
CORPORA = _PACKAGED if _PACKAGED.is_dir() else Path(__file__).resolve().parent.parent / "corpora"
STARTER = CORPORA / "starter.txt.xz"  # the training corpus `w2v train` uses when given none
# epochs on the starter corpus: CBOW with negative sampling, 25 epochs gave 16.9% questions-words accuracy in
# 23 s on 2 cores (5 epochs: 5.5%; skip-gram 20 epochs: 12.6% in 34 s)
STARTER_EPOCHS = 25

_CHUNK = 1 << 16
_TIMEOUT = 30.0  # seconds without data before a download counts as broken


class DatasetError(W2VError):
    """A dataset could not be downloaded or failed its checksum."""


@dataclass(frozen=True)
class Dataset:
    """Where a corpus lives and how to check it.

    ``sha256`` is the digest of the corpus file itself: of the download, or of ``member`` when the
    download is a zip archive holding it. ``size`` and ``member_size`` are the exact byte counts: a server
    that sends more (an endless body, a zip bomb) is cut off there instead of filling the disk.
    """
    name: str
    url: str
    sha256: str
    description: str
    size: int                       # bytes of the download
    member: str | None = None       # file inside the downloaded zip archive
    member_size: int | None = None  # bytes of that file

    @property
    def filename(self) -> str:
        return self.member or self.url.rsplit("/", 1)[-1]


DATASETS = {
    "text8": Dataset(
        "text8", "http://mattmahoney.net/dc/text8.zip",
        "6e890197040d37d85beb962ae1f041ff1d9a9ca8d20c7d99c85027eebf51dca7",
        "first 10^8 bytes of English Wikipedia (2006), cleaned to lowercase a-z words: 17M words "
        "(Matt Mahoney; the usual public word2vec benchmark corpus)",
        size=31_344_016, member="text8", member_size=100_000_000),
}


def cache_dir() -> Path:
    """The directory datasets are kept in (created on demand)."""
    if os.environ.get("W2V_DATA"):
        return Path(os.environ["W2V_DATA"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "w2v"


def fetch(name: str, directory=None, progress: bool = True, registry: dict | None = None) -> Path:
    """Path of dataset ``name`` in the cache, downloading and verifying it first if needed.

    Parameters
    ----------
    name : str
        A key of :data:`DATASETS` (``"text8"``).
    directory : path, optional
        Cache directory (default :func:`cache_dir`).
    progress : bool
        Show a tqdm bar while downloading.

    Raises
    ------
    DatasetError
        Unknown name, no network, a broken-off download (run again to resume) or a checksum mismatch.
    """
    registry = DATASETS if registry is None else registry
    if name not in registry:
        raise DatasetError(f"unknown dataset {name!r}: choose one of {', '.join(sorted(registry))}")
    ds = registry[name]
    root = Path(directory) if directory is not None else cache_dir()
    root.mkdir(parents=True, exist_ok=True)
    final = root / ds.filename
    if final.is_file():
        return final
    download = root / (ds.url.rsplit("/", 1)[-1])
    part = download.with_name(download.name + ".part")
    _download(ds, part, progress)
    if ds.member:
        candidate = root / (ds.filename + ".extracting")
        _extract(part, ds.member, candidate, ds)
        part.unlink()
    else:
        candidate = part
    digest = sha256_of(candidate)
    if digest != ds.sha256:
        candidate.unlink()
        raise DatasetError(f"{ds.name}: checksum mismatch (expected sha256 {ds.sha256}, got {digest}); the bad "
                           f"file was removed, run again to download it afresh")
    candidate.replace(final)
    logger.info("%s ready at %s", ds.name, final)
    return final


def sha256_of(path) -> str:
    """Hex SHA-256 of a file, read in chunks."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _download(ds: Dataset, part: Path, progress: bool) -> None:
    """Fetch ``ds.url`` into ``part``, continuing from its current length when the server allows; never more
    than ``ds.size`` bytes, and never through a symbolic link planted at ``part``."""
    if part.is_symlink():
        raise DatasetError(f"{part} is a symbolic link; refusing to download through it (remove it and run again)")
    have = part.stat().st_size if part.exists() else 0
    if have >= ds.size:
        return
    request = urllib.request.Request(ds.url, headers={"User-Agent": "w2v", **({"Range": f"bytes={have}-"} if have else {})})
    try:
        response = urllib.request.urlopen(request, timeout=_TIMEOUT)
    except urllib.error.HTTPError as e:
        if e.code == 416 and have:  # nothing left to send: the part file is complete
            return
        reason = " ".join(str(e.reason).split())  # a redirect loop's reason spans several lines
        raise DatasetError(f"cannot download {ds.name} from {ds.url}: HTTP {e.code} {reason}") from None
    except (urllib.error.URLError, socket.timeout, OSError) as e:
        reason = " ".join(str(getattr(e, "reason", e)).split())
        raise DatasetError(f"cannot reach {ds.url} to download {ds.name} ({reason}): are you offline? Connect "
                           f"and run again, or download it yourself into {part.parent}") from None
    with response:
        resumed = response.status == 206
        if have and not resumed:
            logger.info("%s: the server does not resume downloads; starting again", ds.name)
            have = 0
        length = response.headers.get("Content-Length")
        total = have + int(length) if length is not None and length.isdigit() else None
        if total is not None and total > ds.size:
            raise DatasetError(f"{ds.url} announces {total:,} bytes but {ds.name} has {ds.size:,}; refusing it")
        flags = os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW | (os.O_APPEND if resumed else os.O_TRUNC)
        try:
            fd = os.open(part, flags, 0o644)
        except OSError as e:
            raise DatasetError(f"cannot write {part}: {e.strerror or e}") from None
        with os.fdopen(fd, "ab" if resumed else "wb") as f, \
                tqdm(total=ds.size, initial=have, unit="B", unit_scale=True, desc=f"downloading {ds.name}",
                     disable=not progress, leave=False) as bar:
            got = have
            try:
                for block in iter(lambda: response.read(_CHUNK), b""):
                    got += len(block)
                    if got > ds.size:
                        f.truncate(0)
                        raise DatasetError(f"{ds.url} sent more than the {ds.size:,} bytes of {ds.name}; the "
                                           "download was stopped and removed")
                    f.write(block)
                    bar.update(len(block))
            except (OSError, socket.timeout, http.client.HTTPException) as e:
                raise DatasetError(f"the download of {ds.name} broke off ({e}); run again to resume it") from None
    got = part.stat().st_size
    if total is not None and got < total:
        raise DatasetError(f"the download of {ds.name} broke off at {got:,} of {total:,} bytes; run again to "
                           f"resume it")


def _extract(archive: Path, member: str, out: Path, ds: Dataset) -> None:
    """Copy ``member`` out of the downloaded zip, never more than ``ds.member_size`` bytes (a zip bomb stops)."""
    limit = ds.member_size if ds.member_size is not None else ds.size * 1000
    try:
        with zipfile.ZipFile(archive) as z, z.open(member) as src, open(out, "wb") as dst:
            done = 0
            for block in iter(lambda: src.read(_CHUNK), b""):
                done += len(block)
                if done > limit:
                    raise DatasetError(f"{ds.name}: {member} in the download expands past its {limit:,} bytes; the "
                                       "download was removed, run again")
                dst.write(block)
    except (zipfile.BadZipFile, KeyError, DatasetError) as e:
        archive.unlink()
        out.unlink(missing_ok=True)
        if isinstance(e, DatasetError):
            raise
        raise DatasetError(f"{ds.name}: the download is not a zip holding {member!r} ({e}); it was removed, "
                           f"run again") from None
