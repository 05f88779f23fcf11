"""Everything the assistant says, from one reviewed catalogue: ``data/wording/messages.yml``.

Each message has an id, its Listen / Understand / Resolve / Confirm stage and a text with ``str.format``
placeholders. :func:`say` renders one; an unknown id, a missing value or a value the text does not use is
an error (a unit test renders every message, so a typo never reaches a customer). The catalogue is read
and checked once per process.

Rasa's seven fixed replies (the ``utter_*`` responses of ``domain.yml``) carry their stage in each variation's
``metadata``; :func:`fixed_replies` reads them. :func:`identify` finds which message a text said (for
transcripts stored before every bot line carried its wording id).
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping, Optional

import yaml

WORDING_FILE = Path(__file__).resolve().parents[2] / "data" / "wording" / "messages.yml"
DOMAIN_FILE = Path(__file__).resolve().parents[2] / "domain.yml"
STAGES = ("listen", "understand", "resolve", "confirm")


class WordingError(ValueError):
    """The wording catalogue is malformed, or a message was asked for wrongly."""


@dataclass(frozen=True)
class Message:
    """One entry of the catalogue."""

    id: str
    stage: str
    text: str
    placeholders: frozenset[str]

    def render(self, **values: Any) -> str:
        """The text with ``values`` filled in (exactly the placeholders it has)."""
        missing = self.placeholders - values.keys()
        unused = values.keys() - self.placeholders
        if missing or unused:
            raise WordingError(f"message {self.id!r}: missing {sorted(missing)}, unused {sorted(unused)}")
        return self.text.format(**values)


def _placeholders(message_id: str, text: str) -> frozenset[str]:
    names = set()
    try:
        for _literal, field, _spec, _conversion in string.Formatter().parse(text):
            if field is not None:
                if not field.isidentifier():
                    raise WordingError(f"message {message_id!r}: placeholder {{{field}}} must be a plain name")
                names.add(field)
    except ValueError as exc:
        raise WordingError(f"message {message_id!r}: {exc}") from exc
    return frozenset(names)


def parse_catalogue(data: Any) -> dict[str, Message]:
    """Check a parsed catalogue (``{"messages": {id: {"stage", "text"}}}``) and index it by id."""
    if not isinstance(data, Mapping) or set(data) != {"messages"} or not isinstance(data["messages"], Mapping):
        raise WordingError("the wording catalogue must have one top-level key, 'messages', holding a mapping")
    messages: dict[str, Message] = {}
    for message_id, entry in data["messages"].items():
        if not isinstance(entry, Mapping) or set(entry) != {"stage", "text"}:
            raise WordingError(f"message {message_id!r} must have exactly 'stage' and 'text'")
        stage, text = entry["stage"], entry["text"]
        if stage not in STAGES:
            raise WordingError(f"message {message_id!r}: stage {stage!r} is not one of {', '.join(STAGES)}")
        if not isinstance(text, str) or not text:
            raise WordingError(f"message {message_id!r}: text must be a non-empty string")
        messages[str(message_id)] = Message(str(message_id), stage, text, _placeholders(str(message_id), text))
    return messages


@lru_cache(maxsize=1)
def catalogue() -> dict[str, Message]:
    """Every message, read and checked once per process."""
    with open(WORDING_FILE, encoding="utf-8") as handle:
        return parse_catalogue(yaml.safe_load(handle))


def message(message_id: str) -> Message:
    """The message ``message_id``; :class:`WordingError` when there is none."""
    try:
        return catalogue()[message_id]
    except KeyError:
        raise WordingError(f"no message {message_id!r} in {WORDING_FILE.name}") from None


def has(message_id: str) -> bool:
    """True when the catalogue holds ``message_id``."""
    return message_id in catalogue()


def say(message_id: str, **values: Any) -> str:
    """The text of ``message_id`` with ``values`` filled in."""
    return message(message_id).render(**values)


def template(message_id: str) -> str:
    """The raw text of ``message_id``, placeholders unfilled."""
    return message(message_id).text


def parse_fixed_replies(data: Any) -> dict[str, Message]:
    """Rasa's fixed replies of a parsed domain (``responses``): each variation's text, stage from its metadata."""
    responses = data.get("responses") if isinstance(data, Mapping) else None
    messages: dict[str, Message] = {}
    for name, variations in (responses or {}).items():
        for variation in variations or []:
            stage = ((variation or {}).get("metadata") or {}).get("stage")
            text = (variation or {}).get("text")
            if stage not in STAGES or not isinstance(text, str) or not text:
                raise WordingError(f"response {name!r}: each variation needs a text and metadata.stage in {STAGES}")
            messages.setdefault(str(name), Message(str(name), stage, text, _placeholders(str(name), text)))
    return messages


@lru_cache(maxsize=1)
def fixed_replies() -> dict[str, Message]:
    """The ``utter_*`` responses of domain.yml, read and checked once per process."""
    with open(DOMAIN_FILE, encoding="utf-8") as handle:
        return parse_fixed_replies(yaml.safe_load(handle))


# A text is matched against a template only when the template has enough fixed words to tell it apart:
# "{item} ({detail})" or "{text}" would match almost anything.
MIN_LITERAL = 5
MIN_LITERAL_AFTER_PLACEHOLDER = 15


@dataclass(frozen=True)
class _Template:
    message: Message
    pattern: re.Pattern[str]
    literal: int


def _template(message: Message) -> Optional[_Template]:
    """A regular expression for ``message``'s text (placeholders match anything), or None if too vague."""
    parts, literal, leading = [], 0, None
    for text, field, _spec, _conversion in string.Formatter().parse(message.text):
        if text:
            parts.append(re.escape(text))
            literal += len(text)
            leading = True if leading is None else leading
        if field is not None:
            parts.append("(?:.*?)")
            leading = False if leading is None else leading
    if literal < MIN_LITERAL or (not leading and literal < MIN_LITERAL_AFTER_PLACEHOLDER):
        return None
    return _Template(message, re.compile("".join(parts), re.DOTALL), literal)


@lru_cache(maxsize=4)
def _templates(messages: tuple[Message, ...]) -> tuple[_Template, ...]:
    return tuple(t for t in (_template(m) for m in messages) if t is not None)


def identify(text: str) -> Optional[Message]:
    """The catalogue message (or fixed reply) that said ``text``, or None when none did.

    Placeholders match any words. A text that is exactly one message wins; else a composed reply, which starts
    with its leading message (a read-back starts with "Here's what I have so far:"). Among several, the
    message with the most fixed words wins.
    """
    said = (text or "").strip()
    if not said:
        return None
    templates = _templates((*catalogue().values(), *fixed_replies().values()))
    exact = [t for t in templates if t.pattern.fullmatch(said)]
    leading = exact or [t for t in templates if t.pattern.match(said)]
    if not leading:
        return None
    return max(leading, key=lambda t: t.literal).message
