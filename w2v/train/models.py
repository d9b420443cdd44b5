"""CBOW and skip-gram: how a window of a sentence becomes (input, target) examples, and the network.

Letters: N = words in a chunk of corpus, n = examples, C = input words per example (1 for skip-gram,
2·window for CBOW), d = vector width, V = vocabulary size.

Both architectures share one network (Mikolov et al. 2013, "Efficient Estimation of Word Representations
in Vector Space")::

    h = combine(W_in[inputs])      # (n, d): CBOW averages (or sums) the context, skip-gram has one word
    loss = output_loss(h, W_out)   # softmax, negative sampling or hierarchical softmax (w2v.nn.losses)

and differ only in the examples they build from a window around each centre word:

* CBOW: input = every context word together, target = the centre word.
* skip-gram: one example per (context word, centre word) pair. Windows are symmetric, so this is the same
  set of pairs as "centre predicts each context word"; like word2vec.c and gensim we group the pairs of a
  window by their centre word (context as input, centre as target), which lets the fast kernels score a
  whole window against one set of output rows (Ji et al. 2016).

Example
-------
>>> import numpy as np
>>> ids, bounds = np.array([0, 1, 2]), np.array([0, 3])
>>> inputs, mask, targets = SkipGram().examples(ids, bounds, window=1)
>>> inputs[:, 0].tolist(), targets.tolist()
([1, 0, 2, 1], [0, 1, 1, 2])
"""
from __future__ import annotations

import numpy as np

from ..nn.layers import Embedding, SparseGrad
from ..nn.losses import MAX_EXP, HierarchicalSoftmax, NegativeSampling, SoftmaxCrossEntropy
from ..text.vocab import alias_draw


def skip_beyond(config) -> float:
    """The score beyond which a sigmoid output gets no update: word2vec.c's ``MAX_EXP`` with
    ``Config.skip_saturated`` (the default, also for ``config=None``), else infinity (the exact gradient).

    Example
    -------
    >>> skip_beyond(None), skip_beyond(type("C", (), {"skip_saturated": False})())
    (6.0, inf)
    """
    return MAX_EXP if config is None or config.skip_saturated else float("inf")


def _window_positions(bounds: np.ndarray, window: int, reduce: np.ndarray | None):
    """For every position p of a chunk, the positions of its context words and which are valid.

    Returns ``(Q (N, 2w) int64, valid (N, 2w) bool)``: column j holds offset ``offsets[j]`` in
    word2vec.c's order (-w..-1, 1..w). A context is valid when it lies in the same sentence and within
    the centre's effective window ``window - reduce[p]`` (word2vec's dynamic window).
    """
    N = int(bounds[-1])
    sid = np.repeat(np.arange(len(bounds) - 1), np.diff(bounds))  # (N,) sentence of each position
    offsets = np.concatenate([np.arange(-window, 0), np.arange(1, window + 1)])  # (2w,)
    P = np.arange(N)[:, None]  # (N, 1)
    Q = P + offsets[None, :]  # (N, 2w)
    inside = (Q >= 0) & (Q < N)
    Qc = np.clip(Q, 0, max(N - 1, 0))
    valid = inside & (sid[Qc] == sid[:, None])
    if reduce is not None:
        valid &= np.abs(offsets)[None, :] <= (window - reduce)[:, None]
    return Qc, valid


class CBOW:
    """Continuous bag of words: the context words together predict the centre word."""

    name = "cbow"

    def examples(self, ids: np.ndarray, bounds: np.ndarray, window: int, reduce: np.ndarray | None = None):
        """Build examples from a chunk (``ids`` (N,), sentence ``bounds`` (S+1,)).

        Returns ``inputs (n, 2w) int, mask (n, 2w) bool, targets (n,) int``; centres without any
        context word in their sentence are dropped.
        """
        Q, valid = _window_positions(bounds, window, reduce)
        keep = valid.any(axis=1)
        return ids[Q[keep]], valid[keep], ids[keep]


class SkipGram:
    """Skip-gram: one example per (context word, centre word) pair of every window."""

    name = "skipgram"

    def examples(self, ids: np.ndarray, bounds: np.ndarray, window: int, reduce: np.ndarray | None = None):
        """Build examples; returns ``inputs (n, 1), mask (n, 1), targets (n,)`` ordered by centre word."""
        Q, valid = _window_positions(bounds, window, reduce)
        centre = np.broadcast_to(np.arange(len(ids))[:, None], Q.shape)
        inputs = ids[Q[valid]][:, None]  # (n, 1)
        return inputs, np.ones(inputs.shape, dtype=bool), ids[centre[valid]]


def make_architecture(name: str):
    """``"cbow"`` -> :class:`CBOW`, ``"skipgram"`` -> :class:`SkipGram`."""
    return {"cbow": CBOW, "skipgram": SkipGram}[name]()  # Config.validate() has checked the name


class SoftmaxOutput:
    """The exact softmax over every word: one output row per word, no tables, no random draws.

    Trains only in the numpy path (a few matrix products per batch); the kernels have no full softmax.
    """

    name = "softmax"

    def __init__(self, vocab=None, config=None):
        self.loss = SoftmaxCrossEntropy()

    def sample(self, targets, rng) -> dict:
        """The random draws one batch needs: none."""
        return {}

    def forward_backward(self, h, W_out, targets):
        """``h (B, d)``, ``W_out (V, d)``, ``targets (B,)`` -> ``(loss, dh (B, d), dW_out)``."""
        return self.loss.forward_backward(h, W_out, targets)

    def kernel_tables(self) -> dict:
        return {}


