"""Fixtures for the workbench tests: a temporary run store, an AppTest on the real entry
script with a small Adult sample, and (browser tests) ``synthguard app`` served on a free port."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from streamlit import config as st_config
from streamlit.testing.v1 import AppTest

from synthguard._commands.app import entry_script

ROWS = 2000


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    path = tmp_path / "runs.sqlite"
    monkeypatch.setenv("SYNTHGUARD_STORE", str(path))
    yield path


@pytest.fixture
def app(store: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[AppTest]:
    """The workbench on a 2,000-row sample of Adult, after its first run (the Data page)."""
    monkeypatch.setenv("SYNTHGUARD_APP_ROWS", str(ROWS))  # the default after a dataset switch
    # Streamlit's "magic" rewrites each page with ast.parse on first use; on CPython 3.11 that
    # can fail with a spurious "AST constructor recursion depth mismatch" SystemError while a
    # background job thread also builds an AST (cpython gh-106905; seen once in CI on the
    # Distill page). The pages use no magic (no bare expressions), so tests run without it.
    previous = st_config.get_option("runner.magicEnabled")
    st_config.set_option("runner.magicEnabled", False)
    at = AppTest.from_file(str(entry_script()), default_timeout=180)
    at.session_state["w.data.rows"] = ROWS
    try:
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        yield at
    finally:
        st_config.set_option("runner.magicEnabled", previous)


E2E_ROWS = 1000  # browser tests: a 1,000-row sample (700 train rows) keeps each step short
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def launch_app(tmp_path: Path, **env_extra: str) -> tuple[subprocess.Popen[bytes], str]:
    """Start ``synthguard app --headless`` on a free port with a temporary run store (its own
    process session, output in ``tmp_path/app.log``); return the process and its URL."""
    synthguard = shutil.which("synthguard", path=str(Path(sys.executable).parent)) or "synthguard"
    port = _free_port()
    env = dict(os.environ, SYNTHGUARD_STORE=str(tmp_path / "runs.sqlite"), **env_extra)
    with (tmp_path / "app.log").open("wb") as log:
        process = subprocess.Popen([synthguard, "app", "--port", str(port), "--headless"],
                                   env=env, stdin=subprocess.DEVNULL, stdout=log,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    return process, f"http://localhost:{port}"


def wait_healthy(url: str, process: subprocess.Popen[bytes], timeout: float = 180.0) -> None:
    """Wait until the app's health endpoint answers ``ok``; fail if the process exits first."""
    deadline = time.monotonic() + timeout
    while True:
        assert process.poll() is None, f"synthguard app exited with code {process.returncode}"
        with contextlib.suppress(OSError), \
                urllib.request.urlopen(url + "/_stcore/health", timeout=5) as response:
            if response.read().strip() == b"ok":
                return
        assert time.monotonic() < deadline, f"synthguard app did not answer on {url}"
        time.sleep(0.5)


def stop_app(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM (the launcher forwards it to the Streamlit server), then kill what is left."""
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
    with contextlib.suppress(ProcessLookupError):  # anything left in its session
        os.killpg(process.pid, signal.SIGKILL)


@pytest.fixture
def served_app(tmp_path: Path) -> Iterator[str]:
    """``synthguard app --headless`` on a free port with a temporary run store and a
    ``SYNTHGUARD_APP_ROWS=1000`` sample; yields its URL and stops it (and its server) after."""
    process, url = launch_app(tmp_path, SYNTHGUARD_APP_ROWS=str(E2E_ROWS), OMP_NUM_THREADS="1")
    try:
        wait_healthy(url, process)
        yield url
    finally:
        stop_app(process)


@pytest.fixture
def app_launcher(tmp_path: Path) -> Callable[[], tuple[subprocess.Popen[bytes], str]]:
    """Start ``synthguard app`` (default settings) and wait until it answers; the test stops it."""
    def launch() -> tuple[subprocess.Popen[bytes], str]:
        process, url = launch_app(tmp_path)
        wait_healthy(url, process)
        return process, url
    return launch


@pytest.fixture
def browser() -> Iterator[Any]:
    """Debian's headless Chromium driven by Playwright (no browser download); skipped where it
    is not installed (``make e2e`` installs it)."""
    if not Path(CHROMIUM).exists():
        pytest.skip("needs Debian's chromium (make e2e installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        launched = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()
