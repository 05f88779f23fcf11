"""The evidence pack on a known data set seeded through the real case service (SQLite and PostgreSQL).

The data set (NOW = the ``clock`` fixture, Monday 2026-11-02 09:00 UTC; the pack covers the 90 days before):

- Harrogate Chelsea Boot (line Harrogate), batches HGT-B7 and HGT-B8; Ludlow Hiking Boot (line Ludlow), batch LDL-B3.
- Complaints in the period: C1-C5 stitching on Harrogate (60, 50, 40, 35 and 10 days ago), C6-C7 sole separation
  on Ludlow (20 and 5 days ago); one more Harrogate stitching complaint 150 days ago (before the period).
- A call-back (15 days ago, with a phone number) and a cancellation (8 days ago) that are no defects.
- An investigation of Harrogate stitching; its corrective action dated 2026-10-05, verified over 28 days each side:
  3 complaints before (C2, C3, C4), 1 after (C5).
- Satisfaction answers 5, 4, 1 (reopens C3) and 4; reviews of C1 (all met) and C2 (did not apologise).

Every customer has a name, an e-mail address, and words with a phone number and a delivery address: none of it
may appear in a redacted pack.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete, update

from bot.accounts.users import add_user
from bot.cases import service
from bot.cases.service import CaseDraft, TranscriptTurn
from bot.cases.store import Store
from bot.catalogue.importer import import_catalogue, import_orders
from bot.cli import main
from bot.clock import FrozenClock
from bot.evidence import build_pack, hand_out, pack_pdf, record_export, verify_exports
from bot.evidence.pack import section
from bot.reports import add_corrective_action, compliance, open_investigation, verify_action
from bot.reports.windows import Window
from bot.reviews.models import EvidenceExport, Review
from bot.reviews.scorecard import CRITERIA, MET, NOT_MET
from bot.web.app import create_app

NOW = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.timezone.utc)
PERIOD = dt.timedelta(days=90)
ADDRESS = "14 Larkspur Crescent, Penrith CA11 7QT"
CUSTOMERS = {
    "ORD-1": ("Harriet Wolstenholme", "harriet.wolstenholme@example.com", "07700 900123"),
    "ORD-2": ("Bartholomew Quince", "bart.quince@example.org", "07700 900234"),
    "ORD-3": ("Philippa Ravensworth", "p.ravensworth@example.net", "07700 900461"),
    "ORD-4": ("Cuthbert Ollerenshaw", "cuthbert.o@example.com", "07700 900582"),
}
PERSONAL = [text for customer in CUSTOMERS.values() for text in customer] + [
    ADDRESS,
    "Larkspur",
    "CA11 7QT",
    "900123",
    "900461",
]
BIN = Path(sys.executable).parent / "complaints"


def _day(days_ago: float, hours: float = 0) -> dt.datetime:
    return NOW - dt.timedelta(days=days_ago) + dt.timedelta(hours=hours)


def _at(clock: FrozenClock, moment: dt.datetime) -> None:
    clock.now = moment


def _shop(store: Store, tmp_path: Path) -> None:
    catalogue = tmp_path / "catalogue.csv"
    catalogue.write_text(
        "sku,name,line,category,materials,colours,sizes\n"
        "HGT-CB-9,Harrogate Chelsea Boot,Harrogate,boots,leather,black,7;8;9\n"
        "LDL-HB-9,Ludlow Hiking Boot,Ludlow,boots,leather,brown,7;8;9\n"
    )
    orders = tmp_path / "orders.csv"
    rows = [
        ("ORD-1", "HGT-CB-9", "HGT-B7"),
        ("ORD-2", "HGT-CB-9", "HGT-B7"),
        ("ORD-3", "LDL-HB-9", "LDL-B3"),
        ("ORD-4", "HGT-CB-9", "HGT-B8"),
    ]
    lines = ["order_number,customer_name,customer_email,sku,size,colour,quantity,batch,order_date,delivery_date"]
    for number, sku, batch in rows:
        name, email, _phone = CUSTOMERS[number]
        # Ordered long before the period: the verification counts complaints per 30 days, not per 100 orders.
        lines.append(f"{number},{name},{email},{sku},8,black,1,{batch},2026-01-10,2026-01-14")
    orders.write_text("\n".join(lines) + "\n")
    import_catalogue(store, catalogue)
    import_orders(store, orders)


def _complaint(store: Store, clock: FrozenClock, order: str, defect: str, days_ago: float, what: str) -> str:
    name, email, phone = CUSTOMERS[order]
    _at(clock, _day(days_ago))
    words = f"My name is {name}. {what} Send it to {ADDRESS} or call {phone}, e-mail {email}."
    draft = CaseDraft(
        description=words,
        order_number=order,
        defect_category=defect,
        customer_name=name,
        customer_email=email,
        transcript=[
            TranscriptTurn("customer", words, clock.now),
            TranscriptTurn("bot", f"I'm so sorry, {name}. Here's what I have so far: {what}", clock.now),
            TranscriptTurn("bot", "Your reference is on its way.", clock.now),
        ],
    )
    return service.open_case(store, draft).reference


def _work(store: Store, clock: FrozenClock, ref: str, opened: float, first: float, resolved: float) -> None:
    """Assign ``first`` hours after the case was logged ``opened`` days ago, resolve ``resolved`` hours after."""
    _at(clock, _day(opened, first))
    service.assign_case(store, ref, "agent@example.com", actor="agent@example.com")
    if resolved:
        _at(clock, _day(opened, resolved))
        service.resolve_case(store, ref, "repair", actor="agent@example.com")


def _answer(store: Store, clock: FrozenClock, ref: str, moment: dt.datetime, score: int) -> None:
    _at(clock, moment)
    service.record_satisfaction(store, ref, score, solved=score > 2, actor="customer")


def _review(store: Store, ref: str, scores: dict[str, str]) -> None:
    with store.unit_of_work() as uow:
        case = uow.cases.get(ref)
        assert case is not None
        uow.session.add(Review(case_id=case.id, reviewer="sue@example.com", prefill={}, scores=scores, created_at=NOW))
        uow.commit()


def _requests(store: Store, clock: FrozenClock) -> dict[str, str]:
    name, email, phone = CUSTOMERS["ORD-3"]
    _at(clock, _day(15))
    callback = CaseDraft(
        description=f"Please ring me on {phone}, {name} here.",
        kind="callback",
        customer_name=name,
        customer_email=email,
        customer_phone=phone,
        callback_at="weekday mornings",
    )
    refs = {"K1": service.open_case(store, callback).reference}
    name, email, _phone = CUSTOMERS["ORD-4"]
    _at(clock, _day(8))
    cancel = CaseDraft(
        description=f"Cancel ORD-4 please, do not deliver to {ADDRESS}.",
        kind="cancellation",
        order_number="ORD-4",
        customer_name=name,
        customer_email=email,
    )
    refs["K2"] = service.open_case(store, cancel).reference
    _at(clock, _day(8, 5))
    service.resolve_case(store, refs["K2"], "refund", actor="agent@example.com")
    return refs


def _corrective_action(store: Store, clock: FrozenClock) -> dict[str, Any]:
    _at(clock, _day(30))
    inv = open_investigation(
        store,
        product_line="Harrogate",
        defect_category="stitching",
        cause_category="machine",
        five_whys=["Seams split", "Thread snapped", "Needle tension too high, first seen by Harriet Wolstenholme"],
        actor="sue@example.com",
    )
    action = add_corrective_action(
        store,
        inv["id"],
        "Re-set needle tension on line 2; call Bartholomew Quince back",
        "Quality lead",
        due_date=dt.date(2026, 10, 5),
        action_date=dt.date(2026, 10, 5),
        actor="sue@example.com",
    )
    _at(clock, NOW)
    return verify_action(store, action["id"], window_days=28, actor="sue@example.com")


def seed(store: Store, clock: FrozenClock, tmp_path: Path) -> dict[str, str]:
    """The data set of the module docstring; returns the case references by name (C0-C7, K1, K2)."""
    assert clock.now == NOW
    _shop(store, tmp_path)
    refs = {"C0": _complaint(store, clock, "ORD-4", "stitching", 150, "Stitching came undone.")}
    _work(store, clock, refs["C0"], 150, 2, 20)
    plan = [  # name, order, defect, days ago, hours to first response, hours to resolution (0: not resolved)
        ("C1", "ORD-1", "stitching", 60, 2, 48),
        ("C2", "ORD-2", "stitching", 50, 30, 200),
        ("C3", "ORD-4", "stitching", 40, 1, 24),
        ("C4", "ORD-1", "stitching", 35, None, 0),
        ("C5", "ORD-2", "stitching", 10, 3, 100),
        ("C6", "ORD-3", "sole_separation", 20, 2, 80),
        ("C7", "ORD-3", "sole_separation", 5, 1, 0),
    ]
    for name, order, defect, days_ago, first, resolved in plan:
        refs[name] = _complaint(store, clock, order, defect, days_ago, f"The {defect.replace('_', ' ')} failed.")
        if first is not None:
            _work(store, clock, refs[name], days_ago, first, resolved)
    refs.update(_requests(store, clock))
    for name, days_ago, score in (("C1", 55, 5), ("C2", 40, 4), ("C3", 35, 1), ("C5", 4, 4)):
        _answer(store, clock, refs[name], _day(days_ago), score)
    _corrective_action(store, clock)
    _review(store, refs["C1"], {c.id: MET for c in CRITERIA})
    _review(store, refs["C2"], {c.id: MET for c in CRITERIA} | {"listen.apologised": NOT_MET})
    _at(clock, NOW)
    return refs


@pytest.fixture
def seeded(store: Store, clock: FrozenClock, tmp_path: Path) -> dict[str, str]:
    return seed(store, clock, tmp_path)


def pdf_text(content: bytes, tmp_path: Path) -> str:
    """The text of a PDF as pdftotext reads it (layout kept, so a table row stays on one line)."""
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext is missing: run scripts/install_system_deps.sh poppler (make test does)")
    path = tmp_path / "pack.pdf"
    path.write_bytes(content)
    run = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True)
    return run.stdout


def assert_no_personal_data(text: str) -> None:
    lowered = text.lower()
    leaked = [item for item in PERSONAL if item.lower() in lowered]
    assert not leaked, f"personal data in a redacted pack: {leaked}"


def test_pack_figures_match_the_seeded_data(store: Store, seeded: dict[str, str]) -> None:
    pack = build_pack(store, PERIOD, actor="sue@example.com")
    assert [s["number"] for s in pack["sections"]] == [1, 2, 3, 4, 5, 6, 7]
    assert all(s["criterion"] for s in pack["sections"])
    assert pack["cover"]["redacted"] is True and pack["cover"]["generated_by"] == "sue@example.com"
    log = section(pack, "complaint_log")
    assert log["by"]["kind"] == {"complaint": 7, "callback": 1, "cancellation": 1}
    assert (log["opened"], log["resolved"], log["closed"], log["open_at_end"]) == (9, 6, 3, 4)
    assert log["by"]["priority"] == {"normal": 7, "high": 2}
    assert {c["reference"] for c in log["cases"]} == {seeded[k] for k in seeded if k != "C0"}
    themes = section(pack, "themes")
    assert themes["total"] == 7 and themes["previous_total"] == 1  # C0, 150 days ago; no requests counted
    lines = {e["value"]: (e["count"], e["previous"]) for e in themes["by_product_line"]}
    assert lines == {"Harrogate": (5, 1), "Ludlow": (2, 0)}
    assert {e["value"]: e["count"] for e in themes["by_batch"]} == {"HGT-B7": 4, "HGT-B8": 1, "LDL-B3": 2}
    assert themes["line_defect"] == [
        {"value": "Harrogate", "defect": "stitching", "count": 5},
        {"value": "Ludlow", "defect": "sole_separation", "count": 2},
    ]
    sla = section(pack, "service_levels")
    assert (sla["first_response"]["met"], sla["first_response"]["breached"]) == (6, 3)
    assert (sla["resolution"]["met"], sla["resolution"]["breached"], sla["resolution"]["rate"]) == (3, 6, 0.333)
    satisfaction = section(pack, "satisfaction")
    assert (satisfaction["answers"], satisfaction["average"], satisfaction["low_share"]) == (4, 3.5, 0.25)
    assert satisfaction["reopened_cases"] == 1
    assert [c["cases"] for c in satisfaction["repeat_customers"]] == [2, 2, 2]


def test_pack_corrective_action_process_and_reviews(store: Store, seeded: dict[str, str]) -> None:
    pack = build_pack(store, PERIOD)
    actions = section(pack, "corrective_actions")
    assert (actions["actions"], actions["verified"], actions["effective"]) == (1, 1, 1)
    follow = actions["investigations"][0]["actions"][0]["follow_up"]
    assert follow["unit"] == "cases per 30 days" and follow["complete"] is True
    assert (follow["before"]["cases"], follow["after"]["cases"]) == (3, 1)
    assert (follow["before"]["rate"], follow["after"]["rate"], follow["change_pct"]) == (3.214, 1.071, -66.7)
    process = section(pack, "process_reviews")
    assert process["compliance"]["conversations"] == 7  # the complaints of the period with a transcript
    assert process["compliance"]["weeks"] == compliance(store, PERIOD)["weeks"]
    reviews = process["reviews"]
    assert reviews["available"] is True
    assert (reviews["eligible"], reviews["reviewed"], reviews["coverage"]) == (7, 2, 0.286)
    assert reviews["stages"] == {"Listen": 0.875, "Understand": 1.0, "Resolve": 1.0, "Confirm": 1.0}
    assert [(f["criterion"], f["count"]) for f in reviews["findings"]] == [("listen.apologised", 1)]
    pmap = section(pack, "process_map")
    assert pmap["cases"] == 9 and pmap["svg"].startswith("<svg")
    assert {(e["from"], e["to"]): e["count"] for e in pmap["edges"]}[("resolved", "closed")] == 3


def test_pack_period_can_end_in_the_past(store: Store, seeded: dict[str, str]) -> None:
    pack = build_pack(store, PERIOD, until=NOW - dt.timedelta(days=30))
    log = section(pack, "complaint_log")
    assert log["by"]["kind"] == {"complaint": 4}  # C1-C4; C0 fell 150 days ago
    assert pack["cover"]["period"]["to"] == (NOW - dt.timedelta(days=30)).isoformat()


def test_pdf_has_every_section_criterion_and_figure_and_no_personal_data(
    store: Store, seeded: dict[str, str], tmp_path: Path
) -> None:
    pack = build_pack(store, PERIOD)
    assert_no_personal_data(json.dumps(pack))
    text = pdf_text(pack_pdf(pack), tmp_path)
    for item in pack["sections"]:
        assert f"{item['number']}. {item['title']}" in text
        assert f"Criterion: {item['criterion']}" in text
    for criterion in (
        "Logging and tracking complaints",
        "Analysing recurring problems and options",
        "Corrective action with measurable follow-up",
        "Recording systems in active use",
        "Review of feedback and performance data",
    ):
        assert criterion in text
    figures = [
        r"2026-08-04 09:00 UTC to 2026-11-02 09:00 UTC \(90 days\)",
        r"Personal data redacted\s+yes",
        r"Cases opened in the period\s+9\b",
        r"Cases open at the end of the period\s+4\b",
        r"\bHarrogate\s+5\s+1\s+up\b",
        r"\bHGT-B7\s+4\s+0\s+up\b",
        r"\bResolution\s+3\s+6\s+33%",
        r"\bFirst response\s+6\s+3\s+67%",
        r"Average score \(1-5\)\s+3\.5\b",
        r"\b3\.214\b",
        r"\b1\.071\b",
        r"-66\.7%",
        r"Coverage\s+29%",
        r"Apologised\s+listen\.apologised\s+1\b",
    ]
    for figure in figures:
        assert re.search(figure, text), f"{figure!r} not in the PDF text"
    assert_no_personal_data(text)


def test_an_empty_period_still_makes_a_complete_pack(sqlite_store: Store, tmp_path: Path) -> None:
    pack = build_pack(sqlite_store, PERIOD)
    assert section(pack, "complaint_log")["opened"] == 0 and section(pack, "satisfaction")["average"] is None
    text = pdf_text(pack_pdf(pack), tmp_path)
    assert all(f"{s['number']}. {s['title']}" in text for s in pack["sections"])
    assert "No investigation was open or active in the period." in text


def test_staff_text_with_markup_is_printed_as_text(sqlite_store: Store, clock: FrozenClock, tmp_path: Path) -> None:
    draft = CaseDraft(description="seam split", defect_category="stitching")
    service.open_case(sqlite_store, draft)
    open_investigation(
        sqlite_store,
        defect_category="stitching",
        title="<b>Seams</b> & <para>split</para>",
        five_whys=["<font size=40>why</font>"],
        actor="sue@example.com",
    )
    text = pdf_text(pack_pdf(build_pack(sqlite_store, PERIOD)), tmp_path)
    assert "<b>Seams</b> & <para>split</para>" in text and "<font size=40>why</font>" in text


def test_unredacted_pack_keeps_what_the_redacted_one_leaves_out(store: Store, seeded: dict[str, str]) -> None:
    pack = json.dumps(build_pack(store, PERIOD, redacted=False))
    assert "Harriet Wolstenholme" in pack and "harriet.wolstenholme@example.com" in pack and ADDRESS in pack
    redacted = build_pack(store, PERIOD)
    whys = section(redacted, "corrective_actions")["investigations"][0]["five_whys"]
    assert whys[-1] == "Needle tension too high, first seen by [name redacted]"


def test_every_pack_is_logged_in_a_chain_that_detects_tampering(store: Store, seeded: dict[str, str]) -> None:
    first = hand_out(store, PERIOD, actor="sue@example.com")
    second = hand_out(store, dt.timedelta(days=30), fmt="json", redacted=False, actor="cli")
    assert first.content.startswith(b"%PDF") and json.loads(second.content)["cover"]["redacted"] is False
    assert first.export["prev_hash"] == "0" * 64 and second.export["prev_hash"] == first.export["hash"]
    assert (second.export["format"], second.export["redacted"], second.export["bytes"]) == (
        "json",
        False,
        len(second.content),
    )
    assert first.filename == "evidence-pack-2026-11-02.pdf" and second.filename.endswith("-unredacted.json")
    hand_out(store, PERIOD)
    report = verify_exports(store)
    assert report["ok"] is True and report["exports"] == 3
    with store.unit_of_work() as uow:
        uow.session.execute(
            update(EvidenceExport).where(EvidenceExport.id == first.export["id"]).values(redacted=False)
        )
        uow.commit()
    edited = verify_exports(store)
    assert edited["ok"] is False and any(f"export {first.export['id']}" in p for p in edited["problems"])
    with store.unit_of_work() as uow:
        uow.session.execute(update(EvidenceExport).where(EvidenceExport.id == first.export["id"]).values(redacted=True))
        uow.session.execute(delete(EvidenceExport).where(EvidenceExport.id == second.export["id"]))
        uow.commit()
    removed = verify_exports(store)
    assert removed["ok"] is False and len(removed["problems"]) == 1 and "removed" in removed["problems"][0]


def test_packs_handed_out_at_the_same_time_stay_one_chain(store: Store) -> None:
    period = Window(NOW - PERIOD, NOW)
    barrier = threading.Barrier(6)

    def log_one(n: int) -> dict[str, Any]:
        barrier.wait()
        return record_export(store, f"pack {n}".encode(), "pdf", f"worker-{n}", period, True)

    with ThreadPoolExecutor(max_workers=6) as pool:
        rows = list(pool.map(log_one, range(6)))
    report = verify_exports(store)
    assert report["ok"] is True, report["problems"]
    assert report["exports"] == 6 and len({r["prev_hash"] for r in rows}) == 6


def test_cli_json_out_default_file_and_verify(
    sqlite_store: Store, clock: FrozenClock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsysbinary: Any
) -> None:
    seed(sqlite_store, clock, tmp_path)
    assert main(["evidence-pack", "--since", "90d", "--json"], store=sqlite_store) == 0
    printed = capsysbinary.readouterr().out
    pack = json.loads(printed)
    assert section(pack, "complaint_log")["opened"] == 9 and pack["cover"]["redacted"] is True
    out = tmp_path / "assessor.pdf"
    assert main(["evidence-pack", "--since", "90d", "--out", str(out)], store=sqlite_store) == 0
    assert out.read_bytes().startswith(b"%PDF")
    assert capsysbinary.readouterr().out.decode().split() == [str(out), "sha256", _sha256(out)]
    monkeypatch.chdir(tmp_path)
    assert main(["evidence-pack", "--since", "13w", "--until", "2026-11-01"], store=sqlite_store) == 0
    default = tmp_path / "evidence-pack-2026-11-02.pdf"
    assert capsysbinary.readouterr().out.decode().split() == [default.name, "sha256", _sha256(default)]
    rows = verify_exports(sqlite_store)
    assert rows["ok"] is True and rows["exports"] == 3
    with sqlite_store.unit_of_work() as uow:
        formats = [r.format for r in uow.session.query(EvidenceExport).order_by(EvidenceExport.id)]
        digest = uow.session.query(EvidenceExport.sha256).order_by(EvidenceExport.id).first()
    assert formats == ["json", "pdf", "pdf"] and digest is not None and digest[0] == _sha256_bytes(printed)
    assert main(["evidence-pack", "verify"], store=sqlite_store) == 0
    with sqlite_store.unit_of_work() as uow:
        uow.session.execute(update(EvidenceExport).values(actor="someone else"))
        uow.commit()
    with pytest.raises(SystemExit) as broken:
        main(["evidence-pack", "--verify"], store=sqlite_store)
    assert broken.value.code == 3


def _sha256_bytes(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


def _sha256(path: Path) -> str:
    return _sha256_bytes(path.read_bytes())


def test_cli_as_a_real_process_writes_the_pack_in_the_current_folder(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'cases.db'}", "PATH": "/usr/bin:/bin"}
    subprocess.run([str(BIN), "db", "upgrade"], env=env, check=True, capture_output=True)
    run = subprocess.run(
        [str(BIN), "evidence-pack", "--since", "30d"], env=env, cwd=tmp_path, capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr
    name, _label, digest = run.stdout.split()
    assert re.fullmatch(r"evidence-pack-\d{4}-\d{2}-\d{2}\.pdf", name) and _sha256(tmp_path / name) == digest
    bad = subprocess.run([str(BIN), "evidence-pack", "--since", "ninety"], env=env, capture_output=True, text=True)
    assert bad.returncode == 2 and "30d" in bad.stderr


SUPERVISOR = ("sue@example.com", "supervisor-pass-123")
AGENT = ("alan@example.com", "agent-pass-4567")


@pytest.fixture
def app(sqlite_store: Store, clock: FrozenClock, tmp_path: Path) -> Iterator[Flask]:
    seed(sqlite_store, clock, tmp_path)
    add_user(sqlite_store, SUPERVISOR[0], "Sue", "supervisor", SUPERVISOR[1])
    add_user(sqlite_store, AGENT[0], "Alan", "agent", AGENT[1])
    settings = sqlite_store.settings.with_overrides(dashboard_secret_key="test-key-" + "x" * 40)
    application = create_app(settings, sqlite_store)
    application.config["TESTING"] = True
    yield application


def _token(client: FlaskClient, page: str) -> str:
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get(page).get_data(as_text=True))
    assert token is not None, f"no CSRF token on {page}"
    return token.group(1)


def _signed_in(app: Flask, email: str, password: str) -> tuple[FlaskClient, str]:
    """A client signed in as ``email``, and its session's CSRF token (signing in starts a new session)."""
    client = app.test_client()
    data = {"email": email, "password": password, "csrf_token": _token(client, "/login")}
    assert client.post("/login", data=data).status_code == 302
    return client, _token(client, "/")


