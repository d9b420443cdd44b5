"""scripts/benchmark.py runs both libraries side by side and reports what it measured."""
import json
import lzma
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def small_corpus(tmp_path_factory):
    """The first 4,000 lines (about 90k words) of the shipped starter corpus."""
    path = tmp_path_factory.mktemp("bench") / "small.txt"
    with lzma.open(ROOT / "corpora" / "starter.txt.xz", "rt", encoding="utf-8") as f:
        lines = [next(f) for _ in range(4000)]
    path.write_text("".join(lines), encoding="utf-8")
    return path


def test_train_mode_reports_both_libraries_and_seed_means(small_corpus, tmp_path):
    pytest.importorskip("gensim")
    out = tmp_path / "bench.json"
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "benchmark.py"), "train", str(small_corpus),
                           "--configs", "cbow-negative", "--workers", "1", "--epochs", "1", "--dim", "16",
                           "--seeds", "2", "--json", str(out)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    rows = json.loads(out.read_text())
    assert [r["config"] for r in rows] == ["cbow-negative"]
    runs, mean = rows[0]["runs"], rows[0]["mean"]
    assert set(runs) == {"w2v", "gensim"} and all(len(r) == 2 for r in runs.values())
    for lib in runs:
        for key in ("secs", "analogy", "ws353", "simlex", "peak_mb"):
            assert mean[lib][key] == pytest.approx(np.mean([r[key] for r in runs[lib]]))
        assert all(r["secs"] > 0 and r["words"] > 50_000 and r["peak_mb"] > 10 for r in runs[lib])
        assert all(-1 <= r["ws353"] <= 1 and 0 <= r["analogy"] <= 1 for r in runs[lib])
    # the printed table has the ratio of the mean times
    ratio = mean["gensim"]["secs"] / mean["w2v"]["secs"]
    assert f"**{ratio:.2f}x**" in proc.stdout
    assert "gensim progress by words" in proc.stdout and "means of seeds 1..2" in proc.stdout
    assert "cbow-negative          w2v kernels: a first small fit" in proc.stdout  # compiled before the timed runs
