"""Imports flow one way: between w2v's packages as the architecture draws them, with no cycle between modules;
each module imports alone; the paths from before the subpackages still import."""
import ast
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "w2v"


def _name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = sorted(_name(p) for p in PACKAGE.rglob("*.py") if p.name != "__main__.py")  # (__main__ runs a command)


def _imports(module: str) -> set[str]:
    """The w2v modules a module imports anywhere in its body (lazy imports inside functions count too)."""
    path = PACKAGE.parent.joinpath(*module.split("."))
    path = path / "__init__.py" if path.is_dir() else path.with_suffix(".py")
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
            target = f"{base}.{node.module}" if node.module else base
            for alias in node.names:
                out.add(f"{target}.{alias.name}" if f"{target}.{alias.name}" in MODULES else target)
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("w2v"):
            out.add(node.module)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name.startswith("w2v."))
    return {m for m in out if m in MODULES and m != module}


def _unit(module: str) -> str:
    """A subpackage (``text``, ``train``, ...) or a module at w2v's root (``errors``, ``word2vec``, ...)."""
    return module.split(".")[1] if module != "w2v" else "w2v"


# What each part may import (ARCHITECTURE.md's layers); the parts at the top (the estimator, loading, the model
# file, report, cli and the package itself) may import anything.
_ROOT = {"errors", "_version", "progress", "jit", "options", "config", "datasets", "gensim_names"}
ALLOWED = {
    "errors": set(), "_version": set(), "progress": set(), "jit": set(),
    "options": {"errors"}, "config": {"errors"}, "gensim_names": {"errors"}, "datasets": {"errors", "progress"},
    "nn": {"errors"},
    "files": {"errors"},
    "text": _ROOT | {"files"},
    "vectors": _ROOT | {"files"},
    "pictures": _ROOT | {"files", "vectors"},
    "train": _ROOT | {"files", "nn", "text", "vectors"},
}
TOP = {"w2v", "_moved", "word2vec", "modelfile", "loading", "report", "cli"}


def test_the_package_graph_flows_one_way():
    units = {_unit(m) for m in MODULES}
    assert units <= set(ALLOWED) | TOP, f"a part the layering does not place: {units - set(ALLOWED) - TOP}"
    wrong = sorted(f"{m} -> {n}" for m in MODULES if _unit(m) in ALLOWED
                   for n in _imports(m) if _unit(n) != _unit(m) and _unit(n) not in ALLOWED[_unit(m)])
    assert wrong == []


def test_the_import_graph_has_no_cycle():
    graph = {m: _imports(m) for m in MODULES}
    assert "w2v.vectors.keyedvectors" in graph["w2v.loading"] and "w2v.files" in graph["w2v.vectors.keyedvectors"]
    state = {}

    def visit(m, path):
        if state.get(m) == "done":
            return
        assert state.get(m) != "open", "import cycle: " + " -> ".join(path + [m])
        state[m] = "open"
        for n in sorted(graph[m]):
            visit(n, path + [m])
        state[m] = "done"

    for m in MODULES:
        visit(m, [])


@pytest.mark.slow  # ~60 interpreters, 26 s on 2 cores; the AST graph above catches cycles in the default run
def test_each_module_imports_alone_in_a_fresh_interpreter():
    procs = [(m, subprocess.Popen([sys.executable, "-c", f"import {m}"], stderr=subprocess.PIPE, text=True))
             for m in MODULES]
    failed = {m: p.communicate(timeout=120)[1].strip().splitlines()[-1:] for m, p in procs}
    assert {m: e for m, e in failed.items() if e} == {}


def test_import_w2v_loads_neither_numba_nor_scipy_nor_matplotlib():
    code = ("import sys, w2v; w2v.load_vectors; w2v.KeyedVectors; "
            "print(sorted(m for m in ('numba', 'scipy', 'matplotlib', 'dask') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


@pytest.mark.parametrize("old, new", [("w2v.evaluate", "w2v.vectors.evaluate"), ("w2v.kernels", "w2v.train.kernels"),
                                      ("w2v.callbacks", "w2v.train.callbacks"), ("w2v.io", "w2v.files"),
                                      ("w2v.plot", "w2v.pictures.plot"), ("w2v.phrases", "w2v.text.phrases")])
def test_the_paths_from_before_the_subpackages_give_the_same_module(old, new):
    """Code written against the flat layout (``from w2v.callbacks import EarlyStopping``, ``w2v.kernels``) keeps
    working, with the very module the library uses (a patch through the old path reaches it)."""
    module = importlib.import_module(old)
    assert module is importlib.import_module(new) and module.__name__ == new and module.__spec__.name == new
    from w2v import _moved
    for name, target in _moved.MOVED.items():
        assert importlib.import_module(name) is importlib.import_module(target)
