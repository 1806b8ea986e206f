"""Progress reporting without printing: library code calls a callback, front-ends draw bars.

A callback receives ``(stage, done, total)``; ``total`` is None when unknown. The CLI turns
it into a rich progress bar, the Streamlit app into ``st.progress``; tests pass nothing.
"""

from __future__ import annotations

from collections.abc import Callable

ProgressCallback = Callable[[str, float, float | None], None]


def noop_progress(stage: str, done: float, total: float | None) -> None:
    """Default callback: report nothing."""


def report(callback: ProgressCallback | None, stage: str, done: float, total: float | None) -> None:
    """Call ``callback`` if one was given."""
    if callback is not None:
        callback(stage, done, total)
