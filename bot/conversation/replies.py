"""What one step of the conversation says and changes: replies (with their wording id and stage) and slots."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Optional

from bot.conversation import wording


@dataclass
class Reply:
    """One bot message, with optional quick-reply buttons, the wording id it came from and its stage."""

    text: str
    buttons: list[dict[str, str]] = field(default_factory=list)
    stage: str = ""
    message_id: str = ""


def reply(message_id: str, buttons: Optional[list[dict[str, str]]] = None, **values: Any) -> Reply:
    """A reply saying catalogue message ``message_id`` (see :mod:`bot.conversation.wording`)."""
    message = wording.message(message_id)
    return Reply(message.render(**values), buttons or [], message.stage, message_id)


def composed(message_id: str, text: str, buttons: Optional[list[dict[str, str]]] = None) -> Reply:
    """A reply built from several catalogue messages; ``message_id`` is the leading one (it gives the stage)."""
    return Reply(text, buttons or [], wording.message(message_id).stage, message_id)


@dataclass
class Turn:
    """What one step of the conversation changes (slots) and says (replies)."""

    slots: dict[str, Any] = field(default_factory=dict)
    replies: list[Reply] = field(default_factory=list)

    def say(self, message_id: str, buttons: Optional[list[dict[str, str]]] = None, **values: Any) -> None:
        """Add a reply saying catalogue message ``message_id``."""
        self.replies.append(reply(message_id, buttons, **values))

    def add(self, said: Reply) -> None:
        """Add a reply built elsewhere."""
        self.replies.append(said)


def button(title: str, intent: str, **entities: str) -> dict[str, str]:
    """A quick-reply button sending ``/intent{entities}`` (Rasa reads it without NLU)."""
    payload = "/" + intent
    if entities:
        payload += json.dumps(entities, separators=(",", ":"))
    return {"title": title, "payload": payload}


def said_button(message_id: str, intent: str, **entities: str) -> dict[str, str]:
    """A button whose title is catalogue message ``message_id``."""
    return button(wording.say(message_id), intent, **entities)
