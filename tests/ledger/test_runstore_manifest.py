from __future__ import annotations

from pathlib import Path

import pytest

from synthguard.errors import IntegrityError
from synthguard.ledger import Manifest, RunRecord, RunStore, verify_folder, write_manifest


def test_run_records_round_trip(tmp_path: Path) -> None:
    store = RunStore(tmp_path / "runs.sqlite")
    record = RunRecord(command="generate", seed=7, plugin="gaussian_copula", params={"bins": 20})
    record.inputs["data"] = "ab" * 32
    store.finish(record)
    listed = store.list()
    assert listed[0]["run_id"] == record.run_id
    assert listed[0]["status"] == "ok" and listed[0]["seed"] == 7
    assert "sdv" in listed[0]["versions"]
    assert store.get(record.run_id)["params"] == {"bins": 20}  # type: ignore[index]
    assert store.list(command="evaluate") == []


def test_manifest_detects_tampering(tmp_path: Path) -> None:
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "weights.json").write_text('{"w": 1}')
    write_manifest(folder, Manifest(kind="generator", name="x"))
    assert verify_folder(folder).files["weights.json"]
    (folder / "weights.json").write_text('{"w": 2}')
    with pytest.raises(IntegrityError, match="does not match its manifest"):
        verify_folder(folder)
    (folder / "weights.json").unlink()
    with pytest.raises(IntegrityError, match="missing"):
        verify_folder(folder)


def test_trusted_manifests(tmp_path: Path) -> None:
    store = RunStore(tmp_path / "runs.sqlite")
    assert not store.is_trusted("f" * 64)
    store.trust_manifest("f" * 64, run_id="r1", path=tmp_path)
    assert store.is_trusted("f" * 64)