class NegativeSamplingOutput:
    """Negative sampling: the target's row against ``negative`` noise words drawn ∝ count ** ns_exponent.

    Owns the Walker alias tables of the noise distribution (``Vocabulary.noise_alias``); the numpy path draws
    from them with :func:`w2v.text.vocab.alias_draw`, the kernels with the same arithmetic.
    """

    name = "negative"

    def __init__(self, vocab, config):
        self.negative = config.negative
        self.threshold, self.alias = vocab.noise_alias(config.ns_exponent)  # (V,), (V,)
        self.loss = NegativeSampling(skip_beyond=skip_beyond(config))

    def sample(self, targets, rng) -> dict:
        """``negatives (B, k)`` noise words for a batch of targets."""
        shape = (len(targets), self.negative)
        return {"negatives": alias_draw(self.threshold, self.alias, rng.integers(0, 2**62, size=shape),
                                        rng.integers(0, 2**32, size=shape))}

    def forward_backward(self, h, W_out, targets, negatives):
        return self.loss.forward_backward(h, W_out, targets, negatives)

    def kernel_tables(self) -> dict:
        return {"threshold": self.threshold, "alias": self.alias}


class HierarchicalOutput:
    """Hierarchical softmax: a word's probability is the product of binary decisions along its Huffman path,
    one row of ``W_out`` per inner node (V - 1 of them). Owns the codes and paths (``Vocabulary.huffman``)."""

    name = "hierarchical"

    def __init__(self, vocab, config=None):
        self.codes, self.points, self.lengths = vocab.huffman()  # (V, L), (V, L), (V,)
        self.loss = HierarchicalSoftmax(skip_beyond=skip_beyond(config))

    def sample(self, targets, rng) -> dict:
        return {}

    def forward_backward(self, h, W_out, targets):
        t = np.asarray(targets)
        return self.loss.forward_backward(h, W_out, self.points[t], self.codes[t], self.lengths[t])

    def kernel_tables(self) -> dict:
        return {"points": self.points, "codes": self.codes, "lengths": self.lengths}


OUTPUTS = {cls.name: cls for cls in (SoftmaxOutput, NegativeSamplingOutput, HierarchicalOutput)}


def make_output(config, vocab):
    """The output layer ``config.loss`` names, built once with its tables from the vocabulary."""
    return OUTPUTS[config.loss](vocab, config)


class Network:
    """The word2vec network on numpy primitives: input embedding, combine, output layer.

    Parameters
    ----------
    W_in : (V, d) array
        Input vectors (the word vectors users keep).
    W_out : (V, d) or (V-1, d) array
        Output vectors (per word for softmax / negative sampling, per Huffman inner node otherwise).
    output : SoftmaxOutput, NegativeSamplingOutput or HierarchicalOutput
        The output layer with its tables (:func:`make_output`).
    cbow_mean : bool
        Combine several input words by their mean (True) or sum (False).
    cbow_full_error : bool
        With ``cbow_mean``, give each input word the whole ``dh`` (word2vec.c's update) instead of the
        exact gradient of the mean, ``dh / c``. The exact form is what gradient checks verify.

    Example
    -------
    >>> import numpy as np
    >>> net = Network(np.eye(3), np.zeros((3, 3)), SoftmaxOutput())
    >>> loss, (dW_in, dW_out) = net.loss_and_grads(np.array([[1]]), np.ones((1, 1), bool), np.array([2]))
    >>> round(loss, 4)
    1.0986
    """

    def __init__(self, W_in: np.ndarray, W_out: np.ndarray, output, cbow_mean: bool = True,
                 cbow_full_error: bool = False):
        self.W_in, self.W_out = W_in, W_out
        self.embedding = Embedding(W_in)
        self.output = output
        self.cbow_mean = cbow_mean
        self.cbow_full_error = cbow_full_error

    def loss_and_grads(self, inputs, mask, targets, **draws):
        """Forward and backward pass over a batch.

        ``inputs (n, C)``, ``mask (n, C)``, ``targets (n,)``; ``draws`` are the output layer's random draws for
        the batch (``output.sample(targets, rng)``: ``negatives (n, k)`` for negative sampling).
        Returns ``(summed loss, [grad W_in (SparseGrad), grad W_out])``.
        """
        m = mask.astype(self.W_in.dtype)  # (n, C)
        count = m.sum(axis=1, keepdims=True)  # (n, 1)
        scale = m / count if self.cbow_mean else m  # weight of each input word
        single = inputs.shape[1] == 1  # skip-gram: h is just the input row
        x = self.embedding.forward(inputs[:, 0] if single else inputs)  # (n, d) or (n, C, d)
        h = x if single else np.einsum("nc,ncd->nd", scale, x)  # (n, d)
        loss, dh, dW_out = self.output.forward_backward(h, self.W_out, targets, **draws)
        if single:
            return loss, [self.embedding.backward(dh), dW_out]
        share = m if self.cbow_full_error else scale  # word2vec.c passes the whole error to every context word
        dx = share[:, :, None] * dh[:, None, :]  # (n, C, d): each input word gets its share of dh
        dW_in = self.embedding.backward(dx)
        keep = mask.reshape(-1)  # padded context slots get no gradient
        dW_in = SparseGrad(dW_in.rows[keep], dW_in.values[keep])
        return loss, [dW_in, dW_out]
