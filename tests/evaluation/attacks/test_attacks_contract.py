"""Every registered attack passes the same contract (parametrized over the registry)."""

from __future__ import annotations

import dataclasses
import json

import pytest

from synthguard.evaluation.attacks import ATTACKS, KINDS, AttackOptions, AttackResult

FAST = AttackOptions(secret="class", max_targets=600, n_bootstrap=100)


@pytest.mark.parametrize("name", ATTACKS.names())
def test_attack_declares_threat_model(name: str) -> None:
    cls = ATTACKS.get(name)
    assert cls.name == name
    assert cls.threat.kind in KINDS
    assert cls.summary
    with pytest.raises(dataclasses.FrozenInstanceError):
        cls.threat.kind = "x"  # type: ignore[misc]


@pytest.mark.parametrize("name", ATTACKS.names())
def test_attack_scores_chance_on_independent_real_data(name: str, tables) -> None:
    """Synthetic = fresh real rows from the population: nothing about train leaks."""
    t = tables("adult_mixed")
    result = ATTACKS.get(name)().run(train=t.train, holdout=t.holdout, synthetic=t.extra,
                                     seed=0, options=FAST)
    assert isinstance(result, AttackResult)
    if result.kind == "membership":
        low, high = result.ci["auc"]
        assert low - 0.02 <= 0.5 <= high + 0.02, (name, result.metrics, result.ci)
        assert result.metrics["tpr_at_fpr_0.01"] < 0.06
    else:
        # the interval includes "no leak"
        assert result.ci["risk"][0] <= 0.01, (name, result.metrics, result.ci)


@pytest.mark.parametrize("name", ATTACKS.names())
def test_attack_is_seeded_immutable_and_json_ready(name: str, tables) -> None:
    t = tables("adult_mixed")
    run = ATTACKS.get(name)()
    kwargs = dict(train=t.train, holdout=t.holdout, synthetic=t.extra, options=FAST)
    first = run.run(seed=3, **kwargs)
    again = ATTACKS.get(name)().run(seed=3, **kwargs)
    assert first.to_dict() == again.to_dict()
    json.dumps(first.to_dict())
    with pytest.raises(dataclasses.FrozenInstanceError):
        first.name = "other"  # type: ignore[misc]
    with pytest.raises(TypeError):
        first.metrics["auc"] = 1.0  # type: ignore[index]
