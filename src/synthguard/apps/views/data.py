"""Data page: choose the real table, see and edit its schema (kind and PII handling per column),
see the redaction engine's PII scan, set the split.

The only page that may show real rows (a preview, on request). Choosing another dataset
forgets the choices made for the previous one (rows, target, sensitive columns, per-split
defaults of the other pages) and their pending results (:func:`_state.enter_source`).
"""

from __future__ import annotations

import hashlib

import pandas as pd
import streamlit as st

from synthguard.apps import _jobs, _state, _tasks
from synthguard.apps._messages import app_message
from synthguard.apps._widgets import default
from synthguard.data import ColumnKind
from synthguard.data.builtin import builtin_names
from synthguard.errors import SynthguardError

SCAN = "sg.pii.scan"
HANDLING_HELP = ("What a generator is given for this column. auto: PII and id columns get "
                 "consistent fakes (dropped for DP generators), other columns their values; "
                 "fake: replace each value with a consistent surrogate; drop: leave the column "
                 "out; keep: the real values (warned: they can be copied into synthetic rows).")

def _relational_page() -> None:
    """A folder of related tables: its schema (tables, keys, relationships, orphans); Compare
    evaluates a synthetic folder of it. The single-table pages keep the last single table."""
    from synthguard.apps.views.relational import render_schema
    from synthguard.data.relational import relational_builtin_names

    names = relational_builtin_names()
    c1, c2 = st.columns(2)
    c1.selectbox("Built-in relational dataset", names, key=default("data.relational", names[0], names))
    c2.text_input("…or a folder of tables on this machine", key=default("data.relational_folder", ""),
                  help="A folder of .csv/.parquet files, one per table, with an optional SDV "
                       "metadata.json (keys are inferred without it).")
    source = _state.relational_source()
    if source is None:
        st.info("Choose a built-in relational dataset or give a folder.")
        return
    try:
        with st.spinner("Loading the tables and checking their keys…"):
            data = _state.relational_data(source)
    except (SynthguardError, OSError) as exc:
        st.error(f"Cannot read the relational dataset: {app_message(exc)}")
        return
    render_schema(st, data)
    st.caption("Generate a synthetic folder with `synthguard generate --data SOURCE --out DIR` and "
               "evaluate it on the Compare page. Generate and Distill work on single tables: "
               "they keep the last single-table dataset.")


st.title("Data")
st.caption("Pick the real table, check what synthguard inferred about each column, and set the "
           "train/holdout split every other page uses. The holdout is never shown to a generator.")

names = builtin_names()
mode = st.radio("Source", list(_state.MODES), horizontal=True,
                key=default("data.mode", _state.MODES[0], _state.MODES))
if mode == _state.RELATIONAL_MODE:
    _relational_page()
    st.stop()
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
    st.error(f"Cannot read the table: {app_message(exc)}")
    st.stop()
if _state.enter_source(source):
    st.toast(f"Switched to {display_name}: settings and results now belong to it.")
columns = [str(c) for c in full.columns]
target_default, sensitive_default = _state.default_target_sensitive(source, columns)

st.subheader("Split settings")
rows_default = min(_state.default_rows(), len(full))
if int(_state.get("data.rows", 0)) > len(full):  # never more rows than the table has
    st.session_state[_state.W + "data.rows"] = rows_default
c1, c2, c3 = st.columns(3)
with c1:
    st.number_input(f"Rows to use (0 = all {len(full):,})", min_value=0, max_value=len(full), step=500,
                    key=default("data.rows", rows_default),
                    help="A seeded random sample keeps the workbench responsive on a small machine.")
    st.number_input("Seed", min_value=0, step=1, key=default("data.seed", 0))
with c2:
    target = st.selectbox("Target column (utility, fairness)", columns,
                          key=default("data.target", target_default, columns))
    st.multiselect("Sensitive columns (fairness)", [c for c in columns if c != target],
                   key=default("data.sensitive", [c for c in sensitive_default if c != target],
                               [c for c in columns if c != target]))
with c3:
    st.slider("Holdout fraction", 0.1, 0.5, step=0.05, key=default("data.holdout", 0.3))
    st.checkbox("Stratify on the target", key=default("data.stratify", True))

try:
    with st.spinner("Splitting and inferring the schema…"):
        ws = _state.workspace()
except SynthguardError as exc:
    st.error(app_message(exc))
    st.stop()
_state.enter_split(ws)
budget_key = _state.loaded_dataset(ws)[0]

