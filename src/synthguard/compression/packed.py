"""A compressed MLP as the tensors we store: fp32, fp16 or int8 weights, dense or CSR.

Why our own int8 and not ``torch.ao.quantization.quantize_dynamic``: in torch 2.13 that API
still runs but is deprecated (slated for removal, migration to torchao), and its packed
parameters are opaque objects that safetensors cannot store, so "size in bytes" would not be
the size of what we ship. Here int8 weights are plain ``int8`` tensors with one float32
scale per output channel (symmetric, per-channel); activations are quantised per row at run
time (``dynamic``) or with one scale per layer calibrated on synthetic rows (``static``); the
product runs as a real int8 x int8 -> int32 matmul (``torch._int_mm``). ``size_bytes`` is the
sum of the stored tensors, exactly what ``student.safetensors`` holds (minus its header).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from torch import nn

from synthguard.compression._mlp import linear_layers
from synthguard.errors import IntegrityError, ParameterError

WEIGHT_FORMATS = ("fp32", "fp16", "int8")
ACTIVATION_MODES = ("none", "dynamic", "static")
_QMAX = 127.0


@dataclass
class PackedLayer:
    """One linear layer as stored: format, storage, and the tensors themselves."""

    in_features: int
    out_features: int
    weight_format: str = "fp32"
    act: str = "none"
    act_scale: float | None = None
    storage: str = "dense"  # "dense" | "csr"
    tensors: dict[str, torch.Tensor] = field(default_factory=dict)

    def config(self) -> dict[str, Any]:
        return {"in_features": self.in_features, "out_features": self.out_features,
                "weight_format": self.weight_format, "act": self.act,
                "act_scale": self.act_scale, "storage": self.storage}

    def dense_weight(self) -> torch.Tensor:
        """The stored weight as a dense tensor in its stored dtype (out, in)."""
        if self.storage == "dense":
            return self.tensors["weight"]
        values = self.tensors["weight_values"]
        indices = self.tensors["weight_indices"].to(torch.int64)
        indptr = self.tensors["weight_indptr"].to(torch.int64)
        dense = torch.zeros(self.out_features, self.in_features, dtype=values.dtype)
        rows = torch.repeat_interleave(torch.arange(self.out_features), indptr[1:] - indptr[:-1])
        dense[rows, indices] = values
        return dense

    def float_weight(self) -> torch.Tensor:
        """Dequantised float32 weight (out, in)."""
        weight = self.dense_weight()
        if self.weight_format == "int8":
            return weight.to(torch.float32) * self.tensors["weight_scale"][:, None]
        return weight.to(torch.float32)

    def nonzero_weights(self) -> int:
        return int((self.dense_weight() != 0).sum())


def _csr(weight: torch.Tensor) -> dict[str, torch.Tensor]:
    out_f, in_f = weight.shape
    mask = weight != 0
    index_dtype = torch.int16 if in_f < 32768 else torch.int32
    cols = mask.nonzero(as_tuple=True)[1].to(index_dtype)
    counts = mask.sum(dim=1).to(torch.int64)
    indptr = torch.zeros(out_f + 1, dtype=torch.int32)
    indptr[1:] = torch.cumsum(counts, 0).to(torch.int32)
    return {"weight_values": weight[mask].contiguous(), "weight_indices": cols.contiguous(),
            "weight_indptr": indptr}


def _nbytes(tensors: dict[str, torch.Tensor]) -> int:
    return int(sum(t.numel() * t.element_size() for t in tensors.values()))


def quantize_per_channel(weight: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Symmetric per-output-channel int8: ``weight ≈ q * scale[:, None]``, q in [-127, 127]."""
    scale = weight.abs().amax(dim=1).clamp_min(1e-12) / _QMAX
    q = torch.round(weight / scale[:, None]).clamp_(-_QMAX, _QMAX).to(torch.int8)
    return q, scale.to(torch.float32)


def pack_linear(linear: nn.Linear, *, weight_format: str, act: str = "none",
                act_scale: float | None = None) -> PackedLayer:
    """Store one ``nn.Linear`` in ``weight_format``; CSR when that is smaller (pruned weights)."""
    weight = linear.weight.detach().to(torch.float32).clone()
    bias = linear.bias.detach().to(torch.float32).clone() if linear.bias is not None \
        else torch.zeros(weight.shape[0])
    zero = weight == 0
    tensors: dict[str, torch.Tensor] = {}
    if weight_format == "fp32":
        stored = weight
    elif weight_format == "fp16":
        stored, bias = weight.to(torch.float16), bias.to(torch.float16)
    elif weight_format == "int8":
        stored, scale = quantize_per_channel(weight)
        stored[zero] = 0
        tensors["weight_scale"] = scale
    else:
        raise ParameterError(
            f"unknown weight format {weight_format!r}; use one of {WEIGHT_FORMATS}")
    layer = PackedLayer(weight.shape[1], weight.shape[0], weight_format, act, act_scale)
    dense = {"weight": stored.contiguous()}
    sparse = _csr(stored) if bool(zero.any()) else None
    if sparse is not None and _nbytes(sparse) < _nbytes(dense):
        tensors.update(sparse)
        layer.storage = "csr"
    else:
        tensors.update(dense)
    tensors["bias"] = bias.contiguous()
    layer.tensors = tensors
    return layer


