"""Detection from document structure (``redaction._structure`` and ``redaction._refine``), through the real engine:
chat speakers, cued table headers, headerless columns, form fields, names seen elsewhere in
the document, postcodes after towns, and the pattern fixes that came with them. Hand-written
cases, one small document per feature; real spaCy and Presidio."""

from __future__ import annotations

import pytest

from synthguard.redaction import RedactionEngine, Span
from synthguard.redaction._structure import header_entity, name_parts, scan_structure, tables
from synthguard.redaction.recognizers import RECOGNIZERS


def _found(engine: RedactionEngine, text: str) -> list[Span]:
    return engine.analyze([text])[0]


def _covered(spans: list[Span], text: str, value: str, entity: str | None = None) -> bool:
    start = text.index(value)
    end = start + len(value)
    chars = {i for s in spans if entity is None or s.entity_type == entity
             for i in range(s.start, s.end)}
    return all(i in chars for i in range(start, end) if not text[i].isspace())


def _touched(spans: list[Span], text: str, value: str) -> bool:
    start = text.index(value)
    return any(s.start < start + len(value) and start < s.end for s in spans)


def test_structure_is_a_registered_recognizer() -> None:
    assert "structure" in RECOGNIZERS
    recognizer = RECOGNIZERS.get("structure")(0.35)
    results = recognizer.analyze("ashley: ok see you", [])
    assert [(r.entity_type, r.start, r.end) for r in results] == [("PERSON", 0, 6)]


@pytest.mark.parametrize("text, name", [
    ("ashley: ok see you\nme: bye", "ashley"),
    ("[10:02] Tom K: running late\n[10:03] Priya: fine", "Tom K"),
    ("<zuwena> anyone up?\n<kofi> yes", "zuwena"),
    ("14:02 - Oluwaseun Adeyemi: on my way", "Oluwaseun Adeyemi"),
    ("GRETTA wrote: see attached", "GRETTA"),
    ("john: who has the keys?\nzuwena: me", "john"),
    ("[09:12] Mark: on my way", "Mark"),
])
def test_chat_speakers_are_names(engine: RedactionEngine, text: str, name: str) -> None:
    assert _covered(_found(engine, text), text, name, "PERSON")


@pytest.mark.parametrize("text, word", [
    ("Summary: stable overnight\nPlan: review", "Summary"),
    ("Note: fasting from midnight", "Note"),
    ("Caller: unknown number", "Caller"),
    ("Status: resolved\nPriority: low", "Priority"),
    ("[10:02] Update: deployed", "Update"),
])
def test_section_labels_are_not_speakers(engine: RedactionEngine, text: str, word: str) -> None:
    assert not _touched(_found(engine, text), text, word)


def test_a_frequent_word_needs_a_chat_to_be_a_speaker() -> None:
    assert scan_structure("Mark: 7/10\nBill: 40 pounds") == []
    text = "mark: hi\nzuwena: hey"
    assert [text[a:b] for _, a, b, _ in scan_structure(text)] == ["mark", "zuwena"]


def test_cued_header_types_the_cells_below(engine: RedactionEngine) -> None:
    text = "name,age,zip,city\nmaria lopez,54,90210,springfield\nivo petrov,33,10115-2345,Berlin"
    spans = _found(engine, text)
    for value, entity in [("maria lopez", "PERSON"), ("ivo petrov", "PERSON"), ("54", "AGE"),
                          ("33", "AGE"), ("90210", "POSTCODE"), ("10115-2345", "POSTCODE"),
                          ("springfield", "LOCATION")]:
        assert _covered(spans, text, value, entity), value
    assert not _touched(spans, text, "name,age")  # the header itself stays


@pytest.mark.parametrize("sep", ["\t", "|", ";", ", "])
def test_table_separators_are_read(sep: str) -> None:
    text = sep.join(["first", "last", "town"]) + "\n" + sep.join(["anna", "kowalczyk", "Lodz"])
    (table,) = tables(text)
    assert table.header == 0
    assert [text[a:b] for a, b in table.rows[1]] == ["anna", "kowalczyk", "Lodz"]


