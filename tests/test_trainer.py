import dataclasses

import numpy as np
import pytest

import w2v
from w2v.errors import ConfigError, CorpusError, TrainingError
from w2v.trainer import make_jobs

from conftest import planted_corpus


@pytest.mark.parametrize("arch,loss", [("cbow", "negative"), ("skipgram", "hierarchical"), ("skipgram", "softmax")])
def test_single_worker_is_bit_for_bit_reproducible(arch, loss):
    sents, _ = planted_corpus(200)
    kw = dict(arch=arch, loss=loss, vector_size=8, window=3, min_count=1, epochs=2, seed=11, job_words=300)
    a = w2v.Word2Vec(**kw).fit(sents, progress=False)
    b = w2v.Word2Vec(**kw).fit(sents, progress=False)
    assert np.array_equal(a.W_in_, b.W_in_) and np.array_equal(a.W_out_, b.W_out_)
    assert a.loss_history_ == b.loss_history_
    c = w2v.Word2Vec(**{**kw, "seed": 12}).fit(sents, progress=False)
    assert not np.array_equal(a.W_in_, c.W_in_)


def test_two_workers_train_and_stay_finite():
    sents, _ = planted_corpus(400)
    m = w2v.Word2Vec(arch="skipgram", vector_size=8, min_count=1, epochs=2, workers=2, job_words=200).fit(
        sents, progress=False)
    assert np.isfinite(m.W_in_).all() and len(m.loss_history_) == 2


def test_jobs_cover_every_sentence_without_cutting():
    bounds = np.array([0, 5, 7, 30, 31, 40])
    cuts = make_jobs(bounds, job_words=10)
    assert cuts[0] == 0 and cuts[-1] == len(bounds) - 1
    assert (np.diff(cuts) > 0).all()


def test_learning_rate_decays_linearly_over_all_epochs():
    sents, _ = planted_corpus(200)
    m = w2v.Word2Vec(vector_size=8, min_count=1, epochs=3, alpha=0.04, min_alpha=0.001, job_words=100).fit(
        sents, progress=False)
    assert m.state_.lr < 0.04 * 0.1  # the last job starts close to min_alpha


def test_config_errors_name_the_option():
    with pytest.raises(ConfigError, match="window"):
        w2v.Word2Vec(window=0).fit([["a"]])
    with pytest.raises(ConfigError, match="optimizer='momentum' is only available"):
        w2v.Word2Vec(loss="negative", optimizer="momentum").fit([["a"]])
    with pytest.raises(ConfigError, match="unknown Word2Vec option"):
        w2v.Word2Vec(windw=3)


def test_generator_refused_for_several_epochs_but_fine_for_one():
    sents, _ = planted_corpus(50)
    with pytest.raises(CorpusError, match="one-shot"):
        w2v.Word2Vec(min_count=1, epochs=2).fit((s for s in sents), progress=False)
    m = w2v.Word2Vec(min_count=1, epochs=1, vector_size=4).fit((s for s in sents), progress=False)
    assert len(m.wv) > 0


def test_divergence_stops_with_the_learning_rate_named():
    sents, _ = planted_corpus(100)
    with pytest.raises(TrainingError, match="learning rate"):
        w2v.Word2Vec(loss="softmax", optimizer="momentum", alpha=9.0, min_count=1, vector_size=8, epochs=3,
                     sample=0).fit(sents, progress=False)


@pytest.mark.parametrize("arch,loss", [("cbow", "negative"), ("cbow", "hierarchical"), ("skipgram", "negative")])
def test_two_workers_publish_their_private_rows_when_training_ends(arch, loss):
    """Each thread trains on private copies of the hottest rows; when training ends every change is in the
    shared weights and every copy equals them (nothing is left only in a thread's copy)."""
    sents, _ = planted_corpus(400)
    m = w2v.Word2Vec(arch=arch, loss=loss, vector_size=8, min_count=1, epochs=2, workers=2, job_words=200,
                     sample=0).fit(sents, progress=False)
    trainer = m._trainer
    assert len(trainer._private) >= 1
    run_in, run_out = trainer._run_in, trainer._run_out  # the vocabulary's rows, then the threads' private rows
    assert np.shares_memory(run_in, m.W_in_) and np.shares_memory(run_out, m.W_out_)  # fit left room: no copy
    for p in trainer._private:
        n_out, n_in = len(p.snap_out), len(p.snap_in)
        assert n_out == len(m.W_out_)  # this vocabulary is smaller than HOT_ROWS: every row private
        assert np.array_equal(run_out[p.base_out:p.base_out + n_out], m.W_out_[p.out_lo:p.out_lo + n_out])
        assert np.array_equal(p.snap_out, m.W_out_[p.out_lo:p.out_lo + n_out])
        assert np.array_equal(run_in[p.base_in:p.base_in + n_in], m.W_in_[:n_in])
        assert (n_in > 0) == (arch == "cbow")


def test_with_spare_rows_reuses_a_buffer_with_room_and_copies_otherwise():
    from w2v.trainer import with_spare_rows
    buf = np.arange(40, dtype=np.float32).reshape(10, 4).copy()  # owns its memory, as np.empty gives
    W = buf[:7]
    assert with_spare_rows(W, 3) is buf
    assert with_spare_rows(W, 0) is W
    grown = with_spare_rows(W, 4)  # no room for 4 more: a copy
    assert grown.shape == (11, 4) and not np.shares_memory(grown, buf) and np.array_equal(grown[:7], W)
    assert not np.shares_memory(with_spare_rows(buf[1:8], 2), buf)  # not the leading rows: a copy


def test_two_workers_on_arrays_without_spare_rows_update_them_in_place():
    """Weights from a file have no room for the threads' private rows: the trainer trains a copy with room
    and writes the result back into the caller's arrays (at every drain, so checkpoints see it too)."""
    from w2v.corpus import encode_corpus
    from w2v.trainer import Trainer
    sents, _ = planted_corpus(400)
    m = w2v.Word2Vec(arch="cbow", vector_size=8, min_count=1, epochs=1, workers=1, sample=0).fit(sents, progress=False)
    W_in, W_out = m.W_in_.copy(), m.W_out_.copy()  # plain arrays, as np.load gives
    before_in, before_out = W_in.copy(), W_out.copy()
    cfg = dataclasses.replace(m.config_, workers=2, job_words=200, epochs=2)
    trainer = Trainer(cfg, m.vocab_, W_in, W_out)
    ids, bounds = encode_corpus(sents, m.vocab_.key_to_index)
    trainer.train(ids, bounds, progress=False)
    assert not np.shares_memory(trainer._run_in, W_in)
    assert not np.array_equal(W_in, before_in) and not np.array_equal(W_out, before_out)
    np.testing.assert_array_equal(W_in, trainer._run_in[:len(W_in)])
    np.testing.assert_array_equal(W_out, trainer._run_out[:len(W_out)])
