"""Privacy units for ``dp_lm``: which documents DP-SGD protects together.

Why not one document per unit: per-document DP-SGD bounds what any single document changes
in the model, but a secret written into ten documents (a patient's phone number in each of
their notes, an account code pasted into every ticket of one customer) is ten documents.
Group privacy then gives only ``10 ε``, and the canary benchmark measures it: at ε = 8 a
character model ranks a secret seen in ten documents 1.2-2.4 bits above secrets it never
saw; as one unit, 0.5-0.8 bits, about what a secret seen once gets (docs/text.md).

User-level DP (McMahan et al., "Learning Differentially Private Recurrent Language Models",
2018) makes the unit of privacy the person: all of a unit's documents together add at most
one clipped gradient per step. ``dp_lm`` does the same with units built here:

* documents with the same value in ``group_field`` (a patient or customer id) are one unit;
* documents that share a *rare identifier-like token* (4+ characters with a digit, or with
  an ``@``: numbers, codes, e-mail addresses) found in 2 to ``max_docs`` documents are
  joined into one unit (union-find, rarest tokens first, so chains join too), as long as
  the unit stays within ``max_docs`` documents: without that cap, dates shared by a few
  notes each chain most of a corpus together (3000 labelled PII documents: one unit of
  1397). Tokens in more documents than that are common values (a year, a help-desk
  number), learned as population statistics.

Training draws units by Poisson sampling (as opacus draws documents) and, each time a unit
is drawn, one of its documents at random, so the accountant's ε is per unit. The linking
reads the corpus, so two corpora that differ in one document can differ in how documents
are grouped; the stated guarantee is for adding or removing one whole unit (a document that
only joins an existing unit changes that unit's content, which group privacy bounds by
about twice the unit's ε). Nothing about the units is stored except their count and size.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np

from synthguard.errors import ParameterError

# a token of 4+ characters holding a digit or an "@": numbers, codes, e-mail addresses
_TOKEN = re.compile(r"[\w@.+\-]{4,}")
_IDENTIFIER_LIKE = re.compile(r"[\d@]")


def default_max_docs(n_docs: int) -> int:
    """Identifiers in up to 20 documents or 1% of the corpus (the larger) join a unit."""
    return max(20, math.ceil(n_docs / 100))


@dataclass(frozen=True)
class PrivacyUnits:
    """A unit id per document (0..n_units-1) and what formed them (counts only)."""

    unit_of: np.ndarray
    n_units: int
    largest: int
    linked_documents: int  # documents in a unit of two or more

    def members(self) -> list[np.ndarray]:
        """Document indices of each unit, in unit order."""
        order = np.argsort(self.unit_of, kind="stable")
        bounds = np.searchsorted(self.unit_of[order], np.arange(self.n_units + 1))
        return [order[bounds[u]:bounds[u + 1]] for u in range(self.n_units)]

    def to_dict(self) -> dict[str, int]:
        return {"documents": len(self.unit_of), "units": self.n_units,
                "largest_unit": self.largest, "linked_documents": self.linked_documents}


def privacy_units(
    texts: Sequence[str], *, groups: Sequence[Hashable] | None = None,
    link_identifiers: bool = True, max_docs: int | None = None,
) -> PrivacyUnits:
    """Group documents into privacy units (see the module docstring for the rules)."""
    n = len(texts)
    if groups is not None and len(groups) != n:
        raise ParameterError(f"groups has {len(groups)} values for {n} documents")
    limit = default_max_docs(n) if max_docs is None else int(max_docs)
    if limit < 2:
        raise ParameterError(f"max_docs must be >= 2 to link anything, got {max_docs!r}")
    parent = list(range(n))
    size = [1] * n

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def join(docs: Sequence[int], cap: int | None) -> None:
        roots = sorted({find(d) for d in docs})
        if len(roots) < 2 or (cap is not None and sum(size[r] for r in roots) > cap):
            return
        for other in roots[1:]:
            parent[other] = roots[0]
            size[roots[0]] += size[other]

    if groups is not None:
        by_group: dict[Hashable, list[int]] = defaultdict(list)
        for i, g in enumerate(groups):
            if g is not None and not (isinstance(g, float) and math.isnan(g)):
                by_group[g].append(i)
        for docs in by_group.values():
            join(docs, cap=None)  # a stated group is one unit whatever its size
    if link_identifiers:
        by_token: dict[str, list[int]] = defaultdict(list)
        for i, text in enumerate(texts):
            for token in {t.strip(".-+").lower() for t in _TOKEN.findall(text)}:
                if len(token) >= 4 and _IDENTIFIER_LIKE.search(token):
                    by_token[token].append(i)
        # rarest first (the most identifying); a link that would make a unit larger than
        # ``limit`` documents is skipped, so chains of shared dates cannot build a giant unit
        for _, docs in sorted(by_token.items(), key=lambda kv: (len(kv[1]), kv[0])):
            if 2 <= len(docs) <= limit:
                join(docs, cap=limit)
    roots = np.array([find(i) for i in range(n)], dtype=np.int64)
    _, unit_of, sizes = np.unique(roots, return_inverse=True, return_counts=True)
    return PrivacyUnits(
        unit_of=unit_of.astype(np.int64), n_units=len(sizes),
        largest=int(sizes.max()) if len(sizes) else 0,
        linked_documents=int(sizes[sizes > 1].sum()),
    )
