"""Export and load a compressed student: safetensors + JSON config + ONNX, no pickles.

``student.safetensors`` holds exactly the stored tensors (int8 weights and scales, CSR
indices, biases); ``student.json`` holds the architecture, per-layer formats, the encoder
(fitted on synthetic rows), the class labels and the transfer set's SHA-256;
``student.onnx`` reproduces the same arithmetic with standard ONNX operators (int8 weights
stay int8 in the file; dynamic/static activation quantisation is written out as
Round/Clip so onnxruntime gives the same numbers as the torch runtime). :func:`load_student`
checks every file's SHA-256 against ``manifest.json`` before reading anything.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch

from synthguard.compression._encoder import encoder_from_dict
from synthguard.compression._mlp import softmax
from synthguard.compression.packed import PackedMLP
from synthguard.errors import IntegrityError, SchemaError
from synthguard.evaluation.encoding import TableEncoder
from synthguard.ledger.manifest import verify_folder

WEIGHTS_FILE = "student.safetensors"
CONFIG_FILE = "student.json"
ONNX_FILE = "student.onnx"
FORMAT_VERSION = 1
ONNX_OPSET = 17


def safetensors_bytes(model: PackedMLP, metadata: dict[str, str] | None = None) -> bytes:
    from safetensors.torch import save

    tensors, _ = model.state()
    return bytes(save({k: v.contiguous() for k, v in tensors.items()}, metadata=metadata))


def write_student_files(folder: Path, model: PackedMLP, config: dict[str, Any]) -> None:
    """Write weights, config and ONNX into ``folder`` (the caller writes the manifest)."""
    _, layer_configs = model.state()
    full = {**config, "format_version": FORMAT_VERSION, "layers": layer_configs}
    (folder / WEIGHTS_FILE).write_bytes(safetensors_bytes(model, {"format": "synthguard-student"}))
    (folder / CONFIG_FILE).write_text(json.dumps(full, indent=2, sort_keys=True), encoding="utf-8")
    (folder / ONNX_FILE).write_bytes(onnx_bytes(model, n_features=int(config["n_features"])))


@dataclass
class LoadedStudent:
    """A verified student: preprocessing + packed network + labels."""

    model: PackedMLP
    encoder: TableEncoder
    classes: list[str]
    config: dict[str, Any]

    @property
    def classes_(self) -> np.ndarray:
        """The class labels in column order (scikit-learn's name for them)."""
        return np.asarray(self.classes, dtype=object)

    def predict_proba(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Class probabilities, one column per class label, indexed like ``frame``.

        Labelled so that nobody has to guess which column is ``>50K``; ``.to_numpy()`` gives
        the plain array in ``classes_`` order.
        """
        missing = [c for c in self.encoder.columns if c not in frame.columns]
        if missing:
            raise SchemaError(f"table lacks column(s) {missing} the student needs")
        x = torch.from_numpy(self.encoder.transform(frame))
        with torch.no_grad():
            logits = self.model(x).numpy()
        return pd.DataFrame(softmax(logits), columns=list(self.classes), index=frame.index)

    def predict(self, frame: pd.DataFrame) -> pd.Series:
        """The most probable class label of each row, indexed like ``frame``."""
        proba = self.predict_proba(frame)
        return pd.Series(self.classes_[proba.to_numpy().argmax(axis=1)], index=frame.index, name="prediction")


def load_student(folder: str | Path) -> LoadedStudent:
    """Load a student folder after checking every file against its manifest's SHA-256."""
    from safetensors.torch import load_file

    folder = Path(folder)
    manifest = verify_folder(folder)
    for name in (WEIGHTS_FILE, CONFIG_FILE):
        if name not in manifest.files:
            raise IntegrityError(f"{name} is not listed in the manifest of {str(folder)!r}")
    config = json.loads((folder / CONFIG_FILE).read_text(encoding="utf-8"))
    if config.get("format_version") != FORMAT_VERSION:
        raise IntegrityError(f"unsupported student format {config.get('format_version')!r}")
    tensors = load_file(str(folder / WEIGHTS_FILE))
    model = PackedMLP.from_state(tensors, config["layers"])
    return LoadedStudent(model=model, encoder=encoder_from_dict(config["encoder"]),
                         classes=[str(c) for c in config["classes"]], config=config)


# --- ONNX ----------------------------------------------------------------------------------

def onnx_bytes(model: PackedMLP, *, n_features: int) -> bytes:
    """An ONNX graph computing the same logits (and probabilities) as ``model``."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    nodes: list[Any] = []
    inits: list[Any] = []
    current = "x"
    qmax = 127.0

    def const(name: str, value: np.ndarray) -> str:
        inits.append(numpy_helper.from_array(value, name=name))
        return name

    const("qmax", np.array(qmax, dtype=np.float32))
    const("qmin", np.array(-qmax, dtype=np.float32))
    const("eps", np.array(1e-12, dtype=np.float32))
    last = len(model.layers) - 1
    for i, layer in enumerate(model.layers):
        p = f"l{i}_"
        weight = layer.dense_weight()  # (out, in) in stored dtype
        bias = const(p + "b", layer.tensors["bias"].to(torch.float32).numpy())
        if layer.weight_format == "int8":
            wq = const(p + "wq", weight.t().contiguous().numpy().astype(np.int8))
            scale = const(p + "ws", layer.tensors["weight_scale"].numpy().astype(np.float32))
            nodes.append(helper.make_node("Cast", [wq], [p + "wf"], to=TensorProto.FLOAT))
            if layer.act == "none":
                nodes.append(helper.make_node("Mul", [p + "wf", scale], [p + "w"]))
                nodes.append(helper.make_node("MatMul", [current, p + "w"], [p + "mm"]))
            else:
                if layer.act == "static":
                    const(p + "xs", np.array(layer.act_scale, dtype=np.float32))
                else:
                    nodes.append(helper.make_node("Abs", [current], [p + "abs"]))
                    nodes.append(helper.make_node("ReduceMax", [p + "abs"], [p + "amax"],
                                                  axes=[1], keepdims=1))
                    nodes.append(helper.make_node("Max", [p + "amax", "eps"], [p + "amax2"]))
                    nodes.append(helper.make_node("Div", [p + "amax2", "qmax"], [p + "xs"]))
                nodes.append(helper.make_node("Div", [current, p + "xs"], [p + "xd"]))
                nodes.append(helper.make_node("Round", [p + "xd"], [p + "xr"]))
                nodes.append(helper.make_node("Clip", [p + "xr", "qmin", "qmax"], [p + "xq"]))
                nodes.append(helper.make_node("MatMul", [p + "xq", p + "wf"], [p + "acc"]))
                nodes.append(helper.make_node("Mul", [p + "xs", scale], [p + "os"]))
                nodes.append(helper.make_node("Mul", [p + "acc", p + "os"], [p + "mm"]))
        elif layer.weight_format == "fp16":
            w16 = const(p + "w16", weight.t().contiguous().numpy().astype(np.float16))
            nodes.append(helper.make_node("Cast", [w16], [p + "w"], to=TensorProto.FLOAT))
            nodes.append(helper.make_node("MatMul", [current, p + "w"], [p + "mm"]))
        else:
            w = const(p + "w", weight.t().contiguous().numpy().astype(np.float32))
            nodes.append(helper.make_node("MatMul", [current, w], [p + "mm"]))
        out = "logits" if i == last else p + "out"
        if i == last:
            nodes.append(helper.make_node("Add", [p + "mm", bias], [out]))
        else:
            nodes.append(helper.make_node("Add", [p + "mm", bias], [p + "pre"]))
            nodes.append(helper.make_node("Relu", [p + "pre"], [out]))
        current = out
    nodes.append(helper.make_node("Softmax", ["logits"], ["probabilities"], axis=1))
    n_out = model.layers[-1].out_features
    graph = helper.make_graph(
        nodes, "synthguard_student",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", n_features])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", n_out]),
         helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, ["batch", n_out])],
        inits,
    )
    proto = helper.make_model(graph, opset_imports=[helper.make_opsetid("", ONNX_OPSET)],
                              producer_name="synthguard")
    proto.ir_version = 8
    onnx.checker.check_model(proto)
    return bytes(proto.SerializeToString())
