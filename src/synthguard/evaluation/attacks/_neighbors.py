"""Record keys and Anonymeter's mixed-type nearest neighbours, chunked for 100k-row tables.

Two geometries: the shared :class:`TableEncoder` space (Euclidean, for the membership
attacks, consistent with the report's DCR; searched by
:func:`synthguard.evaluation.neighbors.nearest_distances`) and Anonymeter's Gower-like mixed distance (L1
on range-scaled numerics plus one per differing category) for singling-out, linkability and
inference, so those figures are comparable to Anonymeter's.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from synthguard.progress import ProgressCallback, report

_MAX_ONEHOT = 512  # categorical levels above this are compared column by column


def row_keys(frame: pd.DataFrame, columns: Sequence[str]) -> np.ndarray:
    """A 64-bit key per row so equal records (up to int/float spelling) get equal keys."""
    parts: dict[str, pd.Series] = {}
    for column in columns:
        series = frame[column]
        if pd.api.types.is_bool_dtype(series):
            parts[column] = series.astype("float64")
        elif pd.api.types.is_numeric_dtype(series):
            parts[column] = series.astype("float64").round(9)
        else:
            parts[column] = series.astype(str)
    normalised = pd.DataFrame(parts, index=range(len(frame)))
    return pd.util.hash_pandas_object(normalised, index=False).to_numpy()


def count_matches(keys: np.ndarray, pool: np.ndarray) -> np.ndarray:
    """How many rows of ``pool`` have each key in ``keys``."""
    uniq, counts = np.unique(pool, return_counts=True)
    pos = np.searchsorted(uniq, keys)
    pos = np.clip(pos, 0, max(len(uniq) - 1, 0))
    found = (uniq[pos] == keys) if len(uniq) else np.zeros(len(keys), dtype=bool)
    return np.where(found, counts[pos] if len(uniq) else 0, 0)


# ---- Anonymeter's mixed-type distance ------------------------------------------------


def column_types(frame: pd.DataFrame, columns: Sequence[str]) -> tuple[list[str], list[str]]:
    """Numeric and categorical columns, by Anonymeter's rule (pandas 'number' dtype)."""
    numeric = sorted(c for c in columns if pd.api.types.is_numeric_dtype(frame[c])
                     and not pd.api.types.is_bool_dtype(frame[c]))
    categorical = sorted(c for c in columns if c not in set(numeric))
    return numeric, categorical


class GowerSpace:
    """Encode two tables together as Anonymeter does: numerics / joint range, labels."""

    def __init__(self, a: pd.DataFrame, b: pd.DataFrame, columns: Sequence[str]) -> None:
        self.numeric, self.categorical = column_types(a, columns)
        num_a, num_b = [], []
        for column in self.numeric:
            va = pd.to_numeric(a[column], errors="coerce").to_numpy(dtype=np.float64)
            vb = pd.to_numeric(b[column], errors="coerce").to_numpy(dtype=np.float64)
            both = np.r_[va, vb]
            finite = both[np.isfinite(both)]
            rng = float(finite.max() - finite.min()) if finite.size else 0.0
            rng = rng or 1.0
            num_a.append(va / rng)
            num_b.append(vb / rng)
        cat_a, cat_b = [], []
        for column in self.categorical:
            sa, sb = a[column], b[column]
            joint = pd.concat([sa, sb], ignore_index=True)
            strings = joint.astype(str).where(joint.notna(), None)
            codes, _ = pd.factorize(strings, use_na_sentinel=True)
            cat_a.append(codes[: len(sa)])
            cat_b.append(codes[len(sa):])
        self.a_num = np.column_stack(num_a) if num_a else np.zeros((len(a), 0))
        self.b_num = np.column_stack(num_b) if num_b else np.zeros((len(b), 0))
        self.a_cat = np.column_stack(cat_a) if cat_a else np.zeros((len(a), 0), dtype=np.int64)
        self.b_cat = np.column_stack(cat_b) if cat_b else np.zeros((len(b), 0), dtype=np.int64)


