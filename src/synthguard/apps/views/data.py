"""Data page: choose the real table, see its schema and PII-like columns, set the split.

The only page that may show real rows (a preview, on request).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from synthguard.apps import _jobs, _state, _tasks
from synthguard.apps._widgets import default
from synthguard.data.builtin import builtin_names
from synthguard.errors import SynthguardError

st.title("Data")
st.caption("Pick the real table, check what synthguard inferred about each column, and set the "
           "train/holdout split every other page uses. The holdout is never shown to a generator.")

names = builtin_names()
mode = st.radio("Source", ["Built-in dataset", "Upload CSV/Parquet"], horizontal=True,
                key=default("data.mode", "Built-in dataset"))
if mode == "Built-in dataset":
    builtin = st.selectbox("Built-in dataset", names, key=default("data.builtin", names[0], names))
    source = str(builtin)
else:
    uploaded = st.file_uploader("CSV or Parquet file", type=["csv", "parquet", "pq"])
    if uploaded is not None:
        source = _state.set_upload(uploaded.name, uploaded.getvalue())
    elif _state.upload() is not None:
        up = _state.upload()
        assert up is not None
        source = _state.set_upload(*up)
        st.caption(f"Using the uploaded file {up[0]!r}.")
    else:
        st.info("Upload a CSV or Parquet file to use it; until then the built-in dataset stays selected.")
        source = str(_state.get("data.source", names[0]))
st.session_state[_state.W + "data.source"] = source

try:
    display_name, full = _state.source_frame(source)
except (SynthguardError, LookupError) as exc:
    st.error(f"Cannot read the table: {exc}")
    st.stop()
columns = [str(c) for c in full.columns]
target_default, sensitive_default = _state.default_target_sensitive(source, columns)

st.subheader("Split settings")
if int(_state.get("data.rows", 0)) > len(full):  # a smaller table than the last one
    st.session_state[_state.W + "data.rows"] = min(_state.DEFAULT_ROWS, len(full))
c1, c2, c3 = st.columns(3)
with c1:
    st.number_input(f"Rows to use (0 = all {len(full):,})", min_value=0, max_value=len(full), step=500,
                    key=default("data.rows", min(_state.DEFAULT_ROWS, len(full))),
                    help="A seeded random sample keeps the workbench responsive on a small machine.")
    st.number_input("Seed", min_value=0, step=1, key=default("data.seed", 0))
with c2:
    target = st.selectbox("Target column (utility, fairness)", columns,
                          key=default("data.target", target_default, columns))
    st.multiselect("Sensitive columns (fairness)", [c for c in columns if c != target],
                   key=default("data.sensitive", list(sensitive_default), columns))
with c3:
    st.slider("Holdout fraction", 0.1, 0.5, step=0.05, key=default("data.holdout", 0.3))
    st.checkbox("Stratify on the target", key=default("data.stratify", True))

try:
    with st.spinner("Splitting and inferring the schema…"):
        ws = _state.workspace()
except SynthguardError as exc:
    st.error(str(exc))
    st.stop()

m = st.columns(5)
m[0].metric("Table", display_name)
m[1].metric("Rows used", f"{len(ws.frame):,}")
m[2].metric("Train rows", f"{len(ws.train):,}")
m[3].metric("Holdout rows", f"{len(ws.holdout):,}")
m[4].metric("Train fingerprint", ws.train_sha[:8], help="SHA-256 of the canonical train table; "
            "the privacy budget of DP runs is charged against it")

st.subheader("Schema")
schema_frame = _state.schema_table(ws.schema)
schema_frame.insert(0, "missing", ws.frame.isna().sum().reindex(schema_frame.index).to_numpy())
schema_frame.insert(0, "distinct", ws.frame.nunique().reindex(schema_frame.index).to_numpy())
st.dataframe(schema_frame, width="stretch")
pii_kind = ws.schema.pii
if pii_kind:
    st.warning(f"PII-like columns by type/name: {', '.join(pii_kind)}. Generators treat them as PII.")
else:
    st.caption("No column was inferred as PII from its type or name.")

st.subheader("PII-like columns (redaction engine)")
scan_key = _jobs.input_key("pii", ws.train_sha, ws.config.seed)
runner = _jobs.runner()
job = runner.get(scan_key)
if st.button("Scan columns for PII", help="Presidio + spaCy on a sample of 100 values per column"):
    job = runner.submit(scan_key, "PII scan", _tasks.detect_pii, frame=ws.train, seed=ws.config.seed)
if job is not None:
    _jobs.show_job(job)
    if job.status == _jobs.DONE:
        found = job.result
        if found:
            st.dataframe(pd.DataFrame.from_dict(found, orient="index"), width="stretch")
        else:
            st.success("No column holds PII according to the redaction engine.")

with st.expander("Preview real rows (shown on this page only)"):
    st.dataframe(ws.frame.head(20), width="stretch")
