"""Generate page: conditions and rebalancing inputs (checked as typed; applied to the sample)."""

from __future__ import annotations

import time
from typing import Any

from streamlit.testing.v1 import AppTest

from synthguard.apps._state import ARTIFACTS


def button(at: AppTest, label: str) -> Any:
    return next(b for b in at.button if b.label == label)


def wait_for_success(at: AppTest, timeout: float = 150.0) -> None:
    deadline = time.monotonic() + timeout
    while not at.success:
        assert time.monotonic() < deadline, "timed out waiting for the background job"
        time.sleep(0.5)
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        assert not at.error, [e.value for e in at.error]


def test_generate_page_conditions_and_rebalance(app: AppTest) -> None:
    app.switch_page("views/generate.py").run()
    app.text_area(key="w.gen.conditions").set_value("sex=Femal").run()
    assert "'sex'" in app.error[0].value and button(app, "Generate").disabled
    app.text_area(key="w.gen.conditions").set_value("sex=Female\nage=25..60").run()
    app.text_area(key="w.gen.rebalance").set_value("class=0.5,0.5").run()
    app.number_input(key="w.gen.rows").set_value(400).run()
    assert not app.error and not button(app, "Generate").disabled
    button(app, "Generate").click().run()
    wait_for_success(app)
    frame = next(iter(app.session_state[ARTIFACTS].values())).frame
    assert len(frame) == 400 and (frame["sex"] == "Female").all() and frame["age"].between(25, 60).all()
    assert (frame["class"] == ">50K").sum() == 200
