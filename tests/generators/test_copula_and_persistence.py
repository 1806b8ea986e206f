from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from synthguard.errors import IntegrityError, NotFittedError, ParameterError, UnknownPluginError
from synthguard.evaluation import quality_score
from synthguard.generators import create_generator, load_generator, save_generator
from synthguard.ledger import RunStore


def test_gaussian_copula_beats_sdv_stock_copula_on_adult(adult_small: pd.DataFrame) -> None:
    ours = create_generator("gaussian_copula").fit(adult_small, seed=0).sample(3000, seed=1)
    stock = create_generator("sdv_gaussian_copula").fit(adult_small, seed=0).sample(3000, seed=1)
    q_ours, q_stock = quality_score(adult_small, ours).score, quality_score(adult_small, stock).score
    assert q_ours >= 0.90
    assert q_ours > q_stock + 0.05


def test_copula_keeps_types_missing_values_and_ids() -> None:
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({
        "record_id": np.arange(400),
        "amount": np.where(rng.random(400) < 0.2, np.nan, rng.lognormal(3, 1, 400)),
        "flag": rng.random(400) < 0.3,
        "when": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 365, 400), unit="D"),
        "kind": rng.choice(["a", "b", "c"], 400),
    })
    out = create_generator("gaussian_copula").fit(frame, seed=0).sample(1000, seed=0)
    assert out["record_id"].is_unique
    assert 0.1 < out["amount"].isna().mean() < 0.3
    assert out["flag"].dtype == bool
    assert pd.api.types.is_datetime64_any_dtype(out["when"])
    assert out["when"].min() >= frame["when"].min() and out["when"].max() <= frame["when"].max()
    assert set(out["kind"]) == {"a", "b", "c"}


def test_copula_chunks_are_independent_of_sampling_call(adult_small: pd.DataFrame) -> None:
    gen = create_generator("gaussian_copula", batch_size=500).fit(adult_small, seed=0)
    whole = gen.sample(1200, seed=9)
    chunks = pd.concat([gen.sample_chunk(500, seed=9, chunk_index=i) for i in range(2)]  # type: ignore[attr-defined]
                       + [gen.sample_chunk(200, seed=9, chunk_index=2)], ignore_index=True)  # type: ignore[attr-defined]
    pd.testing.assert_frame_equal(whole, chunks)


def test_bad_parameters_and_states() -> None:
    with pytest.raises(UnknownPluginError, match="gaussian_copula"):
        create_generator("nope")
    with pytest.raises(ParameterError, match="bins"):
        create_generator("gaussian_copula", bins=1)
    with pytest.raises(ParameterError, match="unknown parameter"):
        create_generator("gaussian_copula", epochs=3)
    with pytest.raises(NotFittedError):
        create_generator("gaussian_copula").sample(10)
    with pytest.raises(ParameterError, match="rows"):
        create_generator("gaussian_copula").sample(0)


def test_model_folder_has_manifest_with_hashes(adult_small: pd.DataFrame, tmp_path: Path) -> None:
    gen = create_generator("gaussian_copula").fit(adult_small, seed=0)
    save_generator(gen, tmp_path / "m")
    manifest = json.loads((tmp_path / "m" / "manifest.json").read_text())
    assert manifest["name"] == "gaussian_copula"
    assert manifest["data_sha256"] == gen.fit_info.data_sha256
    assert set(manifest["files"]) == {"copula.json"}
    assert "sdv" in manifest["versions"] and manifest["params"]["bins"] == 20


def test_tampered_model_is_refused(adult_small: pd.DataFrame, tmp_path: Path) -> None:
    gen = create_generator("gaussian_copula").fit(adult_small, seed=0)
    save_generator(gen, tmp_path / "m")
    model = tmp_path / "m" / "copula.json"
    model.write_text(model.read_text().replace('"bins": 20', '"bins": 21'))
    with pytest.raises(IntegrityError, match="does not match its manifest"):
        load_generator(tmp_path / "m")


def test_pickled_sdv_model_from_elsewhere_is_refused(adult_small: pd.DataFrame, tmp_path: Path) -> None:
    gen = create_generator("sdv_gaussian_copula").fit(adult_small.iloc[:500], seed=0)
    save_generator(gen, tmp_path / "m")
    assert load_generator(tmp_path / "m").sample(5, seed=0).shape == (5, adult_small.shape[1])
    other_machine = RunStore(tmp_path / "elsewhere.sqlite")
    with pytest.raises(IntegrityError, match="pickle"):
        load_generator(tmp_path / "m", store=other_machine)
