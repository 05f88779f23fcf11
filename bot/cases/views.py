"""Reading cases: load what the case JSON needs through the repositories, then serialise it (no SQL there).

:func:`find_cases` runs the one case query (:class:`bot.cases.case_query.CaseQuery`) for the CLI list,
the dashboard search and the Slack lists; :func:`get_case` is one case with its history and transcript.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from bot.cases.aggregate import CaseNotFound
from bot.cases.case_json import CaseHistory, CaseTranscript, case_to_dict
from bot.cases.case_query import CaseQuery
from bot.cases.models import Case
from bot.cases.store import Store
from bot.cases.unit_of_work import UnitOfWork


def load_history(uow: UnitOfWork, case: Case) -> CaseHistory:
    """The case's audit events, follow-ups and photos, each in order."""
    return CaseHistory(
        events=uow.cases.events(case),
        follow_ups=uow.followups.for_case(case.id),
        photos=uow.photos.for_case(case.id),
    )


def load_transcript(uow: UnitOfWork, case: Case) -> CaseTranscript:
    """Rasa's full stored conversation when it can be read, else the lines kept with the case.

    A bot line Rasa stored without its stage (said before every message carried one) takes the stage and
    wording id the case's own copy of it was given by ``complaints transcripts backfill``.
    """
    full = uow.conversations.transcript(case.conversation_id) if uow.conversations is not None else None
    if full is None:
        return CaseTranscript(lines=uow.cases.transcript(case))
    if any(line["speaker"] == "bot" and not line.get("stage") for line in full):
        by_text = {line.text: (line.stage, line.message_id) for line in uow.cases.transcript(case) if line.stage}
        for line in full:
            if line["speaker"] == "bot" and not line.get("stage") and line["text"] in by_text:
                line["stage"], line["message_id"] = by_text[line["text"]]
    return CaseTranscript(tracker=full)


def case_json(
    uow: UnitOfWork, case: Case, now: dt.datetime, with_events: bool = False, with_transcript: bool = False
) -> dict[str, Any]:
    """The case JSON at ``now``, loading its history and transcript when asked."""
    history = load_history(uow, case) if with_events else None
    transcript = load_transcript(uow, case) if with_transcript else None
    return case_to_dict(case, now, history, transcript)


def get_case(store: Store, reference: str) -> dict[str, Any]:
    """The case JSON (with events and transcript) of ``reference``."""
    with store.unit_of_work() as uow:
        case = uow.cases.get(reference)
        if case is None:
            raise CaseNotFound(reference)
        return case_json(uow, case, store.clock(), with_events=True, with_transcript=True)


def find_cases(store: Store, query: CaseQuery = CaseQuery()) -> list[dict[str, Any]]:
    """The cases matching ``query``, in its order, as case JSON without events."""
    now = store.clock()
    with store.unit_of_work() as uow:
        return [case_to_dict(case, now) for case in uow.cases.find(query, now)]


def filter_choices(store: Store) -> dict[str, list[str]]:
    """Distinct product lines, batches and channels, for the dashboard's filter drop-downs."""
    with store.unit_of_work() as uow:
        result = {}
        for name, column in (
            ("product_line", Case.product_line),
            ("batch", Case.batch),
            ("channel", Case.channel),
        ):
            values = uow.session.execute(select(column).where(column.isnot(None)).distinct().order_by(column))
            result[name] = [str(v) for v in values.scalars() if v]
        return result
