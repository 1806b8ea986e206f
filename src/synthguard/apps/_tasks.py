"""The work behind the workbench's buttons: the same library calls the CLI makes, recorded in
the run store, run by :mod:`synthguard.apps._jobs` in a worker thread.

Each task takes ``progress`` (the library's ``ProgressCallback``) and returns aggregates, a
synthetic table, or rendered figures (PNG bytes drawn here so no page redraws them). Nothing
here calls Streamlit.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import logging
import tempfile
import time
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from synthguard._io import to_jsonable
from synthguard.apps._jobs import PLOT_LOCK, figure_png
from synthguard.data import Schema, table_fingerprint
from synthguard.ledger import RunRecord, RunStore
from synthguard.progress import ProgressCallback

log = logging.getLogger(__name__)


def zip_folder(folder: Path, *, root: str) -> bytes:
    """The files under ``folder`` as a zip (paths under ``root/``), for a download button."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, f"{root}/{path.relative_to(folder).as_posix()}")
    return buffer.getvalue()


def saved_model_zip(model: Any, *, run_id: str, store: RunStore) -> bytes | None:
    """Save a fitted generator as ``synthguard generate --save-model`` does (manifest with
    SHA-256 of every file; a pickle-based model's manifest is trusted in the local store) and
    zip the folder. None, logged, when the model cannot be saved: the rows are still kept."""
    from synthguard.generators import save_generator

    try:
        with tempfile.TemporaryDirectory(prefix="synthguard-app-") as tmp:
            folder = Path(tmp) / "model"
            save_generator(model, folder, store=store, run_id=run_id)
            return zip_folder(folder, root=f"{model.name}-model")
    except Exception:
        log.exception("could not save the %s model of run %s", getattr(model, "name", "?"), run_id)
        return None


@contextlib.contextmanager
def recorded(command: str, **fields: Any) -> Iterator[RunRecord]:
    """Record an app run like the CLI does: 'ok' on success, 'failed' with the error type."""
    with RunStore().recording(command, **fields) as record:
        yield record


def generate(*, progress: ProgressCallback, train: pd.DataFrame, train_sha: str, schema: Schema,
             generator: str, params: dict[str, Any], seed: int, rows: int,
             pii: Any = None, dataset: pd.DataFrame | None = None,
             conditions: Sequence[str] = (), rebalance: Sequence[str] = ()) -> dict[str, Any]:
    """Fit ``generator`` on the train split and sample ``rows`` rows (DP fits go through the
    budget ledger, exactly as ``synthguard generate`` does), under ``conditions`` and
    ``rebalance`` shares (CLI syntax) when given. ``pii``: the PII/id column policy
    (``"fake"``/``"drop"``/``"keep"`` or ``{column: policy}``; default fake). ``dataset``: the
    loaded table the split came from; its budget is charged (as well as any the split itself
    matches), so a re-split does not reset it."""
    from synthguard.generators import get_generator
    from synthguard.generators.base import check_rows

    check_rows(rows)
    cls = get_generator(generator)
    model = cls(**params).with_pii(pii)
    with recorded("app.generate", seed=seed, plugin=cls.name, params=params,
                  dataset_sha256=train_sha) as record:
        started = time.perf_counter()
        if cls.caps.dp:
            from synthguard.ledger.budget import run_dp_fit

            run_dp_fit(model, train, schema=schema, seed=seed, progress=progress,  # type: ignore[arg-type]
                       run_id=record.run_id, source=dataset)
        else:
            model.fit(train, schema=schema, seed=seed, progress=progress)
        fit_seconds = time.perf_counter() - started
        started = time.perf_counter()
        source: Any = model
        if conditions or rebalance:
            from synthguard.generators.conditional import conditional_sampler
            from synthguard.generators.conditions import build_spec

            spec = build_spec(conditions=conditions, rebalance=rebalance)
            source = conditional_sampler(model, spec, data=train, schema=schema, seed=seed)
            record.params = {**record.params, "sampling": source.spec.to_dict()}
        frame = source.sample(rows, seed=seed, progress=progress)
        sample_seconds = time.perf_counter() - started
        sha = table_fingerprint(frame)
        spend = source.privacy_spent()
        record.privacy = spend.to_dict() if spend else None
        record.outputs["synthetic"] = sha
        record.metrics = {"fit_seconds": fit_seconds, "sample_seconds": sample_seconds}
        pii_report = model.pii_report.to_dict() if model.pii_report is not None else None
        if pii_report is not None and pii_report["columns"]:
            record.params = {**record.params, "pii": pii_report}
        progress("saving the model", 0, 1)
        model_zip = saved_model_zip(model, run_id=record.run_id, store=RunStore())
        progress("saving the model", 1, 1)
    return {"frame": frame, "sha256": sha, "privacy": record.privacy, "run_id": record.run_id,
            "seconds": {"fit": fit_seconds, "sample": sample_seconds}, "pii": pii_report,
            "model_zip": model_zip}


