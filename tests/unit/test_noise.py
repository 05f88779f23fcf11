"""Noise gets no confident intent: bot/nlp/garbage.py and the Rasa NoiseGuard component."""

from __future__ import annotations

import pytest

from bot.nlp.garbage import is_noise


@pytest.mark.parametrize("text", ["65", "?", "", "   ", "😀😀😀", "asdfgh", "qwerty uiop", "!!!", "jbkj ..", "12 34"])
def test_messages_without_a_word_are_noise(text: str) -> None:
    assert is_noise(text)


@pytest.mark.parametrize(
    "text",
    [
        "Please cacel my order",
        "whats ur helpline number pls",
        "can someone ring me back after 5pm",
        "hii",
        "pls",
        "ORD-100087",
        "CS-2026-000123",
        "me@example.com",
        "no",
        "received damaged",
        "mera order kab aayega",
        "heel 👠 broke 😡",
    ],
)
def test_messages_with_a_word_or_a_code_are_not_noise(text: str) -> None:
    assert not is_noise(text)


def test_the_rasa_component_turns_noise_into_the_fallback() -> None:
    from rasa.shared.nlu.training_data.message import Message

    from integrations.rasa_nlu.noise_guard import NoiseGuard

    noisy = Message(data={"text": "65", "intent": {"name": "inform", "confidence": 0.99}})
    clear = Message(data={"text": "cancel my order", "intent": {"name": "cancel", "confidence": 0.97}})
    NoiseGuard().process([noisy, clear])
    assert noisy.get("intent")["name"] == "nlu_fallback"
    assert [r["name"] for r in noisy.get("intent_ranking")] == ["nlu_fallback"]
    assert clear.get("intent")["name"] == "cancel"
