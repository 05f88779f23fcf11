"""The customer's answer to a follow-up: stored once; an unhappy answer reopens the case, a happy one closes it."""

from __future__ import annotations

import datetime as dt
from typing import Any, Optional

from bot.cases.aggregate import load_for_update, transition
from bot.cases.case_json import case_to_dict
from bot.cases.models import Case
from bot.cases.status import CaseStatus
from bot.cases.store import Store
from bot.cases.unit_of_work import UnitOfWork

LOW_SATISFACTION = 2
OPEN_FOLLOW_UP = ("pending", "claimed", "sent")


def record_satisfaction(
    store: Store,
    reference: str,
    score: Optional[int],
    solved: Optional[bool],
    comment: str = "",
    actor: str = "customer",
    followup_key: Optional[str] = None,
    alert_staff: Optional[tuple[str, str]] = None,
) -> dict[str, Any]:
    """Store a follow-up answer; a "not solved" or a score of 2 or less reopens the case.

    A satisfied answer on a resolved case closes it. With ``followup_key`` the answer is recorded once
    (a replayed or retried answer to an already answered follow-up changes nothing: ``duplicate`` is
    True). With ``alert_staff=(actor, reason)`` a reopening also records ``staff_alerted`` in the same
    transaction.
    """
    if score is not None and not 1 <= int(score) <= 5:
        raise ValueError("a satisfaction score is a whole number from 1 to 5")
    with store.unit_of_work() as uow:
        case = load_for_update(uow, reference)
        now = store.clock()
        if followup_key and _already_answered(uow, case, followup_key):
            result = case_to_dict(case, now)
            result.update(reopened=False, duplicate=True)
            return result
        _store_answer(uow, case, score, solved, comment, actor, now)
        reopened = _reopen_or_close(uow, case, score, solved, actor, now)
        if reopened and alert_staff:
            uow.cases.append_event(case, "staff_alerted", alert_staff[0], now, {"reason": alert_staff[1]})
        result = case_to_dict(case, now)
        result.update(reopened=reopened, duplicate=False)
        uow.commit()
        return result


def _already_answered(uow: UnitOfWork, case: Case, followup_key: str) -> bool:
    return any(f.key == followup_key and f.status == "answered" for f in uow.followups.for_case(case.id))


def _store_answer(
    uow: UnitOfWork,
    case: Case,
    score: Optional[int],
    solved: Optional[bool],
    comment: str,
    actor: str,
    now: dt.datetime,
) -> None:
    """Keep the score and comment, record the answer, and mark the case's open follow-ups answered."""
    if score is not None:
        case.satisfaction_score = int(score)
    if comment:
        case.satisfaction_comment = comment.strip()[:2000]
    answer = {"score": score, "solved": solved, "comment": comment.strip()[:2000]}
    uow.cases.append_event(case, "satisfaction_recorded", actor, now, answer)
    for follow_up in uow.followups.for_case(case.id):
        if follow_up.status in OPEN_FOLLOW_UP:
            follow_up.status = "answered"
            follow_up.answered_at = now


def _reopen_or_close(
    uow: UnitOfWork, case: Case, score: Optional[int], solved: Optional[bool], actor: str, now: dt.datetime
) -> bool:
    """Reopen a finished case after an unhappy answer, close a resolved one after a happy answer; True if reopened."""
    unhappy = solved is False or (score is not None and int(score) <= LOW_SATISFACTION)
    if unhappy and case.status in (CaseStatus.RESOLVED.value, CaseStatus.CLOSED.value):
        transition(uow, case, CaseStatus.REOPENED.value, actor, now, "customer not satisfied")
    elif not unhappy and case.status == CaseStatus.RESOLVED.value:
        transition(uow, case, CaseStatus.CLOSED.value, actor, now, "customer satisfied")
    return bool(unhappy and case.status == CaseStatus.REOPENED.value)
