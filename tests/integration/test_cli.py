"""The ``complaints`` console script, run as a real process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent / "complaints"


def run(db: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}"}
    result = subprocess.run([str(BIN), *args], capture_output=True, text=True, env=env, timeout=300)
    if check and result.returncode != 0:
        raise AssertionError(f"{args} failed: {result.stderr}")
    return result


@pytest.fixture(scope="module")
def seeded_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("cli") / "cli.db"
    run(db, "db", "upgrade")
    run(db, "seed")
    return db


def test_seed_then_list_json(seeded_db: Path) -> None:
    cases = json.loads(run(seeded_db, "cases", "list", "--json").stdout)
    assert len(cases) >= 90
    required = {
        "reference",
        "status",
        "priority",
        "channel",
        "conversation_id",
        "customer",
        "order_number",
        "product",
        "batch",
        "size",
        "defect_category",
        "component",
        "description",
        "purchase_date",
        "resolution",
        "assignee",
        "sla",
        "satisfaction",
        "root_cause",
        "created_at",
        "updated_at",
        "events",
    }
    assert required <= set(cases[0])
    assert {"name", "email"} <= set(cases[0]["customer"])
    assert {"sku", "name", "line"} <= set(cases[0]["product"])
    assert {"first_response_due", "resolution_due", "breached"} <= set(cases[0]["sla"])
    assert {c["status"] for c in cases} >= {"new", "closed"}


def test_seed_is_idempotent(seeded_db: Path) -> None:
    before = len(json.loads(run(seeded_db, "cases", "list", "--json").stdout))
    out = run(seeded_db, "seed").stdout
    assert "new demo cases: 0" in out
    assert len(json.loads(run(seeded_db, "cases", "list", "--json").stdout)) == before


def test_show_json_has_events_transcript_and_verified_chain(seeded_db: Path) -> None:
    ref = json.loads(run(seeded_db, "cases", "list", "--json", "--status", "new").stdout)[0]["reference"]
    case = json.loads(run(seeded_db, "cases", "show", ref, "--json").stdout)
    assert case["reference"] == ref
    assert case["events"][0]["kind"] == "case_created"
    assert case["transcript"]
    assert case["audit"]["ok"] is True


def test_resolve_then_show(seeded_db: Path) -> None:
    ref = json.loads(run(seeded_db, "cases", "list", "--json", "--status", "new").stdout)[0]["reference"]
    run(seeded_db, "cases", "resolve", ref, "--resolution", "refund", "--note", "refund issued")
    case = json.loads(run(seeded_db, "cases", "show", ref, "--json").stdout)
    assert case["status"] == "resolved"
    assert case["resolution"] == {"type": "refund", "reason": "refund issued"}
    again = run(seeded_db, "cases", "resolve", ref, "--resolution", "refund", check=False)
    assert again.returncode == 1 and "cannot become resolved" in again.stderr


def test_unknown_reference_and_bad_resolution(seeded_db: Path) -> None:
    missing = run(seeded_db, "cases", "show", "CS-1999-000001", "--json", check=False)
    assert missing.returncode == 1 and "no case with reference" in missing.stderr
    bad = run(seeded_db, "cases", "resolve", "CS-1999-000001", "--resolution", "cash", check=False)
    assert bad.returncode == 2 and "invalid choice" in bad.stderr


def test_import_rejects_bad_file_with_line_number(seeded_db: Path, tmp_path: Path) -> None:
    path = tmp_path / "orders.csv"
    path.write_text(
        "order_number,customer_name,customer_email,sku,size,colour,quantity,batch,order_date,delivery_date\n"
        "NEW-1,Jo,jo@example.com,HGT-CB-01,UK 7,black,1,B1,2026-01-01,2026-01-03\n"
        "NEW-2,Jo,jo@example.com,NO-SUCH,UK 7,black,1,B1,2026-01-01,2026-01-03\n"
    )
    result = run(seeded_db, "import", "orders", str(path), check=False)
    assert result.returncode == 1
    assert "line 3: sku 'NO-SUCH' is not in the catalogue" in result.stderr
    assert "nothing imported" in result.stderr


def test_followups_list_json(seeded_db: Path) -> None:
    rows = json.loads(run(seeded_db, "followups", "list", "--json").stdout)
    assert rows and {"case_reference", "status", "due_at", "channel"} <= set(rows[0])


def test_python_dash_m_bot(seeded_db: Path) -> None:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{seeded_db}"}
    result = subprocess.run([sys.executable, "-m", "bot", "cases", "list"], capture_output=True, text=True, env=env)
    assert result.returncode == 0 and "case(s)" in result.stdout


def test_database_down_is_a_clear_error(tmp_path: Path) -> None:
    env = {**os.environ, "DATABASE_URL": "postgresql+psycopg2://nobody@127.0.0.1:1/none"}
    result = subprocess.run([str(BIN), "cases", "list", "--json"], capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 1
    assert "case database is not available" in result.stderr
    assert "Traceback" not in result.stderr


def test_cases_list_filters_by_kind(tmp_path: Path) -> None:
    from bot.cases import service
    from bot.cases.service import CaseDraft
    from bot.cases.store import open_store
    from bot.settings import load_settings

    db = tmp_path / "kinds.db"
    run(db, "db", "upgrade")
    store = open_store(load_settings({"DATABASE_URL": f"sqlite:///{db}"}))
    try:
        complaint = service.open_case(store, CaseDraft(description="sole came off", defect_category="sole_separation"))
        callback = service.open_case(
            store,
            CaseDraft(description="ring me", kind="callback", customer_phone="07700 900123", callback_at="after 5"),
        )
        cancellation = service.open_case(store, CaseDraft(description="cancel my order", kind="cancellation"))
    finally:
        store.dispose()
    everything = json.loads(run(db, "cases", "list", "--json").stdout)
    assert {c["reference"]: c["kind"] for c in everything} == {
        complaint.reference: "complaint",
        callback.reference: "callback",
        cancellation.reference: "cancellation",
    }
    [found] = json.loads(run(db, "cases", "list", "--json", "--kind", "callback").stdout)
    assert found["reference"] == callback.reference and found["customer"]["phone"] == "07700 900123"
    assert found["callback_at"] == "after 5"
    complaints = json.loads(run(db, "cases", "list", "--json", "--kind", "complaint").stdout)
    assert [c["reference"] for c in complaints] == [complaint.reference]
    assert json.loads(run(db, "cases", "list", "--json", "--kind", "return").stdout) == []
    text = run(db, "cases", "list", "--kind", "cancellation").stdout
    assert cancellation.reference in text and "cancellation" in text and "1 case(s)" in text
    bad = run(db, "cases", "list", "--kind", "refund", check=False)
    assert bad.returncode == 2 and "invalid choice" in bad.stderr
    shown = run(db, "cases", "show", callback.reference).stdout
    assert "callback" in shown and "after 5" in shown
