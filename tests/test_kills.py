"""Kills at any moment lose nothing: ``w2v prepare``, ``w2v train --checkpoint-every`` and ``Phrases.transform``
are killed with -9 at random moments (after a random delay, or just before or after their k-th rename, where a
file or directory goes into place), then run again. The later run must find exactly the vocabulary and ids that a
clean run finds (train: the same model bit for bit, resumed from the checkpoint or started again), a checkpoint
must resume or be refused in one line, and nothing the killed run left (a temporary file or directory, a lock)
may block the next run or stay behind once it has finished.

The default run tries a handful of kills; the ``slow`` tier many more.
"""
import contextlib
import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings, strategies as st

import w2v
from w2v.cli import main
from w2v.text.encoded import EncodedCorpus
from w2v.files import CHECKPOINT_FILE


def _corpus(path: Path, seed: int) -> Path:
    """20 k Zipf-distributed tokens over ~400 words, ten to a line."""
    words = np.random.default_rng(seed).zipf(1.3, size=20000) % 400
    path.write_text("\n".join(" ".join(f"w{x}" for x in words[i:i + 10]) for i in range(0, len(words), 10)) + "\n")
    return path

TRAIN = ["--arch", "skipgram", "--loss", "softmax", "--optimizer", "momentum", "--alpha", "0.005", "--window", "3",
         "--dim", "8", "--min-count", "2", "--epochs", "4", "--workers", "1", "--seed", "5",
         "--sample", "0", "--job-words", "2000", "-q"]  # a full softmax over 400 words: about a second to kill in
PHRASES = "min_count=2, threshold=0.5"

# The child: os.replace is every rename w2v makes (atomic saves, corpus directories into place); the k-th one
# kills the process just before or just after it happens.
CHILD = r"""
import os, signal, sys
k, when = int(os.environ["KILL_AT_RENAME"]), os.environ["KILL_WHEN"]
calls, real = [0], os.replace
def replace(src, dst, **kw):
    calls[0] += 1
    if calls[0] == k and when == "before":
        os.kill(os.getpid(), signal.SIGKILL)
    real(src, dst, **kw)
    if calls[0] == k and when == "after":
        os.kill(os.getpid(), signal.SIGKILL)
os.replace = replace
op, args = sys.argv[1], sys.argv[2:]
if op == "transform":
    import w2v
    corpus, out = args
    w2v.Phrases(%s).fit(corpus, progress=False).transform(corpus, out or None, progress=False)
else:
    from w2v.cli import main
    sys.exit(main(args))
""" % PHRASES


def _argv(op: str, corpus: Path, out: Path, to_cache: bool) -> list[str]:
    if op == "prepare":
        return ["prepare", str(corpus), "-q", *([] if to_cache else ["-o", str(out)])]
    if op == "train":
        return ["train", str(corpus), "-o", str(out), "--checkpoint-every", "0.02s", *TRAIN]
    return [str(corpus), "" if to_cache else str(out)]


def _in_process(op: str, argv: list[str]):
    """What the child does, here: the clean run, and the run after the kill."""
    if op == "transform":
        corpus, out = argv
        return w2v.Phrases(min_count=2, threshold=0.5).fit(corpus, progress=False).transform(
            corpus, out or None, progress=False)
    try:
        return main(argv)
    except SystemExit as e:
        return e.code


def _result(op: str, argv: list[str], out: Path, done):
    """What a run produced, to compare with the clean run's: the vocabulary and ids, or the model's arrays."""
    if op == "train":
        m = w2v.Word2Vec.load(out)
        return m.wv.index_to_key, m.W_in_, m.W_out_, m.loss_history_
    corpus = done if op == "transform" else (EncodedCorpus.open(out) if "-o" in argv else
                                             w2v.text.prepare.prepare_corpus(argv[1], progress=False))
    ids, bounds = corpus.read(0, corpus.n_sentences)
    return list(corpus.words), np.asarray(corpus.counts), np.asarray(ids), np.asarray(bounds)


def _same(a, b) -> bool:
    return all(np.array_equal(np.asarray(x), np.asarray(y)) for x, y in zip(a, b, strict=True))


