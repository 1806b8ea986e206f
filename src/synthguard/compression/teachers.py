"""Teachers: models trained on the real training table, inside the trust boundary.

Each teacher maps an encoded real-feature matrix to class logits; the logits (softened by a
temperature) label the synthetic transfer set. Three are built in: a torch MLP, a LightGBM
gradient-boosted model and a DP-SGD MLP (opacus) whose privacy spend goes to the ledger.
"""

from __future__ import annotations

import logging
import math
import warnings
from abc import ABC, abstractmethod
from dataclasses import asdict, dataclass
from typing import Any, ClassVar

import numpy as np
import torch
from torch import nn

from synthguard.compression._mlp import build_mlp, count_params, predict_logits, strip_dropout
from synthguard.errors import MissingDependencyError, ParameterError
from synthguard.generators.base import PrivacySpend
from synthguard.progress import ProgressCallback, report
from synthguard.registry import Registry

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TeacherCapabilities:
    """What a teacher is: differentiable torch MLP or not, DP or not."""

    kind: str  # "mlp" | "gbm"
    dp: bool = False
    mechanism: str | None = None
    accountant: str | None = None


@dataclass(frozen=True)
class TeacherConfig:
    """Hyper-parameters of every built-in teacher (each reads the fields it needs)."""

    hidden: tuple[int, ...] = (256, 128)
    epochs: int = 40
    batch_size: int = 256
    lr: float = 1e-3
    weight_decay: float = 1e-5
    dropout: float = 0.1
    patience: int = 5
    n_estimators: int = 400
    learning_rate: float = 0.05
    num_leaves: int = 31
    epsilon: float = 3.0
    delta: float | None = None  # default 1 / (10 n)
    max_grad_norm: float = 1.0

    def __post_init__(self) -> None:
        if not self.hidden or any(h <= 0 for h in self.hidden):
            raise ParameterError(f"teacher hidden widths must be positive, got {self.hidden}")
        if self.epochs <= 0 or self.batch_size <= 0 or self.lr <= 0:
            raise ParameterError("teacher epochs, batch size and learning rate must be positive")
        if self.epsilon <= 0:
            raise ParameterError(f"the DP teacher's ε (dp_epsilon={self.epsilon}) must be positive")
        if self.delta is not None and not 0 < self.delta < 1:
            raise ParameterError(f"teacher delta must be in (0, 1), got {self.delta}")

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["hidden"] = list(self.hidden)
        return out


class Teacher(ABC):
    """A fitted model of the real data that produces class logits."""

    name: ClassVar[str]
    caps: ClassVar[TeacherCapabilities]

    def __init__(self, config: TeacherConfig | None = None) -> None:
        self.config = config or TeacherConfig()
        self.n_classes = 0

    @abstractmethod
    def fit(self, x: np.ndarray, y: np.ndarray, *, seed: int = 0,
            progress: ProgressCallback | None = None) -> Teacher:
        """Fit on encoded real features ``x`` and integer labels ``y``; return self."""

    @abstractmethod
    def logits(self, x: np.ndarray) -> np.ndarray:
        """Class logits, shape (n, n_classes)."""

    @abstractmethod
    def params(self) -> int:
        """Number of learned parameters (tree nodes for a GBM)."""

    @abstractmethod
    def size_bytes(self) -> int:
        """Bytes of the stored model (weight tensors, or the GBM's text model)."""

    def privacy_spent(self) -> PrivacySpend | None:
        return None

    def torch_module(self) -> nn.Module | None:
        """The torch network, for teachers that have one."""
        return None


TEACHERS: Registry[type[Teacher]] = Registry("teacher")


def register_teacher(cls: type[Teacher]) -> type[Teacher]:
    TEACHERS.add(cls.name, cls)
    return cls


def create_teacher(name: str, config: TeacherConfig | None = None) -> Teacher:
    return TEACHERS.get(name)(config)


