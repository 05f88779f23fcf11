"""Everything the assistant says, from one reviewed catalogue: ``data/wording/messages.yml``.

Each message has an id, its Listen / Understand / Resolve / Confirm stage and a text with ``str.format``
placeholders. :func:`say` renders one; an unknown id, a missing value or a value the text does not use is
an error (a unit test renders every message, so a typo never reaches a customer). The catalogue is read
and checked once per process.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

import yaml

WORDING_FILE = Path(__file__).resolve().parents[2] / "data" / "wording" / "messages.yml"
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
