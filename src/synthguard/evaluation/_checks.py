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
            "needs at least two classes: choose another target="
        )


def same_columns(real: pd.DataFrame, other: pd.DataFrame, *, name: str) -> None:
    missing = [c for c in real.columns if c not in other.columns]
    if missing:
        raise SchemaError(
            f"the {name} table lacks columns of the real table: {missing}; the tables must share a schema"
        )


def as_columns(value: str | Sequence[str] | None, *, name: str) -> list[str]:
    """One column name or several, as a list: ``"sex"`` means ``["sex"]``, never its characters."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    columns = list(value)
    bad = [c for c in columns if not isinstance(c, str)]
    if bad:
        raise ParameterError(f"{name} must be a column name or a list of column names, got {bad[0]!r}")
    return columns


MISSING_TARGET_RULE = ("rows whose target is missing are left out of model training and scoring "
                       "(counted in utility.rows_without_target); they stay in every other metric")


def drop_missing_target(frame: pd.DataFrame, target: str) -> pd.DataFrame:
    """The rows of ``frame`` with a target value (see :data:`MISSING_TARGET_RULE`)."""
    mask = frame[target].notna()
    return frame if bool(mask.all()) else frame.loc[mask].reset_index(drop=True)


def usable_values(frame: pd.DataFrame, *, table: str) -> None:
    """Every column has a value and no numeric value is infinite: ±inf breaks every histogram,
    distance and model downstream, and a column with no value at all cannot be compared."""
    import numpy as np

    for column in frame.columns:
        values = frame[column]
        if bool(values.isna().all()):
            raise SchemaError(f"column {column!r} of the {table} table has no values (all missing); "
                              "fix the file or drop the column from every table")
        if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
            infinite = int(np.isinf(values.to_numpy(dtype=float, na_value=np.nan)).sum())
            if infinite:
                raise SchemaError(f"column {column!r} of the {table} table holds {infinite} infinite "
                                  "value(s) (inf/-inf); replace them (e.g. by missing values) first")
