"""The hash-chained log of evidence packs handed out (``evidence_exports``): record one, verify the chain.

Each row's ``hash`` is the SHA-256 of its canonical fields (actor, format, period, redacted, the file's SHA-256
and size, when) and the previous row's hash (64 zeros for the first), so an edited, deleted or reordered row
breaks the chain. Writers take the log one at a time: SQLite transactions begin IMMEDIATE (bot.db); on
PostgreSQL a transaction-scoped advisory lock is held until the row is committed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from typing import Any

from sqlalchemy import select, text

from bot.cases.store import Store
from bot.reports.windows import Window
from bot.reviews.models import EvidenceExport

log = logging.getLogger(__name__)

GENESIS_HASH = "0" * 64
FORMATS = ("pdf", "json")
# Any fixed number: the key of the PostgreSQL advisory lock that serialises writers of the export log.
_LOCK_KEY = 19_004


def _timestamp(value: dt.datetime) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    return value.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def export_hash(row: EvidenceExport, prev_hash: str) -> str:
    """SHA-256 over a log row's canonical fields and the previous row's hash."""
    fields = {
        "actor": row.actor,
        "format": row.format,
        "period_start": _timestamp(row.period_start),
        "period_end": _timestamp(row.period_end),
        "redacted": bool(row.redacted),
        "sha256": row.sha256,
        "bytes": int(row.bytes),
        "created_at": _timestamp(row.created_at),
        "prev_hash": prev_hash,
    }
    payload = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def export_to_dict(row: EvidenceExport) -> dict[str, Any]:
    """JSON-ready log row."""
    return {
        "id": row.id,
        "actor": row.actor,
        "format": row.format,
        "period": {"from": row.period_start.isoformat(), "to": row.period_end.isoformat()},
        "redacted": bool(row.redacted),
        "sha256": row.sha256,
        "bytes": row.bytes,
        "created_at": row.created_at.isoformat(),
        "prev_hash": row.prev_hash,
        "hash": row.hash,
    }


def record_export(
    store: Store, pack_bytes: bytes, fmt: str, actor: str, period: Window, redacted: bool
) -> dict[str, Any]:
    """Log one pack handed out (its SHA-256 and size), chained to the previous row, in one unit of work."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown evidence pack format {fmt!r}; use one of: {', '.join(FORMATS)}")
    with store.unit_of_work() as uow:
        session = uow.session
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
        last = session.execute(select(EvidenceExport).order_by(EvidenceExport.id.desc()).limit(1)).scalar_one_or_none()
        prev_hash = last.hash if last is not None else GENESIS_HASH
        row = EvidenceExport(
            actor=actor[:320],
            format=fmt,
            period_start=period.start,
            period_end=period.end,
            redacted=redacted,
            sha256=hashlib.sha256(pack_bytes).hexdigest(),
            bytes=len(pack_bytes),
            created_at=store.clock(),
            prev_hash=prev_hash,
        )
        row.hash = export_hash(row, prev_hash)
        session.add(row)
        session.flush()
        result = export_to_dict(row)
        uow.commit()
    log.info("evidence pack %s handed out (export %s, redacted %s)", fmt, result["id"], redacted)
    return result


def verify_exports(store: Store) -> dict[str, Any]:
    """Re-check the whole export log: every row's hash and its link to the row before."""
    problems: list[str] = []
    prev_hash = GENESIS_HASH
    count = 0
    with store.unit_of_work() as uow:
        for row in uow.session.execute(select(EvidenceExport).order_by(EvidenceExport.id)).scalars():
            count += 1
            if row.prev_hash != prev_hash:
                problems.append(
                    f"export {row.id}: does not follow the export before it (a row was removed or reordered)"
                )
            if export_hash(row, row.prev_hash) != row.hash:
                problems.append(f"export {row.id}: its fields do not match its hash (the row was edited)")
            prev_hash = row.hash
    return {"ok": not problems, "exports": count, "head": prev_hash, "problems": problems}


def list_exports(store: Store, limit: int = 50) -> list[dict[str, Any]]:
    """The newest rows of the export log."""
    with store.unit_of_work() as uow:
        stmt = select(EvidenceExport).order_by(EvidenceExport.id.desc()).limit(limit)
        return [export_to_dict(row) for row in uow.session.execute(stmt).scalars()]
