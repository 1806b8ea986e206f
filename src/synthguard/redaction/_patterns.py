"""Pattern specs for the single-pass pattern recognizer, with their validators.

Every spec is one regex alternative in ONE compiled pattern: a document is scanned once
for all of them (Presidio runs one regex loop per recognizer). A spec may emit several
spans from named groups (e.g. ``CA 90210`` gives LOCATION + POSTCODE), may need a context
word nearby to reach the threshold, and may carry a validator (Luhn, IBAN mod-97, IP
parsing, public-suffix lookup) that rejects or trims a candidate.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from synthguard.redaction import _gazetteers as gz
from synthguard.redaction._nlp import known_suffixes

# A validator gets the matched text and returns None (reject) or (trim_start, trim_end,
# score) where the trims shorten the span from each side.
Validator = Callable[[str], "tuple[int, int, float] | None"]


@dataclass(frozen=True)
class PatternSpec:
    """One detection rule: ``regex`` (group names ``e_<ENTITY>`` mark sub-spans)."""

    name: str
    entity: str
    regex: str
    score: float
    context: tuple[str, ...] = ()
    context_boost: float = 0.35
    validator: Validator | None = None
    groups: dict[str, str] = field(default_factory=dict)


# ---------------------------------------------------------------- validators


def _luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def validate_card(text: str) -> tuple[int, int, float] | None:
    digits = re.sub(r"\D", "", text)
    if not 12 <= len(digits) <= 19 or not _luhn_ok(digits):
        return None
    return 0, 0, 0.9


def _iban_ok(compact: str) -> bool:
    rearranged = compact[4:] + compact[:4]
    try:
        number = int("".join(str(int(c, 36)) for c in rearranged))
    except ValueError:
        return False
    return number % 97 == 1


def validate_iban(text: str) -> tuple[int, int, float] | None:
    """Accept the longest prefix (whole 4-char groups or a tail) whose mod-97 check passes."""
    compact = re.sub(r"\s", "", text).upper()
    for cut in range(len(compact), 14, -1):
        if _iban_ok(compact[:cut]):
            # map the compact cut back to an offset in the original text
            seen = 0
            for i, ch in enumerate(text):
                if not ch.isspace():
                    seen += 1
                if seen == cut:
                    return 0, len(text) - (i + 1), 0.95
    return None


def validate_ip(text: str) -> tuple[int, int, float] | None:
    core = text.split("/")[0]
    try:
        ipaddress.ip_address(core)
    except ValueError:
        return None
    if ":" not in core and core.count(".") != 3:
        return None
    return 0, 0, 0.9


_TRAIL = ".,;:!?)]}'\""


def _trailing_trim(text: str) -> int:
    n = 0
    while n < len(text) and text[len(text) - 1 - n] in _TRAIL:
        n += 1
    return n


def _host_ok(host: str) -> bool:
    host = host.lower().rstrip(".")
    labels = host.split(".")
    if len(labels) < 2 or not all(labels):
        return False
    suffixes = known_suffixes()
    return labels[-1] in suffixes or ".".join(labels[-2:]) in suffixes


def validate_email(text: str) -> tuple[int, int, float] | None:
    trim = _trailing_trim(text)
    core = text[: len(text) - trim]
    if "@" not in core or not _host_ok(core.rsplit("@", 1)[1]):
        return None
    return 0, trim, 0.95


def validate_url(text: str) -> tuple[int, int, float] | None:
    trim = _trailing_trim(text)
    core = text[: len(text) - trim]
    # a closing bracket that is part of the URL (wikipedia-style) is kept
    if core.count("(") > core.count(")") and text[len(core) :].startswith(")"):
        trim -= 1
        core = text[: len(text) - trim]
    host = re.sub(r"^[a-zA-Z][a-zA-Z0-9+.\-]*://", "", core).split("/")[0].split(":")[0]
    host = host.split("@")[-1]
    if not host:
        return None
    if re.fullmatch(r"[\d.]+", host):
        return 0, trim, 0.8
    if not _host_ok(host):
        return None
    return 0, trim, 0.9


def validate_domain(text: str) -> tuple[int, int, float] | None:
    """A bare domain (``example.co.uk``, ``shop.example.org/path``): known public suffix and
    at least one letter in the registrable label, else it is probably an abbreviation."""
    trim = _trailing_trim(text)
    core = text[: len(text) - trim]
    host = core.split("/")[0]
    labels = host.lower().split(".")
    if len(labels) < 2 or not re.search(r"[a-z]", labels[0]):
        return None
    if labels[-1] in {"js", "py", "md", "exe", "txt", "sh", "net"} and len(labels) == 2 and (
        labels[0] in {"node", "main", "setup", "index", "readme", "vue", "next", "asp"}
    ):
        return None
    if not _host_ok(host):
        return None
    # one-letter labels (``e.g``, ``a.m``) are abbreviations, not domains
    if len(labels[-2]) < 2:
        return None
    return 0, trim, 0.75


def validate_phone(text: str) -> tuple[int, int, float] | None:
    trim = _trailing_trim(text)
    core = text[: len(text) - trim].rstrip()
    trim = len(text) - len(core)
    main = re.split(r"(?i)\s*(?:x|ext\.?|extension|#)\s*\d", core)[0]
    digits = re.sub(r"\D", "", main)
    if not 7 <= len(digits) <= 15:
        return None
    if re.fullmatch(r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}", main):
        return None  # a date
    if re.fullmatch(r"\d{1,3}(?:\.\d{1,3}){3}", main):
        return None  # an IPv4 address
    if re.fullmatch(r"\d{3}-\d{2}-\d{4}", main):
        return None  # a US SSN
    if re.fullmatch(r"\d{5}-\d{4}", main):
        return None  # a US ZIP+4 code
    strong = main.startswith(("+", "(", "00")) or len(digits) >= 10
    return 0, trim, 0.7 if strong else 0.45


def validate_numeric_date(text: str) -> tuple[int, int, float] | None:
    parts = [int(p) for p in re.findall(r"\d+", text)[:3]]
    if len(parts) < 3:
        return None
    a, b, c = parts
    ymd = 1 <= b <= 12 and 1 <= c <= 31
    dmy_or_mdy = (1 <= a <= 31 and 1 <= b <= 31) and (a <= 12 or b <= 12)
    ok = ymd if a > 31 else dmy_or_mdy
    return (0, 0, 0.85) if ok else None


def validate_age(text: str) -> tuple[int, int, float] | None:
    """A person's age is at most 120."""
    return (0, 0, 0.75) if int(re.findall(r"\d+", text)[-1]) <= 120 else None


