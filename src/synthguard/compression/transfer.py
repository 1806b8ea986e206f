"""The transfer set: synthetic rows labelled by the teacher, the student's only data.

Rows come from any registered generator (or a synthetic file the user gives). The teacher
labels them with logits; the student's encoder is fitted on these synthetic rows. Any
synthetic row whose canonical form equals a real training or holdout row (a generator that
copied a record) is dropped before the student sees it, and the count is recorded.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from synthguard.compression._canon import array_sha256, row_hashes
from synthguard.errors import ParameterError, SchemaError
from synthguard.evaluation.encoding import TableEncoder
from synthguard.generators import Generator, PrivacySpend, create_generator
from synthguard.generators._charged import LedgerChargedGenerator
from synthguard.ledger.budget import DPLedger
from synthguard.progress import ProgressCallback, report


@dataclass(frozen=True)
class TransferSet:
    """Exactly what the student trains on, plus the evidence of where it came from."""

    features: pd.DataFrame  # synthetic feature columns (no target)
    x: np.ndarray  # ``features`` encoded by ``encoder`` (float32)
    teacher_logits: np.ndarray  # (n, n_classes)
    encoder: TableEncoder  # fitted on ``features`` (synthetic), shipped with the student
    groups: np.ndarray | None  # (n, k) group codes per sensitive column (+ intersection)
    row_hashes: tuple[str, ...]  # canonical SHA-256 of each feature row
    sha256: str  # SHA-256 of (x, teacher_logits): the tensors the student trained on
    dropped_real_copies: int
    source: str  # generator name or "file"

    def __len__(self) -> int:
        return len(self.x)

    def summary(self) -> dict[str, Any]:
        return {"rows": len(self), "sha256": self.sha256, "source": self.source,
                "dropped_real_copies": self.dropped_real_copies,
                "encoded_features": int(self.x.shape[1])}


def sample_synthetic(
    generator: str,
    train: pd.DataFrame,
    *,
    rows: int,
    seed: int = 0,
    params: dict[str, Any] | None = None,
    progress: ProgressCallback | None = None,
    ledger: DPLedger | None = None,
) -> tuple[pd.DataFrame, PrivacySpend | None, Generator]:
    """Fit generator ``generator`` on the real train (inside the boundary) and sample ``rows``.

    A DP generator's fit charges the privacy ledger (``ledger``: store, run, source dataset).
    """
    if rows <= 0:
        raise ParameterError(f"transfer_rows={rows} must be positive")
    model = create_generator(generator, **(params or {}))
    report(progress, "generator", 0, 2)
    if isinstance(model, LedgerChargedGenerator):
        model.fit(train, seed=seed, ledger=ledger)
    else:
        model.fit(train, seed=seed)
    report(progress, "generator", 1, 2)
    synthetic = model.sample(rows, seed=seed + 1)
    report(progress, "generator", 2, 2)
    return synthetic, model.privacy_spent(), model


def group_codes(frame: pd.DataFrame, sensitive: Sequence[str]) -> np.ndarray | None:
    """Group codes, shape (n, k): one column per sensitive column and, for k >= 2 columns,
    a last one for their intersection."""
    if not sensitive:
        return None
    keys = [frame[c].astype(str) for c in sensitive]
    if len(keys) > 1:
        keys.append(frame[list(sensitive)].astype(str).agg("|".join, axis=1))
    codes = [pd.factorize(k, sort=True)[0] for k in keys]
    return np.stack(codes, axis=1).astype(np.int64)


def build_transfer_set(
    synthetic: pd.DataFrame,
    *,
    feature_columns: Sequence[str],
    teacher_logits: Callable[[pd.DataFrame], np.ndarray],
    real_hashes: set[str],
    sensitive: Sequence[str] = (),
    source: str = "file",
) -> TransferSet:
    """Label ``synthetic`` with the teacher; drop copies of real rows; encode for the student."""
    missing = [c for c in feature_columns if c not in synthetic.columns]
    if missing:
        raise SchemaError(
            f"synthetic rows lack feature column(s) {missing}; "
            "they must have the real table's columns"
        )
    features = synthetic[list(feature_columns)].reset_index(drop=True)
    hashes = row_hashes(features)
    keep = np.array([h not in real_hashes for h in hashes], dtype=bool)
    dropped = int((~keep).sum())
    features = features[keep].reset_index(drop=True)
    hashes = [h for h, k in zip(hashes, keep, strict=True) if k]
    if len(features) < 20:
        raise ParameterError(
            f"only {len(features)} usable synthetic rows (after dropping {dropped} copies of real "
            "rows); the transfer set needs at least 20: sample more rows"
        )
    logits = np.asarray(teacher_logits(features), dtype=np.float32)
    encoder = TableEncoder().fit(features)
    x = encoder.transform(features)
    return TransferSet(
        features=features, x=x, teacher_logits=logits, encoder=encoder,
        groups=group_codes(features, sensitive), row_hashes=tuple(hashes),
        sha256=array_sha256(x, logits), dropped_real_copies=dropped, source=source,
    )
