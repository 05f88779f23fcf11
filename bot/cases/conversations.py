"""Rasa's conversations as its SQL tracker store keeps them: read for transcripts, deleted for erasure.

Rasa writes every conversation to the table ``events`` in ``TRACKER_STORE_URL`` (by default its own
SQLite file beside the case database, ``var/conversations.db``; the same server as the cases on
PostgreSQL), plus, while that database is unavailable, one journal file per conversation in
``TRACKER_JOURNAL_DIR`` (see ``integrations/rasa_tracker_store.py``). This module is the one place
that knows both: :func:`journal_file` names a conversation's journal for the tracker store too.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from functools import cached_property
from pathlib import Path
from typing import Any, Iterable, Optional

from sqlalchemy import Column, Float, Integer, MetaData, String, Table, Text, delete, func, inspect, select
from sqlalchemy.engine import Engine

from bot.db import create_db_engine, is_unavailable
from bot.settings import Settings

log = logging.getLogger(__name__)

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
# The Listen / Understand / Resolve / Confirm stages a bot event may carry in its metadata.
LINE_STAGES = ("listen", "understand", "resolve", "confirm")


def journal_file(folder: Path, conversation_id: str) -> Path:
    """The journal file of ``conversation_id`` in ``folder`` (its id is personal data: only a digest shows)."""
    return folder / (hashlib.sha256(conversation_id.encode("utf-8")).hexdigest() + ".json")


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class Conversations:
    """Rasa's stored conversations for ``settings`` (nothing when they are kept in memory)."""

    def __init__(self, settings: Settings, interactive: bool = False) -> None:
        self.settings = settings
        self._interactive = interactive

    @property
    def stored(self) -> bool:
        """True when Rasa keeps conversations in SQL (``TRACKER_STORE=sql``)."""
        return self.settings.tracker_store == "sql"

    @cached_property
    def engine(self) -> Engine:
        """An engine on the tracker store's database (made on first use)."""
        url = self.settings.tracker_store_url or self.settings.database_url
        return create_db_engine(self.settings.with_overrides(database_url=url), interactive=self._interactive)

    def _has_table(self) -> bool:
        with self.engine.connect() as connection:
            return bool(inspect(connection).has_table("events"))

    def transcript(self, conversation_id: Optional[str]) -> Optional[list[dict[str, Any]]]:
        """Who said what and when in ``conversation_id``.

        None when it cannot be read; the caller then uses the case's own snapshot.
        """
        if not conversation_id or not self.stored:
            return None
        try:
            if not self._has_table():
                return None
            with self.engine.connect() as connection:
                rows = connection.execute(
                    select(EVENTS.c.type_name, EVENTS.c.timestamp, EVENTS.c.intent_name, EVENTS.c.data)
                    .where(EVENTS.c.sender_id == conversation_id, EVENTS.c.type_name.in_(list(SPEAKERS)))
                    .order_by(EVENTS.c.id)
                ).all()
        except Exception as exc:
            if not is_unavailable(exc):
                raise
            log.warning("conversations unavailable; showing the case's snapshot: %s", str(exc).splitlines()[0])
            return None
        return _lines(rows) or None

    def changed(self, after_id: Optional[int] = None, since: Optional[dt.datetime] = None) -> tuple[list[str], int]:
        """Conversations with a customer or bot line stored after event ``after_id`` (or at/after ``since``).

        Returns them with the newest event id seen, the ``after_id`` of the next call. Asking by event id uses
        the table's primary key, so a frequent call stays cheap however many conversations there are.
        """
        newest = int(after_id or 0)
        if not self.stored or not self._has_table():
            return [], newest
        stmt = select(EVENTS.c.sender_id, func.max(EVENTS.c.id)).where(EVENTS.c.type_name.in_(list(SPEAKERS)))
        if after_id is not None:
            stmt = stmt.where(EVENTS.c.id > after_id)
        if since is not None:
            stmt = stmt.where(EVENTS.c.timestamp >= since.timestamp())
        with self.engine.connect() as connection:
            rows = connection.execute(stmt.group_by(EVENTS.c.sender_id)).all()
        for _sender, last in rows:
            newest = max(newest, int(last or 0))
        return sorted(str(sender) for sender, _last in rows), newest

    def mentioning(self, text: str) -> list[str]:
        """Conversations in which ``text`` (e.g. an e-mail address) appears anywhere."""
        if not self.stored or not text or not self._has_table():
            return []
        with self.engine.connect() as connection:
            senders = connection.execute(
                select(EVENTS.c.sender_id).where(EVENTS.c.data.ilike(f"%{_escape_like(text)}%", escape="\\")).distinct()
            ).scalars()
            return sorted(str(s) for s in senders)

    def count(self, conversation_ids: Iterable[str]) -> int:
        """How many stored events these conversations have."""
        ids = sorted(set(conversation_ids))
        if not ids or not self.stored or not self._has_table():
            return 0
        with self.engine.connect() as connection:
            return int(connection.execute(select(func.count()).where(EVENTS.c.sender_id.in_(ids))).scalar() or 0)

    def delete(self, conversation_ids: Iterable[str]) -> int:
        """Delete these conversations (events and journal files); returns the number of events deleted."""
        ids = sorted(set(conversation_ids))
        if not ids or not self.stored:
            return 0
        deleted = 0
        if self._has_table():
            with self.engine.begin() as connection:
                deleted = int(connection.execute(delete(EVENTS).where(EVENTS.c.sender_id.in_(ids))).rowcount or 0)
        for conversation_id in ids:
            journal_file(self.settings.tracker_journal_dir, conversation_id).unlink(missing_ok=True)
        return deleted

    def dispose(self) -> None:
        """Close pooled connections (if any were opened)."""
        if "engine" in self.__dict__:
            self.engine.dispose()


def _lines(rows: Iterable[Any]) -> list[dict[str, Any]]:
    lines = []
    for type_name, timestamp, intent, data in rows:
        try:
            payload = json.loads(data or "{}")
        except ValueError:
            payload = {}
        text = payload.get("text")
        if not text:
            continue
        metadata = payload.get("metadata") if isinstance(payload.get("metadata"), dict) else {}
        speaker = "staff" if metadata.get("staff") else SPEAKERS[type_name]
        stage, message_id = evidence_of(metadata) if speaker == "bot" else (None, None)
        lines.append(
            {
                "speaker": speaker,
                "actor": metadata.get("staff"),
                "text": text,
                "intent": intent if type_name == "user" else None,
                "at": dt.datetime.fromtimestamp(float(timestamp or 0), tz=dt.timezone.utc).isoformat(),
                "stage": stage,
                "message_id": message_id,
            }
        )
    return lines


def evidence_of(metadata: dict[str, Any]) -> tuple[Optional[str], Optional[str]]:
    """The stage and wording id a bot event carries in its metadata, each None when it has none.

    The actions put them at the top level (``actions/common.py: say``); Rasa's own ``utter_*`` responses keep
    their variation's ``metadata`` under ``metadata`` and the response name as ``utter_action``.
    """
    inner = metadata.get("metadata")
    nested: dict[str, Any] = inner if isinstance(inner, dict) else {}
    stage = metadata.get("stage") or nested.get("stage")
    message_id = metadata.get("message_id") or nested.get("message_id") or metadata.get("utter_action")
    return (
        str(stage) if stage in LINE_STAGES else None,
        str(message_id)[:80] if isinstance(message_id, str) and message_id else None,
    )
