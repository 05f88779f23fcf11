"""Export a case as evidence (JSON or PDF), optionally redacted; every export is an audit event."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from bot.cases import service
from bot.cases.store import Store
from bot.exports.redact import redact

FORMATS = ("json", "pdf")
CONTENT_TYPES = {"json": "application/json", "pdf": "application/pdf"}


@dataclass(frozen=True)
class Export:
    """The bytes of one export and what was recorded about it."""

    reference: str
    format: str
    redacted: bool
    content: bytes
    sha256: str

    @property
    def content_type(self) -> str:
        """MIME type of the content."""
        return CONTENT_TYPES[self.format]

    @property
    def filename(self) -> str:
        """A download file name."""
        suffix = "-redacted" if self.redacted else ""
        return f"{self.reference}{suffix}.{self.format}"


def case_evidence(store: Store, reference: str, redacted: bool = False) -> dict[str, Any]:
    """The case JSON with full transcript, events, follow-ups and the verified hash-chain result."""
    case = service.get_case(store, reference)
    case["audit"] = service.verify_case_chain(store, case["reference"])
    case["exported_at"] = store.clock().isoformat()
    case["redacted"] = redacted
    if redacted:
        names = [case["customer"].get("name") or ""]
        case = redact(case, names)
    return case


def export_case(store: Store, reference: str, fmt: str, redacted: bool = False, actor: str = "cli") -> Export:
    """Build a JSON or PDF export of a case and record an ``exported`` event with its SHA-256."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; use one of: {', '.join(FORMATS)}")
    evidence = case_evidence(store, reference, redacted)
    if fmt == "json":
        content = (json.dumps(evidence, indent=2, ensure_ascii=False, default=str) + "\n").encode("utf-8")
    else:
        from bot.exports.pdf import case_pdf

        content = case_pdf(evidence)
    digest = hashlib.sha256(content).hexdigest()
    service.record_event(
        store,
        evidence["reference"],
        "exported",
        actor,
        {"format": fmt, "redacted": redacted, "sha256": digest, "bytes": len(content)},
    )
    return Export(evidence["reference"], fmt, redacted, content, digest)
