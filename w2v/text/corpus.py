"""Re-iterable corpus streams: sentences as lists of tokens, read lazily from files.

* :class:`LineSentence` — one sentence per line in a plain, ``.gz``, ``.bz2`` or ``.xz`` file. A text8-style
  file (the whole corpus on one line) is the same thing with one enormous line: lines are read in bounded
  blocks and every line is split into chunks of ``max_sentence_length`` tokens, so nothing is ever cut off
  and memory stays bounded.
* :class:`DirectoryCorpus` — every file of a directory (sorted by name, so the order is reproducible).
* :func:`as_corpus` — turns a path, a list of token lists, or a re-iterable into a corpus, and refuses a
  one-shot generator when it must be read more than once.

Undecodable bytes: files are decoded as UTF-8 with ``errors="replace"`` by default, so a stray Latin-1 byte
becomes U+FFFD (a warning is logged once per file) instead of stopping a long run; pass
``encoding_errors="strict"`` to make it a :class:`CorpusError` naming the file.

Tokenizers come from nltk and need no downloaded data: ``"whitespace"`` (split on whitespace, for
pre-tokenised text like text8), ``"words"`` (letters only, a regexp), ``"wordpunct"``, ``"toktok"``,
``"treebank"``.

Example
-------
>>> from w2v.text.corpus import LineSentence
>>> corpus = LineSentence("corpus.txt.xz", tokenizer="words", lowercase=True)  # doctest: +SKIP
>>> next(iter(corpus))[:3]  # doctest: +SKIP
['in', 'the', 'beginning']
"""
from __future__ import annotations

import hashlib
import io
import logging
import lzma
import os
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence

import numpy as np

from ..config import DEFAULT_TOKENIZER, TOKENIZERS
from ..errors import ConfigError, CorpusError
from ..files import open_binary

logger = logging.getLogger(__name__)

ENCODING_ERRORS = ("replace", "ignore", "strict")  # what bytes that are not UTF-8 become: U+FFFD, nothing, an error
_BLOCK_CHARS = 1 << 20  # read at most this many characters at a time, even from a single-line file
_FINGERPRINT_BYTES = 1 << 20  # a corpus file's identity hashes this much of its head and of its tail


def get_tokenizer(name: str) -> Callable[[str], list[str]]:
    """Return a function ``str -> list[str]`` for one of :data:`TOKENIZERS` (all need no nltk data)."""
    if name == "whitespace":
        return str.split
    if name == "words":
        from nltk.tokenize import RegexpTokenizer
        return RegexpTokenizer(r"[^\W\d_]+(?:'[^\W\d_]+)?").tokenize
    if name == "wordpunct":
        from nltk.tokenize import WordPunctTokenizer
        return WordPunctTokenizer().tokenize
    if name == "toktok":
        from nltk.tokenize.toktok import ToktokTokenizer
        return ToktokTokenizer().tokenize
    if name == "treebank":
        from nltk.tokenize import TreebankWordTokenizer
        return TreebankWordTokenizer().tokenize
    raise ConfigError(f"unknown tokenizer {name!r}: choose one of {', '.join(TOKENIZERS)}")


def open_text(path, encoding_errors: str = "replace"):
    """Open a plain, .gz, .bz2 or .xz file for reading text as UTF-8."""
    raw = open_binary(path, CorpusError, "corpus file")
    return io.TextIOWrapper(raw, encoding="utf-8", errors=encoding_errors, newline=None)


