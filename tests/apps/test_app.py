"""AppTest for every page of the workbench on a 2,000-row sample of Adult (real library calls,
no mocks): the default flow runs without exceptions and shows the expected widgets and numbers."""

from __future__ import annotations

import re
import time
from collections.abc import Callable

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest


def wait_for(at: AppTest, done: Callable[[AppTest], bool], *, timeout: float = 150.0) -> AppTest:
    """Rerun until ``done(at)`` (background jobs are polled by a fragment in a browser; here
    each rerun is one poll)."""
    deadline = time.monotonic() + timeout
    while True:
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        assert not at.error, [e.value for e in at.error]
        if done(at):
            return at
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the background job")
        time.sleep(0.5)


def button(at: AppTest, label: str):  # type: ignore[no-untyped-def]
    matches = [b for b in at.button if b.label == label]
    assert matches, f"no button {label!r}; buttons: {[b.label for b in at.button]}"
    return matches[0]


def texts(at: AppTest) -> str:
    """All markdown, captions and alerts of the page as one string."""
    parts = [e.value for e in (*at.markdown, *at.caption, *at.success, *at.info, *at.warning)]
    return "\n".join(str(p) for p in parts)


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_data_page_shows_split_schema_and_preview(app: AppTest) -> None:
    values = metrics(app)
    assert values["Rows used"] == "2,000"
    assert values["Train rows"] == "1,400" and values["Holdout rows"] == "600"
    assert re.fullmatch(r"[0-9a-f]{8}", values["Dataset fingerprint"])
    assert app.selectbox(key="w.data.target").value == "class"
    assert app.multiselect(key="w.data.sensitive").value == ["sex", "race"]
    schema = app.dataframe[0].value
    assert len(schema) == 15 and {"kind", "distinct", "missing"} <= set(schema.columns)
    assert schema.loc["age", "kind"] == "numeric" and schema.loc["sex", "kind"] == "categorical"
    assert [b.label for b in app.button] == ["Scan columns for PII"]
    # The split follows the settings.
    app.slider(key="w.data.holdout").set_value(0.5).run()
    assert metrics(app)["Train rows"] == "1,000"


def test_data_page_reads_an_uploaded_csv(app: AppTest) -> None:
    frame = pd.DataFrame({"age": list(range(20, 80)) * 2, "city": ["Oslo", "Rome", "Lima"] * 40,
                          "label": ["yes", "no"] * 60})
    app.session_state["sg.upload"] = ("people.csv", frame.to_csv(index=False).encode())
    app.radio(key="w.data.mode").set_value("Upload CSV/Parquet").run()
    assert not app.exception
    values = metrics(app)
    assert values["Table"] == "people.csv" and values["Rows used"] == "120"
    assert app.selectbox(key="w.data.target").value == "label"


