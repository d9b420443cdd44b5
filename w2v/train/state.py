"""Where a training stands: the part of a checkpoint that lets a run resume at a job boundary.

Checkpoints are files a user may be handed, so :meth:`TrainState.from_dict` trusts nothing: every field
must have its type and a possible value (the trainer checks the job against the corpus's job count too).

Example
-------
>>> TrainState.from_dict({"epoch": 1, "job": 3, "history": [2.5]}).job
3
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field, fields

from ..errors import FormatError, is_integer, is_number


@dataclass
class TrainState:
    """Where training stands; saved in checkpoints so a run can resume at a job boundary."""

    epoch: int = 0              # current epoch (0-based)
    job: int = 0                # next job of the current epoch
    words_done: int = 0         # corpus words processed over all epochs (drives the learning rate)
    epoch_loss: float = 0.0     # summed loss of the current epoch so far
    epoch_examples: int = 0     # examples of the current epoch so far
    history: list = field(default_factory=list)        # mean loss per finished epoch (float64)
    step_history: list = field(default_factory=list)   # [progress in epochs, mean loss] per logged interval
    lr: float = 0.0             # learning rate of the last job
    train_seconds: float = 0.0  # wall time spent training so far
    run_start: int = 0          # epoch where this run's learning-rate schedule began (> 0 after partial_fit)
    shards: int = 0             # distributed training: the corpus's shards (then ``job`` counts rounds); 0: one process

    def to_dict(self) -> dict:
        return dict(self.__dict__)

    @classmethod
    def from_dict(cls, d: dict) -> "TrainState":
        """Build from a checkpoint's JSON, refusing wrong types, unknown keys and impossible values.

        A NaN loss history is allowed: ``compute_loss=False`` records NaN for epochs whose loss is unknown.
        """
        if not isinstance(d, dict):
            raise FormatError(f"the training state must be a JSON object, got {type(d).__name__}")
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(d) - known)
        if unknown:
            raise FormatError(f"unknown training-state field(s): {', '.join(map(str, unknown))[:200]}")
        state = cls(**d)
        for name in ("epoch", "job", "words_done", "epoch_examples", "run_start", "shards"):
            v = getattr(state, name)
            if not is_integer(v) or v < 0:
                raise FormatError(f"training state: {name} must be an integer >= 0, got {str(v)[:40]!r}")
        for name in ("epoch_loss", "lr", "train_seconds"):
            v = getattr(state, name)
            if not is_number(v) or not math.isfinite(v) or v < 0:
                raise FormatError(f"training state: {name} must be a finite number >= 0, got {str(v)[:40]!r}")
        if state.run_start > state.epoch:
            raise FormatError(f"training state: run_start {state.run_start} lies after epoch {state.epoch}")
        if not isinstance(state.history, list) or not all(is_number(x) for x in state.history):
            raise FormatError("training state: history must be a list of numbers")
        if not isinstance(state.step_history, list) or not all(
                isinstance(p, list) and len(p) == 2 and all(is_number(x) for x in p) for p in state.step_history):
            raise FormatError("training state: step_history must be a list of [progress, loss] pairs")
        return state

