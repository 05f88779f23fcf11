"""The review workflow on a real database (SQLite and PostgreSQL): queue, assignment, scorecards, audit, CLI.

The helpers here (``shop``, ``converse``) seed complaint conversations whose bot lines carry their stage and
wording id, as stored transcripts do; the dashboard and browser tests use them too.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from typing import Any, Optional

import pytest
from sqlalchemy import select, update

from bot.accounts.users import add_user
from bot.cases import service
from bot.cases.models import Case, CaseEvent, Customer, Order, Product, TranscriptLine
from bot.cases.repository import CaseRepository
from bot.cases.service import CaseDraft, TranscriptTurn
from bot.cases.store import Store
from bot.cli import main
from bot.conversation.wording import say
from bot.privacy.erasure import erase_customer
from bot.reviews import queue as review_queue
from bot.reviews.listing import list_reviews, reviews_csv
from bot.reviews.models import Review, ReviewQueueItem
from bot.reviews.reports import review_summary
from bot.reviews.sampling import SamplingRules
from bot.reviews.saving import reviews_of_case, save_review, text_digest
from bot.reviews.scorecard import CRITERIA, MET, NOT_APPLICABLE, NOT_MET

CUSTOMER = ("Jane Customer", "jane.customer@example.com", "07700 900123")
NO_SAMPLE = SamplingRules(sample_share=0.0)


def shop(store: Store) -> Store:
    """A product, a customer and her order delivered ten days ago."""
    with store.unit_of_work() as uow:
        customer = Customer(name=CUSTOMER[0], email=CUSTOMER[1])
        product = Product(sku="HGT-1", name="Harrogate Boot", line="Harrogate", category="boots")
        uow.session.add_all([customer, product])
        uow.session.flush()
        delivered = store.clock().date() - dt.timedelta(days=10)
        uow.session.add(
            Order(
                order_number="ORD-100023",
                customer_id=customer.id,
                product_id=product.id,
                batch="HGT-B07",
                order_date=delivered - dt.timedelta(days=3),
                delivery_date=delivered,
            )
        )
        uow.commit()
    return store


def _lines(staff: Optional[str]) -> list[tuple[str, str, Optional[str], Optional[str]]]:
    """(speaker, text, stage, wording id) of a whole complaint conversation."""
    heard = say("listen.heard_about_product", problem="the sole coming away", product="Harrogate Boot")
    ack = " ".join((heard, say("empathy.sole_separation"), say("listen.apology"), say("listen.ownership")))
    lines = [
        ("customer", f"The sole has come off my Harrogate boots, order ORD-100023. {CUSTOMER[0]}", None, None),
        ("bot", ack, "listen", "listen.heard_about_product"),
        (
            "bot",
            say("read_back.intro") + " order ORD-100023, Harrogate Boot, the sole coming away.",
            "understand",
            "read_back.intro",
        ),  # fmt: skip
        ("customer", "yes", None, None),
        (
            "bot",
            "Within 30 days you can reject them for a refund.\nWhich would you prefer?",
            "resolve",
            "resolve.question",
        ),  # fmt: skip
        ("customer", "a refund please", None, None),
        ("bot", "To confirm: I'll log your case for a refund.\nShall I go ahead?", "confirm", "confirm.question"),
        ("customer", "yes", None, None),
        ("bot", "Thank you. I've logged your case. Your reference is {reference}.", "confirm", "confirm.case_logged"),
    ]
    if staff:
        lines.append(("staff", "Hello, I've picked this up and will call you today.", None, None))
    return lines


def converse(
    store: Store,
    *,
    when: Optional[dt.datetime] = None,
    channel: str = "rest",
    staff: Optional[str] = None,
    resolution: Optional[str] = "refund",
    transcript: bool = True,
    kind: str = "complaint",
) -> str:
    """Log a complaint conversation (bot lines with stage and wording id); returns its reference."""
    lines = _lines(staff) if transcript else []
    at = dataclasses.replace(store, clock=type(store.clock)(when)) if when is not None else store
    draft = CaseDraft(
        description="The sole has come off",
        kind=kind,
        channel=channel,
        customer_email=CUSTOMER[1],
        customer_name=CUSTOMER[0],
        customer_phone=CUSTOMER[2],
        order_number="ORD-100023",
        defect_category="sole_separation",
        resolution_type=resolution,
        resolution_reason="Within 30 days you can reject faulty goods for a full refund." if resolution else None,
        transcript=[TranscriptTurn(s, t, actor=staff if s == "staff" else None) for s, t, _st, _id in lines],
    )
    reference = service.open_case(at, draft).reference
    with store.unit_of_work() as uow:
        case_id = uow.session.execute(select(Case.id).where(Case.reference == reference)).scalar_one()
        for seq, (_speaker, text, stage, message_id) in enumerate(lines, start=1):
            uow.session.execute(
                update(TranscriptLine)
                .where(TranscriptLine.case_id == case_id, TranscriptLine.seq == seq)
                .values(stage=stage, message_id=message_id, text=text.replace("{reference}", reference))
            )
        uow.commit()
    return reference


def set_safety(store: Store, reference: str) -> None:
    with store.unit_of_work() as uow:
        uow.session.execute(update(Case).where(Case.reference == reference).values(safety_issue=True))
        uow.commit()


def queue_reasons(store: Store) -> dict[str, list[str]]:
    return {item["reference"]: item["reasons"] for item in review_queue.list_queue(store, status=None)}


@pytest.fixture
def shopstore(store: Store) -> Store:
    return shop(store)


# --- sampling and the queue ------------------------------------------------------------------------


def test_fill_queues_each_rule_once_and_adds_later_reasons(shopstore: Store) -> None:
    store = shopstore
    safety, low, reopened, plain = (converse(store, resolution=None) for _ in range(4))
    takeover = converse(store, staff="Sam Staff")
    set_safety(store, safety)
    set_safety(store, converse(store, transcript=False))  # no conversation to review
    set_safety(store, converse(store, kind="callback"))  # not a complaint
    service.record_satisfaction(store, low, score=1, solved=None)
    service.change_status(store, reopened, "resolved", "staff")
    service.change_status(store, reopened, "reopened", "staff")

    first = review_queue.fill_queue(store, NO_SAMPLE)
    assert (first.added, first.updated) == (4, 0)
    assert queue_reasons(store) == {
        safety: ["safety"],
        low: ["low_rating"],
        reopened: ["reopened"],
        takeover: ["takeover"],
    }
    again = review_queue.fill_queue(store, NO_SAMPLE)
    assert (again.added, again.updated, again.checked) == (0, 0, first.checked)

    service.record_satisfaction(store, safety, score=2, solved=None)  # a later low rating
    later = review_queue.fill_queue(store, NO_SAMPLE)
    assert (later.added, later.updated) == (0, 1)
    assert queue_reasons(store)[safety] == ["safety", "low_rating"]
    everyone = review_queue.fill_queue(store, SamplingRules(sample_share=1.0))
    assert everyone.added == 1 and plain in queue_reasons(store)
    with store.unit_of_work() as uow:
        assert len(list(uow.session.execute(select(ReviewQueueItem.id)))) == 5


def test_fill_uses_the_settings_and_a_reviewed_case_with_a_new_reason_opens_again(shopstore: Store) -> None:
    settings = shopstore.settings.with_overrides(review_sample_share=0.0, review_low_rating=3)
    store = dataclasses.replace(shopstore, settings=settings)
    reference = converse(store, staff="Sam Staff")
    review_queue.fill_queue(store)
    save_review(store, reference, "sue@example.com", _scores())
    assert review_queue.list_queue(store) == []
    service.record_satisfaction(store, reference, score=3, solved=None)  # low under REVIEW_LOW_RATING=3
    assert review_queue.fill_queue(store).updated == 1
    [item] = review_queue.list_queue(store)
    assert item["reasons"] == ["low_rating", "takeover"] and item["status"] == "open"


def test_assignment_goes_to_the_least_loaded_active_supervisor(shopstore: Store) -> None:
    store = shopstore
    add_user(store, "sue@example.com", "Sue", "supervisor", "supervisor-pass-1")
    add_user(store, "ann@example.com", "Ann", "supervisor", "supervisor-pass-2")
    add_user(store, "alan@example.com", "Alan", "agent", "agent-pass-12345")
    for _ in range(4):
        converse(store, staff="Sam Staff")
    review_queue.fill_queue(store, NO_SAMPLE)
    items = review_queue.list_queue(store)
    assert sorted(i["assigned_to"] for i in items) == ["ann@example.com"] * 2 + ["sue@example.com"] * 2
    moved = review_queue.assign(store, items[0]["id"], "SUE@example.com ")
    assert moved["assigned_to"] == "sue@example.com"
    converse(store, staff="Sam Staff")
    review_queue.fill_queue(store, NO_SAMPLE)  # Ann has fewer open items now
    assert review_queue.list_queue(store)[-1]["assigned_to"] == "ann@example.com"
    with pytest.raises(review_queue.QueueError, match="not an active supervisor"):
        review_queue.assign(store, items[0]["id"], "alan@example.com")
    with pytest.raises(review_queue.QueueError, match="no review queue item"):
        review_queue.assign(store, 9999, "sue@example.com")
    assert review_queue.assign(store, items[0]["id"], "")["assigned_to"] is None


# --- saving a review -------------------------------------------------------------------------------


def _scores(**changes: str) -> dict[str, str]:
    scores = {c.id: MET for c in CRITERIA}
    scores["understand.corrections_taken"] = NOT_APPLICABLE
    scores.update({k.replace("__", "."): v for k, v in changes.items()})
    return scores


def _events(store: Store, reference: str, kind: str) -> list[Any]:
    with store.unit_of_work() as uow:
        case_id = uow.session.execute(select(Case.id).where(Case.reference == reference)).scalar_one()
        stmt = select(CaseEvent).where(CaseEvent.case_id == case_id, CaseEvent.kind == kind).order_by(CaseEvent.seq)
        return list(uow.session.execute(stmt).scalars())


def test_prefill_of_a_whole_conversation_from_the_store(shopstore: Store) -> None:
    from bot.reviews.conversation import load_conversation

    conversation = load_conversation(shopstore, converse(shopstore, staff="Sam Staff"))
    assert conversation.staff == "Sam Staff"
    assert conversation.evidence.policy_options is not None and "refund" in conversation.evidence.policy_options
    assert conversation.prefill == _scores()
    assert [t["stage"] for t in conversation.turns if t["speaker"] == "bot"] == [
        "Listen", "Understand", "Resolve", "Confirm", "Confirm"
    ]  # fmt: skip
    assert all(t["actor"] is None for t in conversation.turns if t["speaker"] == "customer")


def test_saving_a_review_is_audited_keeps_disagreements_and_the_chain_verifies(shopstore: Store) -> None:
    store = shopstore
    reference = converse(store, staff="Sam Staff")
    review_queue.fill_queue(store, NO_SAMPLE)
    comments = f"<b>Good</b> read-back; {CUSTOMER[0]} was calm"
    saved = save_review(
        store, reference, "sue@example.com", _scores(listen__empathised=NOT_MET), comments, "Use her words"
    )
    assert saved["disagreements"] == [{"criterion": "listen.empathised", "prefill": MET, "reviewer": NOT_MET}]
    assert saved["prefill"]["listen.empathised"] == MET and saved["scores"]["listen.empathised"] == NOT_MET
    assert saved["staff"] == "Sam Staff" and saved["stage_scores"]["Listen"] == 0.75
    assert service.verify_case_chain(store, reference)["ok"]

    [event] = _events(store, reference, "reviewed")
    assert event.actor == "sue@example.com"
    assert event.data["prefill"] == {"listen.empathised": MET}
    assert event.data["disagreements"] == ["listen.empathised"] and event.data["coached"] == "Sam Staff"
    assert event.data["comments_sha256"] == text_digest(comments)
    assert CUSTOMER[0] not in json.dumps(event.data)  # the comment text stays on the review row
    [item] = review_queue.list_queue(store, status="done")
    assert item["reference"] == reference and item["reviewed_at"] is not None

    save_review(store, reference, "ann@example.com", _scores())  # reviewed again: a new review
    history = reviews_of_case(store, reference)
    assert [r["reviewer"] for r in history] == ["ann@example.com", "sue@example.com"]
    assert len(_events(store, reference, "reviewed")) == 2
    assert service.verify_case_chain(store, reference)["ok"]


def test_a_failed_save_leaves_nothing_behind(shopstore: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    store = shopstore
    reference = converse(store, staff="Sam Staff")
    review_queue.fill_queue(store, NO_SAMPLE)
    with pytest.raises(ValueError, match="give one of"):
        save_review(store, reference, "sue@example.com", _scores(listen__apologised="maybe"))

    def broken(self: CaseRepository, case: Case, kind: str, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("disk full")

    monkeypatch.setattr(CaseRepository, "append_event", broken)
    with pytest.raises(RuntimeError):
        save_review(store, reference, "sue@example.com", _scores())
    monkeypatch.undo()
    with store.unit_of_work() as uow:
        assert list(uow.session.execute(select(Review.id))) == []
    assert review_queue.list_queue(store)[0]["status"] == "open"
    assert _events(store, reference, "reviewed") == []


def test_erasure_scrubs_review_comments_and_the_chain_still_verifies(shopstore: Store) -> None:
    store = shopstore
    reference = converse(store, staff="Sam Staff")
    save_review(store, reference, "sue@example.com", _scores(), f"{CUSTOMER[0]} ({CUSTOMER[1]}) was upset", "ok")
    erase_customer(store, CUSTOMER[1], actor="dpo")
    [review] = reviews_of_case(store, reference)
    assert CUSTOMER[1] not in review["comments"] and "Jane" not in review["comments"]
    assert "was upset" in review["comments"]
    report = service.verify_case_chain(store, reference)
    assert report["ok"], report["problems"]


# --- reports, CSV and the CLI ----------------------------------------------------------------------


def _no_customer_data(text: str) -> None:
    for value in (CUSTOMER[1], CUSTOMER[2], "Jane", "Customer <"):
        assert value not in text


def test_summary_and_csv_of_saved_reviews(shopstore: Store) -> None:
    store = shopstore
    first, second = converse(store, staff="Sam Staff"), converse(store, channel="webchat")
    converse(store)
    save_review(store, first, "sue@example.com", _scores(confirm__follow_up=NOT_MET), f"Told {CUSTOMER[0]} so")
    save_review(store, second, "sue@example.com", _scores(), "=HYPERLINK(1)")
    summary = review_summary(store, dt.timedelta(days=30))
    assert (summary["eligible"], summary["reviewed"], summary["coverage"]) == (3, 2, 0.667)
    assert summary["findings"] == [{"criterion": "confirm.follow_up", "label": "Follow-up arranged", "count": 1}]
    assert summary["by_staff"][0]["staff"] == "Sam Staff"
    text = reviews_csv(list_reviews(store, dt.timedelta(days=30)))
    rows = text.strip().split("\n")
    assert len(rows) == 3 and rows[0].startswith("review_id,reference,created_at")
    assert "confirm.follow_up" in rows[0] and "Told [name] [name] so" in text
    assert ",'=HYPERLINK(1)," in text  # a spreadsheet shows it as text, never runs it
    _no_customer_data(text)


def test_cli_json_contracts(shopstore: Store, capsys: pytest.CaptureFixture[str]) -> None:
    store = shopstore
    add_user(store, "sue@example.com", "Sue", "supervisor", "supervisor-pass-1")
    reference = converse(store, staff="Sam Staff")
    assert main(["reviews", "fill", "--json"], store=store) == 0
    assert json.loads(capsys.readouterr().out)["added"] == 1
    assert main(["reviews", "queue", "--json"], store=store) == 0
    out = capsys.readouterr().out
    [item] = json.loads(out)
    assert set(item) >= {"id", "reference", "reasons", "assigned_to", "queued_at", "channel", "kind"}
    assert (item["reference"], item["reasons"], item["assigned_to"]) == (reference, ["takeover"], "sue@example.com")
    _no_customer_data(out)
    assert main(["reviews", "assign", str(item["id"]), "--to", "nobody@example.com"], store=store) == 1
    assert "not an active supervisor" in capsys.readouterr().err

    save_review(store, reference, "sue@example.com", _scores(listen__ownership=NOT_MET), f"{CUSTOMER[1]} fine")
    assert main(["reviews", "queue", "--json"], store=store) == 0
    assert json.loads(capsys.readouterr().out) == []
    assert main(["reviews", "queue", "--all", "--json"], store=store) == 0
    assert json.loads(capsys.readouterr().out)[0]["status"] == "done"
    assert main(["reviews", "list", "--since", "90d", "--json"], store=store) == 0
    out = capsys.readouterr().out
    [review] = json.loads(out)
    assert set(review) >= {"id", "reference", "reviewer", "staff", "scores", "stage_scores", "disagreements"}
    assert set(review) >= {"created_at", "comments"}
    assert review["disagreements"][0]["criterion"] == "listen.ownership" and review["comments"] == "[email] fine"
    _no_customer_data(out)
    assert main(["reviews", "report", "--json"], store=store) == 0
    assert json.loads(capsys.readouterr().out)["reviewed"] == 1
    assert main(["reviews", "report", "--csv"], store=store) == 0
    assert capsys.readouterr().out.count("\n") == 2
    assert main(["reviews", "report"], store=store) == 0
    assert "coverage 100%" in capsys.readouterr().out


def test_the_scheduler_job_fills_the_queue(shopstore: Store) -> None:
    from integrations import scheduler

    store = dataclasses.replace(shopstore, settings=shopstore.settings.with_overrides(review_sample_share=0.0))
    reference = converse(store, staff="Sam Staff")
    assert scheduler.job_periods(store.settings, 15)["reviews"].total_seconds() == 3600
    context = scheduler.JobContext(store, deliverer=None)  # type: ignore[arg-type]  # the job sends nothing
    scheduler.JOBS["reviews"](context, scheduler.PassReport())
    scheduler.JOBS["reviews"](context, scheduler.PassReport())
    assert queue_reasons(store) == {reference: ["takeover"]}
