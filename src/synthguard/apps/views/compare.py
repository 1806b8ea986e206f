"""Compare page: every artifact of the session side by side against the real-data baselines.

Fidelity, utility (TRTR vs TSTR), leakage (DCR, attack AUCs and verdicts), fairness (real-
trained vs synthetic-trained vs distilled student), a sortable leaderboard and the reports.
Aggregates only: no real row is shown here.
"""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
import streamlit as st

from synthguard.apps import _jobs, _state, _tasks
from synthguard.apps._widgets import default

RUN = "sg.compare.run"
# Fast by default; singling out, linkability and reproduction are one click away.
DEFAULT_ATTACKS = ("dcr", "dcr_ratio", "domias", "exact_match", "attribute_inference")
BASELINE = "real train (baseline)"


@st.cache_resource(show_spinner=False)
def _attack_names() -> list[str] | None:
    try:
        from synthguard.evaluation.attacks import ATTACKS

        return ATTACKS.names()
    except ImportError:
        return None


def _max_membership(leakage: dict[str, Any] | None) -> float | None:
    if not leakage or not leakage.get("membership"):
        return None
    return max(float(e["auc"]) for e in leakage["membership"].values())


def leaderboard(results: dict[str, dict[str, Any]], meta: dict[str, dict[str, Any]]) -> pd.DataFrame:
    """One row per artifact (and the real-data baseline): the headline figures."""
    rows = []
    for name, res in results.items():
        fid, util, priv = res["fidelity"], res.get("utility") or {}, res["privacy"]
        fair, leak = res.get("fairness") or {}, res.get("leakage")
        rows.append({
            "artifact": name,
            "generator": meta.get(name, {}).get("generator", "real data"),
            "ε": meta.get(name, {}).get("epsilon"),
            "quality": fid["quality_score"],
            "column shapes": fid["column_shapes"],
            "pair trends": fid["column_pair_trends"],
            "detection AUC": fid["detection_auc"],
            "TSTR AUC": (util.get("tstr") or {}).get("roc_auc"),
            "TRTR AUC": (util.get("trtr") or {}).get("roc_auc"),
            "TSTR/TRTR": util.get("tstr_trtr_ratio"),
            "DCR closer to train": priv["dcr_share_closer_to_train"],
            "exact copies": priv["exact_copies_of_train"],
            "max membership AUC": _max_membership(leak),
            "leakage verdict": leak["verdict"] if leak else None,
            "EO gap (synth − real)": (fair.get("gap") or {}).get("equalized_odds_difference"),
            "DP gap (synth − real)": (fair.get("gap") or {}).get("demographic_parity_difference"),
        })
    board = pd.DataFrame(rows).set_index("artifact")
    board["ε"] = pd.to_numeric(board["ε"], errors="coerce")
    return board


def _fairness_rows(results: dict[str, dict[str, Any]], ws: _state.Workspace) -> pd.DataFrame:
    rows: dict[str, dict[str, Any]] = {}
    keys = ("demographic_parity_difference", "equalized_odds_difference")
    for name, res in results.items():
        fair = res.get("fairness")
        if not fair:
            continue
        rows.setdefault("real-trained (TRTR)", {k: fair["real_model"][k] for k in keys})
        if name != BASELINE:
            rows[f"synthetic-trained: {name}"] = {k: fair["synthetic_model"][k] for k in keys}
    for name, d in _state.distills().items():
        if d["workspace_key"] != ws.key:
            continue
        for role in ("teacher", "student"):
            fair = d["report"][role].get("fairness") or {}
            if fair:
                rows[f"{role} ({name})"] = {k: fair.get(k) for k in keys}
    table = pd.DataFrame.from_dict(rows, orient="index")
    if not table.empty and "real-trained (TRTR)" in table.index:
        for k in keys:
            reference = float(table.loc["real-trained (TRTR)", k])  # type: ignore[arg-type]
            table[f"gap vs real: {k}"] = table[k].astype(float) - reference
    return table


def _groups(fair_model: dict[str, Any]) -> pd.DataFrame | None:
    section = fair_model.get("intersectional") or next(iter(fair_model.get("by_column", {}).values()), None)
    if not section or not section.get("groups"):
        return None
    return pd.DataFrame.from_dict(section["groups"], orient="index")


