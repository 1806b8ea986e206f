"""What a column's *name* says about its content, read word by word.

A name is split into words (snake_case, kebab-case, spaces, camelCase and PascalCase:
``patientFirstName`` -> ``patient first name``) and matched against whole words and known
compounds, never against substrings: ``relationship`` does not contain the word ``ip``,
``income`` is not a phone column, ``discarded`` holds no ``card``.

One function for the whole package: :func:`infer_schema` (which columns are PII) and the
redaction scan (:mod:`synthguard.redaction.tables`, :mod:`synthguard.redaction.identifiers`)
both call :func:`name_entity`, so the schema and the scan agree on what a name means.
"""

from __future__ import annotations

import re

FREE_TEXT = "FREE_TEXT"

# (entity, words, phrases of consecutive words), in order of precedence: the first entity
# with a matching word or phrase wins (``email_address`` is an email, ``ip_address`` an IP).
_VOCABULARY: tuple[tuple[str, frozenset[str], tuple[tuple[str, ...], ...]], ...] = (
    ("EMAIL_ADDRESS", frozenset({"email", "mail", "emailaddress", "mailaddress"}), (("e", "mail"),)),
    ("PHONE_NUMBER", frozenset({"phone", "telephone", "tel", "mobile", "cellphone", "fax",
                                "phonenumber", "phoneno", "mobileno", "telno"}),
     (("cell", "no"), ("cell", "number"))),  # a bare "cell" is often biology (cell_count)
    ("US_SSN", frozenset({"ssn", "socialsecurity"}), (("social", "security"),)),
    ("IBAN_CODE", frozenset({"iban"}), ()),
    ("CREDIT_CARD", frozenset({"creditcard", "debitcard", "card", "cardnumber", "cc", "pan"}), ()),
    ("IP_ADDRESS", frozenset({"ip", "ipv4", "ipv6", "ipaddress", "ipaddr"}), ()),
    ("URL", frozenset({"url", "uri", "website", "homepage", "domain", "link"}), (("web", "site"),)),
    ("US_PASSPORT", frozenset({"passport"}), ()),
    ("US_DRIVER_LICENSE", frozenset({"license", "licence", "dl"}), ()),
    ("POSTCODE", frozenset({"zip", "zipcode", "postcode", "postal"}), ()),
    ("ADDRESS", frozenset({"address", "street", "addr", "streetaddress"}), ()),
    ("LOCATION", frozenset({"city", "town", "country", "state", "region", "county", "province",
                            "location", "birthplace"}), (("birth", "place"), ("place", "of", "birth"))),
    ("ORGANIZATION", frozenset({"company", "employer", "organisation", "organization", "org", "firm",
                                "bank", "school", "university"}), ()),
    ("PERSON", frozenset({"surname", "firstname", "lastname", "fullname", "username", "givenname",
                          "familyname", "middlename", "maidenname", "forename"}), ()),
    ("JOB_TITLE", frozenset({"job", "occupation", "profession", "position", "title", "role"}), ()),
    ("NRP", frozenset({"nationality", "religion", "religious", "ethnicity", "ethnic", "race", "party",
                       "citizenship"}), ()),
    ("AGE", frozenset({"age"}), ()),
    ("DATE_TIME", frozenset({"dob", "birth", "birthday", "birthdate", "date", "datetime", "timestamp",
                             "time", "admitted", "discharged", "dateofbirth"}), ()),
    (FREE_TEXT, frozenset({"note", "comment", "description", "text", "message", "body", "remark",
                           "summary", "narrative"}), ()),
)
_NAME_WORD = "name"  # a bare "name" is a person's unless an earlier word said otherwise

# Entities whose name alone marks a high-cardinality column as PII (schema and scan).
NAME_PII_ENTITIES = frozenset({"PERSON", "EMAIL_ADDRESS", "PHONE_NUMBER", "US_SSN", "CREDIT_CARD",
                               "IBAN_CODE", "IP_ADDRESS", "URL", "US_DRIVER_LICENSE", "US_PASSPORT",
                               "ADDRESS", "POSTCODE"})

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def name_words(column: str) -> list[str]:
    """The lower-case words of a column name: ``"patientFirstName"`` -> ``["patient", "first",
    "name"]``, ``"IPAddress"`` -> ``["ip", "address"]``, ``"e-mail"`` -> ``["e", "mail"]``."""
    spaced = _CAMEL.sub(" ", str(column).strip())
    return [w for w in re.split(r"[^a-z0-9]+", spaced.lower()) if w]


def _singular(word: str) -> str:
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("sses") or word.endswith("xes"):
        return word[:-2]
    if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        return word[:-1]
    return word


def name_entity(column: str) -> str | None:
    """The entity a column's name announces (``PHONE_NUMBER``, ``PERSON``, ``FREE_TEXT`` ...),
    or None. Whole words and compounds only; plurals count (``notes``, ``addresses``)."""
    words = name_words(column)
    if not words:
        return None
    forms = set(words) | {_singular(w) for w in words}
    for entity, vocabulary, phrases in _VOCABULARY:
        if forms & vocabulary:
            return entity
        for phrase in phrases:
            n = len(phrase)
            if any(tuple(words[i:i + n]) == phrase for i in range(len(words) - n + 1)):
                return entity
    if _NAME_WORD in forms:
        return "PERSON"
    if len(words) > 1 and words[-1] == "at":  # created_at, admitted_at
        return "DATE_TIME"
    return None


def name_pii_entity(column: str) -> str | None:
    """The entity when the name alone is enough to treat a high-cardinality column as PII
    (:data:`NAME_PII_ENTITIES`), else None."""
    entity = name_entity(column)
    return entity if entity in NAME_PII_ENTITIES else None


__all__ = ["FREE_TEXT", "NAME_PII_ENTITIES", "name_entity", "name_pii_entity", "name_words"]
