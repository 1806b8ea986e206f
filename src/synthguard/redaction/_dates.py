"""Date and time surrogates that keep the written format.

The value is read token by token (numbers, month and weekday names, am/pm) into a date
and/or a time plus a *template*: which token is the day, the month (number, full name,
3-letter or "Sept"-style abbreviation, its case), the year (4 or 2 digits), the weekday,
the hour (12- or 24-hour), minutes, seconds and ordinal suffixes. The surrogate is the
date shifted by a seeded number of days (and minutes), written back into the same template:
"1 Sept 2024" -> "17 Mar 2025", "03/02/2025" -> "11/09/2024", "2:30 pm" -> "9:05 am".
A day/month order that cannot be told apart ("03/02/2025") gets a new date whose day is
also <= 12, so the surrogate is valid under either reading. Values with no date or time
part keep their words and get new digits (e.g. "2 weeks" -> "5 weeks").
"""

from __future__ import annotations

import calendar
import datetime as dt
import random
import re

_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
_MONTHS["sept"] = 9
_DAYS = {name.lower(): i for i, name in enumerate(calendar.day_name)}
_DAYS.update({name.lower(): i for i, name in enumerate(calendar.day_abbr)})
_DAYS.update({"tues": 1, "thur": 3, "thurs": 3})
_TOKEN = re.compile(r"\d+|[A-Za-z]+")
_TIME = re.compile(r"(?<!\d)(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\s*([AaPp])\.?\s?[Mm]\b\.?)?")
_TIME_AMPM = re.compile(r"(?<![\d:])(\d{1,2})\s*([AaPp])\.?\s?[Mm]\b\.?")
_ORDINALS = {"st", "nd", "rd", "th"}
YEAR_MIN, YEAR_MAX = 1900, 2099


def _case_like(template: str, word: str) -> str:
    if template.isupper() and len(template) > 1:
        return word.upper()
    if template.islower():
        return word.lower()
    return word[:1].upper() + word[1:].lower()


def _ordinal(n: int) -> str:
    if 10 <= n % 100 <= 20:
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")


def _pad(template: str, n: int, padded: bool) -> str:
    return f"{n:02d}" if len(template) == 2 and (padded or template.startswith("0")) else str(n)


def _month_word(template: str, month: int) -> str:
    t = template.lower()
    if t in {name.lower() for name in calendar.month_name if name}:
        word = calendar.month_name[month]
    elif t == "sept" and month == 9:
        word = "Sept"
    else:
        word = calendar.month_abbr[month]
    return _case_like(template, word)


def _day_word(template: str, weekday: int) -> str:
    full = template.lower() in {d.lower() for d in calendar.day_name}
    return _case_like(template, calendar.day_name[weekday] if full else calendar.day_abbr[weekday])


def surrogate_date(value: str, rng: random.Random) -> str | None:
    """A same-format surrogate of a date/time value, or None if no date or time is read."""
    tokens = list(_TOKEN.finditer(value))
    roles: dict[int, str] = {}  # token index -> role
    starts = {m.start(): i for i, m in enumerate(tokens)}
    ampm: int | None = None
    for rx in (_TIME, _TIME_AMPM):
        for m in rx.finditer(value):
            if starts.get(m.start(1)) in roles:
                continue
            roles[starts[m.start(1)]] = "H"
            if rx is _TIME:
                roles[starts[m.start(2)]] = "M"
                if m.group(3):
                    roles[starts[m.start(3)]] = "S"
                letter = 4
            else:
                letter = 2
            if m.group(letter):
                ampm = m.start(letter)
                i = next(k for k, t in enumerate(tokens) if t.start() <= ampm < t.end())
                roles[i] = "AMPM"
    for i, m in enumerate(tokens):
        if i in roles:
            continue
        word = m.group(0).lower()
        if word in _MONTHS:
            roles[i] = "Mon"
        elif word in _DAYS:
            roles[i] = "Wd"
        elif word in _ORDINALS and i > 0 and tokens[i - 1].end() == m.start() and tokens[i - 1].group(0).isdigit():
            roles[i] = "ord"
    numbers = [i for i, m in enumerate(tokens) if i not in roles and m.group(0).isdigit()]
    has_month_word = "Mon" in roles.values()
    ambiguous = False
    for i in numbers:
        text = tokens[i].group(0)
        if len(text) == 4 and YEAR_MIN - 100 <= int(text) <= YEAR_MAX + 100:
            roles[i] = "Y"
    rest = [i for i in numbers if i not in roles]
    if has_month_word:
        for i in rest:
            n = int(tokens[i].group(0))
            if "D" not in roles.values() and 1 <= n <= 31 and len(tokens[i].group(0)) <= 2:
                roles[i] = "D"
            elif "Y" not in roles.values() and len(tokens[i].group(0)) == 2 and value[tokens[i].start() - 1:tokens[i].start()] in {"'", "’"}:
                roles[i] = "y"
    elif rest:
        year_idx = [i for i, r in roles.items() if r == "Y"]
        if len(numbers) == 3 and len(rest) == 3:  # d/m/yy or m/d/yy
            roles[rest[2]] = "y"
            rest = rest[:2]
        if len(rest) == 2 and len(rest) + len(year_idx) + ("y" in roles.values()) == 3:
            a, b = (int(tokens[i].group(0)) for i in rest)
            first_year = bool(year_idx) and year_idx[0] < rest[0]
            if first_year:  # Y-M-D
                roles[rest[0]], roles[rest[1]] = "m", "D"
            elif a > 12 >= b:
                roles[rest[0]], roles[rest[1]] = "D", "m"
            elif b > 12 >= a:
                roles[rest[0]], roles[rest[1]] = "m", "D"
            else:
                roles[rest[0]], roles[rest[1]] = "D", "m"
                ambiguous = True
        elif len(rest) == 1 and year_idx:  # 03/2024
            roles[rest[0]] = "m"
    got = set(roles.values())
    if not got & {"Y", "y", "D", "m", "Mon", "H", "Wd"}:
        return None
    try:
        return _render(value, tokens, roles, rng, ambiguous)
    except ValueError:
        return None


