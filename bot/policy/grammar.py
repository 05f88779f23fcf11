"""Small English helpers for policy texts: plurals, dates, durations and filling in placeholders."""

from __future__ import annotations

import datetime as dt
import re
from typing import Mapping


def render(template: str, context: Mapping[str, str]) -> str:
    """Fill the ``{placeholders}`` of a policy text from ``context``."""
    return template.format_map(context)


def describe_date(day: dt.date) -> str:
    """A date as customers read it: "3 March 2025"."""
    return f"{day.day} {day:%B %Y}"


def describe_days(days: int) -> str:
    """A number of days, in months when it is a whole number of months: "12 months", "1 day", "45 days"."""
    if days and (days * 12) % 365 == 0:
        months = days * 12 // 365
        return "1 month" if months == 1 else f"{months} months"
    return "1 day" if days == 1 else f"{days} days"


def plural(word: str) -> str:
    """The plural of an English noun: "boot" -> "boots", "pouch" -> "pouches", "ruby" -> "rubies"."""
    if re.search(r"(s|x|z|ch|sh)$", word):
        return word + "es"
    if re.search(r"[^aeiou]y$", word):
        return word[:-1] + "ies"
    return word + "s"


def plural_words(words: tuple[str, ...]) -> tuple[str, ...]:
    """A phrase with its last word made plural: ("card", "holder") -> ("card", "holders")."""
    return words[:-1] + (plural(words[-1]),)
