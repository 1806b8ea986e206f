"""A leaderboard of evaluated artifacts: one row each, readable column names, rounded values.

``leaderboard(results)`` takes ``evaluate`` results by artifact name (dicts or
:class:`~synthguard.api.EvaluationReport`) and returns a DataFrame a person can read: the
number of rows each artifact has (a 350-row artifact is noisier than a 30,000-row one), every
verdict and fairness column with its 95% interval beside it, and a ``checks`` column that
applies the stated thresholds. :func:`column_help` gives each column's tooltip with its
threshold; :func:`plots.privacy_utility <synthguard.evaluation.plots.privacy_utility>` draws
ε against TSTR/TRTR and quality from the same frame.

Thresholds are conventions of the field, stated so that a reader can disagree; leakage uses
the library's own thresholds (``result["leakage"]["thresholds"]``) through its verdict.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from synthguard.evaluation.provenance import Provenance, as_provenance

BASELINE = "real train (baseline)"


@dataclass(frozen=True)
class Threshold:
    """A pass/fail reading of one leaderboard column: ``passes(value)`` and the rule in words."""

    column: str
    rule: str
    passes: Callable[[float], bool]


THRESHOLDS: tuple[Threshold, ...] = (
    Threshold("rows / train rows", "rows ≥ 0.5 × train rows (fewer rows: noisier, flattering scores)",
              lambda v: v >= 0.5),
    Threshold("quality", "quality ≥ 0.80", lambda v: v >= 0.80),
    Threshold("detection AUC", "detection AUC ≤ 0.75 (0.5: indistinguishable)", lambda v: v <= 0.75),
    Threshold("TSTR / TRTR", "TSTR/TRTR ≥ 0.90 (utility kept)", lambda v: v >= 0.90),
    Threshold("DCR share closer to train",
              "DCR share ≤ 0.55 (0.5: no closer to train than to holdout)", lambda v: v <= 0.55),
    Threshold("exact copies of train", "no exact copy of a train row", lambda v: v == 0),
    Threshold("max membership AUC", "membership AUC < 0.55", lambda v: v < 0.55),
    Threshold("EO gap (synthetic − real)", "|EO gap| ≤ 0.10 (fairness kept)", lambda v: abs(v) <= 0.10),
)

_HELP: dict[str, str] = {
    "generator": "The generator that made the rows (the baseline is the real train table itself).",
    "rows": "Synthetic rows evaluated. Fewer rows make every score noisier; compare artifacts of "
            "similar size.",
    "rows / train rows": "Synthetic rows over the real train rows they are compared with.",
    "ε": "Privacy loss spent by a differentially private generator (empty: no formal guarantee).",
    "δ": "Probability that the ε guarantee fails (DP generators).",
    "run id": "The run that made the artifact (synthguard runs).",
    "checks": "Which thresholds the artifact meets (see each column's help for its rule).",
    "quality": "SDMetrics-style quality: mean of column shapes and pair trends, 1 = same as real.",
    "column shapes": "How well each column's distribution matches (1 = identical).",
    "pair trends": "How well pairwise correlations/contingencies match (1 = identical).",
    "detection AUC": "ROC-AUC of a classifier telling synthetic from real rows: 0.5 = cannot tell, "
                     "1 = always can.",
    "detection AUC 95% CI": "Bootstrap 95% interval of the detection AUC.",
    "TSTR AUC": "ROC-AUC on the real holdout of a model trained on the synthetic rows.",
    "TRTR AUC": "ROC-AUC on the real holdout of the same model trained on the real train rows.",
    "TSTR / TRTR": "Share of the real-data model's ROC-AUC kept by training on synthetic rows.",
    "rows without target": "Rows whose target is missing (all tables): left out of utility and "
                           "fairness, counted here.",
    "DCR share closer to train": "Share of synthetic rows closer to a train row than to any holdout "
                                 "row (equal-size samples); 0.5 = no memorisation signal.",
    "DCR share 95% CI": "Bootstrap 95% interval of the DCR share.",
    "exact copies of train": "Synthetic rows equal to a train row.",
    "rows with real PII": "Synthetic rows holding a real value of a PII/identifier column.",
    "max membership AUC": "Best membership-inference attack's ROC-AUC: 0.5 = no signal.",
    "leakage verdict": "The leakage attacks' verdict (low/medium/high) by the library's thresholds.",
    "fairness scheme": "binary (positive label) or one-vs-rest (multiclass target: the worst class).",
    "DP difference (synthetic-trained)": "Demographic-parity difference of the synthetic-trained "
                                         "model across sensitive groups (0 = equal selection rates).",
    "DP difference 95% CI": "Bootstrap 95% interval of the demographic-parity difference.",
    "EO difference (synthetic-trained)": "Equalised-odds difference of the synthetic-trained model "
                                         "(largest TPR/FPR gap across groups; 0 = equal).",
    "EO difference 95% CI": "Bootstrap 95% interval of the equalised-odds difference.",
    "EO gap (synthetic − real)": "Equalised-odds difference of the synthetic-trained model minus that "
                                 "of the real-trained one (> 0: synthetic data made it less fair).",
    "DP gap (synthetic − real)": "Demographic-parity difference, synthetic-trained minus real-trained.",
    "small groups": "Sensitive groups under the minimum size: flagged and left out of the "
                    "differences (instead of producing a difference of 1.0 from a few rows).",
}

TEXT_COLUMNS = ("generator", "run id", "checks", "leakage verdict", "fairness scheme",
                "detection AUC 95% CI", "DCR share 95% CI", "DP difference 95% CI",
                "EO difference 95% CI")
INT_COLUMNS = ("rows", "rows without target", "exact copies of train", "rows with real PII",
               "small groups")
COLUMNS = tuple(_HELP)


def column_help() -> dict[str, str]:
    """Tooltip of every leaderboard column: what it measures and, where one applies, its
    threshold (``"… Threshold: quality ≥ 0.80."``)."""
    rules = {t.column: t.rule for t in THRESHOLDS}
    return {c: text + (f" Threshold: {rules[c]}." if c in rules else "") for c, text in _HELP.items()}


def ci_text(ci: Any, digits: int = 3) -> str | None:
    """``"[0.612, 0.655]"`` from a two-number interval, None when there is none."""
    if not isinstance(ci, list | tuple) or len(ci) != 2 or ci[0] is None or ci[1] is None:
        return None
    return f"[{float(ci[0]):.{digits}f}, {float(ci[1]):.{digits}f}]"


def finite_number(value: Any) -> float | None:
    """A table cell as a finite float, or None for missing, non-finite, text and bool cells (a
    verdict or a flag is not a score)."""
    if value is None or isinstance(value, bool | str):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def checks_text(row: Mapping[str, Any]) -> str:
    """``"✓ all 7"`` or ``"✗ detection AUC, TSTR / TRTR (5/7)"``: the thresholds an artifact
    fails, over those that apply to it (a leakage verdict of medium/high fails too)."""
    applicable = [(t, v) for t in THRESHOLDS if (v := finite_number(row.get(t.column))) is not None]
    verdict = row.get("leakage verdict")
    if not applicable and not verdict:
        return "–"
    failed = [t.column for t, v in applicable if not t.passes(v)]
    if verdict in ("medium", "high"):
        failed.append(f"leakage {verdict}")
    total = len(applicable) + (1 if verdict else 0)
    return f"✓ all {total}" if not failed else f"✗ {', '.join(failed)} ({total - len(failed)}/{total})"


def _max_membership(leakage: Mapping[str, Any] | None) -> float | None:
    if not leakage or not leakage.get("membership"):
        return None
    return max(float(e["auc"]) for e in leakage["membership"].values())


def _fairness_columns(fair: Mapping[str, Any]) -> dict[str, Any]:
    if not fair:
        return {"fairness scheme": None, "DP difference (synthetic-trained)": None,
                "DP difference 95% CI": None, "EO difference (synthetic-trained)": None,
                "EO difference 95% CI": None, "EO gap (synthetic − real)": None,
                "DP gap (synthetic − real)": None, "small groups": None}
    model = fair.get("synthetic_model") or {}
    per_class = model.get("per_class")
    if per_class:  # multiclass: the headline is the worst class; its interval goes with it
        worst = model.get("worst_class") or {}
        ci = {m: ((per_class.get(worst.get(m)) or {}).get("ci95") or {}).get(m)
              for m in ("demographic_parity_difference", "equalized_odds_difference")}
        small = {str(g) for r in per_class.values() for g in r.get("small_groups") or []}
    else:
        ci = model.get("ci95") or {}
        small = {str(g) for g in model.get("small_groups") or []}
    gap = fair.get("gap") or {}
    return {
        "fairness scheme": "one-vs-rest" if per_class else "binary",
        "DP difference (synthetic-trained)": model.get("demographic_parity_difference"),
        "DP difference 95% CI": ci_text(ci.get("demographic_parity_difference")),
        "EO difference (synthetic-trained)": model.get("equalized_odds_difference"),
        "EO difference 95% CI": ci_text(ci.get("equalized_odds_difference")),
        "EO gap (synthetic − real)": gap.get("equalized_odds_difference"),
        "DP gap (synthetic − real)": gap.get("demographic_parity_difference"),
        "small groups": len(small),
    }


def _as_dict(result: Any) -> Mapping[str, Any]:
    return result.to_dict() if hasattr(result, "to_dict") else result  # type: ignore[no-any-return]


def leaderboard(results: Mapping[str, Any],
                meta: Mapping[str, Provenance | Mapping[str, Any]] | None = None, *,
                digits: int | None = 3) -> pd.DataFrame:
    """One row per artifact, indexed by its name (``"artifact"``).

    ``results`` maps a name to an ``evaluate`` result (dict or ``EvaluationReport``); name a
    real-table baseline :data:`BASELINE` to show the ceiling. ``meta`` gives each artifact's
    :class:`Provenance` (or a dict with ``generator``/``epsilon``); by default it is read from
    the result's own ``"provenance"`` section. Values are rounded to ``digits`` decimals
    (ε to 3 significant digits, counts as integers); ``digits=None`` keeps full precision.
    Columns are :data:`COLUMNS`, in that order; :func:`column_help` explains each.
    """
    rows = []
    for name, raw in results.items():
        res = _as_dict(raw)
        fid, util, priv = res["fidelity"], res.get("utility") or {}, res["privacy"]
        leak = res.get("leakage")
        given = (meta or {}).get(name)
        if given is None:
            given = as_provenance(res.get("provenance"))
        # a Provenance, or a mapping with (some of) its keys: generator, epsilon, delta, run_id
        info: Mapping[str, Any] = given.to_dict() if isinstance(given, Provenance) else (given or {})
        generator = info.get("generator")
        missing = util.get("rows_without_target")
        row: dict[str, Any] = {
            "artifact": name,
            "generator": generator or ("real data" if name == BASELINE else "unknown"),
            "rows": res["rows"]["synthetic"],
            "rows / train rows": res["rows"]["synthetic"] / max(int(res["rows"]["real"]), 1),
            "ε": info.get("epsilon"),
            "δ": info.get("delta"),
            "run id": info.get("run_id"),
            "checks": "",
            "quality": fid["quality_score"],
            "column shapes": fid["column_shapes"],
            "pair trends": fid["column_pair_trends"],
            "detection AUC": fid["detection_auc"],
            "detection AUC 95% CI": ci_text(fid.get("detection_auc_ci")),
            "TSTR AUC": (util.get("tstr") or {}).get("roc_auc"),
            "TRTR AUC": (util.get("trtr") or {}).get("roc_auc"),
            "TSTR / TRTR": util.get("tstr_trtr_ratio"),
            "rows without target": sum(missing.values()) if missing else (0 if util else None),
            "DCR share closer to train": priv["dcr_share_closer_to_train"],
            "DCR share 95% CI": ci_text(priv.get("dcr_share_closer_to_train_ci")),
            "exact copies of train": priv["exact_copies_of_train"],
            "rows with real PII": (priv.get("pii") or {}).get("rows_with_real_value"),
            "max membership AUC": _max_membership(leak),
            "leakage verdict": leak["verdict"] if leak else None,
            **_fairness_columns(res.get("fairness") or {}),
        }
        row["checks"] = checks_text(row)
        rows.append(row)
    board = pd.DataFrame(rows, columns=["artifact", *COLUMNS]).set_index("artifact")
    for column in board.columns:
        if column not in TEXT_COLUMNS:
            board[column] = pd.to_numeric(board[column], errors="coerce")
    return board if digits is None else rounded(board, digits)


def rounded(board: pd.DataFrame, digits: int = 3) -> pd.DataFrame:
    """Numbers to ``digits`` decimals, ε and δ to 3 significant digits, counts as integers."""
    out = board.copy()
    for column in out.columns:
        if column in TEXT_COLUMNS:
            continue
        if column in INT_COLUMNS:
            out[column] = out[column].round().astype("Int64")
        elif column in ("ε", "δ"):
            out[column] = out[column].map(lambda v: v if pd.isna(v) else float(f"{v:.3g}"))
        else:
            out[column] = out[column].round(digits)
    return out


__all__ = ["BASELINE", "COLUMNS", "THRESHOLDS", "Threshold", "checks_text", "ci_text", "column_help",
           "leaderboard", "rounded"]
