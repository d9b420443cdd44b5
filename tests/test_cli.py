"""End-to-end: the w2v command on real files, in subprocesses, as a user runs it."""
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

import w2v
from conftest import planted_file


def run(*args, check=True):
    return run_all([args], check)[0]


def run_all(commands, check=True):
    """Run several w2v commands at once (each its own process, as a user's) and wait for all of them."""
    procs = [subprocess.Popen([sys.executable, "-m", "w2v.cli", *map(str, args)], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for args in commands]
    outputs = [p.communicate(timeout=300) for p in procs]  # (stdout, stderr); then each return code is set
    out = [subprocess.CompletedProcess(p.args, p.returncode, *o) for p, o in zip(procs, outputs)]
    for r in out:
        if check and r.returncode != 0:
            raise AssertionError(r.stderr)
    return out


@pytest.fixture(scope="module")
def corpus_file(tmp_path_factory):
    return planted_file(tmp_path_factory.mktemp("c") / "corpus.txt", 600)


@pytest.fixture(scope="module")
def trained(corpus_file, tmp_path_factory):
    out = tmp_path_factory.mktemp("run")
    r = run("train", corpus_file, "-o", out, "--arch", "skipgram", "--loss", "negative", "--dim", 16,
            "--window", 3, "--min-count", 1, "--epochs", 5, "--seed", 3, "--sample", 0, "--binary", "-q")
    assert "trained skipgram/negative" in r.stdout
    return out


def test_train_writes_model_and_gensim_readable_vectors(trained):
    gensim = pytest.importorskip("gensim")
    assert (trained / "model.npz").is_file() and not (trained / "checkpoint.npz").exists()
    g = gensim.models.KeyedVectors.load_word2vec_format(str(trained / "vectors.txt"))
    m = w2v.Word2Vec.load(trained)
    assert g.index_to_key == m.wv.index_to_key
    np.testing.assert_allclose(g.vectors, m.W_in_, atol=1e-5)
    assert w2v.load_vectors(trained / "vectors.bin").index_to_key == m.wv.index_to_key


def test_neighbors_analogy_evaluate_export(trained, tmp_path):
    r = run("neighbors", trained, "cat", "--topn", 3)
    near = [line.split()[-1] for line in r.stdout.splitlines()[1:]]
    assert len(near) == 3 and set(near) <= {"dog", "cow", "pig", "the", "a", "and", "of"}
    r = run("analogy", trained / "vectors.txt", "cat - dog + saw", "--topn", 2)
    assert r.stdout.startswith("cat + saw - dog:") and len(r.stdout.splitlines()) == 3
    assert run("analogy", trained, "dog", "-", "cat", "+", "saw").returncode == 0
    r = run("evaluate", trained, "--pair-sets")
    assert "TOTAL" in r.stdout and "capital-common-countries" in r.stdout
    run("export", trained, "-o", tmp_path / "v.bin", "--binary")
    assert w2v.load_vectors(tmp_path / "v.bin").vectors.shape[1] == 16


@pytest.mark.parametrize("args,needle", [
    (("neighbors", "{m}", "catt"), "'catt'"),
    (("neighbors", "/nonexistent/vecs.txt", "a"), "not found"),
    (("train", "/nonexistent/corpus.txt", "-o", "{tmp}"), "not found"),
    (("train", "{corpus}", "-o", "{tmp}", "--min-count", "100000"), "min_count"),
    (("train", "{corpus}", "-o", "{tmp}", "--window", "0"), "window"),
    (("analogy", "{m}", "one two"), "with its signs"),
    (("analogy", "{m}", "cat", "dog", "saw"), "bare words can be read two ways"),
])
def test_user_errors_are_one_line_exit_2(trained, corpus_file, tmp_path, args, needle):
    args = [a.format(m=trained, corpus=corpus_file, tmp=tmp_path / "o") for a in args]
    r = run(*args, check=False)
    assert r.returncode == 2, r.stderr
    assert needle in r.stderr and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


def test_empty_corpus(tmp_path):
    (tmp_path / "empty.txt").write_text("\n\n")
    r = run("train", tmp_path / "empty.txt", "-o", tmp_path / "o" / "deeper", check=False)
    assert r.returncode == 2 and "no words" in r.stderr
    assert not (tmp_path / "o").exists()  # a failed run leaves none of the directories it made


@pytest.mark.slow  # 20 s; in-process interruptions (tests/test_resume.py) cover resume in the default run
def test_killed_training_resumes_to_the_same_model(tmp_path):
    rng = np.random.default_rng(1)  # 3000-word vocabulary: the full softmax takes seconds, long enough to kill
    words = rng.zipf(1.3, size=120000) % 3000
    corpus = tmp_path / "big.txt"
    corpus.write_text("\n".join(" ".join(f"w{x}" for x in words[i:i + 10]) for i in range(0, len(words), 10)) + "\n")
    common = ["--arch", "skipgram", "--loss", "softmax", "--optimizer", "momentum", "--alpha", "0.005", "--dim", "32",
              "--min-count", "1", "--epochs", "4", "--window", "3", "--seed", "9", "-q"]
    run("train", corpus, "-o", tmp_path / "straight", *common)
    out = tmp_path / "killed"
    proc = subprocess.Popen([sys.executable, "-m", "w2v.cli", "train", str(corpus), "-o", str(out), *common,
                             "--checkpoint-every", "0.6s"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.time() + 120
    while not (out / "checkpoint.npz").exists() and time.time() < deadline and proc.poll() is None:
        time.sleep(0.05)
    time.sleep(0.3)
    if proc.poll() is not None:
        pytest.skip("training finished before it could be killed (machine too fast for this corpus)")
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert (out / "checkpoint.npz").exists() and not (out / "model.npz").exists()
    r = run("train", "--resume", out, "-q")
    assert "trained" in r.stdout
    a, b = w2v.Word2Vec.load(tmp_path / "straight"), w2v.Word2Vec.load(out)
    assert np.array_equal(a.W_in_, b.W_in_) and np.array_equal(a.W_out_, b.W_out_)
    assert a.loss_history_ == b.loss_history_


def test_scripts_train_does_the_same(corpus_file, tmp_path):
    args = [str(corpus_file), "--min-count", "1", "--dim", "8", "--epochs", "1", "--workers", "1", "-q"]
    r = subprocess.run([sys.executable, "scripts/train.py", *args, "-o", str(tmp_path / "s")], capture_output=True,
                       text=True, timeout=300, cwd=str(__import__("pathlib").Path(__file__).resolve().parent.parent))
    assert r.returncode == 0, r.stderr
    run("train", *args, "-o", tmp_path / "cli")
    a, b = w2v.Word2Vec.load(tmp_path / "s"), w2v.Word2Vec.load(tmp_path / "cli")
    assert np.array_equal(a.W_in_, b.W_in_) and a.config_ == b.config_  # the same training, bit for bit
    assert (tmp_path / "s" / "vectors.txt").read_text() == (tmp_path / "cli" / "vectors.txt").read_text()


def test_plot_commands_write_pictures(trained, tmp_path):
    kv = w2v.load_vectors(trained)
    words = kv.index_to_key[:6]
    r = run_all([("plot", trained, "--words", *words, "-o", tmp_path / "map.png"),
                 ("plot", trained / "vectors.txt", "--limit", 20, "--projection", "tsne", "-o", tmp_path / "tsne.svg"),
                 ("plot", trained, "--arrows", f"{words[0]}:{words[1]}", f"{words[2]}:{words[3]}", "-o",
                  tmp_path / "pairs.pdf"),
                 ("plot-loss", trained, "-o", tmp_path / "loss.png")])[0]
    assert (tmp_path / "map.png").read_bytes().startswith(b"\x89PNG") and "wrote" in r.stdout
    assert (tmp_path / "tsne.svg").read_bytes().startswith(b"<?xml")
    assert (tmp_path / "pairs.pdf").read_bytes().startswith(b"%PDF")
    import matplotlib.image
    picture = matplotlib.image.imread(tmp_path / "loss.png")
    assert picture.shape[0] > 200 and picture.shape[1] > 200 and picture.std() > 0.01  # a drawing, not a blank


def test_plot_commands_fail_in_one_line(trained, tmp_path):
    cases = [(("plot", trained, "--words", "nosuchword", "-o", tmp_path / "a.png"), "nosuchword"),
             (("plot", trained, "--limit", 5, "-o", tmp_path / "a.gif"), ".png, .svg or .pdf"),
             (("plot", trained, "--arrows", "ab", "-o", tmp_path / "a.png"), "a:b"),
             (("plot-loss", trained / "vectors.txt", "-o", tmp_path / "l.png"), "native model")]
    for (args, needle), r in zip(cases, run_all([args for args, _ in cases], check=False)):
        assert r.returncode == 2, r.stderr
        assert needle in r.stderr and len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr
        assert not (tmp_path / "a.png").exists()


def test_train_without_a_corpus_uses_the_starter_corpus_and_reports(tmp_path):
    r = run("train", "-o", tmp_path / "s", "--epochs", 1, "-q")
    assert "starter corpus" in r.stdout
    for needle in ("king - man + woman =", "nearest neighbours:", "questions-words analogies", "WordSim353",
                   f"picture: {tmp_path / 's' / 'analogies.png'}"):
        assert needle in r.stdout
    assert (tmp_path / "s" / "analogies.png").stat().st_size > 1000
    assert w2v.load_vectors(tmp_path / "s").vector_size == 100


def test_train_dataset_uses_the_cache(tmp_path, corpus_file):
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "text8").write_text(" ".join(corpus_file.read_text().split()))  # text8-style: one long line
    env = {**os.environ, "W2V_DATA": str(cache)}
    r = subprocess.run([sys.executable, "-m", "w2v.cli", "train", "--dataset", "text8", "-o", str(tmp_path / "t"),
                        "--min-count", "1", "--epochs", "1", "-q"], capture_output=True, text=True, env=env, timeout=300)
    assert r.returncode == 0, r.stderr
    assert "cat" in w2v.load_vectors(tmp_path / "t")
    r = run("train", corpus_file, "--dataset", "text8", check=False)
    assert r.returncode == 2 and "not both" in r.stderr


def test_report_on_a_tiny_corpus_skips_what_it_cannot_score(tmp_path):
    (tmp_path / "tiny.txt").write_text("the cat sat on the mat\nthe dog sat on the log\n" * 3)
    r = run("train", tmp_path / "tiny.txt", "-o", tmp_path / "o", "--min-count", 1, "--epochs", 1, "--report", "-q")
    assert "WordSim353 Spearman skipped (too few known pairs)" in r.stdout
    assert "king: not in the vocabulary" in r.stdout and (tmp_path / "o" / "model.npz").is_file()


def _options(parser):
    import argparse
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from ((name, a) for a in sub._actions if not isinstance(a, argparse._HelpAction))


def test_every_option_of_every_command_has_help_and_its_default():
    from w2v.cli import build_parser
    for command, action in _options(build_parser()):
        assert action.help, (command, action.dest)
        if action.option_strings and not action.required and action.nargs != 0 and action.default is not None:
            assert "default" in action.help, (command, action.option_strings)


def test_verbose_and_quiet_work_after_the_command(trained, tmp_path):
    r = run("export", trained, "-o", tmp_path / "v.txt", "-v")
    assert r.returncode == 0
    from w2v.cli import build_parser
    args = build_parser().parse_args(["-v", "neighbors", "m", "w"])
    assert args.verbose and not args.quiet  # a flag before the command is not undone by the command's parser
    assert build_parser().parse_args(["neighbors", "m", "w", "-q"]).quiet


def test_export_for_the_embedding_projector(trained, tmp_path):
    import json
    run("export", trained, "--format", "projector", "--limit", 5, "-o", tmp_path / "p")
    kv = w2v.load_vectors(trained)
    rows = [line.split("\t") for line in (tmp_path / "p" / "vectors.tsv").read_text().splitlines()]
    assert len(rows) == 5 and all(len(r) == kv.vector_size for r in rows)
    np.testing.assert_allclose(np.array(rows, float), kv.vectors[:5], rtol=1e-5, atol=1e-6)
    assert (tmp_path / "p" / "metadata.tsv").read_text().splitlines() == kv.index_to_key[:5]
    cfg = json.loads((tmp_path / "p" / "projector_config.json").read_text())
    assert cfg["embeddings"][0]["tensorShape"] == [5, kv.vector_size]
    assert 'tensor_path: "vectors.tsv"' in (tmp_path / "p" / "projector_config.pbtxt").read_text()
