"""Stratified uniforms for drawing many rows from one distribution at a time.

Rows that share a distribution (a parent configuration, a clique's conditional) take its
frequencies with far less sampling noise when their uniforms are spread one per stratum than
when drawn independently; the copula's relational children and the Private-PGM sampler both
draw this way.
"""

from __future__ import annotations

import numpy as np


def stratified_within(groups: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A uniform per row, stratified within each group: the m rows of a group, in random
    order, get one uniform each in [k/m, (k+1)/m), k = 0..m-1."""
    size = groups.size
    order = rng.permutation(size)
    rows = order[np.argsort(groups[order], kind="stable")]
    sorted_groups = groups[rows]
    starts = np.flatnonzero(np.r_[True, sorted_groups[1:] != sorted_groups[:-1]])
    counts = np.diff(np.r_[starts, size])
    rank = np.arange(size) - np.repeat(starts, counts)
    u = np.empty(size)
    u[rows] = (rank + rng.random(size)) / np.repeat(counts, counts)
    return u
