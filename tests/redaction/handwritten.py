"""A small held-back set of HAND-WRITTEN documents with gold spans (written for these tests,
not produced by any generator of the project): a GP letter, a chat, a support ticket, an HR
form, an e-mail, a call log and a few shorter notes.

Markup: ``[[TYPE|value]]`` marks a gold span; :func:`documents` strips the markup and returns
``(text, [(start, end, TYPE), ...])``. ``NOT_ENTITIES`` lists words in the texts that must
not be masked (roles, vague time phrases, capitalised common words).
"""

from __future__ import annotations

from synthguard.redaction.evaluate import parse_inline_marks

_MARKED = [
    # GP letter
    """Dear Dr [[PERSON|Helen Okafor]],

Re: [[PERSON|Tomasz Wierzbicki]], DOB [[DATE_TIME|14/03/1961]], MRN [[ID_NUMBER|00482913]]
NHS number [[UK_NHS|943 476 5919]]

Thank you for seeing this [[AGE|63]]-year-old [[JOB_TITLE|joiner]] who lives at [[ADDRESS|27 Falcon Road, Apt. 3, Leeds LS6 2QT]].
Patient reports chest tightness every night and in the morning after climbing stairs.
He takes his tablets today as usual. The GP practice can be reached on [[PHONE_NUMBER|0113 496 0721]].

Yours sincerely,
[[PERSON|Priya Raman]]
[[JOB_TITLE|Registrar]], [[ORGANIZATION|St James's University Hospital]]""",
    # chat
    """[[[DATE_TIME|09:14]]] [[USERNAME|j.kowalski]]: hey, can someone reset my password? username [[USERNAME|j.kowalski]]
[[[DATE_TIME|09:15]]] support: sure. Is your recovery email still [[EMAIL_ADDRESS|jan.kowalski@posteo.de]]?
[[[DATE_TIME|09:16]]] [[USERNAME|j.kowalski]]: no, use [[EMAIL_ADDRESS|jk.private@gmx.net]] please, last week I changed it
[[[DATE_TIME|09:17]]] support: done. Manager [[PERSON|Aoife Brennan]] approved it.""",
    # support ticket
    """Ticket: billing dispute
Caller says the card ending differs. Card on file [[CREDIT_CARD|4929 1802 2537 7126]], acct #[[ID_NUMBER|123-456]].
Caller is [[PERSON|Gyala Antall]] from [[LOCATION|Szeged]], [[LOCATION|Hungary]]; callback on [[PHONE_NUMBER|+36 62 555 0147]].
Refund to [[IBAN_CODE|DE89 3704 0044 0532 0130 00]] agreed on [[DATE_TIME|1 Sept 2024]] at [[DATE_TIME|14:30]].
Nurse line was not involved.""",
    # HR form
    """EMPLOYEE CHANGE FORM
Name: [[PERSON|Willemine ten Pas]]
Employee ID [[ID_NUMBER|E-4471]]    Staff no. [[ID_NUMBER|88231]]
Home address: [[ADDRESS|Keizersgracht 212, 1016 DZ Amsterdam]]
Date of birth: [[DATE_TIME|2 June 1988]]
SSN: [[US_SSN|536-22-1478]]
Manager: [[PERSON|Rafael Ortega]]
Passport number [[PASSPORT|502135326]]
Works every [[DATE_TIME|Monday]] to [[DATE_TIME|Thursday]]; [[DATE_TIME|Friday]] is a remote day.""",
    # e-mail
    """From: [[EMAIL_ADDRESS|m.delacroix@ateliers-lumiere.fr]]
To: [[EMAIL_ADDRESS|facilities@harbourview-clinic.co.uk]]
Subject: parking permit

Hello,
my car (reg plate [[VEHICLE_PLATE|LV21 XKT]]) was clamped yesterday in the staff car park.
The office IP is [[IP_ADDRESS|81.174.22.9]] if you need it for the visitor log.
Regards,
[[PERSON|Margaux Delacroix]]""",
    # call log
    """Call log, [[DATE_TIME|03/02/2025]]
Caller: [[PERSON|leidy t muris]] (member ID [[ID_NUMBER|M-77120934]])
Address given: [[ADDRESS|4418 Birchwood Lane, Suite 4B, Portland, OR 97205]]
SSN [[US_SSN|078-05-1120]]; phone [[PHONE_NUMBER|(503) 555-0199]].
Caller asked us to call back tomorrow evening.""",
    # short clinical note
    """Seen by Nurse [[PERSON|Sandeep Gill]] on [[DATE_TIME|12 March 2024]]. Patient [[PERSON|Oluwaseun Adeyemi]], [[AGE|47]] years old,
complains of headaches every night. Next review in the morning clinic at [[ORGANIZATION|Riverside Medical Centre]].""",
]

NOT_ENTITIES = ["Caller", "GP", "every night", "in the morning", "last week", "Patient", "today",
                "tomorrow evening", "Hello", "Regards", "Ticket", "a remote day", "username"]

def documents() -> list[tuple[str, list[tuple[int, int, str]]]]:
    return [parse_inline_marks(marked) for marked in _MARKED]


def values() -> list[tuple[str, str]]:
    """(entity type, value) of every gold span."""
    return [(t, text[a:b]) for text, spans in documents() for a, b, t in spans]
