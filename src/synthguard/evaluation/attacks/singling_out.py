"""Singling out (Anonymeter's multivariate definition): does a predicate isolate one person?

The adversary builds predicates from synthetic records ("age >= 71 and occupation == X and
hours <= 20": ``>=`` for values above the column median, ``<=`` below, ``==`` for
categories) that match exactly one synthetic row, then claims each also isolates one real
person. Success is the share of predicates that match exactly one train row; the control is
the same predicates on the holdout, the baseline random predicates. Tables are deduplicated
first as in Anonymeter. When train and holdout differ in size, the larger one is subsampled
to the smaller so that "matches exactly one row" means the same on both sides (Anonymeter
1.1 fits a size correction instead; its fit counts queries rather than successes).

Predicates are arrays (column, operator, value) evaluated in vectorised batches rather than
one dataframe query each, so 100k-row tables take seconds.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from synthguard.evaluation.attacks._base import (
    SINGLING_OUT,
    Attack,
    AttackOptions,
    AttackResult,
    ThreatModel,
    register_attack,
)
from synthguard.evaluation.attacks._tabular import (
    auxiliary_columns,
    prepare_tables,
    risk_result,
    sample_rows,
)
from synthguard.progress import report

EQ, NE, LT, GT, LE, GE, ISNULL, NOTNULL = range(8)
_BATCH = 1000
_EVAL_CHUNK = 256


class _Encoded:
    """syn / ori / control as float matrices over the same columns (categories as codes)."""

    def __init__(self, frames: list[pd.DataFrame], columns: list[str]) -> None:
        self.columns = columns
        self.numeric = np.array([
            bool(pd.api.types.is_numeric_dtype(frames[0][c])
                 and not pd.api.types.is_bool_dtype(frames[0][c])) for c in columns
        ])
        blocks: list[list[np.ndarray]] = [[] for _ in frames]
        for j, column in enumerate(columns):
            if self.numeric[j]:
                for i, frame in enumerate(frames):
                    blocks[i].append(pd.to_numeric(frame[column], errors="coerce")
                                     .to_numpy(dtype=np.float64))
            else:
                joint = pd.concat([f[column] for f in frames], ignore_index=True)
                strings = joint.astype(str).where(joint.notna(), None)
                codes, _ = pd.factorize(strings, use_na_sentinel=True)
                codes_f = codes.astype(np.float64)
                codes_f[codes < 0] = np.nan
                start = 0
                for i, frame in enumerate(frames):
                    blocks[i].append(codes_f[start:start + len(frame)])
                    start += len(frame)
        self.matrices = [np.column_stack(b) for b in blocks]


class _MaskCache:
    """Packed row masks of single clauses (column, operator, value) of one table, reused.

    A predicate's count is then the popcount of the AND of its clauses' masks: a few
    kilobytes of bit work per predicate instead of a pass over every row per clause.
    """

    def __init__(self, matrix: np.ndarray, max_entries: int = 20_000) -> None:
        self.columns = np.ascontiguousarray(matrix.T)
        self.nan = np.isnan(self.columns)
        self.max_entries = max_entries
        self._cache: dict[tuple[int, int, float], np.ndarray] = {}

    def mask(self, col: int, op: int, val: float) -> np.ndarray:
        key = (col, op, val)
        found = self._cache.get(key)
        if found is not None:
            return found
        data = self.columns[col]
        with np.errstate(invalid="ignore"):
            if op == EQ:
                cond = data == val
            elif op == NE:
                cond = (data != val) & ~self.nan[col]
            elif op == LT:
                cond = data < val
            elif op == GT:
                cond = data > val
            elif op == LE:
                cond = data <= val
            elif op == GE:
                cond = data >= val
            elif op == ISNULL:
                cond = self.nan[col]
            else:
                cond = ~self.nan[col]
        packed = np.packbits(cond)
        if len(self._cache) >= self.max_entries:
            self._cache.clear()
        self._cache[key] = packed
        return packed


def count_matches(
    table: _MaskCache, cols: np.ndarray, ops: np.ndarray, vals: np.ndarray
) -> np.ndarray:
    """Rows of ``table`` matching each conjunctive predicate; shape (n_queries,)."""
    counts = np.empty(len(cols), dtype=np.int64)
    for start in range(0, len(cols), _EVAL_CHUNK):
        stop = min(start + _EVAL_CHUNK, len(cols))
        acc = np.stack([table.mask(int(cols[i, 0]), int(ops[i, 0]), float(vals[i, 0]))
                        for i in range(start, stop)])
        for j in range(1, cols.shape[1]):
            acc &= np.stack([table.mask(int(cols[i, j]), int(ops[i, j]), float(vals[i, j]))
                             for i in range(start, stop)])
        counts[start:stop] = np.bitwise_count(acc).sum(axis=1, dtype=np.int64)
    return counts


def _keys(cols: np.ndarray, ops: np.ndarray, vals: np.ndarray) -> list[bytes]:
    order = np.argsort(cols, axis=1)
    c = np.take_along_axis(cols, order, 1)
    o = np.take_along_axis(ops, order, 1)
    v = np.nan_to_num(np.take_along_axis(vals, order, 1), nan=np.inf)
    return [c[i].tobytes() + o[i].tobytes() + v[i].tobytes() for i in range(len(cols))]


def attack_queries(
    syn: np.ndarray, numeric: np.ndarray, *, n_queries: int, n_cols: int,
    rng: np.random.Generator, max_attempts: int, progress: Any = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Predicates built from synthetic records that match exactly one synthetic row."""
    with np.errstate(all="ignore"):
        medians = np.array([np.nanmedian(syn[:, j]) if numeric[j] and np.isfinite(syn[:, j]).any()
                            else np.nan for j in range(syn.shape[1])])
    syn_table = _MaskCache(syn)
    kept_c: list[np.ndarray] = []
    kept_o: list[np.ndarray] = []
    kept_v: list[np.ndarray] = []
    seen: set[bytes] = set()
    attempts = 0
    n_kept = 0
    while n_kept < n_queries and attempts < max_attempts:
        batch = min(_BATCH, max_attempts - attempts)
        rows = rng.integers(0, syn.shape[0], size=batch)
        cols = np.array([rng.choice(syn.shape[1], n_cols, replace=False) for _ in range(batch)])
        vals = syn[rows[:, None], cols]
        is_num = numeric[cols]
        above = vals > medians[cols]
        ops = np.where(is_num, np.where(above, GE, LE), EQ)
        ops = np.where(np.isnan(vals), ISNULL, ops)
        counts = count_matches(syn_table, cols, ops, vals)
        attempts += batch
        for i in np.nonzero(counts == 1)[0]:
            key = _keys(cols[i:i + 1], ops[i:i + 1], vals[i:i + 1])[0]
            if key in seen:
                continue
            seen.add(key)
            kept_c.append(cols[i])
            kept_o.append(ops[i])
            kept_v.append(vals[i])
            n_kept += 1
            if n_kept >= n_queries:
                break
        report(progress, "singling out: queries", n_kept, n_queries)
    if not kept_c:
        empty = np.zeros((0, n_cols))
        return empty.astype(np.int64), empty.astype(np.int64), empty, attempts
    return np.array(kept_c), np.array(kept_o), np.array(kept_v), attempts


