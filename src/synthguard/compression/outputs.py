"""Write a run's output folder atomically: everything goes to a temp folder, renamed at the end.

Files: ``student.safetensors``, ``student.json``, ``student.onnx``, ``report.json``,
``report.html`` and ``manifest.json`` (SHA-256 of every file, the transfer set's SHA-256,
the real training table's fingerprint, versions). A failure leaves nothing behind.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

from synthguard._io import to_jsonable
from synthguard._outputs import check_new_folder, make_temp_dir, publish_folder
from synthguard.compression.export import write_student_files
from synthguard.compression.pipeline import DistillResult
from synthguard.compression.report import build_report
from synthguard.ledger.manifest import Manifest, write_manifest
from synthguard.ledger.runstore import versions


def check_out_dir(out: str | Path, *, force: bool = False) -> Path:
    """Refuse an existing non-empty ``--out`` unless ``force`` replaces a folder synthguard
    wrote (checked before any work; see ``synthguard._outputs.check_new_folder``)."""
    return check_new_folder(Path(os.path.abspath(out)), flag="out=", force=force)


def write_distill_outputs(result: DistillResult, out: str | Path, *, force: bool = False,
                          run_id: str = "", train_sha256: str | None = None) -> str:
    """Write the folder; return the manifest's SHA-256."""
    out = check_out_dir(out, force=force)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = make_temp_dir(out)
    try:
        write_student_files(tmp, result.shipped, result.student_config())
        report = to_jsonable(result.report_dict())
        (tmp / "report.json").write_text(json.dumps(report, indent=2, sort_keys=True),
                                         encoding="utf-8")
        build_report(report).write(tmp / "report.html")
        manifest = Manifest(
            kind="student", name=result.shipped_spec.name, params=result.config.to_dict(),
            versions=versions(), data_sha256=result.transfer.sha256,
            extra=_provenance(result, run_id, train_sha256),
        )
        digest = write_manifest(tmp, manifest)
        publish_folder(tmp, out, flag="out=", force=force)  # modes from the umask
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return digest


def _provenance(result: DistillResult, run_id: str, train_sha256: str | None) -> dict[str, Any]:
    return {
        "run_id": run_id,
        "student_training_data": "transfer set only (synthetic rows labelled by the teacher)",
        "transfer_set_sha256": result.transfer.sha256,
        "transfer_set": result.transfer.summary(),
        "real_train_sha256": train_sha256,
        "teacher": result.teacher.name,
        "teacher_privacy": result.teacher_privacy.to_dict() if result.teacher_privacy else None,
        "generator_privacy": (result.generator_privacy.to_dict()
                              if result.generator_privacy else None),
        "size_bytes": result.shipped.size_bytes(),
    }
