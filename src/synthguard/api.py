"""One-call Python entry points: ``synthesize`` (load → split → fit → sample → evaluate) and
``evaluate``, returning typed results instead of nested dicts.

Why a separate layer: the CLI, the app and notebooks all want the same few steps with the
same defaults; each step stays a library function of its own (``load_table``,
``train_holdout_split``, ``create_generator``, ``evaluation.evaluate``) that this module only
chains. Results render themselves in a notebook (``_repr_html_``), flatten to a frame
(``to_frame``) and serialise to JSON-ready dicts (``to_dict``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from synthguard.data.schema import Schema, infer_schema
from synthguard.errors import ParameterError
from synthguard.generators.base import Generator, PrivacySpend
from synthguard.generators.registry import DEFAULT_TABULAR_GENERATOR
from synthguard.progress import ProgressCallback

if TYPE_CHECKING:
    from synthguard.evaluation.provenance import Provenance

# Sections of an evaluation whose scalar leaves make up ``to_frame`` (per-column/pair detail,
# histograms and per-group tables stay in ``to_dict``).
_DETAIL_KEYS = frozenset({"per_column", "per_pair", "histogram", "groups", "by_column", "per_class",
                          "intersectional", "tables", "sampled", "small_groups", "ci95", "params"})


def _scalar_leaves(value: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(value, Mapping):
        for key, item in value.items():
            if key in _DETAIL_KEYS:
                continue
            yield from _scalar_leaves(item, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(value, bool | int | float | str) or value is None:
        yield prefix, value


@dataclass(frozen=True)
class EvaluationReport:
    """The comparison of a synthetic table with real train and holdout tables.

    ``data`` is the JSON report (documented in the README); the properties name the headline
    figures. The real and synthetic frames are kept only to draw the HTML plots (aggregates).
    """

    data: Mapping[str, Any]
    real: pd.DataFrame = field(repr=False)
    synthetic: pd.DataFrame = field(repr=False)
    schema: Schema | None = field(default=None, repr=False)

    @property
    def quality(self) -> float:
        """SDMetrics-compatible quality score (1 is best)."""
        return float(self.data["fidelity"]["quality_score"])

    @property
    def detection_auc(self) -> float:
        """ROC-AUC of a classifier telling synthetic from real rows (0.5 is ideal)."""
        return float(self.data["fidelity"]["detection_auc"])

    @property
    def tstr_trtr_ratio(self) -> float | None:
        """Train-on-synthetic over train-on-real score on the real holdout (None without a target)."""
        util = self.data.get("utility") or {}
        value = util.get("tstr_trtr_ratio")
        return None if value is None else float(value)

    @property
    def dcr_share_closer_to_train(self) -> float:
        """Share of synthetic rows nearer the train set than the holdout (0.5: no memorisation signal)."""
        return float(self.data["privacy"]["dcr_share_closer_to_train"])

    @property
    def provenance(self) -> Provenance | None:
        """How the synthetic table was made (generator, parameters, ε/δ, run id, fingerprint)."""
        from synthguard.evaluation.provenance import as_provenance

        return as_provenance(self.data.get("provenance"))

    @property
    def exact_copies_of_train(self) -> int:
        return int(self.data["privacy"]["exact_copies_of_train"])

    def to_dict(self) -> dict[str, Any]:
        return dict(self.data)

    def to_frame(self) -> pd.DataFrame:
        """Every headline figure as one row: ``metric`` (dotted path in the JSON) and ``value``."""
        rows = list(_scalar_leaves(self.data))
        return pd.DataFrame(rows, columns=["metric", "value"]).set_index("metric")

    def html(self) -> str:
        """The self-contained HTML report (plots inline, no scripts, no real rows)."""
        from synthguard.evaluation.report import render_html

        return render_html(dict(self.data), self.real, self.synthetic, schema=self.schema).render()

    def _repr_html_(self) -> str:
        return self.html()

    def save(self, path: str | Path) -> Path:
        """Write JSON or HTML, chosen by the suffix, atomically."""
        from synthguard.evaluation.report import write_report

        return write_report(dict(self.data), path, real=self.real, synthetic=self.synthetic, schema=self.schema)


@dataclass(frozen=True)
class SynthesisResult:
    """What ``synthesize`` made: the synthetic table, the fitted generator, the split it saw,
    its privacy spend (DP generators) and, unless turned off, the evaluation report."""

    synthetic: pd.DataFrame = field(repr=False)
    generator: Generator = field(repr=False)
    train: pd.DataFrame = field(repr=False)
    holdout: pd.DataFrame | None = field(repr=False)
    report: EvaluationReport | None
    privacy: PrivacySpend | None
    seed: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "generator": self.generator.describe(),
            "rows": {"train": len(self.train), "holdout": None if self.holdout is None else len(self.holdout),
                     "synthetic": len(self.synthetic)},
            "seed": self.seed,
            "privacy": None if self.privacy is None else self.privacy.to_dict(),
            "report": None if self.report is None else self.report.to_dict(),
        }

    def to_frame(self) -> pd.DataFrame:
        """The synthetic table (the artifact; its report's figures are ``report.to_frame()``)."""
        return self.synthetic

    def save_model(self, folder: str | Path) -> str:
        """Save the fitted generator as a folder with a manifest; returns the manifest SHA-256."""
        from synthguard.generators.persist import save_generator

        return save_generator(self.generator, folder)

    def _repr_html_(self) -> str:
        head = (f"<p><b>{self.generator.name}</b>: {len(self.synthetic):,} synthetic rows from "
                f"{len(self.train):,} training rows (seed {self.seed})"
                + (f"; ε = {self.privacy.epsilon:g}, δ = {self.privacy.delta:g}" if self.privacy else "")
                + "</p>")
        return head + (self.report.html() if self.report is not None else "")


def _load(data: pd.DataFrame | str | Path) -> pd.DataFrame:
    from synthguard.data.loading import load_table

    return data.reset_index(drop=True) if isinstance(data, pd.DataFrame) else load_table(data)


def evaluate(
    real: pd.DataFrame | str | Path,
    synthetic: pd.DataFrame | str | Path,
    holdout: pd.DataFrame | str | Path,
    *,
    target: str | None = None,
    sensitive: str | Sequence[str] = (),
    schema: Schema | None = None,
    attacks: str | Sequence[str] | None = None,
    secret: str | None = None,
    seed: int = 0,
    progress: ProgressCallback | None = None,
    provenance: Provenance | Mapping[str, Any] | None = None,
) -> EvaluationReport:
    """Judge ``synthetic`` against the real train table and a real holdout it never saw.

    Tables may be frames, file paths or built-in dataset names; one sensitive column may be
    given as a string. ``provenance`` says how ``synthetic`` was made; when it is a file and
    none is given, the run that wrote that file (same SHA-256) is looked up in the run store.
    """
    from synthguard.evaluation.provenance import provenance_for_file
    from synthguard.evaluation.report import evaluate as evaluate_dict
    from synthguard.evaluation.report import with_provenance

    real_f, synthetic_f, holdout_f = _load(real), _load(synthetic), _load(holdout)
    schema = schema or infer_schema(real_f)
    data = evaluate_dict(real_f, synthetic_f, holdout_f, target=target, sensitive=sensitive, schema=schema,
                         attacks=attacks, secret=secret, seed=seed, progress=progress)
    if provenance is None and isinstance(synthetic, str | Path) and Path(synthetic).is_file():
        provenance = provenance_for_file(synthetic)
    data = with_provenance(data, provenance)
    return EvaluationReport(data=data, real=real_f, synthetic=synthetic_f, schema=schema)


def synthesize(
    data: pd.DataFrame | str | Path,
    *,
    generator: str = DEFAULT_TABULAR_GENERATOR,
    rows: int | None = None,
    holdout_fraction: float | None = 0.3,
    target: str | None = None,
    sensitive: str | Sequence[str] = (),
    seed: int = 0,
    params: Mapping[str, Any] | None = None,
    schema: Schema | None = None,
    evaluate_result: bool = True,
    progress: ProgressCallback | None = None,
) -> SynthesisResult:
    """Fit ``generator`` on ``data`` and sample ``rows`` synthetic rows (default: as many as trained on).

    With ``holdout_fraction`` (default 0.3) a seeded split keeps that share away from the
    generator (stratified on ``target``) and the result carries an evaluation against it; pass
    ``holdout_fraction=None`` to train on everything (no report then). Built-in datasets bring
    their own default target and sensitive columns. ``params`` are the generator's typed
    parameters (``synthguard generators`` lists them). DP generators charge the dataset's
    privacy budget like every other path.
    """
    from synthguard.data.builtin import builtin_defaults, is_builtin, source_schema
    from synthguard.data.splits import train_holdout_split
    from synthguard.generators.registry import create_generator

    frame = _load(data)
    if is_builtin(data) and target is None:
        target, default_sensitive = builtin_defaults(data)
        sensitive = sensitive or list(default_sensitive)
    if target is not None and target not in frame.columns:
        raise ParameterError(f"target {target!r} is not a column of the data; columns: {list(frame.columns)}")
    if holdout_fraction is None:
        train, holdout = frame, None
    else:
        split = train_holdout_split(frame, holdout_fraction=holdout_fraction, stratify=target, seed=seed)
        train, holdout = split.train, split.holdout
    if rows is not None and rows <= 0:
        raise ParameterError(f"rows must be a positive integer, got {rows!r}")
    schema = schema or source_schema(train, data)  # a built-in dataset brings its public bounds
    model = create_generator(generator, **dict(params or {}))
    if model.caps.dp:  # ε, δ, public bounds and budget checked before the fit starts
        from synthguard.generators.preflight import preflight

        preflight(model, train, schema=schema, source=frame)
    model.fit(train, schema=schema, seed=seed, progress=progress)
    synthetic = model.sample(rows or len(train), seed=seed, progress=progress)
    report = None
    if evaluate_result and holdout is not None:
        from synthguard.data.loading import table_fingerprint
        from synthguard.evaluation.provenance import Provenance
        from synthguard.evaluation.report import with_provenance

        report = evaluate(train, synthetic, holdout, target=target, sensitive=sensitive, schema=schema,
                          seed=seed, progress=progress)
        provenance = Provenance.from_generator(model, seed=seed, dataset_fingerprint=table_fingerprint(train))
        report = EvaluationReport(data=with_provenance(dict(report.data), provenance), real=report.real,
                                  synthetic=report.synthetic, schema=report.schema)
    return SynthesisResult(synthetic=synthetic, generator=model, train=train, holdout=holdout, report=report,
                           privacy=model.privacy_spent(), seed=seed)


__all__ = ["EvaluationReport", "SynthesisResult", "evaluate", "synthesize"]
