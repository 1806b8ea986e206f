"""Text leakage and quality measures, the HTML/JSON report and the evaluate-text command."""

from __future__ import annotations

import json
import math
import random
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from synthguard.cli import main
from synthguard.errors import ParameterError
from synthguard.evaluation.text import (
    Canary,
    canary_exposure,
    evaluate_text,
    insert_canaries,
    length_stats,
    make_canaries,
    ngram_leakage,
    pii_leakage,
    tstr_text,
    vocabulary_overlap,
    write_text_report,
)


@pytest.fixture(autouse=True)
def _store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SYNTHGUARD_STORE", str(tmp_path / "runs.sqlite"))


def test_canary_exposure_ranks_a_memorised_secret_first() -> None:
    canaries = make_canaries([0, 10], per_count=3, seed=1)
    seen = {c.text for c in canaries if c.repetitions}

    def score(texts: list[str]) -> np.ndarray:  # a "model" that memorised the inserted ones
        rng = np.random.default_rng(len(texts))
        return np.array([0.0 if t in seen else 10 + rng.random() for t in texts])

    report = canary_exposure(score, canaries, candidates=255, seed=0)
    means = report.mean_by_repetitions()
    assert means[10] == pytest.approx(8.0)  # log2(256) - log2(1)
    assert means[0] < 8.0
    assert report.max_exposure == pytest.approx(8.0)
    assert "secret" not in json.dumps(report.to_dict())
    test = report.to_dict()["versus_never_inserted"]["10"]
    assert test["gap_bits"] == pytest.approx(means[10] - means[0])
    assert test["p_value"] < 0.1  # 3 vs 3 canaries: the smallest one-sided p is 0.05
    with pytest.raises(ParameterError, match="inserted 5 times"):
        report.versus_never_inserted(5)


def test_canary_exposure_is_about_log2e_for_an_uninformed_model() -> None:
    canaries = make_canaries([0], per_count=200, digits=6, seed=2)
    rng = np.random.default_rng(0)
    report = canary_exposure(lambda t: rng.random(len(t)), canaries, candidates=500, seed=1)
    assert abs(report.mean_by_repetitions()[0] - math.log2(math.e)) < 0.35


def test_insert_canaries_into_existing_and_new_documents() -> None:
    docs = [f"doc {i}" for i in range(30)]
    canaries = make_canaries([0, 3], per_count=2, seed=0)
    inside = insert_canaries(docs, canaries, into="existing", seed=0)
    assert len(inside) == 30
    for c in canaries:
        assert sum(t.startswith(c.text + ". ") for t in inside) == c.repetitions
    apart = insert_canaries(docs, canaries, into="new", seed=0)
    assert len(apart) == 36 and sorted(set(apart) - set(docs)) == sorted(
        c.text for c in canaries if c.repetitions)
    with pytest.raises(ParameterError):
        insert_canaries(docs[:2], canaries, into="existing")


def test_pii_leakage_word_bounded_and_excluding_surrogates() -> None:
    values = [("PERSON", "Ann Lee"), ("PERSON", "Ann"), ("EMAIL_ADDRESS", "a@b.io"), ("X", "ab")]
    synthetic = ["Annual report by Bob", "write to a@b.io now"]
    result = pii_leakage(values, synthetic)
    assert (result.values, result.leaked) == (3, 1)  # "ab" too short, "Ann" inside "Annual"
    assert result.by_type["EMAIL_ADDRESS"] == (1, 1)
    masked = pii_leakage(values, synthetic, exclude=[[], [(9, 15)]])
    assert masked.leaked == 0


def test_ngram_leakage_counts_rare_and_copied() -> None:
    real = ["one two three four five six seven eight nine",
            "alpha beta gamma delta epsilon zeta eta theta",
            "alpha beta gamma delta epsilon zeta eta theta"]
    synthetic = ["x one two three four five six seven eight y", "nothing in common here at all ok"]
    result = ngram_leakage(real, synthetic, n=8).to_dict()
    assert result["real_ngrams"] == 3 and result["real_found"] == 1
    assert result["rare_ngrams"] == 2 and result["rare_found"] == 1
    assert result["synthetic_copied"] == 1


def test_lengths_and_vocabulary() -> None:
    real = ["a b c", "a b c d e"]
    same = length_stats(real, real)
    assert same["chars"]["ks"] == 0.0
    assert length_stats(real, ["x" * 500])["chars"]["ks"] == 1.0
    vocab = vocabulary_overlap(real, ["a b zz"])
    assert vocab["jaccard"] == pytest.approx(2 / 6)
    assert vocab["synthetic_tokens_in_real_vocab"] == pytest.approx(2 / 3)