def random_queries(
    syn: np.ndarray, numeric: np.ndarray, *, n_queries: int, n_cols: int,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Anonymeter's baseline: random values of random columns with random operators."""
    uniques = [np.unique(syn[:, j]) for j in range(syn.shape[1])]  # NaN kept once or more
    uniques = [np.r_[u[~np.isnan(u)], [np.nan]] if np.isnan(u).any() else u for u in uniques]
    cols = np.array([np.sort(rng.choice(syn.shape[1], n_cols, replace=False))
                     for _ in range(n_queries)])
    vals = np.empty(cols.shape)
    ops = np.empty(cols.shape, dtype=np.int64)
    for i in range(n_queries):
        for j, c in enumerate(cols[i]):
            vals[i, j] = rng.choice(uniques[c])
            op = int(rng.choice([EQ, NE, GT, LT, GE, LE]) if numeric[c] else rng.choice([EQ, NE]))
            if np.isnan(vals[i, j]):
                op = ISNULL if op == EQ else NOTNULL
            ops[i, j] = op
    return cols, ops, vals


@register_attack
class SinglingOutAttack(Attack):
    name = "singling_out"
    summary = "predicates isolating one synthetic record also isolate one real person (Anonymeter)"
    threat = ThreatModel(
        kind=SINGLING_OUT, min_holdout=20,
        knows="the synthetic table; claims 'exactly one person has these attributes'",
    )

    def __init__(self, *, n_cols: int = 3, n_attacks: int | None = None,
                 max_attempts: int = 1_000_000) -> None:
        self.n_cols = n_cols
        self.n_attacks = n_attacks
        self.max_attempts = max_attempts

    def run(
        self,
        *,
        train: pd.DataFrame,
        holdout: pd.DataFrame,
        synthetic: pd.DataFrame,
        seed: int = 0,
        options: AttackOptions | None = None,
        context: Any = None,
    ) -> AttackResult:
        options, columns = prepare_tables(self.name, train, holdout, synthetic, options)
        cols = auxiliary_columns(columns, options)
        rng = np.random.default_rng(seed)
        ori = train[cols].drop_duplicates()
        control = holdout[cols].drop_duplicates()
        syn = synthetic[cols].drop_duplicates().reset_index(drop=True)
        size = min(len(ori), len(control))
        ori, control = sample_rows(ori, size, rng), sample_rows(control, size, rng)
        n_cols = min(self.n_cols, len(cols))
        n_attacks = self.n_attacks or min(options.max_targets // 2, 1000)
        enc = _Encoded([syn, ori, control], cols)
        syn_m, ori_m, ctl_m = enc.matrices
        q_cols, q_ops, q_vals, attempts = attack_queries(
            syn_m, enc.numeric, n_queries=n_attacks, n_cols=n_cols, rng=rng,
            max_attempts=self.max_attempts, progress=options.progress,
        )
        ori_t, ctl_t = _MaskCache(ori_m), _MaskCache(ctl_m)
        n_success = int((count_matches(ori_t, q_cols, q_ops, q_vals) == 1).sum())
        n_control = int((count_matches(ctl_t, q_cols, q_ops, q_vals) == 1).sum())
        b_cols, b_ops, b_vals = random_queries(syn_m, enc.numeric, n_queries=n_attacks,
                                               n_cols=n_cols, rng=rng)
        n_base = int((count_matches(ori_t, b_cols, b_ops, b_vals) == 1).sum())
        return risk_result(
            name=self.name, kind=SINGLING_OUT, n_attacks=(n_attacks, n_attacks, n_attacks),
            n_success=n_success, n_baseline=n_base, n_control=n_control, options=options,
            details={"mode": "multivariate", "n_cols": n_cols, "n_queries": len(q_cols),
                     "query_attempts": attempts, "population_size": size},
        )
