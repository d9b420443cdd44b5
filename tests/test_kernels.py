"""The numba kernels compute exactly the update of the numpy reference on the same random draws."""
import os

import numpy as np
import pytest
from scipy import stats

from w2v import Vocabulary
from w2v.train import kernels, warmup
from w2v.train.rows import no_private_rows, publish_rows, refresh_rows
from w2v.vectors.analogy import analogy_argmax
from w2v.train.updates import cbow_window_update, sg_hs_update, sg_window_update
from w2v.config import Config
from w2v.train.models import HierarchicalOutput, Network, NegativeSamplingOutput


def _setup(V=9, d=6, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((V, d)).astype(np.float32) * 0.3, rng.standard_normal((V, d)).astype(np.float32) * 0.3


def _saturate(W_out, row, x, score=10.0):
    """Point output row ``row`` along input ``x`` so that it scores ``score`` against it: beyond MAX_EXP."""
    W_out[row] = x * (score / float(x @ x))


def _ns_rows(centre, negs):
    rows = np.array([centre] + [n for n in negs if n != centre], dtype=np.int64)
    labels = np.array([1.0] + [0.0] * (len(rows) - 1), dtype=np.float32)
    return rows, labels


@pytest.mark.parametrize("skip_saturated", [True, False])
@pytest.mark.parametrize("loss", ["negative", "hierarchical"])
def test_skipgram_window_update_equals_reference(loss, skip_saturated):
    """One window's block update is the numpy network's, also where an output scores beyond MAX_EXP and gets no
    update with ``skip_saturated`` (gensim's rule) or the exact gradient without."""
    W_in, W_out = _setup()
    ctx = np.array([1, 4, 1, 7], dtype=np.int32)  # word 1 twice in the window: both updates must land
    centre, lr = 3, 0.1
    vocab = Vocabulary([str(i) for i in range(9)], [20, 15, 12, 9, 7, 5, 3, 2, 1])
    if loss == "negative":
        negs = [5, 3, 5, 0]  # a repeat, and the centre itself (skipped as in word2vec.c)
        rows, labels = _ns_rows(centre, negs)
        extra = {"negatives": np.tile(negs, (len(ctx), 1))}
        output = NegativeSamplingOutput(vocab, Config(skip_saturated=skip_saturated))
    else:
        output = HierarchicalOutput(vocab, Config(loss="hierarchical", skip_saturated=skip_saturated))
        W_out = W_out[:8].copy()
        L = output.lengths[centre]
        rows = output.points[centre, :L].astype(np.int64)
        labels = (1.0 - output.codes[centre, :L]).astype(np.float32)
        extra = {}
    _saturate(W_out, rows[1], W_in[ctx[0]])  # an output the first context word scores at 10
    ref_in, ref_out = W_in.astype(np.float64), W_out.astype(np.float64)
    net = Network(ref_in, ref_out, output)
    ref_loss, (g_in, g_out) = net.loss_and_grads(ctx[:, None], np.ones((len(ctx), 1), bool),
                                                 np.full(len(ctx), centre), **extra)
    g_in.apply(ref_in, -lr)
    g_out.apply(ref_out, -lr)
    k_in, k_out = W_in.copy(), W_out.copy()
    d, K = W_in.shape[1], len(rows)
    # room past K, as the kernel's scratch has, holding NaN: the vectorised sigmoid's extra lanes must not leak
    pad = (K + 7) // 8 * 8 + 8
    padded_labels = np.concatenate([labels, np.full(pad - K, np.nan, np.float32)])
    loss_k, prob_k = sg_window_update(k_in, k_out, ctx.astype(np.int64), len(ctx), rows, padded_labels, K, lr,
                                      output.loss.skip_beyond, np.full((8, pad), np.nan, np.float32), np.empty((K, d), np.float32),
                                      np.full(pad, np.nan, np.float32), True, 1.0)
    np.testing.assert_allclose(k_in, ref_in, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(k_out, ref_out, rtol=1e-5, atol=1e-6)
    assert loss_k - np.log(prob_k) == pytest.approx(ref_loss, rel=1e-5)  # the caller takes the last log


@pytest.mark.parametrize("skip_saturated", [True, False])
def test_skipgram_hierarchical_update_steps_once_per_context_word(skip_saturated):
    """sg_hs_update is the numpy network's step for each context word in turn, the path rows changing in between:
    with a word twice in a row (its row changes before it is scored again), paths longer than four rows and a node
    scored beyond MAX_EXP."""
    V, d, lr = 40, 12, 0.2
    rng = np.random.default_rng(5)
    W_in = (rng.standard_normal((V, d)) * 0.3).astype(np.float32)
    W_out = (rng.standard_normal((V - 1, d)) * 0.3).astype(np.float32)
    output = HierarchicalOutput(Vocabulary([str(i) for i in range(V)], 2 ** np.arange(V, 0, -1) // 2 ** 20 + 1),
                                Config(loss="hierarchical", skip_saturated=skip_saturated))
    centre = V - 1  # the rarest word: the longest path
    L = output.lengths[centre]
    assert L > 5 and L % 4
    rows = output.points[centre, :L].astype(np.int64)
    labels = (1.0 - output.codes[centre, :L]).astype(np.float32)
    ctx = np.array([3, 3, 9, 3, 0, 0], dtype=np.int64)
    _saturate(W_out, rows[2], W_in[9])
    ref_in, ref_out = W_in.astype(np.float64), W_out.astype(np.float64)
    net, ref_loss = Network(ref_in, ref_out, output), 0.0
    for c in ctx:
        loss, (g_in, g_out) = net.loss_and_grads(np.array([[c]]), np.ones((1, 1), bool), np.array([centre]))
        g_in.apply(ref_in, -lr)
        g_out.apply(ref_out, -lr)
        ref_loss += loss
    k_in, k_out = W_in.copy(), W_out.copy()
    loss_k, prob_k = sg_hs_update(k_in, k_out, ctx, len(ctx), rows, labels, L, lr, output.loss.skip_beyond,
                                  np.empty(L, np.float32),
                                  np.empty(L, np.float32), np.empty(d, np.float32), True, 1.0)
    assert np.abs(k_out - W_out).max() > 1e-2  # it trained
    np.testing.assert_allclose(k_in, ref_in, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(k_out, ref_out, rtol=1e-5, atol=1e-6)
    assert loss_k - np.log(prob_k) == pytest.approx(ref_loss, rel=1e-5)  # the caller takes the last log


@pytest.mark.parametrize("skip_saturated", [True, False])
@pytest.mark.parametrize("context", [[2, 6, 2, 8], [2, 6, 3, 8, 5]])  # a word twice; distinct, 4 a pass + 1
@pytest.mark.parametrize("cbow_mean,full_error", [(True, True), (True, False), (False, False)])
def test_cbow_window_update_equals_reference(cbow_mean, full_error, context, skip_saturated):
    W_in, W_out = _setup(seed=1)
    ctx = np.array(context, dtype=np.int32)
    centre, lr, negs = 4, 0.05, [1, 1, 7]
    rows, labels = _ns_rows(centre, negs)
    h = W_in[ctx].mean(axis=0) if cbow_mean else W_in[ctx].sum(axis=0)
    _saturate(W_out, 7, h)  # a noise word the window's input scores at 10: a confident mistake
    output = NegativeSamplingOutput(Vocabulary([str(i) for i in range(9)], [1] * 9),
                                    Config(skip_saturated=skip_saturated))
    ref_in, ref_out = W_in.astype(np.float64), W_out.astype(np.float64)
    net = Network(ref_in, ref_out, output, cbow_mean, full_error)
    ref_loss, (g_in, g_out) = net.loss_and_grads(ctx[None, :], np.ones((1, len(ctx)), bool), np.array([centre]),
                                                 negatives=np.array([negs]))
    g_in.apply(ref_in, -lr)
    g_out.apply(ref_out, -lr)
    d = W_in.shape[1]
    k_in, k_out = W_in.copy(), W_out.copy()
    loss_k, prob_k = cbow_window_update(k_in, k_out, ctx.astype(np.int64), len(ctx), rows, labels, len(rows), lr,
                                        output.loss.skip_beyond, np.empty(d, np.float32),
                                        np.empty(d, np.float32), np.empty(len(rows), np.float32),
                                        np.empty(len(rows), np.float32), cbow_mean, full_error,
                                        True, False, 1.0)  # noise word 1 twice: both updates land
    assert np.array_equal(k_out[7], W_out[7]) == skip_saturated  # the saturated noise word moved only without
    np.testing.assert_allclose(k_in, ref_in, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(k_out, ref_out, rtol=1e-5, atol=1e-6)
    assert loss_k - np.log(prob_k) == pytest.approx(ref_loss, rel=1e-5)  # the caller takes the last log


def test_the_float32_sigmoid_is_within_4_ulp_of_float64_and_keeps_nan():
    from w2v.jit import sigmoid_pair
    from numba import njit

    @njit
    def pairs(x):
        out = np.empty((len(x), 2), np.float32)
        for i in range(len(x)):
            out[i, 0], out[i, 1] = sigmoid_pair(x[i])
        return out
    x = np.concatenate([np.linspace(-86, 86, 100_001), np.random.default_rng(0).normal(0, 4, 10_000),
                        [0.0, 1e-30, -1e-30]]).astype(np.float32)
    got, x64 = pairs(x).astype(np.float64), x.astype(np.float64)
    assert np.abs(got[:, 0] * (1 + np.exp(-x64)) - 1).max() < 4 * 2.0 ** -24  # σ(x), relative error
    assert np.abs(got[:, 1] * (1 + np.exp(x64)) - 1).max() < 4 * 2.0 ** -24  # σ(-x), no cancellation near 0
    ends = pairs(np.array([np.nan, -np.inf, np.inf, -1000, 1000], np.float32))
    assert np.isnan(ends[0]).all()
    assert (ends[1:, :].max(axis=1) == 1).all() and (ends[1:, :].min(axis=1) < 2e-38).all()


def _splitmix64(state):
    """SplitMix64 in Python integers: ``(output, next state)``."""
    m = 2**64
    state = (state + 0x9E3779B97F4A7C15) % m
    z = state
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) % m
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) % m
    return z ^ (z >> 31), state


def test_noise_draw_matches_numpy_alias_draw():
    """The kernel's O(1) alias draw is vocab.alias_draw on the two halves of one SplitMix64 output."""
    from numba import njit
    from w2v.train.kernels import draw_noise
    from w2v.text.vocab import alias_draw
    threshold, alias = Vocabulary(list("abcde"), [50, 20, 5, 1, 1]).noise_alias()
    draw = njit(lambda t, a, s: draw_noise(t, a, s))
    state = 12345
    for _ in range(500):
        word, after = draw(threshold, alias, np.uint64(state))
        r, state = _splitmix64(state)
        assert int(after) == state
        assert word == alias_draw(threshold, alias, r >> 32, r & 0xFFFFFFFF)


def test_generator_is_uniform_in_every_bit_range():
    """Subsampling and windows read the high 32 bits, noise draws both halves: all must be uniform.

    word2vec.c's generator fails this for its low bits (the lowest alternates 0, 1, 0, 1).
    """
    from numba import njit
    from w2v.jit import rand64

    @njit
    def draws(n, state):
        out = np.empty(n, np.uint64)
        for i in range(n):
            out[i], state = rand64(state)
        return out

    r = draws(200_000, np.uint64(7))
    assert int(r[0]) == _splitmix64(7)[0]
    for part, scale in ((r >> np.uint64(32), 2.0**32), (r & np.uint64(0xFFFFFFFF), 2.0**32),
                        (r & np.uint64(0xFFFF), 2.0**16)):
        counts = np.histogram(part.astype(np.float64) / scale, bins=16, range=(0, 1))[0]
        assert stats.chisquare(counts).pvalue > 1e-4
    low_bit = (r & np.uint64(1)).astype(np.int64)
    assert abs(np.mean(low_bit[1:] == low_bit[:-1]) - 0.5) < 0.01  # no alternation


@pytest.mark.parametrize("cosmul", [False, True])
def test_analogy_argmax_equals_full_scores(cosmul):
    """The similarity-row kernel picks what a full (Q, R) score matrix picks, question words excluded."""
    rng = np.random.default_rng(3)
    normed = rng.standard_normal((500, 20)).astype(np.float32)
    normed /= np.linalg.norm(normed, axis=1, keepdims=True)
    abc = rng.integers(0, 500, size=(200, 3))
    words, rows = np.unique(abc, return_inverse=True)
    rows = rows.reshape(abc.shape)
    sims = np.ascontiguousarray(normed[words] @ normed.T)
    out = np.empty(200, dtype=np.int64)
    analogy_argmax(sims, rows[:, 0].copy(), rows[:, 1].copy(), rows[:, 2].copy(), abc, cosmul, out, 0, 200)
    s = (1 + normed[abc] @ normed.T) / 2 if cosmul else normed[abc] @ normed.T  # (Q, 3, R)
    full = s[:, 1] * s[:, 2] / (s[:, 0] + 1e-6) if cosmul else s[:, 1] + s[:, 2] - s[:, 0]
    full[np.arange(200)[:, None], abc] = -np.inf
    np.testing.assert_array_equal(out, full.argmax(axis=1))


@pytest.mark.parametrize("cbow", [False, True])
@pytest.mark.parametrize("hierarchical", [False, True])
def test_private_hot_rows_change_nothing_for_one_thread(cbow, hierarchical):
    """train_job with private copies of the hottest rows (kept across jobs, published every few windows, the
    Huffman nodes next to the root more often, and when the trainer drains) computes what the plain in-place jobs
    compute, up to float rounding: the copies are bookkeeping, not a new algorithm."""
    from w2v.train.hogwild import PrivateRows
    rng = np.random.default_rng(5)
    V, d = 40, 8
    vocab = Vocabulary([f"w{i}" for i in range(V)], np.sort(rng.integers(5, 500, V))[::-1])
    ids = rng.choice(V, size=3000, p=vocab.noise_distribution(1.0)).astype(np.int32)
    bounds = np.arange(0, 3001, 50, dtype=np.int64)
    threshold, alias = vocab.noise_alias()
    codes, points, lengths = vocab.huffman()
    keep = vocab.keep_probabilities(1e-2)
    W_in = ((rng.random((V, d)) - 0.5) / d).astype(np.float32)
    W_out = (rng.standard_normal((V - 1 if hierarchical else V, d)) * 0.1).astype(np.float32)
    results = []
    for n_hot, sync_every in [(0, 1), (6, 7)]:
        n_in, n_out = (n_hot if cbow else 0), n_hot
        a = np.vstack([W_in, np.full((n_in, d), np.nan, np.float32)])  # spare rows for the private copies
        b = np.vstack([W_out, np.full((n_out, d), np.nan, np.float32)])
        p = PrivateRows(n_in, n_out, len(W_in), len(W_out), d, 0, hierarchical)
        p.refresh(a, b)
        outs = []
        for job, (s0, s1) in enumerate([(0, 25), (25, 60)]):  # two jobs: the copies carry over between them
            tables = kernels.Tables(keep, threshold, alias, points, codes, lengths)
            settings = kernels.Settings(cbow=cbow, hierarchical=hierarchical, window=3, negative=4,
                                        sync_every=sync_every, sync_root_rows=2, sync_root_every=3)
            *out, p.since_sync = kernels.train_job(a, b, ids, bounds[s0:s1 + 1], tables, settings, p.kernel_args(),
                                                   0.05, 0.01, 17 + job, p.since_sync)
            outs.append(out)
        if n_hot:  # the shared rows lag behind the private copies until they are published
            assert not np.array_equal(b[p.out_lo:p.out_lo + n_out], b[p.base_out:])
        p.publish(a, b)
        np.testing.assert_array_equal(b[p.out_lo:p.out_lo + n_out], b[p.base_out:])
        results.append((a[:V], b[:len(W_out)], tuple(np.sum(outs, axis=0))))
    if n_hot:
        assert p.base_out == len(W_out) and (p.out_lo == len(W_out) - 6 if hierarchical else p.out_lo == 0)
    (a0, b0, o0), (a1, b1, o1) = results
    np.testing.assert_allclose(a1, a0, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(b1, b0, rtol=1e-4, atol=1e-6)
    assert o1[1:] == o0[1:] and o1[0] == pytest.approx(o0[0], rel=1e-5)
    assert not np.array_equal(a0, W_in)  # it trained


def _replay_job(W_in, W_out, ids, bounds, keep, output, cbow, window, negative, lr_start, lr_end, seed):
    """train_job in numpy: the same SplitMix64 draws in the same order (subsampling per word, then per window its
    shrink and noise words), each window's examples through ``Network`` and one SGD step, the learning rate
    linear per sentence. Returns the summed loss, the examples and the words kept."""
    from w2v.nn.optim import SGD
    net = Network(W_in, W_out, output, cbow_mean=True, cbow_full_error=True)
    sgd = SGD([W_in, W_out])
    hierarchical = isinstance(output, HierarchicalOutput)
    state, done, total = seed, 0, max(int(bounds[-1] - bounds[0]), 1)
    loss_sum, n_examples, n_words = 0.0, 0, 0
    for s in range(len(bounds) - 1):
        lr = lr_start + (lr_end - lr_start) * (done / total)
        sent = []
        for w in ids[bounds[s]:bounds[s + 1]]:
            if keep[w] < 1.0:
                r, state = _splitmix64(state)
                if keep[w] < (r >> 32) / 4294967296.0:
                    continue
            sent.append(int(w))
        n_words += len(sent)
        for i, centre in enumerate(sent):
            r, state = _splitmix64(state)
            b = (r >> 32) % window  # the dynamic window
            negs = []
            if len(sent) > 1 and not hierarchical:
                for _ in range(negative):
                    r, state = _splitmix64(state)
                    col = (r >> 32) % len(output.threshold)
                    negs.append(col if (r & 0xFFFFFFFF) < output.threshold[col] else int(output.alias[col]))
            ctx = [sent[j] for j in range(max(0, i - window + b), min(len(sent), i + window - b + 1)) if j != i]
            if not ctx:
                continue
            if cbow:
                inputs, targets = np.array([ctx]), np.array([centre])
            else:
                inputs, targets = np.array(ctx)[:, None], np.full(len(ctx), centre)
            draws = {} if hierarchical else {"negatives": np.tile(negs, (len(targets), 1))}
            # skip-gram with hierarchical softmax steps once per context word (word2vec.c's order); the others once
            # per window
            steps = [(inputs[k:k + 1], targets[k:k + 1]) for k in range(len(targets))] \
                if hierarchical and not cbow else [(inputs, targets)]
            for x, t in steps:
                loss, grads = net.loss_and_grads(x, np.ones(x.shape, bool), t, **draws)
                sgd.step(grads, lr)
                loss_sum += loss
            n_examples += len(targets)
        done += int(bounds[s + 1] - bounds[s])
    return loss_sum, n_examples, n_words


@pytest.mark.parametrize("cbow", [True, False], ids=["cbow", "skipgram"])
@pytest.mark.parametrize("loss", ["negative", "hierarchical"])
def test_train_job_equals_the_numpy_network_on_the_same_draws(cbow, loss):
    """A whole job of the kernel (subsampling, dynamic windows, noise draws, per-sentence learning rate, every
    window's update) is the numpy reference path replayed on the same random numbers."""
    rng = np.random.default_rng(11)
    V, d, window, negative = 30, 8, 3, 4
    vocab = Vocabulary([f"w{i}" for i in range(V)], np.sort(rng.integers(3, 300, V))[::-1])
    ids = rng.choice(V, size=400, p=vocab.noise_distribution(1.0)).astype(np.int32)
    bounds = np.array([0, 1, 40, 41, 120, 250, 251, 400], dtype=np.int64)  # one-word sentences included
    keep = vocab.keep_probabilities(2e-2)  # frequent words are subsampled
    assert (keep < 1).any() and (keep == 1).any()
    cfg = Config(loss=loss, negative=negative)
    output = NegativeSamplingOutput(vocab, cfg) if loss == "negative" else HierarchicalOutput(vocab)
    W_in = ((rng.random((V, d)) - 0.5) / d).astype(np.float32)
    W_out = (rng.standard_normal((cfg.output_rows(V), d)) * 0.3).astype(np.float32)
    ref_in, ref_out = W_in.astype(np.float64), W_out.astype(np.float64)
    ref = _replay_job(ref_in, ref_out, ids, bounds, keep, output, cbow, window, negative, 0.05, 0.02, 1234)
    tables = kernels.make_tables(keep, **output.kernel_tables())
    settings = kernels.Settings(cbow=cbow, hierarchical=loss == "hierarchical", window=window, negative=negative,
                                sync_every=1 << 30)
    k_in, k_out = W_in.copy(), W_out.copy()
    got = kernels.train_job(k_in, k_out, ids, bounds, tables, settings, no_private_rows(d), 0.05, 0.02,
                            1234, 0)
    assert got[1:3] == ref[1:3]  # the same examples and kept words: the draws agree one for one
    assert got[0] == pytest.approx(ref[0], rel=1e-4)
    assert np.abs(k_in - W_in).max() > 1e-3  # it trained
    np.testing.assert_allclose(k_in, ref_in, rtol=1e-4, atol=2e-6)
    np.testing.assert_allclose(k_out, ref_out, rtol=1e-4, atol=2e-6)


@pytest.mark.parametrize("arch,loss,workers", [("cbow", "negative", 2), ("skipgram", "hierarchical", 1)])
def test_warm_up_compiles_what_training_calls(arch, loss, workers):
    """Training compiles nothing after the warm-up: the kernels' argument types match, so a fresh install's
    compile happens before the clock starts, never inside a timed job."""
    import w2v
    from conftest import planted_corpus
    warmup.warm_up(arch == "cbow", loss == "hierarchical")
    kernel = kernels.job_kernel(arch == "cbow", loss == "hierarchical")
    before = {f: len(f.signatures) for f in (kernel, publish_rows, refresh_rows)}
    sents, _ = planted_corpus(200)
    w2v.Word2Vec(arch=arch, loss=loss, workers=workers, vector_size=8, min_count=1, epochs=1, job_words=200).fit(
        sents, progress=False)
    assert {f: len(f.signatures) for f in before} == before


def test_a_cold_cache_compiles_the_training_kernel_in_a_child(tmp_path):
    """On a fresh install (numba's cache empty) the training kernel of the run's variant compiles in a second
    process, which leaves it in the cache for this one: a forked copy when this process runs no other thread, a
    fresh interpreter when it does; with the cache warm no child starts. A variant compiles only its own window
    update, once."""
    import subprocess
    import sys
    code = ("import subprocess, threading\n"
            "from w2v.train import kernels, updates, warmup\n"
            "assert not warmup.cached(True, False)\n"
            "child = warmup.compile_in_child(True, False)\n"
            "assert not isinstance(child, subprocess.Popen)\n"
            "child.join()\n"
            "assert child.exitcode == 0\n"
            "assert warmup.cached(True, False) and warmup.compile_in_child(True, False) is None\n"
            "assert not warmup.cached(False, False)\n"
            "other = threading.Event()\n"
            "threading.Thread(target=other.wait).start()\n"
            "child = warmup.compile_in_child(False, False)\n"
            "other.set()\n"
            "assert isinstance(child, subprocess.Popen) and child.wait() == 0 and warmup.cached(False, False)\n"
            "warmup.warm_up(True, False, helpers=False)\n"
            "cbow = kernels.job_kernel(True, False)\n"
            "assert cbow.stats.cache_hits and not cbow.stats.cache_misses\n"
            "warmup.warm_up(False, True, helpers=False)\n"
            # each variant compiles its own window update only
            "assert not updates.sg_window_update.signatures and not updates.cbow_window_update.signatures\n"
            "assert len(updates.sg_hs_update.signatures) == 1\n")
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr


def test_train_job_refuses_a_scratch_too_small_for_the_job():
    """The kernel writes its working arrays without bounds checks: a scratch made for a shorter sentence, a smaller
    window or fewer noise words is refused before it runs."""
    f32, i32, i64 = np.float32, np.int32, np.int64
    W = np.zeros((3, 4), f32)
    tables = kernels.make_tables(np.ones(3, f32), np.zeros(3, i64), np.zeros(3, i32))
    settings = kernels.Settings(cbow=True, window=2, negative=3)
    ids, bounds = np.zeros(6, i32), np.array([0, 6], i64)
    args = (W, W.copy(), ids, bounds, tables, settings, no_private_rows(4), 0.025, 0.025, 1, 0)
    kernels.train_job(*args, kernels.make_scratch(settings, tables, 4, 6))
    with pytest.raises(ValueError, match="sent"):
        kernels.train_job(*args, kernels.make_scratch(settings, tables, 4, 5))
    with pytest.raises(ValueError, match="ctx"):
        kernels.train_job(*args, kernels.make_scratch(settings._replace(window=1), tables, 4, 6))
    with pytest.raises(ValueError, match="rows"):
        kernels.train_job(*args, kernels.make_scratch(settings._replace(negative=1), tables, 4, 6))


def test_a_borrowed_array_is_the_same_memory():
    """The kernels work on their arguments through ``borrowed`` views (no reference counts): a write through the
    view is a write to the array, and views of the view reach the same elements."""
    from numba import njit
    from w2v.jit import borrowed

    @njit
    def write(a):
        b = borrowed(a)
        b[1, 2] = 7.0
        row = b[1]
        row[0] += 1.0
        return b[1:].sum(), b.shape, b.strides

    a = np.zeros((3, 4), np.float32)
    total, shape, strides = write(a)
    assert a[1, 2] == 7.0 and a[1, 0] == 1.0 and total == 8.0
    assert shape == a.shape and strides == a.strides