class PackedMLP(nn.Module):
    """Runs a stack of :class:`PackedLayer` (ReLU between layers) the way it is stored."""

    def __init__(self, layers: list[PackedLayer]) -> None:
        super().__init__()
        if not layers:
            raise IntegrityError("a packed model needs at least one layer")
        self.layers = layers
        self._runtime: list[dict[str, Any]] = []
        for layer in layers:
            rt: dict[str, Any] = {"bias": layer.tensors["bias"].to(torch.float32)}
            if layer.weight_format == "int8" and layer.act != "none":
                # (in, out) view of the (out, in) int8 weight: column-major, fast in _int_mm
                rt["wq_t"] = layer.dense_weight().contiguous().t()
                rt["w_scale"] = layer.tensors["weight_scale"]
                rt["exact_float"] = layer.in_features * _QMAX * _QMAX < 2 ** 24
            else:
                rt["w"] = layer.float_weight()
            self._runtime.append(rt)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        last = len(self.layers) - 1
        for i, (layer, rt) in enumerate(zip(self.layers, self._runtime, strict=True)):
            if "w" in rt:
                x = torch.nn.functional.linear(x, rt["w"], rt["bias"])
            else:
                x = _int8_linear(x, layer, rt)
            if i < last:
                x = torch.relu(x)
        return x

    # --- bookkeeping -------------------------------------------------------------------
    def size_bytes(self) -> int:
        """Bytes of every stored tensor (weights, scales, indices, biases)."""
        return int(sum(_nbytes(layer.tensors) for layer in self.layers))

    def params(self) -> int:
        """Non-zero weights plus biases: the parameters the stored model really has."""
        return int(sum(layer.nonzero_weights() + layer.out_features for layer in self.layers))

    def state(self) -> tuple[dict[str, torch.Tensor], list[dict[str, Any]]]:
        """Tensors (for safetensors) and per-layer config (for JSON)."""
        tensors = {f"layers.{i}.{name}": t for i, layer in enumerate(self.layers)
                   for name, t in layer.tensors.items()}
        return tensors, [layer.config() for layer in self.layers]

    @classmethod
    def from_state(
        cls, tensors: dict[str, torch.Tensor], configs: list[dict[str, Any]]
    ) -> PackedMLP:
        layers = []
        for i, cfg in enumerate(configs):
            try:
                layer = PackedLayer(
                    int(cfg["in_features"]), int(cfg["out_features"]), str(cfg["weight_format"]),
                    str(cfg["act"]), None if cfg["act_scale"] is None else float(cfg["act_scale"]),
                    str(cfg["storage"]),
                )
            except (KeyError, TypeError, ValueError) as exc:
                raise IntegrityError(f"layer {i} config is invalid: {exc}") from None
            if layer.weight_format not in WEIGHT_FORMATS or layer.act not in ACTIVATION_MODES:
                raise IntegrityError(f"layer {i} has an unknown format {cfg}")
            prefix = f"layers.{i}."
            layer.tensors = {k[len(prefix):]: v for k, v in tensors.items() if k.startswith(prefix)}
            if "bias" not in layer.tensors:
                raise IntegrityError(f"layer {i} has no bias tensor in the weights file")
            layers.append(layer)
        return cls(layers)


def _int8_linear(x: torch.Tensor, layer: PackedLayer, rt: dict[str, Any]) -> torch.Tensor:
    if layer.act == "static":
        assert layer.act_scale is not None
        scale = torch.full((x.shape[0], 1), layer.act_scale, dtype=torch.float32)
    else:
        scale = x.abs().amax(dim=1, keepdim=True).clamp_min(1e-12) / _QMAX
    q = torch.div(x, scale).round_().clamp_(-_QMAX, _QMAX)
    if hasattr(torch, "_int_mm") and x.shape[0] > 0:
        acc = torch._int_mm(q.to(torch.int8), rt["wq_t"]).to(torch.float32)
    else:  # exact in float32 while in_features * 127^2 < 2^24
        dtype = torch.float32 if rt["exact_float"] else torch.float64
        acc = (q.to(dtype) @ rt["wq_t"].to(dtype)).to(torch.float32)
    return acc.mul_(scale * rt["w_scale"][None, :]).add_(rt["bias"])


def pack_model(model: nn.Module, *, weight_format: str = "fp32", act: str = "none",
               calibration: np.ndarray | None = None) -> PackedMLP:
    """Pack a Linear/ReLU MLP; ``act='static'`` needs ``calibration`` (synthetic rows)."""
    if act not in ACTIVATION_MODES:
        raise ParameterError(f"unknown activation mode {act!r}; use one of {ACTIVATION_MODES}")
    linears = linear_layers(model)
    scales: list[float | None] = [None] * len(linears)
    if weight_format == "int8" and act == "static":
        if calibration is None or len(calibration) == 0:
            raise ParameterError("static int8 quantisation needs calibration rows")
        scales = list(calibration_scales(model, calibration))
    act_mode = act if weight_format == "int8" else "none"
    return PackedMLP([
        pack_linear(lin, weight_format=weight_format, act=act_mode, act_scale=scale)
        for lin, scale in zip(linears, scales, strict=True)
    ])


@torch.no_grad()
def calibration_scales(model: nn.Module, calibration: np.ndarray,
                       *, quantile: float = 0.9999) -> list[float]:
    """One activation scale per Linear input: a high quantile of |x| on calibration rows / 127."""
    inputs: list[torch.Tensor] = []
    hooks = [lin.register_forward_pre_hook(lambda _m, args: inputs.append(args[0].detach()))
             for lin in linear_layers(model)]
    try:
        model.eval()
        model(torch.from_numpy(np.ascontiguousarray(calibration, dtype=np.float32)))
    finally:
        for hook in hooks:
            hook.remove()
    scales = []
    for tensor in inputs:
        flat = tensor.abs().flatten()
        if flat.numel() > 1_000_000:
            gen = torch.Generator().manual_seed(0)
            flat = flat[torch.randperm(flat.numel(), generator=gen)[:1_000_000]]
        value = float(torch.quantile(flat, quantile)) if flat.numel() else 1.0
        scales.append(max(value, 1e-8) / _QMAX)
    return scales
