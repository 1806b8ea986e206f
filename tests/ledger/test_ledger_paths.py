"""Issue 15, invariant 2: every DP fit on every path charges the ledger of the source dataset.

Entry points: plain Python ``fit``, the CLI (``generate``, ``distill``, ``budget``), the app's
task functions. Dataset identity: shuffled / extra column / dropped row / CSV vs Parquet /
dtype-changed copies share one budget. Budgets cannot go below what is spent; stale
reservations of dead processes and interrupted fits are settled as spent. Real MST/AIM fits
(mbi) on a small table; refusals cost no fit.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from synthguard.cli import main
from synthguard.errors import BudgetExceededError, ParameterError
from synthguard.generators import create_generator
from synthguard.ledger import RunStore
from synthguard.ledger.accounting import cdp_rho
from synthguard.ledger.budget import BudgetLedger, DPLedger, run_dp_fit

BOUNDS = {"age": [18, 80]}
SRC = str(Path(__file__).resolve().parents[2] / "src")


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    rng = np.random.default_rng(11)
    n = 400
    age = rng.integers(18, 81, n)
    return pd.DataFrame({
        "age": age, "income": rng.normal(40, 12, n).round(1),
        "colour": rng.choice(["red", "green", "blue"], n),
        "town": rng.choice([f"t{i}" for i in range(12)], n),
        "class": np.where(age + rng.normal(0, 10, n) > 50, "hi", "lo"),
    })


def _mst(epsilon: float = 1.0) -> Any:
    return create_generator("mst", epsilon=epsilon, delta=1e-6,
                            bounds={**BOUNDS, "income": [0, 100]}, iters=50)


# -- Python fit --------------------------------------------------------------------------


def test_python_fit_charges_the_default_store_and_refuses_an_overrun(
        table: pd.DataFrame, tmp_path: Path) -> None:
    gen = create_generator("aim", epsilon=1.0, delta=1e-6,
                           bounds={**BOUNDS, "income": [0, 100]}).fit(table, seed=0)
    ledger = BudgetLedger()  # $SYNTHGUARD_STORE: the per-test store of conftest
    key = ledger.key_for(table, register=False)
    (spend,) = ledger.spends(key)
    assert (spend.status, spend.generator, spend.epsilon) == ("spent", "aim", 1.0)
    assert spend.rho == pytest.approx(gen.privacy_spent().rho)

    ledger.set_budget(key, epsilon=1.2, delta=1e-6)  # 1.0 spent: room for ε≈0.1 more (zCDP)
    again = create_generator("aim", epsilon=1.0, delta=1e-6, bounds={**BOUNDS, "income": [0, 100]})
    with pytest.raises(BudgetExceededError, match="Nothing was spent"):
        again.fit(table.sample(frac=1, random_state=3), seed=1)  # shuffled: same budget
    assert again.privacy_spent() is None  # refused before the data was read
    assert len(ledger.spends(key)) == 1

    # an explicit store is the one charged (and consulted)
    other = RunStore(tmp_path / "other.sqlite")
    BudgetLedger(other).set_budget(BudgetLedger(other).key_for(table), epsilon=0.5, delta=1e-6)
    with pytest.raises(BudgetExceededError):
        again.fit(table, ledger=DPLedger(store=other))
    assert len(ledger.spends(key)) == 1 and BudgetLedger(other).spends(key) == []


def test_run_dp_fit_charges_once_and_the_loaded_dataset_of_a_split(
        table: pd.DataFrame, tmp_path: Path) -> None:
    """CLI/app path: no double charge although the generator charges in its own fit; a
    split charges its loaded dataset, so a re-split finds the same budget."""
    store = RunStore(tmp_path / "s.sqlite")
    ledger = BudgetLedger(store)
    key = ledger.key_for(table)
    ledger.set_budget(key, epsilon=1.3, delta=1e-6)
    train = table.sample(frac=0.7, random_state=0)
    run_dp_fit(_mst(1.0), train, store=store, seed=0, run_id="r1", source=table)
    (spend,) = ledger.spends(key)
    assert spend.run_id == "r1" and spend.status == "spent"
    other_split = table.sample(frac=0.7, random_state=1)
    with pytest.raises(BudgetExceededError):
        run_dp_fit(_mst(1.0), other_split, store=store, seed=0, source=table)
    with pytest.raises(BudgetExceededError):  # without naming the source: near-copy rule
        run_dp_fit(_mst(1.0), other_split, store=store, seed=0)
    assert len(ledger.spends(key)) == 1


# -- dataset identity ----------------------------------------------------------------------


def _variants(table: pd.DataFrame, tmp_path: Path) -> dict[str, Path]:
    out = {}
    shuffled = table.sample(frac=1, random_state=5)[list(reversed(table.columns))]
    out["shuffled"] = tmp_path / "shuffled.csv"
    shuffled.to_csv(out["shuffled"], index=False)
    out["extra column"] = tmp_path / "dummy.parquet"
    table.assign(dummy=np.arange(len(table))).to_parquet(out["extra column"])
    out["one row dropped"] = tmp_path / "dropped.csv"
    table.iloc[1:].to_csv(out["one row dropped"], index=False)
    out["parquet"] = tmp_path / "same.parquet"
    table.to_parquet(out["parquet"])
    out["dtypes changed"] = tmp_path / "dtypes.parquet"
    table.astype({"age": float, "colour": "category", "town": "category",
                  "income": str}).to_parquet(out["dtypes changed"])
    return out


def test_near_copies_share_the_budget(table: pd.DataFrame, tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    original = tmp_path / "t.csv"
    table.to_csv(original, index=False)
    assert main(["budget", "set", str(original), "--epsilon", "2", "--delta", "1e-6"]) == 0
    capsys.readouterr()
    assert main(["budget", "show", str(original), "--json"]) == 0
    key = json.loads(capsys.readouterr().out)["dataset_sha256"]
    for name, path in _variants(table, tmp_path).items():
        assert main(["budget", "show", str(path), "--json"]) == 0, name
        shown = json.loads(capsys.readouterr().out)
        assert shown["dataset_sha256"] == key, name
        assert shown["budget"]["epsilon"] == 2.0, name
    # a table of other people with the same columns is a dataset of its own
    rng = np.random.default_rng(0)
    other = pd.DataFrame({c: rng.permutation(table[c].to_numpy()) for c in table.columns})
    other["income"] = rng.normal(40, 12, len(other)).round(1)
    other.to_csv(tmp_path / "other.csv", index=False)
    assert main(["budget", "show", str(tmp_path / "other.csv"), "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["dataset_sha256"] != key and shown["budget"] is None


def test_generate_on_a_near_copy_spends_the_original_budget(
        table: pd.DataFrame, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    original = tmp_path / "t.csv"
    table.to_csv(original, index=False)
    copy = tmp_path / "copy.parquet"  # shuffled, a dummy column, one row dropped, Parquet
    table.iloc[1:].sample(frac=1, random_state=2).assign(dummy=1).to_parquet(copy)
    bounds = tmp_path / "b.json"
    bounds.write_text(json.dumps({**BOUNDS, "income": [0, 100], "dummy": [0, 2]}))
    assert main(["budget", "set", str(original), "--epsilon", "1.2", "--delta", "1e-6"]) == 0
    common = ["generate", "--generator", "mst", "--rows", "20", "--bounds", str(bounds),
              "--epsilon", "1", "--delta", "1e-6", "--param", "iters=50"]
    assert main([*common, "--data", str(copy), "--out", str(tmp_path / "a.csv")]) == 0
    bounds.write_text(json.dumps({**BOUNDS, "income": [0, 100]}))  # the original has no dummy
    assert main([*common, "--data", str(original), "--out", str(tmp_path / "b.csv")]) == 2
    assert "would be exceeded" in capsys.readouterr().err
    assert main(["budget", "show", str(original), "--json"]) == 0
    (spend,) = json.loads(capsys.readouterr().out)["spends"]
    assert spend["generator"] == "mst" and spend["detail"]["matched"][0]["rule"] == "near copy"


# -- budgets, stale reservations, interrupts -------------------------------------------------


def test_budget_cannot_be_set_below_what_is_spent(table: pd.DataFrame, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "t.csv"
    table.to_csv(data, index=False)
    ledger = BudgetLedger()
    key = ledger.key_for(table)
    reserved = ledger.check_and_reserve(key, epsilon=1.0, delta=1e-6, rho=None, generator="x",
                                        mechanism="DP-SGD", accountant="RDP")
    assert main(["budget", "set", str(data), "--epsilon", "0.5", "--delta", "1e-6"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("synthguard: error:") and "below what is spent" in err
    assert ledger.get_budget(key) is None  # nothing changed
    with pytest.raises(ParameterError, match="epsilon=1 or more"):
        ledger.set_budget(key, epsilon=0.99, delta=1e-6)
    assert ledger.set_budget(key, epsilon=1.0, delta=1e-6).epsilon == 1.0  # equal is fine
    ledger.release(reserved)


_RESERVE_AND_DIE = """
import os, sys
import pandas as pd
from synthguard.ledger import RunStore
from synthguard.ledger.budget import BudgetLedger
store = RunStore(sys.argv[1])
ledger = BudgetLedger(store)
key = ledger.key_for(pd.read_csv(sys.argv[2]))
ledger.check_and_reserve(key, epsilon=0.7, delta=1e-6, rho=None, generator="dpgan",
                         mechanism="DP-SGD", accountant="RDP")
