"""Compression by distillation: small students trained only on synthetic, teacher-labelled rows.

``distill(train, holdout, config)`` trains a teacher on real rows, labels synthetic rows from
a registered generator, distils a small MLP on them, compresses it (pruning, fp16, int8) and
evaluates every model on the real holdout. ``write_distill_outputs`` saves the shipped student
(safetensors + JSON + ONNX + manifest) and the reports; ``load_student`` loads it back after
checking SHA-256.
"""

from __future__ import annotations

from synthguard.compression.compress import CompressionSpec
from synthguard.compression.export import LoadedStudent, load_student
from synthguard.compression.outputs import write_distill_outputs
from synthguard.compression.pipeline import DistillConfig, DistillResult, distill
from synthguard.compression.student import StudentConfig
from synthguard.compression.teachers import TEACHERS, TeacherConfig

__all__ = [
    "TEACHERS",
    "CompressionSpec",
    "DistillConfig",
    "DistillResult",
    "LoadedStudent",
    "StudentConfig",
    "TeacherConfig",
    "distill",
    "load_student",
    "write_distill_outputs",
]
