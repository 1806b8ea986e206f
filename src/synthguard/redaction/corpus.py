"""A labelled corpus generator: Faker-filled templates with exact gold span offsets.

Documents are letters, clinical notes, support tickets, HR records and forms, with values
from several Faker locales (international names, addresses, phones). Templates come in two
disjoint families, ``"a"`` and ``"b"``, so that detection rules can be tuned on one family
and measured on the other (unseen wording), with a different seed. :func:`score_spans`
gives character-level recall, precision and F2 overall and recall per entity type.
"""

from __future__ import annotations

import datetime as dt
import random
import re
import string
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from synthguard.errors import ParameterError
from synthguard.redaction._types import LabelledDoc, Span

_LOCALES = ("en_US", "en_US", "en_US", "en_GB", "de_DE", "fr_FR", "es_ES", "it_IT", "nl_NL", "en_CA", "en_AU")

Slot = Callable[[Any, random.Random], str]


def _dl(fake: Any, rng: random.Random) -> str:
    shapes = ["A#######", "A########", "A###-####-####", "#########", "AA######", "A### ### ### ###",
              "###-###-###", "A#######A", "A############"]
    shape = rng.choice(shapes)
    return "".join(rng.choice(string.ascii_uppercase) if c == "A" else rng.choice(string.digits) if c == "#" else c for c in shape)


def _date(fake: Any, rng: random.Random) -> str:
    # absolute bounds: relative ones ("-80y") move with the clock and break reproducibility
    d = fake.date_between(start_date=dt.date(1945, 1, 1), end_date=dt.date(2026, 12, 31))
    fmt = rng.choice(["%Y-%m-%d", "%d/%m/%Y", "%m/%d/%Y", "%B %d, %Y", "%d %B %Y", "%b %d, %Y",
                      "%d.%m.%Y", "%A, %B %d, %Y", "%d %b %Y", "%B %Y"])
    return str(d.strftime(fmt))


def _datetime(fake: Any, rng: random.Random) -> str:
    d = fake.date_time_between(start_date=dt.datetime(2020, 1, 1), end_date=dt.datetime(2026, 12, 31))
    fmt = rng.choice(["%Y-%m-%d %H:%M", "%d/%m/%Y at %H:%M", "%B %d, %Y at %I:%M %p", "%H:%M",
                      "%I:%M %p", "%Y-%m-%dT%H:%M:%S"])
    return str(d.strftime(fmt))


def _phone(fake: Any, rng: random.Random) -> str:
    if rng.random() < 0.2:
        return rng.choice(["+44 20 7946 0{:03d}", "+49 30 1234{:04d}", "+33 1 42 68 {:02d} {:02d}",
                           "+1 (415) 555-{:04d}", "+61 2 9876 {:04d}", "+31 20 123 {:04d}"]).format(
            *[rng.randint(0, 99) for _ in range(2)])
    return str(fake.phone_number())


def _age(fake: Any, rng: random.Random) -> str:
    return str(rng.randint(18, 95))


def _nrp(fake: Any, rng: random.Random) -> str:
    return rng.choice(["American", "British", "Canadian", "German", "French", "Mexican", "Nigerian",
                       "Indian", "Chinese", "Polish", "Italian", "Brazilian", "Irish", "Catholic",
                       "Muslim", "Jewish", "Hindu", "Buddhist", "Protestant", "Sikh", "Democrat",
                       "Republican", "Labour", "Conservative", "Socialist", "Vietnamese", "Korean",
                       "Filipino", "Pakistani", "Turkish", "Greek", "Swedish", "Kenyan", "Orthodox"])


def _domain(fake: Any, rng: random.Random) -> str:
    return str(fake.domain_name())


def _ip(fake: Any, rng: random.Random) -> str:
    return str(fake.ipv4() if rng.random() < 0.8 else fake.ipv6())


def _card(fake: Any, rng: random.Random) -> str:
    number = str(fake.credit_card_number())
    if rng.random() < 0.4 and len(number) == 16:
        sep = rng.choice([" ", "-"])
        number = sep.join(number[i:i + 4] for i in range(0, 16, 4))
    return number


def _iban(fake: Any, rng: random.Random) -> str:
    iban = str(fake.iban())
    if rng.random() < 0.4:
        iban = " ".join(iban[i:i + 4] for i in range(0, len(iban), 4))
    return iban


def _address(fake: Any, rng: random.Random) -> str:
    if rng.random() < 0.35:
        return str(fake.street_address())
    return str(fake.address())


def _address_inline(fake: Any, rng: random.Random) -> str:
    return str(fake.address()).replace("\n", ", ")


