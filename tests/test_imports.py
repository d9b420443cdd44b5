"""Imports flow one way: no module of w2v imports one that (directly or not) imports it, and each imports alone."""
import ast
import subprocess
import sys
from pathlib import Path


PACKAGE = Path(__file__).resolve().parents[1] / "w2v"
MODULES = sorted("w2v." + ".".join(p.relative_to(PACKAGE).with_suffix("").parts)
                 for p in PACKAGE.rglob("*.py")
                 if p.name not in ("__init__.py", "__main__.py"))  # (__main__ runs the command when imported)


def _imports(module: str) -> set[str]:
    """The w2v modules a module imports anywhere in its body (lazy imports inside functions count too)."""
    path = PACKAGE.joinpath(*module.split(".")[1:]).with_suffix(".py")
    package = module.rsplit(".", 1)[0]
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
            target = f"{base}.{node.module}" if node.module else base
            for alias in node.names:
                out.add(f"{target}.{alias.name}" if f"{target}.{alias.name}" in MODULES else target)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name.startswith("w2v."))
    return {m for m in out if m in MODULES and m != module}


def test_the_import_graph_has_no_cycle():
    graph = {m: _imports(m) for m in MODULES}
    assert graph["w2v.io"] <= {"w2v.errors"}  # io is a leaf
    assert "w2v.keyedvectors" in graph["w2v.loading"] and "w2v.io" in graph["w2v.keyedvectors"]
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


def test_query_modules_do_not_import_training_code():
    training = {"w2v.kernels", "w2v.trainer", "w2v.hogwild", "w2v.models", "w2v.word2vec"}
    for m in ("w2v.keyedvectors", "w2v.io", "w2v.similarity", "w2v.loading"):
        assert not _imports(m) & training, m


def test_each_module_imports_alone_in_a_fresh_interpreter():
    order = ["w2v.io"] + [m for m in MODULES if m != "w2v.io"]
    procs = [(m, subprocess.Popen([sys.executable, "-c", f"import {m}"], stderr=subprocess.PIPE, text=True))
             for m in order]
    failed = {m: p.communicate(timeout=120)[1].strip().splitlines()[-1:] for m, p in procs}
    assert {m: e for m, e in failed.items() if e} == {}
