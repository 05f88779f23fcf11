"""Redaction of personal data (names, e-mail addresses, phone numbers) in exported cases."""

from __future__ import annotations

import re
from typing import Any, Iterable

from bot.patterns import EMAIL, PHONE

NAME_INTRO = re.compile(
    r"\b((?:my name is|my name's|i am|i'm|this is|name:|regards,?|thanks,?|cheers,?)\s+)"
    r"([A-Z][a-z'-]+(?:\s+[A-Z][a-z'-]+)?)"
)
REDACTED = {"email": "[email redacted]", "phone": "[phone redacted]", "name": "[name redacted]"}
PERSONAL_KEYS = {"name", "customer_name", "email", "customer_email", "phone", "customer_phone", "actor_name"}


def _redacted_key(key: str) -> str:
    """What replaces the value of a personal key (``email``, ``customer_phone``...)."""
    for what in ("email", "phone", "name"):
        if what in key:
            return REDACTED[what]
    return "[redacted]"


def redact_text(text: str, names: Iterable[str] = ()) -> str:
    """Replace e-mail addresses, phone numbers and the given names (and self-introductions) in ``text``."""
    if not text:
        return text
    result = EMAIL.sub(REDACTED["email"], text)
    result = PHONE.sub(REDACTED["phone"], result)
    parts: set[str] = set()
    for name in names:
        name = (name or "").strip()
        if len(name) < 2:
            continue
        parts.add(name)
        parts.update(p for p in re.split(r"\s+", name) if len(p) >= 2)
    for part in sorted(parts, key=len, reverse=True):
        result = re.sub(rf"(?<!\w){re.escape(part)}(?!\w)", REDACTED["name"], result, flags=re.IGNORECASE)
    result = NAME_INTRO.sub(lambda m: m.group(1) + REDACTED["name"], result)
    return result


def redact(value: Any, names: Iterable[str] = ()) -> Any:
    """A deep copy of a JSON-like value with personal data replaced in every string."""
    names = list(names)
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if key in PERSONAL_KEYS and isinstance(item, str) and item:
                out[key] = _redacted_key(key)
            else:
                out[key] = redact(item, names)
        return out
    if isinstance(value, list):
        return [redact(item, names) for item in value]
    if isinstance(value, str):
        return redact_text(value, names)
    return value