SLOTS: dict[str, tuple[str, Slot]] = {
    "name": ("PERSON", lambda f, r: str(f.name())),
    "first": ("PERSON", lambda f, r: str(f.first_name())),
    "last": ("PERSON", lambda f, r: str(f.last_name())),
    "name2": ("PERSON", lambda f, r: f"{f.first_name()} {f.last_name()}"),
    "address": ("ADDRESS", _address),
    "address_inline": ("ADDRESS", _address_inline),
    "street": ("ADDRESS", lambda f, r: str(f.street_address())),
    "city": ("LOCATION", lambda f, r: str(f.city())),
    "country": ("LOCATION", lambda f, r: str(f.country())),
    "postcode": ("POSTCODE", lambda f, r: str(f.postcode())),
    "company": ("ORGANIZATION", lambda f, r: str(f.company())),
    "job": ("JOB_TITLE", lambda f, r: str(f.job())),
    "nrp": ("NRP", _nrp),
    "age": ("AGE", _age),
    "date": ("DATE_TIME", _date),
    "datetime": ("DATE_TIME", _datetime),
    "phone": ("PHONE_NUMBER", _phone),
    "email": ("EMAIL_ADDRESS", lambda f, r: str(f.email())),
    "url": ("URL", lambda f, r: str(f.url())),
    "domain": ("URL", _domain),
    "ip": ("IP_ADDRESS", _ip),
    "card": ("CREDIT_CARD", _card),
    "iban": ("IBAN_CODE", _iban),
    "ssn": ("US_SSN", lambda f, r: str(f.ssn())),
    "dl": ("US_DRIVER_LICENSE", _dl),
}

# Family "a": the templates rules may be tuned on.
TEMPLATES_A = [
    "Dear {name},\n\nThank you for contacting {company}. Your appointment is on {date}. "
    "Please call us at {phone} or write to {email} if you need to reschedule.\n\nKind regards,\n{name}\n{job}",
    "Patient: {name}\nDOB: {date}\nAge: {age}\nAddress: {address}\nPhone: {phone}\n"
    "Notes: {first} is a {age}-year-old {nrp} patient seen on {datetime}. Referred by Dr. {last}.",
    "Ticket #{ticketno}: customer {name} ({email}) reports login failures from IP {ip}. "
    "Account page {url}. Callback number {phone}.",
    "EMPLOYEE RECORD\nName: {name}\nTitle: {job}\nEmployer: {company}\nSSN: {ssn}\n"
    "Start date: {date}\nHome address:\n{address}\nEmergency contact: {name} ({phone})",
    "Payment received from {name} with card {card} on {date}. Refunds go to IBAN {iban}. "
    "Receipt sent to {email}.",
    "{name} moved from {city} to {country} in {date}. She now works as a {job} at {company}.",
    "Driver's license number: {dl}\nIssued to {name}, {address_inline}\nDate of issue: {date}",
    "Hi {first}, the shipment to {street}, {city} {postcode} is scheduled for {datetime}. "
    "Track it at {domain}. Questions? Call {phone}.",
    "Incident report filed by {name} ({job}). Login from {ip} at {datetime}; user agent visited "
    "{url}. Contact: {email}, {phone}.",
    "Mr. {last} ({age}) is a {nrp} national living at {address_inline}. His SSN is {ssn} and "
    "his licence no. is {dl}.",
]
# Family "b": unseen wording, used to measure generalisation.
TEMPLATES_B = [
    "To whom it may concern,\n\nI am writing on behalf of {name}, aged {age}, who has been employed "
    "by {company} as {job} since {date}. Reach me at {phone}.\n\nSincerely,\n{name}\n{address}",
    "Clinic note {datetime}. Pt {name} presented with chest pain. Lives in {city}, {country}. "
    "Next of kin: {name}, tel {phone}. Email on file: {email}.",
    "Form A-12\nApplicant name: {name}\nStreet address: {address}\nE-mail: {email}\n"
    "Social security no.: {ssn}\nDriver licence #: {dl}\nDate signed: {date}",
    "We charged {card} for order {ticketno}. If this was not you, contact {company} at {phone} "
    "or transfer the balance to {iban}.",
    "{name} ({nrp}, {age}) applied for the {job} role. Portfolio: {url}. Current employer: "
    "{company}, {city}.",
    "Security alert: a new sign-in to {email} from {ip} on {datetime}. If this was not {first}, "
    "visit {domain} immediately.",
    "Delivery for {name2}\n{address}\nCourier called {phone} at {datetime} but nobody answered.",
    "Meeting with {name} and {name} from {company} on {date} about the {country} expansion. "
    "{first} will send the draft to {email}.",
    "Reference for {name2}: {first} joined us on {date} as a {job}. {first} is {age} years old and "
    "lives at {address_inline}.",
    "Wire details: account holder {name}, IBAN {iban}, bank contact {phone}. Card on file "
    "{card}, expires {date}.",
]


