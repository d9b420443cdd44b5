"""The module paths of w2v before its modules moved into subpackages, kept importable.

``import w2v.evaluate`` (and every other old path: ``w2v.kernels``, ``w2v.io``, ...) gives the module that now
lives at ``w2v.vectors.evaluate``: the same object, not a copy, so what a user patches or reads through an old
path is what the library uses. No warning: ``w2v.evaluate``, ``w2v.plot``, ``w2v.callbacks``, ``w2v.phrases``
and ``w2v.models`` are the documented public paths.

Example
-------
>>> import w2v.evaluate, w2v.vectors.evaluate
>>> w2v.evaluate is w2v.vectors.evaluate
True
"""
from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import sys

_GROUPS = {
    "text": "corpus encoded prepare vocab phrases bigrams ingest",
    "train": "models trainer hogwild state callbacks distributed warmup kernels",
    "vectors": "keyedvectors gensim_methods similarity evaluate",
    "files": "word2vec_format textparse vector_buffers",
    "pictures": "plot projection explore",
}
MOVED = {f"w2v.{m}": f"w2v.{group}.{m}" for group, names in _GROUPS.items() for m in names.split()}
MOVED["w2v.io"] = "w2v.files"  # io.py became the files package (its names are the package's)


class _OldPaths(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds an old path and hands back the module at its new one."""

    def find_spec(self, name, path=None, target=None):
        if name in MOVED:
            return importlib.util.spec_from_loader(name, self)
        return None

    def create_module(self, spec):
        module = importlib.import_module(MOVED[spec.name])
        spec.loader_state = module.__spec__  # the import machinery is about to stamp the old path's spec on it
        return module

    def exec_module(self, module):
        module.__spec__ = module.__spec__.loader_state  # its own spec back


def install() -> None:
    """Put the finder on ``sys.meta_path`` once."""
    if not any(isinstance(f, _OldPaths) for f in sys.meta_path):
        sys.meta_path.append(_OldPaths())
