"""Every shell command of the README and of docs/*.md runs as written, in order, in a fresh directory beside the
shipped corpora, and so does every Python block of the README (installs, the test command itself and `jupyter
lab`, which waits for a person, are left out; a ```console block shows commands the test cannot have: a cluster,
a download of gigabytes, an hour of benchmarks). No doc points outside the repository."""
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SKIPPED = ("pip ", "python -m pytest", "jupyter ")
# the README first, then the pages in the order a reader goes from it (later pages use the README's runs/w2v)
PAGES = ["README.md", "docs/corpora.md", "docs/training.md", "docs/pictures.md", "docs/phrases.md",
         "docs/distributed.md", "docs/cli.md", "docs/reliability.md", "docs/architecture.md", "docs/benchmarks.md",
         "docs/from-gensim.md", "CONTRIBUTING.md"]


def blocks(page: str) -> list[tuple[str, str]]:
    """(language, code) of the page's bash blocks, and of its python blocks for the README, in order."""
    text = (ROOT / page).read_text(encoding="utf-8")
    run = ("bash", "python") if page == "README.md" else ("bash",)
    return [(lang, code) for lang, code in re.findall(r"```(\w*)\n(.*?)```", text, re.S) if lang in run]


def commands(page: str) -> list[str]:
    out = []
    for lang, code in blocks(page):
        if lang == "bash":
            out += [c.strip() for c in code.replace("\\\n", " ").splitlines()
                    if c.strip() and not c.strip().startswith(SKIPPED)]
    return out


def test_the_docs_have_the_commands_this_test_runs():
    assert {p.name for p in (ROOT / "docs").glob("*.md")} == {Path(p).name for p in PAGES if p.startswith("docs/")}
    assert commands("README.md")[0] == "w2v train"
    everything = [c for p in PAGES for c in commands(p)]
    assert any(c.startswith("w2v explore") for c in everything) and len(everything) >= 20


def test_the_readme_is_a_front_page():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    lines = text.splitlines()
    assert len(lines) <= 200
    first = "\n".join(lines[:60])  # what a newcomer looks for first: install, own corpus, pretrained, the analogy
    for needle in ("pip install", ".fit(", "## Your own corpus", "## Pretrained vectors", "king - man + woman",
                   "most_similar(positive="):
        assert needle in first, needle


def test_no_doc_points_outside_the_repository():
    for page in PAGES:
        text = (ROOT / page).read_text(encoding="utf-8")
        assert "../shared" not in text and "/work/" not in text, page
        for target in re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", text):  # every relative link leads to a file here
            if not target.startswith(("http://", "https://")):
                assert (ROOT / page).parent.joinpath(target).resolve().exists(), (page, target)


@pytest.mark.slow
def test_every_documented_command_runs_as_written(tmp_path, monkeypatch):
    (tmp_path / "corpora").symlink_to(ROOT / "corpora")
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    monkeypatch.chdir(tmp_path)
    scope: dict = {}
    for page in PAGES:
        for lang, code in blocks(page):
            if lang == "python":
                exec(compile(code, f"{page} python block", "exec"), scope)  # noqa: S102 (our own README)
                continue
            for command in [c.strip() for c in code.replace("\\\n", " ").splitlines()]:
                if not command or command.startswith(SKIPPED):
                    continue
                r = subprocess.run(command, shell=True, cwd=tmp_path, env=env, capture_output=True, text=True,
                                   timeout=900)
                assert r.returncode == 0, f"{page}: {command}\n{r.stdout[-2000:]}\n{r.stderr[-2000:]}"
    for made in ("runs/w2v/model.npz", "my-model.npz", "runs/w2v-vectors.npz", "analogies.png", "words.png",
                 "loss.png", "explorer.html", "runs/demo/model.npz", "runs/phrases/model.npz"):
        assert (tmp_path / made).is_file(), made
