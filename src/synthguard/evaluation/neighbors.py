"""Nearest-neighbour distances for DCR and the membership attacks, one implementation.

Exact search (scikit-learn) costs O(reference x queries), which is fine up to tens of
thousands of reference rows and hopeless at millions. Above ``INDEX_THRESHOLD`` reference
rows an HNSW graph (faiss) is built in chunks and queried in chunks: about log time per
query, memory bounded by the index plus one chunk of queries. HNSW is approximate in one
direction only: a returned distance is never below the true nearest one, so a privacy
figure from it can only look safer by the graph's (small, measured in the tests) miss rate.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from sklearn.neighbors import NearestNeighbors

from synthguard.errors import MissingDependencyError, ParameterError
from synthguard.progress import ProgressCallback, report

# reference rows above which "auto" switches from exact search to the HNSW index
INDEX_THRESHOLD = 50_000
INDEX_KINDS = ("auto", "exact", "hnsw")
_ADD_CHUNK = 100_000

Search = Callable[[np.ndarray], np.ndarray]  # a chunk of queries -> (chunk, k) distances


def nearest_distances(
    reference: np.ndarray,
    queries: np.ndarray,
    *,
    k: int = 1,
    chunk: int = 20_000,
    index: str = "auto",
    progress: ProgressCallback | None = None,
    stage: str = "neighbours",
) -> np.ndarray:
    """Euclidean distances from each query to its ``k`` nearest reference rows, shape (q, k).

    ``index``: "exact", "hnsw" or "auto" (HNSW above ``INDEX_THRESHOLD`` reference rows).
    Queries are answered ``chunk`` at a time, with a progress report after each chunk.
    """
    k = max(1, min(k, len(reference)))
    kind = index_kind(len(reference), index)
    search = _hnsw_search(reference, k) if kind == "hnsw" else _exact_search(reference, k)
    out = np.empty((len(queries), k), dtype=np.float64)
    for start in range(0, len(queries), chunk):
        stop = min(start + chunk, len(queries))
        out[start:stop] = search(queries[start:stop])
        report(progress, stage, stop, len(queries))
    return out


def index_kind(n_reference: int, index: str = "auto") -> str:
    """The search ``nearest_distances`` uses for ``n_reference`` rows: "exact" or "hnsw"."""
    if index not in INDEX_KINDS:
        raise ParameterError(f"index must be one of {', '.join(INDEX_KINDS)}, got {index!r}")
    if index == "auto":
        return "hnsw" if n_reference > INDEX_THRESHOLD else "exact"
    return index


def _exact_search(reference: np.ndarray, k: int) -> Search:
    nn = NearestNeighbors(n_neighbors=k, algorithm="auto").fit(reference)

    def search(q: np.ndarray) -> np.ndarray:
        return np.asarray(nn.kneighbors(q, n_neighbors=k)[0])

    return search


def _hnsw_search(reference: np.ndarray, k: int) -> Search:
    try:
        import faiss
    except ImportError as exc:
        raise MissingDependencyError(
            "nearest-neighbour search on large tables needs faiss: pip install faiss-cpu"
        ) from exc
    graph = faiss.IndexHNSWFlat(reference.shape[1], 32)
    graph.hnsw.efConstruction = 64
    graph.hnsw.efSearch = 128
    for i in range(0, len(reference), _ADD_CHUNK):  # float32 copies one chunk at a time
        graph.add(np.ascontiguousarray(reference[i:i + _ADD_CHUNK], dtype=np.float32))

    def search(q: np.ndarray) -> np.ndarray:
        squared, _ = graph.search(np.ascontiguousarray(q, dtype=np.float32), k)
        return np.sqrt(np.maximum(squared, 0.0))

    return search
