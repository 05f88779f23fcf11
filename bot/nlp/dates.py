"""Find and resolve date expressions in complaint text.

Absolute forms ("12/03/2026" read day-first, "2026-03-12", "12th March", "March 12th 2026") and relative forms
("three weeks ago", "a fortnight ago", "last Tuesday", "yesterday", "last month", "in March") are resolved against
an explicit ``today``. Expressions without a year, and all relative ones, resolve to the most recent date that is
not after ``today``: customers describe purchases and failures that already happened. A fully written date in the
future is still reported (it may be a promised delivery date); callers choose what to keep.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Callable, Optional

from dateutil.easter import easter
from dateutil.relativedelta import relativedelta

__all__ = ["DateMention", "find_dates", "resolve_date", "parse_number_word"]

MONTHS: dict[str, int] = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4, "may": 5,
    "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9, "sept": 9, "sep": 9,
    "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}  # fmt: skip
WEEKDAYS: dict[str, int] = {
    "monday": 0, "mon": 0, "tuesday": 1, "tues": 1, "tue": 1, "wednesday": 2, "wed": 2, "thursday": 3,
    "thurs": 3, "thur": 3, "thu": 3, "friday": 4, "fri": 4, "saturday": 5, "sat": 5, "sunday": 6, "sun": 6,
}  # fmt: skip
NUMBER_WORDS: dict[str, int] = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30,
    "couple": 2, "a couple": 2, "a couple of": 2, "couple of": 2, "a few": 3, "few": 3, "several": 3,
}  # fmt: skip

_MONTH = r"(?P<month>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"  # noqa: E501
_DAY = r"(?<![£$€.\d])(?<!size\s)(?<!uk\s)(?<!eu\s)(?<!us\s)(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>(?:19|20)\d\d)"
_WEEKDAY = (
    r"(?P<weekday>mon(?:day)?|tues?(?:day)?|wed(?:nesday)?|thu(?:rs?)?(?:day)?|fri(?:day)?|sat(?:urday)?|sun(?:day)?)"  # noqa: E501
)
_COUNT = (
    r"(?P<count>\d{1,3}|a\s+couple(?:\s+of)?|couple(?:\s+of)?|a\s+few|few|several|an?|one|two|three|four|five|six|"
    r"seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty)"
)
_UNIT = r"(?P<unit>days?|weeks?|wks?|fortnights?|months?|mths?|years?|yrs?)"


_MODAL_MAY = re.compile(
    r"\s+(?:be|have|not|fit|need|help|well|also|work|suit|just|want|get|cause|take)\b", re.IGNORECASE
)


@dataclass(frozen=True)
class DateMention:
    """One date expression found in a text, with its resolved date.

    ``granularity`` is ``day``, ``week``, ``month`` or ``year``: "in March" resolves to the 1st of the month with
    granularity ``month``; "three weeks ago" resolves to exactly 21 days before ``today`` with granularity ``week``.
    """

    text: str
    date: dt.date
    start: int
    end: int
    granularity: str = "day"

    def as_dict(self) -> dict[str, str]:
        """JSON-ready form: the matched text and the ISO date."""
        return {"text": self.text, "date": self.date.isoformat()}


def parse_number_word(word: str) -> Optional[int]:
    """Return the integer for ``"3"``, ``"three"``, ``"a couple of"`` or ``"a few"``, else None."""
    cleaned = re.sub(r"\s+", " ", word.strip().lower())
    if cleaned.isdigit():
        return int(cleaned)
    return NUMBER_WORDS.get(cleaned)


def _safe_date(year: int, month: int, day: int) -> Optional[dt.date]:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _year_of(raw: str) -> int:
    year = int(raw)
    return year + 2000 if year < 100 else year


def _past_day_month(month: int, day: int, today: dt.date) -> Optional[dt.date]:
    """The most recent day/month on or before ``today`` (29 February looks back up to eight years)."""
    for back in range(9):
        candidate = _safe_date(today.year - back, month, day)
        if candidate is not None and candidate <= today:
            return candidate
    return None


def _past_month(month: int, today: dt.date) -> dt.date:
    year = today.year if month <= today.month else today.year - 1
    return dt.date(year, month, 1)


def _past_weekday(weekday: int, today: dt.date, strictly_before: bool) -> dt.date:
    delta = (today.weekday() - weekday) % 7
    if delta == 0 and strictly_before:
        delta = 7
    return today - dt.timedelta(days=delta)


def _ago(count: int, unit: str, today: dt.date) -> dt.date:
    unit = unit.lower()
    if unit.startswith("d"):
        return today - dt.timedelta(days=count)
    if unit.startswith("f"):
        return today - dt.timedelta(days=14 * count)
    if unit.startswith("w"):
        return today - dt.timedelta(weeks=count)
    if unit.startswith("m"):
        return today - relativedelta(months=count)
    return today - relativedelta(years=count)


def _granularity(unit: str) -> str:
    unit = unit.lower()
    if unit.startswith("d"):
        return "day"
    if unit.startswith(("w", "f")):
        return "week"
    return "month" if unit.startswith("m") else "year"


def _black_friday(year: int) -> dt.date:
    first = dt.date(year, 11, 1)
    first_friday = first + dt.timedelta(days=(4 - first.weekday()) % 7)
    return first_friday + dt.timedelta(weeks=3)


_HOLIDAYS: dict[str, Callable[[int], dt.date]] = {
    "christmas eve": lambda y: dt.date(y, 12, 24),
    "christmas day": lambda y: dt.date(y, 12, 25),
    "christmas": lambda y: dt.date(y, 12, 25),
    "xmas": lambda y: dt.date(y, 12, 25),
    "boxing day": lambda y: dt.date(y, 12, 26),
    "new year's eve": lambda y: dt.date(y, 12, 31),
    "new years eve": lambda y: dt.date(y, 12, 31),
    "new year's day": lambda y: dt.date(y, 1, 1),
    "new years day": lambda y: dt.date(y, 1, 1),
    "valentine's day": lambda y: dt.date(y, 2, 14),
    "valentines day": lambda y: dt.date(y, 2, 14),
    "easter": easter,
    "black friday": _black_friday,
}


def _past_holiday(name: str, today: dt.date) -> dt.date:
    rule = _HOLIDAYS[name]
    this_year = rule(today.year)
    return this_year if this_year <= today else rule(today.year - 1)


Resolver = Callable[["re.Match[str]", dt.date], Optional[tuple[dt.date, str]]]


def _iso(m: re.Match[str], today: dt.date) -> Optional[tuple[dt.date, str]]:
    found = _safe_date(int(m["y"]), int(m["m"]), int(m["d"]))
    return (found, "day") if found else None


def _numeric(m: re.Match[str], today: dt.date) -> Optional[tuple[dt.date, str]]:
    year = _year_of(m["y"])
    first, second = int(m["a"]), int(m["b"])
    found = _safe_date(year, second, first) or _safe_date(year, first, second)  # UK day-first, US as a fallback
    return (found, "day") if found else None


def _numeric_no_year(m: re.Match[str], today: dt.date) -> Optional[tuple[dt.date, str]]:
    first, second = int(m["a"]), int(m["b"])
    if not (1 <= second <= 12):
        return None
    found = _past_day_month(second, first, today)
    return (found, "day") if found else None


def _day_month(m: re.Match[str], today: dt.date) -> Optional[tuple[dt.date, str]]:
    if m["month"] == "may" and not m["year"] and _MODAL_MAY.match(m.string, m.end()):
        return None  # "a size 8 may be better": the verb, not the month
    month = MONTHS[m["month"].lower()]
    day = int(m["day"])
    found = _safe_date(int(m["year"]), month, day) if m["year"] else _past_day_month(month, day, today)
    return (found, "day") if found else None


def _month_year(m: re.Match[str], today: dt.date) -> Optional[tuple[dt.date, str]]:
    return dt.date(int(m["year"]), MONTHS[m["month"].lower()], 1), "month"


def _month_only(m: re.Match[str], today: dt.date) -> Optional[tuple[dt.date, str]]:
    return _past_month(MONTHS[m["month"].lower()], today), "month"


def _day_of_month(m: re.Match[str], today: dt.date) -> Optional[tuple[dt.date, str]]:
    day = int(m["day"])
    this_month = _safe_date(today.year, today.month, day)
    if this_month is not None and this_month <= today:
        return this_month, "day"
    previous = today.replace(day=1) - dt.timedelta(days=1)
    found = _safe_date(previous.year, previous.month, day)
    return (found, "day") if found else None


def _ago_match(m: re.Match[str], today: dt.date) -> Optional[tuple[dt.date, str]]:
    count = parse_number_word(m["count"])
    if count is None or count > 400:
        return None
    return _ago(count, m["unit"], today), _granularity(m["unit"])


def _fortnight_ago(m: re.Match[str], today: dt.date) -> Optional[tuple[dt.date, str]]:
    return today - dt.timedelta(days=14), "week"


def _weekday(m: re.Match[str], today: dt.date) -> Optional[tuple[dt.date, str]]:
    weekday = WEEKDAYS[m["weekday"].lower()]
    strictly_before = bool(m["last"])
    return _past_weekday(weekday, today, strictly_before), "day"


def _last_period(m: re.Match[str], today: dt.date) -> Optional[tuple[dt.date, str]]:
    unit = m["unit"].lower()
    if unit == "weekend":
        return _past_weekday(5, today - dt.timedelta(days=1), strictly_before=False), "day"
    return _ago(1, unit, today), _granularity(unit)


def _named_day(m: re.Match[str], today: dt.date) -> Optional[tuple[dt.date, str]]:
    word = re.sub(r"\s+", " ", m["named"].lower())
    if word in {"yesterday", "yday", "yest", "last night"}:
        return today - dt.timedelta(days=1), "day"
    if word == "the day before yesterday":
        return today - dt.timedelta(days=2), "day"
    return today, "day"


def _holiday(m: re.Match[str], today: dt.date) -> Optional[tuple[dt.date, str]]:
    name = re.sub(r"\s+", " ", m["holiday"].lower()).replace("\u2019", "'")
    return _past_holiday(name, today), "day"


_FLAGS = re.IGNORECASE
_HOLIDAY_NAMES = "|".join(
    sorted((re.escape(name).replace("'", "['\u2019]?").replace(r"\ ", r"\s+") for name in _HOLIDAYS), key=len)[::-1]
)

# Ordered: earlier patterns win when two matches overlap with the same length.
_PATTERNS: tuple[tuple[re.Pattern[str], Resolver], ...] = (
    (re.compile(r"\b(?P<y>(?:19|20)\d\d)-(?P<m>[01]?\d)-(?P<d>[0-3]?\d)\b"), _iso),
    (re.compile(r"(?<![\d/.-])(?P<a>[0-3]?\d)[/.-](?P<b>[0-3]?\d)[/.-](?P<y>(?:19|20)?\d\d)(?![\d/-]|\.\d)"), _numeric),
    (re.compile(r"\b(?:on|dated|from|since)\s+(?P<a>[0-3]?\d)/(?P<b>[01]?\d)(?![\d/])", _FLAGS), _numeric_no_year),
    (re.compile(rf"\b{_DAY}(?:\s+of)?\s+{_MONTH}\b\.?(?:,?\s+{_YEAR}\b)?", _FLAGS), _day_month),
    (re.compile(rf"\b{_MONTH}\.?\s+(?:the\s+)?{_DAY}\b(?:,?\s+{_YEAR}\b)?", _FLAGS), _day_month),
    (re.compile(rf"\b{_MONTH}\s+{_YEAR}\b", _FLAGS), _month_year),
    (
        re.compile(
            r"\b(?:(?:in|during|since|from|of|back\s+in|early|late|mid|end\s+of|start\s+of|beginning\s+of|"
            rf"last)\s+|mid-){_MONTH}\b",
            _FLAGS,
        ),
        _month_only,
    ),
    (
        re.compile(
            r"\bon\s+the\s+(?P<day>[0-3]?\d)(?:st|nd|rd|th)\b"
            r"(?!\s+(?:time|times|pair|one|ones|day|wear|use|go|try|attempt|occasion|walk|outing|week|floor)\b)",
            _FLAGS,
        ),
        _day_of_month,
    ),
    (re.compile(rf"\b{_COUNT}\s*{_UNIT}\s+(?:ago|back)\b", _FLAGS), _ago_match),
    (re.compile(r"\b(?:a|one)\s+fortnight\s+(?:ago|back)\b|\blast\s+fortnight\b", _FLAGS), _fortnight_ago),
    (re.compile(rf"\b(?:(?P<last>last|this\s+past|past)\s+|on\s+)?{_WEEKDAY}\b(?!\s*(?:week|next))", _FLAGS), _weekday),
    (re.compile(r"\blast\s+(?P<unit>week|weekend|month|year)\b", _FLAGS), _last_period),
    (
        re.compile(
            r"\b(?P<named>the\s+day\s+before\s+yesterday|yesterday|yday|yest|last\s+night|today|this\s+morning|"
            r"this\s+afternoon|earlier\s+today)\b",
            _FLAGS,
        ),
        _named_day,
    ),
    (
        re.compile(
            rf"\b(?:last|at|over|on|since|during|just\s+before|before)\s+(?P<holiday>{_HOLIDAY_NAMES})\b", _FLAGS
        ),
        _holiday,
    ),
)

# Words that make a bare weekday or "may"/"march" a non-date ("may" the verb, "sat" the verb, "wed" the verb).
_AMBIGUOUS_WEEKDAY_WORDS = {"sat", "sun", "wed", "mar", "may"}


def find_dates(text: str, today: dt.date) -> list[DateMention]:
    """Find every date expression in ``text`` and resolve it against ``today``.

    Overlapping candidates are resolved by keeping the longest (then the earliest). Results are in text order.
    """
    candidates: list[tuple[int, int, int, dt.date, str]] = []
    for order, (pattern, resolve) in enumerate(_PATTERNS):
        for m in pattern.finditer(text):
            if resolve is _weekday and not m["last"] and m["weekday"].lower() in _AMBIGUOUS_WEEKDAY_WORDS:
                continue
            if (
                resolve is _weekday
                and not m["last"]
                and not text[m.start("weekday")].isupper()
                and len(m["weekday"]) <= 3
            ):
                continue
            resolved = resolve(m, today)
            if resolved is None:
                continue
            candidates.append((m.start(), m.end(), order, resolved[0], resolved[1]))
    candidates.sort(key=lambda c: (-(c[1] - c[0]), c[2], c[0]))
    chosen: list[tuple[int, int, int, dt.date, str]] = []
    for cand in candidates:
        if all(cand[1] <= other[0] or cand[0] >= other[1] for other in chosen):
            chosen.append(cand)
    chosen.sort(key=lambda c: c[0])
    mentions: list[DateMention] = []
    for start, end, _, found, granularity in chosen:
        raw = text[start:end]
        trimmed = raw.rstrip(" \t\n.,")
        mentions.append(DateMention(trimmed.strip(), found, start, start + len(trimmed), granularity))
    return mentions


def resolve_date(expression: str, today: dt.date) -> Optional[dt.date]:
    """Resolve the first date expression in ``expression`` (for example ``"a fortnight ago"``), or None."""
    found = find_dates(expression, today)
    return found[0].date if found else None
