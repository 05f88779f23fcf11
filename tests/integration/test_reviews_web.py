"""The review pages of the dashboard through Flask's test client (SQLite and PostgreSQL)."""

from __future__ import annotations

import re
from typing import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from bot.accounts.users import add_user
from bot.cases import service
from bot.cases.store import Store
from bot.reviews import queue as review_queue
from bot.reviews.saving import reviews_of_case
from bot.web.app import create_app
from tests.integration.test_reviews import CUSTOMER, NO_SAMPLE, converse, shop
from tests.integration.test_web import AGENT, SUPERVISOR, XSS, _token, login


@pytest.fixture
def app(store: Store) -> Iterator[Flask]:
    shop(store)
    add_user(store, SUPERVISOR[0], "Sue", "supervisor", SUPERVISOR[1])
    add_user(store, AGENT[0], "Alan", "agent", AGENT[1])
    converse(store, staff="Sam Staff")
    converse(store, channel="webchat")
    review_queue.fill_queue(store, NO_SAMPLE)
    settings = store.settings.with_overrides(dashboard_secret_key="test-key-" + "y" * 40)
    application = create_app(settings, store)
    application.config["TESTING"] = True
    yield application


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


def _store(app: Flask) -> Store:
    store: Store = app.extensions["complaints_store"]
    return store


def _queued(app: Flask) -> dict[str, object]:
    [item] = review_queue.list_queue(_store(app), status=None)
    return item


def test_agents_get_403_on_every_review_page_and_post(app: Flask, agent: FlaskClient) -> None:
    reference, item_id = _queued(app)["reference"], _queued(app)["id"]
    home = agent.get("/").get_data(as_text=True)
    assert 'href="/reviews"' not in home
    token = _token(home)
    for path in ("/reviews", f"/reviews/case/{reference}", "/reviews/report", "/reviews/report.csv?since=30d"):
        assert agent.get(path).status_code == 403, path
    for path in ("/reviews/fill", f"/reviews/{item_id}/assign", f"/reviews/case/{reference}"):
        response = agent.post(path, data={"csrf_token": token, "assigned_to": AGENT[0], "comments": "x"})
        assert response.status_code == 403, path
    assert reviews_of_case(_store(app), str(reference)) == []


def test_supervisor_queue_filters_and_assignment(app: Flask, supervisor: FlaskClient) -> None:
    item = _queued(app)
    link = f'href="/reviews/case/{item["reference"]}"'
    page = supervisor.get("/").get_data(as_text=True)
    assert 'href="/reviews"' in page
    queue = supervisor.get("/reviews").get_data(as_text=True)
    assert link in queue and "staff takeover" in queue
    assert link in supervisor.get("/reviews?who=mine").get_data(as_text=True)
    assert link not in supervisor.get("/reviews?status=done").get_data(as_text=True)
    token = _token(queue)
    response = supervisor.post(
        f"/reviews/{item['id']}/assign", data={"csrf_token": token, "assigned_to": "", "back": "https://evil.example/"}
    )
    assert response.status_code == 302 and "evil" not in response.headers["Location"]
    assert _queued(app)["assigned_to"] is None
    assert link not in supervisor.get("/reviews?who=mine").get_data(as_text=True)
    assert supervisor.post(f"/reviews/{item['id']}/assign", data={"assigned_to": SUPERVISOR[0]}).status_code == 400


def test_scorecard_save_escapes_comments_keeps_disagreements_and_verifies(app: Flask, supervisor: FlaskClient) -> None:
    reference = str(_queued(app)["reference"])
    page = supervisor.get(f"/reviews/case/{reference}").get_data(as_text=True)
    assert "Listen" in page and "listen.heard_about_product" in page and "Sam Staff" in page
    assert re.search(r'id="listen.empathised-met"[^>]*checked', page)
    form = {
        match.group(1): match.group(2)
        for match in re.finditer(r'<input type="radio" id="[^"]+" name="([^"]+)" value="([^"]+)" checked', page)
    }
    assert len(form) == 13
    form.update({"listen.empathised": "not_met", "comments": f"Good {XSS}", "coaching_note": "Mirror her words"})
    assert supervisor.post(f"/reviews/case/{reference}", data=form).status_code == 400  # no CSRF token
    form["csrf_token"] = _token(page)
    response = supervisor.post(f"/reviews/case/{reference}", data=form)
    assert response.status_code == 302
    after = supervisor.get(response.headers["Location"]).get_data(as_text=True)
    assert XSS not in after and "Good &lt;script&gt;alert(1)&lt;/script&gt;" in after
    assert "Empathised: met → not met" in after and "Audit chain verified" in after
    assert service.verify_case_chain(_store(app), reference)["ok"]
    [review] = reviews_of_case(_store(app), reference)
    assert review["disagreements"] == [{"criterion": "listen.empathised", "prefill": "met", "reviewer": "not_met"}]
    assert review["reviewer"] == SUPERVISOR[0] and review["staff"] == "Sam Staff"
    assert _queued(app)["status"] == "done"
    form["listen.apologised"] = "perhaps"
    bad = supervisor.post(f"/reviews/case/{reference}", data=form, follow_redirects=True).get_data(as_text=True)
    assert "was not saved" in bad and len(reviews_of_case(_store(app), reference)) == 1
    assert supervisor.get("/reviews/case/CS-1999-000001").status_code == 404


def test_report_page_and_csv(app: Flask, supervisor: FlaskClient) -> None:
    reference = str(_queued(app)["reference"])
    page = supervisor.get(f"/reviews/case/{reference}").get_data(as_text=True)
    form = {m.group(1): m.group(2) for m in re.finditer(r'name="([^"]+)" value="([^"]+)" checked', page)}
    form.update(
        {"csrf_token": _token(page), "comments": f"{CUSTOMER[0]} {CUSTOMER[1]}", "confirm.follow_up": "not_met"}
    )
    assert supervisor.post(f"/reviews/case/{reference}", data=form).status_code == 302
    report = supervisor.get("/reviews/report?since=30d").get_data(as_text=True)
    assert "1 of 2 complaint conversations reviewed (50%)" in report
    assert "Follow-up arranged" in report and "Sam Staff" in report and "2026-W" in report
    response = supervisor.get("/reviews/report.csv?since=30d")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    text = response.get_data(as_text=True)
    assert text.count("\n") == 2 and reference in text
    for personal in (CUSTOMER[1], CUSTOMER[2], "Jane"):
        assert personal not in text
