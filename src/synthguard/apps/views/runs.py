"""Runs page: the run store (every CLI and app run) and each dataset's privacy budget."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
import streamlit as st

from synthguard.apps import _state
from synthguard.apps._widgets import default
from synthguard.errors import SynthguardError
from synthguard.ledger import RunStore, default_store_path


def _eps(privacy: dict[str, Any] | None) -> float | None:
    if not privacy:
        return None
    if privacy.get("epsilon") is not None:
        return float(privacy["epsilon"])
    nested = [v.get("epsilon") for v in privacy.values() if isinstance(v, dict)]
    return next((float(e) for e in nested if e is not None), None)


st.title("Runs")
st.caption(f"Run store: `{default_store_path()}` (hashes, parameters and metrics; never raw values).")
limit = int(st.number_input("Show the latest", min_value=5, step=25, key=default("runs.limit", 50)))
runs = RunStore().list(limit=limit)
if not runs:
    st.info("No run recorded yet.")
else:
    table = pd.DataFrame([{
        "run": r["run_id"], "command": r["command"], "started": r["started"], "status": r["status"],
        "plugin": r.get("plugin"), "dataset": (r.get("dataset_sha256") or "")[:12],
        "ε": _eps(r.get("privacy")),
        "metrics": ", ".join(f"{k}={v:.3g}" if isinstance(v, float) else f"{k}={v}"
                             for k, v in (r.get("metrics") or {}).items()),
    } for r in runs])
    st.dataframe(table, hide_index=True, width="stretch")

st.subheader("Privacy budgets")
try:
    from synthguard.ledger.budget import BudgetLedger
except ImportError:
    st.info("The privacy-budget ledger is not available in this install.")
    st.stop()

ledger = BudgetLedger()
datasets = sorted({r["dataset_sha256"] for r in runs if r.get("dataset_sha256")})
try:
    ws: _state.Workspace | None = _state.workspace()
except (SynthguardError, LookupError):
    ws = None
if ws is not None and ws.train_sha not in datasets:
    datasets.insert(0, ws.train_sha)
rows = []
for sha in datasets:
    status = ledger.status(sha)
    spent = status.spent.epsilon
    rows.append({
        "dataset": sha[:12] + ("  (current train split)" if ws is not None and sha == ws.train_sha else ""),
        "budget ε": status.budget.epsilon if status.budget else None,
        "budget δ": status.budget.delta if status.budget else None,
        "spent ε": spent if math.isfinite(spent) else None,
        "spent δ": status.spent.delta,
        "left ε": status.remaining_epsilon,
        "DP runs": len(status.spends),
    })
if rows:
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    st.caption("Spends compose under the accountant each run states (zCDP runs in ρ); a dataset "
               "is identified by its fingerprint, so a budget follows the data, not the file.")

if ws is not None:
    with st.form("budget"):
        st.markdown(f"Set the budget of the current train split (`{ws.train_sha[:12]}`)")
        b1, b2 = st.columns(2)
        eps = b1.number_input("Budget ε", min_value=0.01, value=4.0, step=0.5)
        delta = b2.number_input("Budget δ", min_value=1e-12, max_value=0.5, value=1e-5, format="%g")
        if st.form_submit_button("Set budget"):
            try:
                ledger.set_budget(ws.train_sha, epsilon=float(eps), delta=float(delta), note="set in the app")
                st.success(f"Budget set: ε={eps:g}, δ={delta:g}.")
                st.rerun()
            except SynthguardError as exc:
                st.error(str(exc))
