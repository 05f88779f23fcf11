"""A customer reports a complaint in the web chat, in a real browser (Debian's Chromium via Playwright).

Starts the real Rasa + action server (socket.io channel with signed sessions) and ``complaints web``,
opens ``/chat``, tells the story by typing, answers with quick-reply buttons (some by keyboard only),
attaches photos before and after the case is logged, reloads the page and sees the conversation again,
checks the case and its photos through the CLI, runs axe-core and saves a screenshot to test-artifacts/.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Iterator

import pytest
from PIL import Image

from tests.support.customer import REFERENCE
from tests.support.rasa_stack import RasaStack, rasa_stack
from tests.support.servers import free_port, wait_for_port

pytestmark = [pytest.mark.browser, pytest.mark.rasa, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent / "complaints"
CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SECRET = "browser-chat-secret-" + "b" * 32
TODAY = dt.date.today()
CATALOGUE = """sku,name,line,category,materials,colours,sizes
KST-HK-01,Kestrel Hiker,Kestrel,boots,nubuck;rubber,moss;slate,UK 6;UK 7;UK 8;UK 9
"""
ORDERS = (
    "order_number,customer_name,customer_email,sku,size,colour,quantity,batch,order_date,delivery_date\n"
    f"KX/5521/A,Nia Roberts,nia.roberts@example.com,KST-HK-01,UK 7,moss,1,KST-B1,"
    f"{TODAY - dt.timedelta(days=14)},{TODAY - dt.timedelta(days=10)}\n"
)
# what the customer types when the assistant asks something that has no button
TYPED = [
    (re.compile(r"order number\?", re.I), "KX/5521/A"),
    (re.compile(r"which item is it about|which one is it about", re.I), "Kestrel Hiker"),
    (re.compile(r"what's wrong with it", re.I), "the stitching has split"),
    (re.compile(r"which part is affected", re.I), "the side seam"),
    (re.compile(r"when did you buy it", re.I), "two weeks ago"),
    (re.compile(r"what's your name|what should i call you", re.I), "Nia Roberts"),
    (re.compile(r"email address", re.I), "nia.roberts@example.com"),
    (re.compile(r"was anyone hurt", re.I), "no"),
]
# which quick reply to press, by the question it answers
BUTTONS = [
    (re.compile(r"is that all correct\?|is the summary right", re.I), re.compile(r"^(yes|correct|that's right)", re.I)),
    (re.compile(r"which would you (?:prefer|like)", re.I), re.compile(r"refund", re.I)),
    (re.compile(r"shall i go ahead\?|say yes to go ahead", re.I), re.compile(r"^yes", re.I)),
    (re.compile(r"was anyone hurt", re.I), re.compile(r"^no", re.I)),
]


def _cli(env: dict[str, str], *args: str) -> str:
    result = subprocess.run([str(BIN), *args], env=env, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, f"complaints {' '.join(args)} failed: {result.stderr}"
    return result.stdout


def _photo(colour: tuple[int, int, int]) -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"
    out = io.BytesIO()
    Image.new("RGB", (120, 90), colour).save(out, format="JPEG", exif=exif)
    return out.getvalue()


@pytest.fixture(scope="module")
def chat(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str], Path]]:
    """URL of the chat page, the environment, and the photos folder."""
    if not os.path.exists(CHROMIUM):
        subprocess.run([str(ROOT / "scripts" / "install_system_deps.sh"), "chromium"], check=True, timeout=900)
    if not (ROOT / "integrations" / "webchat" / "static" / "webchat" / "webchat.js").exists():
        subprocess.run([str(ROOT / "scripts" / "build_webchat.sh")], check=True, timeout=900)
    work = tmp_path_factory.mktemp("webchat")
    db = f"sqlite:///{work / 'cases.db'}"
    photos = work / "photos"
    env = {**os.environ, "DATABASE_URL": db, "WEBCHAT_SECRET_KEY": SECRET, "PHOTOS_DIR": str(photos)}
    _cli(env, "db", "upgrade")
    (work / "catalogue.csv").write_text(CATALOGUE)
    (work / "orders.csv").write_text(ORDERS)
    _cli(env, "import", "catalogue", str(work / "catalogue.csv"))
    _cli(env, "import", "orders", str(work / "orders.csv"))
    with rasa_stack(db, work, extra_env={"WEBCHAT_SECRET_KEY": SECRET}, extra_args=["--cors", "*"]) as stack:
        yield from _with_web(stack, env, work, photos)


def _with_web(
    stack: RasaStack, env: dict[str, str], work: Path, photos: Path
) -> Iterator[tuple[str, dict[str, str], Path]]:
    port = free_port()
    web_env = {**env, "RASA_SOCKET_URL": stack.rasa_url, "DASHBOARD_SECRET_KEY": "e2e-" + os.urandom(16).hex()}
    log = open(work / "web.log", "w")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [str(BIN), "web", "--port", str(port)], env=web_env, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT
    )
    try:
        wait_for_port(port, timeout=60)
        yield f"http://127.0.0.1:{port}", web_env, photos
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def _bot_texts(page: Any) -> list[str]:
    return [t.strip() for t in page.locator("#chat-widget .rw-response").all_inner_texts()]


def _wait_for_bot(page: Any, before: int, timeout: float = 120.0) -> list[str]:
    """Wait for new bot messages after ``before`` of them, until they stop coming."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and len(_bot_texts(page)) <= before:
        page.wait_for_timeout(250)
    texts = _bot_texts(page)
    assert len(texts) > before, f"the assistant did not answer:\n{texts}"
    stable_since = time.monotonic()
    while time.monotonic() - stable_since < 2.5 and time.monotonic() < deadline:
        page.wait_for_timeout(250)
        now = _bot_texts(page)
        if len(now) != len(texts):
            texts, stable_since = now, time.monotonic()
    return texts


