"""Small tables for the DP generators: tiny domains so JAX compiles stay short."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

BOUNDS = {"age": [18, 80], "gain": [0, 999]}


@pytest.fixture(scope="session")
def small_table() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    n = 400
    age = rng.integers(18, 81, n)
    colour = np.where(age > 50, rng.choice(["red", "blue"], n, p=[0.8, 0.2]),
                      rng.choice(["red", "blue", "green"], n, p=[0.2, 0.5, 0.3]))
    label = np.where((colour == "red") & (age > 40), "yes", "no")
    gain = np.where(rng.random(n) < 0.85, 0, rng.integers(1, 1000, n))
    return pd.DataFrame({"age": age, "colour": colour, "gain": gain, "label": label})
