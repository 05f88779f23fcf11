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


def content_digest(actor: str, data: Any) -> str:
    """SHA-256 of an event's personal content (actor and data), which the v2 chain hashes instead of the content."""
    return hashlib.sha256(canonical_json({"actor": actor, "data": data}).encode("utf-8")).hexdigest()


def event_hash_v2(
    reference: str, seq: int, kind: str, created_at: dt.datetime, digest: str, prev_hash: str
) -> str:
    """SHA-256 chain link over an event's content digest (hash formula v2, migration 0004).

    Because only the digest of ``actor``/``data`` is chained, erasing that content (keeping the digest)
    leaves every link verifiable.
    """
    payload = canonical_json(
        {
            "v": 2,
            "reference": reference,
            "seq": seq,
            "kind": kind,
            "created_at": _timestamp(created_at),
            "content_digest": digest,
            "prev_hash": prev_hash,
        }
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


ERASURE_KIND = "personal_data_erased"


@dataclass(frozen=True)
class ChainReport:
    """The result of verifying one case's events."""

    reference: str
    ok: bool
    events: int
    problems: tuple[str, ...]
    notes: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form (``notes`` lists events whose personal data was lawfully erased: not problems)."""
        return {
            "reference": self.reference,
            "ok": self.ok,
            "events": self.events,
            "problems": list(self.problems),
            "notes": list(self.notes),
        }


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
    notes: list[str] = []
    expected_prev = GENESIS_HASH
    expected_seq = 1
    count = 0
    ordered = sorted(events, key=lambda e: e.seq)
    erased_seqs = _seqs_recorded_as_erased(ordered)
    for ev in ordered:
        count += 1
        if ev.seq != expected_seq:
            problems.append(f"events {expected_seq} to {ev.seq - 1} are missing")
        if ev.prev_hash != expected_prev:
            problems.append(f"event {ev.seq} ({ev.kind}) does not follow the event before it")
        digest = getattr(ev, "content_digest", None)
        redacted_at = getattr(ev, "redacted_at", None)
        if redacted_at is not None:
            if ev.seq not in erased_seqs.get(ev.seq, set()):
                problems.append(f"event {ev.seq} ({ev.kind}) is marked redacted but no later erasure event records it")
            else:
                notes.append(f"event {ev.seq} ({ev.kind}) redacted by erasure on {_timestamp(redacted_at)[:10]}")
        if digest:
            altered = event_hash_v2(reference, ev.seq, ev.kind, ev.created_at, digest, ev.prev_hash) != ev.hash
            if redacted_at is None and content_digest(ev.actor, ev.data) != digest:
                altered = True
        elif redacted_at is not None:
            altered = False  # a v1 event: its content is gone on purpose, only its link can be checked
        else:
            altered = event_hash(reference, ev.seq, ev.kind, ev.actor, ev.created_at, ev.data, ev.prev_hash) != ev.hash
        if altered:
            problems.append(f"event {ev.seq} ({ev.kind}) was altered after it was written")
        expected_prev = ev.hash
        expected_seq = ev.seq + 1
    if count == 0:
        problems.append("case has no events (the creation event is missing)")
    if expected_count is not None and count != expected_count:
        problems.append(f"case records {expected_count} events but {count} remain")
    if head_hash is not None and count and head_hash != expected_prev:
        problems.append("the newest event is not the one the case last recorded")
    return ChainReport(
        reference=reference, ok=not problems, events=count, problems=tuple(problems), notes=tuple(notes)
    )


def _seqs_recorded_as_erased(events: list[Any]) -> dict[int, set[int]]:
    """For each event seq, the seqs that a *later* ``personal_data_erased`` event lists as redacted."""
    recorded: dict[int, set[int]] = {}
    later: set[int] = set()
    for ev in reversed(events):
        recorded[ev.seq] = set(later)
        if ev.kind == ERASURE_KIND and getattr(ev, "redacted_at", None) is None and isinstance(ev.data, dict):
            later.update(int(s) for s in ev.data.get("redacted_seqs", []) if isinstance(s, int))
    return recorded
