"""``complaints transcripts backfill``: the stage and wording id of bot lines stored without them.

Cases logged before every bot message carried its Listen / Understand / Resolve / Confirm stage have bot lines
with ``stage`` NULL. Each gets, in this order:

1. what Rasa's tracker store kept for the same utterance (same text, said within
   :data:`bot.cases.transcript_sync.MATCH_WINDOW`): the stage and wording id in the bot event's metadata, or that
   a member of staff said it (then the line becomes a ``staff`` line with its actor);
2. else the message of the wording catalogue (or fixed reply) whose words it is, placeholders matching any
   words (:func:`bot.conversation.wording.identify`).

A line neither can place keeps stage NULL and is counted as ``unplaced``. Lines are read a page at a time by
id, one unit of work per page; running it again changes nothing that is placed.
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Optional

from sqlalchemy import select

from bot.cases.models import Case, TranscriptLine
from bot.cases.store import Store
from bot.cases.transcript_sync import MATCH_WINDOW, turns_of
from bot.conversation import wording

PAGE = 500
CONVERSATIONS_KEPT = 256


@dataclass
class BackfillReport:
    """What one run did."""

    lines: int = 0  # bot lines found without a stage
    from_tracker: int = 0
    from_wording: int = 0
    staff: int = 0  # lines the tracker store shows a member of staff wrote
    unplaced: int = 0
    cases: int = 0  # cases with at least one line placed

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return dict(self.__dict__)


class _Tracker:
    """The tracker store's lines of recent conversations (a bounded cache: a run reads each one once)."""

    def __init__(self, store: Store) -> None:
        self.conversations = store.conversations
        self._kept: OrderedDict[str, list[Any]] = OrderedDict()

    def lines(self, conversation_id: Optional[str]) -> list[Any]:
        if not conversation_id or self.conversations is None or not self.conversations.stored:
            return []
        if conversation_id not in self._kept:
            found = self.conversations.transcript(conversation_id)
            self._kept[conversation_id] = turns_of(found) if found is not None else []
            if len(self._kept) > CONVERSATIONS_KEPT:
                self._kept.popitem(last=False)
        return self._kept[conversation_id]

    def same(self, conversation_id: Optional[str], line: TranscriptLine) -> Optional[Any]:
        """The tracker's line for the stored ``line`` (same text, said at about the same time), if any."""
        for turn in self.lines(conversation_id):
            if turn.speaker != "customer" and turn.text == line.text and _close(turn.at, line.said_at):
                return turn
        return None


def _close(heard: Optional[dt.datetime], stored: Optional[dt.datetime]) -> bool:
    return heard is None or stored is None or abs(heard - stored) <= MATCH_WINDOW


def _place(line: TranscriptLine, conversation_id: Optional[str], tracker: _Tracker, report: BackfillReport) -> bool:
    """Fill in one line; True when it was placed."""
    heard = tracker.same(conversation_id, line)
    if heard is not None and heard.speaker == "staff":
        line.speaker, line.actor = "staff", heard.actor
        report.staff += 1
        return True
    if heard is not None and heard.stage:
        line.stage, line.message_id = heard.stage, heard.message_id
        report.from_tracker += 1
        return True
    known = wording.identify(line.text)
    if known is None:
        report.unplaced += 1
        return False
    line.stage, line.message_id = known.stage, known.id
    report.from_wording += 1
    return True


def backfill(store: Store, page: int = PAGE) -> BackfillReport:
    """Give every stored bot line without a stage the one its response had, where it can be found."""
    report = BackfillReport()
    tracker = _Tracker(store)
    touched: set[int] = set()
    after = 0
    while True:
        with store.unit_of_work() as uow:
            lines = uow.cases.unplaced_bot_lines(after, page)
            if not lines:
                break
            ids = sorted({line.case_id for line in lines})
            rows = uow.session.execute(select(Case.id, Case.conversation_id).where(Case.id.in_(ids)))
            conversation = {case_id: conversation_id for case_id, conversation_id in rows}
            for line in lines:
                report.lines += 1
                if _place(line, conversation.get(line.case_id), tracker, report):
                    touched.add(line.case_id)
            uow.commit()
            after = lines[-1].id
    report.cases = len(touched)
    return report
