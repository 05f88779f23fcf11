"""review_summary against reviews with known answers (the evidence pack and the dashboard use it)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Optional

from bot.cases import service
from bot.cases.service import CaseDraft, TranscriptTurn
from bot.cases.store import Store
from bot.clock import FrozenClock
from bot.reviews.models import Review, ReviewQueueItem
from bot.reviews.reports import review_summary
from bot.reviews.scorecard import CRITERIA, MET, NOT_APPLICABLE, NOT_MET, stage_scores

NOW = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.timezone.utc)  # Monday of 2026-W49


def all_met() -> dict[str, str]:
    return {c.id: MET for c in CRITERIA}


def conversation(store: Store, when: dt.datetime, channel: str = "rest", transcript: bool = True) -> str:
    turns = [TranscriptTurn("customer", "my boots split"), TranscriptTurn("bot", "Sorry to hear that.")]
    draft = CaseDraft(description="split", channel=channel, transcript=turns if transcript else [])
    return service.open_case(dataclasses.replace(store, clock=FrozenClock(when)), draft).reference


def add_review(
    store: Store,
    reference: str,
    scores: dict[str, str],
    at: dt.datetime,
    staff: Optional[str] = None,
    disagreements: int = 0,
    reasons: Optional[list[str]] = None,
) -> None:
    with store.unit_of_work() as uow:
        case = uow.cases.get(reference)
        assert case is not None
        if reasons is not None:
            uow.session.add(ReviewQueueItem(case_id=case.id, reasons=reasons, status="done", queued_at=at))
        uow.session.add(
            Review(
                case_id=case.id,
                reviewer="sup@example.com",
                staff=staff,
                prefill={},
                scores=scores,
                disagreements=[{"criterion": "x", "prefill": MET, "reviewer": NOT_MET}] * disagreements,
                created_at=at,
            )
        )
        uow.commit()


def test_stage_score_is_met_over_met_and_not_met() -> None:
    scores = all_met() | {"listen.empathised": NOT_MET, "listen.apologised": NOT_APPLICABLE}
    assert stage_scores([scores]) == {"Listen": round(2 / 3, 3), "Understand": 1.0, "Resolve": 1.0, "Confirm": 1.0}
    only_na = {c.id: NOT_APPLICABLE for c in CRITERIA}
    assert stage_scores([only_na]) == {"Listen": None, "Understand": None, "Resolve": None, "Confirm": None}


def test_review_summary_counts_coverage_stages_weeks_channels_staff_and_findings(sqlite_store: Store) -> None:
    store = dataclasses.replace(sqlite_store, clock=FrozenClock(NOW))
    week48 = NOW - dt.timedelta(days=5)  # Wednesday 2026-11-25
    week49 = NOW - dt.timedelta(hours=1)
    a = conversation(store, week48, "rest")
    b = conversation(store, week48, "slack")
    c = conversation(store, week49, "webchat")
    conversation(store, week49, "rest")  # eligible, never reviewed
    conversation(store, week49, "rest", transcript=False)  # no transcript: not a conversation to review
    old = conversation(store, NOW - dt.timedelta(days=40))  # outside the window
    add_review(store, old, all_met(), NOW - dt.timedelta(days=39), reasons=["sample"])

    add_review(store, a, all_met() | {"confirm.follow_up": NOT_MET}, week48, reasons=["sample"])
    # Reviewed twice: only the newest scores count.
    add_review(store, b, all_met(), week48, reasons=["takeover", "low_rating"])
    bad_b = all_met() | {"listen.empathised": NOT_MET, "confirm.follow_up": NOT_MET}
    add_review(store, b, bad_b, week48 + dt.timedelta(hours=2), staff="Sam Staff", disagreements=2)
    add_review(store, c, all_met() | {"resolve.reason_given": NOT_APPLICABLE}, week49, reasons=["safety"])

    summary = review_summary(store, dt.timedelta(days=30))

    assert summary["window"]["to"].startswith("2026-11-30")
    assert (summary["eligible"], summary["queued"], summary["reviewed"]) == (4, 3, 3)
    assert summary["coverage"] == 0.75
    assert summary["by_reason"] == {"low_rating": 1, "safety": 1, "sample": 1, "takeover": 1}
    assert summary["stages"] == {"Listen": round(11 / 12, 3), "Understand": 1.0, "Resolve": 1.0, "Confirm": 0.833}
    assert [w["week"] for w in summary["weeks"]] == ["2026-W48", "2026-W49"]
    assert summary["weeks"][0] == {"week": "2026-W48", "reviews": 2, "Listen": 0.875, "Understand": 1.0,
                                   "Resolve": 1.0, "Confirm": 0.75}  # fmt: skip
    assert {row["channel"]: row["reviews"] for row in summary["by_channel"]} == {"rest": 1, "slack": 1, "webchat": 1}
    assert summary["by_staff"] == [
        {"staff": "Sam Staff", "reviews": 1, "Listen": 0.75, "Understand": 1.0, "Resolve": 1.0, "Confirm": 0.75}
    ]
    assert summary["findings"][0] == {"criterion": "confirm.follow_up", "label": "Follow-up arranged", "count": 2}
    assert summary["findings"][1]["criterion"] == "listen.empathised"
    assert summary["disagreements"] == 2


def test_review_summary_of_an_empty_window(sqlite_store: Store) -> None:
    summary = review_summary(sqlite_store, dt.timedelta(days=7))
    assert summary["eligible"] == 0 and summary["coverage"] is None
    assert summary["stages"] == {"Listen": None, "Understand": None, "Resolve": None, "Confirm": None}
    assert summary["weeks"] == [] and summary["findings"] == [] and summary["disagreements"] == 0
