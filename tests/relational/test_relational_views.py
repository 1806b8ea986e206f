"""AppTest of the relational views (schema on the Data page, per-table results on Compare) on
the toy bank with a real fit and a real evaluation; no mocks."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest


def _script(real: str, synthetic: str, holdout: str) -> None:  # runs inside AppTest
    import streamlit as st

    from synthguard.apps.views.relational import render_relational_report, render_schema
    from synthguard.data.relational import load_relational, load_tables
    from synthguard.evaluation.relational import evaluate_relational

    data = load_relational(real)
    render_schema(st, data)
    report = evaluate_relational(data, load_tables(synthetic, data.metadata),
                                 holdout=load_relational(holdout, metadata=data.metadata.to_dict()),
                                 target="clients.segment", seed=0)
    render_relational_report(st, report)


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str, str]:
    from synthguard.data._toy_relational import toy_bank
    from synthguard.data.relational import write_tables
    from synthguard.evaluation.relational import split_entities
    from synthguard.generators.relational import create_relational_generator, sample_to_folder

    root = tmp_path_factory.mktemp("views")
    train, holdout = split_entities(toy_bank(150, seed=4, depth=3), holdout_fraction=0.3, seed=0)
    write_tables(train.tables, root / "train", train.metadata)
    write_tables(holdout.tables, root / "holdout", holdout.metadata)
    generator = create_relational_generator("hierarchical").fit(train, seed=0)
    sample_to_folder(generator, root / "syn", seed=1)
    return str(root / "train"), str(root / "syn"), str(root / "holdout")


def test_schema_and_report_views_render_tables_and_per_table_results(
        folders: tuple[str, str, str]) -> None:
    real, synthetic, holdout = folders
    at = AppTest.from_function(_script, args=(real, synthetic, holdout), default_timeout=120)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Tables"] == "4" and metrics["Depth"] == "3" and metrics["Relationships"] == "3"
    assert metrics["Referential integrity"] == "100.0%"
    assert 0.5 < float(metrics["Multi-table quality"]) <= 1.0
    schema, rels, props, per_table, per_rel, seqs = (d.value for d in at.dataframe)
    assert set(schema.index) == {"clients", "accounts", "transactions", "loans"}
    assert schema.loc["transactions", "generated under"] == "accounts.account_id"
    assert schema.loc["clients", "generated under"] == "(root)"
    assert set(rels["child"]) == {"accounts", "transactions", "loans"}
    assert list(props.index) == ["Column shapes", "Column pair trends", "Cardinality", "Intertable trends"]
    assert set(per_table.index) == set(schema.index) and per_table["quality"].between(0, 1).all()
    assert per_rel["integrity"].eq(1.0).all() and len(per_rel) == 3
    assert "transactions" in seqs.index
    captions = " ".join(c.value for c in at.caption)
    assert "Entity-level leakage" in captions and "TSTR" in captions


def test_schema_view_warns_when_keys_were_inferred(tmp_path: Path) -> None:
    from synthguard.apps.views.relational import schema_frames
    from synthguard.data._toy_relational import toy_bank
    from synthguard.data.relational import load_relational

    data = toy_bank(60, seed=1, depth=2)
    for name, frame in data.tables.items():
        frame.to_csv(tmp_path / f"{name}.csv", index=False)
    loaded = load_relational(tmp_path)
    tables, rels = schema_frames(loaded)
    assert loaded.report.inferred_keys and tables.loc["accounts", "primary key"] == "account_id"
    assert rels.to_dict("records") == [{"child": "accounts", "foreign key": "client_id", "parent": "clients",
                                        "parent key": "client_id", "null keys": 0}]

    def script(folder: str) -> None:
        import streamlit as st

        from synthguard.apps.views.relational import render_schema
        from synthguard.data.relational import load_relational

        render_schema(st, load_relational(folder))

    at = AppTest.from_function(script, args=(str(tmp_path),), default_timeout=60).run()
    assert not at.exception and "Keys were inferred" in at.warning[0].value
