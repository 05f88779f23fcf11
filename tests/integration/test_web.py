"""The supervisor dashboard through Flask's test client."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from typing import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from bot.accounts.users import UserError, add_user
from bot.cases import service
from bot.cases.service import CaseDraft, TranscriptTurn
from bot.cases.store import Store
from bot.clock import FrozenClock
from bot.web.app import create_app

SUPERVISOR = ("sue@example.com", "supervisor-pass-123")
AGENT = ("alan@example.com", "agent-pass-4567")
XSS = "<script>alert(1)</script>"


@pytest.fixture
def app(store: Store) -> Iterator[Flask]:
    add_user(store, SUPERVISOR[0], "Sue", "supervisor", SUPERVISOR[1])
    add_user(store, AGENT[0], "Alan", "agent", AGENT[1])
    now = store.clock()
    for n, (defect, text) in enumerate(
        [
            ("stitching", f"The stitching split {XSS}"),
            ("sizing_fit", "Far too tight, a size small"),
            ("stitching", "Seam opened on the left boot"),
        ]
    ):
        at = dataclasses.replace(store, clock=FrozenClock(now - dt.timedelta(days=n)))
        service.open_case(
            at,
            CaseDraft(
                description=text,
                defect_category=defect,
                customer_email=f"customer{n}@example.com",
                transcript=[
                    TranscriptTurn("customer", text, now),
                    TranscriptTurn("bot", "I'm so sorry to hear that.", now),
                ],
            ),
        )
    settings = store.settings.with_overrides(dashboard_secret_key="test-key-" + "x" * 40)
    application = create_app(settings, store)
    application.config["TESTING"] = True
    yield application


def _token(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def login(client: FlaskClient, email: str, password: str) -> int:
    token = _token(client.get("/login").get_data(as_text=True))
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token}).status_code


@pytest.fixture
def supervisor(app: Flask) -> FlaskClient:
    client = app.test_client()
    assert login(client, *SUPERVISOR) == 302
    return client


@pytest.fixture
def agent(app: Flask) -> FlaskClient:
    client = app.test_client()
    assert login(client, *AGENT) == 302
    return client


def _first_reference(client: FlaskClient, query: str = "") -> str:
    html = client.get("/" + query).get_data(as_text=True)
    match = re.search(r'href="/cases/(CS-\d{4}-\d{6})"', html)
    assert match
    return match.group(1)


def test_login_required(app: Flask) -> None:
    client = app.test_client()
    for path in ("/", "/cases/CS-2026-000001", "/reports", "/investigations"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_wrong_password_is_refused(app: Flask) -> None:
    client = app.test_client()
    assert login(client, SUPERVISOR[0], "not-the-password") == 401
    assert login(client, "nobody@example.com", SUPERVISOR[1]) == 401
    assert client.get("/").status_code == 302


def test_csrf_missing_or_invalid_is_refused(app: Flask, supervisor: FlaskClient) -> None:
    fresh = app.test_client()
    fresh.get("/login")
    assert fresh.post("/login", data={"email": SUPERVISOR[0], "password": SUPERVISOR[1]}).status_code == 400
    bad = fresh.post("/login", data={"email": SUPERVISOR[0], "password": SUPERVISOR[1], "csrf_token": "forged"})
    assert bad.status_code == 400
    reference = _first_reference(supervisor)
    assert supervisor.post(f"/cases/{reference}/export", data={"format": "pdf"}).status_code == 400
    forged = supervisor.post(f"/cases/{reference}/export", data={"format": "pdf", "csrf_token": "x" * 43})
    assert forged.status_code == 400
    assert supervisor.post("/investigations", data={"line": "Harrogate", "csrf_token": ""}).status_code == 400


def test_agent_gets_403_on_supervisor_pages(agent: FlaskClient) -> None:
    assert agent.get("/").status_code == 200
    assert agent.get("/reports").status_code == 403
    assert agent.get("/investigations").status_code == 403
    assert agent.get("/reports/process-map.svg").status_code == 403
    token = _token(agent.get("/").get_data(as_text=True))
    assert agent.post("/investigations", data={"line": "X", "csrf_token": token}).status_code == 403
    reference = _first_reference(agent)
    assert agent.get(f"/cases/{reference}").status_code == 200


def test_xss_payload_is_rendered_escaped(supervisor: FlaskClient) -> None:
    listing = supervisor.get("/?q=stitching+split").get_data(as_text=True)
    assert XSS not in listing and "&lt;script&gt;alert(1)&lt;/script&gt;" in listing
    reference = _first_reference(supervisor, "?q=stitching+split")
    page = supervisor.get(f"/cases/{reference}")
    html = page.get_data(as_text=True)
    assert XSS not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert page.headers["X-Frame-Options"] == "DENY"


def test_session_cookie_flags(app: Flask) -> None:
    client = app.test_client()
    response = client.get("/login")
    cookie = response.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_filters(supervisor: FlaskClient) -> None:
    def count(query: str) -> int:
        html = supervisor.get("/" + query).get_data(as_text=True)
        return int(re.search(r'<p id="count">(\d+) case', html).group(1))

    assert count("") == 3
    assert count("?defect=stitching") == 2
    assert count("?defect=sizing_fit") == 1
    assert count("?q=Seam") == 1
    assert count("?q=customer1%40example.com") == 1
    today = "2026-11-02"
    assert count(f"?from={today}&to={today}") == 1
    # Normal priority: first response within 24 h, so only the two-day-old stitching case is late.
    assert count("?sla=yes") == 1 and count("?sla=no") == 2
    assert "Seam opened" in supervisor.get("/?sla=yes").get_data(as_text=True)
    assert count("?satisfaction=low") == 0 and count("?satisfaction=none") == 3
    assert count("?status=resolved") == 0 and count("?status=nonsense") == 3


def test_case_page_shows_transcript_and_verified_chain(supervisor: FlaskClient) -> None:
    reference = _first_reference(supervisor, "?q=Seam")
    html = supervisor.get(f"/cases/{reference}").get_data(as_text=True)
    assert "Seam opened on the left boot" in html and "I&#39;m so sorry to hear that." in html
    assert "Hash chain verified" in html
    assert supervisor.get("/cases/CS-1999-999999").status_code == 404


def test_pdf_download_and_export_event(supervisor: FlaskClient, store: Store) -> None:
    reference = _first_reference(supervisor)
    token = _token(supervisor.get(f"/cases/{reference}").get_data(as_text=True))
    response = supervisor.post(f"/cases/{reference}/export", data={"format": "pdf", "csrf_token": token})
    assert response.status_code == 200
    assert response.mimetype == "application/pdf" and response.data.startswith(b"%PDF")
    assert f"{reference}.pdf" in response.headers["Content-Disposition"]
    redacted = supervisor.post(
        f"/cases/{reference}/export", data={"format": "json", "redact": "1", "csrf_token": token}
    )
    assert redacted.mimetype == "application/json" and b"@example.com" not in redacted.data
    events = service.get_case(store, reference)["events"]
    exported = [e for e in events if e["kind"] == "exported"]
    assert [(e["actor"], e["data"]["format"], e["data"]["redacted"]) for e in exported] == [
        (SUPERVISOR[0], "pdf", False),
        (SUPERVISOR[0], "json", True),
    ]


def test_reports_and_investigation_flow(supervisor: FlaskClient) -> None:
    html = supervisor.get("/reports?since=30d").get_data(as_text=True)
    assert "Recurring themes" in html and "<svg" in html and "Process map" in html
    assert supervisor.get("/reports/process-map.svg").mimetype == "image/svg+xml"
    token = _token(supervisor.get("/investigations").get_data(as_text=True))
    response = supervisor.post(
        "/investigations",
        data={"defect": "stitching", "cause_category": "machine", "why1": "thread snapped", "csrf_token": token},
    )
    assert response.status_code == 302
    page = supervisor.get("/investigations").get_data(as_text=True)
    assert "Recurring stitching" in page and "thread snapped" in page
    inv_id = re.search(r'id="inv-(\d+)"', page).group(1)
    supervisor.post(
        f"/investigations/{inv_id}/actions",
        data={"description": "Retension machine", "owner": "plant", "due_date": "2026-11-20", "csrf_token": token},
    )
    assert "Retension machine" in supervisor.get("/investigations").get_data(as_text=True)


def test_weak_password_refused(sqlite_store: Store) -> None:
    with pytest.raises(UserError):
        add_user(sqlite_store, "weak@example.com", "Weak", "agent", "short")
    with pytest.raises(UserError):
        add_user(sqlite_store, "bad-role@example.com", "X", "admin", "long-enough-password")


def test_case_list_filters_by_kind_and_the_case_page_shows_kind_and_phone(
    supervisor: FlaskClient, store: Store
) -> None:
    callback = service.open_case(
        store,
        CaseDraft(
            description="Please call me back about my order",
            kind="callback",
            customer_name="Ravi Shah",
            customer_phone="07700 900321",
            callback_at="tomorrow morning",
        ),
    ).reference
    service.open_case(store, CaseDraft(description="Cancel my order please", kind="cancellation"))

    def listed(query: str) -> str:
        return supervisor.get("/" + query).get_data(as_text=True)

    def count(query: str) -> int:
        return int(re.search(r'<p id="count">(\d+) case', listed(query)).group(1))

    assert count("") == 5
    assert count("?kind=complaint") == 3 and count("?kind=callback") == 1 and count("?kind=cancellation") == 1
    assert count("?kind=return") == 0 and count("?kind=nonsense") == 5
    page = listed("?kind=callback")
    assert callback in page and "Please call me back" in page and "Seam opened" not in page
    assert '<option value="callback" selected>' in page
    html = supervisor.get(f"/cases/{callback}").get_data(as_text=True)
    assert "callback" in html and "07700 900321" in html and "tomorrow morning" in html
    assert 'href="tel:07700900321"' in html
    reports = supervisor.get("/reports?since=30d").get_data(as_text=True)
    assert "3 complaints in the period" in reports
