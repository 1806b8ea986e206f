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
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from synthguard._commands.app import entry_script

ROWS = 2000


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    path = tmp_path / "runs.sqlite"
    monkeypatch.setenv("SYNTHGUARD_STORE", str(path))
    yield path


@pytest.fixture
def app(store: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    """The workbench on a 2,000-row sample of Adult, after its first run (the Data page)."""
    monkeypatch.setenv("SYNTHGUARD_APP_ROWS", str(ROWS))  # the default after a dataset switch
    at = AppTest.from_file(str(entry_script()), default_timeout=180)
    at.session_state["w.data.rows"] = ROWS
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


E2E_ROWS = 1000  # browser tests: a 1,000-row sample (700 train rows) keeps each step short


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def served_app(tmp_path: Path) -> Iterator[str]:
    """``synthguard app --headless`` on a free port with a temporary run store and a
    ``SYNTHGUARD_APP_ROWS=1000`` sample; yields its URL and stops it (and its server) after."""
    synthguard = shutil.which("synthguard", path=str(Path(sys.executable).parent)) or "synthguard"
    port = _free_port()
    env = dict(os.environ, SYNTHGUARD_STORE=str(tmp_path / "runs.sqlite"),
               SYNTHGUARD_APP_ROWS=str(E2E_ROWS), OMP_NUM_THREADS="1")
    log = (tmp_path / "app.log").open("wb")
    process = subprocess.Popen([synthguard, "app", "--port", str(port), "--headless"], env=env,
                               stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                               start_new_session=True)
    url = f"http://localhost:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            assert process.poll() is None, f"synthguard app exited with code {process.returncode}"
            with contextlib.suppress(OSError), \
                    urllib.request.urlopen(url + "/_stcore/health", timeout=5) as response:
                if response.read().strip() == b"ok":
                    break
            assert time.monotonic() < deadline, f"synthguard app did not answer on {url}"
            time.sleep(0.5)
        yield url
    finally:
        process.terminate()  # the launcher forwards SIGTERM to the Streamlit server
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        with contextlib.suppress(ProcessLookupError):  # anything left in its session
            os.killpg(process.pid, signal.SIGKILL)
        log.close()
