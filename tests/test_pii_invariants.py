"""Issue 15, invariants 1 and 5: no real PII/identifier value reaches a generator or a report.

Entry point x invariant matrix on one small table with ``name``, ``email``, ``ssn`` and a
``customer_id``: the CLI (``synthguard generate``), Python (``create_generator().fit``), the
app's generate task and distillation's transfer set. Real SDV/Presidio/Faker, no mocks. A
failing assertion reports counts, never the values.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import matplotlib.text
import numpy as np
import pandas as pd
import pytest

from synthguard.cli import main
from synthguard.data import infer_schema, load_table, table_fingerprint, write_table
from synthguard.errors import UnsafeInputError
from synthguard.generators import create_generator, load_generator, save_generator
from synthguard.generators._pii import PiiKeptWarning, PiiPolicy, protect_table
from synthguard.ledger import RunStore

PII = ("name", "email", "ssn", "customer_id")
N = 150


def _people(n: int = N, seed: int = 7) -> pd.DataFrame:
    from faker import Faker

    fake = Faker("en_US")
    fake.seed_instance(seed)
    rng = np.random.default_rng(seed)
    names = [fake.name() for _ in range(n - 10)]
    names += names[:10]  # repeated people: the same real value must get the same fake
    return pd.DataFrame({
        "name": names,
        "email": [fake.email() for _ in range(n)],
        "ssn": [fake.ssn() for _ in range(n)],
        "customer_id": [f"C-{i:05d}" for i in rng.permutation(n)],
        "age": rng.integers(18, 90, n),
        "plan": rng.choice(["basic", "plus", "pro"], n),
        "diagnosis": rng.choice(["Quixotitis", "Zebrafever", "Mumblepox"], n, p=[0.5, 0.3, 0.2]),
        "income": rng.lognormal(10, 0.5, n).round(2),
    })


@pytest.fixture(scope="module")
def people() -> pd.DataFrame:
    return _people()


def _real_values(frame: pd.DataFrame, columns: tuple[str, ...] = PII) -> set[str]:
    return {str(v) for c in columns for v in frame[c].dropna()}


def _hits_in_text(text: str, values: set[str]) -> int:
    """How many real values occur in ``text`` as whole tokens (count only)."""
    return sum(1 for v in values
               if re.search(r"(?<![\w@.])" + re.escape(v) + r"(?![\w@])", text))


def _hits_in_frame(frame: pd.DataFrame, values: set[str]) -> int:
    return int(sum(frame[c].astype(str).isin(values).sum() for c in frame.columns))


# ----------------------------------------------------------- surrogates themselves


def test_surrogates_are_consistent_distinct_and_never_real(people: pd.DataFrame) -> None:
    out, _, report = protect_table(people, schema=None, policy=PiiPolicy(), seed=0)
    actions = {a.column: a for a in report.actions}
    assert {c: actions[c].action for c in PII} == dict.fromkeys(PII, "fake")
    assert actions["email"].entity == "EMAIL_ADDRESS" and actions["ssn"].entity == "US_SSN"
    assert actions["name"].entity == "PERSON"
    real = _real_values(people)
    assert _hits_in_frame(out[list(PII)], {v.casefold() for v in real} | real) == 0
    for column in PII:  # one fake per real value, distinct reals -> distinct fakes
        pairs = pd.DataFrame({"real": people[column], "fake": out[column]}).drop_duplicates()
        assert pairs["real"].is_unique and pairs["fake"].is_unique
    assert out["ssn"].str.fullmatch(r"\d{3}-\d{2}-\d{4}").all()  # format kept
    assert out["email"].str.contains("@").all()
    for column in ("age", "plan", "diagnosis", "income"):  # other columns untouched
        pd.testing.assert_series_equal(out[column], people[column])
    # the same table and seed give the same mapping; the key is not the seed alone
    again, _, _ = protect_table(people, schema=None, policy=PiiPolicy(), seed=0)
    pd.testing.assert_frame_equal(out, again)
    keyed, _, _ = protect_table(people, schema=None, policy=PiiPolicy(key=b"k"), seed=0)
    assert (keyed["name"] != out["name"]).mean() > 0.9


def test_numeric_ids_get_fresh_ids_and_dp_defaults_to_drop() -> None:
    frame = _people().assign(patient_id=np.arange(N))
    schema = infer_schema(frame, overrides={"columns": {"patient_id": {"kind": "id"}}})
    out, _, report = protect_table(frame, schema=schema, policy=PiiPolicy(), seed=0)
    assert out["patient_id"].is_unique and pd.api.types.is_integer_dtype(out["patient_id"])
    assert not out["patient_id"].isin(frame["patient_id"]).any()
    assert report.to_dict()["columns"]["patient_id"] == {
        "kind": "id", "entity": "IDENTIFIER", "source": "schema", "action": "fake", "distinct": N}
    dropped, _, dp_report = protect_table(frame, schema=schema, policy=PiiPolicy(), dp=True)
    assert not set(PII) & set(dropped.columns)
    assert set(dp_report.dropped) >= set(PII)


# ------------------------------------------------------------------ entry points


@pytest.mark.parametrize("name", ["gaussian_copula", "copy_leaky", "sdv_gaussian_copula"])
def test_python_fit_never_gives_real_pii_to_a_generator(name: str, people: pd.DataFrame,
                                                        tmp_path: Path) -> None:
    """Fails on the main of issue 15: 100 % of sampled names/emails were real values."""
    generator = create_generator(name).fit(people, seed=0)
    out = generator.sample(300, seed=1)
    real = _real_values(people)
    in_cells, in_text = _hits_in_frame(out, real), _hits_in_text(out.to_csv(index=False), real)
    assert in_cells == 0 and in_text == 0
    described = generator.describe()["pii"]
    assert {c: described["columns"][c]["action"] for c in PII} == dict.fromkeys(PII, "fake")
    assert described["kept_real_values"] == []
    assert generator.fit_info.data_sha256 == table_fingerprint(people)  # the real table's
    if not generator.caps.pickled:
        save_generator(generator, tmp_path / "model")
        manifest = json.loads((tmp_path / "model" / "manifest.json").read_text())
        assert manifest["extra"]["pii"]["columns"]["email"]["action"] == "fake"
        assert load_generator(tmp_path / "model").describe()["pii"] == described


def test_python_keep_and_drop_are_explicit(people: pd.DataFrame) -> None:
    with pytest.warns(PiiKeptWarning, match="name"):
        kept = create_generator("copy_leaky", pii={"name": "keep"}).fit(people, seed=0)
    assert kept.pii_report is not None and kept.pii_report.kept == ["name"]
    assert _hits_in_frame(kept.sample(300, seed=1)[["name"]], _real_values(people, ("name",))) > 0
    dropped = create_generator("gaussian_copula", pii="drop").fit(people, seed=0)
    out = dropped.sample(50, seed=0)
    assert not set(PII) & set(out.columns)
    assert dropped.describe()["pii"]["columns"]["ssn"]["action"] == "drop"


def test_detects_pii_by_values_when_name_and_schema_say_nothing() -> None:
    frame = _people()[["email", "age", "plan"]].rename(columns={"email": "contact"})
    schema = infer_schema(frame, overrides={"columns": {"contact": {"kind": "categorical"}}})
    out = create_generator("copy_leaky").fit(frame, schema=schema, seed=0).sample(200, seed=0)
    assert _hits_in_frame(out, _real_values(frame, ("contact",))) == 0


def test_cli_generate_scans_clean_and_states_the_policy(people: pd.DataFrame, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    data = write_table(people, tmp_path / "people.csv")
    out, model = tmp_path / "syn.csv", tmp_path / "model"
    assert main(["generate", "--data", str(data), "--generator", "copy_leaky", "--rows", "400",
                 "--out", str(out), "--save-model", str(model)]) == 0
    assert _hits_in_text(out.read_text(encoding="utf-8"), _real_values(people)) == 0
    assert "email: fake" in capsys.readouterr().err
    manifest = json.loads((model / "manifest.json").read_text())
    assert manifest["extra"]["pii"]["columns"]["ssn"]["action"] == "fake"
    record = RunStore().list(limit=1, command="generate")[0]
    assert record["params"]["pii"]["columns"]["name"]["action"] == "fake"


def test_cli_pii_keep_warns_and_per_column_drop(people: pd.DataFrame, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    data = write_table(people, tmp_path / "people.parquet")
    out = tmp_path / "kept.csv"
    with pytest.warns(PiiKeptWarning):
        assert main(["generate", "--data", str(data), "--generator", "copy_leaky", "--rows", "200",
                     "--out", str(out), "--pii", "keep"]) == 0
    err = capsys.readouterr().err
    assert "warning" in err and "--pii keep" in err
    assert main(["generate", "--data", str(data), "--rows", "100", "--out", str(tmp_path / "d.csv"),
                 "--pii-column", "ssn=drop"]) == 0
    written = pd.read_csv(tmp_path / "d.csv")
    assert "ssn" not in written.columns and "email" in written.columns
    assert main(["generate", "--data", str(data), "--rows", "10", "--out", str(tmp_path / "x.csv"),
                 "--pii-column", "nope=drop"]) == 2
    assert "nope" in capsys.readouterr().err and not (tmp_path / "x.csv").exists()


def test_app_generate_task_goes_through_the_guard(people: pd.DataFrame) -> None:
    from synthguard.apps import _tasks

    out = _tasks.generate(progress=lambda *a: None, train=people, train_sha=table_fingerprint(people),
                          schema=infer_schema(people), generator="copy_leaky", params={}, seed=0,
                          rows=300)
    assert _hits_in_text(out["frame"].to_csv(index=False), _real_values(people)) == 0
    assert out["pii"]["columns"]["email"]["action"] == "fake"
    record = RunStore().get(out["run_id"])
    assert record is not None and record["params"]["pii"]["columns"]["ssn"]["action"] == "fake"


def test_distill_transfer_set_goes_through_the_guard(people: pd.DataFrame) -> None:
    from synthguard.compression.transfer import sample_synthetic

    synthetic, _, model = sample_synthetic("copy_leaky", people, rows=300, seed=0)
    assert _hits_in_text(synthetic.to_csv(index=False), _real_values(people)) == 0
    assert model.describe()["pii"]["columns"]["name"]["action"] == "fake"


# ------------------------------------------------------- inputs that cannot be modelled


def test_one_row_and_tiny_tables_are_refused(people: pd.DataFrame, tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    """Fails on the main of issue 15: a one-row table gave N copies of the record, rc 0."""
    with pytest.raises(UnsafeInputError, match="1 row"):
        create_generator("gaussian_copula").fit(people.iloc[:1], seed=0)
    with pytest.raises(UnsafeInputError, match="9 row"):
        create_generator("copy_leaky").fit(people.iloc[:9], seed=0)
    one = write_table(people.iloc[:1], tmp_path / "one.csv")
    out = tmp_path / "one_out.csv"
    assert main(["generate", "--data", str(one), "--rows", "20", "--out", str(out),
                 "--split-dir", str(tmp_path / "split")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("synthguard: error:") and "1 row" in err[0]
    assert not out.exists() and not (tmp_path / "split").exists()
    assert create_generator("gaussian_copula").with_pii(PiiPolicy(min_rows=1)) \
        .fit(people.iloc[:3], seed=0).sample(5, seed=0).shape[0] == 5  # lowered knowingly


def test_semicolon_csv_loads_as_columns_and_misread_tables_are_refused(
        people: pd.DataFrame, tmp_path: Path) -> None:
    """Fails on the main of issue 15: a ;-file loaded as one column, copied verbatim."""
    path = tmp_path / "semi.csv"
    people.to_csv(path, sep=";", index=False, decimal=",")
    loaded = load_table(path)
    assert list(loaded.columns) == list(people.columns)
    assert np.allclose(loaded["income"], people["income"])
    out = tmp_path / "semi_out.csv"
    assert main(["generate", "--data", str(path), "--generator", "copy_leaky", "--rows", "200",
                 "--out", str(out)]) == 0
    assert _hits_in_text(out.read_text(encoding="utf-8"), _real_values(people)) == 0
    tabbed = tmp_path / "tab.csv"
    people.to_csv(tabbed, sep="\t", index=False)
    assert list(load_table(tabbed).columns) == list(people.columns)
    misread = pd.read_csv(path, sep=",")  # what a wrong delimiter gives
    with pytest.raises(UnsafeInputError, match="delimiter"):
        create_generator("gaussian_copula").fit(misread, seed=0)


# ---------------------------------------------------------------- evaluation


def _evaluate(real: pd.DataFrame, synthetic: pd.DataFrame, **kwargs: Any) -> dict[str, Any]:
    from synthguard.evaluation import evaluate

    return evaluate(real, synthetic, real.sample(frac=1.0, random_state=1), seed=0, **kwargs)


def test_exact_copies_count_every_column_and_real_pii_is_flagged(people: pd.DataFrame) -> None:
    """Fails on the main of issue 15: verbatim real names gave '0 exact copies' and no flag."""
    copies = _evaluate(people, people.iloc[:60].reset_index(drop=True))
    assert copies["privacy"]["exact_copies_of_train"] == 60  # PII columns included
    shuffled = people.copy()
    for column in ("name", "email"):  # real values, new rows: not a row copy, still a leak
        shuffled[column] = people[column].sample(frac=1.0, random_state=3).to_numpy()
    shuffled["ssn"] = [f"900-00-{i:04d}" for i in range(N)]
    shuffled["customer_id"] = [f"Z-{i:05d}" for i in range(N)]
    pii = _evaluate(people, shuffled)["privacy"]["pii"]
    assert pii["flag"] and pii["rows_with_real_value"] == N
    assert pii["columns"]["name"]["synthetic_cells_with_real_value"] == N
    assert pii["columns"]["ssn"]["synthetic_cells_with_real_value"] == 0
    assert _hits_in_text(json.dumps(pii), _real_values(people)) == 0  # counts, not values
    clean = create_generator("gaussian_copula").fit(people, seed=0).sample(N, seed=0)
    assert not _evaluate(people, clean)["privacy"]["pii"]["flag"]
    dropped = create_generator("gaussian_copula", pii="drop").fit(people, seed=0).sample(N, seed=0)
    pii_dropped = _evaluate(people, dropped)["privacy"]["pii"]  # dropped columns: no error
    assert pii_dropped["columns"]["ssn"]["in_synthetic"] is False and not pii_dropped["flag"]


def _figure_texts(figures: dict[str, Any]) -> str:
    return "\n".join(t.get_text() for fig, _ in figures.values()
                     for t in fig.findobj(matplotlib.text.Text))


def test_report_shows_no_value_of_secret_or_pii_columns(people: pd.DataFrame, tmp_path: Path) -> None:
    """Fails on the main of issue 15: the secret column's top values were axis labels."""
    from synthguard.evaluation import write_report
    from synthguard.evaluation.report import report_figures

    synthetic = create_generator("gaussian_copula").fit(people, seed=0).sample(N, seed=1)
    result = _evaluate(people, synthetic, secret="diagnosis")
    secret_values = set(people["diagnosis"])
    real = _real_values(people) | secret_values
    figures, omitted = report_figures(result, people, synthetic, schema=infer_schema(people))
    texts = _figure_texts(figures)
    assert "diagnosis (values hidden)" in texts and "plan" in texts  # plotted, without values
    assert _hits_in_text(texts, real) == 0
    assert set(PII) <= set(omitted)
    html = write_report(result, tmp_path / "r.html", real=people, synthetic=synthetic,
                        schema=infer_schema(people)).read_text(encoding="utf-8")
    assert _hits_in_text(html, real) == 0
    report_json = write_report(result, tmp_path / "r.json", real=people,
                               synthetic=synthetic).read_text(encoding="utf-8")
    assert _hits_in_text(report_json, real) == 0
    for fig, _ in figures.values():
        plt.close(fig)
