"""Plain torch MLPs (Linear/ReLU stacks) shared by teachers and students."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from torch import nn


def build_mlp(
    n_in: int, hidden: Sequence[int], n_out: int, *, dropout: float = 0.0
) -> nn.Sequential:
    """``Linear -> ReLU (-> Dropout)`` per hidden width, then ``n_out`` output logits."""
    layers: list[nn.Module] = []
    width = n_in
    for size in hidden:
        layers.append(nn.Linear(width, int(size)))
        layers.append(nn.ReLU())
        if dropout > 0:
            layers.append(nn.Dropout(dropout))
        width = int(size)
    layers.append(nn.Linear(width, n_out))
    return nn.Sequential(*layers)


def linear_layers(model: nn.Module) -> list[nn.Linear]:
    return [m for m in model.modules() if isinstance(m, nn.Linear)]


def count_params(model: nn.Module) -> int:
    return int(sum(p.numel() for p in model.parameters()))


def strip_dropout(model: nn.Sequential) -> nn.Sequential:
    """The same network without Dropout layers (they are identities at inference)."""
    return nn.Sequential(*[m for m in model if not isinstance(m, nn.Dropout)])


@torch.no_grad()
def predict_logits(model: nn.Module, x: np.ndarray, *, batch: int = 8192) -> np.ndarray:
    model.eval()
    outs = []
    tensor = torch.from_numpy(np.ascontiguousarray(x, dtype=np.float32))
    for start in range(0, len(tensor), batch):
        outs.append(model(tensor[start:start + batch]))
    if not outs:
        return np.zeros((0, 0), dtype=np.float32)
    return torch.cat(outs).numpy().astype(np.float32)


def softmax(logits: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    z = logits / temperature
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return np.asarray(e / e.sum(axis=1, keepdims=True), dtype=np.float64)
