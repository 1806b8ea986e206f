"""The ``leakage`` section of a report: privacy attacks run, judged and drawn.

``evaluate_leakage`` runs the chosen attacks on one synthetic table and returns exactly the
JSON section of the report (membership figures with intervals, Anonymeter-style risks, a
plain verdict per attack and the thresholds used). ``compare_leakage`` does it side by side
for several artifacts, with the real train table itself as the worst case; model results
from :func:`~synthguard.evaluation.attacks.model_membership` join the same table.
``render_leakage`` adds the HTML section with ROC curves.

Verdicts: a figure above a threshold is medium or high risk, but only when its interval
excludes chance (AUC 0.5, TPR at 1 % FPR 0.01, risk 0): a small sample cannot raise an alarm
on noise alone.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from synthguard.errors import ParameterError
from synthguard.evaluation.attacks import ATTACKS, AttackOptions, AttackResult
from synthguard.evaluation.attacks._base import (
    ATTRIBUTE_INFERENCE,
    LINKABILITY,
    MEMBERSHIP,
    REPRODUCTION,
    SINGLING_OUT,
    check_tables,
)
from synthguard.progress import ProgressCallback, report

DEFAULT_MAX_TARGETS = 2000
LEVELS = ("low", "medium", "high")
REAL_TRAIN = "real train (worst case)"
RISK_KINDS = (ATTRIBUTE_INFERENCE, SINGLING_OUT, LINKABILITY, REPRODUCTION)

THRESHOLDS: dict[str, Any] = {
    "membership": {
        "auc": {"medium": 0.55, "high": 0.60, "chance": 0.5},
        "tpr_at_fpr_0.01": {"medium": 0.05, "high": 0.10, "chance": 0.01},
    },
    "risk": {"medium": 0.05, "high": 0.20, "chance": 0.0},
    # reproduction estimates the copied share; a model that fits the train table's sampling
    # noise of common records also raises it a little (0.12 seen for a copula on a small
    # all-categorical table), so it alarms later than the Anonymeter-style risks
    "reproduction": {"medium": 0.15, "high": 0.25, "chance": 0.0},
}


def _level(value: float, ci_low: float, rule: Mapping[str, float]) -> str:
    if ci_low <= rule["chance"]:
        return "low"
    if value >= rule["high"]:
        return "high"
    if value >= rule["medium"]:
        return "medium"
    return "low"


def membership_verdict(
    figures: Mapping[str, Any], thresholds: Mapping[str, Any] | None = None
) -> tuple[str, str]:
    """Verdict of one membership figure set ``{auc, tpr_at_fpr_0.01, ci}`` and its rule."""
    rules = (thresholds or THRESHOLDS)["membership"]
    worst, why = "low", ""
    for metric, rule in rules.items():
        value = float(figures[metric])
        low = float(figures["ci"][metric][0])
        level = _level(value, low, rule)
        text = (f"{metric} {value:.3f} (CI low {low:.3f}); medium >= {rule['medium']}, "
                f"high >= {rule['high']}")
        if not why or LEVELS.index(level) > LEVELS.index(worst):
            worst, why = level, text
    return worst, why


def risk_verdict(
    risk: float, ci: Sequence[float], thresholds: Mapping[str, Any] | None = None,
    *, kind: str = "risk",
) -> tuple[str, str]:
    table = thresholds or THRESHOLDS
    rule = table[kind] if kind in table else table["risk"]
    level = _level(float(risk), float(ci[0]), rule)
    return level, (f"risk {risk:.3f} (CI low {ci[0]:.3f}); medium >= {rule['medium']}, "
                   f"high >= {rule['high']}")


def _resolve(attacks: Sequence[str] | str) -> list[str]:
    if isinstance(attacks, str):
        attacks = [attacks]
    names: list[str] = []
    for name in attacks:
        if name == "all":
            names += ATTACKS.names()
        else:
            ATTACKS.get(name)  # unknown -> UnknownPluginError listing the known ones
            names.append(name)
    if not names:
        raise ParameterError("no attack selected; pass 'all' or names from: "
                             + ", ".join(ATTACKS.names()))
    return list(dict.fromkeys(names))


def _membership_entry(result: AttackResult, thresholds: Mapping[str, Any]) -> dict[str, Any]:
    d = result.to_dict()
    d.pop("roc", None)
    d.pop("name", None)
    d.pop("kind", None)
    level, rule = membership_verdict(d, thresholds)
    d["verdict"], d["verdict_rule"] = level, rule
    return d


def _risk_entry(result: AttackResult, thresholds: Mapping[str, Any]) -> dict[str, Any]:
    d = result.to_dict()
    d.pop("name", None)
    d.pop("kind", None)
    d["ci"] = d["ci"]["risk"]
    level, rule = risk_verdict(d["risk"], d["ci"], thresholds, kind=result.kind)
    d["verdict"], d["verdict_rule"] = level, rule
    return d


def evaluate_leakage(
    *,
    train: pd.DataFrame,
    holdout: pd.DataFrame,
    synthetic: pd.DataFrame,
    attacks: Sequence[str] | str = "all",
    secret: str | None = None,
    quasi_identifiers: Sequence[str] | None = None,
    seed: int = 0,
    max_targets: int = DEFAULT_MAX_TARGETS,
    progress: ProgressCallback | None = None,
    thresholds: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Run ``attacks`` against ``synthetic`` and return the report's ``leakage`` section.

    ``leakage.membership[name]`` = ``{auc, tpr_at_fpr_0.01, tpr_at_fpr_0.1, ci, verdict}``;
    ``leakage.attribute_inference|singling_out|linkability`` = ``{risk, ci, verdict}``;
    plus ``verdict`` (worst of all), ``thresholds``, ``settings`` and thinned ``roc``
    curves (aggregates only). ``max_targets`` caps the sampled targets; intervals widen
    accordingly.
    """
    thresholds = thresholds or THRESHOLDS
    names = _resolve(attacks)
    check_tables(train, holdout, synthetic)
    options = AttackOptions(
        secret=secret,
        quasi_identifiers=tuple(quasi_identifiers) if quasi_identifiers else None,
        max_targets=max_targets, progress=progress,
    )
    out: dict[str, Any] = {}
    roc: dict[str, dict[str, list[float]]] = {}
    context: dict[Any, Any] = {}
    for i, name in enumerate(names):
        report(progress, "leakage", i, len(names))
        attack = ATTACKS.get(name)()
        result = attack.run(train=train, holdout=holdout, synthetic=synthetic, seed=seed,
                            options=options, context=context)
        if result.kind == MEMBERSHIP:
            out.setdefault("membership", {})[name] = _membership_entry(result, thresholds)
            if result.roc is not None:
                roc[name] = {"fpr": list(result.roc[0]), "tpr": list(result.roc[1])}
        else:
            out[result.kind] = _risk_entry(result, thresholds)
    report(progress, "leakage", len(names), len(names))
    out["verdict"] = _overall(out)
    out["thresholds"] = copy.deepcopy(dict(thresholds))
    out["settings"] = {
        "attacks": names, "seed": seed, "max_targets": max_targets, "secret": secret,
        "quasi_identifiers": list(quasi_identifiers) if quasi_identifiers else None,
        "n_train": len(train), "n_holdout": len(holdout), "n_synthetic": len(synthetic),
    }
    out["roc"] = roc
    return out