def test_supervisor_downloads_the_pack_and_it_is_logged(app: Flask, sqlite_store: Store, tmp_path: Path) -> None:
    client, token = _signed_in(app, *SUPERVISOR)
    page = client.get("/reports").get_data(as_text=True)
    assert 'action="/reports/evidence-pack"' in page
    response = client.post("/reports/evidence-pack", data={"since": "90d", "csrf_token": token})
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert 'filename="evidence-pack-2026-11-02.pdf"' in response.headers["Content-Disposition"]
    assert response.headers["X-Content-SHA256"] == _sha256_bytes(response.data)
    text = pdf_text(response.data, tmp_path)
    assert "Generated by" in text and SUPERVISOR[0] in text
    assert_no_personal_data(text)
    with sqlite_store.unit_of_work() as uow:
        row = uow.session.query(EvidenceExport).one()
        assert (row.actor, row.format, row.redacted, row.sha256) == (
            SUPERVISOR[0],
            "pdf",
            True,
            response.headers["X-Content-SHA256"],
        )
        assert row.period_end - row.period_start == PERIOD
    assert client.post("/reports/evidence-pack", data={"since": "90d"}).status_code == 400  # no CSRF token
    assert client.post("/reports/evidence-pack", data={"since": "9999d", "csrf_token": token}).status_code == 400


def test_agents_cannot_download_the_pack(app: Flask, sqlite_store: Store) -> None:
    client, token = _signed_in(app, *AGENT)
    assert client.post("/reports/evidence-pack", data={"since": "90d", "csrf_token": token}).status_code == 403
    anonymous = app.test_client()
    response = anonymous.post(
        "/reports/evidence-pack", data={"since": "90d", "csrf_token": _token(anonymous, "/login")}
    )
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert verify_exports(sqlite_store)["exports"] == 0
