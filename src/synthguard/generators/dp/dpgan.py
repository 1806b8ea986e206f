"""DP-GAN: a GAN over the discretised table whose discriminator is trained with DP-SGD.

Only the discriminator reads real rows, so only it needs DP-SGD (opacus: per-sample clipping,
Gaussian noise, Poisson sampling); the generator learns from the noisy discriminator, which
is post-processing. Rows are one-hot codes of the same DP discretisation as AIM/MST (a share
of the budget, ρ-zCDP); that ρ is composed with the DP-SGD steps in RDP (ρ-zCDP is
(α, ρα)-RDP), and the noise multiplier is the smallest that reaches the user's target ε over
the planned epochs, so training stops at the target. The reported ε is recomputed from the
steps actually taken (opacus RDP analysis), never above the target.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from synthguard.data.loading import table_fingerprint
from synthguard.errors import InputError, ParameterError
from synthguard.generators.base import (
    Capabilities,
    GeneratorParams,
    PrivacySpend,
    check_rows,
)
from synthguard.generators.dp._base import DEFAULT_DELTA_RULE, DPGeneratorBase, DPParams
from synthguard.generators.dp._discretise import fit_codec
from synthguard.generators.registry import register_generator
from synthguard.ledger.accounting import cdp_rho, dpsgd_epsilon, dpsgd_noise_for_epsilon
from synthguard.progress import ProgressCallback, report

ACCOUNTANT = "RDP (opacus analysis; zCDP discretisation composed in RDP)"


@dataclass(frozen=True)
class DPGANParams(DPParams):
    """DP-GAN parameters: training length, sizes, clipping."""

    epochs: int = 10
    batch_size: int = 256  # expected (Poisson) batch size
    max_grad_norm: float = 1.0
    latent_dim: int = 64
    hidden: int = 128
    lr: float = 2e-4

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.epochs < 1 or self.batch_size < 2:
            raise ParameterError("epochs must be >= 1 and batch_size >= 2")
        if not self.max_grad_norm > 0:
            raise ParameterError("max_grad_norm must be > 0")


def _mlp(inputs: int, hidden: int, outputs: int) -> Any:
    from torch import nn

    return nn.Sequential(nn.Linear(inputs, hidden), nn.LeakyReLU(0.2),
                         nn.Linear(hidden, hidden), nn.LeakyReLU(0.2),
                         nn.Linear(hidden, outputs))


@register_generator
class DPGANGenerator(DPGeneratorBase):
    """GAN with a DP-SGD discriminator (opacus) over DP-discretised one-hot rows."""

    name = "dpgan"
    summary = "DP-GAN: discriminator trained with DP-SGD (opacus, RDP accountant)"
    caps = Capabilities(dp=True, mechanism="DP-SGD (opacus) on the discriminator",
                        accountant="RDP", seeded=True, pickled=False)
    Params = DPGANParams

    def __init__(self, params: GeneratorParams | None = None, **kwargs: Any) -> None:
        super().__init__(params, **kwargs)
        self._gen: Any = None

    @property
    def gp(self) -> DPGANParams:
        assert isinstance(self.params, DPGANParams)
        return self.params

    def _spend_for(self, epsilon: float, delta: float, *, planned: bool) -> PrivacySpend:
        default = self.p.delta is None
        return PrivacySpend(
            epsilon=float(epsilon), delta=float(delta), mechanism=self.caps.mechanism or "",
            accountant=ACCOUNTANT, rho=None,
            notes=f"target ε; δ {'default ' + DEFAULT_DELTA_RULE if default else 'given'}")

    def _fit_private(self, data: Any, *, schema: Any = None, seed: int = 0,
                     progress: ProgressCallback | None = None) -> None:
        import torch
        from opacus import PrivacyEngine
        from torch.utils.data import DataLoader, TensorDataset

        if not isinstance(data, pd.DataFrame):
            raise InputError("dpgan fits a pandas DataFrame")
        frame = data
        p = self.gp
        n = len(frame)
        delta = self.resolve_delta(n)
        plans = self.plan(frame, schema)
        rho_disc = self.discretisation_rho(plans, cdp_rho(p.epsilon, delta))
        rng = np.random.default_rng(seed)
        torch.manual_seed(seed)
        codec = fit_codec(frame, plans, rho=rho_disc or 1.0, max_bins=p.max_bins, rng=rng,
                          smoothing=p.smoothing)
        sizes = codec.domain_sizes()
        if not sizes:
            raise InputError("dpgan: the table has no column to model")
        codes = codec.encode(frame)
        cols = list(sizes)
        offsets = np.cumsum([0] + [sizes[c] for c in cols])
        width = int(offsets[-1])
        onehot = np.zeros((n, width), dtype=np.float32)
        for i, c in enumerate(cols):
            onehot[np.arange(n), offsets[i] + codes[c]] = 1.0

        sample_rate = min(1.0, p.batch_size / n)
        steps_per_epoch = max(1, round(1 / sample_rate))
        steps = p.epochs * steps_per_epoch
        sigma = dpsgd_noise_for_epsilon(target_epsilon=p.epsilon, sample_rate=sample_rate,
                                        steps=steps, delta=delta, extra_rho=rho_disc)
        gen = _mlp(p.latent_dim, p.hidden, width)
        disc = _mlp(width, p.hidden, 1)
        opt_g = torch.optim.Adam(gen.parameters(), lr=p.lr, betas=(0.5, 0.9))
        opt_d = torch.optim.Adam(disc.parameters(), lr=p.lr, betas=(0.5, 0.9))
        loader = DataLoader(TensorDataset(torch.from_numpy(onehot)), batch_size=p.batch_size)
        engine = PrivacyEngine(accountant="rdp")
        noise_gen = torch.Generator().manual_seed(seed + 1)
        disc, opt_d, loader = engine.make_private(
            module=disc, optimizer=opt_d, data_loader=loader, noise_multiplier=sigma,
            max_grad_norm=p.max_grad_norm, poisson_sampling=True, noise_generator=noise_gen)
        bce = torch.nn.BCEWithLogitsLoss()
        fake_n = max(1, round(sample_rate * n))
        taken = 0
        for epoch in range(p.epochs):
            for (real,) in loader:
                if taken >= steps:
                    break
                fake = self._generate(gen, fake_n, cols, offsets, hard=False)
                batch = torch.cat([real, fake.detach()])
                labels = torch.cat([torch.ones(len(real), 1), torch.zeros(fake_n, 1)])
                opt_d.zero_grad(set_to_none=True)
                bce(disc(batch), labels).backward()
                opt_d.step()
                taken += 1
                disc.disable_hooks()
                opt_g.zero_grad(set_to_none=True)
                fake = self._generate(gen, fake_n, cols, offsets, hard=False)
                bce(disc(fake), torch.ones(fake_n, 1)).backward()
                opt_g.step()
                disc.enable_hooks()
                opt_d.zero_grad(set_to_none=True)
            report(progress, "dpgan: epochs", epoch + 1, p.epochs)
        eps = dpsgd_epsilon(noise_multiplier=sigma, sample_rate=sample_rate, steps=taken,
                            delta=delta, extra_rho=rho_disc)
        self._gen = gen.eval()
        self._codec = codec
        self._info = {"columns": cols, "sizes": [sizes[c] for c in cols],
                      "noise_multiplier": sigma, "sample_rate": sample_rate, "steps": taken,
                      "rho_discretisation": rho_disc, "codec_notes": codec.notes}
        self._spend = PrivacySpend(
            epsilon=float(min(eps, p.epsilon)), delta=delta, mechanism=self.caps.mechanism or "",
            accountant=ACCOUNTANT, rho=None,
            public=self.public_items(plans, p.delta is None),
            notes=(f"DP-SGD: σ={sigma:.4g}, q={sample_rate:.4g}, {taken} steps, clip "
                   f"{p.max_grad_norm:g}; discretisation ρ={rho_disc:.4g} composed in RDP; "
                   f"accountant ε={eps:.4g} ≤ target {p.epsilon:g}"))
        self.fit_info.data_sha256 = table_fingerprint(frame)
        self.fit_info.n_rows = n
        self.fit_info.columns = [str(c) for c in frame.columns]

    @staticmethod
    def _generate(gen: Any, n: int, cols: list[str], offsets: np.ndarray, *, hard: bool,
                  generator: Any = None) -> Any:
        import torch

        z = torch.randn(n, gen[0].in_features, generator=generator)
        logits = gen(z)
        parts = []
        for i in range(len(cols)):
            block = logits[:, int(offsets[i]):int(offsets[i + 1])]
            parts.append(torch.softmax(block, dim=1) if not hard else block)
        return torch.cat(parts, dim=1)

    def sample(self, n: int, *, seed: int = 0,
               progress: ProgressCallback | None = None) -> pd.DataFrame:
        import torch

        check_rows(n)
        self._require_fitted()
        assert self._codec is not None
        cols = list(self._info["columns"])
        offsets = np.cumsum([0, *self._info["sizes"]])
        g = torch.Generator().manual_seed(seed)
        rng = np.random.default_rng([seed, 2])
        with torch.no_grad():
            logits = self._generate(self._gen, n, cols, offsets, hard=True, generator=g).numpy()
        codes: dict[str, np.ndarray] = {}
        for i, c in enumerate(cols):
            block = logits[:, int(offsets[i]):int(offsets[i + 1])].astype(float)
            prob = np.exp(block - block.max(axis=1, keepdims=True))
            prob /= prob.sum(axis=1, keepdims=True)
            u = rng.random((n, 1))
            codes[c] = np.minimum((prob.cumsum(axis=1) < u).sum(axis=1), prob.shape[1] - 1)
        report(progress, "sample", n, n)
        return self._codec.decode(codes, n, rng)

    def save_files(self, folder: Path) -> None:
        from safetensors.torch import save_file

        self._require_fitted()
        assert self._codec is not None and self._spend is not None
        save_file({k: v.contiguous() for k, v in self._gen.state_dict().items()},
                  str(folder / "generator.safetensors"))
        self._save_meta(folder)

    @classmethod
    def load_files(cls, folder: Path, params: GeneratorParams) -> DPGANGenerator:
        from safetensors.torch import load_file

        assert isinstance(params, DPGANParams)
        gen = cls(params)
        gen._load_meta(folder)
        width = int(sum(gen._info["sizes"]))
        net = _mlp(params.latent_dim, params.hidden, width)
        net.load_state_dict(load_file(str(folder / "generator.safetensors")))
        gen._gen = net.eval()
        return gen


