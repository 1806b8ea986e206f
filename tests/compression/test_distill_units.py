"""Unit behaviour of the compression building blocks (no pipeline run)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

from synthguard.compression._canon import row_hashes
from synthguard.compression._mlp import build_mlp, count_params
from synthguard.compression.compress import (
    check_prune,
    magnitude_masks,
    plan_levels,
    requested_spec,
    structured_prune,
)
from synthguard.compression.export import safetensors_bytes
from synthguard.compression.packed import PackedMLP, pack_model, quantize_per_channel
from synthguard.errors import ParameterError


def _model(seed: int = 0) -> torch.nn.Sequential:
    torch.manual_seed(seed)
    return build_mlp(113, (32, 16), 2)


def test_row_hash_is_canonical_across_dtypes_and_column_order() -> None:
    a = pd.DataFrame({"age": [39, 50], "sex": ["Male", "Female"]})
    b = pd.DataFrame({"sex": ["Male", "Female"], "age": [39.0, 50.0]})
    c = pd.DataFrame({"age": ["39", "50"], "sex": ["Male", "Female"]})
    assert row_hashes(a) == row_hashes(b) == row_hashes(c)
    d = pd.DataFrame({"age": [39, 51], "sex": ["Male", "Female"]})
    assert row_hashes(a)[0] == row_hashes(d)[0]
    assert row_hashes(a)[1] != row_hashes(d)[1]
    assert row_hashes(pd.DataFrame({"x": [np.nan]})) == row_hashes(pd.DataFrame({"x": [None]}))


def test_per_channel_int8_error_is_within_half_a_step() -> None:
    weight = torch.randn(16, 40) * torch.linspace(0.01, 5, 16)[:, None]
    q, scale = quantize_per_channel(weight)
    assert q.dtype == torch.int8 and scale.shape == (16,)
    assert int(q.abs().max()) <= 127
    error = (weight - q.float() * scale[:, None]).abs()
    assert bool((error <= scale[:, None] / 2 + 1e-6).all())


@pytest.mark.parametrize(("fmt", "act", "tol"), [("fp16", "none", 1e-2),
                                                 ("int8", "dynamic", 0.1),
                                                 ("int8", "static", 0.2)])
def test_packed_formats_track_fp32_and_shrink(fmt: str, act: str, tol: float) -> None:
    model = _model()
    x = torch.randn(256, 113)
    packed = pack_model(model, weight_format=fmt, act=act, calibration=x.numpy())
    fp32 = pack_model(model)
    with torch.no_grad():
        reference, out = model(x), packed(x)
    assert torch.allclose(fp32(x), reference, atol=1e-5)
    assert float((out - reference).abs().max()) < tol
    ratio = packed.size_bytes() / fp32.size_bytes()
    assert ratio <= (0.35 if fmt == "int8" else 0.5 + 1e-9)
    assert fp32.size_bytes() == 4 * count_params(model)


def test_static_int8_without_calibration_is_refused() -> None:
    with pytest.raises(ParameterError, match="calibration"):
        pack_model(_model(), weight_format="int8", act="static")


def test_sparse_layers_are_stored_as_csr_only_when_smaller_and_roundtrip() -> None:
    model = _model()
    masks = magnitude_masks(model, 0.9)
    with torch.no_grad():
        for lin, mask in zip([m for m in model if isinstance(m, torch.nn.Linear)], masks,
                             strict=True):
            lin.weight.mul_(mask)
    packed = pack_model(model)
    assert packed.layers[0].storage == "csr"
    assert packed.size_bytes() < pack_model(_model()).size_bytes() * 0.3
    from safetensors.torch import load

    tensors, configs = packed.state()
    again = PackedMLP.from_state(load(safetensors_bytes(packed)), configs)
    x = torch.randn(8, 113)
    assert torch.equal(again(x), packed(x))
    assert sorted(tensors) == sorted(load(safetensors_bytes(packed)))
    int8 = pack_model(model, weight_format="int8", act="dynamic")
    dense_int8 = pack_model(_model(), weight_format="int8", act="dynamic")
    assert int8.size_bytes() <= dense_int8.size_bytes()


def test_magnitude_masks_prune_the_requested_fraction_without_dead_neurons() -> None:
    model = _model()
    masks = magnitude_masks(model, 0.5)
    total = sum(m.numel() for m in masks)
    kept = sum(float(m.sum()) for m in masks)
    assert abs(1 - kept / total - 0.5) < 0.02
    assert all(bool((m.sum(dim=1) > 0).all()) for m in masks)


def test_structured_pruning_removes_whole_neurons() -> None:
    model = _model()
    small = structured_prune(model, 0.5)
    widths = [m.out_features for m in small if isinstance(m, torch.nn.Linear)]
    assert widths == [16, 8, 2]
    assert small(torch.randn(3, 113)).shape == (3, 2)
    assert count_params(small) < count_params(model) / 2


@pytest.mark.parametrize("bad", [1.0, -0.1, 1.5, float("nan")])
def test_prune_outside_unit_interval_is_rejected(bad: float) -> None:
    with pytest.raises(ParameterError, match="prune="):
        check_prune(bad)


def test_levels_cover_every_quantisation_at_each_pruning_level() -> None:
    shipped = requested_spec(quantize="int8", prune=0.5, structured=False)
    names = [s.name for s in plan_levels(shipped)]
    assert shipped.name == "prune0.5+int8"
    for expected in ("fp16", "int8", "int8-static", "prune0.25", "prune0.5", "prune0.5+int8",
                     "prune0.25+fp16"):
        assert expected in names
    assert "fp32" not in names
    assert requested_spec(quantize="none", prune=0.3, structured=True).name == "structured0.3"
    with pytest.raises(ParameterError, match="quantize="):
        requested_spec(quantize="int4", prune=0.0, structured=False)


def test_encoder_survives_a_sorted_json_round_trip() -> None:
    import json

    from synthguard.compression._encoder import encoder_from_dict, encoder_to_dict
    from synthguard.evaluation.encoding import TableEncoder

    frame = pd.DataFrame({"z": ["b", "a", "b", "c"], "a": ["x", "y", "y", "y"],
                          "n": [1.0, 5.0, np.nan, 3.0]})
    encoder = TableEncoder().fit(frame)
    again = encoder_from_dict(json.loads(json.dumps(encoder_to_dict(encoder), sort_keys=True)))
    assert np.array_equal(encoder.transform(frame), again.transform(frame))


def test_default_student_widths_shrink_to_a_tenth_of_a_wide_input_teacher() -> None:
    from synthguard.compression.pipeline import fit_widths

    def params(n_in: int, hidden: tuple[int, ...], n_out: int = 2) -> int:
        return count_params(build_mlp(n_in, hidden, n_out))

    teacher_small_input = params(100, (256, 128))
    assert fit_widths((32, 16), n_in=100, n_out=2, budget=0.1 * teacher_small_input) == (32, 16)
    teacher_wide_input = params(600, (256, 128))
    budget = 0.1 * teacher_wide_input
    hidden = fit_widths((32, 16), n_in=600, n_out=2, budget=budget)
    assert hidden != (32, 16) and params(600, hidden) <= budget
    assert hidden[0] / hidden[1] == pytest.approx(2, rel=0.25)
