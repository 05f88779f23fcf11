"""Durable outbox: work the case database could not take at once, kept on disk until it can.

A confirmed complaint is a promise. When the database is locked, restarting or down, the work is
written here instead: one JSON file per piece of work, named after its idempotency key, written to a
temporary file, ``fsync``'d, renamed into place and the directory ``fsync``'d, so it survives a crash
or a power cut the moment :meth:`Outbox.put` returns. The directory (``OUTBOX_DIR``, default
``var/outbox``) is outside the failing database on purpose.

Putting the same key twice keeps the first entry (a retried action cannot queue the work twice);
replaying (see :mod:`bot.cases.deferred`) is idempotent, so an entry replayed twice after a crash
still has one effect. Entries that can never be written (bad data, not an outage) are moved to
``failed/`` for a person to look at; nothing is ever silently dropped.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from bot.data_files import fsync_dir, write_json_durably

log = logging.getLogger(__name__)

FAILED_DIR = "failed"


@dataclass(frozen=True)
class OutboxEntry:
    """One piece of work waiting for the database."""

    key: str
    kind: str
    payload: dict[str, Any]
    queued_at: str
    path: Path = field(compare=False)
    attempts: int = 0
    last_error: str = ""


class Outbox:
    """A directory of pending work, each entry one fsync'd JSON file."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)

    def _path(self, key: str) -> Path:
        return self.directory / f"{hashlib.sha256(key.encode()).hexdigest()[:32]}.json"

    def put(self, kind: str, key: str, payload: dict[str, Any], now: Optional[dt.datetime] = None) -> OutboxEntry:
        """Queue ``payload`` under ``key`` (durable on return); an entry already queued under ``key`` wins."""
        self.directory.mkdir(parents=True, exist_ok=True)
        os.chmod(self.directory, 0o700)  # entries hold personal data: owner only
        path = self._path(key)
        existing = self._read(path)
        if existing is not None:
            return existing
        queued_at = (now or dt.datetime.now(dt.timezone.utc)).isoformat()
        record = {"key": key, "kind": kind, "payload": payload, "queued_at": queued_at, "attempts": 0}
        write_json_durably(path, record)
        log.warning("case database unavailable: %s %s kept in the outbox (%s)", kind, path.stem, self.directory)
        return OutboxEntry(key, kind, payload, queued_at, path)

    def _read(self, path: Path) -> Optional[OutboxEntry]:
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        return OutboxEntry(
            key=str(record["key"]),
            kind=str(record["kind"]),
            payload=dict(record["payload"]),
            queued_at=str(record["queued_at"]),
            path=path,
            attempts=int(record.get("attempts") or 0),
            last_error=str(record.get("last_error") or ""),
        )

    def pending(self) -> list[OutboxEntry]:
        """Every queued entry, oldest first (unreadable files are moved to ``failed/``)."""
        if not self.directory.is_dir():
            return []
        entries = []
        for path in sorted(self.directory.glob("*.json")):
            try:
                entry = self._read(path)
            except (ValueError, KeyError, TypeError) as exc:
                self._move_to_failed(path, f"unreadable entry: {exc}")
                continue
            if entry is not None:
                entries.append(entry)
        return sorted(entries, key=lambda entry: (entry.queued_at, entry.path.name))

    def done(self, entry: OutboxEntry) -> None:
        """Remove an entry whose work is in the database."""
        entry.path.unlink(missing_ok=True)
        fsync_dir(entry.path.parent)

    def retry_later(self, entry: OutboxEntry, error: str) -> None:
        """Count a failed attempt (the entry stays queued)."""
        record = {
            "key": entry.key,
            "kind": entry.kind,
            "payload": entry.payload,
            "queued_at": entry.queued_at,
            "attempts": entry.attempts + 1,
            "last_error": error[:500],
        }
        write_json_durably(entry.path, record)

    def fail(self, entry: OutboxEntry, error: str) -> Path:
        """Set an entry aside for a person: its work can never succeed as it is (bad data, not an outage)."""
        self.retry_later(entry, error)
        return self._move_to_failed(entry.path, error)

    def _move_to_failed(self, path: Path, reason: str) -> Path:
        failed = self.directory / FAILED_DIR
        failed.mkdir(parents=True, exist_ok=True)
        target = failed / path.name
        os.replace(path, target)
        fsync_dir(self.directory)
        fsync_dir(failed)
        log.error("outbox entry %s set aside in %s: %s", path.stem, failed, reason)
        return target

    def failed(self) -> list[Path]:
        """Entries set aside for a person."""
        failed = self.directory / FAILED_DIR
        return sorted(failed.glob("*.json")) if failed.is_dir() else []
