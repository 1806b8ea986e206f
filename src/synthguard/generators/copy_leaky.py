"""``copy_leaky``: a deliberately leaky generator, for calibrating the privacy attacks.

A given share of its rows are verbatim copies of training rows; the rest come from a fitted
model (the registry's ``gaussian_copula`` by default, or any registered tabular generator).
The leakage report must flag it, and its membership AUC must rise with the copied share:
if an attack does not see this, it will not see subtler leaks either. Never use it to
release data: its saved folder contains real training rows.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from synthguard.data.loading import table_fingerprint
from synthguard.errors import IntegrityError, NotFittedError, ParameterError, SchemaError
from synthguard.generators.base import Capabilities, Generator, GeneratorParams, check_rows
from synthguard.generators.registry import get_generator, register_generator
from synthguard.progress import ProgressCallback, report

_ROWS_FILE = "copied_rows.parquet"
_BASE_DIR = "base"
_BASE_PARAMS = "base_params.json"


@dataclass(frozen=True)
class CopyLeakyParams(GeneratorParams):
    copied_share: float = 0.5  # share of sampled rows copied verbatim from train
    base: str = "gaussian_copula"  # registered tabular generator for the other rows

    def __post_init__(self) -> None:
        if not 0.0 <= float(self.copied_share) <= 1.0:
            raise ParameterError(f"copied_share must be in [0, 1], got {self.copied_share!r}")
        if self.base == "copy_leaky":
            raise ParameterError("copy_leaky cannot use itself as its base generator")


@register_generator
class CopyLeaky(Generator):
    """Copies ``copied_share`` of its output from train; for tests and demos only."""

    name = "copy_leaky"
    summary = "LEAKY ON PURPOSE: a share of rows copied from train, the rest from a base model"
    caps = Capabilities(modality="tabular", dp=False, seeded=True)
    Params = CopyLeakyParams

    def __init__(self, params: GeneratorParams | None = None, **kwargs: Any) -> None:
        super().__init__(params, **kwargs)
        self._rows: pd.DataFrame | None = None
        self._base: Generator | None = None

    @property
    def p(self) -> CopyLeakyParams:
        assert isinstance(self.params, CopyLeakyParams)
        return self.params

    def fit(self, data: Any, *, schema: Any = None, seed: int = 0,
            progress: ProgressCallback | None = None) -> CopyLeaky:
        if not isinstance(data, pd.DataFrame) or data.empty:
            raise SchemaError("copy_leaky needs a non-empty table to fit")
        base_cls = get_generator(self.p.base)
        if base_cls.caps.modality != "tabular":
            raise ParameterError(f"base generator {self.p.base!r} is not tabular")
        if base_cls.caps.pickled:
            raise ParameterError(
                f"base generator {self.p.base!r} saves a pickle; copy_leaky stores its base "
                "inside its own folder, so use a non-pickled base such as gaussian_copula"
            )
        report(progress, "fit copy_leaky", 0, 2)
        self._base = base_cls().fit(data, schema=schema, seed=seed)
        self._rows = data.reset_index(drop=True).copy()
        self.fit_info.data_sha256 = table_fingerprint(data)
        self.fit_info.n_rows = len(data)
        self.fit_info.columns = [str(c) for c in data.columns]
        report(progress, "fit copy_leaky", 2, 2)
        return self

    def sample(self, n: int, *, seed: int = 0,
               progress: ProgressCallback | None = None) -> pd.DataFrame:
        check_rows(n)
        if self._rows is None or self._base is None:
            raise NotFittedError("copy_leaky is not fitted; call fit() first")
        rng = np.random.default_rng([seed, 7])
        n_copy = round(self.p.copied_share * n)
        replace = n_copy > len(self._rows)
        copied = self._rows.iloc[rng.choice(len(self._rows), n_copy, replace=replace)]
        parts = [copied]
        if n - n_copy > 0:
            parts.append(self._base.sample(n - n_copy, seed=seed)[list(self._rows.columns)])
        out = pd.concat(parts, ignore_index=True)
        out = out.iloc[rng.permutation(len(out))].reset_index(drop=True)
        for column in self._rows.columns:  # keep train dtypes where the base drifted
            if out[column].dtype != self._rows[column].dtype:
                with contextlib.suppress(TypeError, ValueError):
                    out[column] = out[column].astype(self._rows[column].dtype)
            if out[column].dtype == object:  # string ids copied + fresh integer ids sampled
                out[column] = out[column].where(out[column].isna(), out[column].astype(str))
        report(progress, "sample copy_leaky", n, n)
        return out

    def save_files(self, folder: Path) -> None:
        if self._rows is None or self._base is None:
            raise NotFittedError("cannot save an unfitted copy_leaky")
        self._rows.to_parquet(folder / _ROWS_FILE, index=False)
        (folder / _BASE_DIR).mkdir()
        self._base.save_files(folder / _BASE_DIR)
        (folder / _BASE_PARAMS).write_text(json.dumps(self._base.params.to_dict()),
                                           encoding="utf-8")

    @classmethod
    def load_files(cls, folder: Path, params: GeneratorParams) -> CopyLeaky:
        generator = cls(params)
        assert isinstance(params, CopyLeakyParams)
        base_cls = get_generator(params.base)
        if base_cls.caps.pickled or base_cls.caps.modality != "tabular":
            # fit() never saves such a base: this folder was not written by synthguard
            raise IntegrityError(
                f"copy_leaky folder {str(folder)!r} names base {params.base!r}, which copy_leaky "
                "never saves (pickled or not tabular); refusing to load it")
        base_params = base_cls.Params.from_dict(
            json.loads((folder / _BASE_PARAMS).read_text(encoding="utf-8")))
        generator._base = base_cls.load_files(folder / _BASE_DIR, base_params)
        generator._rows = pd.read_parquet(folder / _ROWS_FILE)
        return generator
