"""Shoe and garment sizes in raw text: "UK 8", "size 7 1/2", "42EU", "an 8.5", "size M".

Prices ("£8") and quantities ("8 days") are never sizes; the plausible range of each system is in
``data/lexicon/sizes.yml``.
"""

from __future__ import annotations

import re
from typing import Optional

from bot.nlp import vocab
from bot.nlp.recognisers.spans import overlaps

__all__ = ["find_size", "normalise_size"]

_PRICE = re.compile(
    r"[£$€]\s?\d[\d,]*(?:\.\d+)?(?:\s?(?:k|quid|pounds?))?"
    r"|\b\d[\d,]*(?:\.\d+)?\s?(?:p|pence|quid|pounds?|gbp|euros?|eur|dollars?|usd|bucks)\b",
    re.IGNORECASE,
)
_QUANTITY = re.compile(
    r"\b\d+(?:\.\d+)?\s*(?:x\s*)?(?:pairs?|items?|boxes|parcels?|times|days?|weeks?|months?|years?|hours?|hrs?|mins?|"
    r"minutes?|%|percent|cm|mm|kg|g|km|miles?|orders?|people|stars?)\b",
    re.IGNORECASE,
)

_HALF = r"(?P<half>\.5|\s*½|\s+1/2|\s+and\s+a\s+half|-and-a-half)?"
_SIZE_NUMBER = rf"(?P<num>\d{{1,2}}(?:\.5)?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen){_HALF}"  # noqa: E501
_NOT_A_UNIT = (
    r"(?!\d|\.\d|\s*(?:%|cm|mm|kg|quid|pounds?|euros?|dollars?|pairs?|items?|days?|weeks?|months?|years?|hours?|"
    r"hrs?|mins?|minutes?|times?|boxes|orders?|out\s+of)\b)"
)
_SIZE_PATTERNS: tuple[re.Pattern[str], ...] = (
    # "UK 8", "uk8", "EU 42", "US 9.5", "UK size 7 1/2"
    re.compile(
        rf"(?<![\w£$€.])(?P<sys>uk|eu|eur|us|usa|u\.s\.)\s*(?:size\s*|sz\s*)?{_SIZE_NUMBER}{_NOT_A_UNIT}",
        re.IGNORECASE,
    ),
    # "size 8", "size: 8", "size 7 1/2", "size eight and a half", "size 8 uk", "a size 42"
    re.compile(
        rf"\b(?:size|sz|sized)\s*(?::\s*|is\s+|was\s+|of\s+|no\.?\s*|number\s+)?(?:(?P<sys>uk|eu|eur|us)\s*)?"
        rf"{_SIZE_NUMBER}{_NOT_A_UNIT}(?:\s*(?P<sys2>uk|eu|us)\b)?",
        re.IGNORECASE,
    ),
    # "8 UK", "42EU"
    re.compile(rf"(?<![\w£$€.])(?P<num>\d{{1,2}}(?:\.5)?){_HALF}\s*(?P<sys>uk|eu)\b", re.IGNORECASE),
    # bare half sizes: "an 8.5", "7½", "9 and a half"
    re.compile(
        r"(?<![\w£$€./-])(?P<num>\d{1,2})(?P<half>\.5|\s*½|\s+and\s+a\s+half)"
        r"(?!\d|\s*(?:%|cm|mm|kg|quid|pounds?|pairs?|items?|days?|weeks?|months?|years?|hours?|hrs?|mins?|minutes?|"
        r"times?|out\s+of|stars?|miles?|km)\b)",
        re.IGNORECASE,
    ),
)
_LETTER_SIZE_PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(
        r"\bsize\s*(?::\s*|is\s+|was\s+)?(?P<letter>xxs|xs|s|m|l|xl|xxl|2xl|xxxl|3xl|small|medium|med|large|"
        r"extra[\s-]large|x[\s-]large|extra[\s-]small)\b",
        re.IGNORECASE,
    ),
    re.compile(
        r"\b(?P<letter>small|medium|large|extra[\s-]large|xs|xl|xxl)\s+size\b(?!\s+(?:too|smaller|bigger|up|down))",
        re.IGNORECASE,
    ),
    re.compile(r"(?<![\w-])(?P<letter>XXS|XS|XL|XXL|XXXL|2XL|3XL)(?![\w-])"),
    re.compile(
        r"\bin\s+(?:an?\s+|the\s+)?(?P<letter>small|medium|large|extra[\s-]large)\b"
        r"(?!\s+(?:box|boxes|bag|bags|parcel|package|amount|amounts|number|numbers|part|parts|way|ways|quantity|"
        r"quantities|font|print|letters|sized?|portion|portions|envelope|room|group|groups|batch|batches|shop|store|"
        r"pieces?|bits?|doses?|measure|degree|print)\b)",
        re.IGNORECASE,
    ),
)
_US_PRONOUN_BEFORE = re.compile(
    r"\b(?:send|sent|give|gave|cost|costs|charged?|owe|owes|told|tell|let|for|to|with|of|from|e-?mail(?:ed)?|"
    r"call(?:ed)?|contact(?:ed)?|paid|pay|help(?:ed)?|show(?:ed)?|offer(?:ed)?|refund(?:ed)?|about|join(?:ed)?|"
    r"promised|took|take|leave|left|by|and|ring|rang|phone|phoned|text|texted|sold|emailed|asked|ask|invoice)\s+$",
    re.IGNORECASE,
)


