"""The training-corpus generators: seeded, exact offsets, every family, negatives unlabelled."""

from __future__ import annotations

import pytest

from synthguard.errors import ParameterError
from synthguard.redaction.training import FAMILIES, HELD_OUT, TRAINING, make_training_corpus


def test_same_seed_same_corpus_other_seed_differs() -> None:
    a = make_training_corpus(60, seed=3, families=FAMILIES.names())
    b = make_training_corpus(60, seed=3, families=FAMILIES.names())
    c = make_training_corpus(60, seed=4, families=FAMILIES.names())
    assert [d.to_dict() for d in a] == [d.to_dict() for d in b]
    assert [d.text for d in a] != [d.text for d in c]


def test_spans_are_exact_and_trimmed() -> None:
    docs = make_training_corpus(220, seed=11, families=FAMILIES.names())
    kinds = set()
    for doc in docs:
        for s in doc.spans:
            value = doc.text[s.start:s.end]
            assert value and value == value.strip(), (value, doc.text)
            kinds.add(s.entity_type)
    assert {"PERSON", "ORGANIZATION", "LOCATION", "ADDRESS", "AGE", "DATE_TIME"} <= kinds
    # styles: some documents are entirely lower case, some names are
    assert any(d.text == d.text.lower() and d.spans for d in docs)


def test_held_out_families_are_not_training_families() -> None:
    assert set(HELD_OUT).isdisjoint(TRAINING)
    assert set(HELD_OUT) | set(TRAINING) == set(FAMILIES.names())
    assert len(TRAINING) >= 8


def test_roles_and_vague_times_are_never_labelled() -> None:
    docs = make_training_corpus(300, seed=5, families=["negatives", "clinical"])
    for doc in docs:
        for s in doc.spans:
            value = doc.text[s.start:s.end].lower()
            assert value not in {"caller", "gp", "every night", "patient", "manager", "last week"}


def test_bad_arguments() -> None:
    with pytest.raises(ParameterError):
        make_training_corpus(-1, seed=0)
    with pytest.raises(ParameterError):
        make_training_corpus(3, seed=0, families=[])


def test_message_exports_label_speakers_and_lower_case_names() -> None:
    """The messages family teaches line-initial speaker names (in any case) and unit pieces;
    role labels of call transcripts ("AGENT:", "Caller:") stay unlabelled."""
    docs = make_training_corpus(200, seed=9, families=["messages"])
    speakers = lower = units = 0
    for doc in docs:
        starts = {0} | {i + 1 for i, ch in enumerate(doc.text) if ch == "\n"}
        for s in doc.spans:
            value = doc.text[s.start:s.end]
            if s.entity_type == "PERSON":
                speakers += s.start in starts
                lower += value.islower()
                assert value.lower() not in {"agent", "customer", "caller", "operator"}
            units += s.entity_type == "ADDRESS" and any(
                value.lower().startswith(u) for u in ("apt", "flat", "unit", "suite"))
    assert speakers >= 100 and lower >= 100 and units >= 5


def test_corpus_does_not_depend_on_the_hash_seed() -> None:
    """The same seed gives the same corpus in every process (Faker's it_IT city list is
    built from a set, so its order used to follow PYTHONHASHSEED)."""
    import os
    import subprocess
    import sys

    code = ("import hashlib; from synthguard.redaction.training import FAMILIES, make_training_corpus; "
            "d = make_training_corpus(220, seed=4242, families=FAMILIES.names()); "
            "print(hashlib.sha256(repr([x.to_dict() for x in d]).encode()).hexdigest())")
    digests = set()
    for hash_seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        out = subprocess.run([sys.executable, "-c", code], env=env, check=True,
                             capture_output=True, text=True)
        digests.add(out.stdout.strip())
    assert len(digests) == 1
