"""Review reports: coverage, scores per stage by week, channel and staff member, findings, disagreements.

:func:`review_summary` is what the dashboard, ``complaints reviews report`` and the evidence pack show.
It looks at the complaint conversations (cases of kind ``complaint`` with a transcript) logged in the
window, and at the newest review of each (a case reviewed again counts once, with its latest scores).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any, Iterable, Optional

from sqlalchemy import exists, select

from bot.cases.models import Case, TranscriptLine
from bot.cases.store import Store
from bot.reports.windows import Window, window
from bot.reviews.models import Review, ReviewQueueItem
from bot.reviews.scorecard import CRITERIA, NOT_MET, label_of, stage_scores


@dataclass(frozen=True)
class _Reviewed:
    """The newest review of one eligible conversation, with what the report groups it by."""

    week: str
    channel: str
    staff: Optional[str]
    scores: dict[str, str]
    disagreements: int


def iso_week(moment: dt.datetime) -> str:
    """``2026-W48``: the ISO week of ``moment``."""
    year, week, _ = moment.isocalendar()
    return f"{year}-W{week:02d}"


def eligible_cases(win: Window) -> Any:
    """The statement selecting complaint conversations (with a transcript) logged in ``win``."""
    has_transcript = exists(select(TranscriptLine.id).where(TranscriptLine.case_id == Case.id))
    return select(Case.id, Case.channel, Case.created_at).where(
        Case.kind == "complaint", Case.created_at >= win.start, Case.created_at < win.end, has_transcript
    )


def review_summary(store: Store, since: dt.timedelta, until: Optional[dt.datetime] = None) -> dict[str, Any]:
    """Coverage and scores of the reviews of the complaint conversations logged in the window.

    ``coverage`` is reviewed conversations / eligible conversations (None when there are none); a stage's
    score is met / (met + not met) over its criteria (n.a. left out); ``weeks`` are ISO weeks of the
    conversations; ``by_staff`` covers reviews of a staff member's part (takeovers); ``findings`` count
    criteria not met, most frequent first; ``disagreements`` counts criteria where the reviewer changed the
    pre-filled value.
    """
    win = window(store.clock(), since, until)
    with store.unit_of_work() as uow:
        cases = {row.id: row for row in uow.session.execute(eligible_cases(win))}
        ids = select(eligible_cases(win).subquery().c.id)
        queued = list(uow.session.execute(select(ReviewQueueItem.reasons).where(ReviewQueueItem.case_id.in_(ids))))
        review_rows = list(
            uow.session.execute(
                select(Review.case_id, Review.staff, Review.scores, Review.disagreements)
                .where(Review.case_id.in_(ids))
                .order_by(Review.case_id, Review.created_at, Review.id)
            )
        )
    latest = {row.case_id: row for row in review_rows}  # ordered: the newest review of each case wins
    reviewed = [
        _Reviewed(
            week=iso_week(cases[case_id].created_at),
            channel=cases[case_id].channel,
            staff=row.staff,
            scores=dict(row.scores or {}),
            disagreements=len(row.disagreements or []),
        )
        for case_id, row in latest.items()
        if case_id in cases
    ]
    by_reason: Counter[str] = Counter(reason for (reasons,) in queued for reason in (reasons or []))
    return {
        "window": win.as_dict(),
        "eligible": len(cases),
        "queued": len(queued),
        "reviewed": len(reviewed),
        "coverage": round(len(reviewed) / len(cases), 3) if cases else None,
        "by_reason": dict(sorted(by_reason.items(), key=lambda kv: (-kv[1], kv[0]))),
        "stages": stage_scores(r.scores for r in reviewed),
        "weeks": _grouped(reviewed, "week", lambda r: r.week),
        "by_channel": _grouped(reviewed, "channel", lambda r: r.channel),
        "by_staff": _grouped([r for r in reviewed if r.staff], "staff", lambda r: str(r.staff)),
        "findings": findings(r.scores for r in reviewed),
        "disagreements": sum(r.disagreements for r in reviewed),
    }


def _grouped(reviewed: list[_Reviewed], key: str, group_of: Any) -> list[dict[str, Any]]:
    """One row per group (sorted by its name): the group, how many reviews, and the stage scores."""
    groups: dict[str, list[_Reviewed]] = defaultdict(list)
    for item in reviewed:
        groups[group_of(item)].append(item)
    return [
        {key: name, "reviews": len(items), **stage_scores(i.scores for i in items)}
        for name, items in sorted(groups.items())
    ]


def findings(scorecards: Iterable[dict[str, str]]) -> list[dict[str, Any]]:
    """Criteria not met, with how often: most frequent first (scorecard order on a tie)."""
    counts: Counter[str] = Counter()
    for scores in scorecards:
        counts.update(cid for cid, value in scores.items() if value == NOT_MET)
    order = {c.id: index for index, c in enumerate(CRITERIA)}
    return [
        {"criterion": cid, "label": label_of(cid), "count": n}
        for cid, n in sorted(counts.items(), key=lambda kv: (-kv[1], order.get(kv[0], len(order)), kv[0]))
    ]
