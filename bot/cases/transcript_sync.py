"""The whole conversation kept with its case: what was said after the snapshot, appended once.

A case is written with a snapshot of its conversation (``transcript_lines``) plus the replies of the action
that logged it. Whatever is said afterwards (the customer's next messages, the satisfaction follow-up, staff
takeover lines with the member of staff as actor) is in Rasa's tracker store only; :func:`sync_transcripts`
appends it to the case, one unit of work per case. It is idempotent: a line the case already holds (same
speaker and text, said within :data:`MATCH_WINDOW` of it) is never added again, so running it twice, or
while a logging action appends its confirmation, adds nothing twice.

Cost: only conversations with lines stored since the last pass are read (Rasa's ``events`` table by primary
key, see :meth:`bot.cases.conversations.Conversations.changed`); the first pass looks back
``TRANSCRIPT_SYNC_DAYS``. The scheduler's ``transcripts`` job runs :class:`TranscriptSync` every
``TRANSCRIPT_SYNC_SECONDS``; ``complaints transcripts sync`` runs one pass.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Iterable, Optional, Sequence

from sqlalchemy.exc import IntegrityError

from bot.cases.aggregate import CaseNotFound
from bot.cases.drafts import TranscriptTurn
from bot.cases.models import TranscriptLine
from bot.cases.opening import transcript_line
from bot.cases.store import Store

log = logging.getLogger(__name__)

# A stored line and a tracker line with the same speaker and text are the same utterance when said this close
# together: the logging action stores its confirmation a moment before Rasa stamps the bot event.
MATCH_WINDOW = dt.timedelta(seconds=120)
CHUNK = 200


@dataclass
class SyncReport:
    """What one pass did."""

    tracker_store: bool = True
    conversations: int = 0
    cases: int = 0
    cases_updated: int = 0
    lines_added: int = 0
    conflicts: int = 0  # cases another writer appended to at the same moment: done on the next pass
    last_event_id: int = 0
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return dict(self.__dict__)


def _side(speaker: str) -> str:
    """Who speaks: the customer, or the assistant's side (the bot or a member of staff talking for it)."""
    return "customer" if speaker == "customer" else "assistant"


def _at(line: Any) -> Optional[dt.datetime]:
    return getattr(line, "said_at", None) if isinstance(line, TranscriptLine) else getattr(line, "at", None)


def new_lines(stored: Sequence[Any], heard: Sequence[TranscriptTurn]) -> list[TranscriptTurn]:
    """The turns of ``heard`` (the conversation, in order) that are not among ``stored`` and come after them.

    Each stored line stands for at most one heard turn with the same side and text, said within
    :data:`MATCH_WINDOW` (any time, for old lines stored without one). Unmatched turns said before the last
    stored line are left out: they are older than the snapshot (its start was cut, or it began elsewhere).
    """
    unused: dict[tuple[str, str], list[Optional[dt.datetime]]] = defaultdict(list)
    times = [at for at in (_at(line) for line in stored) if at is not None]
    for line in stored:
        unused[(_side(line.speaker), line.text)].append(_at(line))
    first, last = (min(times), max(times)) if times else (None, None)
    fresh = []
    for turn in heard:
        if first is not None and turn.at is not None and turn.at < first - MATCH_WINDOW:
            continue
        candidates = unused.get((_side(turn.speaker), turn.text), [])
        match = next((i for i, at in enumerate(candidates) if _close(at, turn.at)), None)
        if match is not None:
            candidates.pop(match)
        elif last is None or turn.at is None or turn.at > last:
            fresh.append(turn)
    return fresh


def _close(stored_at: Optional[dt.datetime], heard_at: Optional[dt.datetime]) -> bool:
    return stored_at is None or heard_at is None or abs(stored_at - heard_at) <= MATCH_WINDOW


def append_turns(store: Store, reference: str, turns: Iterable[TranscriptTurn]) -> int:
    """Add ``turns`` said after the case's snapshot (e.g. the confirmation that gives its reference), once.

    Returns how many lines were added; a turn the case already holds is skipped.
    """
    with store.unit_of_work() as uow:
        case = uow.cases.get(reference)
        if case is None:
            raise CaseNotFound(reference)
        fresh = new_lines(uow.cases.transcript(case), list(turns))
        added = uow.cases.append_transcript(case, (transcript_line(t) for t in fresh))
        uow.commit()
        return added


def turns_of(lines: Iterable[dict[str, Any]]) -> list[TranscriptTurn]:
    """Transcript turns from the tracker store's lines (:meth:`Conversations.transcript`)."""
    return [
        TranscriptTurn(
            speaker=str(line["speaker"]),
            text=str(line["text"]),
            at=dt.datetime.fromisoformat(line["at"]) if line.get("at") else None,
            actor=line.get("actor"),
            intent=line.get("intent"),
            stage=line.get("stage"),
            message_id=line.get("message_id"),
        )
        for line in lines
    ]


def sync_transcripts(store: Store, after_id: Optional[int] = None, since: Optional[dt.datetime] = None) -> SyncReport:
    """Append to each case what its conversation said after the stored lines.

    Looks at conversations with customer or bot lines stored after tracker event ``after_id`` or at/after
    ``since`` (both None: every conversation).
    """
    report = SyncReport(last_event_id=int(after_id or 0))
    conversations = store.conversations
    if conversations is None or not conversations.stored:
        report.tracker_store = False
        return report
    senders, report.last_event_id = conversations.changed(after_id, since)
    report.conversations = len(senders)
    for start in range(0, len(senders), CHUNK):
        with store.unit_of_work() as uow:
            cases = [
                (c.reference, str(c.conversation_id))
                for c in uow.cases.with_conversations(senders[start : start + CHUNK])
            ]
        heard: dict[str, Optional[list[TranscriptTurn]]] = {}
        for reference, conversation_id in cases:
            if conversation_id not in heard:
                lines = conversations.transcript(conversation_id)
                heard[conversation_id] = turns_of(lines) if lines is not None else None
            turns = heard[conversation_id]
            if turns is not None:
                _sync_case(store, reference, turns, report)
    return report


def _sync_case(store: Store, reference: str, turns: list[TranscriptTurn], report: SyncReport) -> None:
    """One case, one unit of work; a clash with another writer is left for the next pass."""
    report.cases += 1
    try:
        added = append_turns(store, reference, turns)
    except IntegrityError:
        report.conflicts += 1
        return
    except CaseNotFound:
        return
    if added:
        report.cases_updated += 1
        report.lines_added += added


@dataclass
class TranscriptSync:
    """Sync pass after pass (the scheduler's ``transcripts`` job), each from where the ones before got to.

    The first pass looks back ``lookback``; later ones start at the newest tracker event seen two passes ago,
    so an event committed a little after a later one (PostgreSQL hands out ids before commit) is still read.
    """

    store: Store
    lookback: dt.timedelta
    _seen: list[int] = field(default_factory=list)

    def run(self) -> SyncReport:
        """One pass."""
        if len(self._seen) < 2:
            report = sync_transcripts(self.store, since=self.store.clock() - self.lookback)
        else:
            report = sync_transcripts(self.store, after_id=self._seen[0])
        self._seen = [*self._seen, report.last_event_id][-2:]
        return report
