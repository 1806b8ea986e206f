"""End-to-end distillation: teacher on real rows -> transfer set -> student -> compression
-> evaluation on the real holdout.

The trust boundary is explicit in the data flow: real rows reach the teacher, the generator
and the evaluation; the student (and every compressed student) is trained by
:func:`train_student`, which only accepts a :class:`TransferSet`.
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import itertools
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import torch
from torch import nn

from synthguard.compression._canon import row_hashes
from synthguard.compression._dp import ledger_dp_fit
from synthguard.compression._encoder import encoder_to_dict
from synthguard.compression._mlp import count_params, softmax
from synthguard.compression.compress import (
    CompressionSpec,
    check_prune,
    compress,
    plan_levels,
    pruned_student,
    requested_spec,
    stored_params,
)
from synthguard.compression.evaluate import (
    ModelEvaluation,
    ProbaFn,
    classification_metrics,
    fairness_summary,
    latency_ms,
)
from synthguard.compression.export import safetensors_bytes
from synthguard.compression.packed import PackedMLP, pack_model
from synthguard.compression.student import StudentConfig, TrainHistory, train_student
from synthguard.compression.teachers import TEACHERS, Teacher, TeacherConfig, create_teacher
from synthguard.compression.transfer import TransferSet, build_transfer_set, sample_synthetic
from synthguard.errors import ParameterError, SchemaError
from synthguard.evaluation.attacks.model import model_membership
from synthguard.evaluation.encoding import TableEncoder
from synthguard.generators import get_generator
from synthguard.generators.base import PrivacySpend
from synthguard.ledger.budget import DPLedger
from synthguard.progress import ProgressCallback, report

log = logging.getLogger(__name__)

MAX_CLASSES = 100


@dataclass(frozen=True)
class DistillConfig:
    """Everything a distillation run needs besides the data. Validated when built."""

    target: str
    sensitive: tuple[str, ...] = ()
    generator: str = "gaussian_copula"
    generator_params: dict[str, Any] = field(default_factory=dict)
    teacher: str = "mlp"
    teacher_config: TeacherConfig = field(default_factory=TeacherConfig)
    student: StudentConfig = field(default_factory=StudentConfig)
    quantize: str = "int8"
    int8_mode: str = "dynamic"
    prune: float = 0.0
    structured: bool = False
    transfer_rows: int | None = None  # default: 2 x train rows, at least 20 000, at most 200 000
    positive: str | None = None  # positive class for fairness; default the rarer (binary)
    seed: int = 0
    latency_repeats: int = 100
    membership_rows: int = 5000
    # shrink the student's widths (kept in proportion) until it has at most this fraction of
    # an MLP teacher's parameters; None keeps the widths as given
    max_params_ratio: float | None = 0.1
    threads: int | None = 1  # torch threads during the run (small MLPs: 1 is fastest on a busy CPU)

    def __post_init__(self) -> None:
        check_prune(self.prune)
        requested_spec(quantize=self.quantize, prune=self.prune, structured=self.structured,
                       int8_mode=self.int8_mode)
        TEACHERS.get(self.teacher)
        if self.transfer_rows is not None and self.transfer_rows < 20:
            raise ParameterError(f"transfer_rows={self.transfer_rows} must be at least 20")
        if self.max_params_ratio is not None and not 0 < self.max_params_ratio <= 1:
            raise ParameterError(
                f"max_params_ratio={self.max_params_ratio} must be in (0, 1]")
        if self.latency_repeats < 1:
            raise ParameterError(f"latency_repeats={self.latency_repeats} must be >= 1")
        if self.threads is not None and self.threads < 1:
            raise ParameterError(f"threads={self.threads} must be >= 1")
        if self.target in self.sensitive:
            raise ParameterError(f"sensitive= must not include the target {self.target!r}")

    @property
    def shipped(self) -> CompressionSpec:
        return requested_spec(quantize=self.quantize, prune=self.prune,
                              structured=self.structured, int8_mode=self.int8_mode)

    def to_dict(self) -> dict[str, Any]:
        return {
            "target": self.target, "sensitive": list(self.sensitive), "generator": self.generator,
            "generator_params": dict(self.generator_params), "teacher": self.teacher,
            "teacher_config": self.teacher_config.to_dict(), "student": self.student.to_dict(),
            "quantize": self.quantize, "int8_mode": self.int8_mode, "prune": self.prune,
            "structured": self.structured, "transfer_rows": self.transfer_rows,
            "positive": self.positive, "seed": self.seed, "threads": self.threads,
        }


@dataclass
class DistillResult:
    """What a run produced: models, their evaluations and the provenance of the transfer set."""

    config: DistillConfig
    classes: list[str]
    positive_index: int
    teacher: Teacher
    teacher_encoder: TableEncoder
    student: nn.Sequential
    shipped: PackedMLP
    shipped_spec: CompressionSpec
    transfer: TransferSet
    teacher_eval: ModelEvaluation
    student_eval: ModelEvaluation
    compressed: list[ModelEvaluation]
    history: TrainHistory
    teacher_privacy: PrivacySpend | None
    generator_privacy: PrivacySpend | None
    data: dict[str, Any]

    def report_dict(self) -> dict[str, Any]:
        """report.json: teacher, student, compressed (one entry per level) and provenance."""
        shipped_name = self.shipped_spec.name
        return {
            "teacher": self.teacher_eval.to_dict(),
            "student": self.student_eval.to_dict(),
            "compressed": [e.to_dict() for e in self.compressed],
            "shipped": shipped_name,
            "params_ratio_student_to_teacher": (
                self.student_eval.params / self.teacher_eval.params
                if self.teacher_eval.params else None),
            "transfer_set": self.transfer.summary(),
            "training": {"student": self.history.to_dict()},
            "privacy": {
                "teacher": self.teacher_privacy.to_dict() if self.teacher_privacy else None,
                "generator": self.generator_privacy.to_dict() if self.generator_privacy else None,
            },
            "classes": self.classes,
            "positive_class": self.classes[self.positive_index],
            "data": self.data,
            "config": self.config.to_dict(),
        }

    def student_config(self) -> dict[str, Any]:
        """The JSON config shipped beside ``student.safetensors``."""
        return {
            "kind": "synthguard-student",
            "method": self.shipped_spec.name,
            "compression": self.shipped_spec.to_dict(),
            "classes": self.classes,
            "positive_class": self.classes[self.positive_index],
            "target": self.config.target,
            "n_features": int(self.transfer.x.shape[1]),
            "hidden": [layer.out_features for layer in self.shipped.layers[:-1]],
            "encoder": encoder_to_dict(self.transfer.encoder),
            "encoder_fitted_on": "transfer set (synthetic rows)",
            "transfer_set_sha256": self.transfer.sha256,
            "temperature": self.config.student.temperature,
        }


# --- validation ------------------------------------------------------------------------------

def _validate(train: pd.DataFrame, holdout: pd.DataFrame, config: DistillConfig) -> None:
    for name, frame in (("real", train), ("holdout", holdout)):
        if config.target not in frame.columns:
            raise SchemaError(
                f"target column {config.target!r} is not in the {name} table; "
                f"columns: {list(frame.columns)}")
        missing = [c for c in config.sensitive if c not in frame.columns]
        if missing:
            raise SchemaError(
                f"sensitive column(s) {missing} not in the {name} table; "
                f"columns: {list(frame.columns)}")
    features = [c for c in train.columns if c != config.target]
    if not features:
        raise SchemaError("the table has no feature columns besides the target")
    absent = [c for c in features if c not in holdout.columns]
    if absent:
        raise SchemaError(f"holdout lacks feature column(s) {absent} of the training table")
    n_classes = train[config.target].dropna().astype(str).nunique()
    if n_classes > MAX_CLASSES:
        raise SchemaError(
            f"target {config.target!r} has {n_classes} distinct values; distillation here is "
            f"for classification (at most {MAX_CLASSES} classes): bin a continuous target first")
    if n_classes < 2:
        raise SchemaError(
            f"target {config.target!r} has {n_classes} class in the training table; "
            "distillation needs at least two")
    if holdout[config.target].dropna().astype(str).nunique() < 2:
        raise SchemaError(
            f"target {config.target!r} has one class in the holdout; ROC-AUC needs both: "
            "use a larger or stratified holdout")
    get_generator(config.generator)


def _classes(train: pd.DataFrame, config: DistillConfig) -> tuple[list[str], int]:
    counts = train[config.target].dropna().astype(str).value_counts()
    labels = sorted(counts.index)
    if config.positive is not None:
        if config.positive not in labels:
            raise ParameterError(
                f"positive={config.positive!r} is not a class of {config.target!r}: {labels}")
        positive = config.positive
    elif len(labels) == 2:
        positive = str(counts.idxmin()) if counts.iloc[0] != counts.iloc[-1] else labels[1]
    else:
        positive = str(counts.idxmin())
    if len(labels) == 2:  # binary: negative first, so index 1 is the positive class
        labels = [next(c for c in labels if c != positive), positive]
    return labels, labels.index(positive)


def _labels(frame: pd.DataFrame, target: str, classes: list[str]) -> np.ndarray:
    mapping = {c: i for i, c in enumerate(classes)}
    values = frame[target].astype(str).map(mapping)
    return values.fillna(-1).to_numpy(dtype=np.int64)


# --- the run ---------------------------------------------------------------------------------

def distill(
    train: pd.DataFrame,
    holdout: pd.DataFrame,
    config: DistillConfig,
    *,
    synthetic: pd.DataFrame | None = None,
    progress: ProgressCallback | None = None,
    ledger: DPLedger | None = None,
) -> DistillResult:
    """Run the whole pipeline; see the module docstring for what sees real rows.

    Every DP fit of the run — a DP teacher, a DP transfer-set generator — charges the privacy
    ledger: ``ledger`` says which store/run/source dataset (default: the user's store).
    """
    with _torch_threads(config.threads):
        return _distill(train, holdout, config, synthetic=synthetic, progress=progress,
                        ledger=ledger)


@contextlib.contextmanager
def _torch_threads(threads: int | None) -> Iterator[None]:
    """Set torch's intra-op threads for the run and restore them afterwards."""
    if threads is None:
        yield
        return
    before = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def _distill(
    train: pd.DataFrame,
    holdout: pd.DataFrame,
    config: DistillConfig,
    *,
    synthetic: pd.DataFrame | None,
    progress: ProgressCallback | None,
    ledger: DPLedger | None,
) -> DistillResult:
    _validate(train, holdout, config)
    target = config.target
    train = train[train[target].notna()].reset_index(drop=True)
    holdout = holdout[holdout[target].notna()].reset_index(drop=True)
    classes, positive = _classes(train, config)
    y_train = _labels(train, target, classes)
    y_hold = _labels(holdout, target, classes)
    unseen = y_hold < 0
    if unseen.any():
        log.warning("%d holdout rows have a target class absent from training; dropped",
                    int(unseen.sum()))
        holdout, y_hold = holdout[~unseen].reset_index(drop=True), y_hold[~unseen]
    features = [c for c in train.columns if c != target]
    seed = config.seed

    # 1. teacher, inside the trust boundary
    teacher_encoder = TableEncoder().fit(train[features])
    x_train_t = teacher_encoder.transform(train[features])
    teacher = create_teacher(config.teacher, config.teacher_config)

    def fit_teacher() -> None:
        teacher.fit(x_train_t, y_train, seed=seed, progress=progress)

    if teacher.caps.dp:  # DP-SGD on real rows: charged to the dataset's budget
        ledger_dp_fit(ledger)(teacher, train, fit_teacher)
    else:
        fit_teacher()

    # 2. transfer set: synthetic rows labelled by the teacher
    generator_privacy = None
    if synthetic is None:
        rows = config.transfer_rows or int(min(200_000, max(20_000, 2 * len(train))))
        synthetic, generator_privacy, _ = sample_synthetic(
            config.generator, train, rows=rows, seed=seed, params=config.generator_params,
            progress=progress, ledger=ledger)
        source = config.generator
    else:
        source = "file"
        if config.transfer_rows is not None and len(synthetic) > config.transfer_rows:
            synthetic = synthetic.sample(config.transfer_rows, random_state=seed)
    report(progress, "transfer set", 0, 1)
    real_hashes = set(row_hashes(train[features])) | set(row_hashes(holdout[features]))
    transfer = build_transfer_set(
        synthetic, feature_columns=features, real_hashes=real_hashes, sensitive=config.sensitive,
        teacher_logits=lambda frame: teacher.logits(teacher_encoder.transform(frame)),
        source=source)
    del real_hashes
    report(progress, "transfer set", 1, 1)

    # 3. student, from the transfer set only
    student_config = config.student
    if config.max_params_ratio is not None and teacher.caps.kind == "mlp":
        hidden = fit_widths(student_config.hidden, n_in=transfer.x.shape[1],
                            n_out=len(classes), budget=config.max_params_ratio * teacher.params())
        if hidden != student_config.hidden:
            log.warning("student widths %s exceed %.0f%% of the teacher's parameters on this "
                        "table; using %s", list(student_config.hidden),
                        100 * config.max_params_ratio, list(hidden))
            student_config = dataclasses.replace(student_config, hidden=hidden)
    student, history = train_student(transfer, student_config, seed=seed, positive=positive,
                                     progress=progress)

    # 4. compression at several levels
    shipped_spec = config.shipped
    specs = plan_levels(shipped_spec)
    pruned = {
        amount: pruned_student(student, transfer, student_config, amount=amount,
                               structured=config.structured, seed=seed, positive=positive,
                               progress=progress)
        for amount in sorted({s.prune for s in specs if s.prune > 0})
    }
    calibration = transfer.x[np.random.default_rng(seed).permutation(len(transfer.x))[:4096]]
    packed = {spec: compress(student, spec, pruned=pruned, calibration=calibration)
              for spec in specs}
    student_packed = pack_model(student)

    # 5. evaluation on the real holdout
    evaluator = _Evaluator(train, holdout, y_train, y_hold, features, config, positive)
    total = 2 + len(specs)
    report(progress, "evaluate", 0, total)
    teacher_eval = evaluator.teacher(teacher, teacher_encoder)
    report(progress, "evaluate", 1, total)
    student_eval = evaluator.packed("student", "fp32", student_packed, transfer.encoder,
                                    params=count_params(student))
    report(progress, "evaluate", 2, total)
    compressed = []
    for i, spec in enumerate(specs):
        base = student if spec.prune == 0 else pruned[spec.prune]
        compressed.append(evaluator.packed(spec.name, spec.name, packed[spec], transfer.encoder,
                                           params=stored_params(base),
                                           extra={"spec": spec.to_dict()}))
        report(progress, "evaluate", 3 + i, total)
    return DistillResult(
        config=config, classes=classes, positive_index=positive, teacher=teacher,
        teacher_encoder=teacher_encoder,
        student=student, shipped=packed.get(shipped_spec, student_packed),
        shipped_spec=shipped_spec, transfer=transfer, teacher_eval=teacher_eval,
        student_eval=student_eval, compressed=compressed, history=history,
        teacher_privacy=teacher.privacy_spent(), generator_privacy=generator_privacy,
        data={"train_rows": len(train), "holdout_rows": len(holdout), "features": features,
              "student_hidden": list(student_config.hidden),
              "teacher_encoded_features": int(x_train_t.shape[1])},
    )


def fit_widths(hidden: tuple[int, ...], *, n_in: int, n_out: int,
               budget: float) -> tuple[int, ...]:
    """``hidden`` scaled down (in proportion, each >= 2) until the MLP has <= ``budget``
    parameters; unchanged when it already fits."""
    def params(widths: tuple[int, ...]) -> int:
        sizes = [n_in, *widths, n_out]
        return sum(a * b + b for a, b in itertools.pairwise(sizes))

    if params(hidden) <= budget:
        return hidden
    scale = 1.0
    while scale > 0.01:
        scale *= 0.9
        candidate = tuple(max(2, int(w * scale)) for w in hidden)
        if params(candidate) <= budget:
            return candidate
    return tuple(2 for _ in hidden)


class _Evaluator:
    """Scores models on the real holdout (and real train rows for membership)."""

    def __init__(self, train: pd.DataFrame, holdout: pd.DataFrame, y_train: np.ndarray,
                 y_hold: np.ndarray, features: list[str], config: DistillConfig,
                 positive: int) -> None:
        rng = np.random.default_rng(config.seed + 7)
        n = min(config.membership_rows, len(train), len(holdout))
        self.member_idx = rng.choice(len(train), size=n, replace=False)
        self.nonmember_idx = rng.choice(len(holdout), size=n, replace=False)
        self.train, self.holdout = train[features], holdout[features]
        self.y_train, self.y_hold = y_train, y_hold
        self.sensitive = holdout[list(config.sensitive)]
        self.config, self.positive = config, positive
        self._fairness_cache: dict[bytes, dict[str, Any]] = {}

    def _fairness(self, proba: np.ndarray) -> dict[str, Any]:
        """Fairness depends only on the hard predictions: many levels share them (fp16)."""
        key = (proba.argmax(axis=1) == self.positive).tobytes()
        if key not in self._fairness_cache:
            self._fairness_cache[key] = fairness_summary(
                self.y_hold, proba, self.sensitive, positive=self.positive)
        return copy.deepcopy(self._fairness_cache[key])

    def _evaluate(self, name: str, method: str, proba_fn: ProbaFn, encode: Any, *,
                  size_bytes: int, file_bytes: int, params: int,
                  extra: dict[str, Any] | None = None) -> ModelEvaluation:
        x_hold = encode(self.holdout)
        proba = proba_fn(x_hold)
        metrics = classification_metrics(proba, self.y_hold)
        members = self.train.iloc[self.member_idx]
        attack = model_membership(
            proba_fn, members_X=encode(members), members_y=self.y_train[self.member_idx],
            nonmembers_X=x_hold[self.nonmember_idx], nonmembers_y=self.y_hold[self.nonmember_idx],
            seed=self.config.seed, n_bootstrap=100)
        membership = {k: attack[k] for k in ("auc", "tpr_at_fpr_0.01", "tpr_at_fpr_0.1", "ci",
                                             "n_members", "n_nonmembers") if k in attack}
        return ModelEvaluation(
            name=name, method=method, size_bytes=int(size_bytes), file_bytes=int(file_bytes),
            params=int(params), latency_ms=latency_ms(proba_fn, x_hold,
                                                      repeats=self.config.latency_repeats),
            fairness=self._fairness(proba),
            membership_auc=float(attack["auc"]),
            membership_attack="loss threshold (Yeom et al. 2018), evaluation.attacks",
            extra={**(extra or {}), "membership": membership}, **metrics,
        )

    def teacher(self, teacher: Teacher, encoder: TableEncoder) -> ModelEvaluation:
        module = teacher.torch_module()
        if module is not None:
            packed = pack_model(module)
            file_bytes = len(safetensors_bytes(packed))
            fn = _torch_proba(packed)
        else:
            file_bytes = teacher.size_bytes()

            def fn(x: np.ndarray) -> np.ndarray:
                return softmax(teacher.logits(x))

        return self._evaluate(f"teacher ({teacher.name})", teacher.name, fn, encoder.transform,
                              size_bytes=teacher.size_bytes(), file_bytes=file_bytes,
                              params=teacher.params(), extra={"dp": teacher.caps.dp})

    def packed(self, name: str, method: str, model: PackedMLP, encoder: TableEncoder, *,
               params: int | None = None, extra: dict[str, Any] | None = None) -> ModelEvaluation:
        return self._evaluate(
            name, method, _torch_proba(model), encoder.transform, size_bytes=model.size_bytes(),
            file_bytes=len(safetensors_bytes(model)),
            params=params if params is not None else model.params(), extra=extra)


def _torch_proba(model: nn.Module) -> ProbaFn:
    def fn(x: np.ndarray) -> np.ndarray:
        with torch.no_grad():
            logits = model(torch.from_numpy(np.ascontiguousarray(x, dtype=np.float32)))
        return softmax(logits.numpy())

    return fn
