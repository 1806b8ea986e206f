"""A tiny character-level causal transformer, trainable with or without DP-SGD (opacus).

Why these choices:

* **Character level with a fixed public alphabet.** A vocabulary learned from the corpus
  (word pieces, words) is itself a release of the data: a rare surname becomes a token. The
  alphabet here is printable ASCII fixed in code, so the only thing learned from the private
  corpus is the weights, which DP-SGD protects. Accented letters are folded to ASCII
  (NFKD); any other character becomes ``UNK`` and is dropped when decoding.
* **One document = one training example.** DP-SGD clips each example's gradient; if a long
  document were cut into several windows, one person's document would weigh several
  examples and the guarantee would be per window, not per document. Documents longer than
  ``max_chars`` are truncated (the count is reported), never split. With ``units`` the DP
  example is a privacy unit (several documents, one drawn per step; see ``units.py``).
* **Transformer from plain layers.** Opacus computes per-sample gradients by hooks for
  ``Linear``, ``Embedding`` and ``LayerNorm``; attention is written with those, so no
  ``nn.MultiheadAttention`` (unsupported) and no per-timestep Python loop as in ``DPGRU``.

The same :func:`train_char_lm` trains the non-private baseline (``privacy=None``): canary
tests compare the two under identical settings.
"""

from __future__ import annotations

import contextlib
import math
import string
import unicodedata
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from synthguard.errors import ParameterError
from synthguard.generators.text.units import PrivacyUnits
from synthguard.progress import ProgressCallback, report

PAD, BOS, EOS, UNK = 0, 1, 2, 3
_SPECIALS = 4
ALPHABET = "".join(ch for ch in string.printable if ch not in "\x0b\x0c\r")
_CHAR_TO_ID = {ch: i + _SPECIALS for i, ch in enumerate(ALPHABET)}
VOCAB_SIZE = _SPECIALS + len(ALPHABET)


