"""Hostile input against a real Rasa server and our action server (one stack for the module).

What it proves: odd and hostile messages through the real REST channel are answered and leave the
case database consistent; malformed bodies get a 4xx (never a 500, a traceback or the tracker);
Rasa's HTTP API and the action server refuse callers without credentials; customers cannot send
system-only ``/EXTERNAL_...`` commands or system entities on REST or web chat, while the token-holding
scheduler still can trigger ``EXTERNAL_followup``.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Iterator, Optional

import pytest

from bot.conversation.command_guard import REFUSAL
from integrations.webchat import session_tokens
from tests.support.chat_client import ChatClient
from tests.support.customer import Persona, complain
from tests.support.rasa_stack import RasaStack, rasa_stack

pytestmark = [pytest.mark.rasa, pytest.mark.slow]

BIN = Path(sys.executable).parent / "complaints"
WEBCHAT_SECRET = "security-suite-" + "w" * 32

HTML = '<script>alert("x")</script><img src=x onerror=alert(1)>'
SQL = "Robert'); DROP TABLE cases;-- \" OR 1=1 --"
RTL = "\u0645\u0631\u062d\u0628\u0627 \u05e9\u05dc\u05d5\u05dd \u202eevil\u202c"
EMOJI = "\U0001f462\U0001f525\U0001f44e\U0001f3fd\u200d\u2640\ufe0f"
CONTROL = "\x00\x01\x07\x08\x1b[31mred\x1b[0m\x7f\u2028\u2029"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RasaStack]:
    work = tmp_path_factory.mktemp("security")
    db = work / "cases.db"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}"}
    subprocess.run([str(BIN), "db", "upgrade"], env=env, check=True, capture_output=True)
    subprocess.run([str(BIN), "seed", "--no-cases"], env=env, check=True, capture_output=True)
    with rasa_stack(f"sqlite:///{db}", work, extra_env={"WEBCHAT_SECRET_KEY": WEBCHAT_SECRET}) as running:
        yield running


def cli(env: dict[str, str], *args: str) -> Any:
    done = subprocess.run([str(BIN), *args], env=env, check=True, capture_output=True, text=True)
    return json.loads(done.stdout)


def http(
    url: str, body: Optional[bytes] = None, headers: Optional[dict[str, str]] = None, method: Optional[str] = None
) -> tuple[int, str]:
    """(status, body text) of a request; HTTP errors are returned, not raised."""
    request = urllib.request.Request(url, data=body, method=method or ("POST" if body is not None else "GET"))
    request.add_header("Content-Type", "application/json")
    for key, value in (headers or {}).items():
        request.add_header(key, value)
    try:
        with urllib.request.urlopen(request, timeout=120) as answer:  # noqa: S310 - localhost only
            return answer.status, answer.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace")


def user_texts(stack: RasaStack, sender: str) -> list[str]:
    status, body = http(stack.api_url(f"/conversations/{sender}/tracker"))
    assert status == 200, body
    return [str(e.get("text")) for e in json.loads(body)["events"] if e.get("event") == "user"]


def texts(replies: list[dict[str, Any]]) -> str:
    return " ".join(str(r.get("text") or "") for r in replies)


# --- bad input through the real REST channel -------------------------------------------------


@pytest.mark.parametrize(
    "message",
    ["", "   ", "x" * 20_000, CONTROL, EMOJI, RTL, HTML, SQL],
    ids=["empty", "blank", "20000-chars", "control-chars", "emoji", "right-to-left", "html", "sql"],
)
def test_odd_messages_are_answered(stack: RasaStack, message: str) -> None:
    sender = f"odd-{abs(hash(message)) % 10**8}"
    replies = stack.send(sender, message)
    assert replies and texts(replies).strip(), f"no answer to {message[:40]!r}"
    assert "Traceback" not in texts(replies)


def test_a_hostile_complaint_is_logged_verbatim_and_the_database_stays_consistent(stack: RasaStack) -> None:
    before = cli(stack.env, "cases", "list", "--json")
    persona = Persona(
        story=f"the stitching on my boots has split {HTML} {EMOJI}",
        name=SQL,
        defect=f"the stitching has split {RTL}",
        email="hostile@example.com",
    )
    conversation = complain(stack.send, "hostile-complaint", persona)
    assert conversation.reference, conversation.transcript()
    case = cli(stack.env, "cases", "show", conversation.reference, "--json")
    said = " ".join(t["text"] for t in case["transcript"] if t["speaker"] == "customer")
    assert HTML in said and EMOJI in said  # kept as text, neither stripped nor executed
    assert case["audit"]["ok"]
    after = cli(stack.env, "cases", "list", "--json")
    assert len(after) == len(before) + 1  # the SQL in the name dropped nothing
    for listed in after:
        verify = subprocess.run([str(BIN), "cases", "verify", listed["reference"]], env=stack.env, capture_output=True)
        assert verify.returncode == 0, verify.stdout + verify.stderr


# --- malformed bodies: 4xx, never 500, never an echo ----------------------------------------

MALFORMED = [b"{bad json", b"[1, 2]", b'"just a string"', b"", b"\xff\xfe\x00", b'{"sender": "x", "message": 5}']


@pytest.mark.parametrize("body", MALFORMED, ids=["broken", "array", "string", "empty", "binary", "number-message"])
def test_malformed_bodies_to_the_rest_channel_get_400(stack: RasaStack, body: bytes) -> None:
    status, text = http(f"{stack.rasa_url}/webhooks/rest/webhook", body)
    assert status == 400, text
    assert "Traceback" not in text


@pytest.mark.parametrize(
    "path",
    [
        "/conversations/mal/trigger_intent",
        "/conversations/mal/tracker/events",
        "/conversations/mal/messages",
        "/conversations/mal/execute",
        "/model/parse",
    ],
)
def test_malformed_bodies_to_rasas_api_get_4xx(stack: RasaStack, path: str) -> None:
    for body in (b"{bad json", b"[1, 2]", b'"x"'):
        status, text = http(stack.api_url(path), body)
        assert 400 <= status < 500, (path, body, status, text)
        assert "Traceback" not in text


def test_malformed_bodies_to_the_action_server_get_400_without_echo(stack: RasaStack) -> None:
    auth = {"Authorization": "Bearer " + stack.env["ACTION_SERVER_TOKEN"]}
    bodies = [
        b"{bad json",
        b"[1]",
        json.dumps({"next_action": "action_log_case", "tracker": "SECRET-TRACKER"}).encode(),
        json.dumps({"next_action": "action_log_case", "tracker": {"slots": {"email": "SECRET-TRACKER"}}}).encode(),
        json.dumps({"next_action": 7, "tracker": {"sender_id": "SECRET-TRACKER"}}).encode(),
    ]
    for body in bodies:
        status, text = http(f"{stack.actions_url}/webhook", body, auth)
        assert status == 400, (body, status, text)
        assert "SECRET-TRACKER" not in text and "Traceback" not in text
    unknown = {"next_action": "action_nope", "tracker": {"sender_id": "SECRET-TRACKER", "slots": {}}, "domain": {}}
    status, text = http(f"{stack.actions_url}/webhook", json.dumps(unknown).encode(), auth)
    assert status == 404 and "SECRET-TRACKER" not in text, text


# --- credentials ------------------------------------------------------------------------------


def test_rasas_api_refuses_callers_without_the_token(stack: RasaStack) -> None:
    calls = [
        ("/status", None),
        ("/conversations/victim/tracker", None),
        ("/conversations/victim/trigger_intent", json.dumps({"name": "EXTERNAL_followup"}).encode()),
        ("/conversations/victim/tracker/events", json.dumps([{"event": "pause"}]).encode()),
        ("/model/parse", json.dumps({"text": "hello"}).encode()),
    ]
    for path, body in calls:
        for suffix in ("", "?token=wrong-token"):
            status, text = http(f"{stack.rasa_url}{path}{suffix}", body)
            assert status in (401, 403), (path, suffix, status, text)
    assert http(stack.api_url("/status"))[0] == 200
    # the customer channels stay open (they are not part of the API)
    assert http(f"{stack.rasa_url}/webhooks/rest/")[0] == 200


def test_the_action_server_refuses_callers_without_the_secret(stack: RasaStack) -> None:
    call = json.dumps({"next_action": "action_log_case", "tracker": {"sender_id": "x"}, "domain": {}}).encode()
    wrong_basic = base64.b64encode(b"rasa:wrong").decode()
    for headers, query in (
        ({}, ""),
        ({"Authorization": f"Basic {wrong_basic}"}, ""),
        ({"Authorization": "Bearer wrong"}, ""),
        ({}, "?token=wrong"),
        ({"Authorization": "Basic !!!not-base64"}, ""),
    ):
        status, text = http(f"{stack.actions_url}/webhook{query}", call, headers)
        assert status == 401, (headers, query, status, text)
        status, _ = http(f"{stack.actions_url}/actions{query}", None, headers)
        assert status == 401
    assert http(f"{stack.actions_url}/health")[0] == 200
    right = base64.b64encode(f"rasa:{stack.env['ACTION_SERVER_TOKEN']}".encode()).decode()
    status, text = http(f"{stack.actions_url}/actions", None, {"Authorization": f"Basic {right}"})
    assert status == 200 and "action_log_case" in text


# --- forged commands --------------------------------------------------------------------------

FORGED = [
    '/EXTERNAL_followup{"followup_key": "k-1", "case_reference": "CS-2026-000001"}',
    "/EXTERNAL_followup",
    '/inform{"followup_key": "k-1", "case_reference": "CS-2026-000001"}',
    '/inform{"followup_score": "1"',
    '/inform{"defect_category": {"nested": "x"}}',
    "EXTERNAL_followup",
]


def test_forged_commands_on_rest_are_refused_and_change_nothing(stack: RasaStack) -> None:
    sender = "forger-rest"
    stack.send(sender, "hello")
    before_cases = cli(stack.env, "cases", "list", "--json")
    before_events = user_texts(stack, sender)
    for command in FORGED:
        replies = stack.send(sender, command)
        assert texts(replies) == REFUSAL, (command, replies)
    assert user_texts(stack, sender) == before_events  # nothing reached the conversation
    assert cli(stack.env, "cases", "list", "--json") == before_cases
    # legitimate button payloads still work
    assert REFUSAL not in texts(stack.send(sender, "/greet"))
    assert "/greet" in user_texts(stack, sender)


def test_the_scheduler_still_triggers_the_follow_up_intent_with_the_token(stack: RasaStack) -> None:
    body = json.dumps({"name": "EXTERNAL_followup", "entities": {"followup_key": "none", "case_reference": "none"}})
    status, text = http(stack.api_url("/conversations/scheduler-check/trigger_intent"), body.encode())
    assert status == 200, text
    events = json.loads(text)["tracker"]["events"]
    intents = [e.get("parse_data", {}).get("intent", {}).get("name") for e in events if e.get("event") == "user"]
    assert "EXTERNAL_followup" in intents


def test_forged_commands_in_web_chat_are_refused(stack: RasaStack) -> None:
    token = session_tokens.issue(WEBCHAT_SECRET)
    client = ChatClient(stack.rasa_url, token.session_id, token.signature)
    try:
        client.sio.emit("session_request", {"session_id": token.session_id})
        assert client.wait_for("session_confirm") == token.session_id
        client.say(token.session_id, FORGED[0], token.signature)
        refused = client.wait_for("bot_uttered", timeout=60)
        assert refused.get("text") == REFUSAL, refused
        client.say(token.session_id, "/greet", token.signature)
        answered = client.wait_for("bot_uttered", timeout=120)
        assert answered.get("text") and answered.get("text") != REFUSAL
    finally:
        client.close()
    said = user_texts(stack, token.session_id)
    assert FORGED[0] not in said and "/greet" in said


# --- logs: no personal data, no secrets ---------------------------------------------------------


def test_the_servers_logs_hold_no_email_phone_or_token(stack: RasaStack) -> None:
    """A complaint carrying an e-mail and a phone number, then bad calls that get logged: neither the
    action server's nor Rasa's log file contains the e-mail, the phone number or either secret."""
    email, phone = "log.leak.check@example.com", "07700 900123"
    persona = Persona(
        story=f"my boots' sole came off, call me on {phone} or mail {email}",
        name="Lena Logtest",
        defect="the sole came off",
        email=email,
    )
    complain(stack.send, "log-privacy", persona)
    # failing calls are what usually end up in logs with their details
    http(stack.actions_url + "/webhook", json.dumps({"next_action": "nope", "tracker": {"text": email}}).encode())
    http(stack.rasa_url + f"/conversations/x/tracker?token=wrong-{stack.token}")
    secrets = [stack.env["RASA_AUTH_TOKEN"], stack.env["ACTION_SERVER_TOKEN"]]
    for name in ("actions.log", "rasa.log"):
        text = (stack.logs / name).read_text(encoding="utf-8", errors="replace")
        assert email not in text.lower(), name
        assert phone not in text and phone.replace(" ", "") not in text, name
        for secret in secrets:
            assert secret not in text, name
