"""Membership inference on a trained classifier: was this record in its training set?

Two attacks over any model that gives class probabilities (a sklearn estimator, a torch
module, an ONNX session wrapped in a function):

* :func:`model_membership`: loss threshold (Yeom et al. 2018): a lower loss on the true
  label means "member" (``method="loss"``); or the label-free top confidence
  (``method="confidence"``).
* :func:`shadow_model_membership`: shadow models (Shokri et al. 2017) trained on population
  data the target never saw teach an attack classifier what member outputs look like.

Both return ``{auc, tpr_at_fpr_0.01, tpr_at_fpr_0.1, ci}`` with bootstrap intervals.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from synthguard.errors import ParameterError
from synthguard.evaluation.attacks._stats import RocSummary, summarize_scores
from synthguard.registry import Registry

PredictProba = Callable[[np.ndarray], np.ndarray]
Trainer = Callable[[np.ndarray, np.ndarray, int], PredictProba]

MODEL_ATTACKS: Registry[Callable[..., dict[str, Any]]] = Registry("model attack")
_EPS = 1e-12


def as_predict_proba(model: Any) -> PredictProba:
    """Wrap a sklearn classifier (``predict_proba``) or a torch module (logits -> softmax)."""
    if hasattr(model, "predict_proba"):
        return lambda x: np.asarray(model.predict_proba(x), dtype=float)
    import torch

    if isinstance(model, torch.nn.Module):
        def proba(x: np.ndarray) -> np.ndarray:
            model.eval()
            with torch.no_grad():
                logits = model(torch.as_tensor(np.asarray(x), dtype=torch.float32))
                return np.asarray(torch.softmax(logits, dim=-1).cpu().numpy(), dtype=float)
        return proba
    if callable(model):
        return lambda x: np.asarray(model(x), dtype=float)
    raise ParameterError(
        f"cannot get class probabilities from a {type(model).__name__}; pass a sklearn "
        "classifier, a torch module returning logits, or a function X -> probabilities"
    )


def sklearn_trainer(estimator: Any) -> Trainer:
    """Shadow-model trainer from a sklearn estimator template (cloned for every shadow)."""
    from sklearn.base import clone

    def train(x: np.ndarray, y: np.ndarray, seed: int) -> PredictProba:
        model = clone(estimator)
        if "random_state" in model.get_params():
            model.set_params(random_state=seed)
        model.fit(x, y)
        classes = list(model.classes_)

        def proba(q: np.ndarray) -> np.ndarray:
            p = model.predict_proba(q)
            full = np.zeros((len(q), int(max(classes)) + 1 if _int_labels(classes)
                             else len(classes)))
            for i, c in enumerate(classes):
                full[:, int(c) if _int_labels(classes) else i] = p[:, i]
            return full

        return proba

    return train


def _int_labels(classes: list[Any]) -> bool:
    return all(isinstance(c, int | np.integer) for c in classes)


def _check_inputs(x: np.ndarray, y: np.ndarray, label: str) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray(x)
    y = np.asarray(y)
    if len(x) != len(y):
        raise ParameterError(f"{label}_X has {len(x)} rows but {label}_y has {len(y)}")
    if len(x) < 10:
        raise ParameterError(f"{label} has {len(x)} records; a membership attack needs >= 10")
    if not np.issubdtype(y.dtype, np.integer):
        raise ParameterError(f"{label}_y must hold integer class indices, got {y.dtype}")
    return x, y


def _features(proba: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Per-record outputs the attacks read: log p(true), top prob, margin, entropy."""
    p = np.clip(np.asarray(proba, dtype=float), _EPS, 1.0)
    if p.ndim != 2 or p.shape[1] <= int(y.max()):
        raise ParameterError(
            f"predict_proba returned shape {p.shape}; expected (n, n_classes) covering label "
            f"{int(y.max())}"
        )
    true = p[np.arange(len(y)), y]
    other = p.copy()
    other[np.arange(len(y)), y] = 0.0
    return np.column_stack([
        np.log(true), p.max(axis=1), np.log(true) - np.log(other.max(axis=1) + _EPS),
        -(p * np.log(p)).sum(axis=1),
    ])


