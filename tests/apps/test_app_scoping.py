"""AppTest: every page belongs to the current dataset and split; forms are checked before a job
starts; PII handling chosen in the schema reaches the generator; a running job can be cancelled.
Real library calls on a 2,000-row Adult sample and a small uploaded CSV."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from streamlit.testing.v1 import AppTest

from synthguard.apps._state import ARTIFACTS, BOUNDS, SCHEMA_EDITS
from synthguard.ledger import RunStore


def button(at: AppTest, label: str) -> Any:
    matches = [b for b in at.button if b.label == label]
    assert matches, f"no button {label!r}; buttons: {[b.label for b in at.button]}"
    return matches[0]


def wait_for(at: AppTest, done: Callable[[AppTest], bool], *, timeout: float = 180.0,
             errors_ok: bool = False) -> AppTest:
    deadline = time.monotonic() + timeout
    while True:
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        if not errors_ok:
            assert not at.error, [e.value for e in at.error]
        if done(at):
            return at
        assert time.monotonic() < deadline, "timed out waiting for the background job"
        time.sleep(0.5)


def texts(at: AppTest) -> str:
    parts = [e.value for e in (*at.markdown, *at.caption, *at.success, *at.info, *at.warning,
                               *at.error)]
    return "\n".join(str(p) for p in parts)


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _upload(at: AppTest) -> None:
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"height": rng.integers(150, 200, 120), "city": rng.choice(["Oslo", "Rome", "Lima"], 120),
                          "label": rng.choice(["yes", "no"], 120)})
    at.session_state["sg.upload"] = ("people.csv", frame.to_csv(index=False).encode())
    at.switch_page("views/data.py").run()
    at.radio(key="w.data.mode").set_value("Upload CSV/Parquet").run()
    assert not at.exception and metrics(at)["Table"] == "people.csv"


def test_switching_datasets_rescopes_every_page(app: AppTest) -> None:
    # Adult: choices that must not survive a switch, and one artifact.
    app.multiselect(key="w.data.sensitive").set_value(["sex"]).run()
    app.switch_page("views/generate.py").run()
    app.number_input(key="w.gen.rows").set_value(700).run()
    button(app, "Generate").click().run()
    wait_for(app, lambda at: len(at.success) > 0)
    assert "700 rows" in app.success[0].value
    app.switch_page("views/distill.py").run()
    assert app.selectbox(key="w.dst.source").value == "artifact: sequential_trees-s0"
    assert app.number_input(key="w.dst.transfer_rows").value == 700  # capped at the artifact's rows

    # Upload: its own defaults; nothing of Adult on any page.
    _upload(app)
    assert metrics(app)["Rows used"] == "120"
    assert app.selectbox(key="w.data.target").value == "label"
    assert app.multiselect(key="w.data.sensitive").value == []
    app.switch_page("views/generate.py").run()
    assert not app.success and not app.error  # Adult's success message is gone
    assert app.number_input(key="w.gen.rows").value == 84  # this train split, not 700
    assert not any("Artifacts of" in s.value for s in app.subheader)
    assert "1 artifact(s) made from another dataset or split are hidden" in texts(app)
    app.switch_page("views/compare.py").run()
    assert "No artifact of people.csv" in texts(app) and not app.dataframe
    app.switch_page("views/distill.py").run()
    assert app.selectbox(key="w.dst.source").value.startswith("generator: ")
    assert app.number_input(key="w.dst.transfer_rows").value == 2000

    # Back to Adult: Adult's defaults again (not the upload's, not the earlier choices), its
    # artifact and its results only.
    app.switch_page("views/data.py").run()
    app.radio(key="w.data.mode").set_value("Built-in dataset").run()
    values = metrics(app)
    assert values["Table"] == "adult" and values["Rows used"] == "2,000"
    assert app.selectbox(key="w.data.target").value == "class"
    assert app.multiselect(key="w.data.sensitive").value == ["sex", "race"]
    app.switch_page("views/generate.py").run()
    assert app.number_input(key="w.gen.rows").value == 1400
    assert list(app.dataframe[0].value["artifact"]) == ["sequential_trees-s0"]
    app.switch_page("views/compare.py").run()
    assert "Press **Run comparison**" in texts(app)  # no stale results under the Adult header


def test_dp_form_is_checked_before_a_job_starts(app: AppTest) -> None:
    app.switch_page("views/generate.py").run()
    app.selectbox(key="w.gen.name").set_value("aim").run()
    # Built-in public bounds: the defaults are runnable as they are.
    assert not app.error and not button(app, "Generate").disabled
    bounds = app.dataframe[0].value
    assert bounds.loc["age"].tolist() == [17.0, 90.0] and len(bounds) == 6

    app.text_input(key="w.gen.aim.delta").set_value("abc").run()
    assert "δ must be a number" in app.error[0].value and button(app, "Generate").disabled
    app.text_input(key="w.gen.aim.delta").set_value("0.01").run()
    assert "not below 1/n" in app.error[0].value and button(app, "Generate").disabled
    app.text_input(key="w.gen.aim.delta").set_value("1e-7").run()
    app.number_input(key="w.gen.aim.epsilon").set_value(0.0).run()
    assert "ε must be a number greater than 0" in app.error[0].value
    app.number_input(key="w.gen.aim.epsilon").set_value(1.0).run()
    assert not app.error

    # A missing bound: named, no CLI flag; estimating it is the alternative.
    app.session_state[BOUNDS]["adult"]["capital_gain"] = None
    app.run()
    message = app.error[0].value
    assert "capital_gain" in message and "--" not in message and button(app, "Generate").disabled
    app.checkbox(key="w.gen.aim.estimate_bounds").check().run()
    assert not app.error and not button(app, "Generate").disabled

    # A budget smaller than the ask: refused before the job, in the app's words.
    app.switch_page("views/runs.py").run()
    app.number_input[1].set_value(0.5)
    button(app, "Set budget").click().run()
    assert "Budget set" in app.success[0].value
    app.switch_page("views/generate.py").run()
    assert "only ε≈0.5 is left" in app.error[0].value and button(app, "Generate").disabled
    assert "Runs page" in app.error[0].value
    assert RunStore().list(limit=5) == []  # nothing was started

    # Budget form checks.
    app.switch_page("views/runs.py").run()
    app.number_input[1].set_value(0.0)
    button(app, "Set budget").click().run()
    assert "Budget ε must be a number greater than 0" in app.error[0].value


def test_schema_pii_handling_reaches_the_generator(app: AppTest) -> None:
    # Declare 'native_country' personal data to drop, 'occupation' to fake (by column).
    app.session_state[SCHEMA_EDITS] = {"adult": {"native_country": {"pii": "drop"},
                                                 "occupation": {"kind": "pii", "pii": "fake"}}}
    app.run()
    schema = app.dataframe[0].value
    assert schema.loc["native_country", "PII handling"] == "drop"
    assert schema.loc["occupation", "kind"] == "pii" and schema.loc["occupation", "PII handling"] == "fake"
    app.switch_page("views/generate.py").run()
    assert "native_country → drop" in texts(app)
    app.number_input(key="w.gen.rows").set_value(300).run()
    button(app, "Generate").click().run()
    wait_for(app, lambda at: len(at.success) > 0)
    artifact = next(iter(app.session_state[ARTIFACTS].values()))
    assert "native_country" not in artifact.frame.columns
    assert artifact.pii["columns"]["occupation"]["action"] == "fake"
    real = set(app.session_state["sg.artifacts"][artifact.name].frame["occupation"])
    assert "Prof-specialty" not in real  # real occupations were replaced by fakes
    assert artifact.model_zip is not None and artifact.model_zip[:2] == b"PK"


def test_a_running_job_can_be_cancelled(app: AppTest) -> None:
    app.switch_page("views/generate.py").run()
    app.selectbox(key="w.gen.name").set_value("dpgan").run()
    app.number_input(key="w.gen.dpgan.epochs").set_value(5000).run()
    button(app, "Generate").click().run()
    wait_for(app, lambda at: any(b.label == "Cancel" for b in at.button), timeout=60)
    progress = app.get("progress")[0].proto.text
    assert "Generate dpgan" in progress and "elapsed" in progress
    button(app, "Cancel").click().run()
    wait_for(app, lambda at: "was cancelled" in texts(at), timeout=60)
    assert not any(b.label == "Cancel" for b in app.button)
    assert not app.session_state[ARTIFACTS]
    runs = RunStore().list(limit=5)
    assert runs[0]["command"] == "app.generate" and runs[0]["status"] == "interrupted"
    # Pressing Generate again starts it anew (a cancelled job is not reused).
    app.number_input(key="w.gen.dpgan.epochs").set_value(1).run()
    button(app, "Generate").click().run()
    wait_for(app, lambda at: len(at.success) > 0)
