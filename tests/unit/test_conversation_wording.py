"""The wording catalogue (data/wording/messages.yml): every message renders, every id the code uses exists."""

from __future__ import annotations

import re
import string
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.conversation import wording
from bot.conversation.outcome import STATUSES
from bot.conversation.replies import Turn, reply
from bot.conversation.steps.defect import ANY_PART, CATEGORY_BUTTONS, COMPONENT_BUTTONS
from bot.conversation.wording import STAGES, WordingError, parse_catalogue, say
from bot.vocabulary import DEFECT_CATEGORIES, PRIORITIES, RESOLUTION_TYPES

ROOT = Path(__file__).resolve().parents[2]
CODE = [*sorted((ROOT / "bot" / "conversation").rglob("*.py")), ROOT / "bot" / "followups" / "conversation.py"]
CODE += sorted((ROOT / "actions").glob("*.py"))
# A literal message id passed to the functions that say one.
SAID = re.compile(r"""\b(?:say|reply|said_button|composed|template|has)\(\s*["']([a-z_]+\.[a-z_.]+)["']""")
SAID_ON_TURN = re.compile(r"""\bturn\.say\(\s*["']([a-z_]+\.[a-z_.]+)["']""")


def _values(message: wording.Message) -> dict[str, Any]:
    return {name: f"<{name}>" for name in message.placeholders}


@pytest.mark.parametrize("message_id", sorted(wording.catalogue()))
def test_every_message_renders_with_its_placeholders(message_id: str) -> None:
    message = wording.message(message_id)
    text = say(message_id, **_values(message))
    assert text and "{" not in text and "}" not in text
    assert message.stage in STAGES


def test_every_id_the_code_says_is_in_the_catalogue() -> None:
    used: set[str] = set()
    for path in CODE:
        source = path.read_text(encoding="utf-8")
        used |= set(SAID.findall(source)) | set(SAID_ON_TURN.findall(source))
    assert len(used) > 50, used  # the scan finds the conversation's messages
    missing = sorted(i for i in used if not wording.has(i))
    assert not missing, missing


def test_the_ids_the_code_builds_are_in_the_catalogue() -> None:
    built = [f"category.label.{c}" for c in DEFECT_CATEGORIES]
    built += [f"category.button.{c}" for c in CATEGORY_BUTTONS]
    parts = {p for group in COMPONENT_BUTTONS.values() for p in group} | set(ANY_PART)
    built += [f"component.button.{p}" for p in sorted(parts)]
    built += [f"next_steps.{r}" for r in RESOLUTION_TYPES]
    built += [f"promise.{p}" for p in PRIORITIES]
    built += [f"status.{s}" for s in STATUSES]
    built += [f"clarify.{i}" for i in ("report_problem", "check_status", "request_human", "choose_resolution")]
    built += [f"clarify.{i}" for i in ("cancel", "greet")]
    assert not [i for i in built if not wording.has(i)]


def test_an_unknown_id_or_a_wrong_value_is_an_error() -> None:
    with pytest.raises(WordingError, match="no message"):
        say("listen.no_such_message")
    with pytest.raises(WordingError, match="missing"):
        say("order.found", order_number="ORD-1")
    with pytest.raises(WordingError, match="unused"):
        say("listen.heard", product="boots")


@pytest.mark.parametrize(
    "data",
    [
        {"responses": {}},
        {"messages": {"a.b": {"stage": "later", "text": "x"}}},
        {"messages": {"a.b": {"stage": "listen", "text": ""}}},
        {"messages": {"a.b": {"stage": "listen", "text": "x", "extra": 1}}},
        {"messages": {"a.b": {"stage": "listen", "text": "{0} and {}"}}},
        {"messages": {"a.b": {"stage": "listen", "text": "an { unclosed"}}},
        {"messages": {}, "nlu": []},
    ],
)
def test_a_malformed_catalogue_is_refused(data: Any) -> None:
    with pytest.raises(WordingError):
        parse_catalogue(data)


def test_the_catalogue_is_not_rasa_training_data() -> None:
    """Rasa reads every YAML file under data/: the catalogue holds none of its keys."""
    data = yaml.safe_load(wording.WORDING_FILE.read_text(encoding="utf-8"))
    assert set(data) == {"messages"}
    assert not {"nlu", "stories", "rules", "responses", "intents"} & set(data)


def test_replies_carry_their_wording_id_and_stage() -> None:
    said = reply("ask.injury_reported")
    assert (said.text, said.stage, said.message_id) == ("Was anyone hurt?", "understand", "ask.injury_reported")
    turn = Turn()
    turn.say("order.found", order_number="ORD-1", product_name="boots")
    assert turn.replies[0].message_id == "order.found" and turn.replies[0].stage == "understand"
    assert turn.replies[0].text == "Thanks, I've found order ORD-1 (boots)."


def test_placeholders_are_plain_names() -> None:
    for message in wording.catalogue().values():
        for _literal, name, spec, conversion in string.Formatter().parse(message.text):
            assert name is None or (name.isidentifier() and not spec and not conversion), message.id