def compare(*, progress: ProgressCallback, name: str, train: pd.DataFrame, holdout: pd.DataFrame,
            synthetic: pd.DataFrame, schema: Schema, target: str | None,
            sensitive: Sequence[str], attacks: Sequence[str], seed: int) -> dict[str, Any]:
    """``evaluate`` one artifact with the chosen leakage attacks. Figures are drawn on request
    (:func:`figures`): drawing them for every artifact took a third of the time, one at a time
    under the plot lock."""
    from synthguard.evaluation import evaluate

    phases = ("fidelity and detection", "utility (TRTR vs TSTR)", "distance to closest record",
              "fairness", "leakage attacks", "done")

    def named(stage: str, done: float, total: float | None) -> None:
        # evaluate reports its steps as ("evaluate", i, n): say which step is running
        if stage == "evaluate" and total:
            stage = phases[min(int(done), len(phases) - 1)]
        progress(stage, done, total)

    with recorded("app.evaluate", seed=seed, plugin=name,
                  dataset_sha256=table_fingerprint(train)) as record:
        result = evaluate(train, synthetic, holdout, target=target, sensitive=list(sensitive),
                          schema=schema, attacks=list(attacks) or None, seed=seed,
                          progress=named)
        record.inputs["synthetic"] = table_fingerprint(synthetic)
        record.metrics = {"quality_score": result["fidelity"]["quality_score"]}
        if result.get("utility"):
            record.metrics["tstr_trtr_ratio"] = result["utility"]["tstr_trtr_ratio"]
        if result.get("leakage"):
            record.metrics["leakage_verdict"] = result["leakage"]["verdict"]
    return {"result": result, "run_id": record.run_id}


MARGINALS_PER_FIGURE = 12


def figures(*, progress: ProgressCallback, result: dict[str, Any], train: pd.DataFrame,
            synthetic: pd.DataFrame, schema: Schema) -> dict[str, Any]:
    """The report's figures of one evaluated artifact as PNG bytes: marginals of every
    plottable column (pages of 12), correlation difference, DCR histogram; and which columns
    were left out and why (PII/id/text columns are never plotted)."""
    from synthguard.evaluation import plots
    from synthguard.evaluation.report import report_figures, value_hidden_columns

    progress("figures", 0, 2)
    omitted, anonymise = value_hidden_columns(result, schema)
    columns = [c for c in train.columns if c in synthetic.columns and c in schema.columns
               and c not in omitted]
    with PLOT_LOCK:
        drawn, _ = report_figures(result, train, synthetic, schema=schema)
        pngs = {key: figure_png(fig) for key, (fig, _) in drawn.items()}
        progress("figures", 1, 2)
        rest = columns[MARGINALS_PER_FIGURE:]
        page = 2
        while rest:
            chunk, rest = rest[:MARGINALS_PER_FIGURE], rest[MARGINALS_PER_FIGURE:]
            pngs[f"marginals_{page}"] = figure_png(plots.marginals(train, synthetic, chunk,
                                                                   anonymise=anonymise))
            page += 1
    progress("figures", 2, 2)
    return {"figures": pngs, "plotted": columns,
            "omitted": [str(c) for c in omitted if c in train.columns],
            "anonymised": [str(c) for c in anonymise]}


def html_report(*, progress: ProgressCallback, name: str, result: dict[str, Any],
                train: pd.DataFrame, synthetic: pd.DataFrame, schema: Schema,
                provenance: Any = None, context: dict[str, Any] | None = None) -> str:
    """The self-contained HTML report of one ``evaluate`` result, drawn on request: the
    library's report with ``provenance`` (a :class:`~synthguard.evaluation.provenance.Provenance`:
    generator, parameters, ε/δ, run id, fingerprint) at its top, and the app's ``context``
    (dataset, split SHA-256s, target, sensitive columns, attacks, run ids, PII handling)."""
    from synthguard.evaluation import render_html

    progress("HTML report", 0, 1)
    title = f"synthguard evaluation report: {name}"
    with PLOT_LOCK:
        page = render_html(result, train, synthetic, schema=schema, title=title, provenance=provenance)
        if context is not None:
            page.heading("Evaluation context")
            page.table(provenance_table(context),
                       caption="Which data and settings this evaluation used (no values).")
        html = page.render()
    progress("HTML report", 1, 1)
    return html