def gower_nearest(
    space: GowerSpace, *, k: int = 1, chunk: int = 256, progress: ProgressCallback | None = None,
    stage: str = "neighbours", rng: np.random.Generator | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """For each row of ``space``'s table b, the ``k`` nearest rows of table a (index, dist).

    Exact ties go to a random one of the tied rows when ``rng`` is given (Anonymeter's
    quicksort leaves their order arbitrary; always taking the lowest index would make the
    two halves of a linkability attack agree more often than it does), else to the lowest
    index.
    """
    n_a, n_b = len(space.a_num) if space.a_num.size else len(space.a_cat), (
        len(space.b_num) if space.b_num.size else len(space.b_cat))
    k = max(1, min(k, n_a))
    chunk = max(8, min(chunk, 8_000_000 // max(n_a, 1)))  # ~64 MB per temporary at most
    idx = np.empty((n_b, k), dtype=np.int64)
    dst = np.empty((n_b, k), dtype=np.float64)
    a_num = space.a_num.astype(np.float32)
    b_num = space.b_num.astype(np.float32)
    nan_cols = {j for j in range(a_num.shape[1])
                if np.isnan(a_num[:, j]).any() or np.isnan(b_num[:, j]).any()}
    # categories: matches counted by a product of one-hot blocks (BLAS) when few levels;
    # a missing value matches nothing (Anonymeter counts missing vs missing as different)
    onehot_a: list[np.ndarray] = []
    onehot_b: list[np.ndarray] = []
    wide: list[int] = []
    for j in range(space.a_cat.shape[1]):
        levels = int(max(space.a_cat[:, j].max(initial=-1), space.b_cat[:, j].max(initial=-1)))
        if levels + 1 <= _MAX_ONEHOT:
            for codes, out in ((space.a_cat[:, j], onehot_a), (space.b_cat[:, j], onehot_b)):
                block = np.zeros((len(codes), levels + 1), dtype=np.float32)
                ok = codes >= 0
                block[np.nonzero(ok)[0], codes[ok]] = 1.0
                out.append(block)
        else:
            wide.append(j)
    oh_a = np.hstack(onehot_a) if onehot_a else None
    oh_b = np.hstack(onehot_b) if onehot_b else None
    n_onehot = float(len(onehot_a))
    for start in range(0, n_b, chunk):
        stop = min(start + chunk, n_b)
        if oh_a is not None and oh_b is not None:
            d = n_onehot - oh_b[start:stop] @ oh_a.T
        else:
            d = np.zeros((stop - start, n_a), dtype=np.float32)
        for j in range(a_num.shape[1]):
            diff = np.abs(b_num[start:stop, j][:, None] - a_num[None, :, j])
            if j in nan_cols:
                diff[np.isnan(diff)] = 1.0
            d += diff
        for j in wide:
            qc = space.b_cat[start:stop, j][:, None]
            d += (qc != space.a_cat[None, :, j]) | (qc < 0)
        if k == 1 and rng is not None:
            tied = d <= d.min(axis=1, keepdims=True)
            priority = rng.random(d.shape, dtype=np.float32)
            priority[~tied] = -1.0
            best: np.ndarray = np.argmax(priority, axis=1)[:, None]
        elif k == 1:
            best = np.argmin(d, axis=1)[:, None]
        else:
            if rng is not None:  # order exact ties at random, keep every real difference
                d = d + rng.random(d.shape, dtype=np.float32) * np.float32(1e-6)
            part = np.argpartition(d, k - 1, axis=1)[:, :k]
            order = np.take_along_axis(d, part, axis=1).argsort(axis=1, kind="stable")
            best = np.take_along_axis(part, order, axis=1)
        idx[start:stop] = best
        dst[start:stop] = np.take_along_axis(d, best, axis=1)
        report(progress, stage, stop, n_b)
    return idx, dst
