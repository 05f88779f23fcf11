"""Slack markup neutralisation, slash command parsing and Block Kit building."""

from __future__ import annotations

import json
from typing import Any

import pytest

from integrations.slack import cards
from integrations.slack.commands import CommandError, parse_case_command, parse_cases_command
from integrations.slack.markup import escape_slack, neutralise


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("<!channel> help", "&lt;!channel&gt; help"),
        ("<!here>", "&lt;!here&gt;"),
        ("<!everyone>", "&lt;!everyone&gt;"),
        ("hi <@U123>", "hi &lt;@U123&gt;"),
        ("see <#C1|general>", "see &lt;#C1|general&gt;"),
        ("<http://evil.example|click me>", "&lt;http://evil.example|click me&gt;"),
        ("<!subteam^S1>", "&lt;!subteam^S1&gt;"),
        ("fish & chips > 3 < 4", "fish &amp; chips &gt; 3 &lt; 4"),
        ("already &amp; escaped", "already &amp;amp; escaped"),
        ("plain words", "plain words"),
    ],
)
def test_neutralise_escapes_slack_control_sequences(raw: str, expected: str) -> None:
    assert neutralise(raw) == expected


def test_neutralise_breaks_bare_broadcasts_and_keeps_the_words() -> None:
    out = neutralise("@channel and @here and @everyone")
    assert "@channel" not in out and "@here" not in out and "@everyone" not in out
    assert out.replace("\u2060", "") == "@channel and @here and @everyone"


def test_neutralise_handles_empty_long_and_control_text() -> None:
    assert neutralise(None) == ""
    assert neutralise("") == ""
    assert len(neutralise("x" * 10_000)) <= 2800
    assert neutralise("a\x00b\x07c") == "abc"


def test_escape_slack_escapes_ampersand_first() -> None:
    assert escape_slack("<&>") == "&lt;&amp;&gt;"


def test_case_command_parsing() -> None:
    assert parse_case_command(" cs-2026-000123 ") == "CS-2026-000123"
    with pytest.raises(CommandError):
        parse_case_command("hello")
    assert parse_cases_command("") == "open"
    assert parse_cases_command("MINE") == "mine"
    for word in ("open", "mine", "overdue", "breached"):
        assert parse_cases_command(word) == word
    with pytest.raises(CommandError):
        parse_cases_command("everything")


def _case(**changes: Any) -> dict[str, Any]:
    case: dict[str, Any] = {
        "reference": "CS-2026-000001",
        "status": "new",
        "priority": "normal",
        "channel": "slack",
        "customer": {"name": "<!channel> Eve", "email": "eve@example.com"},
        "order_number": "ORD-1",
        "product": {"sku": "HCB-1", "name": "Harrogate <@U1> Boot", "line": "boots"},
        "defect_category": "sole_separation",
        "component": "sole",
        "description": "sole came off <http://x|y>",
        "safety_issue": False,
        "resolution": {"type": None, "reason": None},
        "assignee": None,
        "sla": {
            "first_response_due": "2026-11-02T13:00:00+00:00",
            "resolution_due": "2026-11-05T09:00:00+00:00",
            "breached": False,
        },
    }
    case.update(changes)
    return case


def test_case_card_neutralises_customer_text_and_has_buttons() -> None:
    blocks = cards.case_card(_case(), [{"speaker": "customer", "text": "<!here> my boot & <@U99>"}])
    dumped = json.dumps(blocks)
    for forbidden in ("<!channel>", "<!here>", "<@U1>", "<@U99>", "<http://x|y>"):
        assert forbidden not in dumped
    assert "&lt;!here&gt; my boot &amp; &lt;@U99&gt;" in dumped
    actions = [b for b in blocks if b["type"] == "actions"][0]["elements"]
    assert {a["action_id"] for a in actions} == {
        cards.ACTION_ASSIGN,
        cards.ACTION_PRIORITY,
        cards.ACTION_ESCALATE,
        cards.ACTION_NOTE,
        cards.ACTION_RESOLVE,
    }
    assert "CS-2026-000001" in dumped and "sole separation" in dumped and "<!date^" in dumped


