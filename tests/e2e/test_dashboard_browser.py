"""The supervisor dashboard in a real browser (Debian's Chromium driven by Playwright).

Starts ``complaints web`` on a free port against a seeded SQLite database with a user made by the
CLI, signs in, filters, opens a case, reads its transcript and downloads the PDF export.
Screenshots go to ``test-artifacts/``; with ``DASHBOARD_SCREENSHOTS=DIR`` the page shots for the
README are also written to DIR (``docs/screenshots``).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, Iterator

import pytest

from tests.support.servers import free_port, wait_for_port

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent / "complaints"
CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = ROOT / "test-artifacts"
EMAIL, PASSWORD = "sue.supervisor@example.com", "a-long-supervisor-password"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _run(env: dict[str, str], *args: str, stdin: str | None = None) -> None:
    result = subprocess.run(
        [str(BIN), *args], env=env, input=stdin, capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, f"complaints {' '.join(args)} failed: {result.stderr}"


def _ensure_chromium() -> None:
    if not os.path.exists(CHROMIUM):
        subprocess.run([str(ROOT / "scripts" / "install_system_deps.sh"), "chromium"], check=True, timeout=900)
    assert os.path.exists(CHROMIUM), "Debian's chromium is needed: scripts/install_system_deps.sh chromium"


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """URL of a running dashboard on a seeded database."""
    tmp = tmp_path_factory.mktemp("dashboard")
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp / 'dashboard.db'}",
        "DASHBOARD_SECRET_KEY": "e2e-" + os.urandom(16).hex(),
        "COMPLAINTS_ENV": "development",
    }
    _run(env, "db", "upgrade")
    _run(env, "seed")
    _run(
        env,
        "users",
        "add",
        EMAIL,
        "--role",
        "supervisor",
        "--name",
        "Sue Supervisor",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    port = free_port()
    log = open(tmp / "web.log", "w")  # noqa: SIM115
    process = subprocess.Popen([str(BIN), "web", "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT)
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


def _shot(page: Any, name: str, full_page: bool = True) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=full_page)
    docs = os.environ.get("DASHBOARD_SCREENSHOTS")
    if docs:
        Path(docs).mkdir(parents=True, exist_ok=True)
        shutil.copy(ARTIFACTS / f"{name}.png", Path(docs) / f"{name}.png")


def test_sign_in_filter_open_case_and_download_pdf(dashboard: str, browser: Any, tmp_path: Path) -> None:
    context = browser.new_context(accept_downloads=True, viewport={"width": 1360, "height": 900})
    page = context.new_page()
    try:
        page.goto(dashboard + "/")
        assert "/login" in page.url
        page.get_by_label("E-mail address").fill(EMAIL)
        page.get_by_label("Password").fill("wrong-password-entirely")
        page.get_by_role("button", name="Sign in").click()
        assert page.get_by_role("alert").is_visible()
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(dashboard + "/")
        page.get_by_role("heading", name="Cases").wait_for()
        _shot(page, "dashboard-cases", full_page=False)

        page.get_by_label("Defect").select_option("stitching")
        page.get_by_label("Batch").fill("HGT-2026-B07")
        page.get_by_role("button", name="Filter").click()
        page.wait_for_url("**defect=stitching**")
        rows = page.locator("table.list tbody tr")
        assert rows.count() >= 3
        for text in rows.all_inner_texts():
            assert "stitching" in text and "HGT-2026-B07" in text

        page.locator("table.list tbody tr a").first.click()
        page.get_by_role("heading", name="Transcript").wait_for()
        transcript = page.locator("ol.transcript")
        assert "stitching" in transcript.inner_text().lower()
        assert page.get_by_text("Hash chain verified").is_visible()
        _shot(page, "dashboard-case")

        with page.expect_download() as download_info:
            page.get_by_role("button", name="Export PDF", exact=True).click()
        download = download_info.value
        target = tmp_path / download.suggested_filename
        download.save_as(str(target))
        assert target.suffix == ".pdf" and target.read_bytes().startswith(b"%PDF")

        page.reload()
        assert page.locator("ol.timeline").get_by_text("exported").count() >= 1

        page.goto(dashboard + "/reports?since=30d")
        page.get_by_role("heading", name="Recurring themes").wait_for()
        assert page.get_by_text("HGT-2026-B07").first.is_visible()
        _shot(page, "dashboard-reports")
        page.get_by_role("link", name="Open an investigation").last.click()
        page.get_by_role("heading", name="Open an investigation").wait_for()
        assert page.get_by_label("Batch", exact=True).input_value() == "HGT-2026-B07"
        page.get_by_label("Cause category").select_option("machine")
        whys = [
            "Side seams open after a few weeks",
            "The thread was not locked into the leather",
            "Thread tension on closing machine 3 was too low",
            "The tensioner spring was worn",
            "There is no weekly tension check",
        ]
        for n, why in enumerate(whys, start=1):
            page.get_by_label(f"Why {n}?", exact=True).fill(why)
        page.get_by_role("button", name="Open investigation").click()
        page.get_by_text("Investigation 1 opened").wait_for()
        done = (dt.date.today() - dt.timedelta(days=7)).isoformat()
        page.get_by_label("Action", exact=True).fill("Replace the tensioner spring; add a weekly tension check")
        page.get_by_label("Owner").fill("Closing room manager")
        page.get_by_label("Due date").fill(done)
        page.get_by_label("Done on").fill(done)
        page.get_by_role("button", name="Add corrective action").click()
        page.get_by_text("Corrective action added.").wait_for()
        page.get_by_role("button", name="Verify before / after").click()
        page.get_by_text("Verification updated.").wait_for()
        assert page.get_by_text("Before and after the action").is_visible()
        _shot(page, "dashboard-investigations")
    finally:
        context.close()