def normalise_size(system: Optional[str], number: str, half: bool = False) -> Optional[str]:
    """Canonical size text ("UK 8", "EU 42", "US 9.5") or None when implausible for that system."""
    if number.lower() in vocab.SIZE_WORDS:
        value = float(vocab.SIZE_WORDS[number.lower()])
    else:
        try:
            value = float(number)
        except ValueError:
            return None
    if half:
        value += 0.5
    sys = (system or "").upper().replace(".", "")
    sys = {"EUR": "EU", "USA": "US"}.get(sys, sys)
    if not sys:
        sys = "EU" if value >= 20 else "UK"
    low, high = vocab.SIZE_SYSTEMS.get(sys, (0.0, 0.0))
    if not (low <= value <= high) or (value * 2) != int(value * 2):
        return None
    shown = str(int(value)) if value == int(value) else f"{value:g}"
    return f"{sys} {shown}"


def find_size(text: str, reserved: list[tuple[int, int]]) -> Optional[str]:
    """The first size mentioned in ``text`` outside the ``reserved`` character spans (codes, dates), or None."""
    blocked = reserved + [(m.start(), m.end()) for m in _PRICE.finditer(text)]
    blocked += [(m.start(), m.end()) for m in _QUANTITY.finditer(text)]
    found: list[tuple[int, str]] = []
    for pattern in _SIZE_PATTERNS:
        for m in pattern.finditer(text):
            if overlaps(m.start("num"), m.end("num"), blocked):
                continue
            groups = m.groupdict()
            system = groups.get("sys2") or groups.get("sys")
            if system and system.lower() == "us" and system == "us" and _US_PRONOUN_BEFORE.search(text[: m.start()]):
                continue
            half = bool(groups.get("half")) or m["num"].endswith(".5")
            number = m["num"][:-2] if m["num"].endswith(".5") else m["num"]
            size = normalise_size(system, number, half)
            if size is not None:
                found.append((m.start(), size))
    for pattern in _LETTER_SIZE_PATTERNS:
        for m in pattern.finditer(text):
            if overlaps(m.start(), m.end(), blocked):
                continue
            letter = " ".join(m["letter"].lower().replace("-", " ").split())
            canonical = vocab.LETTER_SIZES.get(letter)
            if canonical:
                found.append((m.start(), canonical))
    return min(found)[1] if found else None
