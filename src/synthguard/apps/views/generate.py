"""Generate page: pick a generator from the registry, set its parameters (ε/δ for DP ones,
with the dataset's budget left), fit on the train split and keep the result as an artifact."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
import streamlit as st

from synthguard.apps import _jobs, _state, _tasks
from synthguard.apps._widgets import default, fmt, param_inputs

JOB = "sg.generate.job"


@st.cache_resource(show_spinner="Loading the generator registry…")
def _listing() -> list[dict[str, Any]]:
    from synthguard.generators import list_generators

    return list_generators()


def _budget_panel(train_sha: str, epsilon: float) -> None:
    """What the ledger says about this dataset's privacy budget (or why it cannot say)."""
    try:
        from synthguard.ledger.budget import BudgetLedger
    except ImportError:
        st.info("The privacy-budget ledger is not available in this install; the spend of this "
                "run is still reported by the generator.")
        return
    status = BudgetLedger().status(train_sha)
    c = st.columns(3)
    spent = status.spent.epsilon
    c[0].metric("ε spent on this train split", fmt(spent if math.isfinite(spent) else None))
    if status.budget is None:
        c[1].metric("Budget ε", "none set")
        st.caption("No budget is set for this dataset: the spend is recorded but nothing is "
                   "refused. Set a budget on the Runs page.")
        return
    c[1].metric("Budget ε / δ", f"{status.budget.epsilon:g} / {status.budget.delta:g}")
    left = status.remaining_epsilon
    c[2].metric("ε left", fmt(left))
    if left is not None and epsilon > left:
        st.warning(f"This run asks ε={epsilon:g} but only ε≈{left:.3g} is left: the ledger will "
                   "refuse it and spend nothing.")


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
        seconds=out["seconds"], run_id=out["run_id"])
    return name


st.title("Generate")
ws = _state.workspace_or_stop()
st.caption(f"Fits on the train split of **{ws.name}** ({len(ws.train):,} rows, fingerprint "
           f"{ws.train_sha[:12]}); the holdout ({len(ws.holdout):,} rows) is kept for evaluation.")

listing = [g for g in _listing() if g["capabilities"]["modality"] == "tabular"]
names = [g["name"] for g in listing]
by_name = {g["name"]: g for g in listing}
name = st.selectbox("Generator", names, key=default("gen.name", "gaussian_copula", names),
                    format_func=lambda n: f"{n} (DP)" if by_name[n]["capabilities"]["dp"] else n)
info = by_name[name]
caps = info["capabilities"]
st.caption(info["summary"] or "")
if caps["dp"]:
    st.markdown(f"**Differentially private**: {caps.get('mechanism') or ''} · accountant "
                f"{caps.get('accountant') or ''}")

params: dict[str, Any] = {}
if caps["dp"]:
    c1, c2 = st.columns(2)
    with c1:
        eps = st.number_input("ε (epsilon)", min_value=0.01, step=0.5, format="%g",
                              key=default(f"gen.{name}.epsilon", float(info["params"].get("epsilon", 1.0))))
    with c2:
        delta_text = st.text_input("δ (delta; empty = 1/n²)", key=default(f"gen.{name}.delta", ""))
    params["epsilon"] = float(eps)
    if delta_text.strip():
        try:
            params["delta"] = float(delta_text)
        except ValueError:
            st.error(f"δ must be a number such as 1e-6, got {delta_text!r}")
            st.stop()
    _budget_panel(ws.train_sha, float(eps))

with st.expander("Parameters", expanded=False):
    params.update(param_inputs(f"gen.{name}", info["params"], skip=("epsilon", "delta")))
c1, c2, c3 = st.columns(3)
rows = int(c1.number_input("Synthetic rows", min_value=1, step=100, key=default("gen.rows", len(ws.train))))
seed = int(c2.number_input("Seed", min_value=0, step=1, key=default("gen.seed", 0)))
label = c3.text_input("Artifact name", value=f"{name}-s{seed}")

key = _jobs.input_key("generate", ws.train_sha, name, params, seed, rows)
runner = _jobs.runner()
if st.button("Generate", type="primary"):
    st.session_state[JOB] = (key, {"name": label or name, "generator": name, "params": params,
                                   "seed": seed})
    runner.submit(key, f"Generate {name}", _tasks.generate, train=ws.train, train_sha=ws.train_sha,
                  schema=ws.schema, generator=name, params=params, seed=seed, rows=rows)

pending = st.session_state.get(JOB)
if pending is not None:
    job = runner.get(pending[0])
    if job is not None:
        _jobs.show_job(job)
        if job.status == _jobs.DONE:
            stored = _store(job, pending[1], ws)
            st.success(f"Artifact **{stored}** is ready: {len(job.result['frame']):,} rows in "
                       f"{sum(job.result['seconds'].values()):.1f} s (run {job.result['run_id']}). "
                       "Compare it on the Compare page.")

arts = _state.artifacts()
if arts:
    st.subheader("Artifacts in this session")
    table = pd.DataFrame([{
        "artifact": a.name, "generator": a.generator, "rows": len(a.frame),
        "ε": a.privacy["epsilon"] if a.privacy else None,
        "δ": a.privacy["delta"] if a.privacy else None,
        "fit s": round(a.seconds.get("fit", 0.0), 2), "run": a.run_id,
        "current split": a.workspace_key == ws.key,
    } for a in arts.values()])
    st.dataframe(table, hide_index=True, width="stretch")
    chosen = st.selectbox("Download an artifact (synthetic rows)", list(arts))
    st.download_button("Download CSV", arts[chosen].frame.to_csv(index=False).encode("utf-8"),
                       file_name=f"{chosen}.csv", mime="text/csv")
