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

RUNNING, DONE, FAILED = "running", "done", "failed"


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

    def progress(self, stage: str, done: float, total: float | None) -> None:
        """The library's ``ProgressCallback``: remember the latest report (thread-safe enough:
        plain attribute writes, read by the polling fragment)."""
        self.stage, self.done, self.total = stage, float(done), total

    @property
    def status(self) -> str:
        if self.future is None or not self.future.done():
            return RUNNING
        return FAILED if self.future.exception() is not None else DONE

    @property
    def result(self) -> Any:
        assert self.future is not None
        return self.future.result()

    @property
    def error(self) -> BaseException | None:
        if self.future is None or not self.future.done():
            return None
        return self.future.exception()

    def fraction(self) -> float:
        if not self.total:
            return 0.0
        return max(0.0, min(1.0, self.done / self.total))

    def wait(self, timeout: float | None = None) -> None:
        if self.future is not None:
            with contextlib.suppress(TimeoutError):
                self.future.exception(timeout=timeout)


class JobRunner:
    """A one-worker queue (the machine is small; jobs queue rather than fight for cores)."""

    def __init__(self, workers: int = 1, max_jobs: int = 64) -> None:
        self.max_jobs = max_jobs
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="synthguard-job")
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
            if existing is not None and existing.status != FAILED:
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


def _call(fn: Callable[..., Any], job: Job, kwargs: dict[str, Any]) -> Any:
    job.stage = "starting"
    try:
        return fn(progress=job.progress, **kwargs)
    except SynthguardError:
        raise
    except Exception:
        log.exception("job %s (%s) failed", job.key, job.label)
        raise


@st.cache_resource(show_spinner=False)
def runner() -> JobRunner:
    """The server-wide job runner (one per process, shared by sessions; keys include data
    fingerprints, so a session only ever finds results computed from its own inputs)."""
    return JobRunner()


def show_jobs(jobs: list[Job], *, poll_seconds: float = 1.0) -> None:
    """Draw failures and the progress of running jobs; rerun the page when they finish."""
    for job in jobs:
        if job.status == FAILED:
            error = job.error
            if isinstance(error, SynthguardError):
                st.error(f"{job.label} failed: {error}")
            else:
                st.error(f"{job.label} failed: {type(error).__name__}: {error}")
    if all(job.status != RUNNING for job in jobs):
        return

    @st.fragment(run_every=poll_seconds)
    def _poll() -> None:
        if all(job.status != RUNNING for job in jobs):
            st.rerun(scope="app")
        for job in jobs:
            if job.status != RUNNING:
                continue
            count = f"{job.done:,.0f}/{job.total:,.0f}" if job.total else f"{job.done:,.0f}"
            elapsed = time.time() - job.submitted
            st.progress(job.fraction(), text=f"{job.label} · {job.stage} {count} · {elapsed:.0f} s")

    _poll()


def show_job(job: Job, *, poll_seconds: float = 1.0) -> None:
    """:func:`show_jobs` for one job."""
    show_jobs([job], poll_seconds=poll_seconds)


def figure_png(fig: Any) -> bytes:
    """A matplotlib figure as PNG bytes (closed afterwards so the worker does not leak)."""
    import io

    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return buffer.getvalue()
