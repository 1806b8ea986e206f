"""Matplotlib figures for reports (aggregates only: histograms, bars, heatmaps)."""

from __future__ import annotations

from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

REAL, SYNTH = "#3b5bdb", "#f08c00"


def marginals(real: pd.DataFrame, synthetic: pd.DataFrame, columns: list[str], *,
              max_columns: int = 12, max_levels: int = 12) -> Figure:
    """Real vs synthetic marginals: shared-bin histograms or category shares."""
    columns = columns[:max_columns]
    ncols = 3
    nrows = max(1, int(np.ceil(len(columns) / ncols)))
    fig, axes = plt.subplots(nrows, ncols, figsize=(4.2 * ncols, 2.8 * nrows), squeeze=False)
    for ax, column in zip(axes.ravel(), columns, strict=False):
        r, s = real[column], synthetic[column]
        if pd.api.types.is_numeric_dtype(r) and r.nunique() > max_levels:
            rv = pd.to_numeric(r, errors="coerce").dropna()
            sv = pd.to_numeric(s, errors="coerce").dropna()
            lo, hi = np.nanpercentile(rv, [0.5, 99.5])
            bins = np.linspace(lo, hi if hi > lo else lo + 1, 30)
            ax.hist(rv.clip(lo, hi), bins=bins, density=True, alpha=0.55, color=REAL, label="real")
            ax.hist(sv.clip(lo, hi), bins=bins, density=True, alpha=0.55, color=SYNTH, label="synthetic")
        else:
            fr = r.astype(str).value_counts(normalize=True)
            fs = s.astype(str).value_counts(normalize=True)
            top = fr.index[:max_levels]
            pos = np.arange(len(top))
            ax.bar(pos - 0.2, fr.reindex(top).fillna(0), 0.4, color=REAL, label="real")
            ax.bar(pos + 0.2, fs.reindex(top).fillna(0), 0.4, color=SYNTH, label="synthetic")
            ax.set_xticks(pos, [str(t)[:12] for t in top], rotation=60, ha="right", fontsize=7)
        ax.set_title(column, fontsize=9)
    for ax in axes.ravel()[len(columns):]:
        ax.axis("off")
    axes.ravel()[0].legend(fontsize=7)
    fig.tight_layout()
    return fig


def correlation_difference(real: pd.DataFrame, synthetic: pd.DataFrame, columns: list[str]) -> Figure:
    """Heatmap of |corr_real - corr_synthetic| over numerically coded columns."""
    def coded(frame: pd.DataFrame) -> pd.DataFrame:
        out = {}
        for c in columns:
            col = frame[c]
            if pd.api.types.is_numeric_dtype(col):
                out[c] = pd.to_numeric(col, errors="coerce")
            else:
                order = {v: i for i, v in enumerate(real[c].astype(str).value_counts().index)}
                out[c] = col.astype(str).map(order)
        return pd.DataFrame(out).rank()

    diff = (coded(real).corr() - coded(synthetic).corr()).abs().fillna(0)
    fig, ax = plt.subplots(figsize=(0.45 * len(columns) + 3, 0.45 * len(columns) + 2))
    image = ax.imshow(diff.to_numpy(), vmin=0, vmax=1, cmap="magma_r")
    ax.set_xticks(range(len(columns)), columns, rotation=70, ha="right", fontsize=7)
    ax.set_yticks(range(len(columns)), columns, fontsize=7)
    fig.colorbar(image, ax=ax, label="|Spearman real - synthetic|")
    fig.tight_layout()
    return fig


def dcr_histogram(histogram: dict[str, Any]) -> Figure:
    edges = np.asarray(histogram["edges"])
    centers = (edges[:-1] + edges[1:]) / 2
    width = np.diff(edges)
    fig, ax = plt.subplots(figsize=(7, 3))
    ax.bar(centers, histogram["train"], width, alpha=0.55, color=REAL, label="synthetic → train")
    ax.bar(centers, histogram["holdout"], width, alpha=0.55, color=SYNTH, label="synthetic → holdout")
    ax.set_xlabel("distance to closest record")
    ax.set_ylabel("synthetic rows")
    ax.legend()
    fig.tight_layout()
    return fig


def group_bars(fairness: dict[str, Any], *, metric: str = "selection_rate") -> Figure:
    """Per-group bars of ``metric`` for the real-trained and synthetic-trained models."""
    models = [m for m in ("real_model", "synthetic_model") if m in fairness]
    first = fairness[models[0]]
    section = first.get("intersectional") or next(iter(first["by_column"].values()))
    groups = list(section["groups"])[:16]
    fig, ax = plt.subplots(figsize=(max(6, 0.6 * len(groups) + 2), 3.2))
    pos = np.arange(len(groups))
    for i, (model, color) in enumerate(zip(models, (REAL, SYNTH), strict=False)):
        sec = fairness[model].get("intersectional") or next(iter(fairness[model]["by_column"].values()))
        values = [sec["groups"].get(g, {}).get(metric, np.nan) for g in groups]
        ax.bar(pos + (i - 0.5) * 0.4, values, 0.4, color=color, label=model.replace("_", " "))
    ax.set_xticks(pos, groups, rotation=50, ha="right", fontsize=7)
    ax.set_ylabel(metric.replace("_", " "))
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig
