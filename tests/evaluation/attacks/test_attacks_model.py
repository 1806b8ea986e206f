"""Membership inference on trained classifiers (sklearn and torch, no mocks)."""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest
import torch
from sklearn.datasets import make_classification
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression

from synthguard.errors import ParameterError
from synthguard.evaluation.attacks import (
    MODEL_ATTACKS,
    as_predict_proba,
    model_membership,
    shadow_model_membership,
    sklearn_trainer,
)
from synthguard.evaluation.leakage import model_leakage

KEYS = {"auc", "tpr_at_fpr_0.01", "tpr_at_fpr_0.1", "ci"}


@cache
def data() -> tuple[np.ndarray, np.ndarray]:
    x, y = make_classification(n_samples=3000, n_features=10, n_informative=5, flip_y=0.15,
                               random_state=0)
    return x.astype(np.float32), y.astype(np.int64)


def _split():
    x, y = data()
    return (x[:1000], y[:1000]), (x[1000:2000], y[1000:2000]), (x[2000:], y[2000:])


def test_overfit_forest_leaks_and_regularised_model_does_not() -> None:
    (mx, my), (nx, ny), _ = _split()
    forest = RandomForestClassifier(n_estimators=50, random_state=0).fit(mx, my)
    leaky = model_membership(as_predict_proba(forest), members_X=mx, members_y=my,
                             nonmembers_X=nx, nonmembers_y=ny, seed=0)
    assert set(leaky) >= KEYS
    assert leaky["auc"] > 0.65 and leaky["ci"]["auc"][0] > 0.6
    assert leaky["tpr_at_fpr_0.1"] > 0.2
    linear = LogisticRegression(C=0.01).fit(mx, my)
    clean = model_membership(as_predict_proba(linear), members_X=mx, members_y=my,
                             nonmembers_X=nx, nonmembers_y=ny, seed=0)
    assert abs(clean["auc"] - 0.5) < 0.04
    assert clean["ci"]["auc"][0] < 0.5 < clean["ci"]["auc"][1] + 0.01
    verdicts = model_leakage({"loss_threshold": leaky})
    assert verdicts["membership"]["loss_threshold"]["verdict"] == "high"
    assert model_leakage({"loss_threshold": clean})["verdict"] == "low"


def test_confidence_method_and_shadow_models_flag_the_overfit_forest() -> None:
    (mx, my), (nx, ny), (px, py) = _split()
    template = RandomForestClassifier(n_estimators=30, random_state=0)
    forest = RandomForestClassifier(n_estimators=30, random_state=0).fit(mx, my)
    conf = model_membership(as_predict_proba(forest), members_X=mx, members_y=my,
                            nonmembers_X=nx, nonmembers_y=ny, method="confidence")
    assert conf["auc"] > 0.6
    shadow = shadow_model_membership(
        as_predict_proba(forest), train_shadow=sklearn_trainer(template), population_X=px,
        population_y=py, members_X=mx, members_y=my, nonmembers_X=nx, nonmembers_y=ny,
        n_shadows=2, seed=0,
    )
    assert set(shadow) >= KEYS
    assert shadow["auc"] > 0.6
    assert set(MODEL_ATTACKS.names()) == {"loss_threshold", "shadow_model"}


def test_torch_module_is_attacked_through_its_logits() -> None:
    (mx, my), (nx, ny), _ = _split()
    torch.manual_seed(0)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        net = torch.nn.Sequential(torch.nn.Linear(10, 128), torch.nn.ReLU(),
                                  torch.nn.Linear(128, 2))
        opt = torch.optim.Adam(net.parameters(), lr=1e-2)
        xs, ys = torch.as_tensor(mx[:200]), torch.as_tensor(my[:200])
        for _ in range(400):  # memorise 200 noisy records
            opt.zero_grad()
            torch.nn.functional.cross_entropy(net(xs), ys).backward()
            opt.step()
    finally:
        torch.set_num_threads(threads)
    result = model_membership(as_predict_proba(net), members_X=mx[:200], members_y=my[:200],
                              nonmembers_X=nx[:200], nonmembers_y=ny[:200], seed=1)
    # members (even mislabelled ones) sit at ~0 loss; unseen mislabelled records do not
    assert result["auc"] > 0.55 and result["ci"]["auc"][0] > 0.5, result["ci"]


def test_bad_model_inputs_raise_typed_errors() -> None:
    (mx, my), (nx, ny), _ = _split()
    proba = as_predict_proba(LogisticRegression().fit(mx, my))
    with pytest.raises(ParameterError, match="members_X has"):
        model_membership(proba, members_X=mx, members_y=my[:-1], nonmembers_X=nx,
                         nonmembers_y=ny)
    with pytest.raises(ParameterError, match="integer class"):
        model_membership(proba, members_X=mx, members_y=my.astype(float), nonmembers_X=nx,
                         nonmembers_y=ny)
    with pytest.raises(ParameterError, match="method"):
        model_membership(proba, members_X=mx, members_y=my, nonmembers_X=nx,
                         nonmembers_y=ny, method="vibes")
    with pytest.raises(ParameterError, match="class probabilities"):
        as_predict_proba(object())