def normalise(text: str) -> str:
    """Fold accents to ASCII (é -> e) and CR/LF variants to ``\\n``; keep everything else."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def encode(text: str, max_chars: int) -> tuple[list[int], bool]:
    """Token ids ``BOS text EOS`` (text cut to ``max_chars``); also whether it was truncated."""
    chars = normalise(text)
    truncated = len(chars) > max_chars
    ids = [_CHAR_TO_ID.get(ch, UNK) for ch in chars[:max_chars]]
    tail = [] if truncated else [EOS]
    return [BOS, *ids, *tail], truncated


def decode(ids: Sequence[int]) -> str:
    """Text of ``ids`` up to the first ``EOS``; specials and ``UNK`` are dropped."""
    out: list[str] = []
    for token in ids:
        if token == EOS:
            break
        if token >= _SPECIALS:
            out.append(ALPHABET[token - _SPECIALS])
    return "".join(out)


@dataclass(frozen=True)
class CharLMConfig:
    """Architecture and training settings (all public: they are saved in the manifest)."""

    max_chars: int = 256
    d_model: int = 128
    n_layers: int = 2
    n_heads: int = 4
    epochs: int = 10
    batch_size: int = 128
    lr: float = 3e-3

    def __post_init__(self) -> None:
        for name in ("max_chars", "d_model", "n_layers", "n_heads", "epochs", "batch_size"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
                raise ParameterError(f"{name} must be a positive integer, got {value!r}")
        if self.d_model % self.n_heads:
            raise ParameterError(
                f"d_model ({self.d_model}) must be a multiple of n_heads ({self.n_heads})"
            )
        if not (self.lr > 0 and math.isfinite(self.lr)):
            raise ParameterError(f"lr must be a positive number, got {self.lr!r}")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class DPConfig:
    """DP-SGD settings: target (ε, δ), per-document clipping norm and accountant."""

    epsilon: float
    delta: float
    max_grad_norm: float = 1.0
    accountant: str = "rdp"  # "rdp" | "prv"


@dataclass(frozen=True)
class TrainReport:
    """What training did: steps, final loss, truncation, and the DP spend if private."""

    steps: int
    final_loss: float
    n_docs: int
    n_truncated: int
    epsilon: float | None = None
    delta: float | None = None
    noise_multiplier: float | None = None
    accountant: str | None = None
    n_units: int | None = None  # privacy units (DP only): see generators.text.units
    largest_unit: int | None = None


class _Block(nn.Module):
    """Pre-norm transformer block with causal self-attention built from ``nn.Linear``."""

    def __init__(self, d_model: int, n_heads: int) -> None:
        super().__init__()
        self.n_heads = n_heads
        self.norm1 = nn.LayerNorm(d_model)
        self.qkv = nn.Linear(d_model, 3 * d_model)
        self.proj = nn.Linear(d_model, d_model)
        self.norm2 = nn.LayerNorm(d_model)
        self.up = nn.Linear(d_model, 4 * d_model)
        self.down = nn.Linear(4 * d_model, d_model)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        batch, length, width = x.shape
        q, k, v = self.qkv(self.norm1(x)).split(width, dim=2)
        shape = (batch, length, self.n_heads, width // self.n_heads)
        q, k, v = (t.reshape(shape).transpose(1, 2) for t in (q, k, v))
        attn = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        x = x + self.proj(attn.transpose(1, 2).reshape(batch, length, width))
        out: torch.Tensor = x + self.down(F.gelu(self.up(self.norm2(x))))
        return out


class CharTransformer(nn.Module):
    """Token + position embeddings, ``n_layers`` blocks, a linear head over the alphabet."""

    def __init__(self, config: CharLMConfig) -> None:
        super().__init__()
        self.context = config.max_chars + 1  # BOS + text (EOS is only ever a target)
        self.tok = nn.Embedding(VOCAB_SIZE, config.d_model)
        self.pos = nn.Embedding(self.context, config.d_model)
        self.blocks = nn.ModuleList(
            _Block(config.d_model, config.n_heads) for _ in range(config.n_layers)
        )
        self.norm = nn.LayerNorm(config.d_model)
        self.head = nn.Linear(config.d_model, VOCAB_SIZE)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        batch, length = ids.shape
        # positions carry a batch dimension so opacus sees per-sample embedding inputs
        positions = torch.arange(length, device=ids.device).unsqueeze(0).expand(batch, length)
        x = self.tok(ids) + self.pos(positions)
        for block in self.blocks:
            x = block(x)
        logits = self.head(self.norm(x))
        assert isinstance(logits, torch.Tensor)
        return logits


def _pad(sequences: Sequence[Sequence[int]], length: int) -> torch.Tensor:
    out = torch.full((len(sequences), length), PAD, dtype=torch.long)
    for row, seq in enumerate(sequences):
        out[row, : len(seq)] = torch.tensor(list(seq), dtype=torch.long)
    return out


def _per_doc_loss(model: nn.Module, batch: torch.Tensor) -> torch.Tensor:
    """Mean next-character cross-entropy of each document (padding masked out)."""
    inputs, targets = batch[:, :-1], batch[:, 1:]
    logits = model(inputs)
    losses = F.cross_entropy(
        logits.reshape(-1, VOCAB_SIZE), targets.reshape(-1), reduction="none", ignore_index=PAD
    ).reshape(targets.shape)
    counts = (targets != PAD).sum(dim=1).clamp(min=1)
    return losses.sum(dim=1) / counts


@contextlib.contextmanager
def seeded(seed: int) -> Iterator[None]:
    """Seed torch's global RNG (opacus' Poisson sampler and noise use it) without leaking."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        yield


