"""The evaluation report: fidelity, utility, privacy, fairness (and leakage when asked).

``evaluate`` returns the JSON-ready dict (schema documented in the README); ``render_html``
turns it, with the two tables, into a self-contained HTML page of aggregates and plots.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
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
    is_classification,
    require_columns,
    require_usable_target,
    same_columns,
)
from synthguard.evaluation._sampling import SampleInfo, cap_rows
from synthguard.evaluation.fairness import group_fairness
from synthguard.evaluation.fidelity import detection_score, quality_score
from synthguard.evaluation.html import HtmlReport
from synthguard.evaluation.privacy import dcr_report
from synthguard.evaluation.utility import utility_with_predictions
from synthguard.progress import ProgressCallback, report

STAGES = ("fidelity", "utility", "privacy", "fairness", "leakage")


def _fairness(holdout: pd.DataFrame, predictions: dict[str, np.ndarray], *, target: str,
              positive: str, sensitive: Sequence[str]) -> dict[str, Any]:
    """Group fairness of the TRTR (real-trained) and TSTR (synthetic-trained) models."""
    y_true = (holdout[target].astype(str) == positive).to_numpy()
    out: dict[str, Any] = {"sensitive": list(sensitive), "positive_label": positive}
    for name, key in (("real_model", "trtr"), ("synthetic_model", "tstr")):
        out[name] = group_fairness(y_true, predictions[key] == positive, holdout[list(sensitive)])
    out["gap"] = {
        metric: out["synthetic_model"][metric] - out["real_model"][metric]
        for metric in ("demographic_parity_difference", "equalized_odds_difference")
    }
    return out


def evaluate(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    holdout: pd.DataFrame,
    *,
    target: str | None = None,
    sensitive: Sequence[str] = (),
    schema: Schema | None = None,
    attacks: Sequence[str] | None = None,
    secret: str | None = None,
    quasi_identifiers: Sequence[str] | None = None,
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
    same_columns(real, synthetic, name="synthetic")
    same_columns(real, holdout, name="holdout")
    if target is not None:
        require_usable_target(real, target, table="real")
        require_usable_target(holdout, target, table="holdout")
    require_columns(real, list(sensitive), role="sensitive", table="real")
    synthetic = synthetic[list(real.columns)]
    holdout = holdout[list(real.columns)]
    schema = schema or infer_schema(real)
    total = 4 + (1 if attacks else 0)
    result: dict[str, Any] = {
        "synthguard_version": __version__,
        "rows": {"real": len(real), "synthetic": len(synthetic), "holdout": len(holdout)},
        "target": target, "sensitive": list(sensitive),
        "sampling": _sampling_section(list(infos.values())),
    }
    report(progress, "evaluate", 0, total)
    quality = quality_score(real, synthetic, schema=schema)
    result["fidelity"] = {**quality.to_dict(), **detection_score(real, synthetic, seed=seed)}
    report(progress, "evaluate", 1, total)
    predictions: dict[str, np.ndarray] = {}
    if target is not None:
        require_usable_target(synthetic, target, table="synthetic")
        result["utility"], predictions = utility_with_predictions(
            real, synthetic, holdout, target=target, seed=seed)
    report(progress, "evaluate", 2, total)
    result["privacy"] = dcr_report(real, holdout, synthetic, seed=seed, max_rows=dcr_rows)
    report(progress, "evaluate", 3, total)
    if target is not None and sensitive and is_classification(real[target]) and real[target].nunique() == 2:
        result["fairness"] = _fairness(holdout, predictions, target=target,
                                       positive=result["utility"]["positive_label"], sensitive=sensitive)
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
                schema: Schema | None = None, title: str = "synthguard evaluation report") -> HtmlReport:
    """Build the HTML report (aggregates and plots only) from an ``evaluate`` result."""
    schema = schema or infer_schema(real)
    page = HtmlReport(title)
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
    per_col = pd.DataFrame({"score": fid["per_column"]}).sort_values("score")
    page.table(per_col.T, caption="Per-column shape score (1 = identical marginals)")
    columns = [c for c in real.columns if schema.columns[c].kind not in (ColumnKind.ID, ColumnKind.TEXT, ColumnKind.PII)]
    page.figure(plots.marginals(real, synthetic, columns), caption="Marginals: real vs synthetic")
    page.figure(plots.correlation_difference(real, synthetic, columns),
                caption="Correlation difference (Spearman on coded columns)")
    if result.get("utility"):
        util = result["utility"]
        page.heading(f"Utility (target: {util['target']})")
        page.table(pd.DataFrame({"TRTR": util["trtr"], "TSTR": util["tstr"]}).T,
                   caption="Train on real vs train on synthetic, both tested on the real holdout")
    page.heading("Privacy: distance to closest record")
    priv = {k: v for k, v in result["privacy"].items() if k not in ("histogram", "sampled")}
    page.table(pd.DataFrame({"value": priv}), caption=f"Sampled rows: {result['privacy']['sampled']}")
    page.figure(plots.dcr_histogram(result["privacy"]["histogram"]),
                caption="DCR of synthetic rows to train and to holdout (equal-size samples)")
    if result.get("fairness"):
        fair = result["fairness"]
        page.heading(f"Fairness (sensitive: {', '.join(fair['sensitive'])})")
        rows = {m: {k: fair[m][k] for k in ("demographic_parity_difference", "equalized_odds_difference")}
                for m in ("real_model", "synthetic_model")}
        page.table(pd.DataFrame(rows).T, caption="Differences across groups (intersectional when several columns)")
        for metric in ("selection_rate", "tpr"):
            page.figure(plots.group_bars(fair, metric=metric), caption=f"{metric} per group")
    if result.get("leakage"):
        leakage = importlib.import_module("synthguard.evaluation.leakage")
        leakage.render_leakage(page, result["leakage"])
    return page


def write_report(result: dict[str, Any], out: str | Path, *, real: pd.DataFrame,
                 synthetic: pd.DataFrame, fmt: str | None = None, schema: Schema | None = None) -> Path:
    """Write the report as JSON or HTML (chosen by ``fmt`` or the file suffix), atomically."""
    out = Path(out)
    fmt = fmt or ("html" if out.suffix.lower() in (".html", ".htm") else "json")
    if fmt == "json":
        write_json_atomic(out, result)
    else:
        render_html(result, real, synthetic, schema=schema).write(out)
    return out


__all__ = ["STAGES", "evaluate", "render_html", "write_report"]
