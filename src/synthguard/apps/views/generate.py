"""Generate page: pick a generator from the registry, set its parameters (ε/δ and public
bounds for DP ones, with the dataset's budget left), fit on the train split and keep the result
as an artifact (rows and the saved model folder, both downloadable).

Every input is checked before a job starts: a form that cannot run disables the Generate button
and says why in the app's terms.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
import streamlit as st

from synthguard.apps import _jobs, _state, _tasks
from synthguard.apps._messages import app_message
from synthguard.apps._validate import check_bounds, check_budget, check_delta, check_epsilon
from synthguard.apps._widgets import default, fmt, param_inputs
from synthguard.data import ColumnKind

JOB = "sg.generate.job"


@st.cache_resource(show_spinner="Loading the generator registry…")
def _listing() -> list[dict[str, Any]]:
    from synthguard.generators import list_generators

    return list_generators()


def _budget_panel(dataset_key: str) -> Any:
    """What the ledger says about the loaded dataset's privacy budget; returns its status."""
    try:
        from synthguard.ledger.budget import BudgetLedger
    except ImportError:
        st.info("The privacy-budget ledger is not available in this install; the spend of this "
                "run is still reported by the generator.")
        return None
    status = BudgetLedger().status(dataset_key)
    c = st.columns(3)
    spent = status.spent.epsilon
    c[0].metric("ε spent on this dataset", fmt(spent if math.isfinite(spent) else None),
                help="The budget belongs to the loaded dataset (fingerprint "
                     f"{dataset_key[:12]}), not to the split: every split and sample of it is "
                     "charged here.")
    if status.budget is None:
        c[1].metric("Budget ε", "none set")
        st.caption("No budget is set for this dataset: the spend is recorded but nothing is "
                   "refused. Set a budget on the Runs page.")
        return status
    c[1].metric("Budget ε / δ", f"{status.budget.epsilon:g} / {status.budget.delta:g}")
    c[2].metric("ε left", fmt(status.remaining_epsilon))
    return status


def _bounds_editor(ws: _state.Workspace, *, dp_columns: list[str]) -> dict[str, list[float] | None]:
    """The public-bounds table of the numeric columns a DP generator will see."""
    stored = _state.public_bounds(ws.config.source, dp_columns)
    empty: list[float | None] = [None, None]
    pairs: list[list[float | None]] = [list(stored.get(c) or empty) for c in dp_columns]
    table = pd.DataFrame({"low": [p[0] for p in pairs], "high": [p[1] for p in pairs]},
                         index=pd.Index(dp_columns, name="column"), dtype="float64")
    edited = st.data_editor(
        table, key="sg.bounds.editor." + _jobs.input_key(ws.config.source, dp_columns), width="stretch",
        column_config={"low": st.column_config.NumberColumn("low", format="%g"),
                       "high": st.column_config.NumberColumn("high", format="%g")})
    for column, row in edited.iterrows():
        low, high = row["low"], row["high"]
        stored[str(column)] = (None if pd.isna(low) or pd.isna(high)
                               else [float(low), float(high)])
    return {c: stored.get(c) for c in dp_columns}


def _store(job: _jobs.Job, meta: dict[str, Any], ws: _state.Workspace) -> str:
    """Add a finished generate job to the session's artifacts (once) and return its name."""
    arts = _state.artifacts()
    for name, art in arts.items():
        if art.run_id == job.result["run_id"]:
            return name
    name = meta["name"]
    base, i = name, 2
    while name in arts:
        name, i = f"{base}-{i}", i + 1
    out = job.result
    arts[name] = _state.Artifact(
        name=name, generator=meta["generator"], params=meta["params"], seed=meta["seed"],
        frame=out["frame"], sha256=out["sha256"], workspace_key=ws.key, privacy=out["privacy"],
        seconds=out["seconds"], run_id=out["run_id"], model_zip=out.get("model_zip"),
        dataset=ws.name, pii=out.get("pii"))
    return name


