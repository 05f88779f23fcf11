"""The hash chain of case events: compute and verify."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any, Iterable, Protocol

GENESIS_HASH = "0" * 64


class ChainedEvent(Protocol):
    """What the chain needs to know of an event."""

    seq: int
    kind: str
    actor: str
    created_at: dt.datetime
    data: Any
    prev_hash: str
    hash: str


def canonical_json(value: Any) -> str:
    """A stable JSON text: sorted keys, no spaces, dates as ISO strings."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def _timestamp(value: dt.datetime) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    return value.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def event_hash(
    reference: str, seq: int, kind: str, actor: str, created_at: dt.datetime, data: Any, prev_hash: str
) -> str:
    """SHA-256 over an event's content and the previous event's hash."""
    payload = canonical_json(
        {
            "reference": reference,
            "seq": seq,
            "kind": kind,
            "actor": actor,
            "created_at": _timestamp(created_at),
            "data": data,
            "prev_hash": prev_hash,
        }
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ChainReport:
    """The result of verifying one case's events."""

    reference: str
    ok: bool
    events: int
    problems: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"reference": self.reference, "ok": self.ok, "events": self.events, "problems": list(self.problems)}


def verify_chain(
    reference: str,
    events: Iterable[ChainedEvent],
    head_hash: str | None = None,
    expected_count: int | None = None,
) -> ChainReport:
    """Recompute every hash; report edited, deleted, reordered or inserted events.

    ``head_hash`` and ``expected_count`` (kept on the case row) let the check
    notice that the newest events were deleted, which the chain alone cannot.
    """
    problems: list[str] = []
    expected_prev = GENESIS_HASH
    expected_seq = 1
    count = 0
    for ev in sorted(events, key=lambda e: e.seq):
        count += 1
        if ev.seq != expected_seq:
            problems.append(f"events {expected_seq} to {ev.seq - 1} are missing")
        if ev.prev_hash != expected_prev:
            problems.append(f"event {ev.seq} ({ev.kind}) does not follow the event before it")
        recomputed = event_hash(reference, ev.seq, ev.kind, ev.actor, ev.created_at, ev.data, ev.prev_hash)
        if recomputed != ev.hash:
            problems.append(f"event {ev.seq} ({ev.kind}) was altered after it was written")
        expected_prev = ev.hash
        expected_seq = ev.seq + 1
    if count == 0:
        problems.append("case has no events (the creation event is missing)")
    if expected_count is not None and count != expected_count:
        problems.append(f"case records {expected_count} events but {count} remain")
    if head_hash is not None and count and head_hash != expected_prev:
        problems.append("the newest event is not the one the case last recorded")
    return ChainReport(reference=reference, ok=not problems, events=count, problems=tuple(problems))
