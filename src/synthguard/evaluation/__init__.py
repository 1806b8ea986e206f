"""Evaluation: fidelity, utility, privacy (DCR), fairness and leakage of synthetic artifacts."""

from __future__ import annotations

from synthguard.evaluation.fairness import group_fairness
from synthguard.evaluation.fidelity import QualityResult, detection_score, quality_score
from synthguard.evaluation.report import evaluate, render_html, write_report

__all__ = [
    "QualityResult",
    "detection_score",
    "evaluate",
    "group_fairness",
    "quality_score",
    "render_html",
    "write_report",
]
