"""Student training: distillation on the transfer set only (synthetic rows, teacher labels).

The loss is ``T² · KL(teacher_T ‖ student_T)`` (Hinton et al.) plus an optional hard-label
cross-entropy on the teacher's argmax, plus an optional fairness penalty: the gap between the
groups' mean positive probability (``dp``: demographic parity) or their mean positive
probability among teacher-positive rows (``tpr``: equal opportunity), or the TPR gap plus the
FPR gap (``eo``: equalised odds), averaged over each sensitive column (and their
intersection). The gap is of soft probabilities, a differentiable proxy of the thresholded
rates fairlearn measures. Early stopping watches
the KL on a held-out synthetic split, so no real row is used even for model selection.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from synthguard.compression._mlp import build_mlp, linear_layers
from synthguard.compression.transfer import TransferSet
from synthguard.errors import ParameterError
from synthguard.progress import ProgressCallback, report

FAIRNESS_MODES = ("none", "dp", "tpr", "eo")


@dataclass(frozen=True)
class StudentConfig:
    hidden: tuple[int, ...] = (32, 16)
    temperature: float = 2.0
    hard_weight: float = 0.1  # weight of the hard-label term, KL gets (1 - hard_weight)
    # "eo" by default: active only when the transfer set has groups (``--sensitive`` given)
    fairness: str = "eo"  # "none" | "dp" | "tpr" | "eo"
    fairness_weight: float = 1.0
    epochs: int = 60
    batch_size: int = 512
    lr: float = 3e-3
    weight_decay: float = 1e-5
    patience: int = 8
    val_fraction: float = 0.15
    finetune_epochs: int = 10

    def __post_init__(self) -> None:
        if not self.hidden or any(h <= 0 for h in self.hidden):
            raise ParameterError(
                f"hidden={self.hidden} must be positive widths such as (32, 16)")
        if self.temperature <= 0:
            raise ParameterError(f"temperature={self.temperature} must be positive")
        if not 0.0 <= self.hard_weight <= 1.0:
            raise ParameterError(f"hard_weight={self.hard_weight} must be in [0, 1]")
        if self.fairness not in FAIRNESS_MODES:
            raise ParameterError(
                f"fairness={self.fairness!r} must be one of {FAIRNESS_MODES}")
        if self.fairness_weight < 0:
            raise ParameterError(f"fairness_weight={self.fairness_weight} must be >= 0")
        if not 0.0 < self.val_fraction < 0.5:
            raise ParameterError(
                f"validation fraction must be in (0, 0.5), got {self.val_fraction}")
        if self.epochs <= 0 or self.batch_size <= 0 or self.lr <= 0:
            raise ParameterError("student epochs, batch size and learning rate must be positive")
        if self.finetune_epochs < 0:
            raise ParameterError(f"finetune_epochs={self.finetune_epochs} must be >= 0")

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["hidden"] = list(self.hidden)
        return out


@dataclass(frozen=True)
class TrainHistory:
    epochs_run: int
    best_epoch: int
    best_val_kl: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _gap(prob_pos: torch.Tensor, groups: torch.Tensor, rows: torch.Tensor | None,
         min_rows: int = 8) -> torch.Tensor:
    """max - min over groups of the mean positive probability (on ``rows`` if given)."""
    means = []
    for g in torch.unique(groups):
        sel = groups == g
        if rows is not None:
            sel = sel & rows
        if int(sel.sum()) >= min_rows:
            means.append(prob_pos[sel].mean())
    if len(means) < 2:
        return prob_pos.new_zeros(())
    stacked = torch.stack(means)
    return stacked.max() - stacked.min()


def fairness_penalty(prob_pos: torch.Tensor, groups: torch.Tensor, teacher_pos: torch.Tensor,
                     mode: str) -> torch.Tensor:
    """Mean over grouping columns of the soft gap: positive rate (``dp``), TPR (``tpr``) or
    TPR + FPR (``eo``, equalised odds), with the teacher's labels as the truth."""
    total = prob_pos.new_zeros(())
    for j in range(groups.shape[1]):
        col = groups[:, j]
        if mode == "dp":
            total = total + _gap(prob_pos, col, None)
        else:
            total = total + _gap(prob_pos, col, teacher_pos)
            if mode == "eo":
                total = total + _gap(prob_pos, col, ~teacher_pos)
    return total / groups.shape[1]


