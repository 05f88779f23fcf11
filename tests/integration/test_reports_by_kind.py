"""SLA and satisfaction reports for every kind of case or one kind (issue #18): the report functions, the CLI
(``complaints report sla|satisfaction --kind K``) and the dashboard's Kind selector, on cases of several kinds
with known figures (SQLite and PostgreSQL)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from typing import Any, Iterator

import pytest
from flask.testing import FlaskClient

from bot import reports
from bot.accounts.users import add_user
from bot.cases import service
from bot.cases.service import CaseDraft
from bot.cases.store import Store
from bot.cli import main
from bot.clock import FrozenClock
from bot.web.app import create_app
from tests.integration.test_web import SUPERVISOR, login

NOW = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.timezone.utc)  # the ``clock`` fixture's time
H = dt.timedelta(hours=1)
START = NOW - 100 * H


def at(store: Store, moment: dt.datetime) -> Store:
    return dataclasses.replace(store, clock=FrozenClock(moment))


def _case(store: Store, kind: str, **fields: Any) -> str:
    """A case of ``kind`` opened at START, with its SLA columns then set to ``fields``."""
    draft = CaseDraft(description=f"a {kind}", kind=kind, customer_email=f"{kind}@example.com")
    reference = service.open_case(at(store, START), draft).reference
    fields.setdefault("first_response_due", START + 4 * H)
    fields.setdefault("resolution_due", START + 72 * H)
    with store.unit_of_work() as uow:
        case = uow.cases.get(reference)
        assert case is not None
        for key, value in fields.items():
            setattr(case, key, value)
        uow.commit()
    return reference


def _set(store: Store, reference: str, **fields: Any) -> None:
    with store.unit_of_work() as uow:
        case = uow.cases.get(reference)
        assert case is not None
        for key, value in fields.items():
            setattr(case, key, value)
        uow.commit()


@pytest.fixture
def seeded(store: Store) -> dict[str, str]:
    """Five cases, one of each kind but two complaints, with known SLA outcomes and satisfaction answers.

    complaint_ok: answered in 1 h, resolved in 50 h, scored 5. complaint_late: answered in 5 h (due 4 h), open past
    its resolution due time. callback: answered in 6 h (late), resolved, scored 1 (reopened: open past its due
    time). cancellation: answered in 2 h, resolved in 10 h, scored 3. return: no due times.
    """
    refs = {
        "complaint_ok": _case(store, "complaint", priority="high"),
        "complaint_late": _case(store, "complaint", first_responded_at=START + 5 * H, status="in_progress"),
        "callback": _case(store, "callback"),
        "cancellation": _case(store, "cancellation"),
        "return": _case(store, "return", first_response_due=None, resolution_due=None),
    }
    for name, resolved, scored, score in (
        ("complaint_ok", 50, 60, 5),
        ("callback", 30, 40, 1),
        ("cancellation", 10, 20, 3),
    ):
        service.resolve_case(at(store, START + resolved * H), refs[name], "refund", "sam")
        service.record_satisfaction(at(store, START + scored * H), refs[name], score=score, solved=score > 2)
    _set(store, refs["complaint_ok"], first_responded_at=START + 1 * H)
    _set(store, refs["callback"], first_responded_at=START + 6 * H)
    _set(store, refs["cancellation"], first_responded_at=START + 2 * H)
    return refs


WINDOW = dt.timedelta(days=30)


def test_sla_counts_every_kind_or_one(store: Store, seeded: dict[str, str]) -> None:
    every = reports.sla(store, WINDOW)
    assert every["case_kinds"] == "all" and every["cases"] == 5
    assert every["by_kind"] == {"callback": 1, "cancellation": 1, "complaint": 2, "return": 1}
    assert (every["first_response"]["met"], every["first_response"]["breached"]) == (2, 2)
    assert {b["reference"] for b in every["breached_open"]} == {seeded["complaint_late"], seeded["callback"]}

    complaints = reports.sla(store, WINDOW, kind="complaint")
    assert complaints["case_kinds"] == ["complaint"] and complaints["cases"] == 2
    assert complaints["by_kind"] == {"complaint": 2}
    assert complaints["first_response"] == {
        "met": 1, "breached": 1, "rate": 0.5, "count": 2, "median_hours": 3.0, "p90_hours": 4.6,
    }  # fmt: skip
    assert (complaints["resolution"]["met"], complaints["resolution"]["breached"]) == (1, 1)
    assert [b["reference"] for b in complaints["breached_open"]] == [seeded["complaint_late"]]
    assert sum(p["cases"] for p in complaints["by_priority"].values()) == 2
    assert complaints["by_priority"]["high"]["first_response"] == {"met": 1, "breached": 0, "rate": 1.0}

    callbacks = reports.sla(store, WINDOW, kind="callback")
    assert callbacks["case_kinds"] == ["callback"] and callbacks["cases"] == 1
    assert callbacks["first_response"]["rate"] == 0.0 and callbacks["first_response"]["median_hours"] == 6.0
    assert (callbacks["resolution"]["met"], callbacks["resolution"]["breached"]) == (0, 1)
    assert [b["reference"] for b in callbacks["breached_open"]] == [seeded["callback"]]

    cancellations = reports.sla(store, WINDOW, kind="cancellation")
    assert cancellations["first_response"]["rate"] == 1.0 and cancellations["resolution"]["rate"] == 1.0
    assert cancellations["breached_open"] == []
    returns = reports.sla(store, WINDOW, kind="return")
    assert returns["cases"] == 1 and returns["first_response"]["rate"] is None
    assert reports.sla(store, WINDOW, kind="enquiry")["cases"] == 0
    with pytest.raises(ValueError, match="unknown case kind 'refund'; choose from complaint"):
        reports.sla(store, WINDOW, kind="refund")


def test_satisfaction_counts_every_kind_or_one(store: Store, seeded: dict[str, str]) -> None:
    every = reports.satisfaction(store, WINDOW)
    assert every["case_kinds"] == "all" and every["answers"] == 3 and every["average"] == 3.0
    assert every["distribution"] == {"1": 1, "2": 0, "3": 1, "4": 0, "5": 1} and every["reopened"] == 1

    callbacks = reports.satisfaction(store, WINDOW, kind="callback")
    assert callbacks["case_kinds"] == ["callback"]
    assert (callbacks["answers"], callbacks["average"], callbacks["low_share"]) == (1, 1.0, 1.0)
    assert callbacks["distribution"]["1"] == 1 and (callbacks["reopened"], callbacks["reopened_cases"]) == (1, 1)

    complaints = reports.satisfaction(store, WINDOW, kind="complaint")
    assert (complaints["answers"], complaints["average"], complaints["reopened"]) == (1, 5.0, 0)
    assert reports.satisfaction(store, WINDOW, kind="cancellation")["average"] == 3.0
    nothing = reports.satisfaction(store, WINDOW, kind="return")
    assert (nothing["answers"], nothing["average"], nothing["low_share"]) == (0, None, None)
    with pytest.raises(ValueError, match="unknown case kind"):
        reports.satisfaction(store, WINDOW, kind="complaints")


def test_the_cli_filters_by_kind_and_refuses_an_unknown_one(
    store: Store, seeded: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", "sla", "--kind", "callback", "--json"], store=store) == 0
    sla = json.loads(capsys.readouterr().out)
    assert sla["case_kinds"] == ["callback"] and sla["cases"] == 1
    assert [b["reference"] for b in sla["breached_open"]] == [seeded["callback"]]
    assert main(["report", "satisfaction", "--since", "30d", "--kind", "complaint", "--json"], store=store) == 0
    satisfaction = json.loads(capsys.readouterr().out)
    assert satisfaction["case_kinds"] == ["complaint"] and satisfaction["answers"] == 1
    assert main(["report", "sla", "--json"], store=store) == 0
    assert json.loads(capsys.readouterr().out)["case_kinds"] == "all"
    assert main(["report", "sla", "--kind", "cancellation"], store=store) == 0
    text = capsys.readouterr().out
    assert "kinds of case: cancellation; 1 cases" in text and "first_response: met 1, breached 0, rate 1.0" in text
    assert main(["report", "satisfaction"], store=store) == 0
    assert "kinds of case: all; answers 3, average 3.0" in capsys.readouterr().out
    for command in ("sla", "satisfaction"):
        with pytest.raises(SystemExit) as exc:
            main(["report", command, "--kind", "refund"], store=store)
        assert exc.value.code == 2
        error = capsys.readouterr().err
        assert "Invalid value for '--kind'" in error and "'refund'" in error and "'callback'" in error


@pytest.fixture
def supervisor(store: Store, seeded: dict[str, str]) -> Iterator[FlaskClient]:
    add_user(store, SUPERVISOR[0], "Sue", "supervisor", SUPERVISOR[1])
    settings = store.settings.with_overrides(dashboard_secret_key="test-key-" + "x" * 40)
    application = create_app(settings, store)
    application.config["TESTING"] = True
    client = application.test_client()
    assert login(client, *SUPERVISOR) == 302
    yield client


def _page(client: FlaskClient, query: str) -> str:
    response = client.get("/reports" + query)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _text(html: str, element_id: str) -> str:
    found = re.search(rf'id="{element_id}">(.*?)</p>', html, re.DOTALL)
    assert found, element_id
    return " ".join(re.sub(r"<[^>]+>", " ", found.group(1)).split())


def test_the_dashboard_kind_selector_applies_to_sla_and_satisfaction(
    supervisor: FlaskClient, seeded: dict[str, str]
) -> None:
    every = _page(supervisor, "?since=30d")
    assert '<select id="kind" name="kind"' in every and '<option value="">every kind</option>' in every
    assert _text(every, "sla-kinds").startswith("All kinds of case (5: 1 callback, 1 cancellation, 2 complaint")
    assert _text(every, "sat-kinds").startswith("All kinds of case: 3 answers, average 3.0")
    assert "2 complaints in the period" in every and "defect reports count complaints only" in every

    callbacks = _page(supervisor, "?since=30d&kind=callback")
    assert '<option value="callback" selected>' in callbacks
    assert _text(callbacks, "sla-kinds") == "Only callback cases (1)."
    assert _text(callbacks, "sat-kinds").startswith("Only callback cases: 1 answers, average 1.0")
    assert seeded["callback"] in callbacks and seeded["complaint_late"] not in callbacks
    # the defect reports still count complaints, and say the filter does not apply to them
    assert "2 complaints in the period" in callbacks and "Kind filter (callback) does not apply" in callbacks

    complaints = _page(supervisor, "?since=30d&kind=complaint")
    assert _text(complaints, "sla-kinds") == "Only complaint cases (2)."
    assert seeded["complaint_late"] in complaints and seeded["callback"] not in complaints
    assert _text(complaints, "sat-kinds").startswith("Only complaint cases: 1 answers, average 5.0")

    unknown = _page(supervisor, "?since=30d&kind=<script>")
    assert _text(unknown, "sla-kinds").startswith("All kinds of case (5") and "<script>" not in unknown
