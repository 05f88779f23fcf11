"""Which ``/intent{...}`` commands a customer may send.

Rasa reads a message that starts with ``/`` as a command: ``/inform{"defect_category": "stitching"}``
sets the intent and entities directly, skipping NLU. The assistant's buttons rely on that, so
commands cannot simply be switched off. What a customer must never do is trigger what only the
system triggers (the scheduler's ``EXTERNAL_followup`` through the token-protected HTTP API) or
smuggle in the entities only that trigger carries (``followup_key``, ``case_reference``), or send
a command whose entity JSON Rasa cannot read.

:func:`check_customer_text` is the one rule; every customer channel applies it
(``integrations/customer_channels.py``: REST, Slack and the web chat socket.io channel) and
answers a refused message with :data:`REFUSAL` without passing it to Rasa.

Naming rule for the domain: an intent that customers must not send starts with ``EXTERNAL_``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from bot.conversation.wording import say

INTENT_PREFIX = "/"
EXTERNAL_PREFIX = "EXTERNAL_"
# Entities only the system sets (the follow-up trigger): never from a customer's command.
SYSTEM_ONLY_ENTITIES = frozenset({"followup_key", "case_reference"})
REFUSAL = say("listen.command_refused")  # the wording catalogue's text (data/wording/messages.yml)

# Rasa's own pattern (YAMLStoryReader._regex_message_pattern): /intent@confidence{entities}rest
_COMMAND = re.compile(r"^/(?P<intent>[^{@]+)(?P<confidence>@[0-9.]+)?(?P<entities>{.+})?(?P<rest>.*)")
_EXTERNAL_WORD = re.compile(r"(?i)(?<![A-Za-z0-9])external_[A-Za-z0-9]")


@dataclass(frozen=True)
class Verdict:
    """Whether a customer's message may reach the assistant, and why not."""

    allowed: bool
    reason: str = ""


ALLOWED = Verdict(True)


def _scalar(value: Any) -> bool:
    return isinstance(value, (str, int, float, bool)) or value is None


def is_system_intent(name: str) -> bool:
    """True for intents only the system may trigger (``EXTERNAL_*``)."""
    return name.strip().upper().startswith(EXTERNAL_PREFIX)


def check_customer_text(text: str) -> Verdict:
    """Decide whether ``text``, typed or sent by a customer's button, may reach Rasa."""
    if _EXTERNAL_WORD.search(text):
        return Verdict(False, "names a system-only intent")
    stripped = text.strip()
    if not stripped.startswith(INTENT_PREFIX):
        return ALLOWED
    match = _COMMAND.match(stripped)
    if match is None:
        return ALLOWED  # Rasa reads it as ordinary text
    intent = match.group("intent").strip()
    if is_system_intent(intent):
        return Verdict(False, "system-only intent")
    if not intent or any(char.isspace() for char in intent):
        return ALLOWED  # "/ see you at 5" is text: no intent name has spaces
    raw = match.group("entities")
    if raw is None:
        return Verdict(False, "malformed command") if match.group("rest").strip() else ALLOWED
    try:
        entities = json.loads(raw)
    except ValueError:
        return Verdict(False, "malformed entity JSON")
    if not isinstance(entities, dict):
        return Verdict(False, "entities must be a JSON object")
    if match.group("rest").strip():
        return Verdict(False, "text after the entity JSON")
    for name, value in entities.items():
        if name in SYSTEM_ONLY_ENTITIES:
            return Verdict(False, f"system-only entity {name}")
        values = value if isinstance(value, list) else [value]
        if not all(_scalar(item) for item in values):
            return Verdict(False, f"entity {name} is not a plain value")
    return ALLOWED