class LineSentence:
    """Sentences from a text file, one per line, re-read on every iteration.

    Parameters
    ----------
    path : str or Path
        Plain text, or compressed with gzip (.gz), bzip2 (.bz2) or xz (.xz).
    tokenizer : str
        One of :data:`TOKENIZERS`; default ``"whitespace"``.
    lowercase : bool
        Lowercase each line before tokenising.
    max_sentence_length : int
        Lines longer than this many tokens are yielded as several consecutive chunks (never cut). A line
        longer than the read block (about a million characters, ``_BLOCK_CHARS``) is also cut at the last
        whitespace of each block, so a text8-style file of one 100 MB line becomes sentences of at most
        ``max_sentence_length`` words that end at block boundaries too; no token is ever split.
    encoding_errors : str
        ``"replace"`` (default, documented policy), ``"ignore"`` or ``"strict"``.
    limit : int, optional
        Read only the first ``limit`` lines.
    """

    def __init__(self, path, tokenizer: str = DEFAULT_TOKENIZER, lowercase: bool = False,
                 max_sentence_length: int = 10000, encoding_errors: str = "replace", limit: int | None = None):
        self.path = Path(path)
        self.tokenizer = tokenizer
        self.lowercase = lowercase
        self.max_sentence_length = int(max_sentence_length)
        self.encoding_errors = encoding_errors
        self.limit = limit
        self._tokenize = get_tokenizer(tokenizer)  # fail early on a bad name
        if self.max_sentence_length < 1:
            raise ConfigError(f"max_sentence_length must be >= 1, got {max_sentence_length}")
        if not self.path.exists():
            raise CorpusError(f"corpus file not found: {self.path}")
        if self.path.is_dir():
            raise CorpusError(f"{self.path} is a directory: use DirectoryCorpus")

    def __repr__(self):
        return f"LineSentence({str(self.path)!r}, tokenizer={self.tokenizer!r}, lowercase={self.lowercase})"

    def _lines(self) -> Iterator[str]:
        """Yield lines, but never more than ~1M characters at once: a longer line comes in pieces that are
        cut at whitespace (each piece then counts as a sentence of its own), so a token is never split."""
        carry = ""
        with open_text(self.path, self.encoding_errors) as f:
            try:
                while True:
                    block = f.readline(_BLOCK_CHARS)
                    if not block:
                        break
                    if block.endswith("\n") or len(block) < _BLOCK_CHARS:  # a whole line (or the last one)
                        yield carry + block
                        carry = ""
                        continue
                    # part of a long line: keep a trailing partial token for the next piece
                    text = carry + block
                    cut = max(text.rfind(" "), text.rfind("\t"))
                    if cut <= 0:
                        carry = text
                        continue
                    yield text[:cut]
                    carry = text[cut:]
            except UnicodeDecodeError as e:
                raise CorpusError(f"{self.path}: bytes that are not UTF-8 ({e.reason}); re-encode the file "
                                  "or use encoding_errors='replace'") from None
            except (OSError, EOFError, lzma.LZMAError) as e:
                raise CorpusError(f"{self.path}: cannot read the file ({e}); is it truncated or corrupt?") from None
        if carry:
            yield carry

    def __iter__(self) -> Iterator[list[str]]:
        n = self.max_sentence_length
        warned = False
        for i, line in enumerate(self._lines()):
            if self.limit is not None and i >= self.limit:
                break
            if not warned and "\ufffd" in line and self.encoding_errors == "replace":
                logger.warning("%s: undecodable bytes replaced by U+FFFD", self.path)
                warned = True
            if self.lowercase:
                line = line.lower()
            tokens = self._tokenize(line)
            for start in range(0, len(tokens), n):
                yield tokens[start:start + n]


class DirectoryCorpus:
    """Every file in a directory (recursively, sorted by path), each read as a :class:`LineSentence`.

    Hidden files are skipped. Keyword arguments go to :class:`LineSentence`.
    """

    def __init__(self, path, **kwargs):
        self.path = Path(path)
        if not self.path.is_dir():
            raise CorpusError(f"not a directory: {self.path}")
        self.kwargs = kwargs
        self.files = sorted(p for p in self.path.rglob("*")
                            if p.is_file() and not any(part.startswith(".") for part in p.relative_to(self.path).parts))
        if not self.files:
            raise CorpusError(f"directory {self.path} holds no files")

    def __repr__(self):
        return f"DirectoryCorpus({str(self.path)!r}, {len(self.files)} files)"

    def __iter__(self):
        for p in self.files:
            yield from LineSentence(p, **self.kwargs)


class TokenLists:
    """Wrap an in-memory list of token lists, checking its shape once (tokens must be strings)."""

    def __init__(self, sentences: Sequence[Sequence[str]]):
        for i, s in enumerate(sentences):
            if isinstance(s, str):
                raise CorpusError(f"sentence {i} is a string, not a list of tokens: split it first "
                                  "(for example with str.split)")
            for tok in s:
                if not isinstance(tok, str):
                    raise CorpusError(f"sentence {i} holds a {type(tok).__name__}, not a str token: {tok!r}")
                break
        self.sentences = sentences

    def __iter__(self):
        for s in self.sentences:
            yield list(s)


