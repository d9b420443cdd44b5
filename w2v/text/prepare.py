"""Prepare a corpus once: read and tokenise it into an encoded corpus (``w2v.text.encoded``), cached on disk.

:func:`prepare_corpus` is what ``fit`` calls for a corpus given as a path, and what ``w2v prepare`` runs:

* A file or directory read with the default ``"whitespace"`` tokenizer goes through the numba byte tokenizer
  of ``w2v.text.ingest`` (one thread per worker); other tokenizers read the text in Python (nltk), more slowly.
  Either way the result is the same kind of encoded corpus, with the vocabulary of all its words.
* Without ``output`` the result goes to a cache, ``$W2V_CACHE`` (default ``~/.cache/w2v/corpora``), under a key
  made of the source's identity (resolved path, size, modification times, a hash of the head and tail of
  each file) and the reading options. A second ``fit`` of the same corpus, with any other hyperparameters,
  opens the cache instead of reading the text; a cache that fails its checks (truncated, corrupt, another
  version) is rebuilt with a warning, and a changed source gets a new key (the old entry is removed).
* Token lists in memory are encoded in memory (nothing is cached).

Example
-------
>>> import w2v
>>> corpus = w2v.prepare_corpus("corpus.txt", workers=2)  # doctest: +SKIP
>>> model = w2v.Word2Vec(min_count=5).fit(corpus)  # doctest: +SKIP
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
import time
import weakref
from collections import deque
from pathlib import Path

import numpy as np

from ..config import DEFAULT_TOKENIZER, Config
from .corpus import ENCODING_ERRORS, as_corpus, corpus_files, encode_blocks, fingerprint
from .encoded import FORMAT, META_FILE, SUFFIX, VERSION, EncodedCorpus, Writer, bounds_of
from ..errors import ConfigError, CorpusError, SaveError, check_count, empty_corpus
from ..files import is_compressed
from ..progress import tqdm
from .vocab import count_words, frequency_order

logger = logging.getLogger(__name__)

CACHE_ENV = "W2V_CACHE"
DEFAULT_CACHE = Path("~/.cache/w2v/corpora")
DEFAULT_MAX_SENTENCE_LENGTH = Config.__dataclass_fields__["max_sentence_length"].default


def cache_dir() -> Path:
    """Where prepared corpora are cached: ``$W2V_CACHE``, else ``~/.cache/w2v/corpora``."""
    return Path(os.environ.get(CACHE_ENV) or DEFAULT_CACHE).expanduser()


def is_prepared(path) -> bool:
    """True for a directory holding an encoded corpus (``w2v prepare``'s output)."""
    p = Path(path)
    return p.is_dir() and (p / META_FILE).is_file()


def source_identity(path) -> dict:
    """A corpus file's or directory's identity: resolved path, size, newest modification time and the hash of
    each file's head and tail (``corpus.fingerprint``)."""
    p = Path(path)
    files = corpus_files(p)
    try:
        mtime = max(f.stat().st_mtime_ns for f in files)
    except FileNotFoundError:
        raise CorpusError(f"corpus file not found: {p}") from None
    return {"path": str(p.resolve()), **fingerprint(p), "mtime_ns": mtime}


def _cache_path(source: dict, options: dict) -> Path:
    """``NAME-PATHHASH-OPTIONSHASH-SOURCEHASH.w2vcorpus``: entries that differ only in the last hash were made
    from earlier states of the same file with the same options."""
    def digest(x) -> str:
        return hashlib.sha256(json.dumps(x, sort_keys=True).encode()).hexdigest()[:10]
    name = "".join(c for c in Path(source["path"]).name.split(".")[0][:40] if c.isalnum() or c in "_-") or "corpus"
    return cache_dir() / f"{name}-{digest(source['path'])}-{digest([FORMAT, VERSION, options])}-{digest(source)}{SUFFIX}"


def prepare_corpus(corpus, output=None, *, tokenizer: str = DEFAULT_TOKENIZER, lowercase: bool = False,
                   encoding_errors: str = "replace", max_sentence_length: int = DEFAULT_MAX_SENTENCE_LENGTH,
                   max_vocab_size: int | None = None, workers: int | None = None, progress: bool = True,
                   client=None, cache_optional: bool = True) -> EncodedCorpus:
    """Read and encode a corpus once; returns an :class:`~w2v.text.encoded.EncodedCorpus` to train on (``fit``
    accepts it, or the directory it was written to).

    Parameters
    ----------
    corpus : path, EncodedCorpus, or token lists
        A text file (plain/.gz/.bz2/.xz, one sentence per line or text8-style), a directory of them, a prepared
        corpus directory (opened and checked), or sentences in memory.
    output : path, optional
        Write the encoded corpus to this directory (conventionally ``NAME.w2vcorpus``) instead of the cache.
    tokenizer, lowercase, encoding_errors, max_sentence_length
        How the text is read (see ``w2v.text.corpus.LineSentence``); part of the cache key.
    max_vocab_size : int, optional
        Prune rare words during the count to bound memory (word2vec.c's ReduceVocab); part of the cache key.
    workers : int, optional
        Threads for the byte tokenizer (default: all cores).
    progress : bool
        tqdm bars for the passes over the text.
    client : dask.distributed.Client, optional
        Count and encode a text file read with the whitespace tokenizer on this Dask cluster's workers
        (map: each worker counts, then encodes, parts of the files, which must be on storage they all read;
        reduce: the driver merges the counts and writes the parts in order); the result is the same corpus.
    cache_optional : bool
        Without ``output``, a cache that cannot be written (``$W2V_CACHE`` a file, read-only, full) makes a
        private temporary copy instead, with a warning (the default: training needs a corpus, not a cache);
        False refuses, as ``w2v prepare`` does, whose result is the cache entry.

    Example
    -------
    >>> corpus = prepare_corpus("corpus.txt.xz", "corpus.w2vcorpus")  # doctest: +SKIP
    >>> corpus.n_words, corpus.words[:3]  # doctest: +SKIP
    (4970000, ['the', 'of', 'and'])
    """
    if isinstance(corpus, EncodedCorpus):
        return corpus
    if isinstance(corpus, (str, os.PathLike)) and is_prepared(corpus):
        return EncodedCorpus.open(corpus)
    check_count("max_sentence_length", max_sentence_length, optional=False)
    if encoding_errors not in ENCODING_ERRORS:
        raise ConfigError(f"encoding_errors must be one of {', '.join(ENCODING_ERRORS)}, got {encoding_errors!r}")
    workers = workers or os.cpu_count() or 1
    options = {"tokenizer": tokenizer, "lowercase": bool(lowercase), "encoding_errors": encoding_errors,
               "max_sentence_length": max_sentence_length, "max_vocab_size": max_vocab_size}
    if not isinstance(corpus, (str, os.PathLike)):
        return _in_memory(as_corpus(corpus), options, progress)
    path = Path(corpus)
    if not path.exists():
        raise CorpusError(f"corpus file not found: {path}")
    as_corpus(path, tokenizer=tokenizer)  # one check of the path and the tokenizer name
    source = source_identity(path)
    target = Path(output) if output is not None else _cache_path(source, options)
    found = cached_entry(target, {"source": source, "options": options}) if output is None else None
    if found is not None:
        return found
    t0 = time.monotonic()

    def encode(target: Path) -> EncodedCorpus:
        with Writer(target) as writer:
            words, counts, first, blocks = _passes(path, options, workers, progress, client, writer)
            for ids, lengths in blocks():
                writer.add(ids, lengths)
            return writer.finish(words, counts, first, {"source": source, "options": options})

    try:
        prepared = encode(target)
    except SaveError as e:
        if output is not None or client is not None or not cache_optional:
            raise  # the file asked for is the request itself (and a cluster's workers need a shared place)
        prepared = _private_copy(encode, e)
        target = prepared.path
    secs = time.monotonic() - t0
    logger.info("prepared %s: %s words, %s distinct, in %.1fs (%.1fM words/s) -> %s", path, f"{prepared.n_words:,}",
                f"{len(prepared.words):,}", secs, prepared.n_words / max(secs, 1e-9) / 1e6, target)
    if output is None and not getattr(prepared, "private", False):
        _remove_older_entries(target)
    return prepared


def _in_memory(sentences, options: dict, progress: bool) -> EncodedCorpus:
    """Sentences in memory (token lists) encoded into an in-memory :class:`EncodedCorpus`."""
    words, counts, first, blocks = _python_passes(sentences, options, progress)
    ids, lengths = [], []
    for i, n in blocks():
        ids.append(i)
        lengths.append(n)
    ids = np.concatenate(ids) if ids else np.zeros(0, np.int32)
    bounds = bounds_of(np.concatenate(lengths) if lengths else np.zeros(0, np.int64))
    return EncodedCorpus.from_arrays(ids, bounds, words, counts, first, {"options": options})


def cached_entry(target: Path, meta: dict) -> EncodedCorpus | None:
    """The cache entry ``target`` when its metadata holds ``meta`` (what it was made from, and how); None when
    there is none, or when it must be rebuilt (said in the log): a damaged or foreign entry is never trained on."""
    if not target.exists():
        return None
    try:
        found = EncodedCorpus.open(target)
        if all(found.meta.get(k) == v for k, v in meta.items()):
            logger.info("using the prepared corpus %s", target)
            return found
        raise CorpusError(f"{target}: made from another corpus or with other options")
    except CorpusError as e:
        logger.warning("rebuilding the cached corpus: %s", e)
        return None


def _passes(path: Path, options: dict, workers: int, progress: bool, client, writer=None):
    """The passes over a file, by its tokenizer: the numba byte tokenizer (on a Dask cluster with a ``client``) or
    nltk in Python; ``(words, counts, first, blocks)``, the ``blocks`` still to write (the byte tokenizer may
    have written the corpus to ``writer`` already)."""
    if options["tokenizer"] == DEFAULT_TOKENIZER and client is not None:
        return _cluster_passes(path, options, client, progress)
    if options["tokenizer"] == DEFAULT_TOKENIZER:
        return _byte_passes(path, options, workers, progress, writer)
    sentences = as_corpus(path, tokenizer=options["tokenizer"], lowercase=options["lowercase"],
                          max_sentence_length=options["max_sentence_length"],
                          encoding_errors=options["encoding_errors"])
    return _python_passes(sentences, options, progress)


def _private_copy(encode, error: SaveError) -> EncodedCorpus:
    """The cache is an optimisation, never a precondition: when it cannot be written, encode the corpus into a
    private temporary directory instead (removed when the corpus object goes, or at exit), with one warning."""
    logger.warning("%s; training from a temporary copy instead (set %s to a writable directory to keep the "
                   "prepared corpus for the next run)", str(error).split(";")[0], CACHE_ENV)
    folder = Path(tempfile.mkdtemp(prefix="w2v-corpus-"))
    try:
        prepared = encode(folder / f"corpus{SUFFIX}")
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    prepared.private = True
    weakref.finalize(prepared, shutil.rmtree, folder, True)
    return prepared


def vocabulary_of(table, path: Path, options: dict):
    """From the byte tokens counted (``tables.Table``): the words in id order (most frequent first), their
    counts and first positions, and each byte token's word ids (what ``ingest.encode_file`` writes)."""
    from . import ingest
    words, counts, first, token_words = ingest.decode_tokens(table, path, options["lowercase"],
                                                             options["encoding_errors"])
    if not words:
        raise empty_corpus(path)
    order = frequency_order(words, counts)
    rank = np.empty(len(order), np.int32)
    rank[order] = np.arange(len(order), dtype=np.int32)
    return [words[i] for i in order], counts[order], first[order], token_words._replace(ids=rank[token_words.ids])


def _byte_passes(path: Path, options: dict, workers: int, progress: bool, writer=None):
    """The numba byte tokenizer. Without pruning, and given a ``writer``, one pass counts and writes provisional
    ids, mapped to word ids in place once the vocabulary is known; it reads the text again only when a token is
    not exactly one word (Unicode whitespace inside it) or a thread's table outgrows 32-bit ids."""
    from . import ingest  # numba: only when a file is read this way
    files = corpus_files(path)
    total = sum(f.stat().st_size for f in files)
    table, written = None, False
    if writer is not None and options["max_vocab_size"] is None:
        try:
            with tqdm(total=total, unit="B", unit_scale=True, desc="reading", disable=not progress) as bar:
                table, entry_of = ingest.count_and_write(files, workers, options["max_sentence_length"], writer.add,
                                                         bar.update)
            written = True
        except ingest.TooManyTokens as e:
            logger.info("reading %s in two passes: %s", path, e)
            writer.restart()
    if not written:
        with tqdm(total=total, unit="B", unit_scale=True, desc="counting words", disable=not progress) as bar:
            table = ingest.count_tables(files, workers, options["max_vocab_size"], bar.update)
    words, counts, first, token_words = vocabulary_of(table, path, options)
    if written:
        if (token_words.lengths == 1).all():
            writer.map_ids(token_words.ids[entry_of])
            return words, counts, first, lambda: iter(())
        logger.info("reading %s again: a token holds Unicode whitespace", path)
        writer.restart()

    def blocks():
        with tqdm(total=total, unit="B", unit_scale=True, desc="encoding", disable=not progress) as bar:
            yield from ingest.encode_file(files, table, token_words, options["max_sentence_length"], workers,
                                         bar.update)
    return words, counts, first, blocks


PART_BYTES = 64 << 20  # a cluster's workers count and encode the files in parts of about this size


def _cluster_passes(path: Path, options: dict, client, progress: bool):
    """``_byte_passes`` on a Dask cluster (``client``): the counting is a map over parts of the files (plain files
    cut by ``pieces.part_cuts``, a compressed file is one part) and a reduce on the driver; the encoding maps the
    parts again, at most two per worker at a time, and yields them in order."""
    from . import ingest
    from .pieces import part_cuts
    files = corpus_files(path)
    parts = []  # (file number, start, end)
    for i, f in enumerate(files):
        if is_compressed(f):
            parts.append((i, 0, None))
        else:
            cuts = part_cuts(f, PART_BYTES)
            parts += [(i, a, b) for a, b in zip(cuts[:-1], cuts[1:])]
    total = sum(f.stat().st_size for f in files)
    nbytes = [(b if b is not None else files[i].stat().st_size) - a for i, a, b in parts]
    _check_visible(client, files)
    # asked of the scheduler: scheduler_info()'s cached copy is at times one that lists no workers
    nthreads = client.nthreads()
    n_workers, threads = max(1, len(nthreads)), max(1, min(nthreads.values(), default=1))
    with tqdm(total=total, unit="B", unit_scale=True, desc="counting words (cluster)", disable=not progress) as bar:
        futures = [client.submit(ingest.count_part, str(files[i]), a, b, options["max_vocab_size"], threads,
                                 pure=False) for i, a, b in parts]
        counted = []
        for n, fut in enumerate(futures):
            counted.append(fut.result())
            bar.update(nbytes[n])
    # a token's first position counts over the files in order, as one process reads them (decompressed sizes)
    size = {}
    for (i, a, b), (_, seen) in zip(parts, counted):
        size[i] = max(size.get(i, 0), a + seen)
    offset = np.concatenate([[0], np.cumsum([size[i] for i in range(len(files))])])
    for (i, a, b), (table, _) in zip(parts, counted):
        table.first[: table.n] += offset[i]
    table = ingest.merge_tables([t for t, _ in counted], options["max_vocab_size"])
    del counted, futures
    words, counts, first, token_words = vocabulary_of(table, path, options)
    table_f = client.scatter([(table, token_words)], broadcast=True, hash=False)[0]

    def blocks():
        with tqdm(total=total, unit="B", unit_scale=True, desc="encoding (cluster)", disable=not progress) as bar:
            pending: deque = deque()  # parts in flight, in file order: at most two per worker
            for n, (i, a, b) in enumerate(parts):
                pending.append((client.submit(ingest.encode_part, table_f, str(files[i]), a, b,
                                              options["max_sentence_length"], threads, pure=False), nbytes[n]))
                while pending and (len(pending) >= 2 * n_workers or n == len(parts) - 1):
                    fut, done = pending.popleft()
                    yield fut.result()
                    bar.update(done)
    return words, counts, first, blocks


def _check_visible(client, files) -> None:
    """Refuse, naming the file, a corpus that a worker cannot read (it must be on storage they all share)."""
    sizes = [f.stat().st_size for f in files]
    seen = client.run(_sizes, [str(f) for f in files])
    for worker, found in seen.items():
        for f, want, got in zip(files, sizes, found):
            if got != want:
                raise CorpusError(f"the Dask worker {worker} cannot read {f} as the driver does "
                                  f"({'missing' if got is None else f'{got} bytes'}, not {want}): put the corpus "
                                  "on storage every worker reads")


def _sizes(paths: list) -> list:
    return [os.path.getsize(p) if os.path.isfile(p) else None for p in paths]


def _python_passes(sentences, options: dict, progress: bool):
    with tqdm(unit="word", unit_scale=True, desc="counting words", disable=not progress) as bar:
        found, total = count_words(sentences, options["max_vocab_size"], bar.update)
    if total == 0:
        raise empty_corpus()
    words, counts = list(found), np.fromiter(found.values(), np.int64, len(found))
    order = frequency_order(words, counts)
    words = [words[i] for i in order]
    key_to_index = {w: i for i, w in enumerate(words)}

    def blocks():
        return encode_blocks(sentences, key_to_index, options["max_sentence_length"])
    return words, counts[order], order, blocks


def _remove_older_entries(target: Path) -> None:
    """Remove the cache entries of the same path and options made from an earlier state of the file (they share
    the name up to the last hash, which is the source's)."""
    prefix = target.name[: -len(SUFFIX)].rsplit("-", 1)[0] + "-"
    for other in target.parent.glob(prefix + "*" + SUFFIX):
        if other != target:
            logger.info("removing the outdated cached corpus %s", other)
            shutil.rmtree(other, ignore_errors=True)