@dataclass(frozen=True)
class _Filled:
    text: str
    spans: list[Span]


def _fill(template: str, fakes: dict[str, Any], rng: random.Random) -> _Filled:
    pieces: list[str] = []
    spans: list[Span] = []
    pos = 0
    cursor = 0
    locale = rng.choice(_LOCALES)
    fake = fakes[locale]
    us_fake = fakes["en_US"]
    for m in re.finditer(r"\{(\w+)\}", template):
        literal = template[cursor:m.start()]
        pieces.append(literal)
        pos += len(literal)
        slot = m.group(1)
        if slot == "ticketno":
            value, entity = str(rng.randint(10000, 999999)), None
        else:
            entity, fn = SLOTS[slot]
            # US-specific identifiers come from the US locale whatever the document's locale
            src = us_fake if slot in {"ssn", "dl", "card"} else fake
            value = fn(src, rng)
        pieces.append(value)
        if entity is not None and value:
            spans.append(Span(pos, pos + len(value), entity, 1.0))
        pos += len(value)
        cursor = m.end()
    pieces.append(template[cursor:])
    return _Filled("".join(pieces), spans)


def make_labelled_corpus(n_docs: int, *, seed: int, templates: str = "all") -> list[LabelledDoc]:
    """``n_docs`` generated documents with gold spans; ``templates`` is "a", "b" or "all"."""
    from faker import Faker

    if n_docs < 0:
        raise ParameterError(f"n_docs must be >= 0, got {n_docs}")
    families = {"a": TEMPLATES_A, "b": TEMPLATES_B, "all": TEMPLATES_A + TEMPLATES_B}
    if templates not in families:
        raise ParameterError(f"templates must be one of {sorted(families)}, got {templates!r}")
    pool = families[templates]
    rng = random.Random(seed)
    fakes: dict[str, Any] = {}
    for i, loc in enumerate(sorted(set(_LOCALES))):
        fakes[loc] = Faker(loc)
        fakes[loc].seed_instance(seed * 1000 + i)
    docs = []
    for _ in range(n_docs):
        filled = _fill(rng.choice(pool), fakes, rng)
        docs.append(LabelledDoc(filled.text, filled.spans))
    return docs


@dataclass(frozen=True)
class SpanScores:
    """Character-level scores (entity-agnostic: a character is sensitive or not)."""

    recall: float
    precision: float
    f2: float
    per_entity_recall: dict[str, float]
    gold_chars: int
    predicted_chars: int

    def to_dict(self) -> dict[str, Any]:
        return {"recall": self.recall, "precision": self.precision, "f2": self.f2,
                "per_entity_recall": dict(self.per_entity_recall),
                "gold_chars": self.gold_chars, "predicted_chars": self.predicted_chars}


def _mask(length: int, spans: Sequence[Span], text: str) -> list[bool]:
    mask = [False] * length
    for s in spans:
        for i in range(max(0, s.start), min(length, s.end)):
            if not text[i].isspace():
                mask[i] = True
    return mask


def score_spans(texts: Sequence[str], gold: Sequence[Sequence[Span]],
                predicted: Sequence[Sequence[Span]]) -> SpanScores:
    """Recall/precision/F2 over non-space characters; recall per gold entity type.

    Whitespace is not counted so that a detector is neither rewarded nor punished for
    covering the line break inside a multi-line address.
    """
    tp = fp = fn = 0
    ent_hit: dict[str, int] = defaultdict(int)
    ent_all: dict[str, int] = defaultdict(int)
    for text, g, p in zip(texts, gold, predicted, strict=True):
        gm = _mask(len(text), g, text)
        pm = _mask(len(text), p, text)
        for a, b in zip(gm, pm, strict=True):
            tp += a and b
            fp += b and not a
            fn += a and not b
        for s in g:
            for i in range(s.start, s.end):
                if not text[i].isspace():
                    ent_all[s.entity_type] += 1
                    ent_hit[s.entity_type] += pm[i]
    recall = tp / (tp + fn) if tp + fn else 1.0
    precision = tp / (tp + fp) if tp + fp else 1.0
    f2 = 5 * precision * recall / (4 * precision + recall) if precision + recall else 0.0
    per = {e: ent_hit[e] / ent_all[e] for e in sorted(ent_all)}
    return SpanScores(recall, precision, f2, per, tp + fn, tp + fp)
