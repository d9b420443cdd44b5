"""Optimizers and learning-rate schedules.

An optimizer updates a list of parameter arrays in place from gradients that are dense arrays or
:class:`~w2v.nn.layers.SparseGrad` (row) gradients. Plain SGD keeps row gradients sparse, so an
embedding update costs only the rows touched; the stateful optimizers fold them into their dense state.

Example
-------
>>> import numpy as np
>>> w = np.array([1.0, 1.0])
>>> opt = Momentum([w], momentum=0.9)
>>> opt.step([np.array([1.0, 0.0])], lr=0.1); opt.step([np.array([1.0, 0.0])], lr=0.1)
>>> w.round(3).tolist()
[0.71, 1.0]
"""
from __future__ import annotations

import numpy as np

from ..errors import ConfigError
from .layers import SparseGrad


def _add(dst: np.ndarray, g, scale: float = 1.0) -> None:
    if isinstance(g, SparseGrad):
        g.apply(dst, scale)
    else:
        dst += scale * g


class SGD:
    """``w -= lr * g``."""

    def __init__(self, params):
        self.params = list(params)

    def step(self, grads, lr: float) -> None:
        for p, g in zip(self.params, grads):
            _add(p, g, -lr)

    def state(self) -> dict:
        """The optimizer's arrays by name (live views: copy them to keep a snapshot)."""
        return {}

    def load_state(self, state: dict) -> None:
        """Take arrays that :meth:`state` gave (from a checkpoint): the same names and shapes, finite values;
        anything else raises ValueError before any state changes."""
        mine = self.state()
        if set(state) != set(mine):
            raise ValueError(f"optimizer state holds {sorted(state)[:6]}, expected {sorted(mine)}")
        for name, value in mine.items():
            got = np.asarray(state[name])
            if got.shape != np.shape(value) or got.dtype.kind not in "iuf" or not np.isfinite(got).all():
                raise ValueError(f"optimizer state {name!r} is {got.dtype} of shape {got.shape}; expected finite "
                                 f"numbers of shape {np.shape(value)}")
        self._load(state)

    def load_grown_state(self, state: dict) -> None:
        """Take the state this optimizer had over smaller parameters (a vocabulary that grew, or a Huffman tree
        rebuilt over more words): each per-row array keeps its first rows and new rows start at zero (no history
        yet); then as :meth:`load_state`."""
        mine, grown = self.state(), {}
        for name, value in state.items():
            a, want = np.asarray(value), mine.get(name)
            if want is not None and a.ndim == 2 and np.ndim(want) == 2 and a.shape[1] == np.shape(want)[1]:
                rows = np.zeros(np.shape(want), a.dtype)
                rows[:min(len(a), len(rows))] = a[:len(rows)]
                a = rows
            grown[name] = a
        self.load_state(grown)

    def _load(self, state: dict) -> None:
        pass


class Momentum(SGD):
    """Heavy-ball momentum: ``v = μ v + g``; ``w -= lr * v``."""

    def __init__(self, params, momentum: float = 0.9):
        super().__init__(params)
        self.momentum = momentum
        self.v = [np.zeros_like(p) for p in self.params]

    def step(self, grads, lr: float) -> None:
        for p, g, v in zip(self.params, grads, self.v):
            v *= self.momentum
            _add(v, g)
            p -= lr * v

    def state(self) -> dict:
        return {f"velocity_{i}": v for i, v in enumerate(self.v)}

    def _load(self, state: dict) -> None:
        for i, v in enumerate(self.v):
            v[...] = state[f"velocity_{i}"]