def test_header_words() -> None:
    assert header_entity("first_name") == "PERSON"
    assert header_entity("last") == "PERSON"
    assert header_entity("Postcode") == "POSTCODE"
    assert header_entity("ZIP") == "POSTCODE"
    assert header_entity("Age") == "AGE"
    assert header_entity("username") is None  # the pattern recognizers' job
    assert header_entity("notes") == "FREE_TEXT"


def test_prose_with_commas_is_not_a_table() -> None:
    text = ("We met, as planned, at the station and talked for an hour.\n"
            "Then, after lunch, we walked back home along the river.")
    assert tables(text) == ()


def test_headerless_column_takes_the_type_of_its_other_cells(engine: RedactionEngine) -> None:
    text = ("Maria Lopez|Madrid|approved\nJonas Berg|Oslo|pending\n"
            "Kwabena Mensah|Accra|approved\nzuwena okafor|Lagos|pending")
    spans = _found(engine, text)
    assert _covered(spans, text, "zuwena okafor")
    assert not _touched(spans, text, "pending")


def test_a_column_of_reference_numbers_is_not_postcodes(engine: RedactionEngine) -> None:
    text = "Lyon\t69003\t4471\nParis\t75002\t88231\nNice\t06000\t123"
    spans = _found(engine, text)
    assert not _touched(spans, text, "4471") and not _touched(spans, text, "88231")


@pytest.mark.parametrize("text, value", [
    ("Caller: leidy t muris\nReason: fall at home", "leidy t muris"),
    ("Patient: Gyala Antall\nDOB: 14/03/1961", "Gyala Antall"),
    ("Next of kin: Willemine ten Pas (daughter)", "Willemine ten Pas"),
    ("Seen by: Dr Okonkwo", "Okonkwo"),
    ("Name: BJÖRN LINDQVIST", "BJÖRN LINDQVIST"),
])
def test_form_field_values_are_names(engine: RedactionEngine, text: str, value: str) -> None:
    assert _covered(_found(engine, text), text, value, "PERSON")


@pytest.mark.parametrize("text, label", [
    ("Caller: leidy t muris", "Caller"),
    ("Patient: Gyala Antall", "Patient"),
    ("GP: Dr Willemine ten Pas", "GP"),
    ("Ref: 44821\nName: Ann Lee", "Ref"),
    ("Name: Ann Lee", "Name"),
])
def test_labels_are_never_masked(engine: RedactionEngine, text: str, label: str) -> None:
    assert not _touched(_found(engine, text), text, label)


def test_form_field_values_that_are_not_names(engine: RedactionEngine) -> None:
    text = "Caller: declined to give a name\nPatient: not known"
    found = scan_structure(text)
    assert not any(e == "PERSON" for e, *_ in found)


def test_address_field_ends_at_the_sentence(engine: RedactionEngine) -> None:
    text = "Home address on file: 12 Elm Street, Springfield, 62704-1234. Caller states she fell."
    spans = _found(engine, text)
    assert _covered(spans, text, "12 Elm Street, Springfield, 62704-1234")
    assert not _touched(spans, text, "Caller states")


def test_a_name_seen_once_is_masked_everywhere_in_the_document(engine: RedactionEngine) -> None:
    text = "Patient: Ashley Brown\nlater ashley said the pain was better. ASHLEY to call back."
    spans = _found(engine, text)
    for word in ["ashley", "ASHLEY"]:
        start = text.index(word, len("Patient: Ashley Brown"))
        assert any(s.start <= start and start + len(word) <= s.end for s in spans), word


def test_an_everyday_name_word_spreads_only_as_written(engine: RedactionEngine) -> None:
    text = "Grant Okafor phoned. We will grant the request, and Grant agreed."
    spans = _found(engine, text)
    lower = text.index("grant the")
    assert not any(s.start <= lower < s.end for s in spans)
    upper = text.index("Grant agreed")
    assert any(s.start <= upper < s.end for s in spans)


