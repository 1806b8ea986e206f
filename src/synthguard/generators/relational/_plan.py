"""How relational tables become per-table model frames, and how samples become tables again.

For every table (parents first) a JSON *plan* says:

* ``targets``: the columns its model draws: the table's own non-key columns, datetimes as
  seconds (see below), one ``__n.<child>`` count per table it is the primary parent of (child
  counts are drawn with the parent's attributes, so they depend on them), and one
  ``__has.<fk>`` flag per nullable secondary foreign key;
* ``context`` (non-root tables): the primary parent's own columns, the row's ``__rank`` among
  its siblings and ``__nsib`` (their number): children are drawn given their parent;
* time: the table's sequence index (``anchor``, its first datetime unless the metadata names
  one) is stored as the gap to the previous sibling's event, and the first sibling's as the
  offset from the parent's anchor (first-event offset, inter-event gaps); in a root table it
  is absolute. Other datetime columns are offsets from the row's anchor (a length of stay).
  Decoding adds the gaps back in sibling order, so events are ordered and time-stamped;
* keys: primary keys are new sequential ids; the primary foreign key points at the parent
  row the child was drawn for; a foreign key to an ancestor is copied down the chain; any
  other foreign key picks a row of its parent under the same primary parent (sibling tables,
  e.g. a prescription's ICU stay of the same admission) or, failing that, any row of the same
  block, so referential integrity holds by construction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pandas as pd

from synthguard.data.relational import RelationalData, RelationalMetadata
from synthguard.data.schema import ColumnKind
from synthguard.progress import ProgressCallback, report
from synthguard.redaction.identifiers import name_entity

NS = 1_000_000_000
BLOCK_ENTITIES = 5_000  # root entities per sampled block

# (table, size, rng, context or None) -> frame of the table's target columns
TableSampler = Callable[[str, int, np.random.Generator, pd.DataFrame | None], pd.DataFrame]


def _seconds(series: pd.Series) -> np.ndarray:
    values = pd.to_datetime(series, errors="coerce")
    out = values.astype("int64").to_numpy(dtype=float) / NS
    out[values.isna().to_numpy()] = np.nan
    return out


def build_plans(data: RelationalData, *, choose_reference: bool = False,
                offsets_only: bool = False) -> dict[str, dict[str, Any]]:
    """The plan of every table (module docstring). ``choose_reference``: code a first event
    as an offset from its parent's time only where that varies less than the absolute time
    (a data-dependent choice, so not for DP), in a column of its own beside the gaps.
    ``offsets_only`` (DP): every event is coded as its offset from its parent's time, and
    siblings are put in order by sorting when decoded (no gaps: a sum of many noisy gaps
    drifts, and one column fewer is measured)."""
    meta = data.metadata
    plans: dict[str, dict[str, Any]] = {}
    for table in meta.order():
        frame = data.tables[table]
        tmeta = meta.tables[table]
        schema = meta.schema(table)
        keys = set(meta.key_columns(table))
        primary = data.primary_parent(table)
        datetimes = [c for c in frame.columns if schema.columns[c].kind is ColumnKind.DATETIME]
        anchor = tmeta.sequence_index if tmeta.sequence_index in datetimes else (datetimes[0] if datetimes else None)
        parent_anchor = plans[primary.parent]["anchor"] if primary else None
        if choose_reference and primary is not None and anchor:
            # the parent time a first event varies least from (MIMIC: an admission from the
            # patient's death date, not the birth date shifted by 300 years for the over-89s),
            # or none (absolute)
            parent_anchor = _tightest_parent_time(data, primary, anchor, plans[primary.parent])
        own: dict[str, str] = {}
        ids: list[str] = []
        fakes: dict[str, str] = {}
        for col in frame.columns:
            spec = schema.columns[col]
            if col in keys:
                continue
            if spec.kind is ColumnKind.ID:
                ids.append(col)
            elif spec.kind in (ColumnKind.NUMERIC, ColumnKind.DATETIME):
                integer = spec.kind is ColumnKind.NUMERIC and bool(
                    (pd.to_numeric(frame[col], errors="coerce").dropna() % 1 == 0).all())
                own[col] = "integer" if integer else "numeric"
            elif spec.kind in (ColumnKind.CATEGORICAL,) and not _unique_text(frame[col]):
                own[col] = "categorical"
            else:  # text / PII: modelled as categorical levels would copy values, so each
                # synthetic row gets a fresh fake of the column's type, drawn from the column
                # name only (no real value; public schema, so DP too)
                fakes[col] = name_entity(str(col)) or "TEXT"
        resolution = {c: _resolution(frame[c]) for c in datetimes}
        secondary = []
        for rel in meta.parents(table):
            if primary is not None and rel == primary:
                continue
            via = _ancestor_path(meta, data, table, rel.parent, rel.parent_key)
            sibling = primary is not None and data.primary_parent(rel.parent) is not None and \
                data.primary_parent(rel.parent).parent == primary.parent  # type: ignore[union-attr]
            # hierarchical: whether every row of the sibling table is named by some row here
            # (MIMIC: every ICU stay has its transfer in), kept when keys are assigned
            covered = bool(choose_reference and sibling and data.tables[rel.parent][rel.parent_key]
                           .isin(frame[rel.child_key].dropna()).all())
            secondary.append({"column": rel.child_key, "parent": rel.parent,
                              "parent_key": rel.parent_key, "via": via, "sibling": bool(sibling),
                              "nullable": bool(frame[rel.child_key].isna().any()),
                              "covered": covered})
        counts = [c for c in meta.tables if c != table and data.primary_parent(c) is not None
                  and data.primary_parent(c).parent == table]  # type: ignore[union-attr]
        targets = dict(own)
        # hierarchical: every event's time from its parent's (or absolute) in a column of its
        # own, the anchor column only gaps; one column holding both (first: ~years after a
        # birth; later: ~days after the previous) mixed two scales, and events drawn from the
        # wrong one landed centuries off
        split_first = bool(choose_reference and primary is not None and anchor)
        if split_first:
            targets[f"__t0.{anchor}"] = "numeric"
        for child in counts:
            targets[f"__n.{child}"] = "integer"
        for sec in secondary:
            if sec["via"] is None and sec["nullable"]:
                targets[f"__has.{sec['column']}"] = "categorical"
        pk = tmeta.primary_key
        plans[table] = {
            "table": table, "columns": [str(c) for c in frame.columns],
            "dtypes": {str(c): str(frame[c].dtype) for c in frame.columns},
            "pk": pk, "pk_integer": bool(pk and pd.api.types.is_integer_dtype(frame[pk])),
            "parent": {"table": primary.parent, "column": primary.child_key} if primary else None,
            "secondary": secondary, "ids": ids, "fakes": fakes, "own": own, "targets": targets,
            "counts": counts, "anchor": anchor,
            "anchor_mode": None if anchor is None else ("gap" if primary else "absolute"),
            "split_first": split_first,
            "offsets_only": bool(offsets_only and primary is not None and anchor),
            "parent_anchor": parent_anchor,
            "offsets": [c for c in datetimes if c != anchor],
            # each other time from the row's event (a length of stay), or (hierarchical) from
            # the earlier time of the row it varies least from, or absolute where that varies
            # less (MIMIC: a death date is not "birth + age" for patients shifted 300 years)
            "offset_ref": _offset_refs(frame, anchor, [c for c in datetimes if c != anchor],
                                       choose=choose_reference),
            "resolution": resolution,
            "context": ([*plans[primary.parent]["own"], "__rank", "__nsib"] if primary else []),
            "context_numeric": ([c for c, k in plans[primary.parent]["own"].items() if k != "categorical"]
                                + ["__rank", "__nsib"] if primary else []),
        }
    return plans


def _unique_text(series: pd.Series) -> bool:
    """A text column whose values are nearly all distinct (free-text notes, references
    inferred as categorical): modelled as levels it would copy real values verbatim, so both
    generators fake it like PII. ``hierarchical_dp`` treats categorical value sets as public
    (as AIM and MST do), which a set of unique notes is not: without this rule its sampler
    drew real notes (the choice itself depends only on the column's distinctness, like the
    whole-number check of numeric columns, and is stated with the schema in the guarantee)."""
    if not (pd.api.types.is_object_dtype(series) or pd.api.types.is_string_dtype(series)):
        return False
    present = series.dropna()
    return len(present) >= 50 and present.nunique() > 0.9 * len(present)


def _spread(values: np.ndarray) -> float:
    finite = values[np.isfinite(values)]
    return float(np.std(finite)) if finite.size >= 3 else np.inf


def _offset_refs(frame: pd.DataFrame, anchor: str | None, others: list[str], *,
                 choose: bool) -> dict[str, str | None]:
    """Reference of every non-anchor time of a table: the anchor (``choose`` off: DP, public
    rule), else the earlier time of the row (anchor first, then the others in column order)
    whose difference varies least, or None (absolute) where the time itself varies less. A
    reference must be present wherever the time is, so decoding never lacks it."""
    refs: dict[str, str | None] = {}
    if anchor is None:
        return {c: None for c in others}
    placed = [anchor]
    for col in others:
        if not choose:
            refs[col] = anchor
            continue
        own = _seconds(frame[col])
        best: tuple[float, str | None] = (_spread(own), None)
        for ref in placed:
            base = _seconds(frame[ref])
            if np.any(np.isfinite(own) & ~np.isfinite(base)):
                continue
            spread = _spread(own - base)
            if spread < best[0]:
                best = (spread, ref)
        refs[col] = best[1]
        placed.append(col)
    return refs


def _tightest_parent_time(data: RelationalData, rel: Any, anchor: str,
                          parent_plan: dict[str, Any]) -> str | None:
    """The parent's time a child's first event varies least from (standard deviations), or
    None where the absolute time varies less. Only parent times present for every parent
    row with children qualify (decoding needs them). MIMIC's admissions: birth dates of
    patients over 89 are shifted by 300 years, so age at admission spreads over centuries,
    while the time before death spreads over a few years."""
    child = data.tables[rel.child]
    parent = data.tables[rel.parent]
    events = pd.DataFrame({"key": child[rel.child_key].to_numpy(), "t": _seconds(child[anchor])})
    first = events.dropna().groupby("key")["t"].min()
    if len(first) < 3:
        return parent_plan["anchor"]  # type: ignore[no-any-return]
    best: tuple[float, str | None] = (_spread(first.to_numpy()), None)
    times = [c for c in [parent_plan["anchor"], *parent_plan["offsets"]] if c]
    for col in times:
        by_key = pd.Series(_seconds(parent[col]), index=parent[parent_plan["pk"]].to_numpy())
        base = by_key.reindex(first.index).to_numpy(dtype=float)
        if not np.all(np.isfinite(base)):
            continue
        spread = _spread(first.to_numpy() - base)
        if spread < best[0]:
            best = (spread, col)
    return best[1]


def _resolution(series: pd.Series) -> float:
    """The coarsest unit (day, hour, minute, second) every value of a datetime column is a
    whole multiple of, in seconds (synthetic times are rounded to it)."""
    seconds = _seconds(series)
    seconds = seconds[np.isfinite(seconds)]
    for unit in (86400.0, 3600.0, 60.0, 1.0):
        if seconds.size and np.all(np.mod(seconds, unit) == 0):
            return unit
    return 0.0


def _ancestor_path(meta: RelationalMetadata, data: RelationalData, table: str, target: str,
                   key: str) -> list[str] | None:
    """Foreign-key columns to follow up the primary chain to reach ``target`` (None: not an
    ancestor reachable that way)."""
    path: list[str] = []
    current = table
    while True:
        rel = data.primary_parent(current)
        if rel is None:
            return None
        path.append(rel.child_key)
        if rel.parent == target:
            return path
        direct = [r for r in meta.parents(rel.parent) if r.parent == target and r.parent_key == key]
        if direct and not data.tables[rel.parent][direct[0].child_key].isna().any():
            return [*path, direct[0].child_key]
        current = rel.parent


def encode(data: RelationalData, plans: dict[str, dict[str, Any]],
           entities: dict[str, np.ndarray] | None = None,
           ) -> dict[str, tuple[pd.DataFrame, pd.DataFrame | None]]:
    """Per table: (targets frame, context frame or None), rows aligned. ``entities``, if
    given, is filled with the root entity (row index of the root table) of every row."""
    encoded: dict[str, pd.DataFrame] = {}
    entities = entities if entities is not None else {}
    times: dict[str, dict[str, np.ndarray]] = {}  # absolute seconds of every table's times
    out: dict[str, tuple[pd.DataFrame, pd.DataFrame | None]] = {}
    tables = dict(data.tables)
    for table, plan in plans.items():
        frame = tables[table].reset_index(drop=True)
        parent = plan["parent"]
        anchor = plan["anchor"]
        anchor_s = pd.Series(_seconds(frame[anchor]) if anchor else np.full(len(frame), np.nan))
        if parent is not None:
            pframe = tables[parent["table"]].reset_index(drop=True)
            pk = plans[parent["table"]]["pk"]
            index_of = pd.Series(np.arange(len(pframe)), index=pframe[pk].to_numpy())
            pidx = index_of.reindex(frame[parent["column"]].to_numpy()).to_numpy()
            order = np.lexsort((np.arange(len(frame)), anchor_s.fillna(np.inf).to_numpy(), pidx))
            frame = frame.iloc[order].reset_index(drop=True)
            anchor_s = anchor_s.iloc[order].reset_index(drop=True)
            pidx = pidx[order].astype(np.int64)
            rank = pd.Series(pidx).groupby(pidx).cumcount().to_numpy() + 1
            nsib = np.bincount(pidx, minlength=len(pframe))[pidx]
            context = encoded[parent["table"]].iloc[pidx].reset_index(drop=True)
            context = context.assign(__rank=rank.astype(float), __nsib=nsib.astype(float))
            tables[table] = frame  # sibling order (same rows)
            entities[table] = entities[parent["table"]][pidx]
        else:
            context = None
            pidx = None
            entities[table] = np.arange(len(frame))
        targets = pd.DataFrame(index=pd.RangeIndex(len(frame)))
        for col, _kind in plan["own"].items():
            if col == anchor:
                if plan["anchor_mode"] == "gap":
                    assert pidx is not None and context is not None
                    prev = anchor_s.groupby(pidx).shift(1)
                    base = pd.Series(times[parent["table"]][plan["parent_anchor"]][pidx]) \
                        if plan["parent_anchor"] else pd.Series(np.nan, index=prev.index)
                    first = context["__rank"].to_numpy() == 1
                    ref = np.where(first, base.to_numpy(), prev.to_numpy())
                    gap = anchor_s.to_numpy() - ref
                    # a first event without a parent time (or a missing previous one) is absolute
                    gap = np.where(np.isnan(ref), anchor_s.to_numpy(), gap)
                    if plan.get("offsets_only"):
                        every = base.to_numpy()
                        gap = np.where(np.isnan(every), anchor_s.to_numpy(), anchor_s.to_numpy() - every)
                    elif plan.get("split_first"):
                        every = base.to_numpy()
                        targets[f"__t0.{col}"] = np.where(np.isnan(every), anchor_s.to_numpy(),
                                                          anchor_s.to_numpy() - every)
                        gap = np.where(first, np.nan, gap)
                    targets[col] = gap
                else:
                    targets[col] = anchor_s.to_numpy()
            elif col in plan["offsets"]:
                ref_col = _refs(plan).get(col)
                values = _seconds(frame[col])
                targets[col] = values - _seconds(frame[ref_col]) if ref_col else values
            elif plan["own"][col] != "categorical":
                # ±inf is modelled as missing: it has no quantile, and as a parent's context
                # it turned its children's copula normals (and so their values) into NaN
                values = pd.to_numeric(frame[col], errors="coerce").to_numpy(dtype=float)
                targets[col] = np.where(np.isinf(values), np.nan, values)
            else:
                targets[col] = frame[col].to_numpy()
        own_frame = targets.loc[:, list(plan["own"])].copy()  # a child's context
        for child in plan["counts"]:
            child_frame = tables[child]
            ckey = plans[child]["parent"]["column"]
            counts = child_frame[ckey].value_counts()
            targets[f"__n.{child}"] = counts.reindex(frame[plan["pk"]].to_numpy()).fillna(0).to_numpy(dtype=float)
        for sec in plan["secondary"]:
            if sec["via"] is None and sec["nullable"]:
                targets[f"__has.{sec['column']}"] = frame[sec["column"]].notna().astype(int).to_numpy()
        encoded[table] = own_frame
        times[table] = {c: _seconds(frame[c]) for c in plan["offsets"]}
        if anchor:
            times[table][anchor] = anchor_s.to_numpy()
        out[table] = (targets, context)
    return out


def sample_blocks(plans: dict[str, dict[str, Any]], real_rows: dict[str, int], sampler: TableSampler,
                  *, scale: float, seed: int, block_entities: int = BLOCK_ENTITIES,
                  progress: ProgressCallback | None = None) -> Iterator[dict[str, pd.DataFrame]]:
    """Blocks of root entities with all descendants; ids continue across blocks."""
    if not (isinstance(scale, int | float) and scale > 0):
        raise ValueError("scale must be > 0")
    roots = [t for t, p in plans.items() if p["parent"] is None]
    totals = {t: max(1, round(scale * real_rows[t])) for t in roots}
    n_blocks = max(1, -(-max(totals.values()) // block_entities))
    next_id = dict.fromkeys(plans, 1)
    for block in range(n_blocks):
        rng = np.random.default_rng([seed, block])
        own: dict[str, pd.DataFrame] = {}
        keys: dict[str, pd.DataFrame] = {}
        times: dict[str, pd.DataFrame] = {}
        parent_of: dict[str, np.ndarray] = {}
        out: dict[str, pd.DataFrame] = {}
        for table, plan in plans.items():
            parent = plan["parent"]
            if parent is None:
                total = totals[table]
                size = total // n_blocks + (1 if block < total % n_blocks else 0)
                pidx = None
                context = None
            else:
                counts = own[parent["table"]][f"__n.{table}"].to_numpy()
                counts = np.clip(np.nan_to_num(np.round(counts)), 0, None).astype(np.int64)
                pidx = np.repeat(np.arange(len(counts)), counts)
                size = len(pidx)
                rank = (pd.Series(pidx).groupby(pidx).cumcount().to_numpy() + 1).astype(float)
                context = own[parent["table"]][list(plans[parent["table"]]["own"])].iloc[pidx].reset_index(drop=True)
                context = context.assign(__rank=rank, __nsib=counts[pidx].astype(float))
            if size > 0:
                targets = sampler(table, size, rng, context)
            else:
                targets = pd.DataFrame({c: pd.Series(dtype=float) for c in plan["targets"]})
            own[table] = targets.reset_index(drop=True)
            reference = times[parent["table"]][plan["parent_anchor"]].to_numpy(dtype=float) \
                if parent is not None and plan["parent_anchor"] else None
            frame = _decode(plan, targets, pidx, reference)
            times[table] = frame[[c for c in [plan["anchor"], *plan["offsets"]] if c]].copy()
            key_frame = pd.DataFrame(index=pd.RangeIndex(size))
            if plan["pk"]:
                ids = np.arange(next_id[table], next_id[table] + size, dtype=np.int64)
                key_frame[plan["pk"]] = ids if plan["pk_integer"] else ids.astype(str)
            if parent is not None:
                assert pidx is not None
                ppk = plans[parent["table"]]["pk"]
                key_frame[parent["column"]] = keys[parent["table"]][ppk].to_numpy()[pidx]
                parent_of[table] = pidx
            for sec in plan["secondary"]:
                key_frame[sec["column"]] = _secondary(sec, plan, plans, keys, parent_of, targets,
                                                      size, rng, times)
            for col in plan["ids"]:
                frame[col] = np.arange(next_id[table], next_id[table] + size, dtype=np.int64)
            for col, entity in plan.get("fakes", {}).items():  # saved before fakes: left out
                frame[col] = _fakes(table, col, entity, next_id[table], size, seed)
            next_id[table] += size
            keys[table] = key_frame
            for col in key_frame.columns:
                frame[col] = key_frame[col].to_numpy()
            out[table] = _restore(frame, plan)
        report(progress, "sample relational", block + 1, n_blocks)
        yield out


# a typical value of each type, whose shape the surrogate follows (never a real value)
_FAKE_SHAPES = {"PERSON": "Jane Doe", "EMAIL_ADDRESS": "jane.doe@example.com",
                "PHONE_NUMBER": "+44 20 7946 0958", "IBAN_CODE": "GB82WEST12345698765432",
                "CREDIT_CARD": "4111 1111 1111 1111", "IP_ADDRESS": "192.0.2.1",
                "URL": "https://example.com/page", "ADDRESS": "1 High Street, Exampletown"}


def _fakes(table: str, column: str, entity: str, start: int, size: int, seed: int) -> np.ndarray:
    """``size`` fake values of a text/PII column for synthetic rows ``start...``: a surrogate
    of the entity type keyed by table, column and row (deterministic, data-independent), or
    ``"<column> <row>"`` for free text and types without a known shape."""
    from synthguard.redaction.surrogate import surrogate_value

    rows = range(start, start + size)
    shape = _FAKE_SHAPES.get(entity)
    out = np.empty(size, dtype=object)
    if shape is None:
        out[:] = [f"{column} {i}" for i in rows]
    else:
        out[:] = [surrogate_value(shape, entity, seed=seed, key=f"{table}\x1f{column}\x1f{i}".encode())
                  for i in rows]
    return out


def _secondary(sec: dict[str, Any], plan: dict[str, Any], plans: dict[str, dict[str, Any]],
               keys: dict[str, pd.DataFrame], parent_of: dict[str, np.ndarray],
               targets: pd.DataFrame, size: int, rng: np.random.Generator,
               times: dict[str, pd.DataFrame]) -> Any:
    if sec["via"] is not None:  # copy down the primary chain: walk up, read the last key
        table = plan["table"]
        index = np.arange(size)
        for _column in sec["via"][:-1]:
            index = parent_of[table][index]
            table = plans[table]["parent"]["table"]
        return keys[table][sec["via"][-1]].to_numpy()[index]
    pool = keys[sec["parent"]][sec["parent_key"]].to_numpy()
    values = np.empty(size, dtype=object)
    values[:] = None
    want = np.ones(size, dtype=bool)
    if sec["nullable"]:
        flag = targets.get(f"__has.{sec['column']}")
        if flag is not None:
            want = pd.to_numeric(flag, errors="coerce").fillna(0).to_numpy() > 0
    if len(pool) == 0:
        return values
    if sec["sibling"] and plan["parent"] is not None:
        mine = parent_of[plan["table"]]
        theirs = parent_of[sec["parent"]]
        order = np.argsort(theirs, kind="stable")
        starts = np.searchsorted(theirs[order], mine, side="left")
        ends = np.searchsorted(theirs[order], mine, side="right")
        has = ends > starts
        pick = starts + np.floor(rng.random(size) * np.maximum(ends - starts, 1)).astype(np.int64)
        chosen = np.where(has, order[np.minimum(pick, len(order) - 1)], -1)
        by_time = _sibling_by_time(plan, plans[sec["parent"]], times, mine, theirs)
        if by_time is not None:
            chosen = np.where(has & (by_time >= 0), by_time, chosen)
        ok = want & has
        if sec.get("covered"):
            ok, chosen = _cover(ok, chosen, mine, theirs, plan, plans[sec["parent"]], times)
        values[ok] = pool[chosen[ok]]
    else:
        chosen = rng.integers(0, len(pool), size)
        values[want] = pool[chosen[want]]
    series = pd.Series(values)
    if plans[sec["parent"]]["pk_integer"]:
        return series.astype("Int64") if series.isna().any() else series.astype(np.int64)
    return series


def _cover(ok: np.ndarray, chosen: np.ndarray, mine: np.ndarray, theirs: np.ndarray,
           plan: dict[str, Any], other: dict[str, Any], times: dict[str, pd.DataFrame],
           ) -> tuple[np.ndarray, np.ndarray]:
    """Give every sibling row no row names yet one row of the same parent: the row nearest
    in time (else any) among those with no key or sharing theirs with another row. Used
    where every sibling row was named in the real data (each ICU stay has a transfer)."""
    ok, chosen = ok.copy(), chosen.copy()
    counts = np.bincount(chosen[ok], minlength=len(theirs))
    own_t = times[plan["table"]][plan["anchor"]].to_numpy(dtype=float) if plan["anchor"] else None
    sib_t = times[other["table"]][other["anchor"]].to_numpy(dtype=float) if other["anchor"] else None
    rows_of = pd.Series(np.arange(len(mine))).groupby(mine).indices
    for s in np.flatnonzero(counts == 0):
        found = rows_of.get(int(theirs[s]))
        if found is None:
            continue
        rows = np.asarray(found, dtype=np.int64)
        free = rows[~ok[rows] | (counts[np.where(ok[rows], chosen[rows], 0)] >= 2)]
        if free.size == 0:
            continue
        if own_t is not None and sib_t is not None and np.isfinite(sib_t[s]):
            gap = np.abs(np.nan_to_num(own_t[free], nan=np.inf) - sib_t[s])
            r = int(free[np.argmin(gap)])
        else:
            r = int(free[0])
        if ok[r]:
            counts[chosen[r]] -= 1
        ok[r], chosen[r] = True, s
        counts[s] += 1
    return ok, chosen


def _sibling_by_time(plan: dict[str, Any], other: dict[str, Any], times: dict[str, pd.DataFrame],
                     mine: np.ndarray, theirs: np.ndarray) -> np.ndarray | None:
    """For each row, the row of a sibling table under the same parent whose event is the
    latest one not after the row's own event (within the row's time resolution; else the
    earliest): a prescription or a transfer belongs to the ICU stay it happened in, not to a
    random one of the admission's stays. -1 where either time is missing; None when a table
    has no event time."""
    if plan["anchor"] is None or other["anchor"] is None:
        return None
    own = times[plan["table"]][plan["anchor"]].to_numpy(dtype=float)
    own = own + float(plan.get("resolution", {}).get(plan["anchor"], 0.0)) * 0.999
    sib = times[other["table"]][other["anchor"]].to_numpy(dtype=float)
    ok_sib = np.isfinite(sib)
    if not ok_sib.any():
        return None
    # one integer key per (parent, time): ranks of all times, offset by the parent's index
    ranks = pd.Series(np.concatenate([np.nan_to_num(own, nan=np.inf), np.nan_to_num(sib, nan=np.inf)])
                      ).rank(method="min").to_numpy(dtype=np.int64)
    span = int(ranks.max()) + 1
    own_key = mine.astype(np.int64) * span + ranks[:own.size]
    sib_key = theirs.astype(np.int64) * span + ranks[own.size:]
    rows = np.flatnonzero(ok_sib)
    order = rows[np.argsort(sib_key[rows], kind="stable")]
    sorted_keys = sib_key[order]
    group_start = np.searchsorted(sorted_keys, mine.astype(np.int64) * span, side="left")
    group_end = np.searchsorted(sorted_keys, (mine.astype(np.int64) + 1) * span, side="left")
    at = np.searchsorted(sorted_keys, own_key, side="right") - 1
    at = np.where(at >= group_start, at, group_start)  # none before: the earliest
    found = (group_end > group_start) & np.isfinite(own)
    return np.where(found, order[np.minimum(at, len(order) - 1)], -1)


def _refs(plan: dict[str, Any]) -> dict[str, str | None]:
    """Each non-anchor time's reference (plans saved before references were chosen: the
    anchor)."""
    refs = plan.get("offset_ref")
    return dict(refs) if refs is not None else dict.fromkeys(plan["offsets"], plan["anchor"])


def _decode(plan: dict[str, Any], targets: pd.DataFrame, pidx: np.ndarray | None,
            parent_anchor: np.ndarray | None) -> pd.DataFrame:
    """Targets back to the table's own columns, times as absolute seconds. ``parent_anchor``:
    each row's parent time its first event is an offset from (None: absolute)."""
    size = len(targets)
    frame = pd.DataFrame(index=pd.RangeIndex(size))
    anchor_col = plan["anchor"]
    anchor = np.full(size, np.nan)
    if anchor_col is not None and size:
        raw = pd.to_numeric(targets[anchor_col], errors="coerce").to_numpy(dtype=float)
        if plan["anchor_mode"] == "absolute" or pidx is None:
            anchor = raw
        else:
            rank = pd.Series(pidx).groupby(pidx).cumcount().to_numpy()
            first = rank == 0
            base = parent_anchor[pidx] if parent_anchor is not None and plan["parent_anchor"] \
                else np.full(size, np.nan)
            if plan.get("offsets_only"):
                own_time = np.where(np.isnan(base), raw, raw + np.nan_to_num(base))
                # siblings in time order: the k-th earliest time goes to the k-th sibling
                order = np.lexsort((np.nan_to_num(own_time, nan=np.inf), pidx))
                anchor = np.empty(size)
                anchor[np.sort(order)] = own_time[order]
            elif plan.get("split_first"):
                t0 = pd.to_numeric(targets[f"__t0.{anchor_col}"], errors="coerce").to_numpy(dtype=float)
                own_time = np.where(np.isnan(base), t0, t0 + np.nan_to_num(base))
                # later events add their gaps up; one without a gap restarts from its own time
                restart = first | np.isnan(raw)
                step = np.where(restart, own_time, np.clip(raw, 0, None))
                groups = np.cumsum(restart)  # siblings are contiguous (sample_blocks)
                anchor = pd.Series(np.nan_to_num(step)).groupby(groups).cumsum().to_numpy()
                anchor = np.where(restart & np.isnan(own_time), np.nan, anchor)
                anchor = pd.Series(anchor).groupby(pidx).cummax().to_numpy()  # stays in order
            else:
                gap = np.where(first, raw, np.clip(raw, 0, None))
                start = np.where(first & ~np.isnan(base), base, 0.0)
                step = np.nan_to_num(gap) + start
                cum = pd.Series(step).groupby(pidx).cumsum().to_numpy()
                # a first event with no parent time is absolute; later ones add up from it
                anchor = np.where(np.isnan(raw), np.nan, cum)
    decoded: dict[str, np.ndarray] = {} if anchor_col is None else {anchor_col: anchor}
    for col, ref in _refs(plan).items():  # references come first (anchor, then column order)
        values = pd.to_numeric(targets[col], errors="coerce").to_numpy(dtype=float)
        decoded[col] = values + decoded[ref] if ref else values
    for col in plan["own"]:
        frame[col] = decoded[col] if col in decoded else targets[col].to_numpy()
    return frame


