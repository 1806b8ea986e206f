"""The entity types synthguard detects, with a one-line meaning each.

Names follow Presidio where Presidio has one (PERSON, LOCATION, NRP, DATE_TIME, ...), so
policies written for Presidio carry over; ADDRESS, POSTCODE, JOB_TITLE and AGE are ours.
"""

from __future__ import annotations

ENTITY_DESCRIPTIONS: dict[str, str] = {
    "PERSON": "person names",
    "ADDRESS": "street addresses (house number, street, unit; multi-line, international)",
    "LOCATION": "cities, states/regions and countries",
    "POSTCODE": "postal / ZIP codes",
    "ORGANIZATION": "companies, institutions and other organisations",
    "JOB_TITLE": "job titles and occupations",
    "NRP": "nationalities, religious and political groups",
    "AGE": "ages of people",
    "DATE_TIME": "dates and times",
    "PHONE_NUMBER": "telephone and fax numbers (international formats)",
    "EMAIL_ADDRESS": "e-mail addresses",
    "URL": "URLs and domain names",
    "IP_ADDRESS": "IPv4 and IPv6 addresses",
    "CREDIT_CARD": "payment card numbers (Luhn-checked)",
    "IBAN_CODE": "international bank account numbers (checksum-checked)",
    "US_SSN": "US social security numbers",
    "US_DRIVER_LICENSE": "US driver licence numbers",
    "ID_NUMBER": "record, staff, employee, account, member, patient and policy numbers (next to their cue word)",
    "USERNAME": "user names and handles (next to a cue word, or @handle)",
    "UK_NHS": "UK NHS numbers (mod-11 checksum, next to a cue word)",
    "PASSPORT": "passport numbers (next to a cue word)",
    "VEHICLE_PLATE": "vehicle registration plates (next to a cue word)",
}

ALL_ENTITIES: tuple[str, ...] = tuple(ENTITY_DESCRIPTIONS)

# Parts of one postal address: adjacent spans of these types are merged into one ADDRESS
# span when they are separated only by commas, spaces or line breaks.
ADDRESS_PARTS = frozenset({"ADDRESS", "LOCATION", "POSTCODE"})
