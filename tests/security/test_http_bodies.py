"""Malformed and forged requests to the web app and the Slack triage app: 4xx, never a 500 or a traceback."""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import json
import re
import time
from pathlib import Path
from typing import Any, Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.accounts.users import add_user
from bot.cases import service
from bot.cases.service import CaseDraft
from bot.cases.store import Store
from integrations.slack.app import build_app, wsgi_app
from integrations.web import create_web_app
from tests.support.slack_standin import SignedSender, SlackStandIn

STAFF = ("sue@example.com", "supervisor-pass-123")
SLACK_SECRET = "security-suite-slack-" + "k" * 24
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=30)),
    lambda inner: st.one_of(st.lists(inner, max_size=5), st.dictionaries(st.text(max_size=10), inner, max_size=5)),
    max_leaves=15,
)
bodies = st.one_of(
    st.binary(max_size=300),
    st.text(max_size=300).map(str.encode),
    json_values.map(lambda value: json.dumps(value).encode()),
)
content_types = st.sampled_from(
    ["application/json", "application/x-www-form-urlencoded", "multipart/form-data; boundary=zz", "text/plain", ""]
)


@pytest.fixture
def web_store(sqlite_store: Store, tmp_path: Path) -> Store:
    settings_ = sqlite_store.settings.with_overrides(
        dashboard_secret_key="test-key-" + "x" * 40,
        webchat_secret_key="security-chat-" + "c" * 32,
        photos_dir=tmp_path / "photos",
    )
    return dataclasses.replace(sqlite_store, settings=settings_)


@pytest.fixture
def app(web_store: Store) -> Iterator[Flask]:
    add_user(web_store, STAFF[0], "Sue", "supervisor", STAFF[1])
    service.open_case(web_store, CaseDraft(description="the sole came off", defect_category="sole_separation"))
    application = create_web_app(web_store.settings, web_store)
    application.config["TESTING"] = True
    yield application


def csrf(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


@pytest.fixture
def staff(app: Flask) -> FlaskClient:
    client = app.test_client()
    token = csrf(client.get("/login").get_data(as_text=True))
    assert client.post("/login", data={"email": STAFF[0], "password": STAFF[1], "csrf_token": token}).status_code == 302
    return client


def post_routes(app: Flask, reference: str) -> list[str]:
    """Every POST route of the web app, with its placeholders filled in."""
    urls = []
    for rule in app.url_map.iter_rules():
        if "POST" not in (rule.methods or set()):
            continue
        url = re.sub(r"<reference>", reference, rule.rule)
        url = re.sub(r"<int:[a-z_]+>", "1", url)
        urls.append(re.sub(r"<(?:[a-z]+:)?[a-z_]+>", "not-a-real-token", url))
    return urls


def _check(response: Any, what: str) -> None:
    text = response.get_data(as_text=True)
    assert response.status_code < 500, (what, response.status_code, text[:300])
    assert "Traceback" not in text and 'File "' not in text, what


def test_the_route_list_covers_every_post_form(app: Flask) -> None:
    urls = post_routes(app, "CS-2026-000001")
    expected_urls = ["/login", "/chat/photos", "/rate/not-a-real-token", "/investigations"]
    for expected in [*expected_urls, "/cases/CS-2026-000001/export"]:
        assert expected in urls, urls


@FUZZ
@given(body=bodies, content_type=content_types)
def test_garbage_bodies_to_every_post_route_never_crash(
    app: Flask, staff: FlaskClient, body: bytes, content_type: str
) -> None:
    for url in post_routes(app, "CS-2026-000001"):
        for client in (staff, app.test_client()):
            response = client.post(url, data=body, headers={"Content-Type": content_type} if content_type else {})
            _check(response, url)


@FUZZ
@given(fields=st.dictionaries(st.text(min_size=1, max_size=12), st.text(max_size=60), max_size=6))
def test_forms_with_a_valid_csrf_token_and_odd_fields_never_crash(
    app: Flask, staff: FlaskClient, fields: dict[str, str]
) -> None:
    token = csrf(staff.get("/investigations").get_data(as_text=True))
    for url in post_routes(app, "CS-2026-000001"):
        if url in ("/logout", "/login"):
            continue
        _check(staff.post(url, data={**fields, "csrf_token": token}), url)


def test_photo_upload_refuses_fake_and_oversized_images_with_a_clear_message(app: Flask, web_store: Store) -> None:
    # the full photo rules live in tests/integration/test_webchat_web.py; here: the answers are clear JSON
    client = app.test_client()
    html = client.get("/chat").get_data(as_text=True)
    sid = re.search(r'data-session-id="([0-9a-f]+)"', html)
    sig = re.search(r'data-signature="([0-9a-f]+)"', html)
    assert sid and sig
    headers = {"X-Chat-Session": sid.group(1), "X-Chat-Signature": sig.group(1), "Content-Type": "image/jpeg"}
    for data, status in (
        (b"GIF89a<script>alert(1)</script>", 400),
        (b"\xff\xd8\xff" + b"\x00" * (web_store.settings.photo_max_bytes + 1), 413),
    ):
        response = client.post("/chat/photos", data=data, headers=headers)
        assert response.status_code == status
        assert response.get_json() and response.get_json().get("error")


# --- Slack triage app ---------------------------------------------------------------------------


@pytest.fixture
def slack(sqlite_store: Store) -> Iterator[SignedSender]:
    standin = SlackStandIn().start()
    sqlite_store.settings = sqlite_store.settings.with_overrides(
        slack_bot_token="xoxb-test", slack_signing_secret=SLACK_SECRET, slack_api_url=standin.url
    )
    sender = SignedSender.serve(wsgi_app(build_app(sqlite_store.settings, sqlite_store)), SLACK_SECRET)
    yield sender
    sender.stop()
    standin.stop()


@FUZZ
@given(
    body=st.text(max_size=200),
    # header values: printable ASCII (an HTTP client cannot send control characters in a header)
    signature=st.one_of(
        st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=70),
        st.from_regex(r"v0=[0-9a-f]{64}", fullmatch=True),
    ),
    skew=st.integers(min_value=-10_000, max_value=10_000),
)
def test_forged_slack_signatures_are_refused(slack: SignedSender, body: str, signature: str, skew: int) -> None:
    timestamp = str(int(time.time()) + skew)
    real = "v0=" + hmac.new(SLACK_SECRET.encode(), f"v0:{timestamp}:{body}".encode(), hashlib.sha256).hexdigest()
    if signature == real:
        return
    headers = {"X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": signature}
    answer = slack.post(body, "application/json", headers)
    # 401 (bad signature), or 400 when the body cannot even be read: refused either way, never a 500
    assert answer.status in (400, 401), (answer.status, answer.body[:200])


@FUZZ
@given(body=st.one_of(st.text(max_size=200), json_values.map(json.dumps)))
def test_correctly_signed_garbage_gets_a_4xx_not_a_500(slack: SignedSender, body: str) -> None:
    for content_type in ("application/json", "application/x-www-form-urlencoded"):
        answer = slack.post(body, content_type, slack.sign(body))
        assert answer.status < 500, (content_type, body, answer.status, answer.body[:200])
        assert "Traceback" not in answer.body


def test_a_signature_made_with_another_secret_or_too_old_is_refused(slack: SignedSender) -> None:
    body = json.dumps({"type": "event_callback", "event": {"type": "app_home_opened", "user": "U1"}})
    assert slack.post(body, "application/json", slack.sign(body, secret="another-secret")).status == 401
    assert slack.post(body, "application/json", slack.sign(body, timestamp=int(time.time()) - 3600)).status == 401
