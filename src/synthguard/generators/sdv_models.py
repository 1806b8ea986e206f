"""SDV single-table synthesizers behind synthguard's generator protocol.

SDV saves models with cloudpickle; ``caps.pickled`` makes ``load_generator`` refuse a saved
model whose manifest is not recorded in the local run store (a pickle from elsewhere is code).
Seeds are applied to numpy, torch and SDV's own random state before fit and sample.
"""

from __future__ import annotations

import contextlib
import io
import logging
import random
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from synthguard.data.schema import TABLE_NAME, Schema, infer_schema
from synthguard.errors import NotFittedError, ParameterError, SynthguardError
from synthguard.generators.base import Capabilities, Generator, GeneratorParams, check_rows
from synthguard.generators.registry import register_generator
from synthguard.progress import ProgressCallback, report

_MODEL_FILE = "sdv_model.pkl"
log = logging.getLogger(__name__)


def _seed32(seed: int) -> int:
    """numpy's legacy seeding and SDV's random state take ``[0, 2**32)`` only."""
    return int(seed) % (2**32)


def _seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(_seed32(seed))
    try:
        import torch

        torch.manual_seed(seed)
    except ImportError:  # torch is a dependency; keep SDV copulas usable without it
        pass


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """SDV and its dependencies print and warn freely; keep the library silent."""
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        for name in ("SingleTableSynthesizer", "sdv", "rdt", "copulas", "ctgan"):
            logging.getLogger(name).setLevel(logging.ERROR)
        yield


@dataclass(frozen=True)
class SDVCopulaParams(GeneratorParams):
    default_distribution: str = "beta"
    enforce_min_max_values: bool = True


@dataclass(frozen=True)
class SDVNeuralParams(GeneratorParams):
    epochs: int = 300
    batch_size: int = 500

    def __post_init__(self) -> None:
        if self.epochs <= 0:
            raise ParameterError(f"epochs must be positive, got {self.epochs}")
        if self.batch_size <= 0 or self.batch_size % 10:
            raise ParameterError(f"batch_size must be a positive multiple of 10, got {self.batch_size}")


class _SDVGenerator(Generator):
    """Shared adapter: build the SDV synthesizer, fit on ``{table: df}``, sample, pickle-save."""

    sdv_class: ClassVar[str]
    caps = Capabilities(modality="tabular", pickled=True)

    def __init__(self, params: GeneratorParams | None = None, **kwargs: Any) -> None:
        super().__init__(params, **kwargs)
        self._synth: Any = None

    def _build(self, metadata: Any) -> Any:
        import sdv.single_table as st

        cls = getattr(st, self.sdv_class)
        kwargs = self.params.to_dict()
        if "epochs" in kwargs:
            kwargs["enable_gpu"] = False
        return cls(metadata, **kwargs)

    def fit(self, data: pd.DataFrame, *, schema: Schema | None = None, seed: int = 0,
            progress: ProgressCallback | None = None) -> _SDVGenerator:
        if not isinstance(data, pd.DataFrame) or data.empty:
            raise ParameterError(f"{self.name} needs a non-empty table to fit")
        schema = schema or infer_schema(data)
        report(progress, f"fit {self.name}", 0, 1)
        _seed_everything(seed)
        try:
            with _quiet():
                synth = self._build(schema.to_sdv_metadata())
                synth.fit({TABLE_NAME: data})
        except SynthguardError:
            raise
        except Exception as exc:  # map SDV's errors at the boundary
            raise SynthguardError(f"{self.name} could not fit this table: {type(exc).__name__}: {exc}") from exc
        self._synth = synth
        self.record_fit(data)
        report(progress, f"fit {self.name}", 1, 1)
        return self

    def sample(self, n: int, *, seed: int = 0, progress: ProgressCallback | None = None) -> pd.DataFrame:
        check_rows(n)
        if self._synth is None:
            raise NotFittedError(f"{self.name} is not fitted; call fit() first")
        _seed_everything(seed)
        with _quiet():
            self._synth._data_processor.reset_sampling()
            self._synth.reset_sampling()
            self._synth._set_random_state(_seed32(seed))  # SDV otherwise reseeds with a fixed constant
            out = self._synth.sample(n)
        frame: pd.DataFrame = out[TABLE_NAME] if isinstance(out, dict) else out
        report(progress, f"sample {self.name}", n, n)
        return frame.reset_index(drop=True)

    def save_files(self, folder: Path) -> None:
        if self._synth is None:
            raise NotFittedError(f"cannot save an unfitted {self.name}")
        with _quiet():
            self._synth.save(str(folder / _MODEL_FILE))

    @classmethod
    def load_files(cls, folder: Path, params: GeneratorParams) -> _SDVGenerator:
        # load_pickle refuses unless persist.load_generator verified the folder and this
        # machine's run store recorded its manifest (also when nested in another model)
        from synthguard.ledger.trust import load_pickle

        generator = cls(params)
        generator._synth = load_pickle(folder / _MODEL_FILE)
        return generator


@register_generator
class SDVGaussianCopula(_SDVGenerator):
    name = "sdv_gaussian_copula"
    summary = "SDV's stock GaussianCopulaSynthesizer (beta marginals); the baseline we compare with"
    sdv_class = "GaussianCopulaSynthesizer"
    Params = SDVCopulaParams


@register_generator
class CTGAN(_SDVGenerator):
    name = "ctgan"
    summary = "SDV CTGAN (conditional GAN); slow on CPU, use few epochs for trials"
    sdv_class = "CTGANSynthesizer"
    Params = SDVNeuralParams


@register_generator
class TVAE(_SDVGenerator):
    name = "tvae"
    summary = "SDV TVAE (variational autoencoder)"
    sdv_class = "TVAESynthesizer"
    Params = SDVNeuralParams


@register_generator
class CopulaGAN(_SDVGenerator):
    name = "copula_gan"
    summary = "SDV CopulaGAN (CTGAN on copula-transformed columns)"
    sdv_class = "CopulaGANSynthesizer"
    Params = SDVNeuralParams
