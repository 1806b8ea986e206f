"""Widget defaults follow a changed default until the user chooses a value (Compare's
"HTML report for" stayed on the baseline, seeded while only the baseline had finished)."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest


def _page() -> None:
    import streamlit as st

    from synthguard.apps._widgets import default

    names = st.session_state.get("names", ["baseline"])
    st.selectbox("Report for", names, key=default("t.report", names[-1], names))


def test_a_seeded_default_follows_and_a_chosen_value_stays() -> None:
    app = AppTest.from_function(_page)
    app.run()
    assert app.selectbox[0].value == "baseline"
    app.session_state["names"] = ["baseline", "copula"]  # the artifact has finished
    app.run()
    assert app.selectbox[0].value == "copula"  # untouched: follows the new default
    app.selectbox[0].select("baseline").run()  # the user's choice ...
    app.session_state["names"] = ["baseline", "copula", "trees"]
    app.run()
    assert app.selectbox[0].value == "baseline"  # ... stays when the default moves on
