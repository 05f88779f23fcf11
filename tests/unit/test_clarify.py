"""Low-confidence messages get a clarifying question with the two likeliest meanings, not a guess."""

from __future__ import annotations

import asyncio
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.confirm import ActionClarify


def _tracker(text: str, ranking: list[tuple[str, float]]) -> Tracker:
    latest = {
        "text": text,
        "intent": {"name": "nlu_fallback", "confidence": 0.35},
        "intent_ranking": [{"name": name, "confidence": conf} for name, conf in ranking],
    }
    events: list[dict[str, Any]] = [{"event": "user", "text": text, "parse_data": latest}]
    return Tracker("c1", {}, latest, events, False, None, {}, "action_listen")


def _run(tracker: Tracker) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionClarify().run(dispatcher, tracker, {}))
    return dispatcher.messages, events


def test_two_likeliest_meanings_as_buttons_and_the_message_is_forgotten() -> None:
    ranking = [("nlu_fallback", 0.35), ("check_status", 0.31), ("report_problem", 0.30), ("greet", 0.2)]
    messages, events = _run(_tracker("boots thing from before?", ranking))
    assert len(messages) == 1
    buttons = messages[0]["buttons"]
    assert [b["payload"] for b in buttons] == ["/check_status", "/report_problem", "/request_human"]
    assert "not sure" in messages[0]["text"]
    assert [e["event"] for e in events] == ["rewind"]


def test_without_known_candidates_it_asks_to_rephrase() -> None:
    messages, events = _run(_tracker("zzzz", [("nlu_fallback", 0.35), ("chitchat", 0.2)]))
    assert len(messages) == 1 and not messages[0].get("buttons")
    assert [e["event"] for e in events] == ["rewind"]
