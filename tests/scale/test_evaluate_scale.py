"""Evaluation of large tables: stated-size samples read in bounded memory, an ANN index for DCR."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from synthguard.cli import main
from synthguard.errors import ParameterError
from synthguard.evaluation import evaluate, neighbors
from synthguard.evaluation._sampling import cap_rows, sample_file
from synthguard.evaluation.leakage import evaluate_leakage
from synthguard.evaluation.neighbors import nearest_distances
from synthguard.generators import create_generator


def _table(n: int) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    return pd.DataFrame({"row": np.arange(n), "x": rng.normal(size=n),
                         "g": rng.choice(["a", "b", "c"], size=n)})


def test_sample_file_is_uniform_seeded_and_format_independent(tmp_path: Path) -> None:
    frame = _table(30_000)
    frame.to_parquet(tmp_path / "t.parquet", index=False, row_group_size=4_000)
    frame.to_csv(tmp_path / "t.csv", index=False)
    a, info = sample_file(tmp_path / "t.parquet", 5_000, seed=1, table="synthetic")
    b, _ = sample_file(tmp_path / "t.csv", 5_000, seed=1, table="synthetic")
    c, _ = sample_file(tmp_path / "t.parquet", 5_000, seed=2, table="synthetic")
    assert info.to_dict() == {"table": "synthetic", "rows": 30_000, "used": 5_000, "seed": 1,
                              "sampled": True, "fraction": pytest.approx(1 / 6, abs=1e-6)}
    assert len(a) == 5_000 and a["row"].is_unique and a["row"].is_monotonic_increasing
    assert a["row"].tolist() == b["row"].tolist() != c["row"].tolist()
    pd.testing.assert_frame_equal(a, frame.iloc[a["row"]].reset_index(drop=True))
    # spread over the whole file, not the first row groups
    assert a["row"].min() < 1_000 and a["row"].max() > 29_000
    small, info = sample_file(tmp_path / "t.parquet", 50_000, seed=1, table="real")
    assert len(small) == 30_000 and not info.sampled
    with pytest.raises(ParameterError, match="max_rows="):
        cap_rows(frame, 5, seed=0, table="real")


def test_evaluate_reports_what_was_sampled(adult_small, copula) -> None:
    synthetic = copula.sample(6_000, seed=1)
    real, holdout = adult_small.iloc[:3_000], adult_small.iloc[3_000:]
    result = evaluate(real, synthetic, holdout, seed=0, max_rows=2_000, dcr_rows=1_000)
    tables = result["sampling"]["tables"]
    assert result["sampling"]["any_sampled"] is True
    assert tables["synthetic"]["rows"] == 6_000 and tables["synthetic"]["used"] == 2_000
    assert tables["holdout"]["sampled"] is False and tables["holdout"]["used"] == 1_000
    assert result["rows"]["synthetic"] == 2_000
    assert result["privacy"]["sampled"]["synthetic"] == 1_000
    full = evaluate(real, synthetic.iloc[:1_500], holdout, seed=0, dcr_rows=1_000)
    assert full["sampling"]["any_sampled"] is False


def test_hnsw_index_matches_exact_search(monkeypatch) -> None:
    monkeypatch.setattr(neighbors, "INDEX_THRESHOLD", 10_000)  # keep the test small
    rng = np.random.default_rng(3)
    reference = rng.normal(size=(15_000, 8))
    queries = rng.normal(size=(400, 8))
    exact = nearest_distances(reference, queries, k=2, index="exact")
    approx = nearest_distances(reference, queries, k=2, chunk=150)  # auto -> HNSW above threshold
    assert approx.shape == exact.shape == (400, 2)
    assert np.all(approx >= exact - 1e-4)  # an approximate neighbour is never closer
    assert np.mean(np.isclose(approx[:, 0], exact[:, 0], rtol=1e-4)) > 0.95
    assert not np.array_equal(approx, exact)  # float32 index distances: the HNSW path ran
    with pytest.raises(ParameterError, match="index"):
        nearest_distances(reference, queries, index="kd")


def test_membership_attacks_use_the_index_on_large_synthetic_tables(adult_small, monkeypatch) -> None:
    """Above the threshold the membership attacks query the HNSW index in chunks, say so in
    the result, and find what exact search finds (a half-copied table is caught either way)."""
    train, holdout = adult_small.iloc[:3_000], adult_small.iloc[3_000:]
    leaky = create_generator("copy_leaky", copied_share=0.5).fit(train, seed=0).sample(6_000, seed=1)
    args = dict(train=train, holdout=holdout, synthetic=leaky, attacks=["dcr", "dcr_ratio"],
                max_targets=800, seed=0)
    exact = evaluate_leakage(**args)
    monkeypatch.setattr(neighbors, "INDEX_THRESHOLD", 1_000)
    indexed = evaluate_leakage(**args)
    for name in ("dcr", "dcr_ratio"):
        assert exact["membership"][name]["neighbour_index"] == "exact"
        assert indexed["membership"][name]["neighbour_index"] == "hnsw"
        assert indexed["membership"][name]["auc"] > 0.6
        assert indexed["membership"][name]["auc"] == pytest.approx(
            exact["membership"][name]["auc"], abs=0.02)


def test_cli_evaluate_samples_large_files(adult_small, copula, tmp_path: Path) -> None:
    copula.sample(8_000, seed=2).to_parquet(tmp_path / "syn.parquet", index=False)
    adult_small.iloc[:3_000].to_parquet(tmp_path / "train.parquet", index=False)
    adult_small.iloc[3_000:].to_parquet(tmp_path / "hold.parquet", index=False)
    out = tmp_path / "report.json"
    code = main(["evaluate", "--real", str(tmp_path / "train.parquet"), "--synthetic",
                 str(tmp_path / "syn.parquet"), "--holdout", str(tmp_path / "hold.parquet"),
                 "--out", str(out), "--max-rows", "2500", "--dcr-rows", "1000"])
    assert code == 0
    report = json.loads(out.read_text())
    assert report["sampling"]["tables"]["synthetic"] == {
        "table": "synthetic", "rows": 8_000, "used": 2_500, "seed": 0, "sampled": True,
        "fraction": 0.3125}
    assert report["sampling"]["tables"]["real"]["rows"] == 3_000
    assert report["sampling"]["tables"]["real"]["used"] == 2_500
