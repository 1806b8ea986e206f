"""A long-lived process (the app, a notebook, a sweep) can fit DP models again and again."""

from __future__ import annotations

from pathlib import Path

import pytest

from synthguard.data._toy_relational import toy_bank
from synthguard.generators.relational import create_relational_generator

MAPS = Path("/proc/self/maps")


def _mappings() -> int:
    return sum(1 for _ in MAPS.open())


@pytest.mark.skipif(not MAPS.exists(), reason="counts Linux memory mappings")
def test_repeated_dp_fits_do_not_pile_up_memory_mappings() -> None:
    """Each Private-PGM fit compiled JAX programs that were never freed: ~3,600 memory
    mappings per hierarchical_dp fit on this toy bank, so the 17th fit or so crossed
    vm.max_map_count (65,530) and the process died ("LLVM ERROR: Unable to allocate section
    memory"). Fits now release them: the count after the second fit is about the first's."""
    data = toy_bank(100, seed=0, depth=2)
    counts = []
    for seed in range(2):
        create_relational_generator("hierarchical_dp", epsilon=1.0, iters=20).fit(data, seed=seed)
        counts.append(_mappings())
    assert counts[1] - counts[0] < 1_000, counts
