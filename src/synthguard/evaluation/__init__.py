"""Evaluation: fidelity, utility, privacy (DCR), fairness and leakage of synthetic artifacts."""

from __future__ import annotations

from synthguard.evaluation.fairness import group_fairness
from synthguard.evaluation.fidelity import QualityResult, detection_score, quality_score
from synthguard.evaluation.leaderboard import column_help, leaderboard
from synthguard.evaluation.provenance import Provenance, provenance_for_file
from synthguard.evaluation.report import evaluate, render_html, write_report

__all__ = [
    "Provenance",
    "QualityResult",
    "column_help",
    "detection_score",
    "evaluate",
    "group_fairness",
    "leaderboard",
    "provenance_for_file",
    "quality_score",
    "render_html",
    "write_report",
]