def is_one_shot(corpus) -> bool:
    """True for an iterator that can be read only once (a generator, ``iter(list)``, an open file)."""
    return not isinstance(corpus, (str, os.PathLike, list, tuple)) and iter(corpus) is corpus


def as_corpus(corpus, *, epochs: int = 1, **kwargs) -> Iterable[list[str]]:
    """Turn what a user passed into a re-iterable corpus.

    Parameters
    ----------
    corpus : str, Path, list of list of str, or re-iterable
        A file or directory path, token lists in memory, or any object whose ``__iter__`` starts over.
    epochs : int
        How many epochs will train on it. A one-shot iterator (a generator, ``iter(list)``, an open file)
        can be read only once: for one epoch it is read into memory here (the vocabulary and the encoding
        each read the corpus), for more it is refused with a :class:`CorpusError`.
    kwargs
        Passed to :class:`LineSentence` / :class:`DirectoryCorpus` for paths.

    Example
    -------
    >>> as_corpus([["a", "b"]]).sentences
    [['a', 'b']]
    """
    if isinstance(corpus, (str, os.PathLike)):
        p = Path(corpus)
        if p.is_dir():
            return DirectoryCorpus(p, **kwargs)
        return LineSentence(p, **kwargs)
    if isinstance(corpus, (list, tuple)):
        return TokenLists(corpus)
    if not hasattr(corpus, "__iter__"):
        raise CorpusError(f"cannot read a corpus from a {type(corpus).__name__}: pass a path or token lists")
    if is_one_shot(corpus):
        if epochs > 1:
            raise CorpusError("the corpus is a one-shot iterator (such as a generator) but training reads it "
                              f"for {epochs} epochs: pass a list, a file path, or an object whose __iter__ starts "
                              "over (for example w2v.LineSentence)")
        return TokenLists([list(s) for s in corpus])
    return corpus


def fingerprint(path) -> dict:
    """The identity of a corpus file or directory, cheap to take before reading it: its size in bytes and a
    SHA-256 of the first and last MiB of each file (sorted by path, as :class:`DirectoryCorpus` reads them).

    Example
    -------
    >>> fingerprint("corpus.txt")  # doctest: +SKIP
    {'bytes': 1048576, 'files': 1, 'head_tail_sha256': '3f1c...'}
    """
    p = Path(path)
    files = corpus_files(p)
    h, total = hashlib.sha256(), 0
    for f in files:
        try:
            size = f.stat().st_size
            with open(f, "rb") as fh:
                h.update(fh.read(_FINGERPRINT_BYTES))
                if size > _FINGERPRINT_BYTES:
                    fh.seek(max(size - _FINGERPRINT_BYTES, _FINGERPRINT_BYTES))
                    h.update(fh.read(_FINGERPRINT_BYTES))
        except FileNotFoundError:
            raise CorpusError(f"corpus file not found: {f}") from None
        except OSError as e:
            raise CorpusError(f"cannot read corpus file {f}: {e.strerror or e}") from None
        h.update(str(size).encode())
        total += size
    return {"bytes": total, "files": len(files), "head_tail_sha256": h.hexdigest()}


def encode_blocks(corpus: Iterable[Sequence[str]], key_to_index: dict, max_sentence_length: int = 10000,
                  block_words: int = 1 << 20) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Encode a corpus stream into blocks of ``(ids, sentence_lengths)``, dropping unknown words.

    Sentences longer than ``max_sentence_length`` are split into several (never truncated); empty ones are
    dropped. Blocks hold about ``block_words`` ids, so a stream of any length is encoded in bounded memory.
    """
    get = key_to_index.get
    chunks: list[np.ndarray] = []
    lengths: list[int] = []
    held = 0
    for sentence in corpus:
        ids = [i for i in map(get, sentence) if i is not None]
        for start in range(0, len(ids), max_sentence_length):
            piece = ids[start:start + max_sentence_length]
            chunks.append(np.asarray(piece, dtype=np.int32))
            lengths.append(len(piece))
            held += len(piece)
        if held >= block_words:
            yield np.concatenate(chunks), np.asarray(lengths, np.int64)
            chunks, lengths, held = [], [], 0
    if chunks:
        yield np.concatenate(chunks), np.asarray(lengths, np.int64)


def corpus_files(path: Path) -> list[Path]:
    """The files of a corpus path, in reading order: a directory's (:class:`DirectoryCorpus`), or the file."""
    return DirectoryCorpus(path).files if path.is_dir() else [path]
