import numpy as np
import pytest

import w2v
from w2v.errors import ConfigError, TrainingError
from w2v.text.encoded import EncodedCorpus

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
    cuts, at = EncodedCorpus.from_arrays(np.zeros(40, np.int32), bounds).cuts(job_words=10)
    assert cuts[0] == 0 and cuts[-1] == len(bounds) - 1
    assert (np.diff(cuts) > 0).all() and np.array_equal(at, bounds[cuts])


@pytest.mark.parametrize("backend", ["numba", "numpy"])
def test_learning_rate_decays_linearly_over_all_epochs(monkeypatch, backend):
    """Every job starts at the rate the linear schedule gives for the corpus words done before it, over all
    epochs: alpha at the first word, min_alpha after the last."""
    from w2v.train.trainer import Trainer
    seen = []
    for name in ("_train_kernel", "_train_numpy"):
        real = getattr(Trainer, name)

        def spy(self, ids, bounds, p0, p1, epoch, n_words, seed, real=real, name=name):
            seen.append((p0, epoch, n_words))
            if name == "_train_kernel":
                out = real(self, ids, bounds, p0, p1, epoch, n_words, seed)
                seen[-1] += (out[2],)  # the kernel job reports its start rate
                return out
            rates, step = [], self.optimizer.step  # the numpy job: the rate of its first optimizer step
            self.optimizer.step = lambda grads, lr: (rates.append(lr), step(grads, lr))[1]
            try:
                out = real(self, ids, bounds, p0, p1, epoch, n_words, seed)
            finally:
                del self.optimizer.step
            seen[-1] += tuple(rates[:1])
            return out
        monkeypatch.setattr(Trainer, name, spy)
    sents, _ = planted_corpus(200)
    m = w2v.Word2Vec(vector_size=8, min_count=1, epochs=3, alpha=0.04, min_alpha=0.001, job_words=100,
                     backend=backend, loss="negative").fit(sents, progress=False)
    total = 3 * seen[0][2]
    assert len(seen) > 3 * 10 and [e for _, e, *_ in seen] == sorted(e for _, e, *_ in seen)
    assert sum(len(job) == 4 for job in seen) >= len(seen) - 3  # (a job subsampled to nothing takes no step)
    for done, epoch, n_words, *lr in seen:
        want = 0.04 - (0.04 - 0.001) * done / total
        if lr:
            assert lr[0] == pytest.approx(want, rel=1e-12)
    # the numpy path steps its rate inside a job too: its last batch is close to min_alpha
    assert m.state_.lr == pytest.approx(0.001, abs=0.04 * 150 / total)


def test_config_errors_name_the_option():
    with pytest.raises(ConfigError, match="window"):
        w2v.Word2Vec(window=0).fit([["a"]])
    with pytest.raises(ConfigError, match="optimizer='momentum' is only available"):
        w2v.Word2Vec(loss="negative", optimizer="momentum").fit([["a"]])
    with pytest.raises(ConfigError, match="unknown Word2Vec option"):
        w2v.Word2Vec(windw=3)


def test_a_generator_is_read_once_and_trains_every_epoch():
    """The corpus is encoded once, so a one-shot generator trains several epochs exactly as a list does."""
    sents, _ = planted_corpus(50)
    params = dict(min_count=1, epochs=2, vector_size=4, workers=1, seed=3)
    from_gen = w2v.Word2Vec(**params).fit((s for s in sents), progress=False)
    from_list = w2v.Word2Vec(**params).fit(sents, progress=False)
    assert len(from_gen.loss_history_) == 2 and np.array_equal(from_gen.W_in_, from_list.W_in_)


def test_divergence_stops_with_the_learning_rate_named():
    sents, _ = planted_corpus(100)
    with pytest.raises(TrainingError, match="learning rate"):
        w2v.Word2Vec(loss="softmax", optimizer="momentum", alpha=9.0, min_count=1, vector_size=8, epochs=3,
                     sample=0).fit(sents, progress=False)


@pytest.mark.parametrize("loss", ["negative", "hierarchical"])
def test_a_learning_rate_far_too_high_stops_the_kernels_with_the_rate_named(loss):
    """With the skip of saturated outputs the weights of such a run stay finite but huge, so the loss, not a NaN,
    tells: an epoch's mean loss many times that of untrained weights stops it."""
    sents, _ = planted_corpus(100)
    with pytest.raises(TrainingError, match="times that of untrained weights, at learning rate"):
        w2v.Word2Vec(loss=loss, alpha=9.9, min_count=1, vector_size=8, epochs=2).fit(sents, progress=False)
    model = w2v.Word2Vec(loss=loss, alpha=0.05, min_count=1, vector_size=8, epochs=2).fit(sents, progress=False)
    null = _trainer(sents, loss=loss)[0].null_loss()
    assert model.state_.history[-1] < 1.5 * null  # a sane rate stays near untrained weights' loss or below