def _leftovers(*dirs: Path) -> list[Path]:
    return [p for d in dirs if d.exists() for p in d.rglob("*") if p.name.endswith(".tmp") or ".tmp." in p.name]


def kill_and_rerun(tmp_path: Path, op: str, seed: int, to_cache: bool, again: bool, moment: tuple) -> None:
    work = tmp_path / f"run-{time.monotonic_ns()}"
    cache, clean_cache = work / "cache", work / "clean-cache"
    work.mkdir()
    corpus = _corpus(work / "corpus.txt", seed)
    old_cache = os.environ.get("W2V_CACHE")
    try:
        os.environ["W2V_CACHE"] = str(clean_cache)
        argv = _argv(op, corpus, work / "clean", to_cache)
        done = _in_process(op, argv)
        clean = _result(op, argv, work / "clean", done)

        os.environ["W2V_CACHE"] = str(cache)
        argv = _argv(op, corpus, work / "out", to_cache)
        if again:  # the output holds an earlier run's result (of another corpus), which this run replaces
            _in_process(op, _argv(op, _corpus(work / "other.txt", seed + 10), work / "out", to_cache))
        at_rename = moment[0] == "rename"
        env = {**os.environ, "KILL_AT_RENAME": str(moment[1] if at_rename else 0),
               "KILL_WHEN": moment[2] if at_rename else "never"}
        child = subprocess.Popen([sys.executable, "-c", CHILD, op, *argv], env=env, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.PIPE)
        if moment[0] == "delay":
            try:
                child.wait(moment[1])
            except subprocess.TimeoutExpired:
                child.send_signal(signal.SIGKILL)
        _, err = child.communicate(timeout=300)
        assert child.returncode in (0, -signal.SIGKILL), err.decode()[-2000:]

        # the next run, as a user would start it: resume a checkpoint, else the same command again
        out, done = work / "out", None
        if child.returncode == 0:
            done = _in_process(op, argv) if op == "transform" else None  # (the cached result: nothing to redo)
        elif op == "train" and (out / CHECKPOINT_FILE).exists():
            err = io.StringIO()
            with contextlib.redirect_stderr(err):
                code = _in_process(op, ["train", "--resume", str(out), "-q"])
            assert code == 0 or (code == 2 and err.getvalue().startswith("w2v: error:")
                                 and len(err.getvalue().splitlines()) <= 2), err.getvalue()
            if code == 2:  # refused cleanly: a new run in the same directory must then work
                assert _in_process(op, argv) == 0
        else:
            done = _in_process(op, argv)
            assert done == 0 or isinstance(done, EncodedCorpus)
        assert _same(clean, _result(op, argv, out, done)), f"{op} killed at {moment} then run again differs"
        assert not _leftovers(work), _leftovers(work)
    finally:
        if old_cache is None:
            os.environ.pop("W2V_CACHE", None)
        else:
            os.environ["W2V_CACHE"] = old_cache


MOMENTS = st.one_of(st.tuples(st.just("delay"), st.floats(0.2, 4.0)),
                    st.tuples(st.just("rename"), st.integers(1, 12), st.sampled_from(["before", "after"])))
KILLS = dict(op=st.sampled_from(["prepare", "train", "transform"]), seed=st.integers(0, 3), to_cache=st.booleans(),
             again=st.booleans(), moment=MOMENTS)
QUICK = settings(max_examples=4, deadline=None, database=None, derandomize=True,
                 suppress_health_check=list(HealthCheck))


@QUICK
@given(**KILLS)
@example(op="train", seed=0, to_cache=True, again=False, moment=("rename", 5, "before"))  # in a checkpoint's save
@example(op="prepare", seed=1, to_cache=False, again=True, moment=("rename", 1, "after"))  # old output moved away
def test_a_kill_at_any_moment_loses_nothing(tmp_path_factory, op, seed, to_cache, again, moment):
    kill_and_rerun(tmp_path_factory.mktemp("kills"), op, seed, to_cache, again, moment)


@pytest.mark.slow
@settings(QUICK, max_examples=60, derandomize=False)
@given(**KILLS)
def test_a_kill_at_any_moment_loses_nothing_many_times(tmp_path_factory, op, seed, to_cache, again, moment):
    kill_and_rerun(tmp_path_factory.mktemp("kills"), op, seed, to_cache, again, moment)
