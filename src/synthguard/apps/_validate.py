"""Form checks of the workbench: ε, δ, budgets and public bounds, before a job starts.

Each check returns the problems as sentences in the app's terms (empty when the input is
fine), so a page can list them and disable its button instead of starting a job that the
library would refuse a minute later. Nothing here calls Streamlit.
"""

from __future__ import annotations

import math
from typing import Any

MAX_EPSILON = 1000.0


def check_epsilon(epsilon: float, *, label: str = "ε") -> list[str]:
    """ε must be a finite number > 0 (values above 1000 promise nothing and are refused)."""
    if not math.isfinite(epsilon) or epsilon <= 0:
        return [f"{label} must be a number greater than 0 (for example 1.0); got {epsilon:g}."]
    if epsilon > MAX_EPSILON:
        return [f"{label}={epsilon:g} gives no meaningful privacy guarantee; use at most "
                f"{MAX_EPSILON:g}."]
    return []


def check_delta(text: str, *, n_rows: int) -> tuple[float | None, list[str]]:
    """δ typed as text: empty means the default 1/n²; otherwise a number in (0, 1/n)."""
    text = text.strip()
    if not text:
        return None, []
    try:
        delta = float(text)
    except ValueError:
        return None, [f"δ must be a number such as 1e-6, or empty for 1/n²; got {text!r}."]
    if not math.isfinite(delta) or not 0 < delta < 1:
        return None, [f"δ must be between 0 and 1 (exclusive), such as 1e-6; got {text!r}."]
    if n_rows > 0 and delta >= 1.0 / n_rows:
        return None, [f"δ={delta:g} is not below 1/n = {1.0 / n_rows:.2g} for {n_rows:,} train rows: "
                      "such a δ allows publishing a whole record. Use a smaller δ (or leave it "
                      "empty for 1/n²)."]
    return delta, []


def check_budget(status: Any, epsilon: float) -> list[str]:
    """A run asking more ε than the dataset's budget has left is refused before it starts."""
    if status is None or status.budget is None or status.remaining_epsilon is None:
        return []
    left = float(status.remaining_epsilon)
    if left <= 0:
        return ["This dataset's privacy budget is used up: nothing more can be spent on it. "
                "Raise its budget on the Runs page to run a DP generator on it again."]
    if epsilon > left:
        return [f"This run asks ε={epsilon:g} but only ε≈{left:.3g} is left of this dataset's "
                f"budget: lower ε to {left:.3g} or less, or raise the budget on the Runs page."]
    return []


def check_budget_form(epsilon: float, delta: float) -> list[str]:
    """The Runs page's budget form."""
    problems = check_epsilon(epsilon, label="Budget ε")
    if not math.isfinite(delta) or not 0 < delta < 1:
        problems.append(f"Budget δ must be between 0 and 1 (exclusive), such as 1e-5; got {delta:g}.")
    return problems


def check_bounds(bounds: dict[str, list[float] | None], *, allow_missing: bool
                 ) -> tuple[list[str], dict[str, list[float]]]:
    """Public bounds as a DP generator takes them: every column [low, high] with finite
    low < high; missing ones are an error unless their estimation is allowed."""
    problems: list[str] = []
    given: dict[str, list[float]] = {}
    missing: list[str] = []
    for column, pair in bounds.items():
        if pair is None:
            missing.append(column)
            continue
        low, high = float(pair[0]), float(pair[1])
        if not (math.isfinite(low) and math.isfinite(high)) or low >= high:
            problems.append(f"Public bounds of {column!r} must be two numbers with low < high; "
                            f"got {low:g} .. {high:g}.")
            continue
        given[column] = [low, high]
    if missing and not allow_missing:
        problems.append(f"Fill in public bounds (low and high) for {', '.join(missing)}, or tick "
                        "'Estimate missing bounds with part of ε'.")
    return problems, given