def _trainer(sents, **options):
    """A Trainer on the planted corpus with fresh weights, and the encoded corpus."""
    from conftest import encode_sentences
    from w2v.train.trainer import Trainer
    cfg = w2v.Config(vector_size=8, min_count=1, sample=0, job_words=200, **options).validate()
    vocab = w2v.Vocabulary.build(sents, min_count=1)
    trainer = Trainer(cfg, vocab)
    trainer.init_weights(np.random.default_rng(cfg.seed))
    return trainer, EncodedCorpus.from_arrays(*encode_sentences(sents, vocab.key_to_index))


@pytest.mark.parametrize("arch,loss", [("cbow", "negative"), ("cbow", "hierarchical"), ("skipgram", "negative")])
def test_two_workers_publish_their_private_rows_when_training_ends(arch, loss):
    """Each thread trains on private copies of the hottest rows; when training ends every change is in the
    shared weights and every copy equals them (nothing is left only in a thread's copy)."""
    sents, _ = planted_corpus(400)
    trainer, corpus = _trainer(sents, arch=arch, loss=loss, epochs=2, workers=2)
    trainer.train(corpus, progress=False)
    w = trainer.weights
    assert len(trainer._private) >= 1
    assert np.shares_memory(w.buf_in, trainer.W_in) and np.shares_memory(w.buf_out, trainer.W_out)
    for p in trainer._private:
        n_out, n_in = len(p.snap_out), len(p.snap_in)
        assert n_out == len(trainer.W_out)  # this vocabulary is smaller than HOT_ROWS: every row private
        assert np.array_equal(w.buf_out[p.base_out:p.base_out + n_out], trainer.W_out[p.out_lo:p.out_lo + n_out])
        assert np.array_equal(p.snap_out, trainer.W_out[p.out_lo:p.out_lo + n_out])
        assert np.array_equal(w.buf_in[p.base_in:p.base_in + n_in], trainer.W_in[:n_in])
        assert (n_in > 0) == (arch == "cbow")


def test_shared_weights_trains_given_arrays_in_place_or_copies_them_once():
    from w2v.train.hogwild import SharedWeights
    W_in, W_out = np.ones((7, 4), np.float32), np.zeros((7, 4), np.float32)
    same = SharedWeights.adopt(W_in, W_out, 0, 0)  # one thread: nothing to add, train these very arrays
    assert same.buf_in is W_in and same.buf_out is W_out and np.shares_memory(same.W_in, W_in)
    grown = SharedWeights.adopt(W_in, W_out, 2, 3)  # private rows need room: one copy with it
    assert grown.buf_in.shape == (9, 4) and grown.buf_out.shape == (10, 4)
    assert not np.shares_memory(grown.buf_in, W_in) and np.array_equal(grown.W_in, W_in)
    ro = np.ones((7, 4), np.float32)
    ro.flags.writeable = False  # a memory-mapped model is read-only: copied, never written
    assert not np.shares_memory(SharedWeights.adopt(ro, W_out, 0, 0).W_in, ro)


def test_two_workers_continue_loaded_weights_and_leave_the_originals_alone():
    """Weights from a file have no room for the threads' private rows: the trainer copies them once into
    buffers with room, trains those, and the model then holds the trained copy."""
    sents, _ = planted_corpus(400)
    m = w2v.Word2Vec(arch="cbow", vector_size=8, min_count=1, epochs=1, workers=1, sample=0).fit(sents, progress=False)
    W_in, W_out = m.W_in_.copy(), m.W_out_.copy()  # plain arrays, as np.load gives
    before_in = W_in.copy()
    trainer, corpus = _trainer(sents, arch="cbow", epochs=2, workers=2)
    trainer.set_weights(W_in, W_out)
    trainer.train(corpus, progress=False)
    assert not np.shares_memory(trainer.W_in, W_in) and np.array_equal(W_in, before_in)
    assert not np.array_equal(trainer.W_in, before_in) and np.isfinite(trainer.W_in).all()


def test_two_workers_on_real_text_learn_what_one_does():
    """The King James Bible (790k words, 5,278 words in the vocabulary: far more rows than each thread keeps
    private): two Hogwild workers with private hot rows reach one worker's loss and learn the same neighbours."""
    import itertools
    import lzma
    from w2v import datasets
    with lzma.open(datasets.STARTER, "rt", encoding="utf-8") as f:
        sents = [line.split() for line in itertools.islice(f, 31102)]  # the Bible's verses come first
    runs = {w: w2v.Word2Vec(epochs=5, workers=w, vector_size=50, seed=1).fit(sents, progress=False) for w in (1, 2)}
    assert len(runs[2].wv) > 4 * 1024
    assert runs[2].loss_history_[-1] == pytest.approx(runs[1].loss_history_[-1], rel=0.05)
    for a, b in [("god", "lord"), ("sheep", "goats"), ("silver", "gold"), ("day", "night")]:
        assert runs[2].wv.rank(a, b) <= 20, (a, b)
