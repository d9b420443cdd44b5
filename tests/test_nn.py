"""Gradient checks (float64, centred differences, relative error < 1e-6) for every layer and loss."""
import numpy as np
import pytest

from w2v.nn import (SGD, Adam, Embedding, HierarchicalSoftmax, Linear, Momentum, NegativeSampling, RMSProp,
                    SoftmaxCrossEntropy, make_schedule, numerical_gradient, relative_error, softmax)
from w2v.nn.init import he_normal, word2vec_uniform, xavier_uniform

rng = np.random.default_rng(42)


def test_softmax_is_stable():
    p = softmax(np.array([[1000.0, 1000.0, -1000.0]]))
    np.testing.assert_allclose(p, [[0.5, 0.5, 0.0]])


def test_embedding_gradient_accumulates_repeats():
    W = rng.standard_normal((5, 3))
    emb = Embedding(W)
    ids = np.array([1, 3, 1, 1])
    out = emb.forward(ids)
    g = rng.standard_normal(out.shape)
    dense = emb.backward(g).dense(5)
    np.testing.assert_allclose(dense[1], g[0] + g[2] + g[3])
    f = lambda: float((W[ids] * g).sum())
    assert relative_error(numerical_gradient(f, W), dense) < 1e-6


def test_linear_gradcheck():
    W, b, x = rng.standard_normal((4, 3)), rng.standard_normal(4), rng.standard_normal((2, 3))
    lin = Linear(W, b)
    g = rng.standard_normal((2, 4))
    lin.forward(x)
    dx, dW, db = lin.backward(g)
    f = lambda: float((Linear(W, b).forward(x) * g).sum())
    for arr, ana in ((x, dx), (W, dW), (b, db)):
        assert relative_error(numerical_gradient(f, arr), ana) < 1e-6


@pytest.mark.parametrize("reduction", ["sum", "mean"])
def test_softmax_cross_entropy_gradcheck(reduction):
    h, U = rng.standard_normal((3, 4)), rng.standard_normal((6, 4))
    t = np.array([0, 5, 0])
    loss_fn = SoftmaxCrossEntropy(reduction)
    _, dh, dU = loss_fn.forward_backward(h, U, t)
    f = lambda: SoftmaxCrossEntropy(reduction).forward(h @ U.T, t)
    assert relative_error(numerical_gradient(f, h), dh) < 1e-6
    assert relative_error(numerical_gradient(f, U), dU) < 1e-6
    logits = h @ U.T  # the textbook pair: forward, then backward's softmax - onehot (scaled for the mean)
    step = SoftmaxCrossEntropy(reduction)
    step.forward(logits, t)
    assert relative_error(numerical_gradient(lambda: SoftmaxCrossEntropy(reduction).forward(logits, t), logits),
                          step.backward()) < 1e-6


def test_negative_sampling_gradcheck_with_repeats():
    h, U = rng.standard_normal((3, 4)), rng.standard_normal((6, 4))
    t = np.array([1, 2, 1])
    negs = np.array([[3, 3, 1], [0, 5, 4], [2, 1, 0]])  # repeats, and noise == target (skipped)
    _, dh, dU = NegativeSampling().forward_backward(h, U, t, negs)
    f = lambda: NegativeSampling().forward_backward(h, U, t, negs)[0]
    assert relative_error(numerical_gradient(f, h), dh) < 1e-6
    assert relative_error(numerical_gradient(f, U), dU.dense(6)) < 1e-6


