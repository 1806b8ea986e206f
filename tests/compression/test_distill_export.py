"""Export: safetensors + JSON + ONNX, a loader that checks SHA-256, ONNX == torch."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch

from synthguard.compression import load_student, write_distill_outputs
from synthguard.compression._mlp import build_mlp
from synthguard.compression.compress import magnitude_masks
from synthguard.compression.export import onnx_bytes
from synthguard.compression.packed import pack_model
from synthguard.errors import IntegrityError, ParameterError

EXPECTED = {"student.safetensors", "student.json", "student.onnx", "manifest.json",
            "report.json", "report.html"}


@pytest.fixture(scope="module")
def out_dir(tiny_run: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("distill") / "out"
    write_distill_outputs(tiny_run, out, train_sha256="abc")
    return out


def test_output_folder_has_every_file_and_no_pickle(out_dir: Path) -> None:
    assert {p.name for p in out_dir.iterdir()} == EXPECTED
    manifest = json.loads((out_dir / "manifest.json").read_text())
    assert set(manifest["files"]) == EXPECTED - {"manifest.json"}
    assert manifest["extra"]["transfer_set_sha256"] == manifest["data_sha256"]
    assert len(manifest["data_sha256"]) == 64
    head = (out_dir / "student.safetensors").read_bytes()[:2]
    assert head != b"\x80\x04"  # not a pickle protocol header
    html = (out_dir / "report.html").read_text()
    assert "Compression frontier" in html and "data:image/png;base64," in html


def test_loaded_student_matches_the_shipped_model(tiny_run: Any, out_dir: Path,
                                                  adult_split: Any) -> None:
    _, holdout = adult_split
    loaded = load_student(out_dir)
    assert loaded.config["method"] == "prune0.5+int8"
    assert loaded.model.size_bytes() == tiny_run.shipped.size_bytes()
    proba = loaded.predict_proba(holdout)
    x = torch.from_numpy(tiny_run.transfer.encoder.transform(holdout[tiny_run.data["features"]]))
    with torch.no_grad():
        expected = torch.softmax(tiny_run.shipped(x), dim=1).numpy()
    assert list(proba.columns) == tiny_run.classes and proba.index.equals(holdout.index)
    assert np.allclose(proba.to_numpy(), expected, atol=1e-6)
    assert set(loaded.predict(holdout.head(20))) <= set(tiny_run.classes)


def test_tampered_weights_are_refused(out_dir: Path, tmp_path: Path) -> None:
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(out_dir, copy)
    data = bytearray((copy / "student.safetensors").read_bytes())
    data[-1] ^= 0xFF
    (copy / "student.safetensors").write_bytes(bytes(data))
    with pytest.raises(IntegrityError, match="does not match its manifest"):
        load_student(copy)


def test_existing_non_empty_out_is_refused_without_force(tiny_run: Any, out_dir: Path) -> None:
    before = {p.name: p.stat().st_mtime_ns for p in out_dir.iterdir()}
    with pytest.raises(ParameterError, match="force=True"):
        write_distill_outputs(tiny_run, out_dir)
    assert {p.name: p.stat().st_mtime_ns for p in out_dir.iterdir()} == before


@pytest.mark.parametrize(("fmt", "act", "prune"), [
    ("fp32", "none", 0.0), ("fp16", "none", 0.0), ("int8", "dynamic", 0.0),
    ("int8", "static", 0.0), ("fp32", "none", 0.8), ("int8", "dynamic", 0.6),
])
def test_onnx_gives_the_same_numbers_as_torch(fmt: str, act: str, prune: float) -> None:
    import onnxruntime as ort

    torch.manual_seed(0)
    model = build_mlp(40, (24, 12), 3)
    if prune:
        with torch.no_grad():
            for lin, mask in zip([m for m in model if isinstance(m, torch.nn.Linear)],
                                 magnitude_masks(model, prune), strict=True):
                lin.weight.mul_(mask)
    x = np.random.default_rng(0).normal(size=(64, 40)).astype(np.float32) * 2
    packed = pack_model(model, weight_format=fmt, act=act, calibration=x)
    session = ort.InferenceSession(onnx_bytes(packed, n_features=40),
                                   providers=["CPUExecutionProvider"])
    logits, probs = session.run(None, {"x": x})
    with torch.no_grad():
        expected = packed(torch.from_numpy(x)).numpy()
    assert np.allclose(logits, expected, atol=1e-4)
    assert np.allclose(probs.sum(axis=1), 1.0, atol=1e-5)