def _labelled(n: int, seed: int) -> tuple[list[str], list[str]]:
    rng = random.Random(seed)
    words = {"billing": ["invoice", "refund", "charge", "card"],
             "it": ["printer", "laptop", "network", "password"]}
    texts, labels = [], []
    for _ in range(n):
        label = rng.choice(sorted(words))
        texts.append(" ".join(rng.choice(words[label] + ["the", "today", "again"]) for _ in range(6)))
        labels.append(label)
    return texts, labels


def test_tstr_good_synthetic_close_to_trtr_and_shuffled_labels_near_chance() -> None:
    real, y = _labelled(200, seed=1)
    syn, ys = _labelled(200, seed=2)
    good = tstr_text(real, y, syn, ys, seed=0)
    assert good["tstr"]["accuracy"] >= 0.9 and good["trtr"]["accuracy"] >= 0.9
    shuffled = list(ys)
    random.Random(3).shuffle(shuffled)
    bad = tstr_text(real, y, syn, shuffled, seed=0)
    assert bad["tstr"]["accuracy"] < 0.75


def test_report_json_and_html(tmp_path: Path) -> None:
    real, y = _labelled(60, seed=1)
    syn, ys = _labelled(60, seed=2)
    result = evaluate_text(real, syn, real_labels=y, synthetic_labels=ys,
                           pii_values=[("PERSON", "Jane Roe")], seed=0)
    write_text_report(result, tmp_path / "r.json")
    payload = json.loads((tmp_path / "r.json").read_text())
    assert payload["pii_leakage"]["values"] == 1 and payload["tstr"] is not None
    write_text_report(result, tmp_path / "r.html")
    html = (tmp_path / "r.html").read_text()
    assert "Synthetic text: leakage" in html and "data:image/png;base64" in html
    assert "Jane Roe" not in html and real[0] not in html
    with pytest.raises(ParameterError):
        write_text_report(result, tmp_path / "r.txt")


def _jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_evaluate_text_cli(tmp_path: Path) -> None:
    real, y = _labelled(80, seed=1)
    syn, ys = _labelled(80, seed=2)
    r = _jsonl(tmp_path / "real.jsonl", [{"body": t, "label": lab} for t, lab in zip(real, y, strict=True)])
    s = _jsonl(tmp_path / "syn.jsonl", [{"body": t, "label": lab} for t, lab in zip(syn, ys, strict=True)])
    out = tmp_path / "report.json"
    code = main(["evaluate-text", "--real", str(r), "--synthetic", str(s), "--text-field", "body",
                 "--label-field", "label", "--no-pii", "--out", str(out)])
    assert code == 0
    payload = json.loads(out.read_text())
    assert payload["tstr"]["tstr"]["accuracy"] > 0.8 and payload["pii_leakage"] is None


def test_evaluate_text_cli_bad_input_exit_2_nothing_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    r = _jsonl(tmp_path / "real.jsonl", [{"body": "x"}])
    (tmp_path / "bad.jsonl").write_text('{"body": "x"}\n{broken\n', encoding="utf-8")
    out = tmp_path / "report.json"
    args = ["evaluate-text", "--real", str(r), "--out", str(out), "--text-field", "body"]
    assert main([*args, "--synthetic", str(tmp_path / "bad.jsonl")]) == 2
    assert "line 2" in capsys.readouterr().err
    assert main([*args, "--synthetic", str(r), "--label-field", "label"]) == 2
    assert "label" in capsys.readouterr().err
    assert not out.exists()


def _pooled_frequency_scorer(canaries: list[Canary]) -> Callable[[list[str]], np.ndarray]:
    """A 'model' that knows only the per-position digit frequencies of the inserted canaries
    (a population statistic: what DP lets a model learn from the documents sharing a prefix)."""
    counts = np.ones((6, 10))
    for c in canaries:
        for pos, digit in enumerate(c.secret):
            counts[pos, int(digit)] += c.repetitions
    logp = np.log(counts / counts.sum(axis=1, keepdims=True))

    def score(texts: list[str]) -> np.ndarray:
        return np.array([-sum(logp[p, int(d)] for p, d in enumerate(t[-6:])) for t in texts])

    return score


@pytest.mark.parametrize("balanced", [True, False])
def test_balanced_canaries_carry_no_pooled_signal(balanced: bool) -> None:
    canaries = make_canaries([0, 10], per_count=10, seed=4, balanced=balanced)
    inserted = [c for c in canaries if c.repetitions]
    assert len({c.secret for c in canaries}) == 20
    if balanced:  # every digit once per position across the ten inserted canaries
        for pos in range(6):
            assert sorted(c.secret[pos] for c in inserted) == list("0123456789")
    means = canary_exposure(
        _pooled_frequency_scorer(canaries), canaries, candidates=1000, seed=0
    ).mean_by_repetitions()
    gap = means[10] - means[0]
    if balanced:
        assert abs(gap) < 0.5, means
    else:  # independent draws: the pooled frequencies alone point at the inserted secrets
        assert gap > 3.0, means
