"""Calibration of the attack set on three kinds of table: leaky vs clean generators.

For Adult (mixed columns), Adult's categorical columns only, and a numeric sklearn table
(3000 rows, 2000 train / 1000 holdout), prints each membership attack's AUC and TPR at 1 %
FPR, the reproduction estimate and the overall verdict for: the gaussian copula,
``copy_leaky`` at 10 / 30 / 50 % copied rows, and MST at ε = 1 (categorical table only: MST
needs public bounds for numerics).

    .venv/bin/python benchmarks/leakage_calibration.py
"""

from __future__ import annotations

import time
import warnings

import numpy as np
import pandas as pd
from sklearn.datasets import make_classification

from synthguard.data import load_table, train_holdout_split
from synthguard.evaluation.leakage import evaluate_leakage
from synthguard.generators import create_generator

warnings.filterwarnings("ignore")
CATEGORICAL = ["work_class", "education", "marital_status", "occupation", "relationship",
               "race", "sex", "class"]
ATTACKS = ["dcr", "dcr_ratio", "domias", "exact_match", "reproduction"]


def table(kind: str, n: int = 3000) -> pd.DataFrame:
    if kind == "numeric":
        x, y = make_classification(n_samples=n, n_features=6, n_informative=4, random_state=0)
        frame = pd.DataFrame(x, columns=[f"x{i}" for i in range(6)])
        frame["label"] = np.where(y == 1, "yes", "no")
        return frame
    adult = load_table("adult")
    if kind == "adult_categorical":
        adult = adult[CATEGORICAL]
    return adult.sample(n, random_state=0).reset_index(drop=True)


def main() -> None:
    for kind in ("adult_mixed", "adult_categorical", "numeric"):
        split = train_holdout_split(table(kind), holdout_fraction=1 / 3, seed=0)
        train, holdout = split.train, split.holdout
        generators = {"gaussian_copula": create_generator("gaussian_copula")}
        for share in (0.1, 0.3, 0.5):
            generators[f"copy_leaky {share:.0%}"] = create_generator(
                "copy_leaky", copied_share=share)
        if kind == "adult_categorical":
            generators["mst eps=1"] = create_generator("mst", epsilon=1.0)
        print(f"== {kind}: {len(train)} train / {len(holdout)} holdout rows")
        for label, gen in generators.items():
            syn = gen.fit(train, seed=0).sample(len(train), seed=1)
            t0 = time.perf_counter()
            section = evaluate_leakage(train=train, holdout=holdout, synthetic=syn,
                                       attacks=ATTACKS, seed=0)
            seconds = time.perf_counter() - t0
            mem = " ".join(f"{k} {v['auc']:.3f}/{v['tpr_at_fpr_0.01']:.3f}"
                           for k, v in section["membership"].items())
            rep = section["reproduction"]
            print(f"  {label:18} {mem} | reproduction {rep['risk']:.3f} "
                  f"[{rep['ci'][0]:.3f},{rep['ci'][1]:.3f}] {rep['verdict']:6} | "
                  f"verdict {section['verdict']:6} ({seconds:.1f} s)")


if __name__ == "__main__":
    # its DP fits are experiments on public data: they charge a throwaway privacy ledger,
    # not the user's budgets (every DP fit charges a ledger; SYNTHGUARD_STORE overrides)
    import os
    import tempfile

    os.environ.setdefault("SYNTHGUARD_STORE", os.path.join(tempfile.mkdtemp(), "bench.sqlite"))
    main()
