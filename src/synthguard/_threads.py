"""Thread limits for OpenMP-backed models (sklearn's HistGradientBoosting, LightGBM).

On a small or busy machine OpenMP's spinning workers oversubscribe the cores: measured here,
a 3-fold detection classifier on Adult took 102 s with default threads under load and 4.7 s
with one thread. Evaluation models are small, so one thread is the safe default.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

from threadpoolctl import threadpool_limits


@contextlib.contextmanager
def model_threads() -> Iterator[None]:
    """Limit OpenMP/BLAS threads to ``$SYNTHGUARD_MODEL_THREADS`` (default 1) inside the block."""
    limit = int(os.environ.get("SYNTHGUARD_MODEL_THREADS", "1"))
    with threadpool_limits(limits=limit):
        yield
