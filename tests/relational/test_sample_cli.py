"""`synthguard sample --model DIR --out OUT`: sampling a saved model again without the real
data (relational: a folder of tables; single table: a file), and bad input (exit 2, one line,
nothing written, no pickle from elsewhere ever run)."""

from __future__ import annotations

import json
import pickle
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from synthguard.cli import main
from synthguard.data._toy_relational import toy_bank
from synthguard.data.relational import load_tables, write_tables
from synthguard.evaluation.relational import referential_integrity
from synthguard.ledger import Manifest, write_manifest


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any]:
    """A relational model saved by `generate --save-model` (toy bank, 80 clients, depth 3)."""
    root = tmp_path_factory.mktemp("saved")
    data = toy_bank(80, seed=3, depth=3)
    write_tables(data.tables, root / "real", data.metadata)
    code = main(["--store", str(root / "runs.sqlite"), "generate", "--data", str(root / "real"),
                 "--out", str(root / "syn"), "--save-model", str(root / "model")])
    assert code == 0
    return root / "model", data


def _run(argv: list[str]) -> int:
    """``main``'s exit code, also for argparse's usage errors (which exit)."""
    try:
        return main(argv)
    except SystemExit as exc:
        return int(exc.code or 0)


def _tables(folder: Path, data: Any) -> dict[str, pd.DataFrame]:
    return load_tables(folder, data.metadata)


def test_sample_from_a_saved_relational_model_at_any_size(saved: tuple[Path, Any], tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    model, data = saved
    root = data.metadata.roots()[0]
    assert main(["sample", "--model", str(model), "--out", str(tmp_path / "a"), "--rows", "50",
                 "--seed", "3"]) == 0
    assert "wrote 4 tables" in capsys.readouterr().err
    a = _tables(tmp_path / "a", data)
    assert set(a) == set(data.tables) and len(a[root]) == 50
    assert referential_integrity(a, data.metadata)["overall"] == 1.0
    # same seed, same tables; --scale counts root entities as a multiple of the real ones
    assert main(["sample", "--model", str(model), "--out", str(tmp_path / "b"), "--rows", "50",
                 "--seed", "3"]) == 0
    b = _tables(tmp_path / "b", data)
    for name in a:
        pd.testing.assert_frame_equal(a[name], b[name])
    assert main(["sample", "--model", str(model), "--out", str(tmp_path / "c"), "--scale", "2.5",
                 "--format", "csv"]) == 0
    assert sorted(p.name for p in (tmp_path / "c").iterdir()) == sorted(
        [f"{t}.csv" for t in data.tables] + ["metadata.json"])
    c = _tables(tmp_path / "c", data)
    assert len(c[root]) == round(2.5 * len(data.tables[root]))
    assert referential_integrity(c, data.metadata)["overall"] == 1.0


def _forged_pickle_model(folder: Path, marker: Path) -> None:
    """A single-table model folder whose hashes match but whose pickle runs code."""

    class Evil:
        def __reduce__(self) -> tuple[Any, ...]:
            return (open, (str(marker), "w"))

    folder.mkdir(parents=True)
    (folder / "sdv_model.pkl").write_bytes(pickle.dumps(Evil()))
    from synthguard.generators import get_generator

    params = get_generator("sdv_gaussian_copula").Params().to_dict()
    write_manifest(folder, Manifest(kind="generator", name="sdv_gaussian_copula", params=params))


@pytest.mark.parametrize(("case", "words"), [
    ("missing_model", ("--model", "not a model folder")),
    ("no_manifest", ("manifest.json",)),
    ("changed_file", ("relational.json", "does not match its manifest")),
    ("out_not_empty", ("--out", "not empty")),
    ("out_is_a_file_name", ("--out", "folder")),
    ("zero_rows", ("--rows", "positive integer")),
    ("negative_scale", ("--scale", "number > 0")),
    ("rows_and_scale", ("--scale", "--rows")),
    ("forged_pickle", ("pickle", "not loaded")),
])
def test_bad_sample_input_is_one_line_exit_2_nothing_written(
        saved: tuple[Path, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str], case: str,
        words: tuple[str, ...]) -> None:
    model, _ = saved
    out = tmp_path / "out"
    extra: list[str] = []
    marker = tmp_path / "PWNED"
    if case == "missing_model":
        model = tmp_path / "nowhere"
    elif case == "no_manifest":
        model = tmp_path / "empty_model"
        model.mkdir()
    elif case == "changed_file":
        copy = tmp_path / "model"
        copy.mkdir()
        for path in model.iterdir():
            (copy / path.name).write_bytes(path.read_bytes())
        state = json.loads((copy / "relational.json").read_text())
        state["real_rows"] = {t: n * 100 for t, n in state["real_rows"].items()}
        (copy / "relational.json").write_text(json.dumps(state))
        model = copy
    elif case == "out_not_empty":
        out.mkdir()
        (out / "keep.txt").write_text("mine")
    elif case == "out_is_a_file_name":
        out = tmp_path / "out.parquet"
    elif case == "zero_rows":
        extra = ["--rows", "0"]
    elif case == "negative_scale":
        extra = ["--scale", "-1"]
    elif case == "rows_and_scale":
        extra = ["--rows", "5", "--scale", "2"]
    elif case == "forged_pickle":
        model = tmp_path / "forged"
        _forged_pickle_model(model, marker)
        out = tmp_path / "out.csv"
    before = sorted(p.name for p in tmp_path.iterdir())
    code = _run(["sample", "--model", str(model), "--out", str(out), *extra])
    err = capsys.readouterr().err.strip()
    assert code == 2, err
    assert len(err.splitlines()) == 1 and err.startswith("synthguard: error:"), err
    for word in words:
        assert word in err, (word, err)
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing written, no temp left
    if case == "out_not_empty":
        assert [p.name for p in out.iterdir()] == ["keep.txt"]
        assert "--force" not in err  # `sample` has no such flag
    assert not marker.exists()


def test_sample_from_a_saved_single_table_model(tmp_path: Path, adult_small: pd.DataFrame) -> None:
    from synthguard.generators.registry import FAST_TABULAR_GENERATOR

    adult_small.head(400).to_csv(tmp_path / "real.csv", index=False)
    assert main(["generate", "--data", str(tmp_path / "real.csv"), "--generator",
                 FAST_TABULAR_GENERATOR, "--out", str(tmp_path / "syn.csv"), "--save-model",
                 str(tmp_path / "model")]) == 0
    assert main(["sample", "--model", str(tmp_path / "model"), "--out", str(tmp_path / "a.parquet"),
                 "--rows", "37", "--seed", "2"]) == 0
    a = pd.read_parquet(tmp_path / "a.parquet")
    assert len(a) == 37 and list(a.columns) == list(pd.read_csv(tmp_path / "syn.csv").columns)
    assert main(["sample", "--model", str(tmp_path / "model"), "--out", str(tmp_path / "b.csv"),
                 "--scale", "0.5"]) == 0
    assert len(pd.read_csv(tmp_path / "b.csv")) == 200
    assert _run(["sample", "--model", str(tmp_path / "model"), "--out", str(tmp_path / "c")]) == 2
    assert not (tmp_path / "c").exists()