def _restore(frame: pd.DataFrame, plan: dict[str, Any]) -> pd.DataFrame:
    out = {}
    for col in plan["columns"]:
        if col not in frame.columns:  # text/PII columns of a model saved before fakes
            continue
        dtype = plan["dtypes"][col]
        values = frame[col]
        if dtype.startswith("datetime64"):
            seconds = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
            finite = np.isfinite(seconds) & (np.abs(seconds) < 9.2e9)
            ns = np.where(finite, np.round(np.nan_to_num(seconds) * 1e6), 0).astype(np.int64) * 1000
            unit = float(plan.get("resolution", {}).get(col, 0.0))
            if unit > 0:
                ns = (np.round(ns / (unit * NS)) * (unit * NS)).astype(np.int64)
            stamps = pd.Series(pd.to_datetime(ns, unit="ns")).where(pd.Series(finite))
            if "," in dtype:  # timezone-aware ("datetime64[ns, Europe/London]"): seconds are UTC
                stamps = stamps.dt.tz_localize("UTC").dt.tz_convert(dtype.split(",", 1)[1].strip(" ]"))
            out[col] = stamps
        elif dtype.startswith(("int", "Int")) and col not in (plan["pk"],):
            numeric = pd.to_numeric(values, errors="coerce")
            out[col] = numeric.round().astype("Int64") if numeric.isna().any() else numeric.round().astype(np.int64)
        else:
            out[col] = _as_dtype(values.reset_index(drop=True), dtype)
    return pd.DataFrame(out)


