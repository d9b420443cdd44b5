"""Config is the one definition of every option: the CLI flags and the estimator's parameters come from it."""
import dataclasses
import math

import pytest

import w2v
from w2v.cli import CLI_DEFAULTS, build_parser, config_args, config_flags
from w2v.config import Config, field_type
from w2v.errors import ConfigError

FIELDS = dataclasses.fields(Config)


def _train_action(dest):
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    return next(a for a in sub.choices["train"]._actions if a.dest == dest)


@pytest.mark.parametrize("f", FIELDS, ids=lambda f: f.name)
def test_every_config_field_has_a_train_flag_with_its_default_and_help(f):
    action = _train_action(f.name)
    assert action.option_strings[0] == "--" + f.name.replace("_", "-")
    assert set(config_flags(f)) <= set(action.option_strings)
    default = CLI_DEFAULTS.get(f.name)
    if default is None:
        shown = "none" if f.default is None else str(f.default)
        assert f"(default: {shown})" in action.help.replace("%%", "%")
    assert f.metadata["help"] in action.help.replace("%%", "%")
    if f.metadata["choices"]:
        assert tuple(action.choices) == f.metadata["choices"]


def test_a_bare_train_command_gives_configs_defaults():
    args = build_parser().parse_args(["train", "corpus.txt"])
    assert config_args(args) == {}  # nothing given: Config's defaults apply (CLI_DEFAULTS says where not)
    assert set(CLI_DEFAULTS) == {"workers", "epochs"}
    assert w2v.Word2Vec().get_config() == Config()


def test_flags_parse_to_the_fields_types():
    args = build_parser().parse_args(["train", "c.txt", "--dim", "50", "--alpha", "0.05", "--no-cbow-mean",
                                      "--optimizer", "momentum", "--lr-schedule", "step", "--lr-gamma", "0.3",
                                      "--max-vocab-size", "1000", "--no-compute-loss"])
    given = config_args(args)
    assert given == {"vector_size": 50, "alpha": 0.05, "cbow_mean": False, "optimizer": "momentum",
                     "lr_schedule": "step", "lr_gamma": 0.3, "max_vocab_size": 1000, "compute_loss": False}
    for name, value in given.items():
        assert isinstance(value, field_type(Config.__dataclass_fields__[name]))


def test_estimator_parameters_are_configs_fields_and_clone_works():
    from sklearn.base import clone
    import inspect
    params = inspect.signature(w2v.Word2Vec).parameters
    assert [p for p in params] == [f.name for f in FIELDS]
    assert all(params[f.name].default == f.default for f in FIELDS)
    m = w2v.Word2Vec(arch="skipgram", vector_size=32, negative=7)
    c = clone(m)
    assert c is not m and c.get_params() == m.get_params() and c.negative == 7
    assert m.set_params(window=3) is m and m.get_config().window == 3
    with pytest.raises(ConfigError, match="did you mean 'window'"):
        m.set_params(windw=3)
    with pytest.raises(ConfigError, match="did you mean 'vector_size'"):
        w2v.Word2Vec(vector_sise=10)


@pytest.mark.parametrize("options,needle", [
    ({"alpha": "0.1"}, "alpha must be a finite number"),
    ({"seed": -1}, "seed must be an integer in"),
    ({"epochs": 0}, "epochs must be an integer >= 1"),
    ({"min_alpha": 0.5, "alpha": 0.1}, "min_alpha (0.5) must not exceed"),
    ({"sample": math.inf}, "sample must be a finite number"),
    ({"alpha": math.nan}, "alpha must be a finite number"),
    ({"window": 2.5}, "window must be an integer"),
    ({"cbow_mean": "yes"}, "cbow_mean must be True or False"),
    ({"loss": "hs"}, "loss must be one of softmax, negative, hierarchical"),
    ({"window": 10**9}, "window must be at most 10,000"),
    ({"negative": 10**6}, "negative must be at most 1,000"),
])
def test_bad_values_name_the_option(options, needle):
    with pytest.raises(ConfigError) as e:
        Config(**options).validate()
    assert needle in str(e.value)


def test_factories_raise_config_errors():
    from w2v.nn.optim import make_optimizer, make_schedule
    with pytest.raises(ConfigError, match="unknown optimizer"):
        make_optimizer("adagrad", [])
    with pytest.raises(ConfigError, match="unknown learning-rate schedule"):
        make_schedule("cosine", 0.1)
