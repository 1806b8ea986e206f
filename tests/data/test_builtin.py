"""Built-in datasets' public metadata: documented bounds (not data maxima) that make the DP
generators work on a built-in dataset with their defaults, from the CLI and from Python."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from synthguard.cli import main
from synthguard.data import infer_schema
from synthguard.data.builtin import (
    builtin_metadata,
    builtin_names,
    is_builtin,
    public_bounds,
    source_schema,
)
from synthguard.data.schema import ColumnKind
from synthguard.errors import DataFileError, ParameterError
from synthguard.generators.dp._discretise import plan_columns


def test_every_numeric_column_of_adult_has_documented_bounds(adult: pd.DataFrame) -> None:
    meta = builtin_metadata("adult")
    bounds = public_bounds("adult")
    numeric = infer_schema(adult).numeric
    assert numeric and set(numeric) <= set(bounds)
    for column, (low, high) in bounds.items():
        source = meta["columns"][column]["source"]
        # every bound names where it comes from, and that source is described in the file
        assert any(key in source for key in meta["sources"]), (column, source)
        assert low < high
        values = adult[column].dropna()
        assert values.min() >= low and values.max() <= high, column  # the bounds cover the data


def test_bounds_are_not_data_maxima(adult: pd.DataFrame) -> None:
    bounds = public_bounds("adult")
    # capital loss is a 5-digit amount field: its public bound is the field's top-code,
    # not the largest loss in the file (4356), which would leak that record
    assert adult["capital_loss"].max() == 4356
    assert bounds["capital_loss"] == (0.0, 99999.0)
    assert bounds["final_weight"][1] > adult["final_weight"].max() * 2
    # a bound may coincide with a data extreme only where a documented top-code puts it there
    for column, (_low, high) in bounds.items():
        source = builtin_metadata("adult")["columns"][column]["source"]
        if high == adult[column].max():
            assert "top-coded" in source or "levels" in source, column


def test_metadata_is_a_fresh_copy_and_unknown_names_are_errors() -> None:
    builtin_metadata("adult")["columns"].clear()
    assert public_bounds("adult")
    with pytest.raises(DataFileError, match="no built-in dataset 'nope'; built-in datasets: adult"):
        public_bounds("nope")
    assert builtin_names() == ["adult"]


def test_is_builtin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert is_builtin("adult") and not is_builtin("Adult") and not is_builtin(None)
    assert not is_builtin(Path("adult"))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "adult").write_text("a,b\n1,2\n")  # a file of that name is read instead
    assert not is_builtin("adult")


def test_source_schema_brings_public_bounds_and_user_overrides_win(adult_small: pd.DataFrame) -> None:
    schema = source_schema(adult_small, "adult")
    assert schema.columns["capital_loss"].bounds == (0.0, 99999.0)
    assert schema.columns["capital_loss"].kind is ColumnKind.NUMERIC
    mine = source_schema(adult_small, "adult", {"columns": {"age": {"bounds": [18, 80]}}})
    assert mine.columns["age"].bounds == (18.0, 80.0)
    assert mine.columns["hours_per_week"].bounds == (1.0, 99.0)
    # a file is not a built-in dataset: no bounds appear from nowhere
    assert source_schema(adult_small, "upload.csv").columns["age"].bounds is None
    # a built-in table missing some columns (a PII drop, a projection) still gets the rest
    fewer = source_schema(adult_small.drop(columns=["age"]), "adult")
    assert fewer.columns["capital_gain"].bounds == (0.0, 99999.0)


def test_dp_plan_takes_every_numeric_bound_from_the_metadata(adult_small: pd.DataFrame) -> None:
    plans = plan_columns(adult_small, source_schema(adult_small, "adult"), {}, estimate_bounds=False)
    numeric = {p.name: p for p in plans if p.kind == "numeric"}
    assert set(numeric) == set(public_bounds("adult"))
    assert {p.bounds_source for p in numeric.values()} == {"schema"}
    # without the metadata the same table is refused: the data's own range is never used
    with pytest.raises(ParameterError, match="no public bounds"):
        plan_columns(adult_small, infer_schema(adult_small), {}, estimate_bounds=False)


@pytest.mark.slow
@pytest.mark.parametrize("generator", ["mst", "aim"])
def test_cli_dp_generators_on_adult_with_defaults(generator: str, tmp_path: Path) -> None:
    """`synthguard generate --data adult --generator aim|mst` with no --bounds (~2-4 min)."""
    out = tmp_path / "syn.csv"
    assert main(["generate", "--data", "adult", "--generator", generator, "--rows", "200",
                 "--out", str(out)]) == 0
    synthetic = pd.read_csv(out)
    assert len(synthetic) == 200
    for column, (low, high) in public_bounds("adult").items():
        assert synthetic[column].between(low, high).all(), column


@pytest.mark.slow
def test_python_synthesize_mst_on_adult_with_defaults() -> None:
    import synthguard

    result = synthguard.synthesize("adult", generator="mst", rows=300, evaluate_result=False)
    assert len(result.synthetic) == 300 and result.privacy is not None
    assert json.dumps(result.to_dict()["privacy"])