class CharLM:
    """A trained character model: scores texts (log-perplexity) and samples new ones."""

    def __init__(self, model: CharTransformer, config: CharLMConfig) -> None:
        self.model = model.eval()
        self.config = config

    def state_dict(self) -> dict[str, torch.Tensor]:
        return {k: v.detach().clone().contiguous() for k, v in self.model.state_dict().items()}

    @classmethod
    def from_state_dict(cls, state: dict[str, torch.Tensor], config: CharLMConfig) -> CharLM:
        model = CharTransformer(config)
        model.load_state_dict(state)
        return cls(model, config)

    @torch.no_grad()
    def log_perplexity(self, texts: Sequence[str], *, batch_size: int = 512) -> np.ndarray:
        """Total negative log-likelihood (bits) of each text, ``BOS``-conditioned, no ``EOS``.

        Used for canary exposure: candidates of the same format are ranked by this score.
        """
        scores: list[np.ndarray] = []
        for start in range(0, len(texts), batch_size):
            chunk = texts[start : start + batch_size]
            encoded = [encode(t, self.config.max_chars)[0][:-1] for t in chunk]  # drop EOS
            length = max(len(e) for e in encoded)
            batch = _pad(encoded, length)
            logits = self.model(batch[:, :-1])
            nll = F.cross_entropy(
                logits.reshape(-1, VOCAB_SIZE), batch[:, 1:].reshape(-1),
                reduction="none", ignore_index=PAD,
            ).reshape(len(chunk), -1)
            scores.append((nll.sum(dim=1) / math.log(2)).numpy())
        return np.concatenate(scores) if scores else np.zeros(0)

    @torch.no_grad()
    def sample(
        self, n: int, *, seed: int, temperature: float = 0.8, batch_size: int = 256,
        progress: ProgressCallback | None = None,
    ) -> list[str]:
        """``n`` new documents, drawn with a private generator seeded by ``seed``."""
        if temperature <= 0:
            raise ParameterError(f"temperature must be positive, got {temperature!r}")
        generator = torch.Generator().manual_seed(seed)
        docs: list[str] = []
        while len(docs) < n:
            size = min(batch_size, n - len(docs))
            ids = torch.full((size, 1), BOS, dtype=torch.long)
            done = torch.zeros(size, dtype=torch.bool)
            for _ in range(self.config.max_chars):
                logits = self.model(ids)[:, -1, :] / temperature
                logits[:, PAD] = -math.inf
                logits[:, BOS] = -math.inf
                probs = torch.softmax(logits, dim=-1)
                nxt = torch.multinomial(probs, 1, generator=generator).squeeze(1)
                nxt = torch.where(done, torch.full_like(nxt, EOS), nxt)
                ids = torch.cat([ids, nxt.unsqueeze(1)], dim=1)
                done |= nxt == EOS
                if bool(done.all()):
                    break
            docs.extend(decode(row.tolist()[1:]) for row in ids)
            report(progress, "sampling documents", len(docs), n)
        return docs


class _UnitDataset(torch.utils.data.Dataset[Any]):
    """One item per privacy unit: a document of the unit drawn at random on each access.

    Opacus Poisson-samples items, so a unit adds at most one document's clipped gradient to
    a step however many documents it holds (user-level DP-SGD).
    """

    def __init__(self, data: torch.Tensor, members: Sequence[np.ndarray]) -> None:
        self.data = data
        self.members = [torch.as_tensor(m, dtype=torch.long) for m in members]

    def __len__(self) -> int:
        return len(self.members)

    def __getitem__(self, unit: int) -> tuple[torch.Tensor]:
        docs = self.members[unit]
        pick = docs[int(torch.randint(len(docs), (1,)))] if len(docs) > 1 else docs[0]
        return (self.data[pick],)


