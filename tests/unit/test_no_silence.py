"""A customer message always gets an answer, even when Rasa's handling sends nothing or fails."""

from __future__ import annotations

import asyncio
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

from bot.conversation.wording import say
from integrations.customer_channels import guard_messages

NO_ANSWER = say("listen.no_answer")


def handle(behaviour: str) -> Any:
    async def on_new_message(message: UserMessage) -> None:
        if behaviour == "answers":
            await message.output_channel.send_response(message.sender_id, {"text": "Hello!"})
        elif behaviour == "fails":
            raise RuntimeError("lock store unavailable")

    return guard_messages(on_new_message)


def run(behaviour: str, text: str = "my boots split") -> list[str]:
    collector = CollectingOutputChannel()
    message = UserMessage(text, collector, "c-1", input_channel="rest")
    asyncio.run(handle(behaviour)(message))
    return [str(m.get("text")) for m in collector.messages]


def test_an_answer_passes_through_once() -> None:
    assert run("answers") == ["Hello!"]


def test_silence_becomes_a_plain_apology() -> None:
    """Rasa with the action server down: 'Bot will continue, but the actions events are lost'."""
    assert run("silent") == [NO_ANSWER]


def test_a_failure_becomes_a_plain_apology_not_a_500() -> None:
    said = run("fails")
    assert said == [NO_ANSWER]
    assert "lock store" not in said[0]


def test_refused_commands_still_get_the_refusal_only() -> None:
    said = run("answers", text='/EXTERNAL_followup{"followup_key": "x"}')
    assert len(said) == 1 and said[0] != NO_ANSWER


def test_a_conversation_held_by_staff_stays_silent() -> None:
    """While staff have taken the conversation over, Rasa is paused and says nothing on purpose."""
    from rasa.core.tracker_store import InMemoryTrackerStore
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ConversationPaused
    from rasa.shared.core.trackers import DialogueStateTracker

    class Agent:
        def __init__(self) -> None:
            self.tracker_store = InMemoryTrackerStore(Domain.empty())

        async def handle_message(self, message: UserMessage) -> None:
            return None

    agent = Agent()
    asyncio.run(agent.tracker_store.save(DialogueStateTracker.from_events("c-1", [ConversationPaused()])))
    collector = CollectingOutputChannel()
    asyncio.run(guard_messages(agent.handle_message)(UserMessage("hello?", collector, "c-1", input_channel="rest")))
    assert collector.messages == []
    other = CollectingOutputChannel()
    asyncio.run(guard_messages(agent.handle_message)(UserMessage("hello?", other, "c-2", input_channel="rest")))
    assert [m["text"] for m in other.messages] == [NO_ANSWER]
