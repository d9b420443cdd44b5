"""The files TensorBoard's Embedding Projector and projector.tensorflow.org load.

Example
-------
>>> from w2v.files import save_projector
>>> save_projector("projector", ["king", "queen"], [[0.1, 0.2], [0.3, 0.4]])  # doctest: +SKIP
2
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from ..errors import FormatError, SaveError
from .atomic import atomic_write


def save_projector(directory, keys, vectors, limit: int | None = None) -> int:
    """Write the files TensorBoard's Embedding Projector and projector.tensorflow.org load: ``vectors.tsv`` (one
    row of tab-separated values per word), ``metadata.tsv`` (the words, one per line), ``projector_config.pbtxt``
    (TensorBoard) and ``projector_config.json`` (the standalone projector), for the first ``limit`` words (default:
    all). Returns the number of words."""
    directory = Path(directory)
    keys = [str(k) for k in keys[:limit]]
    bad = next((k for k in keys if "\t" in k or "\n" in k or "\r" in k), None)
    if bad is not None:
        raise FormatError(f"the word {bad!r} holds a tab or a line break, which the projector's TSV cannot hold")
    vectors = np.asarray(vectors)[:limit]
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise SaveError(f"cannot create {directory}: {e.strerror or e}") from None
    with atomic_write(directory / "vectors.tsv", "w") as f:
        for s in range(0, len(vectors), 10000):
            f.write("".join("\t".join(f"{x:.6g}" for x in row) + "\n" for row in vectors[s:s + 10000]))
    with atomic_write(directory / "metadata.tsv", "w") as f:
        f.write("".join(k + "\n" for k in keys))  # one column: no header line, as the projector expects
    with atomic_write(directory / "projector_config.pbtxt", "w") as f:
        f.write('embeddings {\n  tensor_path: "vectors.tsv"\n  metadata_path: "metadata.tsv"\n}\n')
    with atomic_write(directory / "projector_config.json", "w") as f:
        json.dump({"embeddings": [{"tensorName": "w2v", "tensorShape": list(vectors.shape),
                                   "tensorPath": "vectors.tsv", "metadataPath": "metadata.tsv"}]}, f, indent=1)
    return len(keys)
