"""Helpers shared by CLI commands: progress bars, run recording, JSON output."""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from synthguard.ledger import RunRecord, RunStore
from synthguard.progress import ProgressCallback

# Not a terminal (a log, a pipe, a test): text lines are never wrapped, so one message stays one
# line whatever the length of the paths it names; tables keep a 160-column layout.
_TTY = sys.stderr.isatty()
console = Console(stderr=True, width=None if _TTY else 160, soft_wrap=not _TTY)


@contextlib.contextmanager
def progress_bar() -> Iterator[ProgressCallback]:
    """A rich progress bar (on stderr) as a library progress callback, one bar per stage."""
    columns = (
        SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
        TextColumn("{task.fields[rate]}"), TimeElapsedColumn(), TimeRemainingColumn(),
    )
    tasks: dict[str, TaskID] = {}
    with Progress(*columns, console=console, transient=False,
                  disable=not sys.stderr.isatty() and not _force_bars()) as bar:

        def callback(stage: str, done: float, total: float | None) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total, rate="")
            task = bar.tasks[tasks[stage]]
            elapsed = task.elapsed or 0.0
            rate = f"{done / elapsed:,.0f}/s" if elapsed > 0 and done else ""
            bar.update(tasks[stage], completed=done, total=total, rate=rate)

        yield callback


def _force_bars() -> bool:
    import os

    return os.environ.get("SYNTHGUARD_PROGRESS") == "1"


def store_from(args: Any) -> RunStore:
    return RunStore()  # `--store` is exported as $SYNTHGUARD_STORE by cli.main


@contextlib.contextmanager
def recorded_run(args: Any, command: str, **fields: Any) -> Iterator[RunRecord]:
    """Record a run in the store: 'ok' on success, 'failed' (with the error type) otherwise."""
    with store_from(args).recording(command, **fields) as record:
        yield record


def print_json(payload: Any) -> None:
    print(json.dumps(payload, indent=2, sort_keys=True, default=str))


def existing_path(value: str) -> Path:
    return Path(value)


# argparse types: a bad value is a one-line usage error naming the flag (exit 2).
def positive_int(value: str) -> int:
    """An integer >= 1 (``--workers``, ``--chunk-size``, ``--sample``...)."""
    import argparse

    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {value!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {value!r}")
    return number


def unit_interval(value: str) -> float:
    """A finite number in [0, 1] (``--threshold``)."""
    import argparse
    import math

    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number in [0, 1], got {value!r}") from None
    if not (math.isfinite(number) and 0.0 <= number <= 1.0):
        raise argparse.ArgumentTypeError(f"must be a number in [0, 1], got {value!r}")
    return number
