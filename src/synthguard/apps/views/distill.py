"""Distill page: teacher on real rows, student on teacher-labelled synthetic rows only,
compressed at several levels; the compression frontier and fairness per model.

Calls ``synthguard.compression.distill`` (the same entry point as ``synthguard distill``).
"""

from __future__ import annotations

import json
from typing import Any

import streamlit as st

from synthguard.apps import _board, _jobs, _state, _tasks
from synthguard.apps._messages import app_message
from synthguard.apps._validate import check_budget, check_epsilon
from synthguard.apps._widgets import default
from synthguard.errors import SynthguardError
from synthguard.generators import list_generators

JOB = "sg.distill.job"


def _widths(text: str, label: str) -> tuple[int, ...]:
    try:
        widths = tuple(int(x) for x in text.replace(" ", "").split(",") if x)
    except ValueError:
        widths = ()
    if not widths or any(w <= 0 for w in widths):
        st.error(f"{label} must be positive integers separated by commas, such as 32,16.")
        st.stop()
    return widths


st.title("Distill")
try:
    from synthguard.compression import TEACHERS, DistillConfig, StudentConfig, TeacherConfig
    from synthguard.compression.report import differences_table, models_table
except ImportError as exc:
    st.error(f"The compression package is not available in this install ({exc}).")
    st.stop()

ws = _state.workspace_or_stop()
cfg = ws.config
if cfg.target is None:
    st.info("Choose a target column on the Data page first.")
    st.stop()
st.caption(f"Teacher: trained on the real train split of **{ws.name}** (target {cfg.target!r}). "
           "Student: trained only on synthetic rows labelled by the teacher, then pruned and "
           "quantised. Every model is measured on the real holdout.")

arts = _state.current_artifacts(ws)
generators = [g["name"] for g in list_generators()
              if g["capabilities"]["modality"] == "tabular" and not g["capabilities"]["dp"]]
sources = [f"artifact: {n}" for n in arts] + [f"generator: {g}" for g in generators]
teachers = TEACHERS.names()

st.subheader("Teacher")
t1, t2, t3 = st.columns(3)
teacher = t1.selectbox("Teacher", teachers, key=default("dst.teacher", "mlp", teachers))
teacher_hidden = t2.text_input("Teacher widths", key=default("dst.teacher_hidden", "256,128"))
teacher_epochs = int(t3.number_input("Teacher epochs", min_value=1, step=5, key=default("dst.teacher_epochs", 20)))
dp_epsilon = 3.0
problems: list[str] = []
if "dp" in teacher:
    dp_epsilon = float(st.number_input("Teacher ε (DP-SGD, charged to the dataset's budget)",
                                       min_value=0.0, step=0.5, key=default("dst.dp_epsilon", 3.0)))
    problems += check_epsilon(dp_epsilon, label="Teacher ε")
    status: Any = None
    try:
        from synthguard.ledger.budget import BudgetLedger

        status = BudgetLedger().status(_state.loaded_dataset(ws)[0])
    except ImportError:
        pass
    if not problems:
        problems += check_budget(status, dp_epsilon)

st.subheader("Student and transfer set")
s1, s2, s3 = st.columns(3)
source = s1.selectbox("Synthetic rows from", sources,
                      key=default("dst.source", sources[0] if arts else "generator: gaussian_copula", sources),
                      help="A session artifact of this split, or a fresh sample from a non-DP generator "
                           "fitted on the train split.")
if source.startswith("artifact: "):
    available = len(arts[source.removeprefix("artifact: ")].frame)
    transfer_key = default("dst.transfer_rows", available)
    if int(st.session_state[transfer_key]) > available:  # another artifact was chosen
        st.session_state[transfer_key] = available
    transfer_rows = int(s1.number_input(f"Transfer rows (the artifact has {available:,})", min_value=20,
                                        max_value=max(20, available), step=500, key=transfer_key))
else:
    transfer_rows = int(s1.number_input("Transfer rows", min_value=20, step=1000,
                                        key=default("dst.transfer_rows", max(2000, 2 * len(ws.train))),
                                        help="Rows sampled from the generator for the student."))
student_hidden = s2.text_input("Student widths", key=default("dst.student_hidden", "32,16"))
student_epochs = int(s2.number_input("Student epochs", min_value=1, step=5, key=default("dst.epochs", 30)))
finetune = int(s2.number_input("Fine-tune epochs after pruning", min_value=0, step=1,
                               key=default("dst.finetune", 5)))
temperature = float(s3.number_input("Temperature", min_value=0.1, step=0.5, key=default("dst.temperature", 2.0)))
fairness = s3.selectbox("Fairness regulariser", ["none", "dp", "tpr"], key=default("dst.fairness", "none"))

st.subheader("Compression levels")
q1, q2, q3 = st.columns(3)
quantize = q1.selectbox("Shipped quantisation", ["int8", "fp16", "none"], key=default("dst.quantize", "int8"))
prune = float(q2.slider("Pruning amount", 0.0, 0.9, step=0.1, key=default("dst.prune", 0.5)))
structured = q3.checkbox("Structured (whole neurons)", key=default("dst.structured", False))

synthetic = None
generator = "gaussian_copula"
if source.startswith("artifact: "):
    synthetic = arts[source.removeprefix("artifact: ")].frame
else:
    generator = source.removeprefix("generator: ")
