"""A native model file, read and checked as a whole before anything uses it.

``Word2Vec.load`` and ``w2v.load_vectors`` (and so every CLI command) read models through :func:`read_model`,
so they are equally strict. A model file may come from anywhere, and its arrays end up indexed by numba
kernels that check no bounds, so everything is checked against everything else first:

* the archive's layout, before anything is allocated (``io.load_npz``: uncompressed members whose sizes
  match their headers, numeric dtypes only, CRC-32 unless memory-mapped without ``verify``);
* the config (every option's type and range), the words (strings, unique, non-empty), the counts (one
  integer >= 1 per word), the weights (float, ``(V, d)`` and ``(config.output_rows(V), d)``, finite), the
  training state (types, ranges, one loss per finished epoch), the corpus record, the optimizer state
  (finite arrays) and the phrases the corpus was joined with (``Phrases.from_dict``).

With ``mmap=True`` and no ``verify`` the weights are not read, so neither their CRC nor their finiteness is
checked (see docs/reliability.md); everything else is.

Example
-------
>>> m = read_model("runs/w2v")  # doctest: +SKIP
>>> m.config.arch, m.W_in.shape  # doctest: +SKIP
('cbow', (22717, 100))
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .config import Config
from .errors import ConfigError, FormatError
from .files import check_counts, check_words, find_model_file, load_npz
from .train.state import TrainState

OPTIMIZER_PREFIX = "opt_"  # model-file arrays holding the numpy optimizer's state
_CORPUS_FIELDS = {"path": (str, type(None)), "tokenizer": str, "lowercase": bool, "bytes": int, "files": int,
                  "head_tail_sha256": str, "encoded": dict}  # word2vec._corpus_record
_ENCODED_FIELDS = {"words": int, "sentences": int, "ids_crc32": int, "bounds_crc32": int}  # EncodedCorpus.identity


@dataclass
class ModelFile:
    """The checked contents of a native model file."""

    path: Path
    config: Config
    words: list            # V words
    counts: np.ndarray     # (V,) int64, each >= 1
    W_in: np.ndarray       # (V, d) float32
    W_out: np.ndarray      # (config.output_rows(V), d) float32
    state: TrainState
    corpus: dict           # how the corpus was read and its identity (w2v.text.corpus.fingerprint, EncodedCorpus.identity)
    optimizer: dict        # name -> array, the numpy optimizer's state
    phrases: object = None  # the w2v.Phrases the corpus was joined with (rebuilt and checked by Phrases.from_dict)
    first: object = None    # (V,) int64, where each word was first seen (the Huffman tree's ties); None in older files


def read_model(path, mmap: bool = False, verify: bool | None = None) -> ModelFile:
    """Read and check a native model (a ``.npz`` file or a run directory's model or checkpoint).

    Raises :class:`FormatError` naming the file and what is wrong. ``mmap`` maps the weights read-only;
    ``verify`` (default: not ``mmap``) also checks CRCs and scans the weights for NaN and infinity.
    """
    path = find_model_file(path, native_only=True)
    verify = (not mmap) if verify is None else verify
    arrays, meta = load_npz(path, mmap=mmap, verify=verify)

    def bad(msg):
        return FormatError(f"{path}: {msg}")

    try:
        config = Config.from_dict(_with_reading(meta)).validate()
    except (ConfigError, TypeError) as e:
        raise bad(f"its config is invalid ({str(e)[:300]})") from None
    words = check_words(meta.get("words"), path)
    V, d = len(words), config.vector_size
    counts = check_counts(_array(arrays, "counts", path, "iu", (V,)), V, path)
    W_in = _array(arrays, "W_in", path, "f", (V, d))
    W_out = _array(arrays, "W_out", path, "f", (config.output_rows(V), d))
    first = _array(arrays, "first", path, "iu", (V,)) if "first" in arrays else None
    optimizer = {k[len(OPTIMIZER_PREFIX):]: v for k, v in arrays.items() if k.startswith(OPTIMIZER_PREFIX)}
    unknown = set(arrays) - {"counts", "first", "W_in", "W_out"} - {OPTIMIZER_PREFIX + k for k in optimizer}
    if unknown:
        raise bad(f"unexpected array(s) {', '.join(sorted(unknown))[:200]}")
    if verify or not mmap:
        for name, a in [("W_in", W_in), ("W_out", W_out)] + [(OPTIMIZER_PREFIX + k, v) for k, v in optimizer.items()]:
            if a.dtype.kind == "f" and not np.isfinite(a).all():
                raise bad(f"array {name} holds NaN or infinity")
    try:
        state = TrainState.from_dict(meta.get("state", {}))
    except FormatError as e:
        raise bad(str(e)) from None
    except TypeError as e:
        raise bad(f"its training state is malformed ({str(e)[:200]})") from None
    if state.epoch > config.epochs or state.run_start >= max(config.epochs, 1):
        raise bad(f"its training state is at epoch {state.epoch + 1} of a run of {config.epochs} epochs")
    if len(state.history) != (state.epoch if config.compute_loss else 0):
        raise bad(f"its training state records {len(state.history)} epoch losses for {state.epoch} finished epochs")
    corpus = meta.get("corpus") or {}
    if not isinstance(corpus, dict) or any(k not in _CORPUS_FIELDS or not isinstance(v, _CORPUS_FIELDS[k])
                                           for k, v in corpus.items()) \
            or any(k not in _ENCODED_FIELDS or not isinstance(v, _ENCODED_FIELDS[k])
                   for k, v in corpus.get("encoded", {}).items()):
        raise bad("its corpus record is malformed")
    if not mmap:  # training and queries work on float32; a mapped file is used as it is
        W_in, W_out = np.asarray(W_in, np.float32), np.asarray(W_out, np.float32)
    phrases = meta.get("phrases")
    if phrases is not None:
        from .text.phrases import Phrases
        phrases = Phrases.from_dict(phrases, path)  # raises FormatError naming the file
    return ModelFile(path, config, list(words), counts, W_in, W_out, state, corpus, optimizer, phrases,
                     None if first is None else np.asarray(first, np.int64))


def _array(arrays, name, path, kinds, shape):
    a = arrays.get(name)
    if a is None:
        raise FormatError(f"{path}: the model file lacks the array {name}")
    if a.dtype.kind not in kinds or a.shape != shape:
        raise FormatError(f"{path}: array {name} is {a.dtype} of shape {a.shape}; expected shape {shape} of "
                          f"{'floats' if kinds == 'f' else 'integers'}")
    return a


def _with_reading(meta: dict):
    """The saved config; for a file written before ``tokenizer``, ``lowercase`` and ``phrases`` were estimator
    parameters, with them filled in from the corpus record and the saved phrases (which always held them)."""
    config, corpus, phrases = meta.get("config"), meta.get("corpus"), meta.get("phrases")
    if not isinstance(config, dict):
        return config
    old = {k: corpus[k] for k in ("tokenizer", "lowercase") if isinstance(corpus, dict) and k in corpus}
    if isinstance(phrases, dict) and isinstance(phrases.get("passes"), list):
        old["phrases"] = len(phrases["passes"])
    return {**old, **config}
