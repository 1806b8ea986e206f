"""The independent judge of benchmarks/vs_tabularargn.py: one set of metrics for every generator.

* quality: SDMetrics' own ``QualityReport`` (column shapes + column pair trends);
* detection: a HistGradientBoosting classifier told real (train split) from synthetic rows,
  ROC-AUC over 5 stratified folds (0.5: indistinguishable);
* TSTR / TRTR: HistGradientBoosting ROC-AUC on the real 30 % holdout, trained on the synthetic
  rows vs on the real train split;
* privacy: share of synthetic rows that are exact copies of a training row, and DCR share
  (synthetic rows closer to a training row than to a holdout row; 0.5 ideal at equal sizes).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold

from synthguard.evaluation.encoding import TableEncoder
from synthguard.evaluation.utility import utility


def sdmetrics_quality(real: pd.DataFrame, synthetic: pd.DataFrame) -> float:
    from sdmetrics.reports.single_table import QualityReport
    from sdv.metadata import Metadata

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        metadata = Metadata.detect_from_dataframes({"t": real}).to_dict()["tables"]["t"]
        report = QualityReport()
        report.generate(real, synthetic[list(real.columns)], metadata, verbose=False)
    return float(report.get_score())


def detection_auc(real: pd.DataFrame, synthetic: pd.DataFrame, *, seed: int = 0,
                  folds: int = 5) -> float:
    rng = np.random.default_rng(seed)
    n = min(len(real), len(synthetic))
    r = real.iloc[rng.choice(len(real), n, replace=False)]
    s = synthetic.iloc[rng.choice(len(synthetic), n, replace=False)][list(real.columns)]
    encoder = TableEncoder(max_categories=255).fit(r)
    x = np.vstack([encoder.transform(r, onehot=False), encoder.transform(s, onehot=False)])
    y = np.concatenate([np.zeros(n), np.ones(n)])
    scores = np.zeros(2 * n)
    for train_idx, test_idx in StratifiedKFold(folds, shuffle=True, random_state=seed).split(x, y):
        model = HistGradientBoostingClassifier(max_iter=100, random_state=seed)
        model.fit(x[train_idx], y[train_idx])
        scores[test_idx] = model.predict_proba(x[test_idx])[:, 1]
    return float(roc_auc_score(y, scores))


def tstr_trtr(train: pd.DataFrame, synthetic: pd.DataFrame, holdout: pd.DataFrame, *,
              target: str, seed: int = 0) -> tuple[float, float]:
    out = utility(train, synthetic[list(train.columns)], holdout, target=target, seed=seed)
    return float(out["tstr"]["roc_auc"]), float(out["trtr"]["roc_auc"])


def privacy(train: pd.DataFrame, synthetic: pd.DataFrame, holdout: pd.DataFrame, *,
            seed: int = 0, max_rows: int = 5000) -> dict[str, float]:
    """Exact-copy share and DCR share (closer to train than to holdout), on samples."""
    from sklearn.neighbors import NearestNeighbors

    rng = np.random.default_rng(seed)
    synth = synthetic[list(train.columns)]
    keys_train = set(pd.util.hash_pandas_object(train.astype(str), index=False).to_numpy().tolist())
    hashed = pd.util.hash_pandas_object(synth.astype(str), index=False).to_numpy()
    copies = float(np.mean([h in keys_train for h in hashed]))
    m = min(len(holdout), len(train), max_rows)
    tr = train.iloc[rng.choice(len(train), m, replace=False)]
    ho = holdout.iloc[rng.choice(len(holdout), m, replace=False)]
    sy = synth.iloc[rng.choice(len(synth), min(len(synth), max_rows), replace=False)]
    encoder = TableEncoder().fit(train)
    a, b, c = (encoder.transform(f) for f in (tr, ho, sy))
    d_train = NearestNeighbors(n_neighbors=1).fit(a).kneighbors(c)[0][:, 0]
    d_hold = NearestNeighbors(n_neighbors=1).fit(b).kneighbors(c)[0][:, 0]
    closer = np.mean(d_train < d_hold) + 0.5 * np.mean(d_train == d_hold)
    return {"exact_copies": copies, "dcr_share": float(closer)}


def judge(train: pd.DataFrame, holdout: pd.DataFrame, synthetic: pd.DataFrame, *,
          target: str, seed: int = 0, sdmetrics: bool = True) -> dict[str, Any]:
    tstr, trtr = tstr_trtr(train, synthetic, holdout, target=target, seed=seed)
    out: dict[str, Any] = {
        "detection_auc": detection_auc(train, synthetic, seed=seed),
        "tstr": tstr, "trtr": trtr, "tstr_trtr": tstr / trtr,
    }
    if sdmetrics:
        out["quality"] = sdmetrics_quality(train, synthetic)
    out.update(privacy(train, synthetic, holdout, seed=seed))
    return out
