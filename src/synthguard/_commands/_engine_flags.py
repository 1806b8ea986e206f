"""``--engine``/``--ray-address``/``--ray-workers``: the runner flags of generate and redact."""

from __future__ import annotations

import argparse

from synthguard._commands._common import positive_int
from synthguard._engine import ENGINES, Engine


def add_engine_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--engine", choices=ENGINES, default="local",
                   help="where batches run: this process (local) or Ray (same functions, same output)")
    p.add_argument("--ray-address", metavar="ADDR",
                   help="join a running Ray cluster (e.g. ray://head:10001 or auto); "
                        "default: a local Ray started for the run (loopback only)")
    p.add_argument("--ray-workers", type=positive_int, default=2, metavar="N",
                   help="Ray workers: CPUs of the local Ray, actors, batches in flight (default 2)")


def engine_from(args: argparse.Namespace) -> Engine:
    """The runner the flags ask for (validated: a bad combination is a ParameterError)."""
    return Engine(kind=args.engine, address=args.ray_address, workers=args.ray_workers)
