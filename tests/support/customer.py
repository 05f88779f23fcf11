"""A simulated customer that answers whatever the assistant asks, for end-to-end tests and benchmarks."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable

REFERENCE = re.compile(r"\bCS-\d{4}-\d{6}\b")


@dataclass
class Persona:
    """What one customer knows and wants."""

    story: str
    order: str = "I don't know"
    email: str = "customer@example.com"
    name: str = "Alex Doe"
    product: str = "my boots"
    defect: str = "the stitching has split"
    component: str = "not sure"
    date: str = "three weeks ago"
    resolution: str = "replacement please"
    corrections: list[str] = field(default_factory=list)
    injured: str = "no"


ANSWERS: list[tuple[re.Pattern[str], Callable[[Persona], str]]] = [
    (re.compile(r"which one is it about", re.I), lambda p: p.product),
    (re.compile(r"order number\?", re.I), lambda p: p.order),
    (re.compile(r"email address did you use|email address to reach", re.I), lambda p: p.email),
    (re.compile(r"which item is it about", re.I), lambda p: p.product),
    (re.compile(r"what's wrong with it", re.I), lambda p: p.defect),
    (re.compile(r"which part is affected", re.I), lambda p: p.component),
    (re.compile(r"when did you buy it", re.I), lambda p: p.date),
    (re.compile(r"what's your name|what should i call you", re.I), lambda p: p.name),
    (re.compile(r"was anyone hurt", re.I), lambda p: p.injured),
    (
        re.compile(r"is that all correct\?|is the summary right", re.I),
        lambda p: p.corrections.pop(0) if p.corrections else "yes",
    ),
    (
        re.compile(r"what should i change", re.I),
        lambda p: p.corrections.pop(0) if p.corrections else "nothing, it's fine",
    ),
    (re.compile(r"which would you (?:prefer|like)", re.I), lambda p: p.resolution),
    (re.compile(r"shall i go ahead\?|say yes to go ahead", re.I), lambda p: "yes"),
]


@dataclass
class Conversation:
    """The record of one simulated complaint."""

    sender: str
    turns: list[tuple[str, list[str]]] = field(default_factory=list)
    reference: str | None = None

    def transcript(self) -> str:
        """Readable dump for assertion messages."""
        lines = []
        for said, replies in self.turns:
            lines.append(f"> {said}")
            lines.extend(f"< {r}" for r in replies)
        return "\n".join(lines)


def complain(
    send: Callable[[str, str], list[dict[str, Any]]], sender: str, persona: Persona, max_turns: int = 20
) -> Conversation:
    """Drive a complaint from the first message to a case reference."""
    conversation = Conversation(sender)
    message = persona.story
    for _ in range(max_turns):
        replies = [str(m.get("text") or "") for m in send(sender, message)]
        conversation.turns.append((message, replies))
        joined = "\n".join(replies)
        found = REFERENCE.search(joined)
        if found and "logged your case" in joined:
            conversation.reference = found.group(0)
            return conversation
        last = replies[-1] if replies else ""
        for pattern, answer in ANSWERS:
            if pattern.search(last):
                message = answer(persona)
                break
        else:
            raise AssertionError(f"no answer for the assistant's question:\n{conversation.transcript()}")
    raise AssertionError(f"no case after {max_turns} turns:\n{conversation.transcript()}")
