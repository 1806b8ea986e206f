"""Matplotlib figures for reports (aggregates only: histograms, bars, heatmaps)."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

REAL, SYNTH = "#3b5bdb", "#f08c00"


def marginals(real: pd.DataFrame, synthetic: pd.DataFrame, columns: list[str], *,
              max_columns: int = 12, max_levels: int = 12,
              anonymise: Collection[str] = ()) -> Figure:
    """Real vs synthetic marginals: shared-bin histograms or category shares.

    Columns in ``anonymise`` show no value: categories are labelled by their rank in the real
    table (``#1`` most frequent), numbers are plotted as quantiles of the real column.
    """
    columns = columns[:max_columns]
    ncols = 3
    nrows = max(1, int(np.ceil(len(columns) / ncols)))
    fig, axes = plt.subplots(nrows, ncols, figsize=(4.2 * ncols, 2.8 * nrows), squeeze=False)
    for ax, column in zip(axes.ravel(), columns, strict=False):
        r, s = real[column], synthetic[column]
        if column in anonymise:
            _anonymised_marginal(ax, r, s, max_levels=max_levels)
            ax.set_title(f"{column} (values hidden)", fontsize=9)
            continue
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


def _anonymised_marginal(ax: Any, r: pd.Series, s: pd.Series, *, max_levels: int) -> None:
    """A marginal with no value on it: ranked category shares, or real-quantile histograms."""
    if pd.api.types.is_numeric_dtype(r) and r.nunique() > max_levels:
        ref = np.sort(pd.to_numeric(r, errors="coerce").dropna().to_numpy(dtype=float))
        def quantile(x: pd.Series) -> np.ndarray:
            v = pd.to_numeric(x, errors="coerce").dropna().to_numpy(dtype=float)
            return np.searchsorted(ref, v, side="right") / max(len(ref), 1)  # type: ignore[no-any-return]
        bins = np.linspace(0, 1, 21)
        ax.hist(quantile(r), bins=bins, density=True, alpha=0.55, color=REAL, label="real")
        ax.hist(quantile(s), bins=bins, density=True, alpha=0.55, color=SYNTH, label="synthetic")
        ax.set_xlabel("quantile of the real column", fontsize=7)
        return
    fr = r.astype(str).value_counts(normalize=True)
    fs = s.astype(str).value_counts(normalize=True)
    top = fr.index[:max_levels]
    pos = np.arange(len(top))
    ax.bar(pos - 0.2, fr.reindex(top).fillna(0).to_numpy(), 0.4, color=REAL, label="real")
    ax.bar(pos + 0.2, fs.reindex(top).fillna(0).to_numpy(), 0.4, color=SYNTH, label="synthetic")
    ax.set_xticks(pos, [f"#{i + 1}" for i in pos], fontsize=7)
    ax.set_xlabel("category rank in the real table", fontsize=7)


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


def importance_bars(importances: list[dict[str, Any]], *, max_columns: int = 15) -> Figure:
    """Horizontal bars of each column's share of the detector's skill (largest on top)."""
    items = importances[:max_columns][::-1]
    fig, ax = plt.subplots(figsize=(6.5, 0.32 * max(len(items), 3) + 0.8))
    ax.barh([str(i["column"]) for i in items], [i["share"] for i in items], color=SYNTH)
    ax.set_xlabel("share of detection skill (permutation importance)")
    ax.set_xlim(0, max([i["share"] for i in items] + [0.05]) * 1.1)
    fig.tight_layout()
    return fig


def privacy_utility(board: pd.DataFrame, *, columns: tuple[str, ...] = ("TSTR / TRTR", "quality"),
                    baseline: str = "real train (baseline)") -> Figure:
    """ε against utility across artifacts, one labelled point each, from a
    :func:`~synthguard.evaluation.leaderboard.leaderboard` frame.

    ε is on a log axis; artifacts without a DP guarantee sit at the right edge, marked
    "∞ (no DP)"; the real-data baseline row, when present, is a dashed reference line.
    One panel per column in ``columns`` (default TSTR/TRTR and quality).
    """
    data = board[board.index != baseline]
    eps = pd.to_numeric(data["ε"], errors="coerce")
    finite = eps.dropna()
    finite = finite[finite > 0]
    high = float(finite.max()) if not finite.empty else 1.0
    low = float(finite.min()) if not finite.empty else 1.0
    no_dp_x = high * 10
    xs = eps.where(eps > 0).fillna(no_dp_x)
    fig, axes = plt.subplots(1, len(columns), figsize=(5 * len(columns), 3.6), squeeze=False)
    for ax, column in zip(axes[0], columns, strict=True):
        ys = pd.to_numeric(data[column], errors="coerce")
        ax.scatter(xs, ys, s=40, color=REAL, zorder=3)
        for name, x, y in zip(data.index, xs, ys, strict=True):
            if not pd.isna(y):
                ax.annotate(str(name), (x, y), textcoords="offset points", xytext=(4, 4), fontsize=7)
        reference = (pd.to_numeric(board[column], errors="coerce")[baseline]
                     if baseline in board.index else float("nan"))
        if np.isfinite(reference):
            ax.axhline(float(reference), color="#999999", ls="--", lw=1, label="real train")
            ax.legend(fontsize=7, loc="lower right")
        ax.set_xscale("log")
        ticks = sorted({*finite.tolist(), no_dp_x})
        ax.set_xticks(ticks)
        ax.set_xticklabels(["∞ (no DP)" if t == no_dp_x else f"{t:g}" for t in ticks], fontsize=7)
        ax.set_xlim(low / 2, no_dp_x * 2)
        ax.set_xlabel("ε (privacy loss; right = less private)")
        ax.set_ylabel(column)
        ax.grid(True, alpha=0.3)
        values = ys.to_numpy(dtype=float)
        if np.isfinite(values).any():
            ax.set_ylim(min(0.5, float(np.nanmin(values)) - 0.05), max(1.05, float(np.nanmax(values)) + 0.05))
    fig.suptitle("Privacy–utility trade-off across artifacts", fontsize=10)
    fig.tight_layout()
    return fig