def distill_loss(student_logits: torch.Tensor, teacher_logits: torch.Tensor,
                 config: StudentConfig) -> torch.Tensor:
    t = config.temperature
    kl = F.kl_div(F.log_softmax(student_logits / t, dim=1), F.softmax(teacher_logits / t, dim=1),
                  reduction="batchmean") * (t * t)
    if config.hard_weight <= 0:
        return kl
    hard = F.cross_entropy(student_logits, teacher_logits.argmax(dim=1))
    return (1 - config.hard_weight) * kl + config.hard_weight * hard


def train_student(
    transfer: TransferSet,
    config: StudentConfig,
    *,
    seed: int = 0,
    positive: int = 1,
    model: nn.Sequential | None = None,
    masks: list[torch.Tensor] | None = None,
    epochs: int | None = None,
    lr: float | None = None,
    stage: str = "student",
    progress: ProgressCallback | None = None,
) -> tuple[nn.Sequential, TrainHistory]:
    """Train (or fine-tune, given ``model`` and pruning ``masks``) a student on ``transfer``.

    Takes a :class:`TransferSet`, nothing else: real data cannot reach this function.
    """
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    x = torch.from_numpy(np.ascontiguousarray(transfer.x, dtype=np.float32))
    soft = torch.from_numpy(np.ascontiguousarray(transfer.teacher_logits, dtype=np.float32))
    n_classes = soft.shape[1]
    groups = None
    if transfer.groups is not None:
        groups = torch.from_numpy(transfer.groups.astype(np.int64).reshape(len(x), -1))
    if model is None:
        model = build_mlp(x.shape[1], config.hidden, n_classes)
    order = rng.permutation(len(x))
    n_val = max(1, round(len(x) * config.val_fraction))
    val_idx, train_idx = order[:n_val], order[n_val:]
    if len(train_idx) == 0:
        raise ParameterError("the transfer set is too small to train a student; sample more rows")
    n_epochs = epochs if epochs is not None else config.epochs
    opt = torch.optim.Adam(model.parameters(), lr=lr if lr is not None else config.lr,
                           weight_decay=config.weight_decay)
    linears = linear_layers(model)
    use_fair = config.fairness != "none" and config.fairness_weight > 0 and groups is not None
    best, best_state, best_epoch, bad, epoch = math.inf, None, 0, 0, 0
    for epoch in range(1, n_epochs + 1):
        model.train()
        perm = train_idx[rng.permutation(len(train_idx))]
        for start in range(0, len(perm), config.batch_size):
            idx = torch.from_numpy(perm[start:start + config.batch_size])
            out = model(x[idx])
            loss = distill_loss(out, soft[idx], config)
            if use_fair:
                assert groups is not None
                prob = F.softmax(out, dim=1)[:, positive]
                teacher_pos = soft[idx].argmax(dim=1) == positive
                loss = loss + config.fairness_weight * fairness_penalty(
                    prob, groups[idx], teacher_pos, config.fairness)
            opt.zero_grad()
            loss.backward()
            opt.step()
            if masks is not None:
                with torch.no_grad():
                    for lin, mask in zip(linears, masks, strict=True):
                        lin.weight.mul_(mask)
        val = _val_kl(model, x[val_idx], soft[val_idx])
        report(progress, stage, epoch, n_epochs)
        if val < best - 1e-5:
            best, best_epoch, bad = val, epoch, 0
            best_state = {k: v.clone() for k, v in model.state_dict().items()}
        else:
            bad += 1
            if bad >= config.patience:
                break
    report(progress, stage, n_epochs, n_epochs)
    if best_state is not None:
        model.load_state_dict(best_state)
    model.eval()
    return model, TrainHistory(epochs_run=epoch, best_epoch=best_epoch, best_val_kl=float(best))


@torch.no_grad()
def _val_kl(model: nn.Module, x: torch.Tensor, soft: torch.Tensor) -> float:
    model.eval()
    out = model(x)
    return float(F.kl_div(F.log_softmax(out, dim=1), F.softmax(soft, dim=1), reduction="batchmean"))