def train_char_lm(
    texts: Sequence[str], config: CharLMConfig, *, seed: int, privacy: DPConfig | None = None,
    units: PrivacyUnits | None = None, progress: ProgressCallback | None = None,
) -> tuple[CharLM, TrainReport]:
    """Train a :class:`CharLM` on ``texts``; with ``privacy`` through opacus DP-SGD.

    ``units`` (DP only) makes the privacy unit a group of documents instead of one document
    (see :mod:`synthguard.generators.text.units`). Without ``privacy`` the settings are
    identical (batch size, epochs, optimiser), one document per example, with shuffled
    fixed-size batches instead of Poisson sampling: the non-private baseline.
    """
    if not texts:
        raise ParameterError("cannot train a language model on an empty corpus")
    encoded = [encode(t, config.max_chars) for t in texts]
    n_truncated = sum(1 for _, cut in encoded if cut)
    data = _pad([ids for ids, _ in encoded], config.max_chars + 2)
    n_docs = len(texts)
    if units is not None and len(units.unit_of) != n_docs:
        raise ParameterError(f"units cover {len(units.unit_of)} documents, the corpus has {n_docs}")
    dp_units = units if privacy is not None else None  # the non-DP baseline: per document
    dataset: torch.utils.data.Dataset[Any]
    if dp_units is not None:
        dataset, n_examples = _UnitDataset(data, dp_units.members()), dp_units.n_units
    else:
        dataset, n_examples = torch.utils.data.TensorDataset(data), n_docs
    batch_size = min(config.batch_size, n_examples)
    with seeded(seed):
        model = CharTransformer(config)
        optimizer: torch.optim.Optimizer = torch.optim.Adam(model.parameters(), lr=config.lr)
        loader = torch.utils.data.DataLoader(dataset, batch_size=batch_size, shuffle=True)
        engine = None
        noise = None
        if privacy is not None:
            model, optimizer, loader, engine, noise = _make_private(
                model, optimizer, loader, privacy, config.epochs
            )
        model.train()
        steps, last = 0, float("nan")
        total = config.epochs * max(1, math.ceil(n_examples / batch_size))
        for _epoch in range(config.epochs):
            for (batch,) in loader:
                if batch.shape[0] == 0:  # Poisson sampling drew no document (p ~ e^-batch)
                    continue
                batch = _trim(batch)
                optimizer.zero_grad(set_to_none=True)
                loss = _per_doc_loss(model, batch).mean()
                with warnings.catch_warnings():  # opacus hooks on an integer-input model
                    warnings.filterwarnings("ignore", message="Full backward hook is firing")
                    loss.backward()
                optimizer.step()
                steps += 1
                last = float(loss.detach())
                report(progress, "training language model", min(steps, total), total)
    base = model._module if engine is not None else model  # unwrap opacus' GradSampleModule
    if not isinstance(base, CharTransformer):  # pragma: no cover - opacus wraps one level
        raise RuntimeError("unexpected model wrapper after DP training")
    if engine is None or privacy is None:
        return CharLM(base, config), TrainReport(
            steps=steps, final_loss=last, n_docs=n_docs, n_truncated=n_truncated
        )
    # a clean module from the trained weights: no opacus hooks or grad_sample buffers left
    clean = CharLM.from_state_dict(
        {k: v.detach().clone() for k, v in base.state_dict().items()}, config
    )
    eps = float(engine.accountant.get_epsilon(delta=privacy.delta))
    return clean, TrainReport(
        steps=steps, final_loss=last, n_docs=n_docs, n_truncated=n_truncated,
        epsilon=eps, delta=privacy.delta, noise_multiplier=noise, accountant=privacy.accountant,
        n_units=n_examples, largest_unit=dp_units.largest if dp_units is not None else 1,
    )


def _trim(batch: torch.Tensor) -> torch.Tensor:
    """Cut trailing all-padding columns (speed only; per-document losses are unchanged)."""
    used = int((batch != PAD).sum(dim=1).max())
    return batch[:, : max(used, 2)]


def _make_private(
    model: nn.Module, optimizer: torch.optim.Optimizer, loader: Any, privacy: DPConfig,
    epochs: int,
) -> tuple[Any, Any, Any, Any, float]:
    """Wrap model/optimiser/loader with opacus for the target (ε, δ); map its errors."""
    try:
        from opacus import PrivacyEngine
    except ImportError as exc:  # pragma: no cover - opacus is a core dependency
        from synthguard.errors import MissingDependencyError

        raise MissingDependencyError(
            "dp_lm needs opacus: pip install 'opacus>=1.5'"
        ) from exc
    if privacy.accountant not in ("rdp", "prv"):
        raise ParameterError(f"accountant must be 'rdp' or 'prv', got {privacy.accountant!r}")
    engine = PrivacyEngine(accountant=privacy.accountant)
    try:
        dp_model, dp_optimizer, dp_loader = engine.make_private_with_epsilon(
            module=model, optimizer=optimizer, data_loader=loader,
            target_epsilon=privacy.epsilon, target_delta=privacy.delta, epochs=epochs,
            max_grad_norm=privacy.max_grad_norm, poisson_sampling=True,
        )
    except ValueError as exc:
        raise ParameterError(
            f"opacus cannot reach epsilon={privacy.epsilon} with these settings ({exc}); "
            "raise epsilon or the number of documents, or lower epochs/batch_size"
        ) from exc
    noise: Any = dp_optimizer.noise_multiplier
    return dp_model, dp_optimizer, dp_loader, engine, float(noise)
