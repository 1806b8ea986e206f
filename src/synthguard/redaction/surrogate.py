"""Realistic fake values of the same type: consistent, seeded, format-keeping.

Consistency without shared state: the fake for a value is drawn from a Faker instance seeded
with HMAC-SHA256(key = seed [+ user key], message = entity type + normalised value). Two
processes (or two runs with the same seed) therefore map ``John Smith`` to the same fake name
without talking to each other. Names are mapped token by token (first names to first names,
surnames to surnames), so ``John Smith``, ``Mr Smith`` and ``SMITH, John`` stay coherent.
Dates stay dates in the same written format, phone numbers and IDs keep their shape, cards
keep a valid Luhn digit and IBANs a valid checksum.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import random
import re
import string
from typing import Any

from synthguard.redaction import _gazetteers as gz


@functools.lru_cache(maxsize=1)
def _faker() -> Any:
    from faker import Faker

    return Faker("en_US")


def _rng_seed(seed: int, key: bytes | None, entity: str, value: str) -> int:
    secret = b"synthguard-surrogate:" + str(int(seed)).encode() + b":" + (key or b"")
    mac = hmac.new(secret, f"{entity}\x00{value}".encode(), hashlib.sha256).digest()
    return int.from_bytes(mac[:8], "big")


def _norm(value: str) -> str:
    return " ".join(value.split()).casefold()


def _rng(seed: int, key: bytes | None, entity: str, value: str) -> random.Random:
    return random.Random(_rng_seed(seed, key, entity, _norm(value)))


def _fake(seed: int, key: bytes | None, entity: str, value: str) -> Any:
    fake = _faker()
    fake.seed_instance(_rng_seed(seed, key, entity, _norm(value)))
    return fake


def _match_case(template: str, new: str) -> str:
    if template.isupper() and len(template) > 1:
        return new.upper()
    if template.islower():
        return new.lower()
    return new


def _differs(original: str, make: Any, tries: int = 5) -> str:
    out = str(make(0))
    for i in range(1, tries):
        if _norm(out) != _norm(original):
            return out
        out = str(make(i))
    return out


def shape_keep(value: str, rng: random.Random, *, keep_prefix: int = 0,
               letters: bool = True) -> str:
    """Replace each digit (and letter) by a random one of the same class; keep the rest."""
    out = []
    for i, c in enumerate(value):
        if i < keep_prefix:
            out.append(c)
        elif c.isdigit():
            out.append(rng.choice(string.digits))
        elif not letters:
            out.append(c)
        elif c.isupper():
            out.append(rng.choice(string.ascii_uppercase))
        elif c.islower():
            out.append(rng.choice(string.ascii_lowercase))
        else:
            out.append(c)
    result = "".join(out)
    if result == value and any(c.isalnum() for c in value[keep_prefix:]):
        return shape_keep(value, rng, keep_prefix=keep_prefix, letters=letters)
    return result


def _person(value: str, seed: int, key: bytes | None) -> str:
    first = gz.first_names()
    parts = re.split(r"([\s,.\-]+)", value)
    out = []
    for part in parts:
        if not part or not part[0].isalpha():
            out.append(part)
            continue
        if len(part) <= 2 and part.isupper():  # initials
            rng = _rng(seed, key, "INITIAL", part)
            out.append(rng.choice(string.ascii_uppercase) * 1 + part[1:].lower())
            continue
        if part.lower() in {"mr", "mrs", "ms", "miss", "dr", "prof", "sir", "dame", "mx", "van",
                            "von", "de", "der", "du", "la", "le", "da", "di", "del"}:
            out.append(part)
            continue
        kind = "FIRST" if part.capitalize() in first else "LAST"
        fake = _fake(seed, key, kind, part)
        new = _differs(part, lambda i, f=fake, k=kind: f.first_name() if k == "FIRST" else f.last_name())
        out.append(_match_case(part, new))
    return "".join(out)


def _date(value: str, seed: int, key: bytes | None) -> str:
    """Same written format, still a valid date/time (see ``_dates``); other values keep
    their words and get new digits."""
    from synthguard.redaction._dates import surrogate_date

    rng = _rng(seed, key, "DATE_TIME", value)
    out = surrogate_date(value, rng)
    if out is not None and out != value:
        return out
    return shape_keep(value, rng, letters=False) if any(c.isdigit() for c in value) else value


def _luhn_complete(prefix: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(prefix)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return prefix + str((10 - total % 10) % 10)


def _card(value: str, rng: random.Random) -> str:
    digits = [c for c in value if c.isdigit()]
    body = digits[0] + "".join(rng.choice(string.digits) for _ in digits[1:-1])
    new_digits = iter(_luhn_complete(body))
    return "".join(next(new_digits) if c.isdigit() else c for c in value)


def _iban(value: str, rng: random.Random) -> str:
    compact = re.sub(r"\s", "", value).upper()
    country, bban = compact[:2], compact[4:]
    new_bban = "".join(rng.choice(string.digits) if c.isdigit() else rng.choice(string.ascii_uppercase)
                       for c in bban)
    numeric = int("".join(str(int(c, 36)) for c in new_bban + country + "00"))
    check = 98 - numeric % 97
    new = f"{country}{check:02d}{new_bban}"
    it = iter(new)
    return "".join(next(it) if not c.isspace() else c for c in value)


def _phone(value: str, rng: random.Random) -> str:
    m = re.match(r"\s*(?:\+|00)\d{1,3}", value)
    return shape_keep(value, rng, keep_prefix=m.end() if m else 0, letters=False)


def _ip(value: str, rng: random.Random) -> str:
    if ":" in value:
        return ":".join(f"{rng.randint(0, 0xFFFF):x}" if part else "" for part in value.split(":"))
    cidr = ""
    if "/" in value:
        value, cidr = value.split("/", 1)
        cidr = "/" + cidr
    return ".".join(str(rng.randint(1, 254)) for _ in value.split(".")) + cidr


def _email(value: str, seed: int, key: bytes | None) -> str:
    fake = _fake(seed, key, "EMAIL_ADDRESS", value)
    return _differs(value, lambda i: f"{fake.user_name()}{i or ''}@{fake.free_email_domain() if i % 2 == 0 else fake.domain_name()}")


def _url(value: str, seed: int, key: bytes | None) -> str:
    fake = _fake(seed, key, "URL", value)
    m = re.match(r"([a-zA-Z][\w+.\-]*://)?(www\.)?([^/\s]+)(.*)", value)
    if not m:
        return str(fake.url())
    scheme, www, _, path = m.groups()
    new_path = "/" + fake.uri_path() if path and path != "/" else (path or "")
    return f"{scheme or ''}{www or ''}{fake.domain_name()}{new_path}"


def _age(value: str, rng: random.Random) -> str:
    m = re.search(r"\d+", value)
    if not m:
        return value
    n = int(m.group(0))
    new = n
    while new == n:
        new = max(1, n + rng.randint(-6, 6))
    return value[: m.start()] + str(new) + value[m.end():]


def _nrp(value: str, rng: random.Random) -> str:
    for group in (gz.DEMONYMS, gz.RELIGIONS, gz.POLITICAL):
        words = gz.split_list(group)
        if value in words:
            return rng.choice([w for w in words if w != value])
    return rng.choice(gz.split_list(gz.DEMONYMS))


def _nhs(value: str, rng: random.Random) -> str:
    """Another 10-digit number with a valid NHS mod-11 check digit, same separators."""
    from synthguard.redaction._patterns import nhs_ok

    digits = re.sub(r"\D", "", value)
    new = digits
    while new == digits or not nhs_ok(new):
        body = "".join(rng.choice(string.digits) for _ in range(9))
        total = sum(int(d) * w for d, w in zip(body, range(10, 1, -1), strict=True))
        check = (11 - total % 11) % 11
        new = body + str(check) if check != 10 else digits
    it = iter(new)
    return "".join(next(it) if c.isdigit() else c for c in value)


def _username(value: str, seed: int, key: bytes | None) -> str:
    fake = _fake(seed, key, "USERNAME", value)
    sep = next((c for c in value if c in "._-"), "")

    def make(i: int) -> str:
        new = f"{fake.first_name()[:1]}{sep}{fake.last_name()}".lower() if sep else str(fake.user_name())
        if any(c.isdigit() for c in value):
            new += str(fake.random_int(1, 999))
        return new

    return _differs(value, make)


def surrogate_value(value: str, entity: str, *, seed: int = 0, key: bytes | None = None) -> str:
    """A fake replacement for ``value`` of ``entity`` type; same input -> same output."""
    if not value.strip():
        return value
    rng = _rng(seed, key, entity, value)
    if entity == "PERSON":
        return _person(value, seed, key)
    if entity == "DATE_TIME":
        return _date(value, seed, key)
    if entity == "PHONE_NUMBER":
        return _phone(value, rng)
    if entity == "CREDIT_CARD":
        return _card(value, rng)
    if entity == "IBAN_CODE":
        return _iban(value, rng)
    if entity == "IP_ADDRESS":
        return _ip(value, rng)
    if entity == "EMAIL_ADDRESS":
        return _email(value, seed, key)
    if entity == "URL":
        return _url(value, seed, key)
    if entity == "AGE":
        return _age(value, rng)
    if entity == "NRP":
        return _nrp(value, rng)
    if entity == "UK_NHS":
        return _nhs(value, rng)
    if entity == "USERNAME":
        return _username(value, seed, key)
    if entity in {"US_SSN", "US_DRIVER_LICENSE", "POSTCODE", "ID_NUMBER", "PASSPORT", "VEHICLE_PLATE"}:
        return shape_keep(value, rng)
    fake = _fake(seed, key, entity, value)
    if entity == "ADDRESS":
        lines = value.count("\n")
        if lines:
            new = fake.address()
            return _differs(value, lambda i: fake.address() if i else new)
        return _differs(value, lambda i: fake.street_address())
    if entity == "LOCATION":
        if value in gz.countries():
            return _differs(value, lambda i: fake.country())
        return _differs(value, lambda i: fake.city())
    if entity == "ORGANIZATION":
        return _differs(value, lambda i: fake.company())
    if entity == "JOB_TITLE":
        return _match_case(value, _differs(value, lambda i: fake.job()))
    return shape_keep(value, rng)