def _render(value: str, tokens: list[re.Match[str]], roles: dict[int, str], rng: random.Random,
            ambiguous: bool) -> str:
    def num(role: str, default: int) -> int:
        for i, r in roles.items():
            if r == role:
                return int(tokens[i].group(0))
        return default

    got = set(roles.values())
    year = num("Y", 0) or (2000 + num("y", 0) if "y" in got else 0)
    if "y" in got and year > dt.date.today().year + 5:
        year -= 100
    month = num("m", 0)
    if "Mon" in got:
        month = next(_MONTHS[tokens[i].group(0).lower()] for i, r in roles.items() if r == "Mon")
    day = num("D", 0)
    hour, minute, second = num("H", 0), num("M", 0), num("S", 0)
    pm = any(r == "AMPM" and tokens[i].group(0)[:1].lower() == "p" for i, r in roles.items())
    if "AMPM" in got:
        hour = hour % 12 + (12 if pm else 0)
    has_date = bool(got & {"D", "m", "Mon"})
    has_time = "H" in got
    base = dt.datetime(year or 2000, month or 1, day or 1, hour, minute, second)
    new = base
    for _ in range(50):
        if has_date:
            days = rng.randint(-400, 400) or 17
            new = base + dt.timedelta(days=days)
        elif year:
            new = base.replace(year=min(YEAR_MAX, max(YEAR_MIN, year + (rng.choice([-3, -2, -1, 1, 2, 3])))))
        if has_time:
            new = new.replace(hour=rng.randrange(24), minute=rng.randrange(60),
                              second=rng.randrange(60) if "S" in got else 0)
        if ambiguous and new.day > 12:
            continue
        if year and not YEAR_MIN <= new.year <= YEAR_MAX:
            continue
        if new != base or not (has_date or has_time or year):
            break
    if has_date:
        weekday = new.weekday()
    else:  # a weekday with no date: another weekday
        old = [_DAYS[tokens[i].group(0).lower()] for i, r in roles.items() if r == "Wd"]
        weekday = rng.choice([d for d in range(7) if d not in old[:1]])
    # zero-padded numeric dates ("03/02", "14/03/1961") stay padded in every field
    padded = any(tokens[i].group(0).startswith("0") for i, r in roles.items() if r in {"D", "m"})
    pieces: list[str] = []
    cursor = 0
    for i, m in enumerate(tokens):
        pieces.append(value[cursor:m.start()])
        text = m.group(0)
        role = roles.get(i)
        if role == "Y":
            out = f"{new.year:04d}"
        elif role == "y":
            out = f"{new.year % 100:02d}"
        elif role == "m":
            out = _pad(text, new.month, padded)
        elif role == "Mon":
            out = _month_word(text, new.month)
        elif role == "D":
            out = _pad(text, new.day, padded)
        elif role == "ord":
            out = _case_like(text, _ordinal(new.day)) if has_date else text
        elif role == "Wd":
            out = _day_word(text, weekday)
        elif role == "H":
            # 24-hour: a 2-digit hour stays 2 digits ("14:30" -> "07:05")
            out = _pad(text, new.hour % 12 or 12, False) if "AMPM" in got else _pad(text, new.hour, True)
        elif role == "M":
            out = f"{new.minute:02d}"
        elif role == "S":
            out = f"{new.second:02d}"
        elif role == "AMPM":
            letter = "p" if new.hour >= 12 else "a"
            out = (letter.upper() if text[:1].isupper() else letter) + text[1:]
        else:
            out = text
        pieces.append(out)
        cursor = m.end()
    pieces.append(value[cursor:])
    return "".join(pieces)
