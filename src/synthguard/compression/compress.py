"""Compression of a trained student: pruning (with fine-tuning on the transfer set) and
quantisation (fp16, int8 dynamic, int8 static calibrated on synthetic rows), in any
combination and at several levels.

Unstructured pruning zeroes the globally smallest-magnitude weights (a mask is kept during
fine-tuning); a pruned layer is stored as CSR when that is smaller than dense. Structured
pruning removes whole hidden neurons (scored by incoming x outgoing weight norms), so the
network is physically smaller and faster, not just sparse.
"""

from __future__ import annotations

import copy
import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import torch
from torch import nn

from synthguard.compression._mlp import linear_layers
from synthguard.compression.packed import PackedMLP, pack_model
from synthguard.compression.student import StudentConfig, train_student
from synthguard.compression.transfer import TransferSet
from synthguard.errors import ParameterError
from synthguard.progress import ProgressCallback

QUANTIZE_CHOICES = ("int8", "fp16", "none")
INT8_MODES = ("dynamic", "static")
# every quantisation evaluated at each pruning level: (label, weight format, activation mode)
_QUANT_VARIANTS = (("", "fp32", "none"), ("fp16", "fp16", "none"),
                   ("int8", "int8", "dynamic"), ("int8-static", "int8", "static"))


@dataclass(frozen=True)
class CompressionSpec:
    """One compression level: a pruning amount (and kind) and a storage format."""

    prune: float = 0.0
    structured: bool = False
    weight_format: str = "fp32"
    act: str = "none"

    @property
    def name(self) -> str:
        parts = []
        if self.prune > 0:
            parts.append(f"{'structured' if self.structured else 'prune'}{self.prune:g}")
        if self.weight_format == "fp16":
            parts.append("fp16")
        elif self.weight_format == "int8":
            parts.append("int8" if self.act == "dynamic" else "int8-static")
        return "+".join(parts) or "fp32"

    def to_dict(self) -> dict[str, Any]:
        return {"method": self.name, **asdict(self)}


def check_prune(amount: float) -> float:
    if not (isinstance(amount, int | float) and 0.0 <= float(amount) < 1.0) or math.isnan(amount):
        raise ParameterError(f"prune={amount} must be in [0, 1)")
    return float(amount)


def requested_spec(*, quantize: str, prune: float, structured: bool,
                   int8_mode: str = "dynamic") -> CompressionSpec:
    """The compression the user asked to ship."""
    if quantize not in QUANTIZE_CHOICES:
        raise ParameterError(f"quantize={quantize!r} must be one of {QUANTIZE_CHOICES}")
    if int8_mode not in INT8_MODES:
        raise ParameterError(f"int8_mode={int8_mode!r} must be one of {INT8_MODES}")
    prune = check_prune(prune)
    fmt = {"int8": "int8", "fp16": "fp16", "none": "fp32"}[quantize]
    act = int8_mode if fmt == "int8" else "none"
    return CompressionSpec(prune=prune, structured=structured and prune > 0,
                           weight_format=fmt, act=act)


def plan_levels(shipped: CompressionSpec) -> list[CompressionSpec]:
    """Every level the report evaluates: pruning {0, p/2, p} x {fp32, fp16, int8, int8-static}."""
    amounts = [0.0] if shipped.prune == 0 else [0.0, round(shipped.prune / 2, 4), shipped.prune]
    specs = [
        CompressionSpec(prune=a, structured=shipped.structured and a > 0, weight_format=f, act=act)
        for a in amounts for _, f, act in _QUANT_VARIANTS
        if not (a == 0 and f == "fp32")  # that is the student itself
    ]
    if shipped not in specs and shipped.name != "fp32":
        specs.append(shipped)
    return specs


def magnitude_masks(model: nn.Module, amount: float) -> list[torch.Tensor]:
    """Global magnitude pruning: masks keeping the largest ``1 - amount`` of all weights."""
    weights = [lin.weight.detach().abs() for lin in linear_layers(model)]
    flat = torch.cat([w.flatten() for w in weights])
    k = int(amount * flat.numel())
    if k <= 0:
        return [torch.ones_like(w) for w in weights]
    threshold = torch.kthvalue(flat, k).values
    masks = [(w > threshold).to(torch.float32) for w in weights]
    for mask, w in zip(masks, weights, strict=True):  # never cut a neuron off entirely
        dead = mask.sum(dim=1) == 0
        if bool(dead.any()):
            rows = dead.nonzero(as_tuple=True)[0]
            mask[rows, w[rows].argmax(dim=1)] = 1.0
    return masks


def apply_masks(model: nn.Module, masks: list[torch.Tensor]) -> None:
    with torch.no_grad():
        for lin, mask in zip(linear_layers(model), masks, strict=True):
            lin.weight.mul_(mask)


def structured_prune(model: nn.Sequential, amount: float) -> nn.Sequential:
    """Remove ``amount`` of each hidden layer's neurons (lowest in-norm x out-norm)."""
    linears = [copy.deepcopy(lin) for lin in linear_layers(model)]
    for i in range(len(linears) - 1):
        cur, nxt = linears[i], linears[i + 1]
        score = cur.weight.detach().norm(dim=1) * nxt.weight.detach().norm(dim=0)
        keep_n = max(1, math.ceil((1 - amount) * cur.out_features))
        keep = torch.sort(torch.topk(score, keep_n).indices).values
        new_cur = nn.Linear(cur.in_features, keep_n)
        new_nxt = nn.Linear(keep_n, nxt.out_features)
        with torch.no_grad():
            new_cur.weight.copy_(cur.weight[keep])
            assert cur.bias is not None and nxt.bias is not None
            new_cur.bias.copy_(cur.bias[keep])
            new_nxt.weight.copy_(nxt.weight[:, keep])
            new_nxt.bias.copy_(nxt.bias)
        linears[i], linears[i + 1] = new_cur, new_nxt
    layers: list[nn.Module] = []
    for i, lin in enumerate(linears):
        layers.append(lin)
        if i < len(linears) - 1:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def pruned_student(student: nn.Sequential, transfer: TransferSet, config: StudentConfig, *,
                   amount: float, structured: bool, seed: int, positive: int,
                   progress: ProgressCallback | None = None) -> nn.Sequential:
    """Prune a copy of ``student`` and fine-tune it on the transfer set (masks kept fixed)."""
    stage = f"fine-tune {'structured' if structured else 'prune'}{amount:g}"
    if structured:
        model = structured_prune(student, amount)
        masks = None
    else:
        model = copy.deepcopy(student)
        masks = magnitude_masks(model, amount)
        apply_masks(model, masks)
    if config.finetune_epochs > 0:
        model, _ = train_student(transfer, config, seed=seed, positive=positive, model=model,
                                 masks=masks, epochs=config.finetune_epochs, lr=config.lr / 3,
                                 stage=stage, progress=progress)
    return model


def stored_params(model: nn.Module) -> int:
    """Parameters a (possibly pruned) network really has: non-zero weights plus biases."""
    return int(sum(int((lin.weight != 0).sum()) + (lin.bias.numel() if lin.bias is not None else 0)
                   for lin in linear_layers(model)))


def compress(student: nn.Sequential, spec: CompressionSpec, *, pruned: dict[float, nn.Sequential],
             calibration: np.ndarray) -> PackedMLP:
    """Pack ``student`` (or its pruned version from ``pruned``) in ``spec``'s format."""
    base = student if spec.prune == 0 else pruned[spec.prune]
    return pack_model(base, weight_format=spec.weight_format, act=spec.act, calibration=calibration)
