"""Validation shared by the evaluation entry points: columns exist, targets are usable."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from synthguard.errors import ParameterError, SchemaError


def require_columns(frame: pd.DataFrame, columns: Sequence[str], *, role: str, table: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise SchemaError(
            f"{role} column(s) {missing} not in the {table} table; its columns are {list(frame.columns)}"
        )


def is_classification(target: pd.Series) -> bool:
    return not pd.api.types.is_float_dtype(target) or target.nunique() <= 10


def require_usable_target(frame: pd.DataFrame, target: str, *, table: str) -> None:
    require_columns(frame, [target], role="target", table=table)
    classes = frame[target].dropna().nunique()
    if classes < 2:
        raise ParameterError(
            f"target {target!r} has {classes} distinct value(s) in the {table} table; a model "
            "needs at least two classes: choose another --target"
        )


def same_columns(real: pd.DataFrame, other: pd.DataFrame, *, name: str) -> None:
    missing = [c for c in real.columns if c not in other.columns]
    if missing:
        raise SchemaError(
            f"the {name} table lacks columns of the real table: {missing}; the tables must share a schema"
        )