def _conditions_widget(ws: Any, *, dp: bool) -> tuple[list[str], list[str]] | None:
    """Conditions and rebalancing shares (one per line), checked against the train split's
    columns and value sets; None while they are invalid."""
    with st.expander("Conditions and rebalancing", expanded=False):
        st.caption("One per line: `sex=Female`, `race=White|Black`, `age=30..40`; shares "
                   "`class=0.5,0.5` or `sex=Female:0.7,Male:0.3`. Rows are drawn from the fitted "
                   "model and filtered (no ε for DP generators).")
        c1, c2 = st.columns(2)
        conditions = [x.strip() for x in c1.text_area("Conditions", key=default("gen.conditions", "")).splitlines()
                      if x.strip()]
        rebalance = [x.strip() for x in c2.text_area("Rebalance", key=default("gen.rebalance", "")).splitlines()
                     if x.strip()]
        if not conditions and not rebalance:
            return [], []
        from synthguard.errors import SynthguardError
        from synthguard.generators.conditions import Domain, build_spec

        try:
            build_spec(conditions=conditions, rebalance=rebalance).resolve(
                Domain.from_table(ws.train, ws.schema, public_only=dp), dp=dp)
        except SynthguardError as exc:
            st.error(app_message(exc))
            return None
        return conditions, rebalance


st.title("Generate")
ws = _state.workspace_or_stop()
st.caption(f"Fits on the train split of **{ws.name}** ({len(ws.train):,} rows, fingerprint "
           f"{ws.train_sha[:12]}); the holdout ({len(ws.holdout):,} rows) is kept for evaluation.")

listing = [g for g in _listing() if g["capabilities"]["modality"] == "tabular"]
names = [g["name"] for g in listing]
by_name = {g["name"]: g for g in listing}
name = st.selectbox("Generator", names, key=default("gen.name", "sequential_trees", names),
                    format_func=lambda n: f"{n} (DP)" if by_name[n]["capabilities"]["dp"] else n)
info = by_name[name]
caps = info["capabilities"]
st.caption(info["summary"] or "")
problems: list[str] = []  # why the form cannot run yet (shown as errors, button disabled)

params: dict[str, Any] = {}
dataset_key, dataset_frame = _state.loaded_dataset(ws)
if caps["dp"]:
    st.markdown(f"**Differentially private**: {caps.get('mechanism') or ''} · accountant "
                f"{caps.get('accountant') or ''}")
    c1, c2 = st.columns(2)
    with c1:
        eps = st.number_input("ε (epsilon)", min_value=0.0, step=0.5, format="%g",
                              key=default(f"gen.{name}.epsilon", float(info["params"].get("epsilon", 1.0))),
                              help="Privacy loss bound: smaller is more private and less useful. "
                                   "Charged to the loaded dataset's budget.")
    with c2:
        delta_text = st.text_input("δ (delta; empty = 1/n²)", key=default(f"gen.{name}.delta", ""),
                                   help="Probability the ε bound may fail; keep it far below 1/n.")
    problems += check_epsilon(float(eps))
    delta, delta_problems = check_delta(delta_text, n_rows=len(ws.train))
    problems += delta_problems
    params["epsilon"] = float(eps)
    if delta is not None:
        params["delta"] = delta
    status = _budget_panel(dataset_key)
    if status is not None and not problems:
        problems += check_budget(status, float(eps))

    dp_columns = [c for c in ws.schema.names(ColumnKind.NUMERIC) if ws.pii.get(c) != "drop"]
    if dp_columns:
        st.markdown("**Public bounds** of the numeric columns")
        st.caption("A DP generator may not read a column's range from the data. Give ranges known "
                   "without looking at the rows (a form's limits, a standard's domain); values "
                   "outside are clipped. Built-in datasets come with their documented ranges.")
        bounds = _bounds_editor(ws, dp_columns=dp_columns)
        estimate = st.checkbox("Estimate missing bounds with part of ε",
                               key=default(f"gen.{name}.estimate_bounds", False),
                               help="Spends a share of the budget on a DP estimate of the range "
                                    "of each column left empty above.")
        bound_problems, given = check_bounds(bounds, allow_missing=estimate)
        problems += bound_problems
        if given:
            params["bounds"] = given
        if estimate:
            params["estimate_bounds"] = True

