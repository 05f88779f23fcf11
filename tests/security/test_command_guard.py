"""The customer command guard: system-only intents/entities and malformed commands never reach Rasa."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

from actions.confirm import ActionClarify
from bot.conversation.command_guard import REFUSAL, SYSTEM_ONLY_ENTITIES, check_customer_text, is_system_intent
from bot.conversation.replies import button as _button
from integrations.customer_channels import guard_messages, rest_body_problem

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text())
INTENTS = [i if isinstance(i, str) else next(iter(i)) for i in DOMAIN["intents"]]
ENTITIES = [e if isinstance(e, str) else next(iter(e)) for e in DOMAIN["entities"]]
CUSTOMER_INTENTS = [i for i in INTENTS if not is_system_intent(i)]
SYSTEM_INTENTS = [i for i in INTENTS if is_system_intent(i)]
CUSTOMER_ENTITIES = [e for e in ENTITIES if e not in SYSTEM_ONLY_ENTITIES]
FAST = settings(max_examples=80, deadline=None)
values = st.one_of(st.text(max_size=40), st.integers(), st.booleans())


def test_the_domain_names_its_system_intents_and_entities() -> None:
    assert SYSTEM_INTENTS == ["EXTERNAL_followup", "EXTERNAL_case_logged"]
    assert set(ENTITIES) >= SYSTEM_ONLY_ENTITIES


@FAST
@given(intent=st.sampled_from(CUSTOMER_INTENTS), entities=st.dictionaries(st.sampled_from(CUSTOMER_ENTITIES), values))
def test_every_button_payload_the_assistant_makes_is_accepted(intent: str, entities: dict[str, Any]) -> None:
    payload = _button("t", intent, **{k: str(v) for k, v in entities.items()})["payload"]
    assert check_customer_text(payload).allowed, payload


def test_fixed_buttons_are_accepted() -> None:
    fixed = [payload for _title, payload in ActionClarify.LABELS.values()]
    fixed += ["/affirm", "/deny"] + [f'/inform{{"followup_score":"{n}"}}' for n in range(1, 6)]
    for payload in fixed:
        assert check_customer_text(payload).allowed, payload


@FAST
@given(
    intent=st.sampled_from(SYSTEM_INTENTS),
    case=st.sampled_from([str, str.lower, str.upper]),
    entities=st.dictionaries(st.sampled_from(ENTITIES), values),
    spaces=st.sampled_from(["", " ", "\t", "\n "]),
)
def test_system_intents_are_refused_however_written(intent: str, case: Any, entities: dict, spaces: str) -> None:
    command = f"{spaces}/{case(intent)}{json.dumps(entities) if entities else ''}"
    assert not check_customer_text(command).allowed, command
    assert not check_customer_text(case(intent)).allowed  # typed as text, NLU must not see it either


@FAST
@given(
    intent=st.sampled_from(CUSTOMER_INTENTS),
    system=st.sampled_from(sorted(SYSTEM_ONLY_ENTITIES)),
    value=values,
    others=st.dictionaries(st.sampled_from(CUSTOMER_ENTITIES), values),
)
def test_system_entities_are_refused_on_any_intent(intent: str, system: str, value: Any, others: dict) -> None:
    command = f"/{intent}{json.dumps({**others, system: value})}"
    assert not check_customer_text(command).allowed, command


@FAST
@given(intent=st.sampled_from(CUSTOMER_INTENTS), junk=st.text(min_size=1, max_size=30))
def test_malformed_entity_json_is_refused(intent: str, junk: str) -> None:
    raw = "{" + junk + "}"
    try:
        parsed = json.loads(raw)
        good = isinstance(parsed, dict)
    except ValueError:
        good = False
    if "\n" in raw or "\r" in raw:
        return  # Rasa does not read entities across lines: such text is never a command with entities
    verdict = check_customer_text(f"/{intent}{raw}")
    if not good:
        assert not verdict.allowed, raw


def test_nested_entity_values_are_refused() -> None:
    assert not check_customer_text('/inform{"defect_category": {"x": 1}}').allowed
    assert not check_customer_text('/inform{"defect_category": [{"x": 1}]}').allowed
    assert check_customer_text('/inform{"defect_category": ["stitching"]}').allowed


@FAST
@given(st.text(max_size=300).filter(lambda t: not t.strip().startswith("/") and "external_" not in t.lower()))
def test_ordinary_text_is_never_refused(text: str) -> None:
    assert check_customer_text(text).allowed


def _run(message_text: str) -> tuple[list[UserMessage], list[dict[str, Any]]]:
    passed: list[UserMessage] = []

    async def on_new_message(message: UserMessage) -> None:
        passed.append(message)
        await message.output_channel.send_text_message(message.sender_id, "Hello from the assistant")

    output = CollectingOutputChannel()
    asyncio.run(guard_messages(on_new_message)(UserMessage(message_text, output, "customer-1", input_channel="rest")))
    return passed, output.messages


def test_the_channel_wrapper_answers_a_refused_command_and_passes_nothing_on() -> None:
    passed, said = _run('/EXTERNAL_followup{"followup_key":"k"}')
    assert passed == [] and [m["text"] for m in said] == [REFUSAL]
    passed, said = _run("/greet")
    assert [m.text for m in passed] == ["/greet"] and [m["text"] for m in said] == ["Hello from the assistant"]


@FAST
@given(
    st.one_of(
        st.binary(max_size=200),
        st.recursive(
            st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=20)),
            lambda inner: st.one_of(
                st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
            ),
            max_leaves=10,
        ).map(lambda value: json.dumps(value).encode()),
    )
)
def test_the_rest_body_check_accepts_only_proper_messages(body: bytes) -> None:
    problem = rest_body_problem(body)
    try:
        data = json.loads(body)
    except ValueError:
        assert problem is not None
        return
    proper = (
        isinstance(data, dict)
        and isinstance(data.get("message"), str)
        and (data.get("sender") is None or (isinstance(data["sender"], str) and data["sender"].strip() != ""))
        and (data.get("metadata") is None or isinstance(data["metadata"], dict))
    )
    assert (problem is None) == proper, (body, problem)
