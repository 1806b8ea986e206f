"""Ray engine == local engine: same rows for the same seeds, same spans, same surrogates.

One local Ray (2 CPUs) serves the whole module; the inputs are small.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from synthguard._engine import Engine
from synthguard.cli import main
from synthguard.errors import DataFileError
from synthguard.generators.streaming import BLOCK_ROWS, sample_to_file
from synthguard.redaction import RedactionEngine
from synthguard.redaction._ray import redact_path_ray
from synthguard.redaction.batch import redact_file

RAY = Engine(kind="ray", workers=2)
NAMES = ["Maria Gonzalez", "Jonathan Pryce", "Aiko Tanaka"]


def _corpus(path: Path, n: int) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        for i in range(n):
            name = NAMES[i % len(NAMES)]
            text = (f"Visit {i}: patient {name} (email {name.split()[0].lower()}@example.org) "
                    f"was seen on 12 March 2021 and will call 555-010-{i % 90 + 10}.")
            handle.write(json.dumps({"id": i, "text": text}) + "\n")


@pytest.fixture(scope="module")
def surrogate_engine() -> RedactionEngine:
    return RedactionEngine(operator="surrogate", seed=7, workers=1)


def test_generate_ray_equals_local(ray_local, copula, tmp_path: Path) -> None:
    rows = 3 * BLOCK_ROWS + 250
    local = sample_to_file(copula, rows, tmp_path / "local.parquet", seed=9)
    remote = sample_to_file(copula, rows, tmp_path / "ray.parquet", seed=9, engine=RAY,
                            chunk_rows=BLOCK_ROWS)
    assert remote.engine == "ray" and remote.rows == local.rows == rows
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "ray.parquet"),
                                  pd.read_parquet(tmp_path / "local.parquet"))


def test_redact_ray_equals_local_and_surrogates_agree_across_workers(
        ray_local, surrogate_engine, tmp_path: Path) -> None:
    src = tmp_path / "notes.jsonl"
    _corpus(src, 60)
    local = redact_file(src, tmp_path / "local.jsonl", engine=surrogate_engine, chunk_size=8)
    remote = redact_path_ray(src, tmp_path / "ray.jsonl", runner=RAY, engine=surrogate_engine,
                             chunk_size=8)
    assert (tmp_path / "ray.jsonl").read_bytes() == (tmp_path / "local.jsonl").read_bytes()
    assert remote.documents == local.documents == 60
    assert remote.entities["PERSON"] >= 60
    records = [json.loads(line) for line in (tmp_path / "ray.jsonl").read_text(encoding="utf-8").splitlines()]
    originals = [json.loads(line)["text"] for line in src.read_text(encoding="utf-8").splitlines()]
    # 8-document batches over 2 actors: each name's fake must be the same in every batch
    fakes: dict[str, set[str]] = {n: set() for n in NAMES}
    for rec, original in zip(records, originals, strict=True):
        person = next(s for s in rec["spans"] if s["entity_type"] == "PERSON")
        real = original[person["start"]:person["end"]]
        rec["redacted_text"] = rec["text"]  # redacted in place (the default)
        match = re.search(r"patient (.+?) \(", rec["redacted_text"])
        assert match and real not in rec["redacted_text"]
        fakes[real].add(match.group(1))
    assert all(len(v) == 1 for v in fakes.values()), fakes
    assert len({next(iter(v)) for v in fakes.values()}) == len(NAMES)


@pytest.mark.slow
def test_redact_ray_sharded_folder_in_and_out(ray_local, surrogate_engine, tmp_path: Path) -> None:
    src = tmp_path / "all.jsonl"
    _corpus(src, 45)
    lines = src.read_text(encoding="utf-8").splitlines(keepends=True)
    shards = tmp_path / "shards"
    shards.mkdir()
    for k in range(3):
        (shards / f"part-{k}.jsonl").write_text("".join(lines[15 * k:15 * (k + 1)]), encoding="utf-8")
    redact_file(src, tmp_path / "local.jsonl", engine=surrogate_engine, chunk_size=8)
    summary = redact_path_ray(shards, tmp_path / "out", runner=RAY, engine=surrogate_engine, chunk_size=8)
    parts = sorted((tmp_path / "out").iterdir())
    assert parts and all(p.name.startswith("part-") for p in parts)
    joined = "".join(p.read_text(encoding="utf-8") for p in parts)
    assert joined == (tmp_path / "local.jsonl").read_text(encoding="utf-8")
    assert summary.documents == 45
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.slow
def test_redact_ray_table_equals_local(ray_local, surrogate_engine, tmp_path: Path) -> None:
    frame = pd.DataFrame({
        "patient_name": [NAMES[i % 3] for i in range(40)],
        "email": [f"user{i % 5}@example.org" for i in range(40)],
        "visits": list(range(40)),
    })
    src = tmp_path / "people.parquet"
    frame.to_parquet(src, index=False)
    redact_file(src, tmp_path / "local.parquet", engine=surrogate_engine, chunk_size=16)
    redact_path_ray(src, tmp_path / "ray.parquet", runner=RAY, engine=surrogate_engine, chunk_size=16)
    local, remote = (pd.read_parquet(tmp_path / n) for n in ("local.parquet", "ray.parquet"))
    pd.testing.assert_frame_equal(remote, local, check_dtype=False)
    assert not set(local["patient_name"]) & set(NAMES)


@pytest.mark.slow
def test_ray_errors_are_typed_and_leave_nothing(ray_local, tmp_path: Path, capsys) -> None:
    src = tmp_path / "bad.jsonl"
    src.write_text('{"text": "fine"}\n{not json}\n', encoding="utf-8")
    with pytest.raises(DataFileError, match="not valid JSON"):
        redact_path_ray(src, tmp_path / "out.jsonl", runner=RAY, engine=RedactionEngine())
    assert not (tmp_path / "out.jsonl").exists()
    code = main(["redact", "--in", str(src), "--out", str(tmp_path / "o.jsonl"), "--engine", "ray"])
    assert code == 2
    assert "not valid JSON" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.jsonl", "runs.sqlite"]
