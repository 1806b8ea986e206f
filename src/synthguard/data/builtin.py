"""Datasets shipped inside the package, so every install has them (no download)."""

from __future__ import annotations

from importlib import resources

import pandas as pd

from synthguard.errors import DataFileError

_BUILTIN = {
    # name -> (parquet file, default target, default sensitive columns)
    "adult": ("adult.parquet", "class", ("sex", "race")),
}


def builtin_names() -> list[str]:
    return sorted(_BUILTIN)


def builtin_defaults(name: str) -> tuple[str, tuple[str, ...]]:
    """Default ``(target, sensitive columns)`` of a built-in dataset."""
    _, target, sensitive = _BUILTIN[name]
    return target, sensitive


def load_builtin(name: str) -> pd.DataFrame:
    """Load a built-in dataset by name (e.g. ``"adult"``: UCI Adult, CC BY 4.0)."""
    if name not in _BUILTIN:
        raise DataFileError(
            f"no built-in dataset {name!r}; built-in datasets: {', '.join(builtin_names())}"
        )
    resource = resources.files("synthguard.data") / "datasets" / _BUILTIN[name][0]
    with resources.as_file(resource) as path:
        return pd.read_parquet(path)