st.title("Compare")
ws = _state.workspace_or_stop()
arts = _state.current_artifacts(ws)
cfg = ws.config
st.caption(f"Real data: **{ws.name}**, train {len(ws.train):,} rows, holdout {len(ws.holdout):,} "
           f"rows; target {cfg.target!r}, sensitive {', '.join(cfg.sensitive) or 'none'}. "
           "Aggregates only.")
if not arts:
    st.info("No artifact for this split yet: make one on the Generate page.")
    st.stop()

attack_names = _attack_names()
c1, c2, c3 = st.columns([3, 1, 1])
with c1:
    if attack_names is None:
        attacks: list[str] = []
        st.info("Leakage attacks are not available in this install; leakage shows DCR only.")
    else:
        attacks = st.multiselect("Leakage attacks", attack_names,
                                 key=default("cmp.attacks", [a for a in DEFAULT_ATTACKS if a in attack_names],
                                             attack_names))
with c2:
    seed = int(st.number_input("Seed", min_value=0, step=1, key=default("cmp.seed", 0)))
with c3:
    baseline = st.checkbox("Real-data baseline", key=default("cmp.baseline", True),
                           help="Evaluate the real train table itself: the fidelity/utility "
                                "ceiling and the worst case for privacy.")

tables: dict[str, Any] = {name: a.frame for name, a in arts.items()}
shas = {name: a.sha256 for name, a in arts.items()}
meta = {name: {"generator": a.generator, "epsilon": (a.privacy or {}).get("epsilon")}
        for name, a in arts.items()}
if baseline:
    tables = {BASELINE: ws.train, **tables}
    shas[BASELINE] = ws.train_sha
keys = {name: _jobs.input_key("compare", ws.key, shas[name], cfg.target, cfg.sensitive,
                                    attacks, seed)
        for name in tables}
runner = _jobs.runner()
if st.button("Run comparison", type="primary"):
    st.session_state[RUN] = keys
    for name, frame in tables.items():
        runner.submit(keys[name], f"Evaluate {name}", _tasks.compare, name=name, train=ws.train,
                      holdout=ws.holdout, synthetic=frame, schema=ws.schema, target=cfg.target,
                      sensitive=cfg.sensitive, attacks=attacks, seed=seed)

submitted: dict[str, str] = st.session_state.get(RUN) or {}
jobs = {name: runner.get(key) for name, key in submitted.items()}
live = {name: job for name, job in jobs.items() if job is not None}
if not live:
    st.info("Press **Run comparison** to evaluate every artifact against the real holdout.")
    st.stop()
if submitted != keys:
    st.caption("Settings or artifacts changed since the last run: press Run comparison to update.")
_jobs.show_jobs(list(live.values()))
done = {name: job.result for name, job in live.items() if job.status == _jobs.DONE}
if not done:
    st.stop()
if len(done) < len(live):
    st.caption(f"{len(done)} of {len(live)} evaluations finished; the rest appear as they finish.")
results = {name: out["result"] for name, out in done.items()}

st.subheader("Leaderboard")
board = leaderboard(results, meta)
sort_by = st.selectbox("Sort by", list(board.columns), key=default("cmp.sort", "quality", list(board.columns)))
ascending = st.toggle("Ascending", key=default("cmp.ascending", False))
board = board.sort_values(sort_by, ascending=ascending, na_position="last")
st.dataframe(board, width="stretch", column_config={
    c: st.column_config.NumberColumn(format="%.3f") for c in board.columns
    if c not in ("generator", "leakage verdict", "exact copies", "ε")})
st.caption("Click a column header to sort too. Quality and the SDMetrics-style scores: higher is "
           "closer to the real data; detection AUC and membership AUC: 0.5 is ideal; "
           "TSTR/TRTR: utility kept by training on synthetic rows.")

fid_tab, util_tab, leak_tab, fair_tab, rep_tab = st.tabs(
    ["Fidelity", "Utility", "Leakage", "Fairness", "Reports"])
names = list(done)

with fid_tab:
    per_column = pd.DataFrame({n: r["fidelity"]["per_column"] for n, r in results.items()})
    st.dataframe(per_column, width="stretch")
    shown = st.selectbox("Plots for", names, key=default("cmp.fid", names[-1], names))
    st.image(done[shown]["figures"]["marginals"], caption="Marginals: real vs synthetic")
    st.image(done[shown]["figures"]["correlation"], caption="Correlation difference")

