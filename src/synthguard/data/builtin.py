"""Datasets shipped inside the package, so every install has them (no download).

Each built-in dataset may ship public metadata beside it (``<name>.metadata.json``): column
kinds and *public bounds* of its numeric columns, taken from the dataset's documentation and
never from its rows, with the source of every bound. DP generators need such bounds; with
them a built-in dataset works with every generator's defaults.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeGuard

import pandas as pd

from synthguard.errors import DataFileError

if TYPE_CHECKING:
    from synthguard.data.schema import Schema

_BUILTIN = {
    # name -> (parquet file, default target, default sensitive columns)
    "adult": ("adult.parquet", "class", ("sex", "race")),
}


def builtin_names() -> list[str]:
    return sorted(_BUILTIN)


def is_builtin(source: object) -> TypeGuard[str]:
    """True when ``source`` names a built-in dataset (and no file of that name exists, which
    ``load_table`` would read instead)."""
    return isinstance(source, str) and source in _BUILTIN and not Path(source).exists()


def _check(name: str) -> None:
    if name not in _BUILTIN:
        raise DataFileError(
            f"no built-in dataset {name!r}; built-in datasets: {', '.join(builtin_names())}"
        )


def builtin_defaults(name: str) -> tuple[str, tuple[str, ...]]:
    """Default ``(target, sensitive columns)`` of a built-in dataset."""
    _check(name)
    _, target, sensitive = _BUILTIN[name]
    return target, sensitive


def load_builtin(name: str) -> pd.DataFrame:
    """Load a built-in dataset by name (e.g. ``"adult"``: UCI Adult, CC BY 4.0)."""
    _check(name)
    resource = resources.files("synthguard.data") / "datasets" / _BUILTIN[name][0]
    with resources.as_file(resource) as path:
        return pd.read_parquet(path)


@lru_cache(maxsize=8)
def _metadata_text(name: str) -> str | None:
    resource = resources.files("synthguard.data") / "datasets" / f"{name}.metadata.json"
    return resource.read_text(encoding="utf-8") if resource.is_file() else None


def builtin_metadata(name: str) -> dict[str, Any]:
    """The public metadata of a built-in dataset, in the schema-override format that
    ``infer_schema(frame, overrides=...)`` and ``--metadata`` take::

        {"columns": {"age": {"kind": "numeric", "bounds": [17, 90], "source": "..."}}, "sources": {...}}

    ``{"columns": {}}`` when the dataset ships none. A fresh copy on every call.
    """
    _check(name)
    text = _metadata_text(name)
    if text is None:
        return {"columns": {}}
    data = json.loads(text)
    if not isinstance(data, dict) or not isinstance(data.get("columns"), dict):
        raise DataFileError(f"metadata of built-in dataset {name!r} is malformed (no 'columns' object)")
    return data


def public_bounds(name: str) -> dict[str, tuple[float, float]]:
    """Documented public bounds ``{column: (low, high)}`` of a built-in dataset's numeric
    columns (empty when it ships none)."""
    columns = builtin_metadata(name)["columns"]
    return {str(c): (float(v["bounds"][0]), float(v["bounds"][1]))
            for c, v in columns.items() if isinstance(v, dict) and v.get("bounds") is not None}


def builtin_overrides(source: object) -> dict[str, Any] | None:
    """Schema overrides to apply when ``source`` is a built-in dataset's name, else None."""
    return builtin_metadata(source) if is_builtin(source) else None


def source_schema(frame: pd.DataFrame, source: object,
                  overrides: str | Path | dict[str, Any] | None = None) -> Schema:
    """The schema of ``frame`` loaded from ``source``: inferred, then a built-in dataset's
    public metadata (kinds, public bounds) for the columns it still has, then the user's
    ``overrides`` (a JSON file or dict) on top."""
    from synthguard.data.schema import apply_overrides, infer_schema

    schema = infer_schema(frame)
    builtin = builtin_overrides(source)
    if builtin is not None:
        present = {str(c) for c in frame.columns}
        combos = [c for c in builtin.get("fixed_combinations", [])
                  if all(m in present for m in c["columns"])]
        schema = apply_overrides(schema, {"columns": {c: v for c, v in builtin["columns"].items()
                                                      if c in present},
                                          "fixed_combinations": combos})
    if overrides is not None:
        schema = apply_overrides(schema, overrides)
    return schema
