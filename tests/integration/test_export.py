"""Case exports as evidence: verified hash chain, tamper detection, redaction, audit of every export."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from pathlib import Path

from sqlalchemy import update

from bot.cases import service
from bot.cases.models import CaseEvent
from bot.cases.service import CaseDraft, TranscriptTurn
from bot.cases.store import Store
from bot.exports.case_export import export_case

EMAIL = "jane.doe@example.com"


def _case(store: Store) -> str:
    now = store.clock()
    draft = CaseDraft(
        description=f"My name is Jane Doe, the heel came off. Call me on 07700 900123 or write to {EMAIL}.",
        customer_name="Jane Doe",
        customer_email=EMAIL,
        defect_category="heel_detachment",
        component="heel",
        transcript=[
            TranscriptTurn("customer", "Hi, I'm Jane Doe and the heel came off my boot.", now),
            TranscriptTurn("bot", "I'm really sorry about this.", now),
            TranscriptTurn("customer", f"My email is {EMAIL} and my phone is +44 7700 900123.", now),
        ],
    )
    reference = service.open_case(store, draft).reference
    service.assign_case(store, reference, "sam", "sam")
    return reference


def _events(store: Store, reference: str) -> list[dict]:
    return service.get_case(store, reference)["events"]


def test_json_export_carries_transcript_events_and_verified_chain(store: Store) -> None:
    reference = _case(store)
    export = export_case(store, reference, "json", actor="sue")
    data = json.loads(export.content)
    assert data["reference"] == reference
    assert data["audit"]["ok"] is True and data["audit"]["events"] == len(data["events"])
    assert [t["speaker"] for t in data["transcript"]] == ["customer", "bot", "customer"]
    assert data["customer"]["email"] == EMAIL
    assert {"case_created", "assigned", "status_changed"} <= {e["kind"] for e in data["events"]}
    assert service.verify_case_chain(store, reference)["ok"] is True


def test_tampered_event_fails_verification_in_a_new_export(store: Store) -> None:
    reference = _case(store)
    assert json.loads(export_case(store, reference, "json").content)["audit"]["ok"] is True
    with store.unit_of_work() as uow:
        case = uow.cases.get(reference)
        assert case is not None
        case_id = case.id
    with store.engine.begin() as connection:
        connection.execute(
            update(CaseEvent)
            .where(CaseEvent.case_id == case_id, CaseEvent.kind == "assigned")
            .values(actor="someone-else")
        )
    data = json.loads(export_case(store, reference, "json").content)
    assert data["audit"]["ok"] is False
    assert any("altered" in problem for problem in data["audit"]["problems"])


def test_redaction_removes_email_name_and_phone(store: Store) -> None:
    reference = _case(store)
    export = export_case(store, reference, "json", redacted=True)
    text = export.content.decode("utf-8")
    assert EMAIL not in text
    assert "Jane" not in text and "Doe" not in text
    assert "07700 900123" not in text and "+44 7700 900123" not in text
    data = json.loads(text)
    assert data["redacted"] is True
    assert data["reference"] == reference and data["defect_category"] == "heel_detachment"
    assert "heel came off" in data["transcript"][0]["text"]


def test_every_export_is_an_audit_event(store: Store) -> None:
    reference = _case(store)
    before = len(_events(store, reference))
    json_export = export_case(store, reference, "json", actor="sue")
    pdf_export = export_case(store, reference, "pdf", redacted=True, actor="sue")
    assert pdf_export.content.startswith(b"%PDF")
    events = _events(store, reference)
    exported = [e for e in events if e["kind"] == "exported"]
    assert len(events) == before + 2 and len(exported) == 2
    assert exported[0]["actor"] == "sue"
    assert exported[0]["data"]["format"] == "json" and exported[0]["data"]["redacted"] is False
    assert exported[0]["data"]["sha256"] == json_export.sha256
    assert exported[1]["data"] == {
        "format": "pdf",
        "redacted": True,
        "sha256": pdf_export.sha256,
        "bytes": len(pdf_export.content),
    }
    assert service.verify_case_chain(store, reference)["ok"] is True


def test_pdf_is_readable_and_escapes_markup(store: Store) -> None:
    now = store.clock()
    draft = CaseDraft(
        description="<b>bold</b> & <script>alert(1)</script> stitching gone",
        defect_category="stitching",
        transcript=[TranscriptTurn("customer", "<para>broken & more</para>", now + dt.timedelta(seconds=1))],
    )
    reference = service.open_case(store, draft).reference
    export = export_case(store, reference, "pdf")
    assert export.content.startswith(b"%PDF") and export.content.rstrip().endswith(b"%%EOF")
    assert export.filename == f"{reference}.pdf" and export.content_type == "application/pdf"


def test_pdf_transcript_shows_the_stage_of_every_bot_line(store: Store, tmp_path: Path) -> None:
    now = store.clock()
    draft = CaseDraft(
        description="The stitching has gone on the toe.",
        defect_category="stitching",
        transcript=[
            TranscriptTurn("customer", "the stitching has gone", now),
            TranscriptTurn("bot", "I'm sorry to hear that.", now, stage="Listen", message_id="listen.apology"),
            TranscriptTurn("bot", "Which order was it?", now, stage="Understand", message_id="ask.order_number"),
            TranscriptTurn("staff", "Sam here, I'll sort this out.", now, actor="Sam"),
        ],
    )
    reference = service.open_case(store, draft).reference
    pdf = tmp_path / "case.pdf"
    pdf.write_bytes(export_case(store, reference, "pdf").content)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    lines = [line for line in text.splitlines() if "sorry to hear" in line or "Which order" in line]
    assert len(lines) == 2 and "Listen" in lines[0] and "Understand" in lines[1]
    assert "staff (Sam)" in text


def test_redaction_covers_the_phone_of_a_callback(store: Store) -> None:
    phone = "07700 900456"
    draft = CaseDraft(
        description="Please ring me back, I'd rather talk to someone.",
        kind="callback",
        customer_name="Jane Doe",
        customer_email=EMAIL,
        customer_phone=phone,
        callback_at="weekday mornings",
    )
    reference = service.open_case(store, draft).reference
    plain = json.loads(export_case(store, reference, "json").content)
    assert plain["kind"] == "callback" and plain["customer"]["phone"] == phone
    assert plain["callback_at"] == "weekday mornings"
    export = export_case(store, reference, "json", redacted=True)
    text = export.content.decode("utf-8")
    assert "900456" not in text and EMAIL not in text
    data = json.loads(text)
    assert data["customer"]["phone"] == "[phone redacted]"
    facts = next(e for e in data["events"] if e["kind"] == "case_created")["data"]["facts"]
    assert facts["customer_phone"] == "[phone redacted]" and facts["kind"] == "callback"
    assert data["callback_at"] == "weekday mornings"  # when to call is not personal data
    pdf = export_case(store, reference, "pdf", redacted=True)
    assert pdf.content.startswith(b"%PDF")