def _to_dict(summary: RocSummary, **extra: Any) -> dict[str, Any]:
    out: dict[str, Any] = {
        "auc": summary.auc,
        "tpr_at_fpr_0.01": summary.tpr[0.01],
        "tpr_at_fpr_0.1": summary.tpr[0.1],
        "ci": {k: [v[0], v[1]] for k, v in summary.ci.items()},
        "n_members": summary.n_members,
        "n_nonmembers": summary.n_nonmembers,
        "roc": {"fpr": list(summary.fpr_curve), "tpr": list(summary.tpr_curve)},
    }
    out.update(extra)
    return out


def model_membership(
    predict_proba: PredictProba,
    *,
    members_X: np.ndarray,
    members_y: np.ndarray,
    nonmembers_X: np.ndarray,
    nonmembers_y: np.ndarray,
    seed: int = 0,
    method: str = "loss",
    n_bootstrap: int = 200,
) -> dict[str, Any]:
    """Threshold attack on a classifier's outputs: lower loss (or higher confidence) = member.

    ``members_*`` are records the model was trained on, ``nonmembers_*`` records it never
    saw from the same population; labels are integer class indices.
    """
    if method not in ("loss", "confidence"):
        raise ParameterError(f"method must be 'loss' or 'confidence', got {method!r}")
    mx, my = _check_inputs(members_X, members_y, "members")
    nx, ny = _check_inputs(nonmembers_X, nonmembers_y, "nonmembers")
    col = 0 if method == "loss" else 1
    pos = _features(predict_proba(mx), my)[:, col]
    neg = _features(predict_proba(nx), ny)[:, col]
    summary = summarize_scores(pos, neg, seed=seed, n_bootstrap=n_bootstrap)
    return _to_dict(summary, attack=f"{method}_threshold")


def shadow_model_membership(
    predict_proba: PredictProba,
    *,
    train_shadow: Trainer,
    population_X: np.ndarray,
    population_y: np.ndarray,
    members_X: np.ndarray,
    members_y: np.ndarray,
    nonmembers_X: np.ndarray,
    nonmembers_y: np.ndarray,
    n_shadows: int = 4,
    seed: int = 0,
    n_bootstrap: int = 200,
) -> dict[str, Any]:
    """Shokri-style attack: shadows trained on halves of ``population`` (disjoint from the
    target's training data) label their own in/out outputs; a gradient-boosted attack
    model learns from those and scores the target model's outputs.

    ``train_shadow(X, y, seed)`` must train a model like the target (same family and
    recipe) and return its predict_proba; :func:`sklearn_trainer` builds one.
    """
    from sklearn.ensemble import HistGradientBoostingClassifier

    if n_shadows < 1:
        raise ParameterError(f"n_shadows must be >= 1, got {n_shadows}")
    px, py = _check_inputs(population_X, population_y, "population")
    mx, my = _check_inputs(members_X, members_y, "members")
    nx, ny = _check_inputs(nonmembers_X, nonmembers_y, "nonmembers")
    if len(px) < 40:
        raise ParameterError(f"population has {len(px)} records; shadow models need >= 40")
    rng = np.random.default_rng(seed)
    feats, labels = [], []
    for s in range(n_shadows):
        perm = rng.permutation(len(px))
        half = len(px) // 2
        inside, outside = perm[:half], perm[half:2 * half]
        proba = train_shadow(px[inside], py[inside], seed + s)
        feats += [_features(proba(px[inside]), py[inside]),
                  _features(proba(px[outside]), py[outside])]
        labels += [np.ones(len(inside)), np.zeros(len(outside))]
    attack = HistGradientBoostingClassifier(max_iter=100, random_state=seed)
    attack.fit(np.vstack(feats), np.concatenate(labels))
    pos = attack.predict_proba(_features(predict_proba(mx), my))[:, 1]
    neg = attack.predict_proba(_features(predict_proba(nx), ny))[:, 1]
    summary = summarize_scores(pos, neg, seed=seed, n_bootstrap=n_bootstrap)
    return _to_dict(summary, attack="shadow_model", n_shadows=n_shadows)


MODEL_ATTACKS.add("loss_threshold", model_membership)
MODEL_ATTACKS.add("shadow_model", shadow_model_membership)
