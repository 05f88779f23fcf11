"""The full conversation behind a case, read from Rasa's SQL tracker store when it shares our database."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, Optional

from sqlalchemy import Column, Float, Integer, MetaData, String, Table, Text, inspect, select
from sqlalchemy.orm import Session

# Rasa's SQLTrackerStore table (rasa/core/tracker_store.py, SQLEvent).
_metadata = MetaData()
EVENTS = Table(
    "events",
    _metadata,
    Column("id", Integer, primary_key=True),
    Column("sender_id", String(255)),
    Column("type_name", String(255)),
    Column("timestamp", Float),
    Column("intent_name", String(255)),
    Column("action_name", String(255)),
    Column("data", Text),
)
SPEAKERS = {"user": "customer", "bot": "bot"}


def tracker_transcript(session: Session, conversation_id: Optional[str]) -> Optional[list[dict[str, Any]]]:
    """Who said what and when in ``conversation_id``; None when there is no tracker store here."""
    if not conversation_id or not inspect(session.connection()).has_table("events"):
        return None
    rows = session.execute(
        select(EVENTS.c.type_name, EVENTS.c.timestamp, EVENTS.c.intent_name, EVENTS.c.data)
        .where(EVENTS.c.sender_id == conversation_id, EVENTS.c.type_name.in_(list(SPEAKERS)))
        .order_by(EVENTS.c.id)
    )
    lines = []
    for type_name, timestamp, intent, data in rows:
        try:
            payload = json.loads(data or "{}")
        except ValueError:
            payload = {}
        text = payload.get("text")
        if not text:
            continue
        metadata = payload.get("metadata") or {}
        lines.append(
            {
                "speaker": "staff" if metadata.get("staff") else SPEAKERS[type_name],
                "actor": metadata.get("staff"),
                "text": text,
                "intent": intent if type_name == "user" else None,
                "at": dt.datetime.fromtimestamp(float(timestamp or 0), tz=dt.timezone.utc).isoformat(),
            }
        )
    return lines or None
