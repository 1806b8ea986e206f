"""Distance to closest record (DCR) and exact copies: the first memorisation check.

Synthetic rows are compared with an equal-size sample of train and of holdout, so that
``dcr_share_closer_to_train`` is 0.5 when the generator learned nothing row-specific.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.neighbors import NearestNeighbors

from synthguard.errors import MissingDependencyError
from synthguard.evaluation.encoding import TableEncoder


def row_hashes(frame: pd.DataFrame) -> np.ndarray:
    """One 64-bit hash per row over its values as text (column order of ``frame``)."""
    return pd.util.hash_pandas_object(frame.astype(str), index=False).to_numpy()  # type: ignore[no-any-return]


# Above this many reference rows, exact search costs O(reference x queries); an HNSW index
# (faiss) answers in about log time with near-exact distances.
INDEX_THRESHOLD = 50_000


def nearest_distances(reference: np.ndarray, queries: np.ndarray, *, k: int = 1,
                      chunk: int = 20_000, index: str = "auto") -> np.ndarray:
    """Euclidean distances from each query to its ``k`` nearest reference rows (chunked).

    ``index``: "exact" (scikit-learn), "hnsw" (faiss HNSW graph, approximate: a returned
    distance is never below the true nearest one) or "auto" (HNSW above ``INDEX_THRESHOLD``
    reference rows). Queries are answered ``chunk`` at a time, so memory stays bounded.
    """
    use_hnsw = index == "hnsw" or (index == "auto" and len(reference) > INDEX_THRESHOLD)
    if use_hnsw:
        return _hnsw_distances(reference, queries, k=k, chunk=chunk)
    nn = NearestNeighbors(n_neighbors=k, algorithm="auto", n_jobs=-1).fit(reference)
    parts = [nn.kneighbors(queries[i:i + chunk])[0] for i in range(0, len(queries), chunk)]
    return np.vstack(parts) if parts else np.zeros((0, k))


def _hnsw_distances(reference: np.ndarray, queries: np.ndarray, *, k: int, chunk: int) -> np.ndarray:
    try:
        import faiss
    except ImportError as exc:
        raise MissingDependencyError(
            "nearest-neighbour search on large tables needs faiss: pip install faiss-cpu"
        ) from exc
    ref = np.ascontiguousarray(reference, dtype=np.float32)
    graph = faiss.IndexHNSWFlat(ref.shape[1], 32)
    graph.hnsw.efConstruction = 64
    graph.hnsw.efSearch = 128
    for i in range(0, len(ref), 100_000):  # added in chunks: no second full copy
        graph.add(ref[i:i + 100_000])
    parts = []
    for i in range(0, len(queries), chunk):
        squared, _ = graph.search(np.ascontiguousarray(queries[i:i + chunk], dtype=np.float32), k)
        parts.append(np.sqrt(np.maximum(squared, 0.0)).astype(float))
    return np.vstack(parts) if parts else np.zeros((0, k))


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
