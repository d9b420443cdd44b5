"""The slow tier's long trainings: the main job (README, docs/training.md) at full length, with the quality
it promises, and memory that stays flat from 10 M to 1 B words."""
import json
import lzma
import math
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import w2v
from w2v.vectors import evaluate as ev
from w2v.datasets import STARTER


@pytest.mark.slow
def test_the_main_job_reaches_the_readme_quality(tmp_path):
    """`w2v train` on the starter corpus with its defaults (25 epochs, all cores): the docs show 17.0%
    questions-words, WS353 0.533; the run must stay within a couple of points of that."""
    r = subprocess.run([sys.executable, "-m", "w2v.cli", "train", "-o", tmp_path / "run", "-q"], capture_output=True,
                       text=True, timeout=1200)
    assert r.returncode == 0, r.stderr
    accuracy = float(re.search(r"questions-words analogies ([\d.]+)%", r.stdout).group(1))
    ws353 = float(re.search(r"WordSim353 Spearman ([\d.]+)", r.stdout).group(1))
    assert accuracy > 15.0 and ws353 > 0.48, r.stdout
    assert re.search(r"king - man \+ woman = \w+", r.stdout)
    kv = w2v.load_vectors(tmp_path / "run")
    assert ev.analogies(kv).accuracy * 100 == pytest.approx(accuracy, abs=0.05)


DEV_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "data" / "corpora" / "dev-corpus.txt.xz"
_FIT_AND_MEASURE = """
import json, sys, time
import w2v
t0 = time.monotonic()
w2v.Word2Vec(arch="cbow", loss="negative", epochs=1, workers=2, min_count=5).fit(sys.argv[1], progress=False)
peak = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:")) / 1024
print(json.dumps({"secs": time.monotonic() - t0, "peak_mb": peak}))
"""


@pytest.mark.slow
def test_peak_memory_is_flat_from_10m_to_1b_words(tmp_path):
    """One vocabulary (the dev corpus, or the starter corpus, repeated), CBOW / negative, 1 epoch, 2 workers, from
    the text file with an empty corpus cache: the 1 B-word fit peaks less than 10% above the 10 M-word one
    (about 10 GB of disk for the text and its encoded corpus; 10-15 minutes on 2 cores)."""
    text = lzma.decompress((DEV_CORPUS if DEV_CORPUS.is_file() else STARTER).read_bytes())
    per_copy = len(text.split())
    runs = {}
    for target in (10_000_000, 1_000_000_000):
        path = tmp_path / f"corpus-{target}.txt"
        with open(path, "wb") as f:
            for _ in range(math.ceil(target / per_copy)):
                f.write(text)
        env = {**os.environ, "W2V_CACHE": str(tmp_path / f"cache-{target}")}
        r = subprocess.run([sys.executable, "-c", _FIT_AND_MEASURE, str(path)], capture_output=True, text=True,
                           env=env, timeout=3600)
        assert r.returncode == 0, r.stderr[-2000:]
        runs[target] = json.loads(r.stdout.strip().splitlines()[-1])
        print(f"{math.ceil(target / per_copy) * per_copy:,} words: {runs[target]['secs']:.0f}s, "
              f"peak {runs[target]['peak_mb']:.0f} MB")
        path.unlink()
    assert runs[1_000_000_000]["peak_mb"] < 1.10 * runs[10_000_000]["peak_mb"], runs
