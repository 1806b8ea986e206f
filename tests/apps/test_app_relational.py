"""AppTest: the relational views wired into the pages. The Data page's third source mode shows
a folder's schema (tables, keys, relationships); Compare evaluates a synthetic folder of it with
``evaluate_relational`` (real fit on the toy bank, no mocks)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from synthguard.apps._state import RELATIONAL_MODE


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    from synthguard.data._toy_relational import toy_bank
    from synthguard.data.relational import write_tables
    from synthguard.generators.relational import create_relational_generator, sample_to_folder

    root = tmp_path_factory.mktemp("relational-app")
    real = toy_bank(120, seed=4, depth=2)
    write_tables(real.tables, root / "real", real.metadata)
    generator = create_relational_generator("hierarchical").fit(real, seed=0)
    sample_to_folder(generator, root / "syn", seed=1)
    return str(root / "real"), str(root / "syn")


def test_relational_schema_on_data_and_report_on_compare(app: AppTest, folders: tuple[str, str]) -> None:
    real, synthetic = folders
    app.radio(key="w.data.mode").set_value(RELATIONAL_MODE).run()
    app.text_input(key="w.data.relational_folder").set_value(real).run()
    assert not app.exception and not app.error, [e.value for e in app.error]
    assert "Relational schema" in [h.value for h in app.subheader]
    shown = {m.label: m.value for m in app.metric}
    assert int(shown["Tables"]) >= 2 and int(shown["Relationships"]) >= 1
    tables = app.dataframe[0].value
    assert "clients" in tables.index and "rows" in tables.columns
    assert "Split settings" not in [h.value for h in app.subheader]  # no single-table split

    app.switch_page("views/compare.py").run()
    assert "Give the synthetic folder to evaluate." in [i.value for i in app.info]
    app.text_input(key="w.cmp.rel_folder").set_value(synthetic).run()
    next(b for b in app.button if b.label == "Evaluate folder").click().run()
    deadline = time.monotonic() + 240
    while "Relational quality" not in [h.value for h in app.subheader]:
        assert time.monotonic() < deadline, "timed out waiting for the relational evaluation"
        time.sleep(0.5)
        app.run()
        assert not app.exception, [e.value for e in app.exception]
        assert not app.error, [e.value for e in app.error]
    values = {m.label: m.value for m in app.metric}
    assert 0.0 < float(values["Multi-table quality"]) <= 1.0
    assert values["Referential integrity"] == "100.0%"
    per_table = next(d.value for d in app.dataframe if "synthetic rows" in d.value.columns)
    assert set(per_table.index) >= {"clients"}
    assert "Leaderboard" not in [h.value for h in app.subheader]

    # A folder that is not there is refused in the app's words; back to single tables works.
    app.text_input(key="w.cmp.rel_folder").set_value(str(Path(synthetic) / "nope")).run()
    assert "is not a folder on this machine" in app.error[0].value
    app.switch_page("views/data.py").run()
    app.radio(key="w.data.mode").set_value("Built-in dataset").run()
    assert not app.exception and {m.label: m.value for m in app.metric}["Table"] == "adult"