def test_generate_compare_runs_flow(app: AppTest) -> None:
    app.switch_page("views/generate.py").run()
    assert app.selectbox(key="w.gen.name").value == "sequential_trees"
    assert app.number_input(key="w.gen.rows").value == 1400
    button(app, "Generate").click().run()
    wait_for(app, lambda at: len(at.success) > 0)
    assert "Artifact **sequential_trees-s0** is ready: 1,400 rows" in app.success[0].value
    artifacts = app.dataframe[0].value
    assert list(artifacts["artifact"]) == ["sequential_trees-s0"] and artifacts["rows"][0] == 1400

    app.switch_page("views/compare.py").run()
    app.multiselect(key="w.cmp.attacks").set_value(["dcr", "exact_match"])
    button(app, "Run comparison").click().run()
    wait_for(app, lambda at: "evaluations finished" not in texts(at) and len(at.dataframe) > 0
             and len(at.get("image")) >= 4)  # leaderboard, trade-off plot, then figures on request
    headline, details = app.dataframe[0].value, app.dataframe[1].value
    board = pd.concat([headline, details], axis=1)
    assert list(board.index) == ["real train (baseline)", "sequential_trees-s0"]  # sorted by quality
    # the headline grid: rows, ε and every verdict and fairness column
    assert {"rows", "checks", "leakage verdict", "DCR share closer to train", "max membership AUC",
            "EO gap (synthetic − real)", "small groups"} <= set(headline.columns)
    synth, real = board.loc["sequential_trees-s0"], board.loc["real train (baseline)"]
    assert real["quality"] == pytest.approx(1.0) and 0.7 < synth["quality"] < 1.0
    assert 0.6 < synth["TSTR AUC"] <= 1.0 and synth["TRTR AUC"] == pytest.approx(real["TRTR AUC"])
    assert real["exact copies of train"] > 0 and synth["exact copies of train"] == 0
    assert synth["rows"] == 1400 and synth["checks"].startswith(("✓", "✗"))
    assert synth["detection AUC 95% CI"].startswith("[") and synth["DCR share 95% CI"].startswith("[")
    assert synth["EO difference 95% CI"].startswith("[")
    assert synth["quality"] == round(synth["quality"], 3)  # rounded for reading
    levels = ["low", "medium", "high"]
    assert real["leakage verdict"] == "high"  # the real rows themselves: the worst case
    assert levels.index(synth["leakage verdict"]) <= levels.index("high")
    assert 0.5 <= synth["max membership AUC"] < real["max membership AUC"]
    assert {"DCR share closer to train", "max membership AUC", "EO gap (synthetic − real)",
            "small groups"} <= set(board.columns)
    # Sortable by any column.
    app.selectbox(key="w.cmp.sort").set_value("DCR share closer to train").run()
    app.toggle(key="w.cmp.ascending").set_value(True).run()
    assert list(app.dataframe[0].value.index) == ["sequential_trees-s0", "real train (baseline)"]
    # Tabs: per-column fidelity, TRTR vs TSTR, membership and risk tables, fairness.
    frames = [d.value for d in app.dataframe]
    utility = next(f for f in frames if "TRTR (real-trained)" in f.index)
    assert {"accuracy", "ROC-AUC", "F1"} <= set(utility.columns)
    membership = next(f for f in frames if "attack" in f.columns and "AUC" in f.columns)
    assert set(membership["attack"]) == {"dcr", "exact match"}
    fairness = next(f for f in frames if "real-trained (TRTR)" in f.index)
    assert "synthetic-trained: sequential_trees-s0" in fairness.index
    assert {"DP 95% CI", "EO 95% CI", "small groups left out"} <= set(fairness.columns)
    assert "Marginals, real vs synthetic" in " ".join(str(i.proto) for i in app.get("image"))
    assert "All 15 plottable columns are shown" in texts(app)
    assert "Download JSON report" in [d.proto.label for d in app.get("download_button")]
    # The HTML report carries the library's provenance of the generate run, and the context.
    app.selectbox(key="w.cmp.html").set_value("sequential_trees-s0").run()
    button(app, "Prepare HTML report").click().run()
    wait_for(app, lambda at: "Download HTML report" in [d.proto.label for d in at.get("download_button")])
    from synthguard.apps import _jobs

    labels = {k: (j.label, j.status) for k, j in _jobs.runner()._jobs.items()}
    html = next((j.result for j in _jobs.runner()._jobs.values()
                 if j.label == "HTML report sequential_trees-s0" and j.status == _jobs.DONE), None)
    assert html is not None, labels
    artifact = app.session_state["sg.artifacts"]["sequential_trees-s0"]
    assert "Provenance" in html and artifact.run_id in html and artifact.sha256 in html
    assert "Evaluation context" in html and "sequential_trees" in html

    # Revisiting the page recomputes nothing: the results are shown at once.
    app.switch_page("views/runs.py").run()
    runs = app.dataframe[0].value
    assert {"app.generate", "app.evaluate"} <= set(runs["command"])
    assert (runs["status"] == "ok").all()
    app.switch_page("views/compare.py").run()
    assert not app.get("progress") and len(app.dataframe) > 0


def test_generate_page_dp_generator_shows_budget(app: AppTest) -> None:
    app.switch_page("views/runs.py").run()
    app.number_input[1].set_value(2.0)
    app.button[0].click().run()  # the "Set budget" form
    assert not app.exception
    app.switch_page("views/generate.py").run()
    app.selectbox(key="w.gen.name").set_value("mst").run()
    values = metrics(app)
    assert values["Budget ε / δ"].startswith("2 /") and values["ε left"] == "2.000"
    app.number_input(key="w.gen.mst.epsilon").set_value(3.0).run()
    assert "only ε≈2 is left" in app.error[0].value and button(app, "Generate").disabled


def test_redact_page_highlights_and_replaces(app: AppTest) -> None:
    at = app
    at.switch_page("views/redact.py").run()
    button(at, "Redact").click().run()
    assert not at.exception and not at.error
    marked = next(m.value for m in at.markdown if "<mark" in m.value)
    assert "EMAIL_ADDRESS" in marked and "PERSON" in marked
    redacted = at.code[0].value
    assert "maria.gonzalez@example.org" not in redacted and "<EMAIL_ADDRESS>" in redacted
    counts = at.dataframe[0].value
    assert counts.set_index("entity type").loc["EMAIL_ADDRESS", "replaced"] == 1
    # Another operator for emails only.
    at.selectbox(key="w.red.op.EMAIL_ADDRESS").set_value("mask")
    button(at, "Redact").click().run()
    assert "<EMAIL_ADDRESS>" not in at.code[0].value and "*" in at.code[0].value


def test_distill_page_small_run(app: AppTest) -> None:
    app.switch_page("views/distill.py").run()
    assert not app.exception
    app.number_input(key="w.dst.teacher_epochs").set_value(3)
    app.number_input(key="w.dst.transfer_rows").set_value(2000)
    app.number_input(key="w.dst.epochs").set_value(5)
    app.number_input(key="w.dst.finetune").set_value(1)
    button(app, "Distill").click().run()
    wait_for(app, lambda at: any(m.label == "Student ROC-AUC" for m in at.metric), timeout=240)
    values = metrics(app)
    assert 0.5 < float(values["Teacher ROC-AUC"]) <= 1.0
    assert 0.6 < float(values["Student ROC-AUC"]) <= 1.0
    models = app.dataframe[0].value
    teacher = str(models.index[0])
    assert teacher.startswith("teacher") and "student" in models.index and len(models) >= 4
    assert models["size (bytes)"].loc["student"] < models["size (bytes)"].loc[teacher]
    assert "Download report (JSON)" in [d.proto.label for d in app.get("download_button")]