m = st.columns(5)
m[0].metric("Table", display_name)
m[1].metric("Rows used", f"{len(ws.frame):,}")
m[2].metric("Train rows", f"{len(ws.train):,}")
m[3].metric("Holdout rows", f"{len(ws.holdout):,}")
m[4].metric("Dataset fingerprint", budget_key[:8],
            help="Identifies the loaded table (order-, format- and dtype-independent). DP runs on "
                 f"any sample or split of it are charged to its privacy budget. Train split: "
                 f"{ws.train_sha[:12]}.")

st.subheader("Schema")
st.caption("Edit a column's **kind** or its **PII handling** here; every generator on the "
           "Generate and Distill pages gets the table this way. Nothing here shows a value.")
inferred = _state._schema(ws.train_sha, ws.train)  # the kinds before the user's edits
edits = _state.schema_edits(source)
table = _state.schema_table(ws.schema, ws.pii)
table.insert(2, "distinct", ws.frame.nunique().reindex(table.index).to_numpy())
table.insert(3, "missing", ws.frame.isna().sum().reindex(table.index).to_numpy())
editor_key = "sg.schema.editor." + hashlib.sha256(source.encode()).hexdigest()[:12]
edited = st.data_editor(
    table, key=editor_key, width="stretch",
    disabled=["distinct", "missing", "sdtype", "PII type", "integer"],
    column_config={
        "kind": st.column_config.SelectboxColumn(
            "kind", options=[k.value for k in ColumnKind], required=True,
            help="numeric, categorical, datetime, id, text or pii (pii/id values never reach "
                 "a generator unless their handling is keep)"),
        "PII handling": st.column_config.SelectboxColumn(
            "PII handling", options=list(_state.PII_HANDLING), required=True, help=HANDLING_HELP),
    })
wanted: dict[str, dict[str, str]] = {}
for column, row in edited.iterrows():
    entry: dict[str, str] = {}
    if row["kind"] != inferred.columns[str(column)].kind.value:
        entry["kind"] = str(row["kind"])
    if row["PII handling"] != "auto":
        entry["pii"] = str(row["PII handling"])
    if entry:
        wanted[str(column)] = entry
if wanted != edits:
    try:
        from synthguard.data.schema import apply_overrides

        apply_overrides(inferred, {"columns": {c: {"kind": e["kind"]} for c, e in wanted.items()
                                               if "kind" in e}})
    except SynthguardError as exc:
        st.error(app_message(exc))
    else:
        edits.clear()
        edits.update(wanted)
        st.rerun()
if ws.pii:
    kept = [c for c, p in ws.pii.items() if p == "keep"]
    if kept:
        st.warning(f"Real values of {', '.join(kept)} will be given to generators (keep): they "
                   "can appear in synthetic rows.")
pii_kind = ws.schema.names(ColumnKind.PII, ColumnKind.ID)
if pii_kind:
    st.info(f"PII/id columns by type or name: {', '.join(pii_kind)}. Generators never see their "
            "values unless their handling is keep: each real value is replaced by a consistent "
            "fake of the same type (dropped for DP generators).")
else:
    st.caption("No column was inferred as PII from its type or name; set a column's kind to pii, "
               "or its handling to fake or drop, if it holds personal data.")

st.subheader("PII-like columns (redaction engine)")
scan_key = _jobs.input_key("pii", ws.train_sha, ws.config.seed)
runner = _jobs.runner()
if st.button("Scan columns for PII", help="Presidio + spaCy on a sample of 100 values per column"):
    st.session_state[SCAN] = scan_key
    runner.submit(scan_key, "PII scan", _tasks.detect_pii, frame=ws.train, seed=ws.config.seed)
job = runner.get(scan_key) if st.session_state.get(SCAN) == scan_key else None
if job is not None:
    _jobs.show_job(job)
    if job.status == _jobs.DONE:
        found = job.result
        if found:
            scan = pd.DataFrame.from_dict(found, orient="index")
            scan["schema kind"] = [ws.schema.columns[c].kind.value if c in ws.schema.columns else ""
                                   for c in scan.index]
            scan["PII handling"] = [ws.pii.get(c, "auto") for c in scan.index]
            st.dataframe(scan, width="stretch", column_config={
                "confidence": st.column_config.NumberColumn(format="%.2f")})
            st.caption("The scan is advice: generators follow the schema table above. To protect a "
                       "column the scan found, set its kind to pii or its handling to fake/drop.")
        else:
            st.success("No column holds PII according to the redaction engine.")

with st.expander("Preview real rows (shown on this page only)"):
    st.dataframe(ws.frame.head(20), width="stretch")