def _split_val(
    n: int, rng: np.random.Generator, frac: float = 0.1
) -> tuple[np.ndarray, np.ndarray]:
    order = rng.permutation(n)
    n_val = max(1, round(n * frac)) if n >= 20 else 0
    return order[n_val:], order[:n_val]


@register_teacher
class MLPTeacher(Teacher):
    """A torch MLP with dropout, Adam and early stopping on a 10% split of the real train."""

    name = "mlp"
    caps = TeacherCapabilities(kind="mlp")

    def __init__(self, config: TeacherConfig | None = None) -> None:
        super().__init__(config)
        self.model: nn.Sequential | None = None

    def fit(self, x: np.ndarray, y: np.ndarray, *, seed: int = 0,
            progress: ProgressCallback | None = None) -> MLPTeacher:
        cfg = self.config
        torch.manual_seed(seed)
        rng = np.random.default_rng(seed)
        self.n_classes = int(y.max()) + 1
        model = build_mlp(x.shape[1], cfg.hidden, self.n_classes, dropout=cfg.dropout)
        train_idx, val_idx = _split_val(len(x), rng)
        xt = torch.from_numpy(x.astype(np.float32))
        yt = torch.from_numpy(y.astype(np.int64))
        opt = torch.optim.Adam(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
        loss_fn = nn.CrossEntropyLoss()
        best, best_state, bad = math.inf, None, 0
        for epoch in range(cfg.epochs):
            model.train()
            perm = train_idx[rng.permutation(len(train_idx))]
            for start in range(0, len(perm), cfg.batch_size):
                idx = torch.from_numpy(perm[start:start + cfg.batch_size])
                opt.zero_grad()
                loss_fn(model(xt[idx]), yt[idx]).backward()
                opt.step()
            report(progress, "teacher", epoch + 1, cfg.epochs)
            if len(val_idx) == 0:
                continue
            model.eval()
            with torch.no_grad():
                val = float(loss_fn(model(xt[val_idx]), yt[val_idx]))
            if val < best - 1e-4:
                best, bad = val, 0
                best_state = {k: v.clone() for k, v in model.state_dict().items()}
            else:
                bad += 1
                if bad >= cfg.patience:
                    report(progress, "teacher", cfg.epochs, cfg.epochs)
                    break
        if best_state is not None:
            model.load_state_dict(best_state)
        self.model = strip_dropout(model).eval()
        return self

    def logits(self, x: np.ndarray) -> np.ndarray:
        assert self.model is not None, "fit the teacher first"
        return predict_logits(self.model, x)

    def params(self) -> int:
        return count_params(self.model) if self.model is not None else 0

    def size_bytes(self) -> int:
        if self.model is None:
            return 0
        return int(sum(p.numel() * p.element_size() for p in self.model.parameters()))

    def torch_module(self) -> nn.Module | None:
        return self.model


@register_teacher
class DPMLPTeacher(MLPTeacher):
    """The MLP teacher trained with DP-SGD (opacus, RDP accountant) to a target ε.

    No early stopping: choosing an epoch on real validation rows would spend privacy the
    accountant does not see, so it trains for the configured epochs.
    """

    name = "dp-mlp"
    caps = TeacherCapabilities(kind="mlp", dp=True, mechanism="DP-SGD", accountant="RDP")

    def __init__(self, config: TeacherConfig | None = None) -> None:
        super().__init__(config)
        self._spend: PrivacySpend | None = None

    def fit(self, x: np.ndarray, y: np.ndarray, *, seed: int = 0,
            progress: ProgressCallback | None = None) -> DPMLPTeacher:
        try:
            from opacus import PrivacyEngine
        except ImportError as exc:  # pragma: no cover - opacus is a dependency
            raise MissingDependencyError(
                "the dp-mlp teacher needs opacus: pip install opacus"
            ) from exc
        cfg = self.config
        torch.manual_seed(seed)
        self.n_classes = int(y.max()) + 1
        delta = cfg.delta if cfg.delta is not None else 1.0 / (10 * len(x))
        model = build_mlp(x.shape[1], cfg.hidden, self.n_classes, dropout=0.0)
        dataset = torch.utils.data.TensorDataset(
            torch.from_numpy(x.astype(np.float32)), torch.from_numpy(y.astype(np.int64))
        )
        loader = torch.utils.data.DataLoader(
            dataset, batch_size=cfg.batch_size, shuffle=True,
            generator=torch.Generator().manual_seed(seed),
        )
        opt = torch.optim.SGD(model.parameters(), lr=max(cfg.lr, 0.05), momentum=0.9)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # opacus warns about secure_mode=False (documented)
            engine = PrivacyEngine(accountant="rdp", secure_mode=False)
            private_model, private_opt, private_loader = engine.make_private_with_epsilon(
                module=model, optimizer=opt, data_loader=loader, epochs=cfg.epochs,
                target_epsilon=cfg.epsilon, target_delta=delta, max_grad_norm=cfg.max_grad_norm,
            )
            loss_fn = nn.CrossEntropyLoss()
            for epoch in range(cfg.epochs):
                private_model.train()
                for xb, yb in private_loader:
                    if len(xb) == 0:
                        continue
                    private_opt.zero_grad()
                    loss_fn(private_model(xb), yb).backward()
                    private_opt.step()
                report(progress, "teacher", epoch + 1, cfg.epochs)
            spent = float(engine.get_epsilon(delta))
        log.warning("dp-mlp teacher: only the teacher is DP (eps=%.3f); the generator of the "
                    "transfer set must be DP too for the student to inherit a guarantee", spent)
        self._spend = PrivacySpend(
            epsilon=spent, delta=delta, mechanism="DP-SGD (opacus)", accountant="RDP",
            notes=f"target epsilon {cfg.epsilon}; {cfg.epochs} epochs; clip {cfg.max_grad_norm}",
        )
        self.model = nn.Sequential(*list(model.children())).eval()
        return self

    def privacy_spent(self) -> PrivacySpend | None:
        return self._spend


@register_teacher
class GBMTeacher(Teacher):
    """LightGBM gradient-boosted trees; logits are its raw scores."""

    name = "gbm"
    caps = TeacherCapabilities(kind="gbm")

    def __init__(self, config: TeacherConfig | None = None) -> None:
        super().__init__(config)
        self.model: Any = None

    def fit(self, x: np.ndarray, y: np.ndarray, *, seed: int = 0,
            progress: ProgressCallback | None = None) -> GBMTeacher:
        try:
            import lightgbm
        except ImportError as exc:  # pragma: no cover - lightgbm is a dependency
            raise MissingDependencyError(
                "the gbm teacher needs lightgbm: pip install lightgbm") from exc
        cfg = self.config
        self.n_classes = int(y.max()) + 1
        report(progress, "teacher", 0, 1)
        self.model = lightgbm.LGBMClassifier(
            n_estimators=cfg.n_estimators, learning_rate=cfg.learning_rate,
            num_leaves=cfg.num_leaves, random_state=seed, n_jobs=1, verbose=-1,
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self.model.fit(x, y)
        report(progress, "teacher", 1, 1)
        return self

    def logits(self, x: np.ndarray) -> np.ndarray:
        assert self.model is not None, "fit the teacher first"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            raw = np.asarray(self.model.predict(x, raw_score=True), dtype=np.float32)
        if raw.ndim == 1:
            return np.stack([np.zeros_like(raw), raw], axis=1)
        return raw

    def params(self) -> int:
        if self.model is None:
            return 0
        trees = self.model.booster_.dump_model()["tree_info"]
        return int(sum(2 * t["num_leaves"] - 1 for t in trees))

    def size_bytes(self) -> int:
        if self.model is None:
            return 0
        return len(self.model.booster_.model_to_string().encode("utf-8"))
