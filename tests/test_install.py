"""A wheel installed into a fresh virtual environment trains, evaluates and runs the notebook from another
directory: the package carries its starter corpus and evaluation sets (w2v/data/, copied by setup.py)."""
import json
import os
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _run(cmd, **kw):
    r = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, timeout=900, **kw)
    assert r.returncode == 0, f"{cmd}\n{r.stdout[-2000:]}\n{r.stderr[-4000:]}"
    return r


@pytest.mark.slow
def test_wheel_in_a_fresh_venv_trains_evaluates_and_runs_the_notebook(tmp_path):
    wheels = tmp_path / "wheels"
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", wheels, ROOT])
    wheel = next(wheels.glob("w2v-*.whl"))
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=False)
    py = env_dir / "bin" / "python"
    site = Path(_run([py, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]).stdout.strip())
    # the dependencies come from this environment's site-packages, added as a plain path: its own .pth files
    # (among them this checkout's editable w2v) are not processed, so only the wheel provides w2v
    (site / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    _run([sys.executable, "-m", "pip", "install", "--no-deps", "--no-compile", "-q", "--target", site, wheel])
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    where = _run([py, "-c", "import w2v, w2v.datasets as d; print(w2v.__file__); print(d.STARTER)"],
                 cwd=elsewhere, env=env).stdout.split()
    assert where[0].startswith(str(site)) and where[1].startswith(str(site))  # the installed copy and its data
    w2v_cmd = env_dir / "bin" / "w2v"
    w2v_cmd.write_text(f"#!{py}\nimport sys\nfrom w2v.cli import main\nsys.exit(main())\n")  # pip --target makes none
    w2v_cmd.chmod(0o755)
    r = _run([w2v_cmd, "train", "--epochs", "1", "-o", "run", "-q"], cwd=elsewhere, env=env)
    assert "starter corpus" in r.stdout and "questions-words analogies" in r.stdout
    r = _run([w2v_cmd, "evaluate", "run"], cwd=elsewhere, env=env)
    assert "TOTAL" in r.stdout and "spearman" in r.stdout
    notebook = elsewhere / "quickstart.ipynb"
    notebook.write_text((ROOT / "notebooks" / "quickstart.ipynb").read_text())
    runner = ("import nbformat, nbclient, sys; nb = nbformat.read(sys.argv[1], as_version=4); "
              "nb.cells.append(nbformat.v4.new_code_cell('import w2v; print(w2v.__file__)')); "
              "nbclient.NotebookClient(nb, timeout=600, kernel_name='python3').execute(); "
              "nbformat.write(nb, sys.argv[1])")
    _run([py, "-c", runner, notebook], cwd=elsewhere, env={**env, "W2V_QUICKSTART_EPOCHS": "1"})
    cells = json.loads(notebook.read_text())["cells"]
    outputs = [o for c in cells if c["cell_type"] == "code" for o in c.get("outputs", [])]
    assert outputs and not [o for o in outputs if o["output_type"] == "error"]
    assert "".join(outputs[-1]["text"]).startswith(str(site))  # the kernel ran the installed wheel
