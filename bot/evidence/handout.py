"""Handing out an evidence pack: build it, render it (PDF or JSON), and log it in the export chain."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Optional

from bot.cases.store import Store
from bot.evidence.export_log import record_export
from bot.evidence.pack import build_pack, pack_json, pack_period
from bot.evidence.pdf import pack_pdf

CONTENT_TYPES = {"pdf": "application/pdf", "json": "application/json"}


@dataclass(frozen=True)
class PackFile:
    """The bytes of one pack handed out, and its row in the export log."""

    format: str
    content: bytes
    redacted: bool
    generated_on: dt.date
    export: dict[str, Any]

    @property
    def sha256(self) -> str:
        """SHA-256 of the content, as logged."""
        return str(self.export["sha256"])

    @property
    def content_type(self) -> str:
        """MIME type of the content."""
        return CONTENT_TYPES[self.format]

    @property
    def filename(self) -> str:
        """``evidence-pack-<date>.pdf`` (``-unredacted`` when it holds personal data)."""
        suffix = "" if self.redacted else "-unredacted"
        return f"evidence-pack-{self.generated_on.isoformat()}{suffix}.{self.format}"


def hand_out(
    store: Store,
    since: dt.timedelta,
    until: Optional[dt.datetime] = None,
    fmt: str = "pdf",
    redacted: bool = True,
    actor: str = "cli",
) -> PackFile:
    """Build the pack for the period, render it as ``fmt`` and record it in the export log (every pack is logged)."""
    if fmt not in CONTENT_TYPES:
        raise ValueError(f"unknown evidence pack format {fmt!r}; use pdf or json")
    pack = build_pack(store, since, until, redacted=redacted, actor=actor)
    content = pack_pdf(pack) if fmt == "pdf" else pack_json(pack)
    row = record_export(store, content, fmt, actor, pack_period(pack), redacted)
    return PackFile(fmt, content, redacted, store.clock().date(), row)