def _overall(section: Mapping[str, Any]) -> str:
    levels = [e["verdict"] for e in section.get("membership", {}).values()]
    levels += [section[k]["verdict"] for k in RISK_KINDS
               if k in section]
    return max(levels, key=LEVELS.index) if levels else "low"


def model_leakage(
    results: Mapping[str, Mapping[str, Any]], thresholds: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """Turn ``{attack: model_membership(...) dict}`` of one model into a leakage section."""
    thresholds = thresholds or THRESHOLDS
    membership: dict[str, Any] = {}
    roc: dict[str, Any] = {}
    for name, figures in results.items():
        entry = {k: v for k, v in figures.items() if k != "roc"}
        entry["verdict"], entry["verdict_rule"] = membership_verdict(entry, thresholds)
        membership[name] = entry
        if "roc" in figures:
            roc[name] = figures["roc"]
    section: dict[str, Any] = {"membership": membership, "roc": roc}
    section["verdict"] = _overall(section)
    section["thresholds"] = copy.deepcopy(dict(thresholds))
    return section


def compare_leakage(
    *,
    train: pd.DataFrame,
    holdout: pd.DataFrame,
    artifacts: Mapping[str, pd.DataFrame],
    models: Mapping[str, Mapping[str, Mapping[str, Any]]] | None = None,
    include_real_train: bool = True,
    **kwargs: Any,
) -> dict[str, Any]:
    """Leakage of every artifact side by side; the real train table is the worst case.

    ``artifacts`` maps a name to a synthetic table; ``models`` maps a model name to
    ``{attack: model_membership(...) result}``. Extra keyword arguments go to
    :func:`evaluate_leakage`.
    """
    tables: dict[str, pd.DataFrame] = {}
    if include_real_train:
        tables[REAL_TRAIN] = train
    tables.update(artifacts)
    out: dict[str, Any] = {}
    for name, table in tables.items():
        out[name] = evaluate_leakage(train=train, holdout=holdout, synthetic=table, **kwargs)
    for name, results in (models or {}).items():
        out[name] = model_leakage(results, kwargs.get("thresholds"))
    return {"artifacts": out, "thresholds": copy.deepcopy(THRESHOLDS)}


# ---- HTML -------------------------------------------------------------------------------


def _fmt_ci(ci: Sequence[float]) -> str:
    return f"[{ci[0]:.3f}, {ci[1]:.3f}]"


def _membership_table(section: Mapping[str, Any]) -> pd.DataFrame:
    rows = {}
    for name, e in section.get("membership", {}).items():
        rows[name] = {
            "AUC": f"{e['auc']:.3f} {_fmt_ci(e['ci']['auc'])}",
            "TPR @ 1% FPR": f"{e['tpr_at_fpr_0.01']:.3f} {_fmt_ci(e['ci']['tpr_at_fpr_0.01'])}",
            "TPR @ 10% FPR": f"{e['tpr_at_fpr_0.1']:.3f} {_fmt_ci(e['ci']['tpr_at_fpr_0.1'])}",
            "verdict": e["verdict"],
        }
    return pd.DataFrame.from_dict(rows, orient="index")


def _risk_table(section: Mapping[str, Any]) -> pd.DataFrame:
    rows = {}
    for kind in RISK_KINDS:
        if kind in section:
            e = section[kind]
            rows[kind] = {
                "risk": f"{e['risk']:.3f} {_fmt_ci(e['ci'])}",
                "attack rate": f"{e.get('attack_rate', float('nan')):.3f}",
                "control rate": f"{e.get('control_rate', float('nan')):.3f}",
                "baseline rate": f"{e.get('baseline_rate', float('nan')):.3f}",
                "verdict": e["verdict"],
            }
    return pd.DataFrame.from_dict(rows, orient="index")


def _roc_figure(curves: Mapping[str, Mapping[str, Sequence[float]]], title: str) -> Any:
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    for name, c in curves.items():
        fpr, tpr = np.asarray(c["fpr"]), np.asarray(c["tpr"])
        axes[0].plot(fpr, tpr, label=name)
        keep = fpr > 0
        axes[1].plot(fpr[keep], tpr[keep], label=name)
    grid = np.logspace(-4, 0, 50)
    axes[0].plot([0, 1], [0, 1], "k--", lw=0.8, label="chance")
    axes[1].plot(grid, grid, "k--", lw=0.8, label="chance")
    axes[1].set_xscale("log")
    axes[1].set_yscale("log")
    axes[1].set_xlim(1e-3, 1)
    axes[1].set_ylim(1e-3, 1)
    for ax, scale in zip(axes, ("linear", "log-log (low FPR)"), strict=True):
        ax.set_xlabel("false positive rate")
        ax.set_ylabel("true positive rate")
        ax.set_title(f"{title}: {scale}")
    axes[0].legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    return fig


def render_leakage(
    report: Any,
    leakage: Mapping[str, Any],
    roc: Mapping[str, Mapping[str, Sequence[float]]] | None = None,
) -> None:
    """Add the leakage section to an :class:`HtmlReport`.

    ``leakage`` is the output of :func:`evaluate_leakage` (one table) or of
    :func:`compare_leakage` (side by side); ``roc`` overrides the curves stored in it.
    """
    report.heading("Leakage: privacy attacks")
    report.paragraph(
        "What an adversary learns about the people in the training data. Membership: can "
        "the adversary tell a training record from a holdout one (AUC 0.5 and TPR = FPR is "
        "chance). Singling out, linkability, attribute inference: Anonymeter's risks, the "
        "attack's success on training records beyond its success on holdout records.",
        css_class="note",
    )
    if "artifacts" in leakage:
        _render_comparison(report, leakage["artifacts"])
        return
    report.verdict("Overall", str(leakage.get("verdict", "low")),
                   "worst verdict over all attacks below")
    if leakage.get("membership"):
        report.table(_membership_table(leakage), caption="Membership inference (95% CI)")
        for name, e in leakage["membership"].items():
            report.verdict(f"membership: {name}", e["verdict"], e["verdict_rule"])
    risks = _risk_table(leakage)
    if not risks.empty:
        report.table(risks, caption="Anonymeter-style risks (95% CI)")
        for kind in RISK_KINDS:
            if kind in leakage:
                report.verdict(kind.replace("_", " "), leakage[kind]["verdict"],
                               leakage[kind]["verdict_rule"])
    curves = roc if roc is not None else leakage.get("roc", {})
    if curves:
        report.figure(_roc_figure(curves, "membership ROC"),
                      caption="Membership ROC curves; the log-log panel shows the low-FPR end.")


def _render_comparison(report: Any, artifacts: Mapping[str, Mapping[str, Any]]) -> None:
    rows: dict[str, dict[str, str]] = {}
    for artifact, section in artifacts.items():
        row: dict[str, str] = {"overall": str(section.get("verdict", ""))}
        for name, e in section.get("membership", {}).items():
            row[f"{name} AUC"] = f"{e['auc']:.3f}"
            row[f"{name} TPR@1%"] = f"{e['tpr_at_fpr_0.01']:.3f} ({e['verdict']})"
        for kind in RISK_KINDS:
            if kind in section:
                row[kind] = f"{section[kind]['risk']:.3f} ({section[kind]['verdict']})"
        rows[artifact] = row
    report.table(pd.DataFrame.from_dict(rows, orient="index").fillna("–"),
                 caption="Side by side: each artifact's figures and verdict (low/medium/high). "
                         "The real train table released as is shows the worst case.")
    for artifact, section in artifacts.items():
        flagged = [name for name, e in section.get("membership", {}).items()
                   if e["verdict"] == section.get("verdict")]
        flagged += [k for k in RISK_KINDS if k in section
                    and section[k]["verdict"] == section.get("verdict")]
        report.verdict(artifact, str(section.get("verdict", "low")),
                       "worst verdict; from " + ", ".join(flagged) if flagged else "")
    thr = THRESHOLDS
    report.paragraph(
        f"Thresholds: membership AUC medium >= {thr['membership']['auc']['medium']}, high >= "
        f"{thr['membership']['auc']['high']}; TPR at 1% FPR medium >= "
        f"{thr['membership']['tpr_at_fpr_0.01']['medium']}, high >= "
        f"{thr['membership']['tpr_at_fpr_0.01']['high']}; risks medium >= "
        f"{thr['risk']['medium']}, high >= {thr['risk']['high']} (reproduction: "
        f"{thr['reproduction']['medium']}, {thr['reproduction']['high']}); a figure whose 95% CI "
        "includes chance is low.", css_class="note")
    for artifact, section in artifacts.items():
        if section.get("roc"):
            report.figure(_roc_figure(section["roc"], artifact),
                          caption=f"Membership ROC curves: {artifact}")
