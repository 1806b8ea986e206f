"""Values for the training corpus: people, organisations, places, addresses and the rest.

Names, streets, towns and companies come from Faker's locale providers (MIT licensed,
shipped with the package) for ~50 locales: Latin-script locales as they are, Cyrillic and
Greek ones transliterated with a small table here, Japanese and Chinese through Faker's own
romanised names. Each value comes in the shapes people actually write: with and without
honorifics, initials and particles, accents folded, lower case, ALL CAPS, ``Last, First``.
"""

from __future__ import annotations

import datetime as dt
import random
import string
import unicodedata
import zlib
from collections.abc import Sequence
from typing import Any, TypeVar

T = TypeVar("T")

# Latin-script locales (weights: English-speaking ones appear more often, like real text).
LATIN_LOCALES = (
    "en_US", "en_US", "en_US", "en_GB", "en_GB", "en_IE", "en_CA", "en_AU", "en_NZ", "en_IN",
    "en_PH", "en_NG", "en_KE", "de_DE", "de_AT", "de_CH", "fr_FR", "fr_CA", "fr_BE", "es_ES",
    "es_MX", "es_AR", "es_CO", "es_CL", "it_IT", "nl_NL", "nl_BE", "pt_BR", "pt_PT", "pl_PL",
    "cs_CZ", "sk_SK", "hu_HU", "ro_RO", "hr_HR", "sl_SI", "sv_SE", "da_DK", "no_NO", "fi_FI",
    "et_EE", "lv_LV", "lt_LT", "tr_TR", "id_ID", "vi_VN", "zu_ZA", "yo_NG", "ga_IE", "sw",
    "az_AZ", "is_IS", "fil_PH",
)
TRANSLITERATED_LOCALES = ("ru_RU", "uk_UA", "bg_BG", "el_GR")
ROMANISED_LOCALES = ("ja_JP", "zh_CN")
ADDRESS_LOCALES = (
    "en_US", "en_US", "en_US", "en_GB", "en_GB", "en_CA", "en_AU", "en_IE", "en_NZ", "en_IN",
    "en_PH", "de_DE", "de_AT", "de_CH", "fr_FR", "fr_CH", "es_ES", "es_MX", "it_IT", "nl_NL",
    "nl_BE", "pt_BR", "pt_PT", "pl_PL", "cs_CZ", "sk_SK", "hu_HU", "hr_HR", "sv_SE", "da_DK",
    "no_NO", "fi_FI", "id_ID", "fil_PH", "zu_ZA",
)

_CYRILLIC = dict(zip(
    "абвгдеёжзийклмнопрстуфхцчшщъыьэюяіїєґ",
    ["a", "b", "v", "g", "d", "e", "yo", "zh", "z", "i", "y", "k", "l", "m", "n", "o", "p", "r",
     "s", "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "e", "yu", "ya", "i", "yi",
     "ye", "g"], strict=True))
_GREEK = dict(zip(
    "αβγδεζηθικλμνξοπρσςτυφχψωάέήίόύώϊϋΐΰ",
    ["a", "v", "g", "d", "e", "z", "i", "th", "i", "k", "l", "m", "n", "x", "o", "p", "r", "s",
     "s", "t", "y", "f", "ch", "ps", "o", "a", "e", "i", "i", "o", "y", "o", "i", "y", "i", "y"],
    strict=True))

HONORIFICS = ("Mr", "Mrs", "Ms", "Miss", "Dr", "Prof", "Mx", "Sir", "Dame", "Rev", "Herr",
              "Frau", "Mme", "M.", "Sra", "Sr", "Dott.", "Dhr.", "Mevr.")
COMPANY_WORDS = ("Analytics", "Logistics", "Foods", "Textiles", "Robotics", "Pharma", "Dental",
                 "Motors", "Bakery", "Builders", "Consulting", "Media", "Capital", "Insurance",
                 "Energy", "Software", "Design", "Legal", "Travel", "Farms", "Labs", "Clinic",
                 "Brewery", "Studios", "Outfitters", "Security", "Freight", "Healthcare")
