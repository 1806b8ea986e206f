"""Background jobs for the workbench: long library calls run off the script thread.

Why: a Streamlit script that runs a 30-second fit blocks its page and is cancelled when the
user navigates away. Here the work runs in a worker thread owned by the server process; the
page polls it with a fragment (``run_every``) and draws ``st.progress`` from the library's
``ProgressCallback``. Jobs are keyed by a hash of their inputs, so a page visited again (or
the same request submitted twice) reuses the finished job instead of recomputing.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import matplotlib

matplotlib.use("Agg")  # figures are drawn in the worker thread, never on a display

import contextlib

import streamlit as st

from synthguard.errors import SynthguardError

log = logging.getLogger(__name__)

RUNNING, DONE, FAILED, CANCELLED = "running", "done", "failed", "cancelled"


class JobCancelled(KeyboardInterrupt):
    """Raised inside a job's thread at its next progress report after Cancel was pressed.

    A ``KeyboardInterrupt`` so that library code which catches ``Exception`` cannot swallow
    it, and the run store records the run as 'interrupted' (as Ctrl-C in the CLI would)."""

# pyplot keeps global state and is not thread-safe: jobs running side by side draw one at a time.
PLOT_LOCK = threading.Lock()


def input_key(*parts: Any) -> str:
    """A stable SHA-256 of JSON-able inputs (data fingerprints, parameters, seeds)."""
    payload = json.dumps(parts, sort_keys=True, default=str)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:24]


@dataclass
class Job:
    """One submitted computation and what its progress callback last reported."""

    key: str
    label: str
    submitted: float = field(default_factory=time.time)
    stage: str = "queued"
    done: float = 0.0
    total: float | None = None
    future: Future[Any] | None = None
    started: float | None = None  # when a worker picked it up
    stage_started: float = field(default_factory=time.time)
    finished: float | None = None
    cancel_requested: threading.Event = field(default_factory=threading.Event)

    def progress(self, stage: str, done: float, total: float | None) -> None:
        """The library's ``ProgressCallback``: remember the latest report (thread-safe enough:
        plain attribute writes, read by the polling fragment). Raises :class:`JobCancelled`
        once Cancel was pressed, which unwinds the library call at its next report."""
        if self.cancel_requested.is_set():
            raise JobCancelled(self.label)
        if stage != self.stage:
            self.stage_started = time.time()
        self.stage, self.done, self.total = stage, float(done), total

    def cancel(self) -> None:
        """Ask the job to stop: a queued job never starts, a running one stops at its next
        progress report (fits report at least once per epoch/iteration)."""
        self.cancel_requested.set()
        if self.future is not None:
            self.future.cancel()

    @property
    def status(self) -> str:
        if self.future is None:
            return RUNNING
        if self.future.cancelled():
            return CANCELLED
        if not self.future.done():
            return RUNNING
        error = self.future.exception()
        if isinstance(error, JobCancelled):
            return CANCELLED
        return FAILED if error is not None else DONE

    @property
    def result(self) -> Any:
        assert self.future is not None
        return self.future.result()

    @property
    def error(self) -> BaseException | None:
        if self.future is None or not self.future.done() or self.future.cancelled():
            return None
        return self.future.exception()

    def fraction(self) -> float:
        if not self.total:
            return 0.0
        return max(0.0, min(1.0, self.done / self.total))

    def elapsed(self, now: float | None = None) -> float:
        """Seconds since a worker started it (0 while queued)."""
        if self.started is None:
            return 0.0
        return (self.finished or now or time.time()) - self.started

    def eta(self, now: float | None = None) -> float | None:
        """Seconds left in the current phase, extrapolated from its rate so far; None until
        the phase has a known total and some progress (no guess is better than a wrong one)."""
        now = now or time.time()
        fraction = self.fraction()
        spent = now - self.stage_started
        if not self.total or fraction <= 0.0 or fraction >= 1.0 or spent < 0.5:
            return None
        return spent / fraction * (1.0 - fraction)

    def describe(self, now: float | None = None) -> str:
        """One line for the progress bar: label, phase, count, elapsed and time left."""
        now = now or time.time()
        if self.started is None:
            return f"{self.label} · waiting for a free worker ({now - self.submitted:.0f} s)"
        if self.cancel_requested.is_set():
            return f"{self.label} · cancelling at the next progress report…"
        parts = [self.label, self.stage]
        if self.total:
            parts.append(f"{_amount(self.done)} of {_amount(self.total)} ({self.fraction():.0%})")
        parts.append(f"{self.elapsed(now):.0f} s elapsed")
        eta = self.eta(now)
        if eta is not None:
            parts.append(f"about {_duration(eta)} left in this phase")
        return " · ".join(parts)

    def wait(self, timeout: float | None = None) -> None:
        if self.future is not None:
            with contextlib.suppress(TimeoutError):
                self.future.exception(timeout=timeout)


def default_workers() -> int:
    """One worker per core, at most two: evaluation models run single-threaded
    (:mod:`synthguard._threads`), so two jobs use two cores instead of queueing."""
    return max(1, min(2, os.cpu_count() or 1))


class JobRunner:
    """A small worker pool (jobs beyond it queue rather than fight for cores)."""

    def __init__(self, workers: int | None = None, max_jobs: int = 64) -> None:
        self.workers = workers or default_workers()
        self.max_jobs = max_jobs
        self._pool = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="synthguard-job")
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> Job | None:
        with self._lock:
            return self._jobs.get(key)

    def submit(self, key: str, label: str, fn: Callable[..., Any], /, **kwargs: Any) -> Job:
        """Run ``fn(progress=job.progress, **kwargs)`` unless a live or finished job has
        ``key`` already (a failed one is replaced, so the user can retry)."""
        with self._lock:
            existing = self._jobs.get(key)
            if existing is not None and existing.status not in (FAILED, CANCELLED):
                return existing
            job = Job(key, label)
            job.future = self._pool.submit(_call, fn, job, kwargs)
            self._jobs[key] = job
            self._evict()
            return job

    def _evict(self) -> None:
        """Forget the oldest finished jobs beyond ``max_jobs`` (results live in memory; a
        forgotten result is simply recomputed if asked for again)."""
        finished = [k for k, j in self._jobs.items() if j.status != RUNNING]
        for key in finished[: max(0, len(self._jobs) - self.max_jobs)]:
            del self._jobs[key]


def _amount(value: float) -> str:
    """Counts as integers (1,400), fractional quantities such as a spent ρ of 0.0207 with
    three significant digits (a whole-number format printed those as '0 of 0')."""
    if float(value).is_integer() and abs(value) >= 1:
        return f"{value:,.0f}"
    return f"{value:.3g}"


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{max(1, round(seconds))} s"
    return f"{seconds / 60:.0f} min"


def _call(fn: Callable[..., Any], job: Job, kwargs: dict[str, Any]) -> Any:
    job.started = job.stage_started = time.time()
    job.stage = "starting"
    try:
        if job.cancel_requested.is_set():
            raise JobCancelled(job.label)
        return fn(progress=job.progress, **kwargs)
    except (SynthguardError, JobCancelled):
        raise
    except Exception:
        log.exception("job %s (%s) failed", job.key, job.label)
        raise
    finally:
        job.finished = time.time()


@st.cache_resource(show_spinner=False)
def runner() -> JobRunner:
    """The server-wide job runner (one per process, shared by sessions; keys include data
    fingerprints, so a session only ever finds results computed from its own inputs)."""
    return JobRunner()


def show_jobs(jobs: list[Job], *, poll_seconds: float = 1.0, cancel: bool = True) -> None:
    """Draw failures and cancellations, and the progress of running jobs (phase, fraction,
    time left, a Cancel button); rerun the page when they finish."""
    from synthguard.apps._messages import app_message

    for job in jobs:
        if job.status == FAILED:
            error = job.error
            assert error is not None
            st.error(f"{job.label} failed: {app_message(error)}")
        elif job.status == CANCELLED:
            st.warning(f"{job.label} was cancelled; nothing was kept. Press the button again "
                       "to start it anew.")
    if all(job.status != RUNNING for job in jobs):
        return

    @st.fragment(run_every=poll_seconds)
    def _poll() -> None:
        if all(job.status != RUNNING for job in jobs):
            st.rerun(scope="app")
        running = [job for job in jobs if job.status == RUNNING]
        if len(jobs) > 1:
            st.caption(overall_line(jobs))
        for job in running:
            st.progress(job.fraction(), text=job.describe())
        if cancel and st.button("Cancel" if len(running) == 1 else f"Cancel {len(running)} jobs",
                                key="cancel." + input_key(*(j.key for j in running))):
            for job in running:
                job.cancel()
            st.rerun(scope="app")

    _poll()


def overall_line(jobs: list[Job], now: float | None = None) -> str:
    """'3 of 6 finished · 41 s elapsed · about 30 s left' for a batch of jobs run by the
    pool: the time left is the mean time of the finished ones times the waves still to run."""
    now = now or time.time()
    finished = [j for j in jobs if j.status != RUNNING]
    started = [j.started for j in jobs if j.started is not None]
    elapsed = now - min(started) if started else 0.0
    line = f"{len(finished)} of {len(jobs)} finished · {elapsed:.0f} s elapsed"
    done = [j for j in finished if j.started is not None and j.finished is not None]
    if done:
        mean = sum(j.elapsed() for j in done) / len(done)
        workers = max(1, min(default_workers(), len(jobs)))
        running = [j for j in jobs if j.status == RUNNING]
        left_each = [max(0.0, mean - j.elapsed(now)) for j in running if j.started is not None]
        queued = sum(1 for j in running if j.started is None)
        estimate = (sum(left_each) + queued * mean) / workers
        line += f" · about {_duration(estimate)} left"
    return line


def show_job(job: Job, *, poll_seconds: float = 1.0, cancel: bool = True) -> None:
    """:func:`show_jobs` for one job."""
    show_jobs([job], poll_seconds=poll_seconds, cancel=cancel)


def figure_png(fig: Any) -> bytes:
    """A matplotlib figure as PNG bytes (closed afterwards so the worker does not leak)."""
    import io

    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return buffer.getvalue()