def test_name_parts_skip_titles_and_particles() -> None:
    assert name_parts("Dr Willemine ten Pas") == ["Willemine", "Pas"]
    assert name_parts("Mr Oluwaseun Adeyemi") == ["Oluwaseun", "Adeyemi"]


def test_postcode_right_after_a_town(engine: RedactionEngine) -> None:
    text = "She moved to Lyon 69003 last spring."
    assert _covered(_found(engine, text), text, "69003")
    text = "We were in Paris, 2019 was a good year."
    assert not _touched(_found(engine, text), text, "2019") or all(
        s.entity_type != "POSTCODE" for s in _found(engine, text))


@pytest.mark.parametrize("sep", ["\t", "|", ";"])
def test_model_spans_stop_at_cell_separators(engine: RedactionEngine, sep: str) -> None:
    text = f"Ingrid Halvorsen{sep}Caller{sep}Oslo"
    for s in _found(engine, text):
        assert sep not in text[s.start:s.end]


def test_phone_numbers_do_not_run_across_lines(engine: RedactionEngine) -> None:
    text = "Call me on 555 123 4567\n1234 tomorrow"
    phones = [s for s in _found(engine, text) if s.entity_type == "PHONE_NUMBER"]
    assert [text[s.start:s.end] for s in phones] == ["555 123 4567"]


def test_zip_plus_four_is_a_postcode(engine: RedactionEngine) -> None:
    text = "Mail it to PO Box 12, Austin, TX 78701-4421 please"
    spans = _found(engine, text)
    assert _covered(spans, text, "78701-4421")
    assert not any(s.entity_type == "PHONE_NUMBER" for s in spans)
    text = "the code was 10115-2345 on the form"
    assert [s.entity_type for s in _found(engine, text)] == ["POSTCODE"]


@pytest.mark.parametrize("text, age", [
    ("Pt is 54 y/o and alert.", "54"),
    ("she's 61 and lives alone", "61"),
    ("aged 47, non-smoker", "47"),
    ("I'm 23 and a student", "23"),
    ("he turned 40 last week", "40"),
    ("she's 40 not 45", "45"),
])
def test_age_phrases(engine: RedactionEngine, text: str, age: str) -> None:
    assert _covered(_found(engine, text), text, age, "AGE")


@pytest.mark.parametrize("text", ["she's 5 minutes away", "he is 30 kg lighter", "I'm 100% sure"])
def test_numbers_that_are_not_ages(engine: RedactionEngine, text: str) -> None:
    assert not any(s.entity_type == "AGE" for s in _found(engine, text))


@pytest.mark.parametrize("text, street", [
    ("Lives at Hauptstrasse 12 in Bonn.", "Hauptstrasse 12"),
    ("Send it to 12 rue de la Paix, Paris.", "12 rue de la Paix"),
    ("Our office: 4 Rue Victor Hugo, Lyon", "4 Rue Victor Hugo"),
    ("Calle Mayor 12, 28013 Madrid", "Calle Mayor 12"),
])
def test_european_street_addresses(engine: RedactionEngine, text: str, street: str) -> None:
    assert _covered(_found(engine, text), text, street, "ADDRESS")


def test_town_after_a_postcode(engine: RedactionEngine) -> None:
    text = "Old address Keizersgracht 212, 1016 DZ Amsterdam is no longer valid."
    assert _covered(_found(engine, text), text, "Keizersgracht 212, 1016 DZ Amsterdam")


def test_a_town_left_after_its_postcode_is_kept(engine: RedactionEngine) -> None:
    text = "Home address: Keizersgracht 212, 1016 DZ Amsterdam\nDate of birth: 2 June 1988"
    assert _covered(_found(engine, text), text, "Keizersgracht 212, 1016 DZ Amsterdam")


def test_a_role_before_its_colon_is_a_label(engine: RedactionEngine) -> None:
    text = "SSN: 536-22-1478\nManager: Rafael Ortega"
    spans = _found(engine, text)
    assert not _touched(spans, text, "Manager")
    assert _covered(spans, text, "Rafael Ortega", "PERSON")
