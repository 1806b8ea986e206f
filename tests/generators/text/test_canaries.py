"""Secret-sharer canary test: DP-SGD at ε = 8 hides canaries inserted 10 times; the same
model trained without DP exposes them.

The corpus contains many random 6-digit numbers in other documents, as real notes contain
ticket and phone numbers: the canary format is common, only the canaries' values are secret.
Each occurrence of a canary sits at the start of a different document (as a secret sits in
a note). Canaries are balanced (each digit once per position across a group of 10), so the
pooled digit frequencies after the shared prefix say nothing about which were inserted.
dp_lm joins the ten documents holding one secret into one privacy unit (user-level DP-SGD).
Exposure is averaged over 10 canaries per group: a never-seen canary's exposure has mean
log2(e) ≈ 1.44 bits and sd ≈ 1.44, so a group mean has sd ≈ 0.45 bits.
"""

from __future__ import annotations

import pytest

from synthguard.evaluation.text import (
    canary_exposure,
    insert_canaries,
    make_canaries,
    make_ticket_corpus,
)
from synthguard.generators import create_generator
from synthguard.generators.text.charlm import CharLMConfig, train_char_lm


def _run(n_docs: int, epochs: int, per_count: int, candidates: int) -> dict[str, dict[int, float]]:
    canaries = make_canaries([0, 10], per_count=per_count, prefix="my code is ", seed=7)
    texts = insert_canaries(make_ticket_corpus(n_docs, seed=1), canaries, into="existing", seed=2)
    params = dict(
        max_chars=96, d_model=64, n_layers=2, n_heads=4, epochs=epochs, batch_size=64, lr=3e-3
    )
    dp = create_generator("dp_lm", epsilon=8.0, redact=False, **params).fit(texts, seed=0)
    spend = dp.privacy_spent()
    assert spend is not None and spend.epsilon <= 8.0 + 1e-6
    baseline, _ = train_char_lm(texts, CharLMConfig(**params), seed=0, privacy=None)
    out = {}
    for name, scorer in (("dp", dp.log_perplexity), ("non_dp", baseline.log_perplexity)):
        report = canary_exposure(scorer, canaries, candidates=candidates, seed=3)
        out[name] = report.mean_by_repetitions()
    return out


def _check(result: dict[str, dict[int, float]]) -> None:
    # the non-private model ranks canaries seen 10 times near the top of 1000+ candidates
    assert result["non_dp"][10] >= 5.0, result
    assert result["non_dp"][10] - result["non_dp"][0] >= 4.0, result
    # DP at eps=8: canaries seen 10 times stay within the spread of never-seen ones
    # (two standard deviations of the difference of two group means is ~1.3 bits)
    assert result["dp"][10] - result["dp"][0] <= 1.3, result
    assert result["dp"][10] <= 2.5, result


def test_dp_hides_canaries_that_non_dp_exposes() -> None:
    _check(_run(n_docs=500, epochs=8, per_count=10, candidates=1000))


@pytest.mark.slow
def test_dp_hides_canaries_larger_run() -> None:
    _check(_run(n_docs=2000, epochs=10, per_count=10, candidates=4000))
