"""Posting to Slack from the scheduler and after staff actions, each message once.

The Slack client is any object with slack_sdk ``WebClient`` methods (in the app: the bolt
client). Every post is recorded as a case event, and that event is what makes it "once":
a card is ``slack_card_posted`` (channel + ts, used to update it in place), an alert is
``slack_alert_posted``.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any, Optional

from sqlalchemy import select

from bot.cases.case_json import case_to_dict
from bot.cases.deferred import defer_event
from bot.cases.models import Case, CaseEvent, TranscriptLine
from bot.cases.service import CaseNotFound, record_event
from bot.cases.status import OPEN_STATUSES
from bot.cases.store import Store
from bot.cases.unit_of_work import UnitOfWork
from bot.db import is_unavailable
from bot.reports.themes import spikes
from integrations.slack.cards import (
    TAKEOVER_ENDED,
    TAKEOVER_STARTED,
    alert_text,
    card_summary,
    case_card,
    spike_text,
)
from integrations.slack.client import SlackClient

log = logging.getLogger(__name__)

CARD_EVENT = "slack_card_posted"
ALERT_EVENT = "slack_alert_posted"
SPIKE_EVENT = "recurring_problem_alerted"


def _card_payload(case: dict[str, Any]) -> tuple[list[dict[str, Any]], str]:
    return case_card(case, case.get("transcript") or []), card_summary(case)


def card_case(uow: UnitOfWork, case: Case, now: dt.datetime) -> dict[str, Any]:
    """The case JSON plus the transcript lines saved with the case (the customer's own story)."""
    result = case_to_dict(case, now)
    lines = uow.session.execute(
        select(TranscriptLine.speaker, TranscriptLine.text)
        .where(TranscriptLine.case_id == case.id)
        .order_by(TranscriptLine.seq)
    )
    result["transcript"] = [{"speaker": speaker, "text": text} for speaker, text in lines]
    holder = None
    for kind, actor in uow.session.execute(
        select(CaseEvent.kind, CaseEvent.actor)
        .where(CaseEvent.case_id == case.id, CaseEvent.kind.in_([TAKEOVER_STARTED, TAKEOVER_ENDED]))
        .order_by(CaseEvent.seq)
    ):
        holder = actor if kind == TAKEOVER_STARTED else None
    result["taken_over_by"] = holder
    return result


def load_card_case(store: Store, ref: str) -> dict[str, Any]:
    """:func:`card_case` in its own unit of work."""
    with store.unit_of_work() as uow:
        case = uow.cases.get(ref)
        if case is None:
            raise CaseNotFound(ref)
        return card_case(uow, case, store.clock())


def post_new_cases(store: Store, client: SlackClient, channel: str, limit: int = 20) -> list[str]:
    """Post a card for every open case that has none yet; returns the references posted.

    The case row is locked while its card is posted (PostgreSQL ``FOR UPDATE``), and the
    ``slack_card_posted`` event is written in the same transaction, so two passes never post
    the same card twice.
    """
    open_values = [s.value for s in OPEN_STATUSES]
    posted_ids = select(CaseEvent.case_id).where(CaseEvent.kind == CARD_EVENT)
    with store.unit_of_work() as uow:
        refs = list(
            uow.session.execute(
                select(Case.reference)
                .where(Case.status.in_(open_values), Case.id.notin_(posted_ids))
                .order_by(Case.id)
                .limit(limit)
            ).scalars()
        )
    posted = []
    for ref in refs:
        if _post_card(store, client, channel, ref):
            posted.append(ref)
    return posted


def _post_card(store: Store, client: SlackClient, channel: str, ref: str) -> bool:
    with store.unit_of_work() as uow:
        case = uow.cases.get(ref, for_update=True)
        if case is None or _card_event(uow.session, case.id) is not None:
            return False
        full = card_case(uow, case, store.clock())
        blocks, text = _card_payload(full)
        response = client.chat_postMessage(channel=channel, text=text, blocks=blocks, unfurl_links=False)
        location = {"channel": str(response["channel"]), "ts": str(response["ts"])}
        try:
            uow.cases.append_event(case, CARD_EVENT, "slack", store.clock(), location)
            uow.commit()
        except Exception as exc:
            if not is_unavailable(exc):
                raise
            # The card is in Slack but the database went away before it was recorded: keep where it is in the
            # outbox (replayed first on the next pass), so the card is never posted a second time.
            defer_event(store.settings, ref, CARD_EVENT, "slack", location, store.clock())
            log.warning("case %s: card posted, its location kept in the outbox until the database is back", ref)
    return True


def _card_event(session: Any, case_id: int) -> Optional[CaseEvent]:
    stmt = select(CaseEvent).where(CaseEvent.case_id == case_id, CaseEvent.kind == CARD_EVENT).order_by(CaseEvent.seq)
    return session.execute(stmt).scalars().first()


def card_location(store: Store, ref: str) -> Optional[tuple[str, str]]:
    """(channel, ts) of the case's card, if it was posted."""
    with store.unit_of_work() as uow:
        case = uow.cases.get(ref)
        if case is None:
            return None
        event = _card_event(uow.session, case.id)
        if event is None:
            return None
        return str(event.data["channel"]), str(event.data["ts"])


def update_card(store: Store, client: SlackClient, ref: str) -> bool:
    """Redraw the case's card in place (``chat.update`` with the stored ts)."""
    where = card_location(store, ref)
    if where is None:
        return False
    blocks, text = _card_payload(load_card_case(store, ref))
    client.chat_update(channel=where[0], ts=where[1], text=text, blocks=blocks)
    return True


def case_for_thread(store: Store, channel: str, thread_ts: str) -> Optional[str]:
    """The reference of the case whose card is the parent of a thread."""
    with store.unit_of_work() as uow:
        rows = uow.session.execute(
            select(Case.reference, CaseEvent.data)
            .join(CaseEvent, CaseEvent.case_id == Case.id)
            .where(CaseEvent.kind == CARD_EVENT)
            .order_by(CaseEvent.id.desc())
        )
        for reference, data in rows:
            if (data or {}).get("ts") == thread_ts and (data or {}).get("channel") == channel:
                return str(reference)
    return None


def _alert_key(data: dict[str, Any], kind: str) -> str:
    return f"{kind}:{data.get('target')}:{data.get('due')}"


def post_sla_alerts(store: Store, client: SlackClient, channel: str) -> list[str]:
    """Post every ``sla_warning``/``sla_breached`` event not posted yet (once each); returns keys."""
    with store.unit_of_work() as uow:
        rows = list(
            uow.session.execute(
                select(Case.reference, CaseEvent.kind, CaseEvent.data)
                .join(CaseEvent, CaseEvent.case_id == Case.id)
                .where(CaseEvent.kind.in_(["sla_warning", "sla_breached", ALERT_EVENT]))
                .order_by(CaseEvent.id)
            )
        )
    done = {(ref, (data or {}).get("key")) for ref, kind, data in rows if kind == ALERT_EVENT}
    posted = []
    for ref, kind, data in rows:
        if kind == ALERT_EVENT:
            continue
        key = _alert_key(data or {}, kind)
        if (ref, key) in done:
            continue
        alert = {"reference": ref, "kind": kind, **(data or {})}
        where = card_location(store, ref)
        response = client.chat_postMessage(channel=channel, text=alert_text(alert), unfurl_links=False)
        if where is not None:
            update_card(store, client, ref)
        record_event(
            store, ref, ALERT_EVENT, "slack", {"key": key, "channel": response["channel"], "ts": response["ts"]}
        )
        done.add((ref, key))
        posted.append(f"{ref}:{key}")
    return posted


def _spike_key(spike: dict[str, Any]) -> str:
    return f"{spike['dimension']}:{spike['value']}:{spike['defect_category']}"


def post_spike_alerts(store: Store, client: SlackClient, channel: str) -> list[str]:
    """Post each recurring problem (themes spike) once; returns the spike keys posted.

    A spike counts as posted while any of its cases carries a ``recurring_problem_alerted`` event
    with its key; all its cases get one when it is posted.
    """
    posted = []
    for spike in spikes(store):
        key = _spike_key(spike)
        refs = list(spike.get("references") or [])
        with store.unit_of_work() as uow:
            rows = uow.session.execute(
                select(CaseEvent.data)
                .join(Case, CaseEvent.case_id == Case.id)
                .where(Case.reference.in_(refs), CaseEvent.kind == SPIKE_EVENT)
            )
            if any((data or {}).get("key") == key for data in rows.scalars()):
                continue
        response = client.chat_postMessage(channel=channel, text=spike_text(spike), unfurl_links=False)
        for ref in refs:
            record_event(
                store, ref, SPIKE_EVENT, "scheduler", {"key": key, "count": spike["count"], "ts": response["ts"]}
            )
        posted.append(key)
    return posted
