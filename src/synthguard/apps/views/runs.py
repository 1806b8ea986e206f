"""Runs page: the run store (every CLI and app run) and each dataset's privacy budget."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
import streamlit as st

from synthguard.apps import _board, _state
from synthguard.apps._messages import app_message
from synthguard.apps._validate import check_budget_form
from synthguard.apps._widgets import default
from synthguard.errors import SynthguardError
from synthguard.ledger import RunStore, default_store_path

MESSAGE = "sg.message"  # cleared with the other pages' pending messages when the data changes


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
        "metrics": ", ".join(f"{_board.label(k)} {v:.3g}" if isinstance(v, float) else f"{_board.label(k)} {v}"
                             for k, v in (r.get("metrics") or {}).items()),
    } for r in runs])
    st.dataframe(table, hide_index=True, width="stretch",
                 column_config={"ε": st.column_config.NumberColumn("ε", format="%.3g")})

st.subheader("Privacy budgets")
try:
    from synthguard.ledger.budget import BudgetLedger
except ImportError:
    st.info("The privacy-budget ledger is not available in this install.")
    st.stop()

ledger = BudgetLedger()
try:
    ws: _state.Workspace | None = _state.workspace()
except (SynthguardError, LookupError):
    ws = None
if ws is not None:
    _state.enter_split(ws)
current = _state.loaded_dataset(ws)[0] if ws is not None else None
datasets = [d.fingerprint for d in ledger.datasets()]  # every dataset a DP fit charged
if current is not None and current not in datasets:
    datasets.insert(0, current)
rows = []
for sha in datasets:
    status = ledger.status(sha)
    spent = status.spent.epsilon
    rows.append({
        "dataset": sha[:12] + ("  (loaded dataset)" if sha == current else ""),
        "budget ε": status.budget.epsilon if status.budget else None,
        "budget δ": status.budget.delta if status.budget else None,
        "spent ε": spent if math.isfinite(spent) else None,
        "spent δ": status.spent.delta,
        "left ε": status.remaining_epsilon,
        "DP runs": len(status.spends),
    })
if rows:
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch",
                 column_config={c: st.column_config.NumberColumn(c, format="%.3g")
                                for c in ("budget ε", "budget δ", "spent ε", "spent δ", "left ε")})
    st.caption("Spends compose under the accountant each run states (zCDP runs in ρ); a dataset "
               "is identified by an order-, format- and dtype-independent fingerprint and "
               "near-copy rules (docs/dp.md), so a budget follows the data, not the file.")

if ws is not None:
    with st.form("budget"):
        st.markdown(f"Set the budget of the loaded dataset **{ws.name}** (fingerprint "
                    f"`{current[:12] if current else ''}`; every split and sample of it is charged to it)")
        b1, b2 = st.columns(2)
        eps = b1.number_input("Budget ε", min_value=0.0, value=4.0, step=0.5, format="%g")
        delta = b2.number_input("Budget δ", min_value=0.0, max_value=1.0, value=1e-5, format="%g")
        if st.form_submit_button("Set budget"):
            problems = check_budget_form(float(eps), float(delta))
            for problem in problems:
                st.error(problem)
            if not problems:
                try:
                    ledger.set_budget(str(current), epsilon=float(eps), delta=float(delta),
                                      note="set in the app")
                except SynthguardError as exc:
                    st.error(app_message(exc))
                else:
                    st.session_state[MESSAGE] = (str(current), f"Budget set: ε={eps:g}, δ={delta:g}.")
                    st.rerun()
    message = st.session_state.get(MESSAGE)
    if message is not None and message[0] == current:
        st.success(message[1])
