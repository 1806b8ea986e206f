"""Common English words and role nouns: what a span must NOT be on its own to be a name.

Word frequencies come from the ``wordfreq`` package (code Apache-2.0; its frequency data
CC BY-SA 4.0, built from Wikipedia, subtitles, news, books, web text and more, see its
README). Only its small English list is read, straight from the package's data file (no
import of wordfreq itself, whose dependencies cost start-up time): bucket ``i`` of the
``cB`` format holds the words whose frequency is ``10 ** (-i / 100)``, i.e. Zipf ``9 - i/100``.

Role nouns (``ROLE_WORDS``) and field labels (``LABEL_WORDS``) are written here: words a clinical note, ticket or HR form uses
for a person's role ("Caller", "GP", "Patient") that the NER model tends to tag as a name or
an organisation.
"""

from __future__ import annotations

import functools
import gzip
import importlib.util
import os

# a word at least this frequent (Zipf scale: 3 = once per million words) is "common"
COMMON_ZIPF = 3.0

_ROLE_TEXT = (
    """caller callers patient patients client clients customer customers gp gps nurse nurses
    doctor doctors dr physician surgeon consultant registrar midwife paramedic pharmacist
    therapist physio physiotherapist carer carers caregiver manager managers supervisor
    director staff employee employees colleague colleagues agent agents operator support
    helpdesk admin administrator user users member members resident residents tenant
    landlord applicant candidate student students teacher parent parents guardian mum mom
    dad father mother son daughter wife husband partner spouse sibling brother sister
    relative relatives family friend neighbour neighbor visitor visitors officer police
    team reception receptionist ward clinic practice surgery hospital a&e er icu hr it
    finance legal security management sales billing accounts payroll recruiter hiring
    interviewer interviewee sender recipient requester reporter assignee owner approver
    reviewer author editor moderator host guest driver courier technician engineer
    contractor consultant intern trainee volunteer coordinator triage dispatch pharmacy"""
)
ROLE_WORDS = frozenset(_ROLE_TEXT.split())

# Field labels of forms, notes and headers ("Caller:", "Name:", "Patient:", "GP:", "Ref:"):
# the word before a value, never a value itself. The structure recognizer reads the value
# after them; span resolution never masks one of them as a name or an organisation.
_LABEL_TEXT = (
    """name names fullname firstname lastname surname forename forenames given family first
    last middle initials full caller patient pt client customer contact gp ref reference
    refs re subject title date dob time age sex gender address addr street city town county
    state country postcode postal zip code phone tel telephone mobile cell fax email e-mail
    mail web website url id no nr number num mrn nhs ssn account acct dept department ward
    bed unit room floor note notes comment comments summary plan diagnosis dx hx history
    assessment impression allergies medication medications meds status priority category
    type source from to cc bcc attn attention signed signature sender recipient author
    owner assignee requester reporter organisation organization company employer occupation
    job role position nationality religion kin nok next emergency relation relationship
    speaker host guest agent user username login handle member staff employee applicant
    tenant guardian parent spouse doctor consultant nurse clinician physician seen by
    referred referrer witness driver vehicle reg plate passport licence license update
    updates reminder warning error info fyi todo ps question answer result results outcome
    action reason feedback request response reply"""
)
LABEL_WORDS = frozenset(_LABEL_TEXT.split())


@functools.lru_cache(maxsize=1)
def _zipf_table() -> dict[str, float]:
    spec = importlib.util.find_spec("wordfreq")
    if spec is None or spec.origin is None:
        return {}
    path = os.path.join(os.path.dirname(spec.origin), "data", "small_en.msgpack.gz")
    if not os.path.isfile(path):
        return {}
    import msgpack

    with gzip.open(path, "rb") as handle:
        data = msgpack.load(handle, raw=False)
    table: dict[str, float] = {}
    for index, bucket in enumerate(data[1:]):
        for word in bucket:
            table[word] = 9.0 - index / 100.0
    return table


def zipf(word: str) -> float:
    """Zipf frequency of ``word`` (lower-cased) in English; 0 for unknown words."""
    return _zipf_table().get(word.lower(), 0.0)


def is_common_word(word: str) -> bool:
    return zipf(word) >= COMMON_ZIPF


def is_role_word(word: str) -> bool:
    return word.lower().strip(".:,;") in ROLE_WORDS


def is_label_word(word: str) -> bool:
    """A field label ("Caller", "Name", "Ref", "GP") or a role noun: never a value."""
    w = word.lower().strip(".:,;#")
    return w in LABEL_WORDS or w in ROLE_WORDS