_TRUE = {"true", "1", "1.0", "yes"}
_FALSE = {"false", "0", "0.0", "no"}


def _as_dtype(values: pd.Series, dtype: str) -> pd.Series:
    """A synthetic column in its real column's dtype family: a numeric or boolean column
    modelled as categorical levels (``hierarchical_dp`` draws every level as an object) comes
    back numeric / boolean (``boolean`` where values are missing), a pandas ``category`` or
    ``string`` column as that dtype. Anything else is returned as it is."""
    if dtype.startswith("float") and not pd.api.types.is_float_dtype(values):
        return pd.to_numeric(values, errors="coerce").astype(float)
    if dtype in ("bool", "boolean") and not pd.api.types.is_bool_dtype(values):
        text = values.astype(object).map(lambda v: str(v).strip().lower() if pd.notna(v) else "")
        flags = pd.Series(pd.array([True if t in _TRUE else False if t in _FALSE else None
                                    for t in text], dtype="boolean"), index=values.index)
        return flags.astype(bool) if dtype == "bool" and not flags.isna().any() else flags
    if dtype == "category" and not isinstance(values.dtype, pd.CategoricalDtype):
        return values.astype("category")
    if dtype.startswith("string") and not pd.api.types.is_string_dtype(values):
        return values.astype("string")
    return values
