"""Every shell command of the README runs as written, in order, in a fresh directory beside the shipped corpora
(installs, the test command itself and `jupyter lab`, which waits for a person, are left out)."""
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SKIPPED = ("pip ", "python -m pytest", "jupyter ")


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = []
    for block in re.findall(r"```bash\n(.*?)```", text, re.S):
        for command in block.replace("\\\n", " ").splitlines():
            if command.strip() and not command.startswith(SKIPPED):
                commands.append(command.strip())
    return commands


def test_the_readme_has_the_commands_this_test_runs():
    commands = readme_commands()
    assert commands[0] == "w2v train" and any(c.startswith("w2v explore") for c in commands)
    assert len(commands) >= 9


@pytest.mark.slow
def test_every_readme_command_runs_as_written(tmp_path):
    (tmp_path / "corpora").symlink_to(ROOT / "corpora")
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    for command in readme_commands():
        r = subprocess.run(command, shell=True, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=900)
        assert r.returncode == 0, f"{command}\n{r.stdout[-2000:]}\n{r.stderr[-2000:]}"
    for made in ("runs/w2v/model.npz", "analogies.png", "words.png", "loss.png", "explorer.html", "runs/demo/model.npz"):
        assert (tmp_path / made).is_file(), made