def test_closed_case_card_offers_reopen_only() -> None:
    blocks = cards.case_card(_case(status="resolved", resolution={"type": "refund", "reason": ""}))
    actions = [b for b in blocks if b["type"] == "actions"][0]["elements"]
    assert [a["action_id"] for a in actions] == [cards.ACTION_REOPEN]


def test_modals_carry_the_reference_and_values_flatten() -> None:
    modal = cards.resolve_modal("CS-2026-000001")
    assert cards.read_metadata(modal["private_metadata"])["reference"] == "CS-2026-000001"
    assert sum(1 for b in modal["blocks"] if b["block_id"].startswith("why_")) == 5
    state = {
        "values": {
            "resolution": {"value": {"type": "static_select", "selected_option": {"value": "refund"}}},
            "why_1": {"value": {"type": "plain_text_input", "value": "glue too thin"}},
            "why_2": {"value": {"type": "plain_text_input", "value": None}},
        }
    }
    values = cards.view_values(state)
    assert values == {"resolution": "refund", "why_1": "glue too thin"}
    assert cards.root_cause_text(values) == "Why 1: glue too thin"
    with pytest.raises(ValueError):
        cards.read_metadata("{}")


def test_slack_conversation_ids_are_parsed_for_thread_granularity() -> None:
    from integrations.slack.takeover import slack_conversation

    assert slack_conversation("U0CUST_D0CUST_1800000000.000100") == ("U0CUST", "D0CUST", "1800000000.000100")
    assert slack_conversation("web-1234") is None
    assert slack_conversation("a_b_c") is None


def test_card_offers_take_over_or_hand_back_for_conversations() -> None:
    def ids(case: dict[str, Any]) -> list[str]:
        return [a["action_id"] for a in [b for b in cards.case_card(case) if b["type"] == "actions"][0]["elements"]]

    assert cards.ACTION_TAKEOVER in ids(_case(conversation_id="c1"))
    held = ids(_case(conversation_id="c1", taken_over_by="slack:U9"))
    assert cards.ACTION_HANDBACK in held and cards.ACTION_TAKEOVER not in held
    assert "<@U9>" in json.dumps(cards.case_card(_case(conversation_id="c1", taken_over_by="slack:U9")))


@pytest.mark.parametrize(
    ("kind", "label", "task"),
    [
        ("complaint", "complaint", None),
        ("cancellation", "order cancellation request", "cancel order *ORD-1* if it has not been dispatched"),
        ("return", "change-of-mind return", "refund within 14 days of getting it back"),
        ("callback", "call-back request", "ring the customer back *as soon as you can (no time given)*"),
        ("enquiry", "enquiry", "answer the customer's question"),
    ],
)
def test_every_kind_is_shown_with_what_staff_must_do(kind: str, label: str, task: str | None) -> None:
    case = _case(kind=kind, description="call me on +44 7700 900123 please <!here>")
    dumped = json.dumps(cards.case_card(case))
    assert f"*{label}*" in dumped
    assert (task in dumped) if task else ("To do" not in dumped)
    assert "7700" not in dumped and cards.PHONE_ON_CASE_PAGE in dumped and "<!here>" not in dumped
    listed = json.dumps(cards.case_list_blocks("Open", [case]))
    assert (label if kind != "complaint" else "sole separation") in listed
    summary = cards.card_summary(case)
    assert (
        summary.startswith("New case CS-2026-000001 (normal): sole separation")
        if kind == "complaint"
        else (summary.startswith(f"New {label} CS-2026-000001"))
    )


def test_a_callback_card_says_when_in_the_customers_words_neutralised() -> None:
    dumped = json.dumps(cards.case_card(_case(kind="callback", callback_at="after 5 <!channel>")))
    assert "ring the customer back *after 5 &lt;!channel&gt;*" in dumped and "on the case page" in dumped
