"""The review of a conversation in a real browser (Debian's Chromium driven by Playwright).

Starts ``complaints web`` on a seeded SQLite database whose review queue the CLI filled; a supervisor
signs in, opens the queue and a conversation, changes a pre-filled score, writes a comment with
``<script>`` in it and saves. The case's audit chain verifies (``complaints cases verify``) and the comment
shows as text. An agent signing in gets no Reviews page.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any, Iterator

import pytest

from tests.e2e.test_dashboard_browser import BIN, CHROMIUM, CHROMIUM_ARGS, _ensure_chromium, _run, _shot
from tests.support.servers import free_port, wait_for_port

pytestmark = pytest.mark.browser

SUPERVISOR = ("rita.reviewer@example.com", "a-long-reviewer-password")
AGENT = ("andy.agent@example.com", "a-long-agent-password")
COMMENT = "Clear read-back. <script>window.__reviewXss = 1</script>"


@pytest.fixture(scope="module")
def review_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The environment of a seeded database with users and a filled review queue."""
    tmp = tmp_path_factory.mktemp("reviews")
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp / 'reviews.db'}",
        "DASHBOARD_SECRET_KEY": "e2e-" + os.urandom(16).hex(),
        "COMPLAINTS_ENV": "development",
        "REVIEW_SAMPLE_SHARE": "1",
    }
    _run(env, "db", "upgrade")
    _run(env, "seed")
    for (email, password), role in ((SUPERVISOR, "supervisor"), (AGENT, "agent")):
        _run(env, "users", "add", email, "--role", role, "--name", role.title(), "--password-stdin", stdin=password)
    _run(env, "reviews", "fill")
    return env


@pytest.fixture(scope="module")
def dashboard(review_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """URL of the running dashboard."""
    port = free_port()
    log = open(tmp_path_factory.mktemp("web") / "web.log", "w")  # noqa: SIM115
    process = subprocess.Popen(
        [str(BIN), "web", "--port", str(port)], env=review_env, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        wait_for_port(port, timeout=60)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    _ensure_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


def _sign_in(page: Any, dashboard: str, email: str, password: str) -> None:
    page.goto(dashboard + "/login")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(dashboard + "/")


def _verify(env: dict[str, str], reference: str) -> dict[str, Any]:
    result = subprocess.run(
        [str(BIN), "cases", "verify", reference], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    report: dict[str, Any] = json.loads(result.stdout)
    return report


def test_supervisor_reviews_a_conversation(dashboard: str, browser: Any, review_env: dict[str, str]) -> None:
    context = browser.new_context(viewport={"width": 1360, "height": 900})
    page = context.new_page()
    try:
        _sign_in(page, dashboard, *SUPERVISOR)
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Reviews").click()
        page.get_by_role("heading", name="Review queue").wait_for()
        assert page.locator("table.review-queue").get_by_text("random sample").first.is_visible()
        _shot(page, "dashboard-review-queue", full_page=False)

        first = page.locator("table.review-queue tbody tr a").first
        reference = first.inner_text().strip()
        first.click()
        page.get_by_role("heading", name=f"Review of {reference}").wait_for()
        assert page.locator("ol.transcript .stage").count() > 0

        criterion = page.locator('fieldset[data-criterion="listen.empathised"]')
        prefilled = criterion.locator("input[type=radio]:checked").get_attribute("value")
        changed = "not_met" if prefilled != "not_met" else "met"
        criterion.locator(f'input[value="{changed}"]').check()
        page.get_by_label("Comments: what was good, what must change").fill(COMMENT)
        page.get_by_label("Coaching note").fill("Name the fault back to the customer.")
        page.get_by_role("button", name="Save review").click()

        page.get_by_text("Review saved").wait_for()
        assert page.get_by_text("Audit chain verified").is_visible()
        assert page.locator("td.review-comments").first.inner_text() == COMMENT
        assert page.evaluate("window.__reviewXss") is None
        assert "Empathised:" in page.locator("table.review-history").inner_text()
        _shot(page, "dashboard-review-scorecard")
    finally:
        context.close()

    report = _verify(review_env, reference)
    assert report["ok"] and report["problems"] == []


def test_agent_gets_no_reviews_page(dashboard: str, browser: Any) -> None:
    context = browser.new_context()
    page = context.new_page()
    try:
        _sign_in(page, dashboard, *AGENT)
        assert page.get_by_role("navigation", name="Main").get_by_role("link", name="Reviews").count() == 0
        response = page.goto(dashboard + "/reviews")
        assert response is not None and response.status == 403
    finally:
        context.close()


def test_review_report_page(dashboard: str, browser: Any) -> None:
    context = browser.new_context(accept_downloads=True)
    page = context.new_page()
    try:
        _sign_in(page, dashboard, *SUPERVISOR)
        page.goto(dashboard + "/reviews/report?since=365d")
        page.get_by_role("heading", name="Review reports").wait_for()
        assert "complaint conversations reviewed" in page.locator("#coverage").inner_text()
        with page.expect_download() as download_info:
            page.get_by_role("link", name="Download the reviews").click()
        path = download_info.value.path()
        assert path is not None and Path(path).read_text(encoding="utf-8").startswith("review_id,reference")
    finally:
        context.close()
