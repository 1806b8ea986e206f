"""Runner choice for batch work: the same per-batch library function, locally or on Ray.

Why one tiny module instead of a "scale" wing: generation and redaction each own a pure
per-batch function (``generators.streaming.sample_table``, ``redaction.batch.redact_batch``).
A runner only decides *where* that function runs. ``local`` calls it in this process;
``ray`` calls the very same function in Ray tasks or actors. No logic is copied, so the two
engines give the same output by construction (and the tests check that they do).

Ray is imported lazily; without ``--ray-address`` a private local Ray is started for the run
(loopback only, no dashboard, no usage reporting) and shut down afterwards.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

from synthguard.errors import MissingDependencyError, ParameterError

logger = logging.getLogger(__name__)

ENGINES = ("local", "ray")
C = TypeVar("C")
T = TypeVar("T")
R = TypeVar("R")

# A private Ray keeps its shared-memory object store small: batches are tens of MB.
_OBJECT_STORE_BYTES = 512 * 1024 * 1024


@dataclass(frozen=True)
class Engine:
    """Where batch work runs: ``local`` (this process) or ``ray`` (tasks/actors).

    ``address`` joins a running Ray cluster (``ray://host:port`` or ``auto``); without it a
    local Ray with ``workers`` CPUs is started for the run. ``workers`` also caps how many
    batches are in flight, which bounds the driver's memory.
    """

    kind: str = "local"
    address: str | None = None
    workers: int = 2

    def __post_init__(self) -> None:
        if self.kind not in ENGINES:
            raise ParameterError(f"engine={self.kind!r} must be one of {', '.join(ENGINES)}")
        if self.workers < 1:
            raise ParameterError(f"workers must be >= 1, got {self.workers}")
        if self.address is not None and self.kind != "ray":
            raise ParameterError("ray_address= needs engine='ray'")

    @property
    def is_ray(self) -> bool:
        return self.kind == "ray"

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "address": self.address, "workers": self.workers}


def import_ray() -> Any:
    """Import Ray or raise a typed error that says how to install it."""
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")  # no telemetry, no network
    try:
        import ray
    except ImportError as exc:  # pragma: no cover - ray is a declared dependency
        raise MissingDependencyError(
            "engine='ray' needs Ray: pip install 'ray[data]>=2.40'"
        ) from exc
    return ray


@contextlib.contextmanager
def ray_session(engine: Engine) -> Iterator[Any]:
    """Yield the ``ray`` module with a session up; shut down only a session we started.

    An already initialised session (a test fixture, a notebook) is reused as is.
    """
    ray = import_ray()
    if ray.is_initialized():
        yield ray
        return
    if engine.address:
        ray.init(address=engine.address, logging_level=logging.WARNING, log_to_driver=False)
    else:
        ray.init(
            num_cpus=engine.workers, include_dashboard=False, _node_ip_address="127.0.0.1",
            object_store_memory=_OBJECT_STORE_BYTES, logging_level=logging.WARNING,
            log_to_driver=False, configure_logging=True,
        )
    try:
        _quiet_ray_data()
        yield ray
    finally:
        ray.shutdown()


def _quiet_ray_data() -> None:
    """Ray Data prints progress bars and per-operator logs by default; the CLI has its own."""
    try:
        from ray.data import DataContext
    except ImportError:  # pragma: no cover
        return
    ctx = DataContext.get_current()
    ctx.enable_progress_bars = False
    ctx.execution_options.preserve_order = True
    with contextlib.suppress(AttributeError):
        ctx.print_on_execution_start = False
    logging.getLogger("ray.data").setLevel(logging.WARNING)


def ordered_map(fn: Callable[[C, T], R], items: Iterable[T], *, context: C, engine: Engine,
                window: int | None = None) -> Iterator[R]:
    """``fn(context, item)`` for each item, results in input order.

    Local: a plain loop. Ray: one task per item, ``context`` shipped once through the object
    store, at most ``window`` (default ``2 * workers``) tasks in flight so a long input never
    piles up results in memory. Call inside :func:`ray_session` for the Ray engine.
    """
    if not engine.is_ray:
        for item in items:
            yield fn(context, item)
        return
    ray = import_ray()
    if not ray.is_initialized():
        raise ParameterError("the Ray engine runs inside ray_session(engine)")
    remote = ray.remote(num_cpus=1, max_retries=1)(fn)
    context_ref = ray.put(context)
    limit = window or 2 * engine.workers
    pending: deque[Any] = deque()
    for item in items:
        pending.append(remote.remote(context_ref, item))
        if len(pending) >= limit:
            yield ray.get(pending.popleft())
    while pending:
        yield ray.get(pending.popleft())
