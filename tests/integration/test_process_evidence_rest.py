"""Process evidence from real conversations over the REST channel (issue #19): stages, Confirm, hand-offs, sync.

Complete complaints are 100% followed with no flags, every bot line shown with a case has its stage, and the
lines stored with the case end with the confirmation giving the reference even when Rasa's tracker store is not
read; a hand-off to a person before the read-back is flagged; staff takeover lines and later messages are
appended to the case exactly once.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable

import pytest

from tests.integration.test_conversation_rest import SCENARIOS
from tests.support.customer import Persona, complain
from tests.support.rasa_stack import RasaStack

pytestmark = [pytest.mark.rasa, pytest.mark.slow]

BIN = Path(sys.executable).parent / "complaints"
COMPLETE = [s for s in SCENARIOS if s[0] in ("stitching-hiker", "chelsea-correction", "safety-boot")]


def cli(env: dict[str, str], *args: str) -> Any:
    result = subprocess.run([str(BIN), *args], capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def snapshot_env(stack: RasaStack) -> dict[str, str]:
    """The CLI without Rasa's tracker store: the case shows only the lines stored with it."""
    return {**stack.env, "TRACKER_STORE": "memory"}


def eventually(check: Callable[[], Any], seconds: float = 10.0) -> Any:
    """``check()`` once it is truthy (the logging action stores its confirmation in the background)."""
    deadline = time.monotonic() + seconds
    while True:
        result = check()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(0.3)


def weeks(report: dict[str, Any]) -> tuple[int, int]:
    compliance = report["compliance"]["weeks"]
    return sum(w["conversations"] for w in compliance), sum(w["followed"] for w in compliance)


def stored_ends_confirmed(stack: RasaStack, reference: str) -> bool:
    case = cli(snapshot_env(stack), "cases", "show", reference, "--json")
    said = [t for t in case["transcript"] if t["speaker"] == "bot"]
    return bool(said) and said[-2]["message_id"] == "confirm.case_logged" and reference in said[-2]["text"]


@pytest.fixture(scope="module")
def stack(shared_stack: RasaStack) -> RasaStack:
    """The session's shared Rasa stack (tests/integration/conftest.py)."""
    return shared_stack


@pytest.fixture(scope="module")
def complete(stack: RasaStack) -> dict[str, Any]:
    """Three complete complaints, with the process report before and after them."""
    before = cli(stack.env, "report", "process", "--since", "7d", "--json")
    references = {}
    for name, persona, *_ in COMPLETE:
        persona = Persona(**{**persona.__dict__, "corrections": list(persona.corrections)})
        conversation = complain(stack.send, f"evidence-{name}", persona)
        assert conversation.reference, conversation.transcript()
        references[name] = conversation.reference
    for reference in references.values():
        assert eventually(lambda ref=reference: stored_ends_confirmed(stack, ref)), reference
    after = cli(stack.env, "report", "process", "--since", "7d", "--json")
    return {"references": references, "before": before, "after": after}


def test_complete_complaints_are_all_followed_with_no_flags(complete: dict[str, Any]) -> None:
    references = set(complete["references"].values())
    flagged = {f["reference"]: f["problems"] for f in complete["after"]["compliance"]["flagged"]}
    assert not references & set(flagged), flagged
    conversations_before, followed_before = weeks(complete["before"])
    conversations_after, followed_after = weeks(complete["after"])
    assert conversations_after - conversations_before == len(references)
    assert followed_after - followed_before == len(references)  # 100% of them followed the whole flow


def test_every_bot_line_of_the_case_has_its_stage(stack: RasaStack, complete: dict[str, Any]) -> None:
    for reference in complete["references"].values():
        case = cli(stack.env, "cases", "show", reference, "--json")
        assert case["transcript_source"] == "tracker_store"
        said = [t for t in case["transcript"] if t["speaker"] == "bot"]
        assert said and all(t["stage"] in ("listen", "understand", "resolve", "confirm") for t in said), said
        assert all(t["message_id"] for t in said), said
        assert {t["stage"] for t in said} == {"listen", "understand", "resolve", "confirm"}
        assert "read_back.intro" in [t["message_id"] for t in said]


def test_the_stored_lines_end_with_the_confirmation_without_the_tracker_store(
    stack: RasaStack, complete: dict[str, Any]
) -> None:
    for reference in complete["references"].values():
        case = cli(snapshot_env(stack), "cases", "show", reference, "--json")
        assert case["transcript_source"] == "case_snapshot"
        said = [t for t in case["transcript"] if t["speaker"] == "bot"]
        assert [t["message_id"] for t in said[-2:]] == ["confirm.case_logged", "confirm.anything_else"]
        assert reference in said[-2]["text"] and said[-2]["stage"] == "confirm"
        assert all(t["stage"] for t in said), said


def test_a_hand_off_before_the_read_back_is_flagged(stack: RasaStack) -> None:
    sender = "evidence-early-person"
    stack.send(sender, "the sole of my Kestrel Hiker is coming away")
    replies = stack.send(sender, "I want to speak to a real person")
    assert "member of our team" in " ".join(str(r.get("text")) for r in replies)
    [case] = [c for c in cli(stack.env, "cases", "list", "--json") if c["conversation_id"] == sender]
    reference = case["reference"]

    def handed_over() -> bool:
        stored = cli(snapshot_env(stack), "cases", "show", reference, "--json")["transcript"]
        return stored[-1].get("message_id") == "handoff.with_case"

    assert eventually(handed_over)
    flagged = {
        f["reference"]: f["problems"] for f in cli(stack.env, "report", "process", "--json")["compliance"]["flagged"]
    }
    assert "handed over before the read-back" in flagged[reference], flagged.get(reference)


def test_sync_appends_staff_takeover_and_later_lines_exactly_once(stack: RasaStack, complete: dict[str, Any]) -> None:
    from bot.cases.store import open_store
    from bot.settings import load_settings
    from integrations.rasa_client import RasaClient
    from integrations.slack.takeover import staff_says

    reference = complete["references"]["stitching-hiker"]
    sender = "evidence-stitching-hiker"

    class NoSlack:
        def chat_postMessage(self, **kwargs: Any) -> None:  # noqa: N802 - Slack's name; unused for REST customers
            raise AssertionError("a REST customer is not written to in Slack")

    store = open_store(load_settings({"DATABASE_URL": stack.env["DATABASE_URL"]}))
    try:
        staff_text = "Hello, this is Sam from the workshop: your replacement is on its way today."
        assert staff_says(
            store, NoSlack(), RasaClient(stack.rasa_url, stack.token), reference, staff_text, "U0SAM", "Ev1"
        )
    finally:
        store.dispose()
    stack.send(sender, "thank you!")
    first = cli(stack.env, "transcripts", "sync", "--json")
    second = cli(stack.env, "transcripts", "sync", "--json")
    assert first["lines_added"] >= 2 and second["lines_added"] == 0, (first, second)
    stored = cli(snapshot_env(stack), "cases", "show", reference, "--json")["transcript"]
    staff = [t for t in stored if t["speaker"] == "staff"]
    assert [(t["text"], t["actor"], t["stage"]) for t in staff] == [(staff_text, "slack:U0SAM", None)]
    assert [t["text"] for t in stored if t["speaker"] == "customer"].count("thank you!") == 1
    assert stored.index(staff[0]) > [t.get("message_id") for t in stored].index("confirm.case_logged")
    flagged = {f["reference"] for f in cli(stack.env, "report", "process", "--json")["compliance"]["flagged"]}
    assert reference not in flagged  # what follows the logged case does not make its flow look broken
