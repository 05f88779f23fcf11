"""Case work deferred while the database is unavailable, and its replay once it is back.

A serving process that cannot write a confirmed complaint (or a follow-up answer) hands it to the
durable :class:`~bot.cases.outbox.Outbox` with :func:`defer_case` / :func:`defer_satisfaction`. The
scheduler worker (and ``complaints outbox replay``) calls :func:`replay`: each entry is written through
the same idempotent case commands the conversation uses (the complaint's idempotency key, the
follow-up's key), so replaying an entry twice, or after the original write did land late, still gives
one case, one follow-up and one set of audit events. Then the customer is given the reference on
their channel, or by email when the chat is gone, once (a ``reference_sent`` audit event).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Any, Optional, Protocol

from bot.cases import service
from bot.cases.outbox import Outbox, OutboxEntry
from bot.cases.service import CaseDraft, TranscriptTurn
from bot.cases.store import Store
from bot.db import is_unavailable
from bot.settings import Settings

log = logging.getLogger(__name__)

OPEN_CASE = "open_case"
SATISFACTION = "satisfaction"
RECORD_EVENT = "record_event"
REFERENCE_SENT = "reference_sent"

_DATE_FIELDS = ("purchase_date", "delivery_date")


def outbox_for(settings: Settings) -> Outbox:
    """The outbox configured by ``OUTBOX_DIR``."""
    return Outbox(settings.outbox_dir)


def draft_to_record(draft: CaseDraft) -> dict[str, Any]:
    """A JSON-ready copy of ``draft`` (dates as ISO strings)."""
    record = dataclasses.asdict(draft)
    for name in _DATE_FIELDS:
        value = getattr(draft, name)
        record[name] = value.isoformat() if value else None
    record["transcript"] = [
        {**dataclasses.asdict(turn), "at": turn.at.isoformat() if turn.at else None} for turn in draft.transcript
    ]
    return record


def draft_from_record(record: dict[str, Any]) -> CaseDraft:
    """The draft :func:`draft_to_record` wrote (unknown keys are ignored, so old entries still load)."""
    known = {f.name for f in dataclasses.fields(CaseDraft)}
    values = {key: value for key, value in record.items() if key in known}
    for name in _DATE_FIELDS:
        if values.get(name):
            values[name] = dt.date.fromisoformat(values[name])
    values["transcript"] = [
        TranscriptTurn(
            speaker=turn["speaker"],
            text=turn["text"],
            at=dt.datetime.fromisoformat(turn["at"]) if turn.get("at") else None,
            actor=turn.get("actor"),
            intent=turn.get("intent"),
            stage=turn.get("stage"),
            message_id=turn.get("message_id"),
        )
        for turn in record.get("transcript") or []
    ]
    return CaseDraft(**values)


def defer_case(settings: Settings, draft: CaseDraft, now: Optional[dt.datetime] = None) -> OutboxEntry:
    """Keep a confirmed complaint in the outbox (durable on return); its idempotency key is required."""
    if not draft.idempotency_key:
        raise ValueError("a deferred case needs an idempotency key, so replaying it cannot log it twice")
    return outbox_for(settings).put(OPEN_CASE, draft.idempotency_key, {"draft": draft_to_record(draft)}, now)


def defer_satisfaction(
    settings: Settings,
    followup_key: str,
    reference: str,
    answer: dict[str, Any],
    now: Optional[dt.datetime] = None,
) -> OutboxEntry:
    """Keep a follow-up answer (``score``, ``solved``, ``comment``, ``actor``, ``alert_staff``) in the outbox."""
    payload = {"followup_key": followup_key, "reference": reference, "answer": answer}
    return outbox_for(settings).put(SATISFACTION, f"satisfaction:{followup_key}", payload, now)


def defer_event(
    settings: Settings, reference: str, kind: str, actor: str, data: dict[str, Any], now: Optional[dt.datetime] = None
) -> OutboxEntry:
    """Keep a once-only case event (e.g. where a Slack card was posted) in the outbox."""
    payload = {"reference": reference, "kind": kind, "actor": actor, "data": data}
    return outbox_for(settings).put(RECORD_EVENT, f"event:{reference}:{kind}", payload, now)


@dataclass(frozen=True)
class CaseLoggedNotice:
    """What the customer is told once a deferred complaint is in the database."""

    reference: str
    channel: str
    conversation_id: Optional[str]
    customer_name: str
    customer_email: Optional[str]


class Announcer(Protocol):
    """Something that can tell a customer their case reference (chat, else email)."""

    def announce(self, notice: CaseLoggedNotice) -> str:
        """Tell the customer; return how ("chat" or "email"); raise on failure."""


class AnnounceFailed(Exception):
    """The customer could not be told yet; ``retryable`` says whether trying later may help."""

    def __init__(self, message: str, retryable: bool = True) -> None:
        super().__init__(message)
        self.retryable = retryable


@dataclass
class ReplayReport:
    """What one replay pass did."""

    written: int = 0
    already_there: int = 0
    announced: int = 0
    waiting: int = 0
    set_aside: int = 0
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return dataclasses.asdict(self)


def _notice(case: dict[str, Any]) -> CaseLoggedNotice:
    return CaseLoggedNotice(
        reference=str(case["reference"]),
        channel=str(case.get("channel") or "rest"),
        conversation_id=case.get("conversation_id"),
        customer_name=str((case.get("customer") or {}).get("name") or ""),
        customer_email=(case.get("customer") or {}).get("email"),
    )


def _announce(store: Store, case: dict[str, Any], announcer: Optional[Announcer]) -> bool:
    """Give the customer the reference once; False when it must be tried again later."""
    reference = str(case["reference"])
    if announcer is None or service.has_event(store, reference, REFERENCE_SENT):
        return True
    try:
        via = announcer.announce(_notice(case))
    except AnnounceFailed as exc:
        if exc.retryable:
            raise
        log.warning("case %s: the customer could not be given the reference: %s", reference, exc)
        service.record_event(store, reference, "reference_not_sent", "scheduler", {"reason": str(exc)[:300]})
        return True
    service.record_event(store, reference, REFERENCE_SENT, "scheduler", {"via": via})
    return True


def _apply(store: Store, entry: OutboxEntry, announcer: Optional[Announcer], report: ReplayReport) -> None:
    if entry.kind == OPEN_CASE:
        opened = service.open_case(store, draft_from_record(entry.payload["draft"]))
        if opened.created:
            report.written += 1
            log.info("outbox: case %s written (queued %s)", opened.reference, entry.queued_at)
        else:
            report.already_there += 1
        if _announce(store, opened.case, announcer):
            report.announced += 1
        return
    if entry.kind == SATISFACTION:
        answer = dict(entry.payload["answer"])
        alert = answer.pop("alert_staff", None)
        result = service.record_satisfaction(
            store,
            str(entry.payload["reference"]),
            score=answer.get("score"),
            solved=answer.get("solved"),
            comment=str(answer.get("comment") or ""),
            actor=str(answer.get("actor") or "customer"),
            followup_key=str(entry.payload["followup_key"]),
            alert_staff=(str(alert[0]), str(alert[1])) if alert else None,
        )
        if result.get("duplicate"):
            report.already_there += 1
        else:
            report.written += 1
        return
    if entry.kind == RECORD_EVENT:
        payload = entry.payload
        recorded = service.record_event(
            store, str(payload["reference"]), str(payload["kind"]), str(payload["actor"]), payload["data"], once=True
        )
        if recorded:
            report.written += 1
        else:
            report.already_there += 1
        return
    raise ValueError(f"unknown outbox entry kind {entry.kind!r}")


def replay(store: Store, outbox: Optional[Outbox] = None, announcer: Optional[Announcer] = None) -> ReplayReport:
    """Write every queued entry to the database, oldest first, each exactly once.

    Stops early while the database is still unavailable (entries stay queued). An entry whose
    work can never succeed (bad data) is set aside in ``failed/`` and reported, never dropped.
    """
    outbox = outbox or outbox_for(store.settings)
    report = ReplayReport()
    entries = outbox.pending()
    for index, entry in enumerate(entries):
        try:
            _apply(store, entry, announcer, report)
        except AnnounceFailed as exc:  # written, but the customer could not be told yet: keep it
            outbox.retry_later(entry, str(exc))
            report.errors.append(f"{entry.path.stem}: {exc}")
            report.waiting += 1
            continue
        except Exception as exc:  # noqa: BLE001 - sorted below: outage (wait) or bad data (set aside)
            if is_unavailable(exc):
                outbox.retry_later(entry, str(exc).splitlines()[0])
                report.waiting += len(entries) - index
                report.errors.append(f"database still unavailable: {str(exc).splitlines()[0]}")
                break
            outbox.fail(entry, f"{type(exc).__name__}: {exc}")
            report.set_aside += 1
            report.errors.append(f"{entry.path.stem}: set aside: {exc}")
            continue
        outbox.done(entry)
    return report
