"""The Rasa-process speed-up checks action server answers exactly like Rasa's own check."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction

from integrations import rasa_speedups

GOOD: dict[str, Any] = {
    "events": [
        {"event": "slot", "name": "requested_slot", "value": "order_number", "timestamp": None},
        {"event": "active_loop", "name": None},
    ],
    "responses": [{"text": "What's your order number?", "buttons": []}],
}
BAD_ANSWERS: list[dict[str, Any]] = [
    {"events": "not a list", "responses": []},
    {"events": [{"event": "no_such_event"}], "responses": []},
    {"events": [{"event": "slot", "value": 1}], "responses": []},  # a slot event without a name
    {"events": [], "responses": ["not an object"]},
]


def _rasa_original_error(answer: dict[str, Any]) -> str:
    """The message of the error Rasa's unpatched check (jsonschema.validate) raises."""
    with pytest.raises(jsonschema.ValidationError) as raised:
        jsonschema.validate(answer, RemoteAction.action_response_format_spec())
    return raised.value.message


def test_loading_the_rest_channel_installs_the_speedup() -> None:
    import integrations.customer_channels  # noqa: F401 - what Rasa loads from credentials.yml

    assert rasa_speedups.install() is True
    assert RemoteAction._validate_action_result.__module__ == "integrations.rasa_speedups"
    assert rasa_speedups.install() is True  # idempotent


def test_a_valid_answer_passes() -> None:
    rasa_speedups.install()
    action = RemoteAction("action_ask_order_number", None)
    assert action._validate_action_result(GOOD) is True
    assert action._validate_action_result({"events": [], "responses": []}) is True


@pytest.mark.parametrize("answer", BAD_ANSWERS)
def test_an_invalid_answer_raises_the_same_error_as_rasa(answer: dict[str, Any]) -> None:
    rasa_speedups.install()
    expected = _rasa_original_error(answer)
    action = RemoteAction("validate_complaint_form", None)
    with pytest.raises(jsonschema.ValidationError) as raised:
        action._validate_action_result(answer)
    assert raised.value.message.startswith(expected)
    assert "Failed to validate Action server response from API" in raised.value.message
