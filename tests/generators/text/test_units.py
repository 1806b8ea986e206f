"""Privacy units: which documents dp_lm's DP-SGD protects together."""

from __future__ import annotations

import numpy as np
import pytest

from synthguard.errors import ParameterError
from synthguard.generators.text.units import default_max_docs, privacy_units


def _same(units, i: int, j: int) -> bool:
    return bool(units.unit_of[i] == units.unit_of[j])


def test_documents_sharing_a_rare_identifier_form_one_unit() -> None:
    texts = [
        "call me on 0612-345678 please",       # 0 -+ same number
        "my number is 0612-345678.",            # 1 -+
        "email bob.k@example.org today",        # 2 -+ same e-mail (case folded)
        "Bob.K@example.org wrote again",        # 3 -+
        "ticket ref 991234 closed",             # 4    unique number
        "the printer is broken",                # 5    no identifier
        "see 2024 report", "2024 again",        # 6, 7: 4-digit token shared -> linked
    ]
    units = privacy_units(texts)
    assert _same(units, 0, 1) and _same(units, 2, 3) and _same(units, 6, 7)
    assert len({int(units.unit_of[i]) for i in (0, 2, 4, 5, 6)}) == 5
    assert units.n_units == 5 and units.largest == 2 and units.linked_documents == 6
    members = units.members()
    assert sorted(np.concatenate(members).tolist()) == list(range(len(texts)))
    assert units.to_dict() == {"documents": 8, "units": 5, "largest_unit": 2, "linked_documents": 6}


def test_common_values_do_not_link_and_chains_do() -> None:
    common = [f"doc {i} year 2023" for i in range(50)]  # in 50 docs > max_docs=20: common
    units = privacy_units(common, max_docs=20)
    assert units.n_units == 50
    chain = ["a 1111x", "1111x b 2222y", "2222y c", "unrelated"]
    units = privacy_units(chain)
    assert _same(units, 0, 2) and units.n_units == 2  # 0-1 via 1111x, 1-2 via 2222y


def test_group_field_joins_documents_and_linking_can_be_off() -> None:
    texts = ["a", "b", "c", "code 123456", "code 123456"]
    units = privacy_units(texts, groups=["p1", None, "p1", "x", "y"], link_identifiers=False)
    assert _same(units, 0, 2) and not _same(units, 3, 4) and units.n_units == 4
    with pytest.raises(ParameterError, match="groups"):
        privacy_units(texts, groups=["p1"])
    with pytest.raises(ParameterError, match="max_docs"):
        privacy_units(texts, max_docs=1)
    assert default_max_docs(500) == 20 and default_max_docs(10_000) == 100


def test_chains_of_shared_values_cannot_build_a_giant_unit() -> None:
    # each note shares one date with the next: unchecked union-find would make one unit of 100
    notes = [f"seen 2023-01-{i:03d} and 2023-01-{i + 1:03d}" for i in range(100)]
    units = privacy_units(notes, max_docs=20)
    assert units.largest <= 20 and units.n_units >= 5
    # a secret in 10 documents is still one unit next to the chains
    secret = [f"my code is 482913. note {i}" for i in range(10)]
    mixed = privacy_units(notes + secret, max_docs=20)
    assert len({int(u) for u in mixed.unit_of[100:]}) == 1
