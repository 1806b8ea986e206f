"""Contract over every registered teacher: fit -> logits shape, signal, size, DP honesty."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from sklearn.metrics import roc_auc_score

from synthguard.compression.teachers import TEACHERS, TeacherConfig, create_teacher
from synthguard.errors import UnknownPluginError


@pytest.mark.parametrize("name", TEACHERS.names())
def test_teacher_contract(name: str) -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(1200, 12)).astype(np.float32)
    y = (x[:, 0] + 0.5 * x[:, 1] + rng.normal(scale=0.5, size=1200) > 0).astype(np.int64)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        epochs = 5 if TEACHERS.get(name).caps.dp else 30  # DP-SGD steps are costly
        teacher = create_teacher(name, TeacherConfig(hidden=(16,), epochs=epochs,
                                                     n_estimators=30, epsilon=5.0))
        assert teacher.fit(x[:800], y[:800], seed=0) is teacher
    finally:
        torch.set_num_threads(threads)
    logits = teacher.logits(x[800:])
    assert logits.shape == (400, 2) and logits.dtype == np.float32
    assert roc_auc_score(y[800:], logits[:, 1] - logits[:, 0]) > 0.8
    assert teacher.params() > 0 and teacher.size_bytes() > 0
    spent = teacher.privacy_spent()
    assert (spent is not None) == teacher.caps.dp
    if spent is not None:
        assert 0 < spent.epsilon <= 5.0 * 1.01 and spent.accountant == teacher.caps.accountant
    assert (teacher.torch_module() is not None) == (teacher.caps.kind == "mlp")


def test_unknown_teacher_lists_the_known_ones() -> None:
    with pytest.raises(UnknownPluginError, match="dp-mlp, gbm, mlp"):
        create_teacher("svm")