def provenance_table(provenance: dict[str, Any]) -> pd.DataFrame:
    """A provenance mapping as a two-column table (nested values as compact JSON)."""
    import json

    rows = {str(k): {"value": v if isinstance(v, str | int | float) or v is None
                     else json.dumps(to_jsonable(v), sort_keys=True)}
            for k, v in provenance.items()}
    return pd.DataFrame.from_dict(rows, orient="index")


def compare_relational(*, progress: ProgressCallback, real: Any, folder: str,
                       target: str | None, seed: int) -> dict[str, Any]:
    """``evaluate_relational`` of a synthetic folder (read with the real data's metadata, as
    ``synthguard evaluate --real DIR --synthetic DIR`` does), recorded in the run store."""
    from synthguard.data.relational import load_tables
    from synthguard.evaluation.relational import evaluate_relational

    with recorded("app.evaluate_relational", seed=seed, plugin="relational",
                  params={"target": target}) as record:
        synthetic = load_tables(folder, real.metadata)
        report = evaluate_relational(real, synthetic, target=target or None, seed=seed,
                                     progress=progress)
        record.metrics = {"quality_score": report["quality"]["quality_score"],
                          "integrity": report["integrity"]["overall"]}
    return {"report": to_jsonable(report), "run_id": record.run_id}


def detect_pii(*, progress: ProgressCallback, frame: pd.DataFrame, seed: int) -> dict[str, Any]:
    """PII-like columns found by the redaction engine (column -> entity, confidence)."""
    tables = importlib.import_module("synthguard.redaction.tables")
    progress("PII scan", 0, 1)
    found = tables.detect_pii_columns(frame, sample=100, seed=seed)
    progress("PII scan", 1, 1)
    return {str(k): {"entity": v[0], "confidence": float(v[1])} for k, v in found.items()}


def pii_columns_for_distill(train: pd.DataFrame, *, target: str, pii: Mapping[str, str] | None,
                            synthetic: pd.DataFrame | None = None) -> list[str]:
    """Columns a distillation must leave out: those whose PII handling is ``drop`` and, for a
    given synthetic table, train columns it lacks (a generator dropped them). Never the target
    (:func:`distill` refuses a dropped target)."""
    dropped = [c for c, policy in (pii or {}).items() if policy == "drop" and c in train.columns]
    if synthetic is not None:
        dropped += [str(c) for c in train.columns if c not in synthetic.columns and c != target]
    return list(dict.fromkeys(dropped))


