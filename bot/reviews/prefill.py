"""Pre-filling a scorecard from the conversation: the stage and wording id of every bot line, and case facts.

The rules read which catalogued messages (data/wording/messages.yml) the assistant said, never patterns over
the wording: rewording a message keeps its id. A line stored before lines carried ids is matched on the
catalogue text of messages without placeholders. What staff said in a takeover has no ids: the reviewer
scores that part. The pre-fill is a starting point; the reviewer's values are what count.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from bot.conversation.wording import catalogue, has
from bot.reviews.scorecard import CRITERIA, MET, NOT_APPLICABLE, NOT_MET

ACKNOWLEDGEMENT = "listen.heard"  # prefix of the composed acknowledgement: heard, empathy, apology, ownership
CASE_LOGGED = ("confirm.case_logged", "confirm.case_logged_late")  # reference and next steps in one message
UNUSABLE_FOLLOW_UP = ("cancelled", "failed")


@dataclass(frozen=True)
class BotLine:
    """One thing the assistant said: its wording id (None on old lines), stage and text."""

    message_id: Optional[str]
    stage: Optional[str]
    text: str


@dataclass(frozen=True)
class Evidence:
    """What the pre-fill looks at in one complaint conversation and its case."""

    reference: str
    defect_category: str = "other"
    bot_lines: tuple[BotLine, ...] = ()
    read_back: bool = False
    stages: tuple[str, ...] = ()
    facts_complete: bool = False
    resolution_type: Optional[str] = None
    resolution_reason: str = ""
    resolution_agreed: bool = False
    policy_options: Optional[tuple[str, ...]] = None  # what the policy engine proposes; None: could not tell
    follow_up_statuses: tuple[str, ...] = field(default_factory=tuple)


def _said(evidence: Evidence, *ids: str, prefix: bool = False) -> bool:
    """True when the assistant said one of ``ids`` (or an id starting with one, with ``prefix``)."""
    texts = [m.text for m in catalogue().values() if _matches(m.id, ids, prefix) and not m.placeholders]
    for line in evidence.bot_lines:
        if line.message_id is not None:
            if _matches(line.message_id, ids, prefix):
                return True
        elif any(text in line.text for text in texts):
            return True
    return False


def _matches(message_id: str, ids: tuple[str, ...], prefix: bool) -> bool:
    return any(message_id.startswith(i) if prefix else message_id == i for i in ids)


def _value(condition: bool) -> str:
    return MET if condition else NOT_MET


def _acknowledged(evidence: Evidence) -> bool:
    return _said(evidence, ACKNOWLEDGEMENT, prefix=True) or (
        not any(line.message_id for line in evidence.bot_lines) and "Listen" in evidence.stages
    )


def _listen(evidence: Evidence) -> dict[str, str]:
    ack = _said(evidence, ACKNOWLEDGEMENT, prefix=True)
    # The acknowledgement of a known fault is composed with that fault's empathy line, when there is one.
    composed_empathy = has(f"empathy.{evidence.defect_category}") and any(
        line.message_id in ("listen.heard_about_product", "listen.heard_about_order") for line in evidence.bot_lines
    )
    return {
        "listen.acknowledged": _value(_acknowledged(evidence)),
        "listen.empathised": _value(composed_empathy or _said(evidence, "empathy.", prefix=True)),
        "listen.apologised": _value(ack or _said(evidence, "listen.apology")),
        "listen.ownership": _value(ack or _said(evidence, "listen.ownership")),
    }


def _corrections(evidence: Evidence) -> str:
    """n.a. when the customer never corrected the read-back; met when a correction was confirmed or re-read."""
    ids = [line.message_id or "" for line in evidence.bot_lines]
    asked = [
        i for i, mid in enumerate(ids) if mid == "read_back.what_to_change" or mid.startswith("read_back.corrected")
    ]
    if not asked:
        return NOT_APPLICABLE
    after = ids[asked[0] :]
    return _value(any(mid.startswith("read_back.corrected") or mid == "read_back.intro" for mid in after[1:]))


def _understand(evidence: Evidence) -> dict[str, str]:
    read_back = evidence.read_back or _said(evidence, "read_back.intro", "read_back.question")
    return {
        "understand.facts_complete": _value(evidence.facts_complete),
        "understand.read_back": _value(read_back),
        "understand.corrections_taken": _corrections(evidence),
    }


def _resolve(evidence: Evidence) -> dict[str, str]:
    if not evidence.resolution_type:
        return {"resolve.offer_matches_policy": NOT_APPLICABLE, "resolve.reason_given": NOT_APPLICABLE}
    if evidence.policy_options is not None:
        matches = _value(evidence.resolution_type in evidence.policy_options)
    else:  # the policy could not be asked: the assistant only records resolutions the policy offered
        matches = MET if evidence.resolution_agreed else NOT_APPLICABLE
    return {
        "resolve.offer_matches_policy": matches,
        "resolve.reason_given": _value(bool(evidence.resolution_reason.strip())),
    }


def _confirm(evidence: Evidence) -> dict[str, str]:
    offered = "Resolve" in evidence.stages or bool(evidence.resolution_type)
    reference = evidence.reference.upper()
    gave_reference = _said(evidence, *CASE_LOGGED, "handoff.with_case") or any(
        reference in line.text.upper() for line in evidence.bot_lines
    )
    next_steps = _said(evidence, *CASE_LOGGED) or _said(evidence, "next_steps.", prefix=True)
    follow_up = any(status not in UNUSABLE_FOLLOW_UP for status in evidence.follow_up_statuses)
    return {
        "confirm.accepted": _value(evidence.resolution_agreed) if offered else NOT_APPLICABLE,
        "confirm.reference": _value(gave_reference),
        "confirm.next_steps": _value(next_steps),
        "confirm.follow_up": _value(follow_up),
    }


def prefill(evidence: Evidence) -> dict[str, str]:
    """A value (met / not_met / na) for every criterion of the scorecard."""
    values = {**_listen(evidence), **_understand(evidence), **_resolve(evidence), **_confirm(evidence)}
    return {c.id: values[c.id] for c in CRITERIA}