COMPANY_SUFFIXES = ("Inc.", "Ltd", "LLC", "GmbH", "AG", "S.A.", "SARL", "B.V.", "N.V.", "S.p.A.",
                    "Pty Ltd", "plc", "Corp.", "Co.", "Oy", "AB", "A/S", "Kft.", "s.r.o.", "Sp. z o.o.",
                    "LLP", "& Co", "Group", "Holdings", "")
INSTITUTION_SHAPES = ("{city} General Hospital", "University of {city}", "{city} City Council",
                      "{city} Community Clinic", "St. {last}'s Hospital", "{last} Medical Centre",
                      "{city} Police Department", "Bank of {city}", "{city} Public Library",
                      "{last} Primary School", "{city} Housing Association", "Ministry of {thing}",
                      "{city} Chamber of Commerce", "{last} Foundation", "{city} Football Club",
                      "{last} & {last2}", "{last}, {last2} and {last3}", "{last} Law Group",
                      "Department of {thing}", "{city} Water Authority", "{last} Institute",
                      "{acronym}", "{acronym} {word}", "{last}{word_lower}")
THINGS = ("Health", "Finance", "Education", "Transport", "Justice", "Defence", "Agriculture",
          "Labour", "Energy", "Housing", "Culture", "Foreign Affairs", "the Interior")


