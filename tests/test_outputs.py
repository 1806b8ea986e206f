"""Outputs never clobber (issue 15, invariant 4): model folders, outputs vs inputs, SIGTERM,
stale temp files of killed runs, permissions from the umask, all-or-nothing generate."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from synthguard._outputs import sweep_stale, temp_owner_pid
from synthguard.cli import main

SRC = str(Path(__file__).resolve().parents[1] / "src")


@pytest.fixture()
def table(tmp_path: Path, adult_small: pd.DataFrame) -> Path:
    path = tmp_path / "real.csv"
    adult_small[["age", "sex", "education", "hours_per_week", "class"]].iloc[:400].to_csv(
        path, index=False)
    return path


def _digest(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` and its SHA-256 (to prove nothing changed)."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _one_error_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("synthguard: error: "), err
    assert "Traceback" not in err
    return lines[0]


def _leftovers(folder: Path) -> list[str]:
    return [p.name for p in folder.rglob("*") if ".tmp" in p.name or "sgtmp" in p.name]


# ------------------------------------------------------------------ model folders


def test_save_model_dot_refused_and_cwd_untouched(
    table: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    """`--save-model .` used to empty the working directory."""
    work = tmp_path / "work"
    work.mkdir()
    (work / "notes.txt").write_text("mine", encoding="utf-8")
    (work / "sub").mkdir()
    (work / "sub" / "deep.txt").write_text("mine too", encoding="utf-8")
    before = _digest(work)
    monkeypatch.chdir(work)
    for extra in ([], ["--force"]):
        code = main(["generate", "--data", str(table), "--rows", "20", "--out", "../syn.csv",
                     "--save-model", ".", *extra])
        assert code == 2
        assert "--save-model" in _one_error_line(capsys.readouterr().err)
        assert _digest(work) == before
        assert not (tmp_path / "syn.csv").exists()


def test_force_replaces_only_a_folder_synthguard_saved(
    table: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    model, out = tmp_path / "model", tmp_path / "syn.csv"
    args = ["generate", "--data", str(table), "--rows", "20", "--out", str(out), "--save-model",
            str(model)]
    assert main(args) == 0
    capsys.readouterr()
    first = _digest(model)
    assert main([*args, "--seed", "1"]) == 2  # non-empty: refused without --force
    assert "--force" in _one_error_line(capsys.readouterr().err)
    assert main([*args, "--seed", "1", "--force"]) == 0  # our own folder: replaced
    capsys.readouterr()
    assert set(_digest(model)) == set(first) and _digest(model) != first
    (model / "mine.txt").write_text("not synthguard's", encoding="utf-8")
    kept = _digest(model)
    assert main([*args, "--seed", "2", "--force"]) == 2  # holds a file we did not write
    assert "did not write" in _one_error_line(capsys.readouterr().err)
    assert _digest(model) == kept


def test_save_into_existing_empty_folder_and_umask(table: Path, tmp_path: Path) -> None:
    from synthguard.generators import create_generator, load_generator, save_generator

    frame = pd.read_csv(table)
    gen = create_generator("gaussian_copula").fit(frame, seed=0)
    (tmp_path / "empty").mkdir()
    save_generator(gen, tmp_path / "empty")
    pd.testing.assert_frame_equal(load_generator(tmp_path / "empty").sample(5, seed=1),
                                  gen.sample(5, seed=1))


# ------------------------------------------------------------------ outputs vs inputs


def _evaluate_args(paths: dict[str, Path], out: str) -> list[str]:
    return ["evaluate", "--real", str(paths["real"]), "--synthetic", str(paths["syn"]),
            "--holdout", str(paths["hold"]), "--out", out]


OVERLAP_CASES = {
    "generate --out = --data": lambda p: ["generate", "--data", str(p["real"]), "--rows", "5",
                                          "--out", str(p["real"])],
    "generate --out = --data via ./": lambda p: ["generate", "--data", str(p["real"]), "--rows",
                                                 "5", "--out", str(p["dir"] / "." / "real.csv")],
    "generate --out symlink to --data": lambda p: ["generate", "--data", str(p["real"]), "--rows",
                                                   "5", "--out", str(p["link"])],
    "generate --save-model holds --data": lambda p: ["generate", "--data", str(p["real"]), "--rows",
                                                     "5", "--out", str(p["dir"] / "o" / "s.csv"),
                                                     "--save-model", str(p["dir"]), "--force"],
    "generate --split-dir holds --data": lambda p: ["generate", "--data", str(p["real"]), "--rows",
                                                    "5", "--out", str(p["dir"] / "o" / "s.csv"),
                                                    "--holdout-fraction", "0.3", "--split-dir",
                                                    str(p["dir"])],
    "generate --out inside --save-model": lambda p: ["generate", "--data", str(p["real"]), "--rows",
                                                     "5", "--out", str(p["dir"] / "m" / "s.csv"),
                                                     "--save-model", str(p["dir"] / "m")],
    "evaluate --out = --real": lambda p: _evaluate_args(p, str(p["real"])),
    "evaluate --out = --holdout": lambda p: _evaluate_args(p, str(p["hold"])),
    "redact --out = --in": lambda p: ["redact", "--in", str(p["real"]), "--out", str(p["real"])],
    "decrypt --out = --in": lambda p: ["decrypt", "--in", str(p["docs"]), "--out", str(p["docs"])],
    "evaluate-text --out = --synthetic": lambda p: ["evaluate-text", "--real", str(p["docs"]),
                                                    "--synthetic", str(p["docs2"]),
                                                    "--out", str(p["docs2"])],
    "distill --out holds --real": lambda p: ["distill", "--real", str(p["real"]), "--holdout",
                                             str(p["hold"]), "--target", "class", "--out",
                                             str(p["dir"]), "--force"],
}


@pytest.mark.parametrize("case", sorted(OVERLAP_CASES))
def test_output_overlapping_an_input_is_refused(
    case: str, table: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    paths = {"dir": tmp_path, "real": table, "syn": tmp_path / "syn.csv",
             "hold": tmp_path / "hold.csv", "link": tmp_path / "link.csv",
             "docs": tmp_path / "docs.jsonl", "docs2": tmp_path / "docs2.jsonl"}
    frame = pd.read_csv(table)
    frame.iloc[:100].to_csv(paths["syn"], index=False)
    frame.iloc[100:200].to_csv(paths["hold"], index=False)
    paths["link"].symlink_to(table)
    for name in ("docs", "docs2"):
        paths[name].write_text('{"text": "Call Ann Lee"}\n', encoding="utf-8")
    before = _digest(tmp_path)
    assert main(OVERLAP_CASES[case](paths)) == 2
    line = _one_error_line(capsys.readouterr().err)
    assert "overlap" in line
    assert _digest(tmp_path) == before  # nothing written, nothing replaced


# ------------------------------------------------------------------ all or nothing


def test_generate_writes_nothing_when_saving_the_model_fails(
    table: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    """A failure after sampling (here the model's files cannot be written: disk full) leaves
    neither the synthetic table nor the split files behind (used to leave the table)."""
    import errno

    from synthguard.generators.copula import GaussianCopula

    def full(self: object, folder: Path) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", str(folder))

    monkeypatch.setattr(GaussianCopula, "save_files", full)
    out = tmp_path / "out"
    code = main(["generate", "--data", str(table), "--generator", "gaussian_copula", "--rows", "50",
                 "--out", str(out / "syn.parquet"),
                 "--holdout-fraction", "0.3", "--split-dir", str(out / "split"),
                 "--save-model", str(out / "model")])
    assert code == 2
    assert "No space left" in _one_error_line(capsys.readouterr().err)
    assert [p.name for p in out.rglob("*") if p.is_file()] == []
    assert _leftovers(tmp_path) == []


def test_read_only_out_is_one_line(table: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """/sys refuses writes even to root (a read-only mount; chmod does not stop root)."""
    if os.access("/sys", os.W_OK) and Path("/sys").is_dir():
        for args in (["--out", "/sys/syn.csv"], ["--out", "/tmp/never.csv", "--save-model", "/sys/m"]):
            assert main(["generate", "--data", str(table), "--rows", "5", *args]) == 2
            assert "--" in _one_error_line(capsys.readouterr().err)
        assert not Path("/tmp/never.csv").exists()
    else:  # pragma: no cover - exotic platform
        pytest.skip("no read-only folder to write to")


# ------------------------------------------------------------------ SIGTERM and stale temps


def _cli(*args: str, cwd: Path, umask: int | None = None) -> subprocess.Popen[str]:
    env = dict(os.environ, PYTHONPATH=SRC, OMP_NUM_THREADS="1")
    return subprocess.Popen(
        [sys.executable, "-m", "synthguard.cli", *args], cwd=cwd, env=env, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        preexec_fn=(lambda: os.umask(umask)) if umask is not None else None,
    )


def _wait_for_temp(folder: Path, proc: subprocess.Popen[str], timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(temp_owner_pid(p.name) == proc.pid for p in folder.iterdir()):
            time.sleep(1.0)  # well inside the write
            return
        if proc.poll() is not None:
            pytest.fail(f"finished before it could be interrupted: {proc.communicate()}")
        time.sleep(0.1)
    proc.kill()
    pytest.fail("no temp file appeared")


def test_sigterm_mid_generate_leaves_no_temp_and_no_output(table: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    proc = _cli("generate", "--data", str(table), "--rows", "50000000", "--out",
                str(out / "syn.parquet"), "--save-model", str(out / "model"), cwd=tmp_path)
    _wait_for_temp(out, proc)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 143, err
    assert "terminated" in err and "Traceback" not in err
    assert list(out.iterdir()) == []  # no .tmp, no partial table, no model


def test_sigterm_mid_redact_leaves_no_temp_and_no_output(tmp_path: Path) -> None:
    src = tmp_path / "notes.jsonl"
    with open(src, "w", encoding="utf-8") as handle:
        for i in range(200_000):
            handle.write(json.dumps({"text": f"Call Ann Lee on 020 7946 {i:04d} about case {i}."}) + "\n")
    out = tmp_path / "out"
    out.mkdir()
    proc = _cli("redact", "--in", str(src), "--out", str(out / "red.jsonl"), "--workers", "2",
                cwd=tmp_path)
    _wait_for_temp(out, proc, timeout=120)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 143, err
    assert "Traceback" not in err
    assert list(out.iterdir()) == []


FORK_CHECK = """
import os, signal
from synthguard._outputs import install_sigterm, _on_sigterm
install_sigterm()
assert signal.getsignal(signal.SIGTERM) is _on_sigterm
pid = os.fork()
if pid == 0:
    os._exit(0 if signal.getsignal(signal.SIGTERM) == signal.SIG_DFL else 3)
_, status = os.waitpid(pid, 0)
print("child", os.waitstatus_to_exitcode(status))
"""


def test_forked_workers_keep_the_default_sigterm() -> None:
    """A pool worker forked by the CLI must die on SIGTERM whatever it is doing (a Python
    handler can miss a signal that lands just before a semaphore wait: Pool.terminate() then
    waited forever on that worker)."""
    out = subprocess.run([sys.executable, "-c", FORK_CHECK], capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr[-1500:]
    assert out.stdout.strip() == "child 0"


def test_stale_temps_of_dead_runs_are_swept_and_nothing_else(table: Path, tmp_path: Path) -> None:
    dead = subprocess.Popen(["true"])
    dead.wait()
    stale_file = tmp_path / f".syn.csv.sgtmp-{dead.pid}-0a1b2c3d.tmp"
    stale_dir = tmp_path / f".model.sgtmp-{dead.pid}-0a1b2c3e.tmp"
    old_live = tmp_path / f".syn.csv.sgtmp-{os.getpid()}-0a1b2c3f.tmp"  # pid reused, 7 h old
    young_live = tmp_path / f".syn.csv.sgtmp-{os.getpid()}-0a1b2c40.tmp"  # a running write
    foreign = [tmp_path / ".syn.csv.abcd1234.tmp", tmp_path / "notes.sgtmp-1-aa.tmp",
               tmp_path / f".x.sgtmp-{dead.pid}-zz.tmp"]
    stale_file.write_text("raw PII", encoding="utf-8")
    stale_dir.mkdir()
    (stale_dir / "model.json").write_text("{}", encoding="utf-8")
    for path in (old_live, young_live, *foreign):
        path.write_text("x", encoding="utf-8")
    week = time.time() - 7 * 3600
    os.utime(old_live, (week, week))
    assert main(["generate", "--data", str(table), "--rows", "5",
                 "--out", str(tmp_path / "syn.csv")]) == 0
    for path in (stale_file, stale_dir, old_live):
        assert not path.exists(), path
    for path in (young_live, *foreign):
        assert path.exists(), path
    assert sweep_stale(tmp_path) == []


# ------------------------------------------------------------------ permissions


def _modes(root: Path) -> set[tuple[str, int]]:
    return {("d" if p.is_dir() else "f", stat.S_IMODE(p.stat().st_mode))
            for p in [root, *root.rglob("*")]}


@pytest.mark.parametrize("umask", [0o022, 0o077])
def test_outputs_follow_the_umask(table: Path, tmp_path: Path, umask: int) -> None:
    out = tmp_path / "out"
    proc = _cli("generate", "--data", str(table), "--rows", "20", "--out", str(out / "syn.csv"),
                "--holdout-fraction", "0.3", "--split-dir", str(out / "split"),
                "--save-model", str(out / "model"), cwd=tmp_path, umask=umask)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert _modes(out) == {("d", 0o777 & ~umask), ("f", 0o666 & ~umask)}