class RMSProp(SGD):
    """``s = ρ s + (1-ρ) g²``; ``w -= lr * g / (sqrt(s) + ε)`` (Hinton's lecture 6e)."""

    def __init__(self, params, rho: float = 0.9, eps: float = 1e-8):
        super().__init__(params)
        self.rho, self.eps = rho, eps
        self.s = [np.zeros_like(p) for p in self.params]

    def step(self, grads, lr: float) -> None:
        for p, g, s in zip(self.params, grads, self.s):
            g = g.dense(len(p)) if isinstance(g, SparseGrad) else g
            s *= self.rho
            s += (1 - self.rho) * g * g
            p -= lr * g / (np.sqrt(s) + self.eps)

    def state(self) -> dict:
        return {f"sq_{i}": s for i, s in enumerate(self.s)}

    def _load(self, state: dict) -> None:
        for i, s in enumerate(self.s):
            s[...] = state[f"sq_{i}"]


class Adam(SGD):
    """Kingma & Ba (2015) with bias correction."""

    def __init__(self, params, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8):
        super().__init__(params)
        self.b1, self.b2, self.eps = beta1, beta2, eps
        self.m = [np.zeros_like(p) for p in self.params]
        self.v = [np.zeros_like(p) for p in self.params]
        self.t = 0

    def step(self, grads, lr: float) -> None:
        self.t += 1
        c1 = 1 - self.b1 ** self.t
        c2 = 1 - self.b2 ** self.t
        for p, g, m, v in zip(self.params, grads, self.m, self.v):
            g = g.dense(len(p)) if isinstance(g, SparseGrad) else g
            m *= self.b1
            m += (1 - self.b1) * g
            v *= self.b2
            v += (1 - self.b2) * g * g
            p -= lr * (m / c1) / (np.sqrt(v / c2) + self.eps)

    def state(self) -> dict:
        out = {f"m_{i}": m for i, m in enumerate(self.m)}
        out.update({f"v_{i}": v for i, v in enumerate(self.v)})
        out["t"] = np.array(self.t)
        return out

    def _load(self, state: dict) -> None:
        t = np.asarray(state["t"])
        if t.dtype.kind not in "iu" or t < 0:
            raise ValueError(f"Adam's step count must be an integer >= 0, got {t}")
        for i in range(len(self.m)):
            self.m[i][...] = state[f"m_{i}"]
            self.v[i][...] = state[f"v_{i}"]
        self.t = int(t)


def make_optimizer(name: str, params, momentum: float = 0.9):
    """The optimizer factory: ``"sgd"``, ``"momentum"``, ``"rmsprop"`` or ``"adam"``."""
    if name == "sgd":
        return SGD(params)
    if name == "momentum":
        return Momentum(params, momentum=momentum)
    if name == "rmsprop":
        return RMSProp(params)
    if name == "adam":
        return Adam(params)
    raise ConfigError(f"unknown optimizer {name!r}: choose one of sgd, momentum, rmsprop, adam")


class ConstantLR:
    """The same learning rate throughout."""

    def __init__(self, start: float):
        self.start = start

    def __call__(self, progress: float, epoch: int = 0) -> float:
        return self.start


class LinearDecay:
    """word2vec's schedule: linear from ``start`` to ``floor`` as ``progress`` goes from 0 to 1."""

    def __init__(self, start: float, floor: float):
        self.start, self.floor = start, floor

    def __call__(self, progress: float, epoch: int = 0) -> float:
        return max(self.floor, self.start - (self.start - self.floor) * progress)


class StepDecay:
    """``start * gamma ** (epoch // step_size)``."""

    def __init__(self, start: float, gamma: float = 0.5, step_size: int = 1):
        self.start, self.gamma, self.step_size = start, gamma, step_size

    def __call__(self, progress: float, epoch: int = 0) -> float:
        return self.start * self.gamma ** (epoch // self.step_size)


def make_schedule(name: str, start: float, floor: float = 0.0, gamma: float = 0.5, step_size: int = 1):
    """The schedule factory: ``"linear"``, ``"constant"`` or ``"step"``."""
    if name == "linear":
        return LinearDecay(start, floor)
    if name == "constant":
        return ConstantLR(start)
    if name == "step":
        return StepDecay(start, gamma, step_size)
    raise ConfigError(f"unknown learning-rate schedule {name!r}: choose one of linear, constant, step")
