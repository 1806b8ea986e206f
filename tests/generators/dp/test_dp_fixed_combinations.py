"""Public fixed combinations (schema ``fixed_combinations``): AIM and MST model the tied
columns as one attribute whose values are the allowed combinations.

No ε goes to impossible cells, no sampled row holds a combination outside the public list,
the spend still equals ρ, and the fused numeric column needs no bounds (its values are in
the list). Without the declaration the same fits do produce disallowed pairs, so the tests
can fail."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from synthguard.data.builtin import source_schema
from synthguard.data.loading import load_table
from synthguard.data.schema import apply_overrides, infer_schema
from synthguard.errors import SchemaError
from synthguard.generators import load_generator, save_generator
from synthguard.generators.conditional import schema_with_combinations
from synthguard.generators.conditions import FixedCombinations, SamplingSpec
from synthguard.generators.dp._discretise import FusedCodec
from synthguard.generators.dp.aim import AIMGenerator
from synthguard.generators.dp.mst import MSTGenerator
from synthguard.ledger.accounting import cdp_rho

LEVELS = ["none", "primary", "lower", "upper", "college", "degree"]
ALLOWED = [[name, i + 1] for i, name in enumerate(LEVELS)]  # a coding rule: level -> number
META = {"fixed_combinations": [{"columns": ["level", "level_num"], "allowed": ALLOWED,
                                "source": "test coding rule"}]}


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    n = 800
    age = rng.integers(18, 80, n)
    level = rng.choice(len(LEVELS), n, p=[0.05, 0.15, 0.2, 0.3, 0.2, 0.1])
    group = np.where(level >= 4, rng.choice(["a", "b"], n, p=[0.8, 0.2]),
                     rng.choice(["a", "b", "c"], n))
    frame = pd.DataFrame({"age": age, "level": np.asarray(LEVELS)[level],
                          "level_num": level + 1, "group": group})
    frame.loc[:4, "level_num"] = 6  # a few records break the rule (data errors)
    return frame


def allowed_pairs() -> set[tuple[str, int]]:
    return {(a, b) for a, b in ALLOWED}


def test_schema_reads_checks_and_writes_combinations(table: pd.DataFrame) -> None:
    schema = infer_schema(table, overrides=META)
    (combo,) = schema.fixed_combinations
    assert combo.columns == ("level", "level_num")
    assert combo.allowed[1] == ("primary", 2.0)  # numeric column's values as numbers
    again = apply_overrides(infer_schema(table), schema.to_dict())
    assert again.fixed_combinations == schema.fixed_combinations
    assert schema.restricted({c: s for c, s in schema.columns.items() if c != "level"}
                             ).fixed_combinations == ()
    bad = [
        ({"columns": ["level", "nope"], "allowed": [["x", 1]]}, "not in the table"),
        ({"columns": ["level"], "allowed": [["x"]]}, "two or more distinct"),
        ({"columns": ["level", "level_num"], "allowed": []}, "non-empty list"),
        ({"columns": ["level", "level_num"], "allowed": [["x", 1, 2]]}, "2 values"),
        ({"columns": ["level", "level_num"], "allowed": [["x", "one"]]}, "finite number"),
        ({"columns": ["level", "level_num"], "allowed": [["x", 1], ["x", 1]]}, "twice"),
    ]
    for item, message in bad:
        with pytest.raises(SchemaError, match=message):
            infer_schema(table, overrides={"fixed_combinations": [item]})
    with pytest.raises(SchemaError, match="another fixed combination"):
        infer_schema(table, overrides={"fixed_combinations": [
            {"columns": ["level", "level_num"], "allowed": ALLOWED},
            {"columns": ["level", "group"], "allowed": [["none", "a"]]}]})


def test_fused_codec_maps_off_list_rows_to_the_closest_allowed_combination() -> None:
    codec = FusedCodec(["level", "level_num"], ALLOWED, [False, True], ["object", "int64"])
    frame = pd.DataFrame({"level": ["primary", "degree", "lower", "unknown"],
                          "level_num": [2, 6, 6, 9]})
    codes = codec.encode(frame)
    # exact; exact; off-list -> agrees on one column with two combos, the first wins; none
    assert codes.tolist() == [1, 5, 2, 0]
    out = codec.decode(np.arange(len(ALLOWED)))
    assert list(zip(out["level"], out["level_num"], strict=True)) == [tuple(c) for c in ALLOWED]
    assert out["level_num"].dtype == np.int64


@pytest.mark.parametrize("cls,params", [
    (AIMGenerator, {"rounds": 3, "iters": 30, "final_iters": 60, "max_bins": 8}),
    (MSTGenerator, {"iters": 60, "max_bins": 8}),
])
def test_fused_columns_sample_only_allowed_combinations(table: pd.DataFrame, tmp_path: Path,
                                                        cls, params) -> None:  # type: ignore[no-untyped-def]
    # level_num has no bounds: the fused attribute takes its values from the public list
    schema = infer_schema(table, overrides=META)
    gen = cls(epsilon=0.5, delta=1e-6, bounds={"age": [18, 80]}, **params)
    gen.fit(table, schema=schema, seed=0)
    info = gen.describe()["model"]
    assert info["domain"]["level+level_num"] == len(ALLOWED)
    assert "level" not in info["domain"] and "level_num" not in info["domain"]
    spend = gen.privacy_spent()
    assert spend is not None and spend.rho == pytest.approx(cdp_rho(0.5, 1e-6))
    assert info["rho_discretisation"] + info["rho_mechanism"] == pytest.approx(spend.rho)
    assert any("fixed combinations of level, level_num" in item for item in spend.public)
    synth = gen.sample(4000, seed=1)
    assert list(synth.columns) == list(table.columns)
    pairs = set(zip(synth["level"], synth["level_num"], strict=True))
    assert pairs <= allowed_pairs() and len(pairs) >= 4
    assert synth["level_num"].dtype == np.int64
    save_generator(gen, tmp_path / "m")
    pd.testing.assert_frame_equal(load_generator(tmp_path / "m").sample(500, seed=2),
                                  gen.sample(500, seed=2))


def test_without_the_declaration_disallowed_pairs_come_out(table: pd.DataFrame) -> None:
    plain = infer_schema(table, overrides={"columns": {"level_num": {"values": [1, 2, 3, 4, 5, 6]}}})
    synth = MSTGenerator(epsilon=0.5, delta=1e-6, bounds={"age": [18, 80]}, iters=60,
                         max_bins=8).fit(table, schema=plain, seed=0).sample(4000, seed=1)
    assert not set(zip(synth["level"], synth["level_num"], strict=True)) <= allowed_pairs()


def test_constraints_file_combinations_reach_the_fit(table: pd.DataFrame) -> None:
    spec = SamplingSpec(constraints=(FixedCombinations(("level", "level_num"),
                                                       tuple(tuple(c) for c in ALLOWED)),))
    schema = schema_with_combinations(infer_schema(table), spec)
    (combo,) = schema.fixed_combinations
    assert combo.columns == ("level", "level_num") and len(combo.allowed) == len(ALLOWED)
    # already declared in the metadata: left to the sampling filter, not declared twice
    declared = infer_schema(table, overrides=META)
    assert schema_with_combinations(declared, spec) is declared


def test_adult_ships_its_education_coding() -> None:
    adult = load_table("adult")
    (combo,) = source_schema(adult, "adult").fixed_combinations
    assert combo.columns == ("education", "education_num") and combo.source
    allowed = {(a, int(b)) for a, b in combo.allowed}
    assert len(allowed) == 16 and len({a for a, _ in allowed}) == 16
    assert set(zip(adult["education"], adult["education_num"], strict=True)) <= allowed
