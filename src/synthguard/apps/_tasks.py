"""The work behind the workbench's buttons: the same library calls the CLI makes, recorded in
the run store, run by :mod:`synthguard.apps._jobs` in a worker thread.

Each task takes ``progress`` (the library's ``ProgressCallback``) and returns aggregates, a
synthetic table, or rendered figures (PNG bytes drawn here so no page redraws them). Nothing
here calls Streamlit.
"""

from __future__ import annotations

import contextlib
import importlib
import time
from collections.abc import Iterator, Sequence
from typing import Any

import pandas as pd

from synthguard._io import to_jsonable
from synthguard.apps._jobs import figure_png
from synthguard.data import Schema, table_fingerprint
from synthguard.data.schema import ColumnKind
from synthguard.ledger import RunRecord, RunStore
from synthguard.progress import ProgressCallback


@contextlib.contextmanager
def recorded(command: str, **fields: Any) -> Iterator[RunRecord]:
    """Record an app run like the CLI does: 'ok' on success, 'failed' with the error type."""
    with RunStore().recording(command, **fields) as record:
        yield record


def generate(*, progress: ProgressCallback, train: pd.DataFrame, train_sha: str, schema: Schema,
             generator: str, params: dict[str, Any], seed: int, rows: int) -> dict[str, Any]:
    """Fit ``generator`` on the train split and sample ``rows`` rows (DP fits go through the
    budget ledger, exactly as ``synthguard generate`` does)."""
    from synthguard.generators import get_generator
    from synthguard.generators.base import check_rows

    check_rows(rows)
    cls = get_generator(generator)
    model = cls(**params)
    with recorded("app.generate", seed=seed, plugin=cls.name, params=params,
                  dataset_sha256=train_sha) as record:
        started = time.perf_counter()
        if cls.caps.dp:
            from synthguard.ledger.budget import run_dp_fit

            run_dp_fit(model, train, schema=schema, seed=seed, progress=progress,  # type: ignore[arg-type]
                       run_id=record.run_id, dataset_sha256=train_sha)
        else:
            model.fit(train, schema=schema, seed=seed, progress=progress)
        fit_seconds = time.perf_counter() - started
        started = time.perf_counter()
        frame = model.sample(rows, seed=seed, progress=progress)
        sample_seconds = time.perf_counter() - started
        sha = table_fingerprint(frame)
        spend = model.privacy_spent()
        record.privacy = spend.to_dict() if spend else None
        record.outputs["synthetic"] = sha
        record.metrics = {"fit_seconds": fit_seconds, "sample_seconds": sample_seconds}
    return {"frame": frame, "sha256": sha, "privacy": record.privacy, "run_id": record.run_id,
            "seconds": {"fit": fit_seconds, "sample": sample_seconds}}


def plot_columns(schema: Schema, columns: Sequence[str]) -> list[str]:
    hidden = (ColumnKind.ID, ColumnKind.TEXT, ColumnKind.PII)
    return [c for c in columns if c in schema.columns and schema.columns[c].kind not in hidden]


def compare(*, progress: ProgressCallback, name: str, train: pd.DataFrame, holdout: pd.DataFrame,
            synthetic: pd.DataFrame, schema: Schema, target: str | None,
            sensitive: Sequence[str], attacks: Sequence[str], seed: int) -> dict[str, Any]:
    """``evaluate`` one artifact (with the chosen leakage attacks), its plots and HTML report."""
    from synthguard.evaluation import evaluate, plots

    with recorded("app.evaluate", seed=seed, plugin=name,
                  dataset_sha256=table_fingerprint(train)) as record:
        result = evaluate(train, synthetic, holdout, target=target, sensitive=list(sensitive),
                          schema=schema, attacks=list(attacks) or None, seed=seed,
                          progress=progress)
        record.inputs["synthetic"] = table_fingerprint(synthetic)
        record.metrics = {"quality_score": result["fidelity"]["quality_score"]}
        if result.get("utility"):
            record.metrics["tstr_trtr_ratio"] = result["utility"]["tstr_trtr_ratio"]
        if result.get("leakage"):
            record.metrics["leakage_verdict"] = result["leakage"]["verdict"]
    progress("figures", 0, 3)
    columns = plot_columns(schema, list(train.columns))
    figures = {
        "marginals": figure_png(plots.marginals(train, synthetic, columns)),
        "correlation": figure_png(plots.correlation_difference(train, synthetic, columns)),
        "dcr": figure_png(plots.dcr_histogram(result["privacy"]["histogram"])),
    }
    progress("figures", 1, 3)
    if result.get("fairness"):
        for metric in ("selection_rate", "tpr"):
            figures[f"fairness_{metric}"] = figure_png(plots.group_bars(result["fairness"], metric=metric))
    progress("figures", 2, 2)
    return {"result": result, "figures": figures}


def html_report(*, progress: ProgressCallback, name: str, result: dict[str, Any],
                train: pd.DataFrame, synthetic: pd.DataFrame, schema: Schema) -> str:
    """The self-contained HTML report of one ``evaluate`` result (drawn on request: it
    redraws every figure)."""
    from synthguard.evaluation import render_html

    progress("HTML report", 0, 1)
    page = render_html(result, train, synthetic, schema=schema,
                       title=f"synthguard evaluation report: {name}").render()
    progress("HTML report", 1, 1)
    return page


def detect_pii(*, progress: ProgressCallback, frame: pd.DataFrame, seed: int) -> dict[str, Any]:
    """PII-like columns found by the redaction engine (column -> entity, confidence)."""
    tables = importlib.import_module("synthguard.redaction.tables")
    progress("PII scan", 0, 1)
    found = tables.detect_pii_columns(frame, sample=100, seed=seed)
    progress("PII scan", 1, 1)
    return {str(k): {"entity": v[0], "confidence": float(v[1])} for k, v in found.items()}


def distill(*, progress: ProgressCallback, train: pd.DataFrame, holdout: pd.DataFrame,
            train_sha: str, config: Any, synthetic: pd.DataFrame | None,
            source: str) -> dict[str, Any]:
    """Run ``compression.distill`` (a DP teacher is charged to the ledger) and keep only its
    aggregates: the report, the compression frontier and the HTML page."""
    from synthguard.compression import distill as run
    from synthguard.compression._dp import ledger_dp_fit
    from synthguard.compression.report import build_report, frontier_figure

    with recorded("app.distill", seed=config.seed, dataset_sha256=train_sha,
                  plugin=f"{config.teacher}->{source}", params=config.to_dict()) as record:
        dp_fit = ledger_dp_fit(store=RunStore(), run_id=record.run_id, dataset_sha256=train_sha)
        result = run(train, holdout, config, synthetic=synthetic, progress=progress,
                     dp_teacher_fit=dp_fit)
        report = to_jsonable(result.report_dict())
        record.metrics = {"teacher_roc_auc": report["teacher"]["roc_auc"],
                          "student_roc_auc": report["student"]["roc_auc"],
                          "shipped": report["shipped"]}
        if result.teacher_privacy is not None:
            record.privacy = {"teacher": result.teacher_privacy.to_dict()}
    frontier = figure_png(frontier_figure(report))
    html = build_report(report).render()
    return {"report": report, "frontier": frontier, "html": html, "run_id": record.run_id}
