"""Distance to closest record (DCR) and exact copies: the first memorisation check.

Synthetic rows are compared with an equal-size sample of train and of holdout, so that
``dcr_share_closer_to_train`` is 0.5 when the generator learned nothing row-specific.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from synthguard.evaluation.encoding import TableEncoder
from synthguard.evaluation.neighbors import nearest_distances


def row_hashes(frame: pd.DataFrame) -> np.ndarray:
    """One 64-bit hash per row over its values as text (column order of ``frame``)."""
    return pd.util.hash_pandas_object(frame.astype(str), index=False).to_numpy()  # type: ignore[no-any-return]


def dcr_report(train: pd.DataFrame, holdout: pd.DataFrame, synthetic: pd.DataFrame, *,
               seed: int = 0, max_rows: int = 10_000) -> dict[str, Any]:
    """DCR statistics; also returns histograms (bin edges and counts) for the report plot."""
    rng = np.random.default_rng(seed)
    columns = list(train.columns)
    n_ref = min(len(train), len(holdout), max_rows)
    train_s = train.iloc[rng.choice(len(train), n_ref, replace=False)]
    hold_s = holdout.iloc[rng.choice(len(holdout), n_ref, replace=False)]
    n_syn = min(len(synthetic), max_rows)
    syn_s = synthetic.iloc[rng.choice(len(synthetic), n_syn, replace=False)][columns]
    encoder = TableEncoder().fit(train)
    x_train, x_hold, x_syn = (encoder.transform(f) for f in (train_s, hold_s, syn_s))
    d_train2 = nearest_distances(x_train, x_syn, k=2)
    d_train, d_hold = d_train2[:, 0], nearest_distances(x_hold, x_syn)[:, 0]
    nndr = d_train2[:, 0] / np.maximum(d_train2[:, 1], 1e-12)
    closer = np.mean(np.where(d_train == d_hold, 0.5, (d_train < d_hold).astype(float)))
    copies = int(np.isin(row_hashes(synthetic[columns]), row_hashes(train)).sum())
    copies_holdout = int(np.isin(row_hashes(synthetic[columns]), row_hashes(holdout)).sum())
    edges = np.histogram_bin_edges(np.concatenate([d_train, d_hold]), bins=40)
    return {
        "dcr_train_median": float(np.median(d_train)),
        "dcr_train_p5": float(np.percentile(d_train, 5)),
        "dcr_holdout_median": float(np.median(d_hold)),
        "dcr_holdout_p5": float(np.percentile(d_hold, 5)),
        "dcr_share_closer_to_train": float(closer),
        "nndr_median": float(np.median(nndr)),
        "exact_copies_of_train": copies,
        "exact_copies_of_holdout": copies_holdout,
        "exact_copy_share": copies / max(len(synthetic), 1),
        "sampled": {"synthetic": n_syn, "reference_each": n_ref},
        "histogram": {
            "edges": edges.tolist(),
            "train": np.histogram(d_train, edges)[0].tolist(),
            "holdout": np.histogram(d_hold, edges)[0].tolist(),
        },
    }
