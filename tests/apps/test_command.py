"""``synthguard app``: the launcher's command line and its errors; the job runner's contract."""

from __future__ import annotations

import threading

import pytest

from synthguard._commands.app import entry_script, streamlit_command
from synthguard.apps._jobs import DONE, FAILED, JobRunner, input_key
from synthguard.cli import main
from synthguard.errors import ParameterError


def test_streamlit_command_is_headless_private_and_local() -> None:
    cmd = streamlit_command(8600, headless=True)
    assert cmd[1:4] == ["-m", "streamlit", "run"] and cmd[4] == str(entry_script())
    assert entry_script().is_file()
    flags = dict(zip(cmd[5::2], cmd[6::2], strict=True))
    assert flags["--server.port"] == "8600" and flags["--server.headless"] == "true"
    assert flags["--browser.gatherUsageStats"] == "false"
    assert flags["--server.address"] == "localhost"
    # Always headless for Streamlit: its first-run e-mail prompt blocks without a terminal.
    assert streamlit_command(8600, headless=False)[cmd.index("--server.headless") + 1] == "true"


def test_bad_port_is_a_parameter_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(ParameterError, match="--port"):
        streamlit_command(70000, headless=True)
    assert main(["app", "--port", "0", "--headless"]) == 2
    assert "--port must be in 1..65535" in capsys.readouterr().err


def test_job_runner_reuses_by_key_and_retries_failures() -> None:
    runner = JobRunner()
    calls: list[int] = []
    gate = threading.Event()

    def work(*, progress, value: int) -> int:  # type: ignore[no-untyped-def]
        progress("work", 1, 2)
        gate.wait(5)
        calls.append(value)
        if value < 0:
            raise ValueError("negative")
        return value * 2

    key = input_key("double", 21)
    assert key == input_key("double", 21) != input_key("double", 22)
    job = runner.submit(key, "double", work, value=21)
    assert runner.submit(key, "double", work, value=21) is job  # running: reused
    gate.set()
    job.wait(10)
    assert job.status == DONE and job.result == 42 and (job.stage, job.done, job.total) == ("work", 1, 2)
    assert runner.submit(key, "double", work, value=21) is job and calls == [21]  # done: no recompute

    bad = runner.submit("bad", "bad", work, value=-1)
    bad.wait(10)
    assert bad.status == FAILED and isinstance(bad.error, ValueError)
    retry = runner.submit("bad", "bad", work, value=-1)
    assert retry is not bad  # a failed job is replaced so the user can retry
    retry.wait(10)


def test_job_runner_forgets_oldest_finished_jobs() -> None:
    runner = JobRunner(max_jobs=2)
    jobs = [runner.submit(f"k{i}", "n", lambda *, progress, i=i: i) for i in range(3)]
    for job in jobs:
        job.wait(10)
    runner.submit("k3", "n", lambda *, progress: 3).wait(10)
    assert runner.get("k0") is None and runner.get("k3") is not None
