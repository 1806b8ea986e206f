"""Fit TabularARGN (``mostlyai-engine``) on a Parquet train table and sample; runs in ARGN's own venv.

``tabular_vs_argn.py`` builds that venv (``--setup-argn DIR``) and calls this script there
through a subprocess, so torch and the engine never enter synthguard's environment. It must
not import synthguard. Input: a JSON job on argv[1]; output: the synthetic table as Parquet
(job["out"]) and a JSON summary on argv[2] (CPU seconds of this whole process, wall seconds).
"""

import json
import resource
import sys
import tempfile
import time
import warnings
from pathlib import Path

warnings.filterwarnings("ignore")


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime + children.ru_utime + children.ru_stime


def main() -> None:
    import pandas as pd
    import torch
    from mostlyai import engine

    with open(sys.argv[1]) as fh:
        job = json.load(fh)
    torch.set_num_threads(int(job.get("threads", 1)))
    engine.set_random_state(job["seed"])
    wall = time.perf_counter()
    train = pd.read_parquet(job["train"])
    with tempfile.TemporaryDirectory(prefix="argn-ws-") as tmp:
        ws = Path(tmp) / "ws"
        engine.split(workspace_dir=ws, tgt_data=train, model_type="TABULAR")
        engine.analyze(workspace_dir=ws)
        engine.encode(workspace_dir=ws)
        minutes = job.get("max_minutes")  # None: the engine's defaults (100 epochs, early stop)
        if minutes is None:
            engine.train(workspace_dir=ws)
        else:
            engine.train(workspace_dir=ws, max_training_time=float(minutes))
        engine.generate(workspace_dir=ws, sample_size=int(job["rows"]))
        synthetic = pd.concat([pd.read_parquet(p) for p in
                               sorted((ws / "SyntheticData").glob("*.parquet"))],
                              ignore_index=True)
    synthetic = synthetic[list(train.columns)]
    synthetic.to_parquet(job["out"], index=False)
    with open(sys.argv[2], "w") as fh:
        json.dump({"cpu_seconds": _cpu_seconds(), "wall_seconds": time.perf_counter() - wall,
                   "rows": len(synthetic), "engine": _version()}, fh)


def _version() -> str:
    from importlib.metadata import version

    return version("mostlyai-engine")


if __name__ == "__main__":
    main()
