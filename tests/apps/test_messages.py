"""Library errors reach the app in its own terms: no CLI flag, no Python keyword argument the
person in the browser cannot pass."""

from __future__ import annotations

import pandas as pd
import pytest

from synthguard.apps._messages import app_message
from synthguard.errors import SynthguardError


def test_missing_public_bounds_error_names_the_bounds_table() -> None:
    from synthguard.generators import create_generator

    frame = pd.DataFrame({"age": [20 + i % 50 for i in range(200)],
                          "city": ["a", "b", "c", "d"] * 50})
    with pytest.raises(SynthguardError) as caught:
        create_generator("mst", epsilon=1.0).fit(frame, seed=0)
    text = app_message(caught.value)
    assert "'age'" in text and "public-bounds table on the Generate page" in text
    assert "Estimate missing bounds" in text
    assert "bounds=" not in text and "schema=" not in text and "estimate_bounds" not in text


def test_transfer_rows_error_is_worded_for_the_distill_form() -> None:
    from synthguard.compression import DistillConfig

    with pytest.raises(SynthguardError) as caught:
        DistillConfig(target="class", transfer_rows=5)
    text = app_message(caught.value)
    assert text.startswith("Transfer rows (5) must be at least 20"), text
