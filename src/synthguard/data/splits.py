"""Seeded, stratified train/holdout split. The holdout is never shown to a generator."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from synthguard.errors import ParameterError, SchemaError


@dataclass(frozen=True)
class Split:
    train: pd.DataFrame
    holdout: pd.DataFrame


def train_holdout_split(
    frame: pd.DataFrame,
    *,
    holdout_fraction: float = 0.3,
    stratify: str | None = None,
    seed: int = 0,
) -> Split:
    """Split ``frame`` into train and holdout, stratified on ``stratify`` when given."""
    if not 0.0 < holdout_fraction < 1.0:
        raise ParameterError(f"holdout fraction must be in (0, 1), got {holdout_fraction}")
    if len(frame) < 4:
        raise ParameterError(f"table has {len(frame)} rows; a split needs at least 4")
    labels = None
    if stratify is not None:
        if stratify not in frame.columns:
            raise SchemaError(
                f"stratify column {stratify!r} is not in the table; columns: {list(frame.columns)}"
            )
        counts = frame[stratify].value_counts()
        labels = frame[stratify] if counts.min() >= 2 else None
    from sklearn.model_selection import train_test_split  # lazy: keeps CLI start-up fast

    train, holdout = train_test_split(
        frame, test_size=holdout_fraction, random_state=seed, stratify=labels
    )
    return Split(train.reset_index(drop=True), holdout.reset_index(drop=True))
