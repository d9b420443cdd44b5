"""One vocabulary: no flag means two things in two commands, every shared flag and its Python parameter have one
name and unit (``w2v.options``), and the old spellings still work for a release with one line saying the new."""
import argparse
import inspect

import numpy as np
import pytest

import w2v
from w2v.vectors import evaluate
from w2v.pictures import explore, plot
from w2v.cli import build_parser, main
from w2v.config import Config
from w2v.errors import ConfigError
from w2v.options import OPTIONS, RENAMED_FLAGS, seconds


def _commands() -> dict:
    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    return sub.choices


def _visible_flags(parser):
    for a in parser._actions:
        if a.option_strings and a.help is not argparse.SUPPRESS and not isinstance(a, argparse._HelpAction):
            yield a


def test_no_flag_has_two_meanings_across_commands():
    seen = {}
    for command, parser in _commands().items():
        for a in _visible_flags(parser):
            longs = [s for s in a.option_strings if s.startswith("--")]
            # a flag is named for what it holds: --pairs cannot hold arrows, --method cannot hold a projection
            assert any(s[2:].replace("-", "_") in (a.dest, "no_" + a.dest) for s in longs), (command, longs, a.dest)
            for flag in longs:
                meaning = (a.dest, tuple(a.choices or ()), a.nargs)  # (phrases' --min-count may be a float)
                assert seen.setdefault(flag, (command, meaning))[1] == meaning, (flag, command, seen[flag])
    for name, o in OPTIONS.items():  # each shared option is the table's, wherever it appears
        assert seen[o.flag][1][:2] == (name, tuple(o.choices or ()))


# (command, option, the Python callables that take it under the same name)
PYTHON = [
    ("neighbors", "topn", [w2v.KeyedVectors.most_similar]),
    ("neighbors", "restrict_vocab", [w2v.KeyedVectors.most_similar]),
    ("analogy", "topn", [w2v.KeyedVectors.analogy, w2v.KeyedVectors.most_similar_cosmul]),
    ("analogy", "formula", [w2v.KeyedVectors.analogy, evaluate.analogies]),
    ("analogy", "restrict_vocab", [w2v.KeyedVectors.analogy]),
    ("evaluate", "formula", [evaluate.analogies]),
    ("evaluate", "restrict_vocab", [evaluate.analogies, evaluate.word_pairs]),
    ("plot", "limit", [plot.plot_words]),
    ("plot", "projection", [plot.plot_words, plot.plot_analogies]),
    ("explore", "limit", [plot.explorer, explore.write_explorer, explore.explorer_html]),
    ("explore", "projection", [plot.explorer, explore.write_explorer, explore.explorer_html]),
    ("convert", "limit", [w2v.load_vectors]),
    ("export", "limit", [w2v.files.save_projector]),
    ("train", "checkpoint_every", [w2v.Word2Vec.fit]),
]


def test_every_shared_flag_is_the_python_parameter_of_the_same_name():
    commands = _commands()
    for command, name, functions in PYTHON:
        assert OPTIONS[name].flag in {s for a in _visible_flags(commands[command]) for s in a.option_strings}
        for fn in functions:
            assert name in inspect.signature(fn).parameters, (command, name, fn.__qualname__)
    shared = {(c, n) for c, n, _ in PYTHON}
    for command, parser in commands.items():  # and no command has a shared flag this table forgets
        for a in _visible_flags(parser):
            if a.dest in OPTIONS:
                assert (command, a.dest) in shared, (command, a.dest)
    assert not set(OPTIONS) & {f.name for f in Config.__dataclass_fields__.values()}  # training's are Config's


def test_checkpoint_every_is_seconds_everywhere(monkeypatch, tmp_path, capsys):
    assert seconds("90") == (90.0, False) and seconds("90s") == (90.0, True)
    assert seconds("1.5m") == (90.0, True) and seconds("2h") == (7200.0, True)
    for bad in ("-1", "0", "ten", "5d", "nan"):
        with pytest.raises(ConfigError, match="checkpoint_every"):
            seconds(bad)
    given = {}

    def fit(self, corpus, **kw):  # what the command hands to Python, without training
        given.update(kw)
        raise w2v.W2VError("stop here")
    monkeypatch.setattr(w2v.Word2Vec, "fit", fit)
    corpus = tmp_path / "c.txt"
    corpus.write_text("a b c\n")
    assert main(["train", str(corpus), "-o", str(tmp_path / "o"), "--checkpoint-every", "2m", "-q"]) == 2
    assert given["checkpoint_every"] == 120.0 and "in seconds now" not in capsys.readouterr().err
    assert main(["train", str(corpus), "-o", str(tmp_path / "o"), "--checkpoint-every", "30", "-q"]) == 2
    assert given["checkpoint_every"] == 30.0
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("w2v: --checkpoint-every is in seconds now (it was minutes)")


@pytest.fixture
def vectors_file(tmp_path):
    rng = np.random.default_rng(0)
    words = ["king", "queen", "man", "woman", "prince", "princess", "boy", "girl"]
    p = tmp_path / "v.txt"
    w2v.KeyedVectors(words, rng.standard_normal((8, 6)).astype(np.float32)).save_word2vec_format(p)
    return p


def test_old_flags_still_work_with_one_line_each(vectors_file, tmp_path, capsys):
    cases = [(["plot", vectors_file, "--top", "6", "--method", "pca", "-o", tmp_path / "a.png"], ["--top", "--method"]),
             (["plot", vectors_file, "--pairs", "man:woman", "king:queen", "-o", tmp_path / "b.png"], ["--pairs"]),
             (["analogy", vectors_file, "king - man + woman", "--method", "3cosmul"], ["--method"]),
             (["evaluate", vectors_file, "--pairs", "--method", "3cosmul"], ["--pairs", "--method"]),
             (["explore", vectors_file, "--top", "5", "--method", "pca", "-o", tmp_path / "e.html"], ["--top", "--method"]),
             (["export", vectors_file, "--format", "projector", "--top", "3", "-o", tmp_path / "p"], ["--top"])]
    assert {c[0][0] for c in cases} == set(RENAMED_FLAGS)
    for argv, old in cases:
        assert main([str(a) for a in argv]) == 0, argv
        err = capsys.readouterr().err.splitlines()
        for flag in old:
            new = OPTIONS.get(RENAMED_FLAGS[argv[0]][flag])
            assert any(line.startswith(f"w2v: {flag} is now {new.flag if new else '--'}") for line in err), err
    assert (tmp_path / "p" / "vectors.tsv").read_text().count("\n") == 3


def test_old_python_names_still_work_with_a_warning(vectors_file):
    kv = w2v.load_vectors(vectors_file)
    with pytest.warns(FutureWarning, match="method= is now formula="):
        assert kv.analogy("man", "king", "woman", method="3cosmul") == kv.analogy("man", "king", "woman",
                                                                                  formula="3cosmul")
    with pytest.warns(FutureWarning, match="top= is now limit="), pytest.warns(FutureWarning, match="method="):
        fig = plot.plot_words(kv, top=4, method="pca")
    assert len(fig.axes[0].collections[0].get_offsets()) == 4
    with pytest.raises(TypeError, match="unexpected keyword argument 'formul'"):
        kv.analogy("man", "king", "woman", formul="3cosmul")
    with pytest.raises(ConfigError, match="formula must be one of 3cosadd, 3cosmul"):
        kv.analogy("man", "king", "woman", formula="3cosdiv")
