"""One conversation as a reviewer sees it: the turns with their stages, the staff who took over, the evidence.

Read in one unit of work from the case store; the pre-fill (:mod:`bot.reviews.prefill`) is computed from it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Optional

from sqlalchemy import select

from bot.cases.aggregate import CaseNotFound
from bot.cases.models import Case, CaseEvent, FollowUp, TranscriptLine
from bot.cases.store import Store
from bot.cases.unit_of_work import UnitOfWork
from bot.policy import PolicyError, load_policy
from bot.reports.process import annotate
from bot.reviews.prefill import BotLine, Evidence, prefill
from bot.reviews.queue import TAKEOVER_EVENT

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Conversation:
    """What the scorecard page and the save command need of one case."""

    case_id: int
    reference: str
    kind: str
    channel: str
    status: str
    created_at: str
    turns: list[dict[str, Any]]
    problems: list[str]
    staff: Optional[str]
    evidence: Evidence

    @property
    def prefill(self) -> dict[str, str]:
        """The pre-filled scorecard."""
        return prefill(self.evidence)


def load_conversation(store: Store, reference: str) -> Conversation:
    """The conversation of case ``reference``; raises :class:`~bot.cases.aggregate.CaseNotFound`."""
    with store.unit_of_work() as uow:
        case = uow.cases.get(reference)
        if case is None:
            raise CaseNotFound(reference)
        return conversation_of(store, uow, case)


def conversation_of(store: Store, uow: UnitOfWork, case: Case) -> Conversation:
    """The conversation of ``case``, read inside the caller's unit of work."""
    session = uow.session
    lines = list(
        session.execute(
            select(TranscriptLine).where(TranscriptLine.case_id == case.id).order_by(TranscriptLine.seq)
        ).scalars()
    )
    annotated = annotate(lines, case.reference)
    turns = [_turn(turn, line) for turn, line in zip(annotated["turns"], lines, strict=True)]
    events = list(
        session.execute(
            select(CaseEvent.kind, CaseEvent.actor, CaseEvent.data)
            .where(CaseEvent.case_id == case.id, CaseEvent.kind.in_(["resolution_agreed", TAKEOVER_EVENT]))
            .order_by(CaseEvent.seq)
        )
    )
    statuses = session.execute(select(FollowUp.status).where(FollowUp.case_id == case.id)).scalars()
    agreed = next((e for e in events if e.kind == "resolution_agreed"), None)
    reason = case.resolution_reason or (str((agreed.data or {}).get("reason") or "") if agreed else "")
    evidence = Evidence(
        reference=case.reference,
        defect_category=case.defect_category or "other",
        bot_lines=tuple(
            BotLine(t["message_id"], t["stage"], t["text"]) for t in turns if t["speaker"] == "bot" and t["in_flow"]
        ),
        read_back=bool(annotated["read_back"]),
        stages=tuple(_stage(s) or "" for s in annotated["stages"]),
        facts_complete=_facts_complete(case),
        resolution_type=case.resolution_type,
        resolution_reason=reason,
        resolution_agreed=agreed is not None,
        policy_options=_policy_options(store, case),
        follow_up_statuses=tuple(statuses),
    )
    staff = next((t["actor"] for t in turns if t["speaker"] == "staff" and t["actor"]), None)
    if staff is None:
        staff = next((e.actor for e in events if e.kind == TAKEOVER_EVENT), None)
    return Conversation(
        case_id=int(case.id),
        reference=case.reference,
        kind=case.kind,
        channel=case.channel,
        status=case.status,
        created_at=case.created_at.isoformat(),
        turns=turns,
        problems=list(annotated["problems"]),
        staff=staff,
        evidence=evidence,
    )


def _stage(value: Optional[str]) -> Optional[str]:
    """``listen`` or ``Listen`` as ``Listen``."""
    return value.strip().capitalize() if value else None


def _turn(turn: dict[str, Any], line: TranscriptLine) -> dict[str, Any]:
    """An annotated turn with the stage and wording id stored on its line, and whether the case's flow has it."""
    return {
        "speaker": line.speaker,
        "actor": line.actor if line.speaker == "staff" else None,  # staff names only, never the customer's
        "text": line.text,
        "at": line.said_at.isoformat() if line.said_at else None,
        "stage": _stage(line.stage or turn.get("stage")) if line.speaker == "bot" else None,
        "message_id": line.message_id or turn.get("message_id"),
        "in_flow": bool(turn.get("in_flow", True)),  # part of this case's flow (not an earlier case's, a follow-up)
    }


def _facts_complete(case: Case) -> bool:
    """The order, the item, what is wrong with it and when it was bought or delivered are on the case."""
    return bool(
        case.order_number
        and (case.product_id or case.product_line)
        and case.defect_category
        and case.defect_category != "other"
        and (case.purchase_date or case.delivery_date)
    )


def _policy_options(store: Store, case: Case) -> Optional[tuple[str, ...]]:
    """The resolution types the policy engine proposes for the case as logged; None when it cannot say."""
    if not case.resolution_type:
        return None
    try:
        policy = load_policy(store.settings.resolution_policy_file)
        proposal = policy.propose(
            case.defect_category,
            case.delivery_date,
            case.created_at.date(),
            product_category=case.product.category if case.product is not None else "",
            safety_issue=bool(case.safety_issue),
            expected_delivery=case.order.expected_delivery_date if case.order is not None else None,
        )
    except (PolicyError, ValueError) as exc:
        log.info("%s: no policy proposal to compare the resolution with (%s)", case.reference, exc)
        return None
    return proposal.allowed_types
