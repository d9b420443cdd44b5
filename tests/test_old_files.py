"""Files written by w2v before its modules moved into subpackages (tests/data, written by commit 8c53b3b) load,
and a model from before ``tokenizer``, ``lowercase`` and ``phrases`` were estimator parameters has them."""
import shutil
from pathlib import Path

import numpy as np
import pytest
from sklearn.base import clone

import w2v

DATA = Path(__file__).resolve().parent / "data"


def test_a_model_file_from_the_flat_layout_loads_with_its_reading_options(tmp_path):
    model = w2v.Word2Vec.load(DATA / "model-flat-layout.npz")
    # the file's config has no tokenizer/lowercase/phrases: they come from its corpus record and its phrases
    assert (model.config_.tokenizer, model.config_.lowercase, model.config_.phrases) == ("words", True, 1)
    assert model.get_params()["tokenizer"] == "words" and model.phrases_ is not None
    assert model.wv.most_similar("york", topn=3)
    assert model.vocab_.first is None  # no first positions: its tree as it was trained, ties in vocabulary order
    # it continues on more text read the same way (lowercased words: "New" counts for "new")
    before = model.vocab_.counts[model.vocab_.key_to_index["new"]]
    model.partial_fit(DATA / "flat-layout.txt", epochs=1, progress=False)
    assert model.vocab_.counts[model.vocab_.key_to_index["new"]] > before and "New" not in model.wv
    model.save(tmp_path / "again.npz")
    assert w2v.Word2Vec.load(tmp_path / "again.npz").config_.tokenizer == "words"


def test_an_encoded_corpus_from_the_flat_layout_trains(tmp_path):
    corpus = tmp_path / "c.w2vcorpus"
    shutil.copytree(DATA / "flat-layout.w2vcorpus", corpus)
    model = w2v.Word2Vec(min_count=2, vector_size=8, epochs=1, sample=0, seed=1).fit(corpus, progress=False)
    assert "York," in model.wv and np.isfinite(model.wv.vectors).all()


def test_reading_options_are_estimator_parameters():
    """scikit-learn's rule: what changes the fitted model is a constructor parameter, so clone keeps it."""
    model = w2v.Word2Vec(tokenizer="words", lowercase=True, phrases=2, min_count=1)
    assert clone(model).get_params()["tokenizer"] == "words" and clone(model).lowercase and clone(model).phrases == 2
    fitted = w2v.Word2Vec(tokenizer="words", lowercase=True, min_count=1, sample=0, epochs=1, vector_size=8).fit(
        DATA / "flat-layout.txt", progress=False)
    assert "york" in fitted.wv and "York," not in fitted.wv and fitted.corpus_info_["tokenizer"] == "words"
    with pytest.warns(FutureWarning) as caught:
        late = w2v.Word2Vec(min_count=1, sample=0, epochs=1, vector_size=8).fit(
            DATA / "flat-layout.txt", tokenizer="words", lowercase=True, progress=False)
    assert sorted(str(w.message).split("(")[1] for w in caught) == ["lowercase=...) is deprecated: give it to the "
                                                                    "estimator, Word2Vec", "tokenizer=...) is "
                                                                    "deprecated: give it to the estimator, Word2Vec"]
    assert late.wv.index_to_key == fitted.wv.index_to_key and late.config_.tokenizer == "words"
    assert late.tokenizer == "whitespace"  # fit() does not change the parameters; config_ records what ran
    with pytest.raises(w2v.ConfigError, match="tokenizer must be one of"):
        w2v.Word2Vec(tokenizer="spaces").fit(DATA / "flat-layout.txt", progress=False)