config: DistillConfig | None
try:
    config = DistillConfig(
        target=cfg.target, sensitive=cfg.sensitive, generator=generator, teacher=teacher,
        teacher_config=TeacherConfig(hidden=_widths(teacher_hidden, "Teacher widths"),
                                     epochs=teacher_epochs, epsilon=dp_epsilon),
        student=StudentConfig(hidden=_widths(student_hidden, "Student widths"), epochs=student_epochs,
                              finetune_epochs=finetune, temperature=temperature, fairness=fairness),
        quantize=quantize, prune=prune, structured=structured, transfer_rows=transfer_rows,
        seed=cfg.seed, latency_repeats=20, membership_rows=2000)
except SynthguardError as exc:
    problems.append(app_message(exc))
    config = None
if ws.pii.get(cfg.target) == "drop":
    problems.append(f"The target column {cfg.target!r} has PII handling drop on the Data page: "
                    "choose another target or another handling for it.")
left_out = _tasks.pii_columns_for_distill(ws.train, target=cfg.target, pii=ws.pii, synthetic=synthetic)
if ws.pii or left_out:
    handling = ", ".join(f"{c} → {p}" for c, p in ws.pii.items())
    note = f"PII handling from the Data page: {handling}." if handling else ""
    if left_out:
        note += (f" Left out of the teacher, the transfer set and the student: {', '.join(left_out)}"
                 + (" (dropped in the chosen artifact)." if synthetic is not None else "."))
    st.caption(note.strip())
for problem in problems:
    st.error(problem)

key = _jobs.input_key("distill", ws.settings_key, source, arts[source.removeprefix("artifact: ")].sha256
                      if synthetic is not None else None, config.to_dict() if config else None)
runner = _jobs.runner()
chosen = arts.get(source.removeprefix("artifact: ")) if synthetic is not None else None
if st.button("Distill", type="primary", disabled=bool(problems)):
    st.session_state[JOB] = (key, source, ws.key)
    runner.submit(key, "Distill", _tasks.distill, train=ws.train, holdout=ws.holdout,
                  train_sha=ws.train_sha, config=config, synthetic=synthetic, source=source,
                  dataset=_state.loaded_dataset(ws)[1], schema=ws.schema, pii=ws.pii or None,
                  provenance=_state.provenance(chosen, ws, _state.loaded_dataset(ws)[0], name=source),
                  transfer_provenance=_state.artifact_provenance(chosen))

pending: tuple[str, str, str] | None = st.session_state.get(JOB)
if pending is not None and pending[2] != ws.key:
    pending = None
job = runner.get(pending[0]) if pending else None
if job is None or pending is None:
    st.info("Press **Distill** to train the teacher, the student and its compressed versions.")
    st.stop()
_jobs.show_job(job)
if job.status != _jobs.DONE:
    st.stop()
out: dict[str, Any] = job.result
report = out["report"]
_state.distills()[pending[1]] = {"report": report, "workspace_key": ws.key}

st.subheader("Models")
m = st.columns(4)
m[0].metric("Teacher ROC-AUC", f"{report['teacher']['roc_auc']:.3f}")
m[1].metric("Student ROC-AUC", f"{report['student']['roc_auc']:.3f}")
ratio = report.get("params_ratio_student_to_teacher")
m[2].metric("Student / teacher params", f"{ratio:.3f}" if ratio else "–")
m[3].metric("Shipped", report["shipped"])
st.dataframe(_board.readable(models_table(report)), width="stretch")
st.image(out["frontier"], caption="Compression frontier: size vs ROC-AUC on the real holdout, "
         "coloured by the equalised-odds difference")
diffs = differences_table(report)
if diffs is not None:
    st.markdown("**Fairness differences per model**")
    st.dataframe(_board.readable(diffs), width="stretch")
transfer = report["transfer_set"]
st.caption(f"Transfer set: {transfer['rows']:,} synthetic rows from {transfer['source']} of "
           f"{ws.name}; {transfer['dropped_real_copies']} rows equal to a real row were dropped "
           f"(run {out['run_id']}).")
pii_done = report.get("pii") or {}
actions = ((pii_done.get("transfer_generator") or {}).get("columns") or {})
if pii_done.get("left_out") or actions:
    parts = [f"left out: {', '.join(pii_done['left_out'])}"] if pii_done.get("left_out") else []
    parts += [f"{c} → {a['action']}" for c, a in actions.items()]
    st.caption("PII handling applied: " + "; ".join(parts) + ".")
d1, d2, d3, d4 = st.columns(4)
d1.download_button("Download report (JSON)", json.dumps(report, indent=2, default=str),
                   file_name="distill-report.json", mime="application/json")
d2.download_button("Download report (HTML)", out["html"], file_name="distill-report.html", mime="text/html")
if out.get("onnx"):
    d3.download_button("Download student (ONNX)", out["onnx"], file_name="student.onnx",
                       mime="application/octet-stream",
                       help="Runs in any ONNX runtime: inputs are the encoded features described in "
                            "student.json (in the zip).")
if out.get("student_zip"):
    d4.download_button("Download student folder (zip)", out["student_zip"],
                       file_name="synthguard-student.zip", mime="application/zip",
                       help="safetensors weights, student.json (encoder, classes), student.onnx, "
                            "reports and manifest.json with SHA-256 of every file; "
                            "load it with synthguard.compression.load_student.")