with st.expander("Parameters", expanded=False):
    params.update(param_inputs(f"gen.{name}", info["params"],
                               skip=("epsilon", "delta", "bounds", "estimate_bounds")))
sampling = _conditions_widget(ws, dp=bool(caps["dp"]))
conditions, rebalance = sampling or ([], [])
if sampling is None:
    problems.append("fix the conditions above")
c1, c2, c3 = st.columns(3)
rows = int(c1.number_input("Synthetic rows", min_value=1, step=100, key=default("gen.rows", len(ws.train)),
                           help="Defaults to the train split's size."))
seed = int(c2.number_input("Seed", min_value=0, step=1, key=default("gen.seed", 0)))
label = c3.text_input("Artifact name", value=f"{name}-s{seed}")
if not problems:
    try:  # the generator's own parameter checks, before any job starts
        from synthguard.generators import get_generator

        get_generator(name)(**params)
    except Exception as exc:
        problems.append(app_message(exc))
for problem in problems:
    st.error(problem)
if ws.pii:
    st.caption("PII handling from the Data page: " + ", ".join(f"{c} → {p}" for c, p in ws.pii.items()))

key = _jobs.input_key("generate", ws.settings_key, name, params, seed, rows, conditions, rebalance)
runner = _jobs.runner()
if st.button("Generate", type="primary", disabled=bool(problems)):
    st.session_state[JOB] = (key, {"name": label or name, "generator": name, "params": params,
                                   "seed": seed}, ws.key)
    runner.submit(key, f"Generate {name}", _tasks.generate, train=ws.train, train_sha=ws.train_sha,
                  schema=ws.schema, generator=name, params=params, seed=seed, rows=rows,
                  pii=ws.pii or None, dataset=dataset_frame, conditions=conditions,
                  rebalance=rebalance)

pending = st.session_state.get(JOB)
if pending is not None and pending[2] == ws.key:
    job = runner.get(pending[0])
    if job is not None:
        _jobs.show_job(job)
        if job.status == _jobs.DONE:
            stored = _store(job, pending[1], ws)
            st.success(f"Artifact **{stored}** is ready: {len(job.result['frame']):,} rows in "
                       f"{sum(job.result['seconds'].values()):.1f} s (run {job.result['run_id']}). "
                       "Compare it on the Compare page.")

arts = _state.current_artifacts(ws)
hidden = len(_state.artifacts()) - len(arts)
if arts:
    st.subheader(f"Artifacts of {ws.name} (this split)")
    table = pd.DataFrame([{
        "artifact": a.name, "generator": a.generator, "rows": len(a.frame),
        "ε": a.privacy["epsilon"] if a.privacy else None,
        "δ": a.privacy["delta"] if a.privacy else None,
        "fit s": round(a.seconds.get("fit", 0.0), 2), "run": a.run_id,
    } for a in arts.values()])
    st.dataframe(table, hide_index=True, width="stretch",
                 column_config={"ε": st.column_config.NumberColumn(format="%.3g"),
                                "δ": st.column_config.NumberColumn(format="%.2e")})
    chosen = st.selectbox("Download an artifact", list(arts), key=default("gen.download", list(arts)[-1],
                                                                          list(arts)))
    art = arts[chosen]
    d1, d2 = st.columns(2)
    d1.download_button("Download synthetic rows (CSV)", art.frame.to_csv(index=False).encode("utf-8"),
                       file_name=f"{chosen}.csv", mime="text/csv")
    if art.model_zip is not None:
        d2.download_button("Download generator model (zip)", art.model_zip, file_name=f"{chosen}-model.zip",
                           mime="application/zip",
                           help="The saved model folder (manifest with SHA-256 of every file); "
                                "load it with synthguard.generators.load_generator.")
    else:
        d2.caption("This generator's model could not be saved (see the run record).")
if hidden:
    st.caption(f"{hidden} artifact(s) made from another dataset or split are hidden; they come "
               "back when that data is chosen again on the Data page.")