def _type(page: Any, text: str) -> None:
    box = page.locator("#chat-widget .rw-new-message")
    box.click()
    box.fill(text)
    page.keyboard.press("Enter")


def test_complaint_in_the_browser(chat: tuple[str, dict[str, str], Path]) -> None:
    from playwright.sync_api import sync_playwright

    url, env, photos = chat
    ARTIFACTS.mkdir(exist_ok=True)
    work_photo = photos.parent
    (work_photo / "seam.jpg").write_bytes(_photo((150, 90, 40)))
    (work_photo / "sole.jpg").write_bytes(_photo((40, 90, 150)))
    (work_photo / "fake.jpg").write_bytes(b"<html><script>alert(1)</script></html>")
    console: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1100, "height": 1300})
            page.on("console", lambda m: console.append(f"{m.type}: {m.text}"))
            external: list[str] = []
            local = ("http://127.0.0.1", "data:", "blob:")
            page.on("request", lambda r: None if r.url.startswith(local) else external.append(r.url))
            page.goto(f"{url}/chat")
            session_id = page.locator("#chat-widget").get_attribute("data-session-id")
            assert session_id

            texts = _wait_for_bot(page, 0)
            assert "customer care assistant" in texts[0], texts

            # keyboard only: Tab to the message box, type, Enter
            page.locator("#chat-widget .rw-new-message").focus()
            page.keyboard.type("Hi, the stitching on my Kestrel Hiker has come apart along the side seam")
            page.keyboard.press("Enter")
            texts = _wait_for_bot(page, len(texts))

            # a photo before the case exists
            page.locator("#photo-input").set_input_files(str(work_photo / "seam.jpg"))
            page.locator("#photo-send").click()
            page.locator("#photo-status").filter(has_text="1 photo(s) attached").wait_for(timeout=30000)
            # a fake image is refused with a clear message
            page.locator("#photo-input").set_input_files(str(work_photo / "fake.jpg"))
            page.locator("#photo-send").click()
            page.locator("#photo-status").filter(has_text="JPEG, PNG or HEIC").wait_for(timeout=30000)

            reference = None
            used_keyboard_for_button = False
            for _ in range(20):
                joined = "\n".join(texts[-3:])
                found = REFERENCE.search(joined)
                if found and "logged your case" in joined:
                    reference = found.group(0)
                    break
                last = texts[-1]
                replies = page.locator("#chat-widget .rw-replies .rw-reply")
                pressed = False
                for question, choice in BUTTONS:
                    if question.search(last) and replies.count():
                        titles = [t.strip() for t in replies.all_inner_texts()]
                        index = next((i for i, t in enumerate(titles) if choice.search(t)), None)
                        assert index is not None, f"no button matching {choice.pattern} in {titles}"
                        button = replies.nth(index)
                        if not used_keyboard_for_button:
                            button.focus()
                            page.keyboard.press("Enter")
                            used_keyboard_for_button = True
                        else:
                            button.click()
                        pressed = True
                        break
                if not pressed:
                    answer = next((a for q, a in TYPED if q.search(last)), None)
                    assert answer is not None, f"no answer for: {last}\n{texts}"
                    _type(page, answer)
                texts = _wait_for_bot(page, len(texts))
            assert reference, "\n".join(texts)
            assert used_keyboard_for_button

            # reload: the same conversation is still there
            page.reload()
            page.locator("#chat-widget .rw-response").first.wait_for(timeout=30000)
            assert page.locator("#chat-widget").get_attribute("data-session-id") == session_id
            page.wait_for_timeout(1500)
            history = "\n".join(_bot_texts(page))
            assert reference in history, history

            # a photo after the case was logged is linked straight away
            page.locator("#photo-input").set_input_files(str(work_photo / "sole.jpg"))
            page.locator("#photo-send").click()
            page.locator("#photo-status").filter(has_text="1 photo(s) attached").wait_for(timeout=30000)

            # accessibility: axe-core (bundled, same origin) finds no serious or critical violations
            page.add_script_tag(url="/static/webchat/axe.min.js")
            result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
            serious = [
                {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
                for v in result["violations"]
                if v["impact"] in ("serious", "critical")
            ]
            (ARTIFACTS / "webchat-axe.json").write_text(json.dumps(result["violations"], indent=2))
            page.screenshot(path=str(ARTIFACTS / "webchat.png"), full_page=True)
            assert not serious, json.dumps(serious, indent=2)
            assert not external, f"loaded from outside the site: {external}"
        finally:
            browser.close()

    case = json.loads(_cli(env, "cases", "show", reference, "--json"))
    assert case["channel"] == "socketio"
    assert case["conversation_id"] == session_id
    assert case["product"]["sku"] == "KST-HK-01"
    assert case["resolution"]["type"] == "refund"
    assert len(case["photos"]) == 2, case["photos"]
    assert all(p["metadata_stripped"] for p in case["photos"])
    stored = sorted((photos / session_id).iterdir())
    assert len(stored) == 2 and all(b"SecretCam" not in p.read_bytes() for p in stored)
    assert "photos_attached" in [e["kind"] for e in case["events"]]