def distill(*, progress: ProgressCallback, train: pd.DataFrame, holdout: pd.DataFrame,
            train_sha: str, config: Any, synthetic: pd.DataFrame | None,
            source: str, dataset: pd.DataFrame | None = None, schema: Schema | None = None,
            pii: Mapping[str, str] | None = None, provenance: dict[str, Any] | None = None,
            transfer_provenance: Any = None) -> dict[str, Any]:
    """Run ``compression.distill`` (a DP teacher or DP generator is charged to the ledger,
    to the loaded ``dataset``'s budget too) and keep only its aggregates: the report, the
    compression frontier and the HTML page.

    The schema's PII handling (``pii``: column -> fake/drop/keep, the Data page's choices) is
    honoured as the Generate page honours it: a dropped column reaches neither the teacher nor
    the transfer set nor the student; a transfer set drawn from a generator is fitted with the
    edited ``schema`` and the per-column policy (fakes for PII/id columns unless kept), so the
    student's encoder never holds a real value of a faked column."""
    from synthguard.compression import distill as run
    from synthguard.compression.report import build_report, frontier_figure
    from synthguard.errors import ParameterError
    from synthguard.generators import create_generator
    from synthguard.ledger.budget import DPLedger

    if (pii or {}).get(config.target) == "drop":
        raise ParameterError(f"the target column {config.target!r} has PII handling 'drop': choose "
                             "another target or another handling for it")
    policy = {c: p for c, p in (pii or {}).items() if c in train.columns}
    left_out = pii_columns_for_distill(train, target=config.target, pii=policy, synthetic=synthetic)
    if left_out:
        train, holdout = train.drop(columns=left_out), holdout.drop(columns=left_out)
        if synthetic is not None:
            synthetic = synthetic.drop(columns=[c for c in left_out if c in synthetic.columns])
        if schema is not None:
            schema = schema.restricted({c: s for c, s in schema.columns.items()
                                        if c not in left_out})
        policy = {c: p for c, p in policy.items() if c not in left_out}
    pii_report = None
    with recorded("app.distill", seed=config.seed, dataset_sha256=train_sha,
                  plugin=f"{config.teacher}->{source}", params=config.to_dict()) as record:
        ledger = DPLedger(store=RunStore(), run_id=record.run_id, source=dataset)
        if synthetic is None and (policy or schema is not None):
            # the transfer generator gets the user's schema and PII policy (the library's own
            # sampling would infer both afresh); the Distill page offers non-DP generators only
            model = create_generator(config.generator, **config.generator_params).with_pii(policy or None)
            progress("generator", 0, 2)
            model.fit(train, schema=schema, seed=config.seed)
            progress("generator", 1, 2)
            rows = config.transfer_rows or int(min(200_000, max(20_000, 2 * len(train))))
            synthetic = model.sample(rows, seed=config.seed + 1)
            progress("generator", 2, 2)
            pii_report = model.pii_report.to_dict() if model.pii_report is not None else None
        result = run(train, holdout, config, synthetic=synthetic, progress=progress,
                     ledger=ledger)
        report = to_jsonable(result.report_dict())
        # the library calls a given table "file"; the app knows which artifact it was
        report["transfer_set"]["source"] = source
        report["pii"] = {"left_out": left_out, "handling": dict(pii or {}),
                         "transfer_generator": pii_report}
        if left_out or pii_report:
            record.params = {**record.params, "pii": report["pii"]}
        record.metrics = {"teacher_roc_auc": report["teacher"]["roc_auc"],
                          "student_roc_auc": report["student"]["roc_auc"],
                          "shipped": report["shipped"]}
        if result.teacher_privacy is not None:
            record.privacy = {"teacher": result.teacher_privacy.to_dict()}
    if provenance is not None:
        if not source.startswith("artifact: "):  # the transfer generator was fitted by this run
            provenance = {**provenance, "artifact": source, "generator": config.generator,
                          "parameters": config.generator_params, "generator seed": config.seed}
            from synthguard.evaluation.provenance import Provenance

            transfer_provenance = Provenance(
                generator=config.generator, params=dict(config.generator_params),
                run_id=record.run_id, dataset_fingerprint=train_sha, seed=config.seed)
        if transfer_provenance is not None:
            provenance = {**provenance, "transfer set provenance": transfer_provenance.to_dict()}
        report["provenance"] = to_jsonable({**provenance, "distill run id": record.run_id,
                                            "teacher": config.teacher, "config": config.to_dict()})
    progress("packaging the student", 0, 1)
    student_zip, onnx = _student_files(result, run_id=record.run_id, train_sha=train_sha)
    with PLOT_LOCK:
        frontier = figure_png(frontier_figure(report))
        page = build_report(report)
        if "provenance" in report:
            page.heading("Provenance")
            page.table(provenance_table(report["provenance"]),
                       caption="How the transfer set, the teacher and the student were made (no values).")
            if transfer_provenance is not None:
                page.table(transfer_provenance.to_frame(),
                           caption="The transfer set's generator run (synthguard provenance).")
        html = page.render()
    progress("packaging the student", 1, 1)
    return {"report": report, "frontier": frontier, "html": html, "run_id": record.run_id,
            "student_zip": student_zip, "onnx": onnx}


def _student_files(result: Any, *, run_id: str, train_sha: str) -> tuple[bytes | None, bytes | None]:
    """The folder ``synthguard distill --out`` writes (safetensors, ONNX, reports, manifest),
    zipped, and its ``student.onnx``; (None, None), logged, if it cannot be written."""
    from synthguard.compression.outputs import write_distill_outputs

    try:
        with tempfile.TemporaryDirectory(prefix="synthguard-app-") as tmp:
            folder = Path(tmp) / "student"
            write_distill_outputs(result, folder, run_id=run_id, train_sha256=train_sha)
            onnx_path = folder / "student.onnx"
            onnx = onnx_path.read_bytes() if onnx_path.is_file() else None
            return zip_folder(folder, root="synthguard-student"), onnx
    except Exception:
        log.exception("could not write the student files of run %s", run_id)
        return None, None
