"""AppTest: the Distill page honours the schema's PII handling (Data page): a dropped column
reaches neither teacher nor student, a faked one reaches the student only as fakes. Real
library calls on a 2,000-row Adult sample, tiny epochs."""

from __future__ import annotations

import io
import json
import time
import zipfile

from streamlit.testing.v1 import AppTest

from synthguard.apps import _jobs
from synthguard.apps._state import DISTILLS, SCHEMA_EDITS
from synthguard.data import load_table
from synthguard.ledger import RunStore


def _wait(at: AppTest, label: str, timeout: float = 300.0) -> None:
    deadline = time.monotonic() + timeout
    while not any(m.label == label for m in at.metric):
        assert time.monotonic() < deadline, "timed out waiting for the distillation"
        time.sleep(0.5)
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        assert not at.error, [e.value for e in at.error]


def test_distill_honours_the_schema_pii_handling(app: AppTest) -> None:
    app.session_state[SCHEMA_EDITS] = {"adult": {"education": {"pii": "drop"},
                                                 "relationship": {"kind": "pii", "pii": "fake"}}}
    app.switch_page("views/distill.py").run()
    assert not app.exception and not app.error, [e.value for e in app.error]
    shown = "\n".join(str(c.value) for c in app.caption)
    assert "education → drop" in shown and "relationship → fake" in shown
    assert "Left out of the teacher, the transfer set and the student: education" in shown
    app.number_input(key="w.dst.teacher_epochs").set_value(2)
    app.number_input(key="w.dst.transfer_rows").set_value(600)
    app.number_input(key="w.dst.epochs").set_value(2)
    app.number_input(key="w.dst.finetune").set_value(0)
    next(b for b in app.button if b.label == "Distill").click().run()
    _wait(app, "Student ROC-AUC")

    report = next(iter(app.session_state[DISTILLS].values()))["report"]
    assert "education" not in report["data"]["features"]
    assert "education_num" in report["data"]["features"]
    assert report["pii"]["left_out"] == ["education"]
    assert report["pii"]["transfer_generator"]["columns"]["relationship"]["action"] == "fake"
    assert "PII handling applied: left out: education; relationship → fake" in "\n".join(
        str(c.value) for c in app.caption)

    # The shipped student: no 'education' input, and no real 'relationship' value in its encoder.
    job = _jobs.runner().get(app.session_state["sg.distill.job"][0])
    assert job is not None and job.status == _jobs.DONE
    with zipfile.ZipFile(io.BytesIO(job.result["student_zip"])) as archive:
        student = json.loads(archive.read("synthguard-student/student.json"))
    text = json.dumps(student)
    assert '"education"' not in text and '"relationship"' in text
    real = {str(v) for v in load_table("adult")["relationship"].dropna().unique()}
    assert not [v for v in real if json.dumps(v) in text], "a real relationship value reached the student"

    # The HTML report carries provenance: generator, run ids, dataset fingerprint.
    html = job.result["html"]
    provenance = report["provenance"]
    assert "Provenance" in html and provenance["distill run id"] in html
    assert provenance["generator"] == "gaussian_copula" and provenance["dataset"] == "adult"
    assert provenance["dataset fingerprint"] in html and provenance["train sha256"] in html

    record = next(r for r in RunStore().list(limit=10) if r["command"] == "app.distill")
    assert record["params"]["pii"]["left_out"] == ["education"]
