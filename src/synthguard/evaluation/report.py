"""The evaluation report: fidelity, utility, privacy, fairness (and leakage when asked).

``evaluate`` returns the JSON-ready dict (schema documented in the README); ``render_html``
turns it, with the two tables, into a self-contained HTML page of aggregates and plots.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from synthguard import __version__
from synthguard._io import to_jsonable, write_json_atomic
from synthguard.data.schema import ColumnKind, Schema, infer_schema
from synthguard.errors import DataFileError
from synthguard.evaluation import plots
from synthguard.evaluation._checks import (
    as_columns,
    drop_missing_target,
    is_classification,
    require_columns,
    require_usable_target,
    same_columns,
    usable_values,
)
from synthguard.evaluation._sampling import SampleInfo, cap_rows
from synthguard.evaluation.detectability import detectability
from synthguard.evaluation.fairness import HEADLINES, group_fairness, one_vs_rest_fairness
from synthguard.evaluation.fidelity import detection_fit, detection_summary, quality_score
from synthguard.evaluation.html import HtmlReport
from synthguard.evaluation.privacy import dcr_report, real_pii_report
from synthguard.evaluation.provenance import Provenance, as_provenance
from synthguard.evaluation.utility import utility_with_predictions
from synthguard.progress import ProgressCallback, report

STAGES = ("fidelity", "utility", "privacy", "fairness", "leakage")


def _fairness(holdout: pd.DataFrame, predictions: dict[str, np.ndarray], *, target: str,
              positive: str | None, sensitive: Sequence[str], seed: int) -> dict[str, Any]:
    """Group fairness of the TRTR (real-trained) and TSTR (synthetic-trained) models.

    A binary target is judged on its positive label; a multiclass target one class against the
    rest, each class in turn (the headline is the worst class), so it is never silently dropped.
    """
    holdout = drop_missing_target(holdout, target)
    y_true = holdout[target].astype(str).to_numpy()
    groups = holdout[list(sensitive)]
    out: dict[str, Any] = {"sensitive": list(sensitive)}
    if positive is not None:
        out["positive_label"] = positive
    else:
        out["scheme"] = "one-vs-rest"
        out["classes"] = sorted(set(y_true))
    for name, key in (("real_model", "trtr"), ("synthetic_model", "tstr")):
        if positive is not None:
            out[name] = group_fairness(y_true == positive, predictions[key] == positive, groups, seed=seed)
        else:
            out[name] = one_vs_rest_fairness(y_true, predictions[key], groups, classes=out["classes"], seed=seed)
    out["gap"] = {
        metric: (None if out["synthetic_model"][metric] is None or out["real_model"][metric] is None
                 else out["synthetic_model"][metric] - out["real_model"][metric])
        for metric in HEADLINES
    }
    return out


def evaluate(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    holdout: pd.DataFrame,
    *,
    target: str | None = None,
    sensitive: str | Sequence[str] = (),
    schema: Schema | None = None,
    attacks: str | Sequence[str] | None = None,
    secret: str | None = None,
    quasi_identifiers: str | Sequence[str] | None = None,
    seed: int = 0,
    progress: ProgressCallback | None = None,
    max_rows: int | None = None,
    dcr_rows: int = 10_000,
    sampling: Sequence[SampleInfo] = (),
) -> dict[str, Any]:
    """Compare ``synthetic`` with the real train table and a real holdout it never saw.

    Large tables: ``max_rows`` evaluates each table on a uniform random sample of at most
    that many rows (``sampling`` lists tables already sampled when loaded); the result's
    ``sampling`` section says what was sampled, and every interval is computed from the
    rows used, so it is as wide as the sample warrants. ``dcr_rows`` sizes the DCR samples
    (an HNSW index is used above 50k reference rows).
    """
    sensitive = as_columns(sensitive, name="sensitive")
    quasi_identifiers = as_columns(quasi_identifiers, name="quasi_identifiers") if quasi_identifiers else None
    attacks = as_columns(attacks, name="attacks") if attacks else None
    infos = {i.table: i for i in sampling}
    for name, frame in (("real", real), ("synthetic", synthetic), ("holdout", holdout)):
        capped, info = cap_rows(frame, max_rows, seed=seed, table=name)
        if name in infos:
            info = SampleInfo(name, infos[name].rows, len(capped), seed)
        infos[name] = info
        if name == "real":
            real = capped
        elif name == "synthetic":
            synthetic = capped
        else:
            holdout = capped
    for frame, name in ((real, "real"), (synthetic, "synthetic"), (holdout, "holdout")):
        if frame.empty:
            raise DataFileError(f"the {name} table is empty")
    schema = schema or infer_schema(real)
    from synthguard.redaction.identifiers import sensitive_columns

    sensitive_cols = sensitive_columns(real, schema, detect=True, seed=seed)
    dropped = [c for c in real.columns if c not in synthetic.columns and str(c) in sensitive_cols]
    full_real, full_synthetic = real, synthetic
    if dropped:  # PII/id columns the generator never saw (PII policy 'drop')
        real, holdout = real.drop(columns=dropped), holdout.drop(columns=dropped, errors="ignore")
        schema = schema.restricted({c: s for c, s in schema.columns.items() if c not in dropped})
    same_columns(real, synthetic, name="synthetic")
    same_columns(real, holdout, name="holdout")
    if target is not None:
        require_usable_target(real, target, table="real")
        require_usable_target(holdout, target, table="holdout")
    require_columns(real, list(sensitive), role="sensitive", table="real")
    if secret is not None:
        require_columns(real, [secret], role="secret", table="real")
    if quasi_identifiers:
        require_columns(real, list(quasi_identifiers), role="quasi-identifier", table="real")
    synthetic = synthetic[list(real.columns)]
    holdout = holdout[list(real.columns)]
    for frame, name in ((real, "real"), (synthetic, "synthetic"), (holdout, "holdout")):
        usable_values(frame, table=name)
    total = 4 + (1 if attacks else 0)
    result: dict[str, Any] = {
        "synthguard_version": __version__,
        "rows": {"real": len(real), "synthetic": len(synthetic), "holdout": len(holdout)},
        "target": target, "sensitive": list(sensitive),
        "sampling": _sampling_section(list(infos.values())),
        **({"secret": secret} if secret else {}),
    }
    report(progress, "evaluate", 0, total)
    quality = quality_score(real, synthetic, schema=schema)
    fit = detection_fit(real, synthetic, seed=seed)
    result["detectability"] = detectability(fit)
    result["fidelity"] = {**quality.to_dict(), **detection_summary(fit),
                          "detection_auc_ci": result["detectability"]["detection_auc_ci"]}
    report(progress, "evaluate", 1, total)
    predictions: dict[str, np.ndarray] = {}
    if target is not None:
        require_usable_target(synthetic, target, table="synthetic")
        result["utility"], predictions = utility_with_predictions(
            real, synthetic, holdout, target=target, seed=seed)
    report(progress, "evaluate", 2, total)
    result["privacy"] = dcr_report(real, holdout, synthetic, seed=seed, max_rows=dcr_rows)
    result["privacy"]["pii"] = real_pii_report(full_real, full_synthetic, sensitive_cols)
    report(progress, "evaluate", 3, total)
    if target is not None and sensitive and is_classification(real[target]):
        binary = real[target].nunique() == 2
        result["fairness"] = _fairness(holdout, predictions, target=target, sensitive=sensitive, seed=seed,
                                       positive=result["utility"]["positive_label"] if binary else None)
    report(progress, "evaluate", 4, total)
    if attacks:
        leakage = importlib.import_module("synthguard.evaluation.leakage")
        result["leakage"] = leakage.evaluate_leakage(
            train=real, holdout=holdout, synthetic=synthetic, attacks=list(attacks),
            secret=secret, quasi_identifiers=list(quasi_identifiers) if quasi_identifiers else None,
            seed=seed,
        )
        report(progress, "evaluate", 5, total)
    return to_jsonable(result)  # type: ignore[no-any-return]


def _sampling_section(infos: list[SampleInfo]) -> dict[str, Any]:
    sampled = [i for i in infos if i.sampled]
    note = ("every table was used in full" if not sampled else
            "metrics use uniform random samples of the tables marked sampled (seeded); "
            "intervals are computed from the rows used, so they are wider than full-data ones; "
            "DCR additionally uses its own stated-size samples (privacy.sampled)")
    return {"tables": {i.table: i.to_dict() for i in infos}, "any_sampled": bool(sampled), "note": note}


def render_html(result: dict[str, Any], real: pd.DataFrame, synthetic: pd.DataFrame, *,
                schema: Schema | None = None, title: str = "synthguard evaluation report",
                provenance: Provenance | Mapping[str, Any] | None = None) -> HtmlReport:
    """Build the HTML report (aggregates and plots only) from an ``evaluate`` result.

    ``provenance`` (or the result's own ``"provenance"`` section) is shown at the top: the
    generator, parameters, ε/δ, run id and dataset fingerprint the figures are about.
    """
    schema = schema or infer_schema(real)
    page = HtmlReport(title)
    prov = as_provenance(provenance if provenance is not None else result.get("provenance"))
    fid = result["fidelity"]
    page.kpis({
        "quality score": fid["quality_score"],
        "detection AUC": fid["detection_auc"],
        **({"TSTR/TRTR": result["utility"]["tstr_trtr_ratio"]} if result.get("utility") else {}),
        "DCR closer to train": result["privacy"]["dcr_share_closer_to_train"],
        "exact copies": result["privacy"]["exact_copies_of_train"],
    })
    page.paragraph(f"Rows: {result['rows']}. Every figure is an aggregate; no real row is shown.",
                   css_class="note")
    page.heading("Provenance")
    if prov is not None:
        page.table(prov.to_frame(), caption="How the synthetic table was made (no data values)")
    else:
        page.paragraph("Unknown: no recorded run produced this synthetic table (it was made "
                       "elsewhere or its file changed since).", css_class="note")
    sampling = result.get("sampling") or {}
    if sampling.get("any_sampled"):
        used = ", ".join(f"{t}: {v['used']:,} of {v['rows']:,} rows" for t, v in sampling["tables"].items()
                         if v["sampled"])
        page.paragraph(f"Sampled for evaluation ({used}): {sampling['note']}.", css_class="note")
    page.heading("Fidelity")
    page.paragraph(
        f"Column shapes {fid['column_shapes']:.3f}, column pair trends "
        f"{fid['column_pair_trends']:.3f} (SDMetrics-compatible definitions). Detection: a "
        f"classifier tells real from synthetic with ROC-AUC {fid['detection_auc']:.3f} (0.5 is ideal)."
    )
    if result.get("detectability"):
        _render_detectability(page, result["detectability"])
    per_col = pd.DataFrame({"score": fid["per_column"]}).sort_values("score")
    page.table(per_col.T, caption="Per-column shape score (1 = identical marginals)")
    figures, omitted = report_figures(result, real, synthetic, schema=schema)
    if omitted:
        page.paragraph(f"Not plotted (PII, identifier or free-text columns): {', '.join(omitted)}.",
                       css_class="note")
    for key in ("marginals", "correlation"):
        fig, caption = figures[key]
        page.figure(fig, caption=caption)
    if result.get("utility"):
        util = result["utility"]
        page.heading(f"Utility (target: {util['target']})")
        page.table(pd.DataFrame({"TRTR": util["trtr"], "TSTR": util["tstr"]}).T,
                   caption="Train on real vs train on synthetic, both tested on the real holdout")
        missing = {t: n for t, n in (util.get("rows_without_target") or {}).items() if n}
        if missing:
            counts = ", ".join(f"{t}: {n:,}" for t, n in missing.items())
            page.paragraph(f"Rows without a target value ({counts}): {util['missing_target_rule']}.",
                           css_class="note")
    page.heading("Privacy: distance to closest record")
    priv = {k: v for k, v in result["privacy"].items() if k not in ("histogram", "sampled", "pii")
            and not isinstance(v, list)}
    page.table(pd.DataFrame({"value": priv}), caption=f"Sampled rows: {result['privacy']['sampled']}")
    ci = result["privacy"].get("dcr_share_closer_to_train_ci")
    if ci:
        page.paragraph(f"Share of synthetic rows closer to train than to holdout: "
                       f"{result['privacy']['dcr_share_closer_to_train']:.3f} (95% CI {ci[0]:.3f}-{ci[1]:.3f}, "
                       "bootstrap over synthetic rows; 0.5 is ideal).", css_class="note")
    fig, caption = figures["dcr"]
    page.figure(fig, caption=caption)
    pii = result["privacy"].get("pii") or {}
    if pii.get("columns"):
        page.heading("Privacy: real PII/identifier values in the synthetic table")
        page.verdict("Real PII values", "high" if pii["flag"] else "low",
                     f"{pii['rows_with_real_value']} synthetic rows "
                     f"({pii['share_rows_with_real_value']:.1%}) hold a real value")
        page.table(pd.DataFrame(pii["columns"]).T, caption=pii["note"])
    if result.get("fairness"):
        fair = result["fairness"]
        page.heading(f"Fairness (sensitive: {', '.join(fair['sensitive'])})")
        models = ("real_model", "synthetic_model")
        view = fair
        if "per_class" in fair["real_model"]:  # multiclass: plot the class treated least evenly
            worst = fair["real_model"]["worst_class"]["equalized_odds_difference"] or fair["classes"][0]
            view = {m: fair[m]["per_class"][worst] for m in models}
            page.paragraph(f"Multiclass target: each class against the rest; differences are the "
                           f"worst class's; plots show class {worst!r}.", css_class="note")
        rows = {m: {k: _with_interval(view[m][k], view[m].get("ci95", {}).get(k)) for k in HEADLINES}
                for m in models}
        page.table(pd.DataFrame(rows).T, caption="Differences across groups (intersectional when several "
                   "columns), with bootstrap 95% intervals")
        small = view["real_model"].get("small_groups") or []
        if small:
            page.paragraph(f"{len(small)} group(s) have fewer than {_min_group(view['real_model'])} rows in "
                           "the holdout: they are flagged and left out of the differences.", css_class="note")
        for metric in ("selection_rate", "tpr"):
            page.figure(plots.group_bars(view, metric=metric), caption=f"{metric} per group")
    if result.get("leakage"):
        leakage = importlib.import_module("synthguard.evaluation.leakage")
        leakage.render_leakage(page, result["leakage"])
    return page


def _with_interval(value: float | None, ci: list[float] | None) -> str:
    if value is None:
        return "n/a (groups too small)"
    return f"{value:.3f} [{ci[0]:.3f}, {ci[1]:.3f}]" if ci else f"{value:.3f}"


def _min_group(block: dict[str, Any]) -> int:
    section = block.get("intersectional") or next(iter(block["by_column"].values()))
    return int(section.get("min_group_size", 0))


def value_hidden_columns(result: dict[str, Any], schema: Schema) -> tuple[list[str], list[str]]:
    """(columns never plotted, columns plotted without their values).

    Never plotted: schema kinds pii/id/text and the PII/identifier columns found by
    evaluation. Without values: the attribute-inference ``secret`` column (ranks and shares
    only, categories relabelled by their rank in the real table).
    """
    pii = (result.get("privacy") or {}).get("pii") or {}
    omitted = [c for c, spec in schema.columns.items()
               if spec.kind in (ColumnKind.ID, ColumnKind.TEXT, ColumnKind.PII)]
    omitted += [c for c in pii.get("columns", {}) if c not in omitted]
    leakage = result.get("leakage") or {}
    inference = (leakage.get("attribute_inference") or {}).get("details") or {}
    secrets = {result.get("secret"), (leakage.get("settings") or {}).get("secret"),
               inference.get("secret")} - {None}
    return omitted, sorted(str(c) for c in secrets if c not in omitted)


def report_figures(result: dict[str, Any], real: pd.DataFrame, synthetic: pd.DataFrame, *,
                   schema: Schema | None = None) -> tuple[dict[str, tuple[Any, str]], list[str]]:
    """The report's figures (name -> (figure, caption)) and the columns left out of them.

    No figure shows a value of a PII/identifier/text column; the secret column is plotted
    with anonymised labels (see :func:`value_hidden_columns`).
    """
    schema = schema or infer_schema(real)
    omitted, anonymise = value_hidden_columns(result, schema)
    columns = [c for c in real.columns if c in synthetic.columns and c in schema.columns
               and c not in omitted]
    figures: dict[str, tuple[Any, str]] = {
        "marginals": (plots.marginals(real, synthetic, columns, anonymise=anonymise),
                      "Marginals: real vs synthetic"
                      + (f" (values of {', '.join(anonymise)} hidden: categories by rank, "
                         "numbers as real quantiles)" if anonymise else "")),
        "correlation": (plots.correlation_difference(real, synthetic, columns),
                        "Correlation difference (Spearman on coded columns)"),
        "dcr": (plots.dcr_histogram(result["privacy"]["histogram"]),
                "DCR of synthetic rows to train and to holdout (equal-size samples)"),
    }
    return figures, [str(c) for c in omitted if c in real.columns]


def _render_detectability(page: HtmlReport, det: dict[str, Any]) -> None:
    """Which columns and pairs let the detector tell synthetic from real (aggregates only)."""
    lo, hi = det["detection_auc_ci"]
    page.heading("Detectability: what gives synthetic rows away")
    page.paragraph(
        f"Detection AUC {det['detection_auc']:.3f} ({det['ci_level']:.0%} CI {lo:.3f}-{hi:.3f}; "
        f"fold AUCs {', '.join(f'{a:.3f}' for a in det['fold_aucs'])}). Importance: "
        f"{det['importance_method']}. Single-column and pair AUCs: a detector that sees only those "
        "columns; a pair's lift over its better column points at a joint structure the generator missed.")
    page.figure(plots.importance_bars(det["importances"]),
                caption="Share of the detector's skill lost when each column is shuffled")
    rows = {f"{c['column']}": {"AUC": c["auc"], "CI low": c["ci"][0], "CI high": c["ci"][1]}
            for c in det["top_columns"]}
    rows.update({" + ".join(p["columns"]): {"AUC": p["auc"], "CI low": p["ci"][0], "CI high": p["ci"][1],
                                             "lift": p["lift"]} for p in det["top_pairs"]})
    if rows:
        page.table(pd.DataFrame(rows).T, caption="Detection AUC from the top columns alone and in pairs")


def with_provenance(result: dict[str, Any], provenance: Provenance | Mapping[str, Any] | None
                    ) -> dict[str, Any]:
    """``result`` with its ``"provenance"`` section set (unchanged when ``provenance`` is None)."""
    prov = as_provenance(provenance)
    return result if prov is None else {**result, "provenance": prov.to_dict()}


def write_report(result: dict[str, Any], out: str | Path, *, real: pd.DataFrame,
                 synthetic: pd.DataFrame, fmt: str | None = None, schema: Schema | None = None,
                 provenance: Provenance | Mapping[str, Any] | None = None) -> Path:
    """Write the report as JSON or HTML (chosen by ``fmt`` or the file suffix), atomically;
    ``provenance`` is embedded in both (JSON: the ``"provenance"`` section)."""
    out = Path(out)
    fmt = fmt or ("html" if out.suffix.lower() in (".html", ".htm") else "json")
    result = with_provenance(result, provenance)
    if fmt == "json":
        write_json_atomic(out, result)
    else:
        render_html(result, real, synthetic, schema=schema).write(out)
    return out


__all__ = ["STAGES", "evaluate", "render_html", "report_figures", "value_hidden_columns",
           "with_provenance", "write_report"]
