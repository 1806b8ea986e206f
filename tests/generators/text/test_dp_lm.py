"""dp_lm: fit/sample contract, seeded reproducibility, privacy spend, save/load without pickles."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from synthguard.errors import NotFittedError, ParameterError, SchemaError
from synthguard.generators import create_generator, load_generator, save_generator

TINY = dict(max_chars=32, d_model=16, n_layers=1, n_heads=2, epochs=2, batch_size=16,
            redact=False)
DOCS = [f"note {i}: the printer on floor {i % 7} is {'slow' if i % 2 else 'broken'}"
        for i in range(60)]


@pytest.fixture(autouse=True)
def _store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SYNTHGUARD_STORE", str(tmp_path / "runs.sqlite"))


def test_fit_sample_shape_and_field_name() -> None:
    frame = pd.DataFrame({"body": DOCS, "label": ["a"] * 60})
    gen = create_generator("dp_lm", text_field="body", **TINY).fit(frame, seed=1)
    out = gen.sample(7, seed=3)
    assert list(out.columns) == ["body"]
    assert len(out) == 7
    assert all(isinstance(t, str) and len(t) <= 32 for t in out["body"])
    assert gen.caps.modality == "text" and gen.caps.dp


def test_seeded_and_sample_does_not_mutate() -> None:
    a = create_generator("dp_lm", **TINY).fit(DOCS, seed=5)
    b = create_generator("dp_lm", **TINY).fit(DOCS, seed=5)
    first = a.sample(5, seed=9)["text"].tolist()
    assert first == b.sample(5, seed=9)["text"].tolist()
    assert first == a.sample(5, seed=9)["text"].tolist()
    assert first != a.sample(5, seed=10)["text"].tolist()


def test_privacy_spend_reaches_target_without_exceeding_it() -> None:
    gen = create_generator("dp_lm", epsilon=3.0, **TINY)
    planned = gen.planned_spend(len(DOCS))
    gen.fit(DOCS, seed=0)
    spend = gen.privacy_spent()
    assert spend is not None
    assert spend.mechanism == "DP-SGD" and spend.accountant == "RDP"
    assert 2.5 < spend.epsilon <= 3.0 + 1e-6
    assert spend.delta == planned.delta == pytest.approx(1 / 600)


def test_save_load_round_trip_has_no_pickle(tmp_path: Path) -> None:
    gen = create_generator("dp_lm", **TINY).fit(DOCS, seed=2)
    save_generator(gen, tmp_path / "model")
    names = sorted(p.name for p in (tmp_path / "model").iterdir())
    assert names == ["manifest.json", "model.json", "model.safetensors"]
    loaded = load_generator(tmp_path / "model")
    assert loaded.sample(4, seed=1).equals(gen.sample(4, seed=1))
    assert loaded.privacy_spent() == gen.privacy_spent()


def test_tampered_weights_refused(tmp_path: Path) -> None:
    from synthguard.errors import IntegrityError

    gen = create_generator("dp_lm", **TINY).fit(DOCS, seed=2)
    save_generator(gen, tmp_path / "model")
    weights = tmp_path / "model" / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[:-1] + b"\x00")
    with pytest.raises(IntegrityError):
        load_generator(tmp_path / "model")


def test_bad_input_is_a_typed_error() -> None:
    with pytest.raises(SchemaError, match="body"):
        create_generator("dp_lm", text_field="body", **TINY).fit(pd.DataFrame({"x": DOCS}))
    with pytest.raises(SchemaError, match="non-string"):
        create_generator("dp_lm", **TINY).fit(pd.DataFrame({"text": ["a", None]}))
    with pytest.raises(ParameterError, match="epsilon"):
        create_generator("dp_lm", epsilon=0)
    with pytest.raises(ParameterError, match="n_heads"):
        create_generator("dp_lm", d_model=10, n_heads=4)
    with pytest.raises(NotFittedError):
        create_generator("dp_lm", **TINY).sample(3)


def test_accented_text_is_folded_not_dropped() -> None:
    from synthguard.generators.text.charlm import decode, encode

    ids, cut = encode("Zoë née Müller", 64)
    assert not cut and decode(ids[1:]) == "Zoe nee Muller"


def test_privacy_units_group_documents_and_are_stated() -> None:
    """Documents of one person (group_field) or sharing a rare identifier train as one unit:
    the accountant counts units, the spend says so, and a missing field is a typed error."""
    people = [f"p{i // 3}" for i in range(60)]  # 20 people with 3 notes each
    frame = pd.DataFrame({"text": DOCS, "patient": people})
    gen = create_generator("dp_lm", group_field="patient", **TINY).fit(frame, seed=0)
    spend = gen.privacy_spent()
    assert spend is not None and spend.epsilon <= 8.0 + 1e-6
    assert "60 documents in 20 privacy units" in spend.notes
    assert gen.describe()["training"]["privacy_units"] == 20
    again = create_generator("dp_lm", group_field="patient", **TINY).fit(frame, seed=0)
    assert again.sample(5, seed=1).equals(gen.sample(5, seed=1))  # unit draws are seeded too
    # without groups, the notes' shared numbers ("floor 3") are short: every note is a unit
    plain = create_generator("dp_lm", **TINY).fit(DOCS, seed=0)
    assert plain.describe()["training"]["privacy_units"] == 60
    assert (plain.privacy_spent().notes or "").startswith("per-document DP-SGD")
    with pytest.raises(SchemaError, match="group_field 'patient'"):
        create_generator("dp_lm", group_field="patient", **TINY).fit(DOCS, seed=0)
    with pytest.raises(ParameterError, match="link_max_docs"):
        create_generator("dp_lm", link_max_docs=1, **TINY)


def test_a_unit_adds_at_most_one_document_per_draw() -> None:
    import numpy as np
    import torch

    from synthguard.generators.text.charlm import _UnitDataset, seeded

    data = torch.arange(10).reshape(10, 1)
    dataset = _UnitDataset(data, [np.array([0, 4, 7]), np.array([1]), np.array([2, 3])])
    assert len(dataset) == 3
    with seeded(0):
        draws = [int(dataset[0][0][0]) for _ in range(200)]
    assert set(draws) == {0, 4, 7}  # one member per access, each of them over many draws
    assert int(dataset[1][0][0]) == 1
