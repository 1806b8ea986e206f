"""Distance to closest record (DCR) and exact copies: the first memorisation check.

Synthetic rows are compared with an equal-size sample of train and of holdout, so that
``dcr_share_closer_to_train`` is 0.5 when the generator learned nothing row-specific.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from synthguard.evaluation.encoding import TableEncoder
from synthguard.evaluation.neighbors import nearest_distances


def row_hashes(frame: pd.DataFrame) -> np.ndarray:
    """One 64-bit hash per row over its values as text (column order of ``frame``)."""
    return pd.util.hash_pandas_object(frame.astype(str), index=False).to_numpy()  # type: ignore[no-any-return]


def dcr_report(train: pd.DataFrame, holdout: pd.DataFrame, synthetic: pd.DataFrame, *,
               seed: int = 0, max_rows: int = 10_000) -> dict[str, Any]:
    """DCR statistics; also returns histograms (bin edges and counts) for the report plot."""
    rng = np.random.default_rng(seed)
    columns = list(train.columns)
    n_ref = min(len(train), len(holdout), max_rows)
    train_s = train.iloc[rng.choice(len(train), n_ref, replace=False)]
    hold_s = holdout.iloc[rng.choice(len(holdout), n_ref, replace=False)]
    n_syn = min(len(synthetic), max_rows)
    syn_s = synthetic.iloc[rng.choice(len(synthetic), n_syn, replace=False)][columns]
    encoder = TableEncoder().fit(train)
    x_train, x_hold, x_syn = (encoder.transform(f) for f in (train_s, hold_s, syn_s))
    d_train2 = nearest_distances(x_train, x_syn, k=2)
    d_train, d_hold = d_train2[:, 0], nearest_distances(x_hold, x_syn)[:, 0]
    nndr = d_train2[:, 0] / np.maximum(d_train2[:, 1], 1e-12)
    per_row = np.where(d_train == d_hold, 0.5, (d_train < d_hold).astype(float))
    closer = np.mean(per_row)
    boot_rng = np.random.default_rng([seed, 19])
    means = [per_row[boot_rng.integers(0, per_row.size, per_row.size)].mean() for _ in range(1000)]
    ci = np.percentile(means, [2.5, 97.5])
    copies = int(np.isin(row_hashes(synthetic[columns]), row_hashes(train)).sum())
    copies_holdout = int(np.isin(row_hashes(synthetic[columns]), row_hashes(holdout)).sum())
    edges = np.histogram_bin_edges(np.concatenate([d_train, d_hold]), bins=40)
    return {
        "dcr_train_median": float(np.median(d_train)),
        "dcr_train_p5": float(np.percentile(d_train, 5)),
        "dcr_holdout_median": float(np.median(d_hold)),
        "dcr_holdout_p5": float(np.percentile(d_hold, 5)),
        "dcr_share_closer_to_train": float(closer),
        "dcr_share_closer_to_train_ci": [float(ci[0]), float(ci[1])],  # 95 %, bootstrap over synthetic rows
        "nndr_median": float(np.median(nndr)),
        "exact_copies_of_train": copies,
        "exact_copies_of_holdout": copies_holdout,
        "exact_copy_share": copies / max(len(synthetic), 1),
        "sampled": {"synthetic": n_syn, "reference_each": n_ref},
        "histogram": {
            "edges": edges.tolist(),
            "train": np.histogram(d_train, edges)[0].tolist(),
            "holdout": np.histogram(d_hold, edges)[0].tolist(),
        },
    }


def _texts(series: pd.Series) -> pd.Series:
    """Values as comparable text: numbers without a trailing ``.0``, whitespace/case folded."""
    values = series.dropna()
    if pd.api.types.is_float_dtype(values) and (values % 1 == 0).all():
        values = values.astype(np.int64)
    return values.astype(str).str.split().str.join(" ").str.casefold()


def real_pii_report(real: pd.DataFrame, synthetic: pd.DataFrame,
                    sensitive: dict[str, tuple[str, str, str]]) -> dict[str, Any]:
    """How many synthetic cells hold a real value of a PII/identifier column (counts only).

    ``sensitive``: column -> (kind, entity, source), as from
    :func:`synthguard.redaction.identifiers.sensitive_columns`. A real value is looked for in
    the same synthetic column and, for text columns, in every text column of the synthetic
    table (a generator may move a value between columns). Columns the synthetic table lacks
    (dropped by the PII policy) are listed. Never returns a value.
    """
    text_columns = [c for c in synthetic.columns
                    if not pd.api.types.is_numeric_dtype(synthetic[c])
                    and not pd.api.types.is_bool_dtype(synthetic[c])]
    synthetic_text = {c: _texts(synthetic[c]) for c in synthetic.columns}
    rows_hit = np.zeros(len(synthetic), dtype=bool)
    columns: dict[str, Any] = {}
    for column, (kind, entity, source) in sensitive.items():
        if column not in real.columns:
            continue
        values = set(_texts(real[column]))
        values.discard("")
        numeric = pd.api.types.is_numeric_dtype(real[column])
        scan = [column] if numeric else sorted({column, *text_columns} & set(synthetic.columns),
                                                key=str)
        # fresh sequential ids (0, 1, 2...) coincide with real ones by chance: counted, not flagged
        flagged = not (numeric and entity == "IDENTIFIER")
        cells = 0
        for other in scan:
            found = synthetic_text[other].isin(values)
            cells += int(found.sum())
            hit = np.zeros(len(synthetic), dtype=bool)
            hit[synthetic.index.get_indexer(found[found].index)] = True
            if flagged:
                rows_hit |= hit
        columns[column] = {
            "kind": kind, "entity": entity, "source": source,
            "in_synthetic": column in synthetic.columns,
            "synthetic_cells_with_real_value": cells,
            "distinct_real_values": len(values),
            "counted_in_flag": flagged,
        }
    n = max(len(synthetic), 1)
    hits = int(rows_hit.sum())
    return {
        "columns": columns,
        "rows_with_real_value": hits,
        "share_rows_with_real_value": hits / n,
        "flag": hits > 0,
        "note": "synthetic rows holding at least one real value of a PII/identifier column "
                "(exact match after case/whitespace folding); counts only, never values",
    }
