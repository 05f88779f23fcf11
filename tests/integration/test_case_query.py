"""One case query for the CLI list, the dashboard search and the Slack lists; serialisation runs no SQL."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import event, select

from bot.cases import service, views
from bot.cases.case_json import case_to_dict
from bot.cases.case_query import CaseQuery
from bot.cases.models import Case
from bot.cases.sla import is_breached
from bot.cases.status import OPEN_STATUSES
from bot.cases.store import Store
from bot.catalogue.seed import seed_demo
from bot.clock import FrozenClock

OPEN = [s.value for s in OPEN_STATUSES]


@pytest.fixture
def demo(store: Store, clock: FrozenClock) -> Store:
    """The demo catalogue and cases, some assigned, the clock moved on so some are overdue."""
    seed_demo(store, today=dt.date(2026, 11, 2), with_cases=True)
    refs = [case["reference"] for case in views.find_cases(store)]
    service.assign_case(store, refs[0], "slack:U1", "slack:U1")
    service.assign_case(store, refs[-1], "slack:U1", "slack:U1")
    clock.advance(days=3)
    return store


def _all_newest_first(store: Store) -> list[dict[str, Any]]:
    with store.unit_of_work() as uow:
        rows = uow.session.execute(select(Case).order_by(Case.created_at.desc(), Case.id.desc())).unique().scalars()
        return [case_to_dict(case, store.clock()) for case in rows]


def _refs(cases: list[dict[str, Any]]) -> list[str]:
    return [case["reference"] for case in cases]


def test_serialising_loaded_rows_runs_no_sql(demo: Store) -> None:
    reference = views.find_cases(demo, CaseQuery(limit=1))[0]["reference"]
    with demo.unit_of_work() as uow:
        case = uow.cases.get(reference)
        assert case is not None
        history, transcript = views.load_history(uow, case), views.load_transcript(uow, case)
    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    event.listen(demo.engine, "before_cursor_execute", count)
    try:
        result = case_to_dict(case, demo.clock(), history, transcript)
    finally:
        event.remove(demo.engine, "before_cursor_execute", count)
    assert statements == []
    assert result == service.get_case(demo, reference)
    assert result["events"] and result["follow_ups"] and "transcript" in result


def test_the_cli_list_filters_newest_first(demo: Store) -> None:
    everything = _all_newest_first(demo)
    assert len(everything) >= 3
    assert views.find_cases(demo) == everything
    one_line = everything[0]["product"]["line"]
    expected = [c for c in everything if c["product"]["line"] == one_line and c["status"] in ("triaged",)]
    assert views.find_cases(demo, CaseQuery(status=["triaged"], product_line=one_line)) == expected
    assert views.find_cases(demo, CaseQuery(limit=2)) == everything[:2]


def test_the_slack_lists(demo: Store) -> None:
    now = demo.clock()
    by_due = sorted(
        (c for c in _all_newest_first(demo) if c["status"] in OPEN),
        key=lambda c: (c["sla"]["resolution_due"], c["reference"]),
    )
    mine = views.find_cases(demo, CaseQuery(status=OPEN, assignee="slack:U1", order="due", limit=20))
    assert _refs(mine) == [c["reference"] for c in by_due if c["assignee"] == "slack:U1"]
    overdue = views.find_cases(demo, CaseQuery(status=OPEN, overdue=True, order="due", limit=20))
    assert _refs(overdue) == [
        c["reference"] for c in by_due if dt.datetime.fromisoformat(c["sla"]["resolution_due"]) < now
    ]
    breached = views.find_cases(demo, CaseQuery(status=OPEN, sla_breached=True, order="due", limit=20))
    assert breached and _refs(breached) == [c["reference"] for c in by_due if c["sla"]["breached"]][:20]
    with demo.unit_of_work() as uow:
        for case in uow.session.execute(select(Case).where(Case.reference.in_(_refs(breached)))).unique().scalars():
            assert is_breached(case.first_response_due, case.first_responded_at, now) or is_breached(
                case.resolution_due, case.resolved_at, now
            )


def test_the_dashboard_search_and_filters(demo: Store) -> None:
    everything = _all_newest_first(demo)
    someone = next(c for c in everything if c["customer"]["name"])
    first_name = someone["customer"]["name"].split()[0]
    found = views.find_cases(demo, CaseQuery(search=first_name.lower()))
    assert someone["reference"] in _refs(found)
    assert all(
        first_name.lower()
        in " ".join(
            str(v)
            for v in (
                c["customer"]["name"],
                c["customer"]["email"],
                c["description"],
                c["reference"],
                c["order_number"],
                c["batch"],
            )
        ).lower()
        for c in found
    )
    not_breached = views.find_cases(demo, CaseQuery(sla_breached=False))
    assert _refs(not_breached) == [c["reference"] for c in everything if not c["sla"]["breached"]]
    day = dt.datetime.fromisoformat(everything[-1]["created_at"]).date()
    start = dt.datetime.combine(day, dt.time(), dt.timezone.utc)
    that_day = views.find_cases(demo, CaseQuery(created_from=start, created_to=start + dt.timedelta(days=1)))
    assert _refs(that_day) == [c["reference"] for c in everything if c["created_at"][:10] == day.isoformat()]
    low = views.find_cases(demo, CaseQuery(satisfaction="low"))
    assert _refs(low) == [c["reference"] for c in everything if (c["satisfaction"]["score"] or 9) <= 2]
    unanswered = views.find_cases(demo, CaseQuery(satisfaction="none"))
    assert _refs(unanswered) == [c["reference"] for c in everything if c["satisfaction"]["score"] is None]
    assert views.find_cases(demo, CaseQuery(customer_email=someone["customer"]["email"].upper()))
