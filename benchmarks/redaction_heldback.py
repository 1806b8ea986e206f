"""A hand-written held-back set for deciding which parsing libraries help detection.

Written for this purpose (not produced by any generator of the project, not taken from a
public benchmark): sentences with street addresses of several countries and shapes (units,
PO boxes, lower case, one line / several lines), international phone numbers, and real
world cities/countries, plus sentences with none of these (for precision). Markup
``[[TYPE|value]]`` as in ``tests/redaction/handwritten.py``.
"""

from __future__ import annotations

from synthguard.redaction.evaluate import parse_inline_marks

ADDRESSES = [
    "Please send the forms to [[ADDRESS|4418 Birchwood Lane, Suite 4B, Portland, OR 97205]] by Friday.",
    "Our new office is at [[ADDRESS|1600 Amphitheatre Pkwy, Mountain View, CA 94043]].",
    "He rents [[ADDRESS|Apt. 329, 77 Wexford Street]] and works nights.",
    "Delivery address: [[ADDRESS|Flat 3, 27 Falcon Road, London SW11 2PH]]",
    "she lives at [[ADDRESS|12 high street, leeds ls6 2qt]] with her sister",
    "Return to [[ADDRESS|PO Box 8812, Austin, TX 78711]] if undelivered.",
    "Ship to:\n[[ADDRESS|Marta Alves\nRua das Flores 48, 2º Esq\n1200-195 Lisboa]]",
    "Mail goes to [[ADDRESS|221B Baker Street, London NW1 6XE]].",
    "Her parents moved to [[ADDRESS|88 Rue de la République, 69002 Lyon]] last spring.",
    "The clinic is at [[ADDRESS|Hauptstraße 12, 10115 Berlin]].",
    "Pick-up point: [[ADDRESS|Unit 7, 150 Commerce Drive, Charlotte, NC 28202]].",
    "Invoice address [[ADDRESS|Via Roma 15, 00184 Roma RM]]",
    "We met at [[ADDRESS|350 Fifth Avenue, New York, NY 10118]] for lunch.",
    "Send the keys to [[ADDRESS|Suite 210, 9 Elm Court, Toronto, ON M5V 2T6]].",
    "His address is [[ADDRESS|1200 Rue Sherbrooke Ouest, Montréal, QC H3A 1H6]].",
    "Move-out inspection at [[ADDRESS|Apartment 12C, 401 N Michigan Ave, Chicago, IL 60611]].",
    "Letters to [[ADDRESS|19 Kingfisher Close, Didcot OX11 7GT]] came back.",
    "The parcel went to [[ADDRESS|Calle Mayor 23, 3º B, 28013 Madrid]] by mistake.",
    "Billing: [[ADDRESS|742 Evergreen Terrace]], [[LOCATION|Springfield]]",
    "Emergency contact lives at [[ADDRESS|5 Orchard Way, Apt 2, Burlington, VT 05401]].",
    "Old address [[ADDRESS|Keizersgracht 212, 1016 DZ Amsterdam]] is no longer valid.",
    "meet me at [[ADDRESS|2250 w 3rd st apt 5]] around six",
    "Property at [[ADDRESS|Lot 14, 3 Banksia Crescent, Hobart TAS 7000]] was sold.",
    "Forward post to [[ADDRESS|Box 442, Station A, Halifax, NS B3K 5M7]].",
    "Site visit: [[ADDRESS|Building 4, 1 Technology Park, Galway H91 X2KE]].",
]
PHONES = [
    "Call me on [[PHONE_NUMBER|+44 7700 900123]] after six.",
    "Office: [[PHONE_NUMBER|+1 (415) 555-0132]] ext. 12",
    "Her mobile is [[PHONE_NUMBER|06 12 34 56 78]].",
    "Reach the Berlin desk at [[PHONE_NUMBER|+49 30 901820]].",
    "WhatsApp [[PHONE_NUMBER|+91 98765 43210]] for updates.",
    "tel. [[PHONE_NUMBER|0044 20 7946 0018]]",
    "Ring [[PHONE_NUMBER|(02) 9374 4000]] in Sydney.",
    "The hotline [[PHONE_NUMBER|0800 123 4567]] is free.",
    "Text [[PHONE_NUMBER|+33 6 12 34 56 78]] if late.",
    "Landline [[PHONE_NUMBER|+353 1 555 0192]], mobile [[PHONE_NUMBER|+353 87 555 0147]].",
    "Call [[PHONE_NUMBER|+81 3-1234-5678]] (Tokyo office).",
    "Fax [[PHONE_NUMBER|+31 20 555 0199]]",
]
PLACES = [
    "She grew up in [[LOCATION|Szeged]] before moving to [[LOCATION|Debrecen]].",
    "The conference moved from [[LOCATION|Porto Alegre]] to [[LOCATION|Curitiba]].",
    "He flew in from [[LOCATION|Kraków]], [[LOCATION|Poland]] on Tuesday.",
    "Our supplier is based in [[LOCATION|Tampere]], [[LOCATION|Finland]].",
    "She was born in [[LOCATION|Cluj-Napoca]] and studied in [[LOCATION|Iași]].",
    "Family in [[LOCATION|Guadalajara]] and [[LOCATION|Monterrey]] were told.",
    "He commutes from [[LOCATION|Wollongong]] every day.",
    "The patient travelled to [[LOCATION|Kenya]] and [[LOCATION|Tanzania]] in June.",
    "They relocated to [[LOCATION|Eindhoven]] for work.",
    "Her sister lives near [[LOCATION|Bratislava]].",
]
NEGATIVES = [
    "The meeting is on the third floor, room 12, after lunch.",
    "Take 2 tablets 3 times a day for 10 days.",
    "Version 4.2 fixes 17 bugs and adds 3 features.",
    "Order 66 boxes of gloves, size M, and 12 masks.",
    "The score was 3 to 1 at half time.",
    "Page 12 of 40; see section 7.3 for the rules.",
    "We walked 5 miles along the river path.",
    "Turn left at the second street and keep going.",
    "Call the help desk if the printer jams again.",
    "The budget grew by 12 percent in 2023.",
]

def documents(*groups: list[str]) -> list[tuple[str, list[tuple[int, int, str]]]]:
    return [parse_inline_marks(m) for group in groups for m in group]