def test_hierarchical_softmax_gradcheck_and_normalised():
    from w2v import Vocabulary
    v = Vocabulary(list("abcde"), [10, 6, 4, 2, 1])
    codes, points, lengths = v.huffman()
    U, h = rng.standard_normal((4, 3)), rng.standard_normal((2, 3))
    t = np.array([4, 0])
    _, dh, dU = HierarchicalSoftmax().forward_backward(h, U, points[t], codes[t], lengths[t])
    f = lambda: HierarchicalSoftmax().forward_backward(h, U, points[t], codes[t], lengths[t])[0]
    assert relative_error(numerical_gradient(f, h), dh) < 1e-6
    assert relative_error(numerical_gradient(f, U), dU.dense(4)) < 1e-6
    # probabilities over all words sum to one
    hs = HierarchicalSoftmax()
    probs = [np.exp(-hs.forward_backward(h[:1], U, points[[w]], codes[[w]], lengths[[w]])[0]) for w in range(5)]
    assert sum(probs) == pytest.approx(1.0)


def test_optimizers_minimise_a_quadratic():
    for make in (lambda p: SGD(p), lambda p: Momentum(p, 0.9), lambda p: RMSProp(p), lambda p: Adam(p)):
        w = np.array([3.0, -2.0])
        opt = make([w])
        for _ in range(500):
            opt.step([2 * w], lr=0.05)
        assert np.abs(w).max() < 0.05


def test_adam_first_steps_are_bias_corrected():
    """Kingma & Ba's first steps by hand: m_1 = (1-b1) g, v_1 = (1-b2) g², so the corrected step is lr·g/|g|
    (a full lr step whatever the gradient's scale); the second follows the running moments."""
    w = np.array([1.0, -2.0])
    opt = Adam([w], beta1=0.9, beta2=0.999, eps=1e-8)
    g1, g2 = np.array([0.5, -4.0]), np.array([0.1, 2.0])
    opt.step([g1.copy()], lr=0.01)
    after1 = np.array([1.0 - 0.01 * 0.5 / (0.5 + 1e-8), -2.0 + 0.01 * 4.0 / (4.0 + 1e-8)])
    np.testing.assert_allclose(w, after1, rtol=1e-12)
    opt.step([g2.copy()], lr=0.01)
    m = 0.9 * (0.1 * g1) + 0.1 * g2
    v = 0.999 * (0.001 * g1**2) + 0.001 * g2**2
    step2 = 0.01 * (m / (1 - 0.9**2)) / (np.sqrt(v / (1 - 0.999**2)) + 1e-8)
    np.testing.assert_allclose(w, after1 - step2, rtol=1e-12)
    assert opt.t == 2


def test_momentum_and_rmsprop_steps_by_hand():
    w = np.array([1.0])
    opt = Momentum([w], momentum=0.9)
    opt.step([np.array([2.0])], lr=0.1)   # v = 2
    opt.step([np.array([1.0])], lr=0.1)   # v = 0.9*2 + 1 = 2.8
    np.testing.assert_allclose(w, [1.0 - 0.2 - 0.28])
    w = np.array([1.0])
    opt = RMSProp([w], rho=0.9, eps=0.0)
    opt.step([np.array([2.0])], lr=0.1)   # s = 0.1*4 = 0.4; step 0.1*2/sqrt(0.4)
    np.testing.assert_allclose(w, [1.0 - 0.2 / np.sqrt(0.4)])


def test_schedules():
    lin = make_schedule("linear", 0.1, 0.001)
    assert lin(0.0) == 0.1 and lin(1.0) == pytest.approx(0.001) and lin(2.0) == pytest.approx(0.001)
    assert make_schedule("constant", 0.1)(0.7) == 0.1
    assert make_schedule("step", 0.1, gamma=0.5, step_size=2)(0.9, epoch=4) == pytest.approx(0.025)


def test_initialisers():
    g = np.random.default_rng(0)
    w = word2vec_uniform((1000, 10), g)
    assert np.abs(w).max() <= 0.1 and w.min() < -0.09 and w.max() > 0.09  # uniform in [-1/d, 1/d)
    assert abs(w.mean()) < 0.002
    x = xavier_uniform((200, 300), g)
    assert np.abs(x).max() <= np.sqrt(6 / 500) + 1e-7
    assert abs(he_normal((2000, 50), g).std() - np.sqrt(2 / 50)) < 0.01
