"""Run Anonymeter's three evaluators on Parquet files; executed inside Anonymeter's own venv.

Anonymeter 1.1 pins numpy<1.27, so it cannot share synthguard's environment:
``attacks_vs_anonymeter.py`` builds a separate venv and calls this script there. It must not
import synthguard. Input: a JSON job on argv[1]; output: JSON on argv[2].
"""

import json
import sys
import time
import warnings

import pandas as pd
from anonymeter.evaluators import InferenceEvaluator, LinkabilityEvaluator, SinglingOutEvaluator

warnings.filterwarnings("ignore")


def _risk(evaluator, seconds):
    risk = evaluator.risk(confidence_level=0.95)
    res = evaluator.results(confidence_level=0.95)
    return {
        "risk": float(risk.value), "ci": [float(risk.ci[0]), float(risk.ci[1])],
        "attack_rate": float(res.attack_rate.value),
        "control_rate": float(res.control_rate.value) if res.control_rate else None,
        "baseline_rate": float(res.baseline_rate.value), "seconds": seconds,
    }


def main() -> None:
    with open(sys.argv[1]) as fh:
        job = json.load(fh)
    ori = pd.read_parquet(job["ori"])
    control = pd.read_parquet(job["control"])
    out = {}
    for label, path in job["synthetic"].items():
        syn = pd.read_parquet(path)
        res = {}
        t0 = time.perf_counter()
        so = SinglingOutEvaluator(ori=ori, syn=syn, control=control, n_attacks=job["so_attacks"],
                                  n_cols=job["so_cols"], seed=job["seed"]).evaluate("multivariate")
        res["singling_out"] = _risk(so, time.perf_counter() - t0)
        t0 = time.perf_counter()
        link = LinkabilityEvaluator(ori=ori, syn=syn, control=control,
                                    n_attacks=job["n_attacks"],
                                    aux_cols=tuple(job["link_cols"])).evaluate(n_jobs=job["n_jobs"])
        res["linkability"] = _risk(link, time.perf_counter() - t0)
        t0 = time.perf_counter()
        aux = [c for c in ori.columns if c != job["secret"]]
        inf = InferenceEvaluator(ori=ori, syn=syn, control=control, aux_cols=aux,
                                 secret=job["secret"], regression=job["regression"],
                                 n_attacks=job["n_attacks"]).evaluate(n_jobs=job["n_jobs"])
        res["attribute_inference"] = _risk(inf, time.perf_counter() - t0)
        out[label] = res
    with open(sys.argv[2], "w") as fh:
        json.dump(out, fh)


if __name__ == "__main__":
    main()