with store.recording("generate"):
    os._exit(9)  # killed: no finally, no settle
"""


def test_stale_reservation_and_killed_run_are_settled(
        table: pd.DataFrame, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store_path = tmp_path / "s.sqlite"
    data = tmp_path / "t.csv"
    table.to_csv(data, index=False)
    proc = subprocess.run([sys.executable, "-c", _RESERVE_AND_DIE, str(store_path), str(data)],
                          env={"PYTHONPATH": SRC, "PATH": "/usr/bin:/bin"}, check=False,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 9, proc.stderr
    store = RunStore(store_path)
    (run,) = store.list()
    assert run["status"] == "interrupted" and "gone" in run["metrics"]["error"]
    ledger = BudgetLedger(store)
    (spend,) = ledger.spends(ledger.key_for(table, register=False))
    assert spend.status == "spent" and spend.label.startswith("spent (stale: process")
    assert ledger.status(spend.dataset_sha256).spent.epsilon == pytest.approx(0.7)
    assert main(["--store", str(store_path), "budget", "show", str(data)]) == 0
    assert "stale" in capsys.readouterr().out


@pytest.mark.parametrize("interrupt", [KeyboardInterrupt, SystemExit])
def test_interrupted_fit_leaves_an_interrupted_record_and_a_settled_spend(
        interrupt: type[BaseException], table: pd.DataFrame, tmp_path: Path) -> None:
    store = RunStore(tmp_path / "s.sqlite")

    def stop(stage: str, done: float, total: float | None) -> None:
        raise interrupt()

    with pytest.raises(interrupt), store.recording("generate") as record:
        run_dp_fit(_mst(0.5), table, store=store, run_id=record.run_id, progress=stop)
    assert store.get(record.run_id)["status"] == "interrupted"  # type: ignore[index]
    ledger = BudgetLedger(store)
    (spend,) = ledger.spends(ledger.key_for(table, register=False))
    assert spend.label == "spent (interrupted)" and spend.epsilon == 0.5
    assert ledger.status(spend.dataset_sha256).spent.rho == pytest.approx(cdp_rho(0.5, 1e-6))


# -- app task and distill -----------------------------------------------------------------------


def test_app_generate_task_charges_the_loaded_dataset_not_the_split(table: pd.DataFrame) -> None:
    from synthguard.apps import _tasks
    from synthguard.data import infer_schema, table_fingerprint, train_holdout_split

    ledger = BudgetLedger()
    key = ledger.key_for(table)
    ledger.set_budget(key, epsilon=1.2, delta=1e-6)
    params = {"epsilon": 1.0, "delta": 1e-6, "bounds": {**BOUNDS, "income": [0, 100]},
              "iters": 50}
    for seed in (0, 1):  # the second split is refused: the budget is the dataset's
        train = train_holdout_split(table, holdout_fraction=0.3, seed=seed).train
        task = dict(progress=lambda *a: None, train=train, train_sha=table_fingerprint(train),
                    schema=infer_schema(train), generator="mst", params=params, seed=seed,
                    rows=10, dataset=table)
        if seed == 0:
            assert _tasks.generate(**task)["privacy"]["epsilon"] == 1.0
        else:
            with pytest.raises(BudgetExceededError):
                _tasks.generate(**task)
    assert [s.generator for s in ledger.spends(key)] == ["mst"]


@pytest.mark.slow
def test_distill_with_a_dp_generator_charges_the_ledger(
        table: pd.DataFrame, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    real, holdout = tmp_path / "real.csv", tmp_path / "holdout.csv"
    table.iloc[:300].to_csv(real, index=False)
    table.iloc[300:].to_csv(holdout, index=False)
    args = ["distill", "--real", str(real), "--holdout", str(holdout), "--target", "class",
            "--generator", "aim", "--generator-param", "epsilon=1",
            "--generator-param", "delta=1e-6",
            "--generator-param", 'bounds={"age": [18, 80], "income": [0, 100]}',
            "--teacher-hidden", "16", "--teacher-epochs", "2", "--student-hidden", "4",
            "--epochs", "2", "--finetune-epochs", "1", "--transfer-rows", "300",
            "--latency-repeats", "2", "--fairness", "none", "--quantize", "none"]
    assert main(["budget", "set", str(real), "--epsilon", "0.5", "--delta", "1e-6"]) == 0
    assert main([*args, "--out", str(tmp_path / "refused")]) == 2  # over budget: no fit
    assert "would be exceeded" in capsys.readouterr().err
    assert not (tmp_path / "refused").exists() or not any((tmp_path / "refused").iterdir())
    assert main(["budget", "set", str(real), "--epsilon", "3", "--delta", "1e-6"]) == 0
    assert main([*args, "--out", str(tmp_path / "out")]) == 0
    capsys.readouterr()
    assert main(["budget", "show", str(real), "--json"]) == 0
    (spend,) = json.loads(capsys.readouterr().out)["spends"]
    assert (spend["generator"], spend["status"], spend["epsilon"]) == ("aim", "spent", 1.0)
    record = RunStore().get(spend["run_id"])
    assert record is not None and record["command"] == "distill"


def test_text_dp_lm_fit_charges_the_corpus_budget() -> None:
    docs = [f"ticket {i}: the printer on floor {i % 7} is {'slow' if i % 2 else 'broken'}"
            for i in range(60)]
    tiny = dict(max_chars=32, d_model=16, n_layers=1, n_heads=2, epochs=1, batch_size=16,
                redact=False)
    gen = create_generator("dp_lm", epsilon=2.0, **tiny).fit(docs, seed=0)
    ledger = BudgetLedger()
    key = ledger.key_for(pd.DataFrame({"text": docs}), register=False)
    (spend,) = ledger.spends(key)
    assert spend.generator == "dp_lm" and spend.epsilon == gen.privacy_spent().epsilon
    ledger.set_budget(key, epsilon=3.0, delta=0.01)
    with pytest.raises(BudgetExceededError):  # the same corpus in another order
        create_generator("dp_lm", epsilon=2.0, **tiny).fit(docs[::-1], seed=0)
    with pytest.raises(BudgetExceededError):  # one document dropped, another field added
        create_generator("dp_lm", epsilon=2.0, **tiny).fit(
            pd.DataFrame({"text": docs[1:], "label": "x"}), seed=0)


# -- a real `synthguard generate` killed mid DP fit ----------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("signal_name", ["SIGKILL", "SIGTERM"])
def test_cli_generate_killed_mid_dp_fit_is_interrupted_and_charged(
        signal_name: str, table: pd.DataFrame, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    """The user's path: `synthguard generate --generator dpgan` killed (SIGKILL: no clean-up at
    all; SIGTERM: the Ctrl-C path) while it trains. Afterwards the run reads 'interrupted', the
    reservation counts as spent (stale or interrupted, at its full ε), `budget show` says so,
    and no output is left."""
    import contextlib
    import os
    import signal
    import time

    (tmp_path / "store").mkdir()
    store_path, data, bounds = tmp_path / "store" / "s.sqlite", tmp_path / "t.csv", tmp_path / "b.json"
    table.to_csv(data, index=False)
    bounds.write_text(json.dumps({"age": [18, 80], "income": [0, 100]}), encoding="utf-8")
    out = tmp_path / "syn.csv"
    proc = subprocess.Popen(
        [sys.executable, "-m", "synthguard.cli", "--store", str(store_path), "generate",
         "--data", str(data), "--generator", "dpgan", "--epochs", "5000", "--epsilon", "0.8",
         "--delta", "1e-6", "--bounds", str(bounds), "--rows", "50", "--out", str(out)],
        env={**os.environ, "PYTHONPATH": SRC, "OMP_NUM_THREADS": "1"}, cwd=tmp_path,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 240
    reserved: list[Any] = []
    while not reserved:  # wait until the fit holds a reservation in the ledger
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "no reservation appeared"
        time.sleep(0.5)
        if store_path.exists():
            import sqlite3

            with contextlib.closing(sqlite3.connect(store_path)) as conn:
                try:
                    reserved = conn.execute(
                        "SELECT * FROM dp_spends WHERE status = 'reserved'").fetchall()
                except sqlite3.OperationalError:  # tables not created yet
                    reserved = []
    time.sleep(1.0)
    proc.send_signal(getattr(signal, signal_name))
    _, err = proc.communicate(timeout=120)
    if signal_name == "SIGTERM":
        assert proc.returncode == 143 and "Traceback" not in err
    else:
        assert proc.returncode == -signal.SIGKILL
    store = RunStore(store_path)
    (run,) = store.list()
    assert run["status"] == "interrupted" and run["command"] == "generate"
    ledger = BudgetLedger(store)
    (spend,) = ledger.spends(ledger.key_for(table, register=False))
    assert spend.status == "spent" and spend.epsilon == pytest.approx(0.8)
    assert spend.label.startswith("spent (stale" if signal_name == "SIGKILL" else "spent (interrupted")
    assert main(["--store", str(store_path), "budget", "show", str(data)]) == 0
    shown = "".join(capsys.readouterr())  # the per-run table is drawn on stderr
    assert ("stale" if signal_name == "SIGKILL" else "interrupted") in shown
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.json", "store", "t.csv"]
