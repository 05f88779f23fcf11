"""The chat page and photo upload through Flask's test client, and photos linked to cases."""

from __future__ import annotations

import dataclasses
import io
import re
from pathlib import Path
from typing import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image

from bot.accounts.users import add_user
from bot.cases import service
from bot.cases.service import CaseDraft
from bot.cases.store import Store
from integrations.web import create_web_app
from integrations.webchat import session_tokens

SECRET = "webchat-test-secret-" + "s" * 32
STAFF = ("sue@example.com", "supervisor-pass-123")


@pytest.fixture
def chat_store(sqlite_store: Store, tmp_path: Path) -> Store:
    settings = sqlite_store.settings.with_overrides(
        webchat_secret_key=SECRET,
        photos_dir=tmp_path / "photos",
        rasa_socket_url="http://rasa.example.test:5005",
        dashboard_secret_key="test-key-" + "x" * 40,
    )
    return dataclasses.replace(sqlite_store, settings=settings)


@pytest.fixture
def app(chat_store: Store) -> Iterator[Flask]:
    add_user(chat_store, STAFF[0], "Sue", "supervisor", STAFF[1])
    application = create_web_app(chat_store.settings, chat_store)
    application.config["TESTING"] = True
    yield application


def _session(html: str) -> tuple[str, str]:
    sid = re.search(r'data-session-id="([0-9a-f]+)"', html)
    sig = re.search(r'data-signature="([0-9a-f]+)"', html)
    assert sid and sig
    return sid.group(1), sig.group(1)


def _jpeg() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"
    out = io.BytesIO()
    Image.new("RGB", (30, 30), (10, 120, 200)).save(out, format="JPEG", exif=exif)
    return out.getvalue()


def _upload(client: FlaskClient, session_id: str, signature: str, data: bytes) -> tuple[int, dict]:
    response = client.post(
        "/chat/photos",
        data=data,
        headers={
            "X-Chat-Session": session_id,
            "X-Chat-Signature": signature,
            "Content-Type": "application/octet-stream",
        },
    )
    return response.status_code, response.get_json() or {}


def test_chat_page_issues_signed_session_and_keeps_it(app: Flask) -> None:
    client = app.test_client()
    response = client.get("/chat")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    session_id, signature = _session(html)
    assert session_tokens.verify_session(SECRET, session_id, signature)
    csp = response.headers["Content-Security-Policy"]
    assert "connect-src 'self' http://rasa.example.test:5005 ws://rasa.example.test:5005" in csp
    assert "script-src 'self';" in csp
    assert 'data-socket-url="http://rasa.example.test:5005"' in html
    assert re.findall(r'<script src="([^"]+)"', html) == ["/static/webchat/webchat.js", "/static/chat.js"]
    assert "<script>" not in html
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "Path=/chat" in cookie and "SameSite=Lax" in cookie
    # a reload resumes the same conversation
    again = _session(client.get("/chat").get_data(as_text=True))
    assert again == (session_id, signature)


def test_forged_cookie_gets_a_new_session(app: Flask) -> None:
    client = app.test_client()
    victim = session_tokens.new_session_id()
    client.set_cookie("complaints_chat", f"{victim}.{'0' * 64}", path="/chat")
    session_id, _ = _session(client.get("/chat").get_data(as_text=True))
    assert session_id != victim


def test_other_pages_keep_the_strict_policy(app: Flask) -> None:
    csp = app.test_client().get("/login").headers["Content-Security-Policy"]
    assert "connect-src" not in csp and "'unsafe-inline'" not in csp


def test_photo_upload_needs_a_valid_token(app: Flask) -> None:
    client = app.test_client()
    session_id = session_tokens.new_session_id()
    assert _upload(client, session_id, "", _jpeg())[0] == 403
    assert _upload(client, session_id, "f" * 64, _jpeg())[0] == 403
    other = session_tokens.issue(SECRET)
    assert _upload(client, session_id, other.signature, _jpeg())[0] == 403


def test_photos_are_cleaned_limited_and_linked_to_the_case(app: Flask, chat_store: Store) -> None:
    client = app.test_client()
    session_id, signature = _session(client.get("/chat").get_data(as_text=True))
    status, body = _upload(client, session_id, signature, _jpeg())
    assert status == 201 and body["content_type"] == "image/jpeg"
    stored = list((chat_store.settings.photos_dir / session_id).iterdir())
    assert len(stored) == 1 and b"SecretCam" not in stored[0].read_bytes()
    assert _upload(client, session_id, signature, b"<script>alert(1)</script>")[0] == 400
    big = b"\xff\xd8\xff" + b"\x00" * (chat_store.settings.photo_max_bytes + 1)
    assert _upload(client, session_id, signature, big)[0] == 413

    opened = service.open_case(
        chat_store,
        CaseDraft(
            description="the heel came off",
            defect_category="heel_detachment",
            customer_email="kim@example.com",
            conversation_id=session_id,
            channel="socketio",
            idempotency_key=f"{session_id}:1",
        ),
    )
    case = service.get_case(chat_store, opened.reference)
    assert [p["content_type"] for p in case["photos"]] == ["image/jpeg"]
    assert any(e["kind"] == "photos_attached" for e in case["events"])

    # a photo sent after the case was logged is linked straight away; at most five per conversation
    for _ in range(4):
        assert _upload(client, session_id, signature, _jpeg())[0] == 201
    status, body = _upload(client, session_id, signature, _jpeg())
    assert status == 400 and "up to 5" in body["error"]
    case = service.get_case(chat_store, opened.reference)
    assert len(case["photos"]) == 5
    assert service.verify_case_chain(chat_store, opened.reference)["ok"]

    # staff only
    photo_url = f"/cases/{opened.reference}/photos/{case['photos'][0]['id']}"
    assert app.test_client().get(photo_url).status_code == 302
    staff = app.test_client()
    login_html = staff.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', login_html)
    assert token
    staff.post("/login", data={"email": STAFF[0], "password": STAFF[1], "csrf_token": token.group(1)})
    response = staff.get(photo_url)
    assert response.status_code == 200 and response.mimetype == "image/jpeg"
    page = staff.get(f"/cases/{opened.reference}").get_data(as_text=True)
    assert photo_url in page and "Photos from the customer (5)" in page
    assert staff.get(f"/cases/{opened.reference}/photos/999999").status_code == 404


def test_a_photo_larger_than_the_form_limit_is_accepted(app: Flask) -> None:
    # the dashboard's forms are limited to 256 KB; a photo up to PHOTO_MAX_BYTES must still go through
    pixels = bytes(range(256)) * (900 * 900 * 3 // 256) + b"\x00" * (900 * 900 * 3 % 256)
    noise = Image.frombytes("RGB", (900, 900), pixels)
    out = io.BytesIO()
    noise.effect_spread(40).save(out, format="JPEG", quality=95)
    data = out.getvalue()
    assert len(data) > 256 * 1024
    client = app.test_client()
    session_id, signature = _session(client.get("/chat").get_data(as_text=True))
    status, body = _upload(client, session_id, signature, data)
    assert status == 201, body
