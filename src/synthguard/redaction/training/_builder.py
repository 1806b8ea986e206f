"""Build one labelled document piece by piece, keeping exact gold offsets.

A family writes literal text and ``{slot}`` placeholders; each slot draws a value of one
entity type (or an unlabelled distractor: roles, vague time phrases, reference numbers).
The document's *style* is applied to every piece as it is added, so offsets stay exact:
lower case, ALL CAPS, only names in lower case (``leidy t muris``), and OCR-like
character confusions.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable

from synthguard.redaction._types import LabelledDoc, Span
from synthguard.redaction.training._values import Values

# Words that look like entities but are not: the model must learn to leave them alone.
ROLES = ("Caller", "GP", "Patient", "Pt", "Manager", "Client", "Customer", "Agent", "Nurse",
         "Doctor", "Consultant", "Supervisor", "Tenant", "Landlord", "Applicant", "Employee",
         "Staff", "Reception", "Pharmacy", "Admin", "Support", "Team Lead", "HR", "IT", "Finance",
         "Security", "Driver", "Courier", "Engineer", "Technician", "the registrar", "the consultant",
         "Mum", "Dad", "the carer", "Ward Sister", "A&E", "ICU", "Triage", "Dispatch", "Billing")
VAGUE_TIMES = ("every night", "last week", "this morning", "yesterday", "tomorrow", "tonight",
               "twice a day", "every morning", "at night", "next week", "last month", "recently",
               "in the evening", "over the weekend", "a few days ago", "earlier today", "daily",
               "later today", "each week", "most nights", "for two weeks", "since Monday",
               "on weekends", "after lunch", "before bed", "this afternoon", "soon", "later")
COMMON_CAPS = ("Please", "Thanks", "Unfortunately", "However", "Meanwhile", "Also", "Regarding",
               "Note", "Update", "Follow", "Reminder", "Urgent", "Overall", "Today", "Hopefully",
               "Apparently", "Otherwise", "Additionally", "Again", "Sorry", "Yes", "No", "Okay",
               "Great", "Sure", "Welcome", "Summary", "Plan", "Action", "Status", "Priority",
               "Review", "Approved", "Pending", "Closed", "Resolved", "Warning", "Important")

_OCR = {"l": "1", "1": "l", "O": "0", "0": "O", "o": "0", "e": "c", "c": "e", "i": "l",
        "S": "5", "5": "S", "B": "8", "m": "n", "n": "m", "a": "o", "I": "l", "u": "v"}
_SLOT = re.compile(r"\{(\w+)\}")


def _slots(v: Values) -> dict[str, tuple[str | None, Callable[[], str]]]:
    return {
        "person": ("PERSON", v.person),
        "hperson": ("PERSON", lambda: v.person(honorific=1.0)),
        "first": ("PERSON", v.first_name),
        "last": ("PERSON", v.last_name),
        # names as people type them in informal text: all lower case or ALL CAPS, whatever
        # the document's style ("maria: ok see you", "thx GRETTA")
        "lfirst": ("PERSON", lambda: v.first_name().lower()),
        "lperson": ("PERSON", lambda: v.person().lower()),
        "ufirst": ("PERSON", lambda: v.first_name().upper()),
        "org": ("ORGANIZATION", v.organisation),
        "city": ("LOCATION", v.city),
        "country": ("LOCATION", v.country),
        "state": ("LOCATION", v.state),
        "postcode": ("POSTCODE", v.postcode),
        "street": ("ADDRESS", v.street),
        "unit": ("ADDRESS", v.unit),
        "apt": ("ADDRESS", v.unit_piece),
        "address": ("ADDRESS", lambda: v.address(multiline=False)),
        "address_ml": ("ADDRESS", lambda: v.address(multiline=True)),
        "age": ("AGE", v.age),
        "date": ("DATE_TIME", v.date),
        "time": ("DATE_TIME", v.time),
        "phone": ("PHONE_NUMBER", v.phone),
        "email": ("EMAIL_ADDRESS", v.email),
        "url": ("URL", v.url),
        "ip": ("IP_ADDRESS", v.ip),
        "card": ("CREDIT_CARD", v.card),
        "iban": ("IBAN_CODE", v.iban),
        "ssn": ("US_SSN", v.ssn),
        "job": ("JOB_TITLE", v.job),
        "nrp": ("NRP", v.nrp),
        # unlabelled distractors
        "num": (None, lambda: v.number(v.rng.randint(4, 8))),
        "role": (None, lambda: v.pick(ROLES)),
        "vague": (None, lambda: v.pick(VAGUE_TIMES)),
        "common": (None, lambda: v.pick(COMMON_CAPS)),
    }


class DocBuilder:
    """Accumulates text pieces and gold spans for one document."""

    def __init__(self, values: Values, *, style: str = "normal", ocr: float = 0.0) -> None:
        self.v = values
        self.rng: random.Random = values.rng
        self.style = style
        self.ocr = ocr
        self._pieces: list[str] = []
        self._spans: list[Span] = []
        self._pos = 0
        self._slots = _slots(values)

    def _styled(self, piece: str, entity: str | None) -> str:
        out = piece
        if self.style == "lower" or (self.style == "names_lower" and entity in {"PERSON", "LOCATION", "ADDRESS", "ORGANIZATION"}):
            out = piece.lower()
        elif self.style == "upper" or (self.style == "names_upper" and entity == "PERSON"):
            out = piece.upper()
        if len(out) != len(piece):  # a few Unicode letters change length with case
            out = piece
        if self.ocr:
            chars = list(out)
            for i, ch in enumerate(chars):
                if ch in _OCR and self.rng.random() < self.ocr:
                    chars[i] = _OCR[ch]
            out = "".join(chars)
        return out

    def text(self, literal: str) -> DocBuilder:
        piece = self._styled(literal, None)
        self._pieces.append(piece)
        self._pos += len(piece)
        return self

    def value(self, value: str, entity: str | None) -> DocBuilder:
        piece = self._styled(value, entity)
        if entity is not None and piece.strip():
            lead = len(piece) - len(piece.lstrip())
            trail = len(piece) - len(piece.rstrip())
            self._spans.append(Span(self._pos + lead, self._pos + len(piece) - trail, entity, 1.0))
        self._pieces.append(piece)
        self._pos += len(piece)
        return self

    def slot(self, name: str) -> str:
        entity, make = self._slots[name]
        value = make()
        self.value(value, entity)
        return value

    def fill(self, template: str) -> DocBuilder:
        """Write ``template``, drawing a fresh value for each ``{slot}``."""
        cursor = 0
        for m in _SLOT.finditer(template):
            if m.start() > cursor:
                self.text(template[cursor:m.start()])
            self.slot(m.group(1))
            cursor = m.end()
        if cursor < len(template):
            self.text(template[cursor:])
        return self

    def pick_fill(self, templates: tuple[str, ...] | list[str]) -> DocBuilder:
        return self.fill(templates[self.rng.randrange(len(templates))])

    def build(self) -> LabelledDoc:
        return LabelledDoc("".join(self._pieces), list(self._spans))
