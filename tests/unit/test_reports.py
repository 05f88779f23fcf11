"""Reports against generated data with known answers."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Optional

import pytest

from bot import reports
from bot.cases import service
from bot.cases.models import Customer, Order, Product
from bot.cases.service import CaseDraft, TranscriptTurn
from bot.cases.store import Store
from bot.clock import FrozenClock

NOW = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.timezone.utc)


def at(store: Store, moment: dt.datetime) -> Store:
    return dataclasses.replace(store, clock=FrozenClock(moment))


@pytest.fixture
def shop(store: Store) -> Store:
    """Two product lines; one order per batch so cases carry a line and a batch (SQLite and PostgreSQL)."""
    with store.unit_of_work() as uow:
        customer = Customer(name="Test Buyer", email="buyer@example.com")
        uow.session.add(customer)
        for sku, line in (("HGT-1", "Harrogate"), ("BFD-1", "Bradford")):
            uow.session.add(Product(sku=sku, name=f"{line} Boot", line=line, category="boots"))
        uow.session.flush()
        products = {p.sku: p for p in uow.catalogue.products()}
        for number, sku, batch in (
            ("O-1", "HGT-1", "HGT-B07"),
            ("O-2", "HGT-1", "HGT-B08"),
            ("O-3", "BFD-1", "BFD-B01"),
        ):
            uow.session.add(
                Order(
                    order_number=number,
                    customer_id=customer.id,
                    product_id=products[sku].id,
                    batch=batch,
                    order_date=dt.date(2026, 1, 5),
                )
            )
        uow.commit()
    return store


def log_case(
    store: Store,
    when: dt.datetime,
    order: str = "O-1",
    defect: str = "stitching",
    email: Optional[str] = None,
    transcript: Optional[list[TranscriptTurn]] = None,
) -> str:
    draft = CaseDraft(
        description=f"{defect} problem",
        order_number=order,
        customer_email=email,
        defect_category=defect,
        transcript=transcript or [],
    )
    return service.open_case(at(store, when), draft).reference


def days_ago(n: float) -> dt.datetime:
    return NOW - dt.timedelta(days=n)


# --- themes and spikes -------------------------------------------------------------------------


def test_two_similar_cases_are_not_a_spike_but_the_third_is(shop: Store) -> None:
    log_case(shop, days_ago(10))
    log_case(shop, days_ago(6))
    assert reports.themes(shop, dt.timedelta(days=30))["spikes"] == []

    third = log_case(shop, days_ago(1))
    spikes = reports.themes(shop, dt.timedelta(days=30))["spikes"]
    flagged = {(s["dimension"], s["value"], s["defect_category"]): s for s in spikes}
    assert set(flagged) == {("product_line", "Harrogate", "stitching"), ("batch", "HGT-B07", "stitching")}
    assert flagged[("batch", "HGT-B07", "stitching")]["count"] == 3
    assert flagged[("batch", "HGT-B07", "stitching")]["references"][-1] == third


def test_spike_is_flagged_when_the_third_case_is_logged(shop: Store) -> None:
    """Looking back from the moment of each case: the third is the first moment of alarm."""
    moments = [days_ago(9), days_ago(5), days_ago(2)]
    for n, moment in enumerate(moments, start=1):
        log_case(shop, moment)
        flagged = reports.spikes(shop, until=moment + dt.timedelta(seconds=1))
        assert bool(flagged) is (n == 3)


def test_a_usual_rate_is_not_a_spike(shop: Store) -> None:
    # Twelve stitching cases on the Bradford line over the 90 days before the spike window...
    for n in range(12):
        log_case(shop, days_ago(20 + n * 7), order="O-3")
    # ...make three in fourteen days ordinary (expected 12 * 14 / 90 = 1.9; three is not 3x that).
    for n in range(3):
        log_case(shop, days_ago(1 + n * 4), order="O-3")
    assert reports.spikes(shop) == []


def test_theme_counts_previous_window_and_trend(shop: Store) -> None:
    for n in range(3):
        log_case(shop, days_ago(1 + n), order="O-1", defect="stitching")
    log_case(shop, days_ago(4), order="O-3", defect="sizing_fit")
    log_case(shop, days_ago(12), order="O-3", defect="sizing_fit")
    log_case(shop, days_ago(13), order="O-3", defect="sizing_fit")
    log_case(shop, days_ago(40), order="O-2", defect="hardware")  # outside both windows

    result = reports.themes(shop, dt.timedelta(days=7))
    assert result["total"] == 4 and result["previous_total"] == 2
    lines = {row["value"]: row for row in result["by"]["product_line"]}
    assert lines["Harrogate"]["count"] == 3 and lines["Harrogate"]["previous"] == 0
    assert lines["Harrogate"]["trend"] == "up" and lines["Harrogate"]["spike"] is True
    assert lines["Bradford"]["count"] == 1 and lines["Bradford"]["previous"] == 2
    assert lines["Bradford"]["trend"] == "down"
    batches = {row["value"]: row["count"] for row in result["by"]["batch"]}
    assert batches == {"HGT-B07": 3, "BFD-B01": 1}
    assert "hardware" not in {row["value"] for row in result["by"]["defect_category"]}


def test_parse_duration() -> None:
    assert reports.parse_duration("30d") == dt.timedelta(days=30)
    assert reports.parse_duration("2w") == dt.timedelta(days=14)
    for bad in ("", "30", "0d", "3m", "-1d"):
        with pytest.raises(ValueError):
            reports.parse_duration(bad)


# --- SLA and satisfaction ----------------------------------------------------------------------


def test_sla_times_and_compliance(shop: Store) -> None:
    start = days_ago(10)
    # stitching is a normal-priority fault: first response within 24 h, resolution within 120 h.
    quick = log_case(shop, start)
    service.assign_case(at(shop, start + dt.timedelta(hours=2)), quick, "sam", "sam")
    service.resolve_case(at(shop, start + dt.timedelta(hours=48)), quick, "repair", "sam")
    slow = log_case(shop, start + dt.timedelta(minutes=1))
    service.assign_case(at(shop, start + dt.timedelta(hours=30, minutes=1)), slow, "sam", "sam")
    ignored = log_case(shop, start + dt.timedelta(minutes=2))  # nobody ever answers

    result = reports.sla(shop, dt.timedelta(days=30))
    assert result["cases"] == 3
    assert result["first_response"]["met"] == 1 and result["first_response"]["breached"] == 2
    assert result["first_response"]["median_hours"] == pytest.approx(16.0)
    assert result["resolution"]["met"] == 1 and result["resolution"]["breached"] == 2
    assert result["resolution"]["median_hours"] == pytest.approx(48.0)
    assert {c["reference"] for c in result["breached_open"]} == {slow, ignored}


def test_satisfaction_and_repeat_complaints(shop: Store) -> None:
    refs = [log_case(shop, days_ago(20 - n), email="repeat@example.com") for n in range(3)]
    log_case(shop, days_ago(15), order="O-3", email="once@example.com")
    for ref, score in zip(refs, (5, 4, 1), strict=True):
        service.resolve_case(at(shop, days_ago(10)), ref, "repair", "sam")
        service.record_satisfaction(at(shop, days_ago(5)), ref, score=score, solved=score > 2)

    result = reports.satisfaction(shop, dt.timedelta(days=30))
    assert result["answers"] == 3
    assert result["average"] == pytest.approx(3.33)
    assert result["distribution"] == {"1": 1, "2": 0, "3": 0, "4": 1, "5": 1}
    assert result["low_share"] == pytest.approx(0.333)
    assert result["reopened"] == 1
    repeat = result["repeat_complaints"]
    assert repeat["customers"] == [{"email": "repeat@example.com", "name": "Test Buyer", "cases": 3}]
    assert [p["sku"] for p in repeat["products"]] == ["HGT-1"]


# --- root cause and corrective action ------------------------------------------------------------


def test_corrective_action_lowers_the_rate(shop: Store) -> None:
    action_day = (NOW - dt.timedelta(days=30)).date()
    pivot = dt.datetime.combine(action_day, dt.time(), dt.timezone.utc)
    for n in range(6):  # six in the 30 days before the action
        log_case(shop, pivot - dt.timedelta(days=2 + n * 4))
    log_case(shop, pivot + dt.timedelta(days=12))  # one in the 30 days after
    log_case(shop, pivot - dt.timedelta(days=3), order="O-3")  # another line: not part of the theme

    opened = reports.open_investigation(
        at(shop, pivot),
        product_line="Harrogate",
        defect_category="stitching",
        cause_category="machine",
        five_whys=["seams open", "thread tension low", "tensioner worn", "no maintenance check", "no schedule"],
        actor="sue",
    )
    assert opened["cases"] == 6
    action = reports.add_corrective_action(
        at(shop, pivot),
        opened["id"],
        "Replace the tensioner and add a weekly maintenance check",
        "factory manager",
        due_date=action_day,
        action_date=action_day,
        actor="sue",
    )
    result = reports.verify_action(shop, action["id"], window_days=30, actor="sue")
    assert result["before"]["cases"] == 6 and result["after"]["cases"] == 1
    assert result["after"]["rate"] < result["before"]["rate"]
    assert result["improved"] is True and result["complete"] is True
    # The orders of the line are all older than both windows, so the rate is per 30 days.
    assert result["unit"] == "cases per 30 days"
    assert result["before"]["rate"] == pytest.approx(6.0)

    [inv] = reports.list_investigations(shop)
    assert inv["cause_category"] == "machine" and len(inv["five_whys"]) == 5
    assert inv["actions"][0]["status"] == "effective"
    with shop.unit_of_work() as uow:
        case = uow.cases.find()[-1]
        kinds = [e.kind for e in uow.cases.events(case)]
    assert {"investigation_opened", "corrective_action_added", "corrective_action_verified"} <= set(kinds)


def test_investigation_needs_a_theme_and_known_cause(shop: Store) -> None:
    with pytest.raises(ValueError):
        reports.open_investigation(shop, cause_category="machine", actor="sue")
    with pytest.raises(ValueError):
        reports.open_investigation(shop, product_line="Harrogate", cause_category="luck", actor="sue")


# --- was the process followed? -------------------------------------------------------------------


def said(text: str, stage: str, message_id: str) -> TranscriptTurn:
    """A bot line with the stage and wording id of the response that said it."""
    return TranscriptTurn("bot", text, stage=stage, message_id=message_id)


FULL_FLOW = [
    TranscriptTurn("customer", "The stitching on my boots has come apart."),
    said("I'm really sorry about this. I'll make sure it's put right.", "listen", "listen.apology"),
    said("What's your order number?", "understand", "ask.order_number"),
    TranscriptTurn("customer", "O-1"),
    said("Here's what I have so far:\n- Harrogate Boot\n- stitching\nIs that right?", "understand", "read_back.intro"),
    TranscriptTurn("customer", "yes"),
    said("You can have a repair or a replacement.\nWhich would you prefer?", "resolve", "resolve.question"),
    TranscriptTurn("customer", "repair"),
    said("Thank you. I've logged your case. Your reference is CS-2026-000001.", "confirm", "confirm.case_logged"),
]


def test_lurc_annotation_of_a_complete_conversation() -> None:
    result = reports.annotate(FULL_FLOW)
    assert [t["stage"] for t in result["turns"]] == [
        None,
        "Listen",
        "Understand",
        None,
        "Understand",
        None,
        "Resolve",
        None,
        "Confirm",
    ]
    assert [t["message_id"] for t in result["turns"]][:3] == [None, "listen.apology", "ask.order_number"]
    assert result["followed"] is True and result["missing"] == [] and result["read_back"] is True


def test_conversation_without_read_back_is_flagged() -> None:
    without = [t for t in FULL_FLOW if t.message_id != "read_back.intro"]
    result = reports.annotate(without)
    assert result["followed"] is False
    assert "no read-back of the facts" in result["problems"]


def test_conversation_without_apology_skips_listen() -> None:
    result = reports.annotate(FULL_FLOW[2:])
    assert result["missing"] == ["Listen"] and not result["followed"]


def test_the_stage_is_the_stored_one_not_read_from_the_words() -> None:
    """The same words stored without a stage (never backfilled) show no stage, whatever they say."""
    unstaged = [dataclasses.replace(t, stage=None, message_id=None) for t in FULL_FLOW]
    result = reports.annotate(unstaged)
    assert [t["stage"] for t in result["turns"]] == [None] * len(FULL_FLOW)
    assert result["missing"] == ["Listen", "Understand", "Resolve", "Confirm"] and not result["followed"]


def test_weekly_compliance(shop: Store) -> None:
    monday = dt.datetime(2026, 10, 19, 10, 0, tzinfo=dt.timezone.utc)  # ISO week 43
    log_case(shop, monday, transcript=FULL_FLOW)
    log_case(shop, monday + dt.timedelta(days=1), transcript=[t for t in FULL_FLOW if t.stage != "understand"])
    log_case(shop, monday + dt.timedelta(days=7), transcript=FULL_FLOW)  # week 44
    log_case(shop, monday + dt.timedelta(days=8))  # no transcript: not counted
    result = reports.compliance(shop, dt.timedelta(days=30))
    assert result["weeks"] == [
        {"week": "2026-W43", "conversations": 2, "followed": 1, "share": 0.5},
        {"week": "2026-W44", "conversations": 1, "followed": 1, "share": 1.0},
    ]
    assert len(result["flagged"]) == 1


# --- process map ---------------------------------------------------------------------------------


def test_process_map_counts_and_median_times(shop: Store) -> None:
    start = days_ago(20)
    for n, hours_to_triage in enumerate((1, 3, 5)):
        ref = log_case(shop, start + dt.timedelta(minutes=n))
        triaged = start + dt.timedelta(minutes=n, hours=hours_to_triage)
        service.assign_case(at(shop, triaged), ref, "sam", "sam")
        if n < 2:
            service.resolve_case(at(shop, triaged + dt.timedelta(hours=10)), ref, "repair", "sam")
        if n == 0:
            service.record_satisfaction(at(shop, triaged + dt.timedelta(hours=30)), ref, score=1, solved=False)
    log_case(shop, start)  # still new

    pmap = reports.process_map(shop)
    edges = {(e["from"], e["to"]): e for e in pmap["edges"]}
    assert pmap["cases"] == 4
    assert edges[("new", "triaged")]["count"] == 3
    assert edges[("new", "triaged")]["median_hours"] == pytest.approx(3.0)
    assert edges[("triaged", "resolved")]["count"] == 2
    assert edges[("triaged", "resolved")]["median_hours"] == pytest.approx(10.0)
    assert edges[("resolved", "reopened")]["count"] == 1
    assert edges[("resolved", "reopened")]["median_hours"] == pytest.approx(20.0)
    assert pmap["current"] == {"new": 1, "reopened": 1, "resolved": 1, "triaged": 1}

    svg = reports.process_map_svg(pmap)
    assert svg.startswith("<svg") and svg.rstrip().endswith("</svg>")
    assert "3 · 3.0 h" in svg and "reopened" in svg
