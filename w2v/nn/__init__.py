"""Small numpy neural-network primitives: layers, losses, optimizers, initialisers, gradient checking.

Nothing here knows about words: an Embedding is a matrix whose rows are looked up by index.

Example
-------
>>> import numpy as np
>>> from w2v.nn import Embedding, SoftmaxCrossEntropy
>>> emb = Embedding(np.eye(3))
>>> emb.forward(np.array([2, 0])).tolist()
[[0.0, 0.0, 1.0], [1.0, 0.0, 0.0]]
"""
from .layers import Embedding, Linear, SparseGrad
from .losses import HierarchicalSoftmax, NegativeSampling, SoftmaxCrossEntropy, sigmoid, softmax
from .optim import SGD, Adam, Momentum, RMSProp, make_optimizer, make_schedule, ConstantLR, LinearDecay, StepDecay
from .init import he_normal, word2vec_uniform, xavier_uniform, zeros
from .gradcheck import numerical_gradient, relative_error

__all__ = [
    "Embedding", "Linear", "SparseGrad",
    "SoftmaxCrossEntropy", "NegativeSampling", "HierarchicalSoftmax", "softmax", "sigmoid",
    "SGD", "Momentum", "RMSProp", "Adam", "make_optimizer", "make_schedule", "ConstantLR", "LinearDecay", "StepDecay",
    "word2vec_uniform", "xavier_uniform", "he_normal", "zeros",
    "numerical_gradient", "relative_error",
]
