"""Compare page: every artifact of the current split side by side against the real-data
baselines.

Leaderboard (rows, ε, checks against stated thresholds, intervals), a privacy-utility view,
fidelity (per column, marginals of every plottable column), utility (TRTR vs TSTR), leakage
(DCR with its interval, attack AUCs with theirs, verdicts), fairness (differences with
intervals, small groups flagged) and reports with provenance. Aggregates only: no real row.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from synthguard.apps import _board, _jobs, _state, _tasks
from synthguard.apps._board import BASELINE
from synthguard.apps._messages import app_message
from synthguard.apps._widgets import default
from synthguard.evaluation.plots import privacy_utility

HELP = _board.column_help()

RUN = "sg.compare.run"
# Fast by default; singling out, linkability and reproduction are one click away.
DEFAULT_ATTACKS = ("dcr", "dcr_ratio", "domias", "exact_match", "attribute_inference")


@st.cache_resource(show_spinner=False)
def _attack_names() -> list[str] | None:
    try:
        from synthguard.evaluation.attacks import ATTACKS

        return ATTACKS.names()
    except ImportError:
        return None


@st.cache_data(show_spinner=False, max_entries=16)
def _tradeoff_png(board_json: str) -> bytes:
    board = pd.read_json(io.StringIO(board_json), orient="split")
    with _jobs.PLOT_LOCK:
        return _jobs.figure_png(privacy_utility(board, baseline=BASELINE))


def _column_config(board: pd.DataFrame) -> dict[str, Any]:
    """Tooltips, number formats (3 decimals, counts as integers, ε to 3 significant digits)
    and pinned rows/checks columns for a leaderboard grid."""
    config: dict[str, Any] = {"_index": st.column_config.TextColumn("artifact", pinned=True)}
    for column in board.columns:
        tip = HELP.get(column)
        pinned = column in _board.PINNED
        if column in _board.TEXT_COLUMNS:
            config[column] = st.column_config.TextColumn(column, help=tip, pinned=pinned)
        elif column in _board.INT_COLUMNS:
            config[column] = st.column_config.NumberColumn(column, help=tip, format="%d", pinned=pinned)
        elif column in ("ε", "δ"):
            config[column] = st.column_config.NumberColumn(column, help=tip, format="%.3g")
        else:
            config[column] = st.column_config.NumberColumn(column, help=tip, format="%.3f")
    return config


def _provenance(name: str, ws: _state.Workspace, dataset_key: str, run_id: str | None,
                attacks: list[str], seed: int) -> dict[str, Any]:
    """How an artifact and its evaluation were made: generator, parameters, ε, run ids,
    dataset fingerprint (no values)."""
    return {**_state.provenance(_state.artifacts().get(name), ws, dataset_key, name=name),
            "evaluation seed": seed, "leakage attacks": attacks, "evaluate run id": run_id}


def _relational_compare(source: str) -> None:
    """A synthetic folder of the Data page's relational dataset against it: multi-table
    quality, integrity, per-table and per-relationship results."""
    from synthguard.apps.views.relational import render_relational_report
    from synthguard.errors import SynthguardError

    st.caption(f"Real data: the relational dataset **{source}** (Data page). Aggregates only.")
    try:
        real = _state.relational_data(source)
    except (SynthguardError, OSError) as exc:
        st.error(f"Cannot read the relational dataset: {app_message(exc)}")
        return
    c1, c2, c3 = st.columns([3, 2, 1])
    folder = c1.text_input("Synthetic folder (one file per table)", key=default("cmp.rel_folder", ""),
                           help="For example the --out folder of `synthguard generate --data "
                                f"{source} --out DIR`.").strip()
    target = c2.text_input("Entity-level target (TABLE.COLUMN, optional)",
                           key=default("cmp.rel_target", "")).strip()
    seed = int(c3.number_input("Seed", min_value=0, step=1, key=default("cmp.seed", 0)))
    if not folder:
        st.info("Give the synthetic folder to evaluate.")
        return
    if not Path(folder).is_dir():
        st.error(f"{folder!r} is not a folder on this machine: give the folder the generator wrote.")
        return
    key = _jobs.input_key("relational", source, _state.folder_stamp(source), folder,
                          _state.folder_stamp(folder), target, seed)
    runner = _jobs.runner()
    if st.button("Evaluate folder", type="primary"):
        st.session_state[_state.RELATIONAL_RUN] = {"scope": source, "key": key}
        runner.submit(key, f"Evaluate {Path(folder).name}", _tasks.compare_relational, real=real,
                      folder=folder, target=target, seed=seed)
    run = st.session_state.get(_state.RELATIONAL_RUN)
    job = runner.get(key) if run and run.get("scope") == source and run.get("key") == key else None
    if job is None:
        st.info("Press **Evaluate folder** to compare it with the real tables.")
        return
    _jobs.show_job(job)
    if job.status != _jobs.DONE:
        return
    report = job.result["report"]
    render_relational_report(st, report)
    st.download_button("Download JSON report", json.dumps(report, indent=2, default=str),
                       file_name="synthguard-relational.json", mime="application/json")
    st.caption(f"Run {job.result['run_id']}.")


st.title("Compare")
relational_source = _state.relational_source()
if relational_source is not None:
    _relational_compare(relational_source)
    st.stop()
ws = _state.workspace_or_stop()
arts = _state.current_artifacts(ws)
cfg = ws.config
st.caption(f"Real data: **{ws.name}**, train {len(ws.train):,} rows, holdout {len(ws.holdout):,} "
           f"rows; target {cfg.target!r}, sensitive {', '.join(cfg.sensitive) or 'none'}. "
           "Aggregates only.")
if not arts:
    st.info(f"No artifact of {ws.name} for this split yet: make one on the Generate page.")
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

tables: dict[str, pd.DataFrame] = {name: a.frame for name, a in arts.items()}
shas = {name: a.sha256 for name, a in arts.items()}
meta = {name: {"generator": a.generator, "epsilon": (a.privacy or {}).get("epsilon"),
               "delta": (a.privacy or {}).get("delta"), "run_id": a.run_id}
        for name, a in arts.items()}
if baseline:
    tables = {BASELINE: ws.train, **tables}
    shas[BASELINE] = ws.train_sha
keys = {name: _jobs.input_key("compare", ws.settings_key, shas[name], cfg.target, cfg.sensitive,
                              attacks, seed)
        for name in tables}
runner = _jobs.runner()
if st.button("Run comparison", type="primary",
             help=f"Evaluates {len(tables)} table(s) in the background, two at a time."):
    st.session_state[RUN] = {"scope": ws.key, "keys": keys}
    for name, frame in tables.items():
        runner.submit(keys[name], f"Evaluate {name}", _tasks.compare, name=name, train=ws.train,
                      holdout=ws.holdout, synthetic=frame, schema=ws.schema, target=cfg.target,
                      sensitive=cfg.sensitive, attacks=attacks, seed=seed)

run = st.session_state.get(RUN)
submitted: dict[str, str] = run["keys"] if run and run.get("scope") == ws.key else {}
submitted = {n: k for n, k in submitted.items() if n in tables}  # artifacts of this split only
jobs = {name: runner.get(key) for name, key in submitted.items()}
live = {name: job for name, job in jobs.items() if job is not None}
if not live:
    st.info("Press **Run comparison** to evaluate every artifact against the real holdout.")
    st.stop()
if submitted != {n: keys[n] for n in submitted} or set(submitted) != set(keys):
    st.caption("Settings or artifacts changed since the last run: press Run comparison to update.")
_jobs.show_jobs(list(live.values()))
done = {name: job.result for name, job in live.items() if job.status == _jobs.DONE}
if not done:
    st.stop()
if len(done) < len(live):
    st.caption(f"{len(done)} of {len(live)} evaluations finished; the rest appear as they finish.")
results = {name: out["result"] for name, out in done.items()}
dataset_key = _state.loaded_dataset(ws)[0]
provenance = {name: _provenance(name, ws, dataset_key, done[name].get("run_id"), attacks, seed)
              for name in done}

st.subheader("Leaderboard")
board = _board.leaderboard(results, meta, digits=None)
numeric = [c for c in board.columns if c not in _board.TEXT_COLUMNS]
sort_by = st.selectbox("Sort by", numeric, key=default("cmp.sort", "quality", numeric))
ascending = st.toggle("Ascending", key=default("cmp.ascending", False))
board = board.sort_values(sort_by, ascending=ascending, na_position="last")
headline, details = _board.split_board(_board.rounded(board))
st.dataframe(headline, width="stretch", column_config=_column_config(headline))
st.caption("Hover a column header for what it measures; click it to sort. **checks** applies: "
           + "; ".join(c.rule for c in _board.THRESHOLDS)
           + "; leakage verdict low (the library's attack thresholds).")
st.markdown("**Intervals and component scores** (95% bootstrap intervals beside their numbers)")
st.dataframe(details, width="stretch", column_config=_column_config(details))
small = [n for n in board.index if n != BASELINE and board.loc[n, "rows"] < 0.5 * len(ws.train)]
if small:
    st.warning(f"{', '.join(small)} ha{'s' if len(small) == 1 else 've'} fewer than half as many "
               f"rows as the train split ({len(ws.train):,}): their scores are noisier and not "
               "directly comparable; see the rows column.")

fid_tab, trade_tab, util_tab, leak_tab, fair_tab, rep_tab = st.tabs(
    ["Fidelity", "Privacy–utility", "Utility", "Leakage", "Fairness", "Reports"])
names = list(done)
artifact_names = [n for n in names if n != BASELINE] or names


def _figures(name: str) -> dict[str, Any] | None:
    """The figures of one evaluated table, drawn by a background job on first request."""
    fig_key = _jobs.input_key("figures", submitted[name])
    job = runner.get(fig_key)
    if job is None:
        job = runner.submit(fig_key, f"Figures of {name}", _tasks.figures, result=results[name],
                            train=ws.train, synthetic=tables[name], schema=ws.schema)
    _jobs.show_job(job, cancel=False)
    return job.result if job.status == _jobs.DONE else None


with fid_tab:
    per_column = _board.readable(pd.DataFrame({n: r["fidelity"]["per_column"] for n, r in results.items()}))
    st.dataframe(per_column, width="stretch")
    st.caption("Per-column shape score (1 = same distribution as real).")
    shown = st.selectbox("Plots for", names, key=default("cmp.fid", artifact_names[-1], names))
    drawn = _figures(shown)
    if drawn is not None:
        figs = drawn["figures"]
        pages = ["marginals", *sorted(k for k in figs if k.startswith("marginals_"))]
        plotted = drawn["plotted"]
        for i, page in enumerate(pages):
            part = plotted[i * _tasks.MARGINALS_PER_FIGURE:(i + 1) * _tasks.MARGINALS_PER_FIGURE]
            st.image(figs[page], caption=f"Marginals, real vs synthetic: {', '.join(part)}")
        note = f"All {len(plotted)} plottable columns are shown."
        if drawn["omitted"]:
            note += (f" Not plotted (PII, id or free-text columns never are): "
                     f"{', '.join(drawn['omitted'])}.")
        if drawn["anonymised"]:
            note += f" Plotted without values: {', '.join(drawn['anonymised'])}."
        st.caption(note)
        st.image(figs["correlation"], caption="Correlation difference (Spearman on coded columns)")

with trade_tab:
    st.image(_tradeoff_png(board.to_json(orient="split")),
             caption="Each point is an artifact: its ε (artifacts without DP at ∞) against the share "
                     "of real-data utility kept (TSTR/TRTR) and the quality score. Up and left is "
                     "better: more useful at a smaller privacy loss.")
    trade = _board.rounded(board[["generator", "rows", "ε", "TSTR / TRTR", "quality"]])
    st.dataframe(trade, width="stretch", column_config=_column_config(trade))

with util_tab:
    rows: dict[str, dict[str, Any]] = {}
    for n, r in results.items():
        util = r.get("utility")
        if util:
            rows.setdefault("TRTR (real-trained)", util["trtr"])
            if n != BASELINE:
                rows[f"TSTR: {n}"] = util["tstr"]
    if rows:
        st.dataframe(_board.readable(pd.DataFrame.from_dict(rows, orient="index")), width="stretch")
        st.caption("Both models are tested on the real holdout.")
    else:
        st.info("Choose a target column on the Data page for TRTR vs TSTR.")

with leak_tab:
    privacy = pd.DataFrame.from_dict({n: {
        "DCR share closer to train": r["privacy"]["dcr_share_closer_to_train"],
        "DCR share 95% CI": _board.ci_text(r["privacy"].get("dcr_share_closer_to_train_ci")),
        "DCR to train (median)": r["privacy"]["dcr_train_median"],
        "DCR to holdout (median)": r["privacy"]["dcr_holdout_median"],
        "NNDR (median)": r["privacy"].get("nndr_median"),
        "exact copies of train": r["privacy"]["exact_copies_of_train"],
        "exact copies of holdout": r["privacy"].get("exact_copies_of_holdout"),
        "rows with a real PII/id value": (r["privacy"].get("pii") or {}).get("rows_with_real_value"),
    } for n, r in results.items()}, orient="index")
    st.dataframe(_board.readable(privacy), width="stretch")
    st.caption("DCR: distance to the closest real row. A share of 0.5 closer to train than to "
               "holdout means the generator is no closer to the rows it saw.")
    membership = {(n, a): e for n, r in results.items() if r.get("leakage")
                  for a, e in r["leakage"].get("membership", {}).items()}
    if membership:
        st.markdown("**Membership attacks** (AUC 0.5 = no signal)")
        st.dataframe(pd.DataFrame([{
            "artifact": n, "attack": _board.label(a), "AUC": round(e["auc"], 3),
            "AUC 95% CI": _board.ci_text((e.get("ci") or {}).get("auc")),
            "TPR @ 1% FPR": round(e["tpr_at_fpr_0.01"], 3), "verdict": e["verdict"],
        } for (n, a), e in membership.items()]), hide_index=True, width="stretch")
    risks = [{"artifact": n, "attack": _board.label(kind), "risk": round(r["leakage"][kind]["risk"], 3),
              "95% CI": _board.ci_text(r["leakage"][kind]["ci"]), "verdict": r["leakage"][kind]["verdict"]}
             for n, r in results.items() if r.get("leakage")
             for kind in ("attribute_inference", "singling_out", "linkability", "reproduction")
             if kind in r["leakage"]]
    if risks:
        st.markdown("**Re-identification risks** (Anonymeter-style, 0 = none)")
        st.dataframe(pd.DataFrame(risks), hide_index=True, width="stretch")
    shown = st.selectbox("DCR histogram for", names, key=default("cmp.dcr", artifact_names[-1], names))
    drawn = _figures(shown)
    if drawn is not None:
        st.image(drawn["figures"]["dcr"], caption="Distance to closest record: train vs holdout")

with fair_tab:
    distilled = {n: d for n, d in _state.distills().items() if d["workspace_key"] == ws.key}
    table = _board.fairness_table(results, distilled)
    if table.empty:
        st.info("Fairness needs a classification target and at least one sensitive column (Data page).")
    else:
        st.dataframe(_board.readable(table), width="stretch")
        st.caption("Differences across sensitive groups (intersectional when several columns) on "
                   "the real holdout, with 95% bootstrap intervals; gaps are relative to the "
                   "real-trained model. Groups below the minimum size are left out of the "
                   "differences (a group of 12 rows would swing them to 1.0) and listed below.")
        shown = st.selectbox("Per-group rates for", artifact_names,
                             key=default("cmp.fair", artifact_names[-1], artifact_names))
        fair = results[shown].get("fairness") or {}
        for model in ("real_model", "synthetic_model"):
            groups, small_groups, min_size = _board.group_table(fair.get(model, {}))
            if groups is None:
                continue
            st.markdown(f"**{model.replace('_', ' ')}** (groups of at least {min_size} holdout rows)")
            shown_groups = _board.readable(groups)
            st.dataframe(shown_groups, width="stretch")
            rates = [_board.label(c) for c in ("selection_rate", "tpr") if c in groups.columns]
            if rates:
                st.bar_chart(shown_groups[rates], stack=False, height=220)
            if small_groups:
                st.warning(f"{len(small_groups)} small group(s) under {min_size} rows left out of the "
                           f"differences: {', '.join(small_groups[:12])}"
                           + (" …" if len(small_groups) > 12 else ""))

with rep_tab:
    combined = {"dataset": {"name": ws.name, "fingerprint": dataset_key,
                            "train_sha256": ws.train_sha, "holdout_sha256": ws.holdout_sha,
                            "target": cfg.target, "sensitive": list(cfg.sensitive)},
                "leaderboard": json.loads(_board.rounded(board).reset_index().to_json(orient="records")),
                "thresholds": [c.rule for c in _board.THRESHOLDS],
                "provenance": {n: {**context, "generator run": (
                    p.to_dict() if (p := _state.artifact_provenance(_state.artifacts().get(n))) else None)}
                    for n, context in provenance.items()},
                "artifacts": results}
    st.download_button("Download JSON report", json.dumps(combined, indent=2, default=str),
                       file_name="synthguard-compare.json", mime="application/json")
    shown = st.selectbox("HTML report for", names, key=default("cmp.html", artifact_names[-1], names))
    html_key = _jobs.input_key("html", submitted[shown])
    html_job = runner.get(html_key)
    if html_job is None and st.button("Prepare HTML report"):
        html_job = runner.submit(html_key, f"HTML report {shown}", _tasks.html_report, name=shown,
                                 result=results[shown], train=ws.train, synthetic=tables[shown],
                                 schema=ws.schema,
                                 provenance=_state.artifact_provenance(_state.artifacts().get(shown)),
                                 context=provenance[shown])
    if html_job is not None:
        _jobs.show_job(html_job)
        if html_job.status == _jobs.DONE:
            st.download_button("Download HTML report", html_job.result,
                               file_name=f"synthguard-{shown}.html", mime="text/html")
    st.caption("Both reports carry provenance: generator, parameters, ε/δ, run ids and the "
               "dataset's fingerprint.")