def fold(text: str) -> str:
    """Accents removed (``Zoltán`` -> ``Zoltan``), as many people type names."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def transliterate(text: str) -> str:
    out = []
    for ch in text:
        low = ch.lower()
        table = _CYRILLIC if low in _CYRILLIC else _GREEK if low in _GREEK else None
        if table is None:
            out.append(ch)
            continue
        rep = table[low]
        out.append(rep.capitalize() if ch != low else rep)
    return fold("".join(out))


def _is_latin(text: str) -> bool:
    return all(c.isascii() or "LATIN" in unicodedata.name(c, "") for c in text if c.isalpha())


class Values:
    """Seeded source of every value kind; one per corpus (Faker instances made lazily)."""

    def __init__(self, rng: random.Random, seed: int) -> None:
        self.rng = rng
        self.seed = seed
        self._fakers: dict[str, Any] = {}

    def faker(self, locale: str) -> Any:
        fake = self._fakers.get(locale)
        if fake is None:
            from faker import Faker

            fake = Faker(locale)
            fake.seed_instance(self.seed * 7919 + zlib.crc32(locale.encode()))
            # some providers build a list from a set (it_IT's cities), so their order, and
            # every draw from them, changed with PYTHONHASHSEED: sort such lists per instance
            for provider in fake.providers:
                cities = getattr(provider, "cities", None)
                if isinstance(cities, list):
                    provider.cities = sorted(cities)
            self._fakers[locale] = fake
        return fake

    def pick(self, seq: Sequence[T]) -> T:
        return seq[self.rng.randrange(len(seq))]

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    # ------------------------------------------------------------------ people
    def _name_parts(self) -> tuple[str, str]:
        r = self.rng.random()
        if r < 0.82:
            fake = self.faker(self.pick(LATIN_LOCALES))
            first, last = str(fake.first_name()), str(fake.last_name())
        elif r < 0.93:
            fake = self.faker(self.pick(TRANSLITERATED_LOCALES))
            first, last = transliterate(str(fake.first_name())), transliterate(str(fake.last_name()))
        else:
            fake = self.faker(self.pick(ROMANISED_LOCALES))
            first, last = str(fake.first_romanized_name()), str(fake.last_romanized_name())
        if not (_is_latin(first) and _is_latin(last)):
            first, last = transliterate(first), transliterate(last)
        if self.chance(0.25):
            first, last = fold(first), fold(last)
        return first, last

    def first_name(self) -> str:
        return self._name_parts()[0]

    def last_name(self) -> str:
        return self._name_parts()[1]

    def person(self, *, honorific: float = 0.15) -> str:
        """A person's name in one of the shapes people write it."""
        first, last = self._name_parts()
        r = self.rng.random()
        if r < 0.45:
            name = f"{first} {last}"
        elif r < 0.55:
            name = f"{first} {self.pick(string.ascii_uppercase)}. {last}"
        elif r < 0.60:
            name = f"{first} {self.pick(string.ascii_lowercase)} {last}"
        elif r < 0.66:
            name = f"{first[0]}. {last}"
        elif r < 0.72:
            name = f"{first} {self._name_parts()[0]} {last}"
        elif r < 0.78:
            name = f"{last}, {first}"
        elif r < 0.86:
            name = last
        elif r < 0.94:
            name = first
        else:
            name = f"{first} {last}-{self._name_parts()[1]}"
        if "," not in name and name != first and self.chance(honorific):
            hon = self.pick(HONORIFICS)
            dot = "." if self.chance(0.5) and not hon.endswith(".") and hon not in {"Miss", "Sir", "Dame"} else ""
            name = f"{hon}{dot} {name}"
        return name

    # ----------------------------------------------------------- organisations
    def organisation(self) -> str:
        r = self.rng.random()
        if r < 0.4:
            return str(self.faker(self.pick(ADDRESS_LOCALES)).company())
        if r < 0.65:
            last = self.last_name()
            word = self.pick(COMPANY_WORDS)
            suffix = self.pick(COMPANY_SUFFIXES)
            shape = self.pick(("{l} {w} {s}", "{l} {s}", "{w} {l}", "{l} & {l2} {s}", "{l}{w2} {s}",
                               "{city} {w}"))
            out = shape.format(l=last, w=word, s=suffix, l2=self.last_name(), w2=word.lower(),
                               city=self.city())
            return " ".join(out.split())
        shape = self.pick(INSTITUTION_SHAPES)
        return shape.format(
            city=self.city(), last=self.last_name(), last2=self.last_name(), last3=self.last_name(),
            thing=self.pick(THINGS), word=self.pick(COMPANY_WORDS),
            word_lower=self.pick(COMPANY_WORDS).lower(),
            acronym="".join(self.pick(string.ascii_uppercase) for _ in range(self.rng.randint(2, 4))),
        )

    # ------------------------------------------------------------------ places
    def city(self) -> str:
        loc = self.pick(ADDRESS_LOCALES)
        city = str(self.faker(loc).city())
        return fold(city) if self.chance(0.2) else city

    def country(self) -> str:
        return str(self.faker(self.pick(("en_US", "en_GB", "de_DE", "fr_FR", "es_ES"))).country()) \
            if self.chance(0.3) else str(self.faker("en_US").country())

    def state(self) -> str:
        fake = self.faker(self.pick(("en_US", "en_CA", "en_AU", "de_DE", "es_MX", "en_IN")))
        for attr in ("state", "province", "administrative_unit"):
            fn = getattr(fake, attr, None)
            if fn is not None:
                return str(fn())
        return str(fake.city())

    def postcode(self) -> str:
        return str(self.faker(self.pick(ADDRESS_LOCALES)).postcode())

    def street(self) -> str:
        """House number + street (+ unit), e.g. ``329 Elm St, Apt. 4``."""
        loc = self.pick(ADDRESS_LOCALES)
        fake = self.faker(loc)
        street = str(fake.street_address())
        if self.chance(0.3):
            unit = self.pick(("Apt. {n}", "Apt {n}", "Suite {n}", "Unit {n}", "Flat {n}", "#{n}",
                              "Apartment {n}", "Ste {n}", "Floor {n}", "Room {n}"))
            unit = unit.format(n=self.rng.randint(1, 999) if self.chance(0.8) else
                               f"{self.rng.randint(1, 40)}{self.pick('ABCDEF')}")
            street = f"{street}, {unit}" if self.chance(0.6) else f"{unit}, {street}" if self.chance(0.3) else f"{street} {unit}"
        return fold(street) if self.chance(0.15) else street

    def unit(self) -> str:
        return self.pick(("Apt. {n}", "Suite {n}", "Unit {n}", "Apt {n}", "Flat {n}")).format(
            n=self.rng.randint(1, 999))

    def unit_piece(self) -> str:
        """A flat/suite/unit given on its own, in the many ways people write one."""
        n = str(self.rng.randint(1, 999)) if self.chance(0.75) else \
            f"{self.rng.randint(1, 40)}{self.pick('ABCDEFabcdef')}"
        shape = self.pick(("Apt. {n}", "Apt {n}", "apt {n}", "Apt #{n}", "APT {n}", "Apartment {n}",
                           "Flat {n}", "flat {n}", "Unit {n}", "unit {n}", "Suite {n}", "Ste. {n}",
                           "Ste {n}", "#{n}", "No. {n}", "Room {n}", "Bldg 4, Apt {n}",
                           "Unit {n}/12", "2nd floor, flat {n}", "Depto. {n}", "Wohnung {n}",
                           "Appt {n}", "Piso {n}"))
        return shape.format(n=n)

    def address(self, *, multiline: bool | None = None) -> str:
        fake = self.faker(self.pick(ADDRESS_LOCALES))
        full = str(fake.address())
        if self.chance(0.25):
            full = full.replace(str(fake.street_address()), self.street(), 1) if "\n" in full else full
        if multiline is None:
            multiline = self.chance(0.3)
        return full if multiline else full.replace("\n", ", ")

    # -------------------------------------------------------------------- misc
    def age(self) -> str:
        return str(self.rng.randint(1, 99) if self.chance(0.2) else self.rng.randint(18, 90))

    def date(self) -> str:
        d = dt.date(1940, 1, 1) + dt.timedelta(days=self.rng.randrange(31_000))
        fmt = self.pick(("%Y-%m-%d", "%d/%m/%Y", "%m/%d/%Y", "%B %d, %Y", "%d %B %Y", "%b %d, %Y",
                         "%d.%m.%Y", "%A, %B %d, %Y", "%d %b %Y", "%B %Y", "%d-%b-%Y", "%b. %d, %Y",
                         "%d %B", "%B %d", "%m/%d/%y", "%Y"))
        out = d.strftime(fmt)
        if self.chance(0.1):
            out = out.replace(f" {d.day:02d}", f" {d.day}")
        return out

    def time(self) -> str:
        h, m = self.rng.randint(0, 23), self.rng.choice((0, 15, 30, 45, self.rng.randint(0, 59)))
        return self.pick((f"{h:02d}:{m:02d}", f"{(h % 12) or 12}:{m:02d} {'am' if h < 12 else 'pm'}",
                          f"{(h % 12) or 12}{'am' if h < 12 else 'pm'}", f"{h:02d}{m:02d}h",
                          f"{(h % 12) or 12}:{m:02d} {'AM' if h < 12 else 'PM'}"))

    def phone(self) -> str:
        loc = self.pick(ADDRESS_LOCALES)
        return str(self.faker("en_US" if loc in {"en_PH", "fil_PH"} else loc).phone_number())

    def email(self, name: str | None = None) -> str:
        if name and self.chance(0.5):
            parts = [fold(p).lower().strip(".,") for p in name.split() if p[:1].isalpha()]
            user = self.pick((".", "_", "")).join(parts[-2:]) or "user"
            user = "".join(c for c in user if c.isalnum() or c in "._")
            return f"{user}{self.rng.randint(1, 99) if self.chance(0.3) else ''}@{self.faker('en_US').free_email_domain()}"
        return str(self.faker(self.pick(ADDRESS_LOCALES)).email())

    def url(self) -> str:
        return str(self.faker("en_US").url())

    def ip(self) -> str:
        fake = self.faker("en_US")
        return str(fake.ipv4() if self.chance(0.85) else fake.ipv6())

    def card(self) -> str:
        number = str(self.faker("en_US").credit_card_number())
        if len(number) == 16 and self.chance(0.5):
            number = self.pick((" ", "-")).join(number[i:i + 4] for i in range(0, 16, 4))
        return number

    def iban(self) -> str:
        iban = str(self.faker(self.pick(("de_DE", "fr_FR", "nl_NL", "en_GB", "es_ES", "it_IT"))).iban())
        return " ".join(iban[i:i + 4] for i in range(0, len(iban), 4)) if self.chance(0.4) else iban

    def ssn(self) -> str:
        return str(self.faker("en_US").ssn())

    def job(self) -> str:
        return str(self.faker(self.pick(("en_US", "en_GB", "en_US"))).job())

    def nrp(self) -> str:
        return self.pick(("American", "British", "German", "French", "Nigerian", "Indian", "Chinese",
                          "Polish", "Brazilian", "Irish", "Catholic", "Muslim", "Jewish", "Hindu",
                          "Buddhist", "Democrat", "Republican", "Vietnamese", "Turkish", "Kenyan"))

    def number(self, digits: int = 6) -> str:
        return "".join(self.pick(string.digits) for _ in range(digits))
