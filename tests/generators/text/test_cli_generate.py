"""`synthguard generate` with text generators: JSONL in, JSONL out, ledger, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from synthguard.cli import main
from synthguard.generators.text.corpus import read_corpus
from synthguard.ledger import RunStore
from synthguard.ledger.budget import BudgetLedger

TINY = ["--param", "max_chars=32", "--param", "d_model=16", "--param", "n_layers=1",
        "--param", "n_heads=2", "--param", "redact=false", "--epochs", "1"]


@pytest.fixture(autouse=True)
def _store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SYNTHGUARD_STORE", str(tmp_path / "runs.sqlite"))


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    path = tmp_path / "notes.jsonl"
    rows = [{"body": f"ticket {i}: printer {i % 5} is slow", "label": i % 2} for i in range(40)]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_dp_lm_writes_jsonl_under_text_field_and_ledger_records_spend(
    tmp_path: Path, corpus: Path
) -> None:
    out = tmp_path / "synthetic.jsonl"
    code = main(["generate", "--generator", "dp_lm", "--data", str(corpus), "--text-field",
                 "body", "--rows", "6", "--epsilon", "4", *TINY, "--out", str(out)])
    assert code == 0
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 6 and all(set(r) == {"body"} for r in rows)
    ledger = BudgetLedger(RunStore())
    sha = ledger.key_for(read_corpus(corpus, text_field="body"), register=False)
    spends = ledger.spends(sha)
    assert [s.generator for s in spends] == ["dp_lm"]
    assert 0 < spends[0].epsilon <= 4.0 + 1e-6


def test_surrogate_text_cli(tmp_path: Path) -> None:
    data = tmp_path / "letters.txt"
    data.write_text("Dear Margaret Thornton, call 020 7946 0958.\nNo names here.\n",
                    encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert main(["generate", "--generator", "surrogate_text", "--data", str(data),
                 "--rows", "2", "--out", str(out)]) == 0
    texts = [json.loads(x)["text"] for x in out.read_text(encoding="utf-8").splitlines()]
    assert "No names here." in texts and not any("Thornton" in t for t in texts)


@pytest.mark.parametrize("extra,content,message", [
    (["--text-field", "text"], None, "its fields are ['body', 'label']"),
    (["--text-field", "body"], '{"body": "x"}\nnot json\n', "line 2"),
    (["--text-field", "body", "--epsilon", "-1"], None, "epsilon"),
    (["--text-field", "body", "--param", "group_field=patient"], None, "group_field 'patient'"),
])
def test_bad_input_exit_2_nothing_written(
    tmp_path: Path, corpus: Path, capsys: pytest.CaptureFixture[str],
    extra: list[str], content: str | None, message: str,
) -> None:
    if content is not None:
        corpus.write_text(content, encoding="utf-8")
    out = tmp_path / "synthetic.jsonl"
    code = main(["generate", "--generator", "dp_lm", "--data", str(corpus), "--rows", "3",
                 *extra, "--out", str(out)])
    assert code == 2
    assert message in capsys.readouterr().err
    assert not out.exists() and not list(tmp_path.glob(".synthetic*"))


def test_text_generator_needs_jsonl_out(tmp_path: Path, corpus: Path) -> None:
    assert main(["generate", "--generator", "dp_lm", "--data", str(corpus), "--rows", "3",
                 "--text-field", "body", "--out", str(tmp_path / "x.csv")]) == 2
