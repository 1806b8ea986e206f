"""Turn mixed tables into numeric matrices for models and distances, fitted on real data only.

One encoder serves utility models, distance-to-closest-record and the attacks, so every
figure in a report sees the columns the same way: numeric columns scaled by their real
interquartile range (robust to outliers), categoricals one-hot (or ordinal for trees),
missing values as their own indicator.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd


@dataclass
class TableEncoder:
    """Fit on a real table; transform any table with the same columns into float32."""

    max_categories: int = 50
    numeric: list[str] = field(default_factory=list)
    categorical: dict[str, list[str]] = field(default_factory=dict)
    _center: dict[str, float] = field(default_factory=dict)
    _scale: dict[str, float] = field(default_factory=dict)
    _nullable: set[str] = field(default_factory=set)

    def fit(self, frame: pd.DataFrame, *, exclude: tuple[str, ...] = ()) -> TableEncoder:
        self.numeric, self.categorical = [], {}
        for column in frame.columns:
            if column in exclude:
                continue
            series = frame[column]
            if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series) \
                    and series.nunique() > 2:
                values = series.astype(float)
                q1, q3 = np.nanpercentile(values, [25, 75]) if values.notna().any() else (0, 1)
                std = float(np.nanstd(values)) if values.notna().any() else 1.0
                scale = float(q3 - q1) or std or 1.0
                self.numeric.append(column)
                self._center[column] = float(np.nanmedian(values)) if values.notna().any() else 0.0
                self._scale[column] = scale
                if values.isna().any():
                    self._nullable.add(column)
            else:
                if pd.api.types.is_datetime64_any_dtype(series):
                    series = series.astype("int64")
                counts = series.astype(str).value_counts()
                self.categorical[column] = list(counts.index[: self.max_categories])
        return self

    @property
    def columns(self) -> list[str]:
        return self.numeric + list(self.categorical)

    def transform(self, frame: pd.DataFrame, *, onehot: bool = True) -> np.ndarray:
        """Encode ``frame``: scaled numerics (NaN -> 0 plus an indicator), then categoricals."""
        blocks: list[np.ndarray] = []
        for column in self.numeric:
            values = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float)
            missing = np.isnan(values)
            scaled = (values - self._center[column]) / self._scale[column]
            scaled[missing] = 0.0
            blocks.append(scaled[:, None])
            if column in self._nullable:
                blocks.append(missing[:, None].astype(float))
        for column, levels in self.categorical.items():
            codes = pd.Categorical(frame[column].astype(str), categories=levels).codes
            if onehot:
                onehot_block = np.zeros((len(frame), len(levels) + 1), dtype=np.float32)
                onehot_block[np.arange(len(frame)), codes] = 1.0  # code -1 (other) -> last
                blocks.append(onehot_block)
            else:
                blocks.append(codes[:, None].astype(float))
        if not blocks:
            return np.zeros((len(frame), 0), dtype=np.float32)
        return np.hstack(blocks).astype(np.float32)