def validate_ssn(text: str) -> tuple[int, int, float] | None:
    digits = re.sub(r"\D", "", text)
    if digits[:3] == "000" or digits[3:5] == "00" or digits[5:] == "0000":
        return None
    if len(set(digits)) == 1:
        return None
    return 0, 0, 0.85


def nhs_ok(digits: str) -> bool:
    """NHS number mod-11 check: weights 10..2 on the first nine digits."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    check = 0 if check == 11 else check
    return check != 10 and check == int(digits[9])


def validate_nhs(text: str) -> tuple[int, int, float] | None:
    return (0, 0, 0.3) if nhs_ok(re.sub(r"\D", "", text)) else None


def validate_cued_nhs(text: str) -> tuple[int, int, float] | None:
    """An NHS number after its cue: checksum-valid (the cue alone is not enough)."""
    digits = re.sub(r"\D", "", text)[-10:]
    return (0, 0, 0.9) if nhs_ok(digits) else None


def validate_driver_licence(text: str) -> tuple[int, int, float] | None:
    if not re.search(r"\d", text) or len(re.sub(r"\W", "", text)) < 5:
        return None
    return 0, 0, 0.1


# ------------------------------------------------------------------ patterns

_MONTHS = (
    "January|February|March|April|May|June|July|August|September|October|November|December|"
    "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec"
)
_DAYS = "Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|Mon|Tue|Tues|Wed|Thu|Thur|Thurs|Fri|Sat|Sun"
_ORD = r"(?:st|nd|rd|th)?"
_TIME = r"\d{1,2}:\d{2}(?::\d{2})?(?:\s?(?:[AaPp]\.?[Mm]\.?))?|\d{1,2}\s?(?:[AaPp]\.[Mm]\.|[AaPp][Mm])(?![a-zA-Z])"


_LOWER_SUFFIX_WORDS = frozenset(
    ["is", "un", "end", "top", "key", "gap", "row", "run", "way", "dip", "dam", "pad", "arc", "est", "wall", "pass", "path", "park", "walk", "rise", "vale", "yard", "spur", "ramp", "trak", "mew", "mews", "cor", "flt", "ext"]
)


def _street_regexes() -> tuple[str, str]:
    suffixes, prefixes = gz.street_words()
    # lower-case forms too ("12 high street"), except USPS abbreviations that are everyday
    # words after a number ("Suite 4B is", "3 way", "5 run")
    suffix_words = sorted({s for s in suffixes if (s.isalpha() or "." in s or "-" in s)
                           and s not in _LOWER_SUFFIX_WORDS} |
                          {s.capitalize() for s in suffixes})
    suffix_re = gz.trie_regex(suffix_words)
    prefix_words = sorted(prefixes | {p.capitalize() for p in prefixes} | {p.title() for p in prefixes})
    prefix_re = gz.trie_regex(prefix_words)
    return suffix_re, prefix_re


_CAPWORD = r"[A-ZÀ-ÖØ-Ý][\w'’\-]*\.?"
# after a bare number + street word, what makes it a European street name, not a US address
# with no name ("12 rue de la Paix", "4 Via Roma", "12 Rue Victor Hugo")
_EURO_NEXT = (r"(?:de|del|de la|des|du|della|dei|di|da|do|dos|das|von|van|der|la|le|les|el|"
              r"los|las|d'|l'|[A-ZÀ-ÖØ-Ý][a-zß-öø-ÿ])")
_ANYWORD = r"[\w'’\-]+\.?"
_UNIT = (
    r"(?:,?\s*(?:(?i:apt|apartment|suite|ste|unit|flat|floor|fl|room|rm|bldg|building|"
    r"puerta|piso|planta|escalera|app|appartement|appartamento|étage|etage|interno|int|scala|piano|"
    r"level|lvl|wohnung|whg|bus|huis|lgh)\.?\s*#?\s*\w{1,6}"
    r"|#\s?\d{1,6}\w?))"
)


# Identifiers recognised by the cue word in front of them ("MRN 00482913", "staff no. 88231",
# "Employee ID E-4471", "acct #123-456"): the cue is matched but only the value is emitted.
_CUE_SEP = r"[ \t]*(?:[:#=.\-][ \t]*|is[ \t]+|(?i:number|num|no\.?|nr\.?)[ \t]*[:#.]?[ \t]*)?"
_ID_VALUE = r"(?=[A-Za-z]{0,4}[\-/ ]?\d)(?:[A-Z]{1,4}[\-/ ]?)?\d[\dA-Z]*(?:[\-/][\dA-Z]+){0,3}(?![\w\-])"
_RECORD_CUE = (
    r"(?i:mrn|medical[ \t]+record(?:[ \t]+(?:number|no\.?|#))?|record[ \t]+(?:number|no\.?|#|id)|"
    r"hospital[ \t]+(?:number|no\.?|id)|chart[ \t]+(?:number|no\.?|#)|case[ \t]+(?:number|no\.?|#|id)|"
    r"patient[ \t]+(?:id|number|no\.?|#|ref)|unit[ \t]+number|"
    r"(?:staff|employee|emp|personnel|payroll|badge|member(?:ship)?|account|acct|a/c|customer|client|"
    r"student|policy(?:[ \t]+holder)?|claim|insurance|subscriber|beneficiary|tax|vat|national[ \t]+insurance|"
    r"ni|social[ \t]+insurance|sin|pin|user|contract|loan|permit|tin|ein|itin)[ \t]*(?:id|no\.?|nr\.?|number|num|#|code|ref)|"
    r"(?:staff|employee|member|account|acct|a/c|customer|client|student|policy|claim)(?=[ \t]*[:#]|[ \t]+[A-Z]{0,4}[\-/]?\d))"
)
_USER_CUE = (
    r"(?i:user[ \t\-]?name|login(?:[ \t]+(?:name|id))?|user[ \t\-]?id|userid|handle|screen[ \t]?name|"
    r"account[ \t]+name|user(?=[ \t]*[:=])|github|twitter|slack|skype|discord|telegram|instagram)"
)
_USERNAME_VALUE = r"@?[A-Za-z][A-Za-z0-9._\-]{1,31}[A-Za-z0-9](?![\w@])"
_PLATE_CUE = (
    r"(?i:(?:licen[cs]e|number|registration|reg\.?)[ \t]+plate|plate(?:[ \t]+(?:number|no\.?))?|"
    r"vehicle[ \t]+(?:registration|reg\.?)(?:[ \t]+(?:number|no\.?|mark))?|"
    r"(?:car|vehicle|van)[ \t]+reg(?:istration)?(?:[ \t]+(?:number|no\.?))?|vrn|reg(?:istration)?[ \t]+(?:number|no\.?|mark))"
)


def context_id_specs() -> list[PatternSpec]:
    """Identifiers next to their cue words: record/staff/account/member IDs, usernames,
    NHS numbers (checksum), passport numbers, vehicle plates."""
    return [
        PatternSpec(
            "nhs_cued", "UK_NHS",
            r"(?<![\w])(?i:nhs|health[ \t]+(?:service|care)?[ \t]*)(?i:[ \t]*(?:number|no\.?|#|num))?"
            + _CUE_SEP + r"(?P<e_UK_NHS>\d{3}[ \-]?\d{3}[ \-]?\d{4})(?![\w\-])",
            0.9, validator=validate_cued_nhs,
        ),
        PatternSpec(
            "passport_cued", "PASSPORT",
            r"(?<![\w])(?i:passport)(?i:[ \t]*(?:number|no\.?|#|num|id))?" + _CUE_SEP
            + r"(?P<e_PASSPORT>(?=[A-Z]{0,3}\d)[A-Z0-9]{1,3}[ ]?\d{5,9}[A-Z0-9]?)(?![\w\-])",
            0.85,
        ),
        PatternSpec(
            "plate_cued", "VEHICLE_PLATE",
            r"(?<![\w])" + _PLATE_CUE + _CUE_SEP
            + r"(?P<e_VEHICLE_PLATE>(?=[A-Z0-9 \-]*\d)[A-Z0-9]{1,4}(?:[ \-][A-Z0-9]{1,4}){0,2})(?![\w\-])",
            0.8,
        ),
        PatternSpec(
            "username_cued", "USERNAME",
            r"(?<![\w])" + _USER_CUE + r"[ \t]*(?:[:=][ \t]*|is[ \t]+)?(?P<e_USERNAME>" + _USERNAME_VALUE + ")",
            0.8, validator=validate_username,
        ),
        PatternSpec(
            "user_weak_cue", "USERNAME",
            r"(?<![\w])(?i:user|account|login|logged[ \t]+in[ \t]+as|signed[ \t]+in[ \t]+as)[ \t]*(?:[:=][ \t]*|[ \t])(?P<e_USERNAME>"
            r"[a-z][a-z0-9]*[._][a-z0-9._]*[a-z0-9]|[a-z]{1,3}\d{2,6}|[a-z]+_[a-z0-9_]+)(?![\w@])",
            0.7, validator=validate_weak_username,
        ),
        PatternSpec(
            "id_cued", "ID_NUMBER",
            r"(?<![\w])" + _RECORD_CUE + _CUE_SEP + r"(?P<e_ID_NUMBER>" + _ID_VALUE + ")",
            0.85, validator=validate_id_value,
        ),
        PatternSpec(
            "chat_speaker", "USERNAME",
            r"(?m:^(?:\[(?P<e_DATE_TIME>\d{1,2}:\d{2}(?::\d{2})?)\][ \t]*|\[[^\]\n]{1,25}\][ \t]*)?(?P<e_USERNAME>[a-z][a-z0-9]*[._][a-z0-9._]*[a-z0-9]|[a-z]+\d{2,6})(?=:[ \t]))",
            0.7, validator=validate_weak_username,
        ),
        PatternSpec(
            "initial_dot_name", "USERNAME",
            r"(?<![\w.@/\-])[a-z]\.[a-z]{3,20}\d{0,4}(?![\w@/\-]|\.[a-z])", 0.5,
        ),
        PatternSpec(
            "handle", "USERNAME", r"(?<![\w@.])@(?P<e_USERNAME>[A-Za-z][A-Za-z0-9_]{2,30})(?![\w@.])", 0.6,
        ),
    ]


_USERNAME_STOP = frozenset(
    ["is", "was", "and", "the", "a", "an", "to", "of", "for", "in", "on", "at", "with", "name", "names", "id", "number", "required", "missing", "here", "there", "this", "that", "please", "not", "none", "unknown"]
)


def validate_username(text: str) -> tuple[int, int, float] | None:
    m = re.search(_USERNAME_VALUE + "$", text)
    if m is None or m.group(0).lstrip("@").lower() in _USERNAME_STOP:
        return None
    return 0, 0, 0.8


def validate_weak_username(text: str) -> tuple[int, int, float] | None:
    value = text.split()[-1].split(":")[-1].split("=")[-1]
    return (0, 0, 0.7) if len(value) >= 5 else None


def validate_id_value(text: str) -> tuple[int, int, float] | None:
    """At least three digits in the value; a bare 4-digit year after a cue is not an ID."""
    m = re.search(_ID_VALUE + "$", text)
    if m is None:
        return None
    value = m.group(0)
    digits = re.sub(r"\D", "", value)
    if len(digits) < 3 or re.fullmatch(r"(?:19|20)\d{2}", value):
        return None
    return 0, 0, 0.85


def build_specs() -> list[PatternSpec]:
    """All pattern specs in priority order (earlier alternatives win at the same offset)."""
    suffix_re, prefix_re = _street_regexes()
    states = "|".join(gz.US_STATE_ABBR)
    specs: list[PatternSpec] = [
        *context_id_specs(),
        PatternSpec(
            "email", "EMAIL_ADDRESS",
            r"(?<![\w.+\-@])[\w.!#$%&'*+/=?^`{|}~\-]+@[\w\-]+(?:\.[\w\-]+)+",
            0.95, validator=validate_email,
        ),
        PatternSpec(
            "url", "URL",
            r"(?i:(?<![\w@])(?:(?:https?|ftps?|sftp|file)://|www\d{0,3}\.)[^\s<>\"'`]+)",
            0.9, validator=validate_url,
        ),
        PatternSpec(
            "domain", "URL",
            r"(?<![\w@.\-/])(?:[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}(?:/[^\s<>\"']*)?(?![\w@\-])",
            0.75, validator=validate_domain,
        ),
        PatternSpec(
            "iban", "IBAN_CODE",
            r"(?<![A-Za-z0-9])[A-Z]{2}\d{2}[ ]?(?:[A-Z0-9]{4}[ ]?){2,7}[A-Z0-9]{1,4}(?![A-Za-z0-9])",
            0.95, validator=validate_iban,
        ),
        PatternSpec(
            "card", "CREDIT_CARD",
            r"(?<![\d\-])(?:\d{4}([ \-])\d{4}\1\d{4}\1\d{1,7}|\d{4}[ \-]\d{6}[ \-]\d{4,5}|\d{12,19})(?![\d])",
            0.9, validator=validate_card,
            context=("card", "visa", "mastercard", "amex", "credit", "debit"),
        ),
        PatternSpec(
            "ssn", "US_SSN",
            r"(?<![\d\-])\d{3}([- ])\d{2}\1\d{4}(?![\d\-])",
            0.85, validator=validate_ssn, context=("ssn", "social security", "ss#", "ss #"),
        ),
        PatternSpec(
            "ssn_plain", "US_SSN",
            r"(?<![\d\-])\d{9}(?![\d\-])",
            0.2, validator=None, context=("ssn", "social security", "ss#", "ss #", "ss no"),
            context_boost=0.6,
        ),
        PatternSpec(
            "ipv4", "IP_ADDRESS",
            r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?:/\d{1,2})?(?![\d]|\.\d)",
            0.9, validator=validate_ip,
        ),
        PatternSpec(
            "ipv6", "IP_ADDRESS",
            r"(?<![\w:])(?=[0-9A-Fa-f:]*:[0-9A-Fa-f:]*:)(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?:/\d{1,3})?(?![\w:])",
            0.9, validator=validate_ip,
        ),
        PatternSpec(
            "date_iso", "DATE_TIME",
            r"(?<!\d)\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+\-]\d{2}:?\d{2})?)?(?!\d)",
            0.9, validator=validate_numeric_date,
        ),
        PatternSpec(
            "date_num", "DATE_TIME",
            r"(?<![\d.\-/])\d{1,2}([/.\-])\d{1,2}\1(?:\d{4}|\d{2})(?![\d\-/]|\.\d)",
            0.85, validator=validate_numeric_date,
        ),
        PatternSpec(
            "date_ymd_slash", "DATE_TIME",
            r"(?<![\d.\-/])\d{4}([/.])\d{1,2}\1\d{1,2}(?![\d\-/]|\.\d)",
            0.85, validator=validate_numeric_date,
        ),
        PatternSpec(
            "date_words", "DATE_TIME",
            rf"(?<![\w])(?:(?:{_DAYS}),?\s+)?(?:(?:the\s+)?\d{{1,2}}{_ORD}\s+(?:of\s+)?(?:{_MONTHS})\.?,?(?:\s+\d{{4}})?"
            rf"|(?:{_MONTHS})\.?\s+\d{{1,2}}{_ORD}(?:,?\s+\d{{4}})?(?!\d)|(?:{_MONTHS})\.?,?\s+\d{{4}})"
            rf"(?:,?\s+(?:at\s+)?(?:{_TIME}))?(?![\w])",
            0.85,
        ),
        PatternSpec(
            "weekday", "DATE_TIME", r"(?<![\w])(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)(?![\w])",
            0.6,
        ),
        PatternSpec("time", "DATE_TIME", rf"(?<![\w:.])(?:{_TIME})(?![\w:]|\.\d)", 0.7),
        PatternSpec(
            "age_after", "AGE",
            r"(?<![\w.])(?P<e_AGE>\d{1,3})(?:\s|-)?(?i:years?|yrs?|y/o|y\.?o\.?|yo)(?:\s|-)?(?i:old|of age)?(?![\w/])",
            0.8,
        ),
        PatternSpec(
            "age_before", "AGE",
            r"(?i:(?<![\w])(?:aged|age|ages|age:|aged:)\s*:?\s*)(?P<e_AGE>\d{1,3})(?![\d\w])",
            0.8,
        ),
        PatternSpec(
            # "she's 54", "he is 61", "I'm 23", "turned 40": a bare number after a person's
            # "is" / "turns" is an age unless a unit or clock word follows
            "age_phrase", "AGE",
            r"(?i:(?<![\w])(?:(?:she|he|they|who)(?:['’]s|[ \t]+(?:is|was|will[ \t]+be))"
            r"|i['’]?m|i[ \t]+am|turn(?:s|ed|ing)?|just[ \t]+turned))[ \t]+(?P<e_AGE>\d{1,3})"
            r"(?![\w:/%°]|[.,]\d|[ \t]*(?i:%|percent|kg|lbs?|pounds?|cm|mm|m|km|miles?|mins?|minutes?|"
            r"hours?|hrs?|days?|weeks?|months?|times?|am|pm|o['’]clock|out|of|x|points?|dollars?|"
            r"euros?|quid|bucks|degrees|ml|mg|units?|percent|per)(?![\w]))",
            0.75, validator=validate_age,
        ),
        PatternSpec(
            "age_paren", "AGE",
            r"(?<![\w])[A-Z][a-z'’\-]+[ \t]\((?:[A-Z][\w\-]+,[ \t])?(?P<e_AGE>\d{2})(?:[ \t]?(?:y|yo|yrs?|years?))?\)",
            0.6,
        ),
        PatternSpec(
            "us_address", "ADDRESS",
            rf"(?<![\w\-])(?:(?i:level|floor|unit|suite|flat|apartment|apt\.?|shop|lot|studio)\s*\w{{1,5}},?[ \t]*\n?[ \t]*)?\d{{1,6}}[A-Za-z]?(?:[-/]\d{{1,4}})?[ \t]+(?:(?:[NSEW]|North|South|East|West|NE|NW|SE|SW)\.?[ \t]+)?"
            rf"(?:(?:{_CAPWORD}[ \t]+){{1,3}}(?:{suffix_re})|(?:{suffix_re})(?!\.?[ \t]+{_EURO_NEXT}))"
            rf"\.?(?![\w])(?:\s+(?:[NSEW]|NE|NW|SE|SW)\.?(?![\w]))?{_UNIT}?",
            0.75,
        ),
        PatternSpec(
            "unit_alone", "ADDRESS",
            r"(?<![\w])(?:(?i:apt|apartment|suite|ste)\.?|Flat|Unit|Apartamento|Appartement|Wohnung)"
            r"[ \t]*#?[ \t]*\d{1,5}[A-Za-z]?(?![\w\-/.]|\.\d)",
            0.6,
        ),
        PatternSpec(
            "po_box", "ADDRESS",
            r"(?i:(?<![\w])(?:p\.?\s?o\.?\s?box|postfach|apartado(?: de correos)?|boîte postale|casella postale)\s*\d{1,6})",
            0.8,
        ),
        PatternSpec(
            "military", "ADDRESS",
            r"(?<![\w])(?:(?:Unit|PSC)\s+\d{4},?\s+Box\s+\d{4}|USN[SV]\s+" + _CAPWORD + r"|USCGC\s+" + _CAPWORD + r")",
            0.8,
        ),
        PatternSpec(
            "military_state", "ADDRESS",
            r"(?<![\w])(?:APO|FPO|DPO)\s+(?:AA|AE|AP)\s+(?P<e_POSTCODE>\d{5}(?:-\d{4})?)(?!\d)",
            0.8,
        ),
        PatternSpec(
            "prefix_street", "ADDRESS",
            rf"(?<![\w])(?:\d{{1,5}}[A-Za-z]?(?:,|\s)\s*)?(?:{prefix_re})\.?\s+(?:(?:de|del|de la|de las|de los|du|des|de l'|d'|della|dello|degli|delle|dei|di|da|do|dos|das|van|von|der|den|la|le|les|el|los|las|San|Santa|Sant'|Saint|St\.?)\s*)*"
            rf"{_CAPWORD}(?:[ \t]+(?:(?:de|del|la|di|da|du|des|le|von|van|der)[ \t]+)?{_CAPWORD}){{0,3}}(?:,?[ \t]+(?:n\.?\s?|No\.?\s?|nº\s?)?\d{{1,4}}[A-Za-z]?(?![\d]))?{_UNIT}?",
            0.6,
        ),
        PatternSpec(
            "euro_street", "ADDRESS",
            r"(?<![\w])(?:[A-ZÄÖÜÅÆØ][\wäöüßåæøéè'\-]*(?:\s|-))?[A-ZÄÖÜÅÆØ][\wäöüßåæøéè'\-]*(?i:straße|strasse|str\.|weg|gasse|allee|platz|ring|damm|ufer|chaussee|steig|pfad|markt|graben|hof|berg|straat|laan|plein|gracht|kade|dijk|singel|steeg|pad|dreef|hof|park|boulevard|plantsoen|baan|veld|haven|markt|gatan|vägen|väg|gränd|torget|gade|vej|gaden|veien|vegen|gata|tie|katu|polku|kuja)\s+\d{1,5}\s?[a-zA-Z]?(?![\w])(?:\s*(?:/\s*\d+|[,]?\s*(?:App\.|Wohnung|Whg\.)\s*\d+))?",
            0.75,
        ),
        PatternSpec(
            "state_zip", "LOCATION",
            rf"(?<![\w])(?P<e_LOCATION>{states}|NSW|VIC|QLD|TAS|ACT|NT|SA|WA|ON|QC|BC|AB|MB|SK|NS|NB|NL|PE|YT|NU)\.?,?[ \t]+(?P<e_POSTCODE>\d{{5}}(?:-\d{{4}})?|\d{{4}}|[A-Z]\d[A-Z][ ]?\d[A-Z]\d)(?![\d\-])",
            0.8,
        ),
        PatternSpec(
            "uk_postcode", "POSTCODE",
            r"(?<![\w])(?:[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]?\s?\d[ABD-HJLNP-UW-Z]{2}|GIR\s?0AA)(?![\w])",
            0.7,
        ),
        PatternSpec(
            "ca_postcode", "POSTCODE",
            r"(?<![\w])[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z]\s?\d[ABCEGHJ-NPRSTV-Z]\d(?![\w])",
            0.7,
        ),
        PatternSpec(
            "nl_postcode", "POSTCODE",
            r"(?<![\w])[1-9]\d{3}\s?(?!SA|SD|SS)[A-Z]{2}(?![\w])",
            0.45, context=("postcode", "postal", "address", "adres"),
        ),
        PatternSpec(
            "postcode_city", "POSTCODE",
            rf"(?<![\w\-.,:/])(?P<e_POSTCODE>(?:[A-Z]{{1,2}}-)?\d{{4,5}}(?:-\d{{3,4}})?(?:[ ][A-Z]{{2}})?),?[ \t]+(?P<e_LOCATION>{_CAPWORD}(?:(?<!\.)[ \-](?:(?:am|an|im|in|der|de|sur|sous|la|le|les|en|del|di|am|bei|ob|upon|on)[ \-])?{_CAPWORD}){{0,3}}(?:[ ]\([A-Z]{{2}}\))?)",
            0.55, context=("address", "adresse", "anschrift", "dirección", "indirizzo", "adres"),
        ),
        PatternSpec(
            "zip_context", "POSTCODE",
            r"(?<![\w\-.])(?:\d{5}(?:-\d{4})?|\d{4}|\d{3}\s?\d{2}|\d{2}-\d{3})(?![\w\-]|\.\d)",
            0.05, context=("zip", "postcode", "post code", "postal code", "plz", "code postal",
                           "cap", "código postal", "postnummer", "postinumero"), context_boost=0.7,
        ),
        PatternSpec(
            "zip_plus4", "POSTCODE", r"(?<![\w\-.+])\d{5}-\d{4}(?![\w\-]|\.\d)", 0.6,
        ),
        PatternSpec(
            "phone", "PHONE_NUMBER",
            r"(?<![\w+\-.])(?:\+|00)\d{1,4}[ .\-]?\(0\)[ .\-]?\d{1,11}(?:[ .\-/]\d{1,8}){0,4}(?:[ ]?(?i:x|ext\.?)[ ]?\d{1,6})?(?![\w\-]|\.\d)"
            r"|(?<![\w+\-.])(?:\+|00)?(?:\d{1,4}[ .\-]?)?(?:\(\d{1,5}\)[ .\-]?)?\d{1,5}(?:[ .\-/]\d{1,11}){1,5}(?:[ ]?(?i:x|ext\.?|extension|#)[ ]?\d{1,6})?(?![\w\-]|\.\d)"
            r"|(?<![\w+\-.])(?:\+|00)\d{7,14}(?:[ ]?(?i:x|ext\.?)[ ]?\d{1,6})?(?!\w)"
            r"|(?<![\w+\-.])\(\d{1,5}\)[ .\-]?\d{1,8}(?:[ .\-]\d{1,8}){0,4}(?:[ ]?(?i:x|ext\.?)[ ]?\d{1,6})?(?![\w\-]|\.\d)"
            r"|(?<![\w+\-.])\d{10,11}(?:[ ]?(?i:x|ext\.?)[ ]?\d{1,6})?(?!\w)",
            0.6, validator=validate_phone,
            context=("phone", "tel", "telephone", "call", "mobile", "cell", "fax", "ph", "contact",
                     "reach", "number", "whatsapp", "sms", "text", "ring", "dial"),
        ),
        PatternSpec(
            "driver_licence", "US_DRIVER_LICENSE",
            r"(?<![\w\-])(?=[A-Za-z0-9\-]*\d)[A-Za-z0-9][A-Za-z0-9\-]{3,18}[A-Za-z0-9](?![\w\-])",
            0.05, validator=validate_driver_licence,
            context=("driver", "driver's", "drivers", "licence", "license", "dl", "dl#", "d/l",
                     "dln", "lic", "lic#", "licence no", "license no"),
            context_boost=0.7,
        ),
    ]
    return specs


def compile_specs(specs: list[PatternSpec]) -> tuple[re.Pattern[str], list[PatternSpec], list[re.Pattern[str]]]:
    """One compiled alternation over all specs, plus each spec compiled alone (fallback)."""
    parts = []
    singles = []
    for i, spec in enumerate(specs):
        body = re.sub(r"\(\?P<e_([A-Z_]+)>", lambda m, i=i: f"(?P<s{i}_{m.group(1)}>", spec.regex)  # type: ignore[misc]
        body = _renumber_backrefs(body)
        parts.append(f"(?P<p{i}>{body})")
        singles.append(re.compile(spec.regex))
    return re.compile("|".join(parts)), specs, singles


def _renumber_backrefs(body: str) -> str:
    r"""Replace numeric backreferences (``\1``) with named ones valid in the big pattern."""
    if not re.search(r"\\[1-9]", body):
        return body
    counter = {"n": 0}
    names: list[str] = []

    def name_group(m: re.Match[str]) -> str:
        counter["n"] += 1
        name = f"b{abs(hash((body, counter['n']))) % 10**8}_{counter['n']}"
        names.append(name)
        return f"(?P<{name}>"

    # only unnamed capturing groups are numbered: "(" not followed by "?"
    renamed = re.sub(r"(?<!\\)\((?!\?)", name_group, body)
    return re.sub(r"\\([1-9])", lambda m: f"(?P={names[int(m.group(1)) - 1]})", renamed)