with util_tab:
    rows: dict[str, dict[str, Any]] = {}
    for n, r in results.items():
        util = r.get("utility")
        if util:
            rows.setdefault("TRTR (real-trained)", util["trtr"])
            if n != BASELINE:
                rows[f"TSTR: {n}"] = util["tstr"]
    if rows:
        st.dataframe(pd.DataFrame.from_dict(rows, orient="index"), width="stretch")
        st.caption("Both trained models are tested on the real holdout.")
    else:
        st.info("Choose a target column on the Data page for TRTR vs TSTR.")

with leak_tab:
    privacy = pd.DataFrame({n: {k: v for k, v in r["privacy"].items() if k not in ("histogram", "sampled")}
                            for n, r in results.items()})
    st.dataframe(privacy, width="stretch")
    shown = st.selectbox("DCR histogram for", names, key=default("cmp.dcr", names[-1], names))
    st.image(done[shown]["figures"]["dcr"], caption="Distance to closest record: train vs holdout")
    membership = {(n, a): e for n, r in results.items() if r.get("leakage")
                  for a, e in r["leakage"].get("membership", {}).items()}
    if membership:
        st.markdown("**Membership attacks** (AUC 0.5 = no signal)")
        st.dataframe(pd.DataFrame([{"artifact": n, "attack": a, "AUC": e["auc"],
                                    "TPR @ 1% FPR": e["tpr_at_fpr_0.01"], "verdict": e["verdict"]}
                                   for (n, a), e in membership.items()]), hide_index=True,
                     width="stretch")
    risks = [{"artifact": n, "attack": kind, "risk": r["leakage"][kind]["risk"],
              "CI": r["leakage"][kind]["ci"], "verdict": r["leakage"][kind]["verdict"]}
             for n, r in results.items() if r.get("leakage")
             for kind in ("attribute_inference", "singling_out", "linkability", "reproduction")
             if kind in r["leakage"]]
    if risks:
        st.markdown("**Re-identification risks** (Anonymeter-style, 0 = none)")
        st.dataframe(pd.DataFrame(risks), hide_index=True, width="stretch")
    verdicts = {n: r["leakage"]["verdict"] for n, r in results.items() if r.get("leakage")}
    if verdicts:
        st.markdown("**Verdicts**: " + ", ".join(f"{n}: {v}" for n, v in verdicts.items()))

with fair_tab:
    table = _fairness_rows(results, ws)
    if table.empty:
        st.info("Fairness needs a binary target and at least one sensitive column (Data page).")
    else:
        st.dataframe(table, width="stretch")
        st.caption("Differences across groups (intersectional when several sensitive columns); "
                   "gaps are relative to the real-trained model.")
        shown = st.selectbox("Per-group rates for", [n for n in names if n != BASELINE] or names,
                             key=default("cmp.fair", names[-1], names))
        fair = results[shown].get("fairness") or {}
        for model in ("real_model", "synthetic_model"):
            groups = _groups(fair.get(model, {}))
            if groups is not None:
                st.markdown(f"**{model.replace('_', ' ')}**")
                st.dataframe(groups, width="stretch")
        for metric in ("selection_rate", "tpr"):
            png = done[shown]["figures"].get(f"fairness_{metric}")
            if png:
                st.image(png, caption=f"{metric} per group")

with rep_tab:
    combined = {"workspace": {"train_sha256": ws.train_sha, "holdout_sha256": ws.holdout_sha,
                              "target": cfg.target, "sensitive": list(cfg.sensitive)},
                "leaderboard": json.loads(board.reset_index().to_json(orient="records")),
                "artifacts": results}
    st.download_button("Download JSON report", json.dumps(combined, indent=2, default=str),
                       file_name="synthguard-compare.json", mime="application/json")
    shown = st.selectbox("HTML report for", names, key=default("cmp.html", names[-1], names))
    html_key = _jobs.input_key("html", submitted[shown])
    html_job = runner.get(html_key)
    if html_job is None and shown in tables and st.button("Prepare HTML report"):
        html_job = runner.submit(html_key, f"HTML report {shown}", _tasks.html_report, name=shown,
                                 result=results[shown], train=ws.train, synthetic=tables[shown],
                                 schema=ws.schema)
    if html_job is not None:
        _jobs.show_job(html_job)
        if html_job.status == _jobs.DONE:
            st.download_button("Download HTML report", html_job.result,
                               file_name=f"synthguard-{shown}.html", mime="text/html")
