"""The tracker store's journal: a conversation's events kept in a file while the database cannot take them.

Also how events are told apart when the journal and the database are merged: an event is its type and its
timestamp, counted as a multiset (see :mod:`integrations.rasa_tracker_store`).
"""

from __future__ import annotations

import collections
import contextlib
import itertools
import json
import logging
import os
import time
from pathlib import Path
from typing import Any, Iterable, Optional

from bot.cases.conversations import journal_file
from bot.data_files import fsync_dir, write_json_durably

logger = logging.getLogger(__name__)

EventDict = dict[str, Any]


def event_key(event: EventDict) -> tuple[Any, Any]:
    """What identifies a stored event: its type and its creation timestamp."""
    return event.get("event"), event.get("timestamp")


def missing_events(events: list[EventDict], stored: Iterable[tuple[Any, Any]]) -> list[EventDict]:
    """``events`` (in order) that are not among ``stored`` keys, counted as a multiset."""
    left = collections.Counter(stored)
    result = []
    for event in events:
        key = event_key(event)
        if left[key] > 0:
            left[key] -= 1
        else:
            result.append(event)
    return result


def union_events(first: list[EventDict], then: list[EventDict]) -> list[EventDict]:
    """``first`` followed by the events of ``then`` that ``first`` does not hold."""
    return first + missing_events(then, (event_key(e) for e in first))


def current_session(events: list[EventDict]) -> list[EventDict]:
    """The events from the last ``session_started`` on (what Rasa's ``retrieve`` returns)."""
    for index in range(len(events) - 1, -1, -1):
        if events[index].get("event") == "session_started":
            return events[index:]
    return events


class ConversationJournal:
    """Events the database could not take, one file per conversation (``<sha256 of the id>.json``).

    Each file holds the conversation's newest events, ``{"sender_id", "events", "written_at"}``. It is
    replaced atomically (temporary file, fsync, rename, fsync of the folder), so after a crash it holds
    either the previous or the new events, never half of them.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._counter = itertools.count()

    def _path(self, sender_id: str) -> Path:
        return journal_file(self.folder, sender_id)  # the same name erasure deletes

    def _fsync_folder(self) -> None:
        fsync_dir(self.folder)

    def _read(self, path: Path) -> Optional[dict[str, Any]]:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(data, dict) or not isinstance(data.get("events"), list):
                raise ValueError("not a tracker journal")
            return data
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as error:
            aside = path.with_name(f"{path.name}.unreadable-{int(time.time())}")
            logger.error("Tracker journal %s is unreadable (%s); moved aside to %s", path, error, aside.name)
            with contextlib.suppress(OSError):
                path.replace(aside)
            return None

    def load(self, sender_id: str) -> Optional[list[EventDict]]:
        """The journalled events of ``sender_id``, or None when nothing is waiting."""
        data = self._read(self._path(sender_id))
        if data is None or data.get("sender_id") != sender_id:
            return None
        return list(data["events"])

    def write(self, sender_id: str, events: list[EventDict]) -> Path:
        """Keep ``events`` as the conversation's newest state, durably."""
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        return write_json_durably(
            self._path(sender_id), {"sender_id": sender_id, "written_at": time.time(), "events": events}
        )

    def remove(self, sender_id: str) -> None:
        """Forget the journal of ``sender_id`` (its events are in the database now)."""
        path = self._path(sender_id)
        if path.exists():
            path.unlink(missing_ok=True)
            self._fsync_folder()

    def senders(self) -> list[str]:
        """Conversations that have journalled events."""
        if not self.folder.is_dir():
            return []
        found = []
        for path in sorted(self.folder.glob("*.json")):
            data = self._read(path)
            if data is not None and isinstance(data.get("sender_id"), str):
                found.append(data["sender_id"])
        return found

    def has_pending(self) -> bool:
        """True when any conversation has journalled events (cheap: one directory listing)."""
        try:
            return any(name.endswith(".json") for name in os.listdir(self.folder))
        except OSError:
            return False
