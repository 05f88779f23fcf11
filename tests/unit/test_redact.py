"""Redaction of personal data in exports."""

from __future__ import annotations

from bot.exports.redact import redact, redact_text


def test_emails_phones_and_names_are_replaced() -> None:
    text = "Hi, I'm Priya Patel. Mail priya.patel@example.co.uk or ring 07700 900123 / +44 (0)20 7946 0958."
    out = redact_text(text, ["Priya Patel"])
    assert "Priya" not in out and "Patel" not in out
    assert "@" not in out and "07700" not in out and "7946" not in out
    assert out.count("[phone redacted]") == 2 and "[email redacted]" in out


def test_case_facts_survive() -> None:
    text = "Order ORD-100023 (STR/2020/LDN), case CS-2026-000123, size 42, bought 2026-10-01, batch HGT-2026-B07."
    assert redact_text(text, ["Someone Else"]) == text


def test_nested_values_and_personal_keys() -> None:
    value = {
        "customer": {"name": "Jane Doe", "email": "jane@example.com"},
        "transcript": [{"speaker": "customer", "text": "Jane here, jane@example.com"}],
        "events": [{"data": {"facts": {"customer_name": "Jane Doe", "description": "call 0161 496 0000"}}}],
        "score": 4,
    }
    out = redact(value, ["Jane Doe"])
    assert out["customer"] == {"name": "[name redacted]", "email": "[email redacted]"}
    assert out["transcript"][0]["text"] == "[name redacted] here, [email redacted]"
    assert out["events"][0]["data"]["facts"] == {
        "customer_name": "[name redacted]",
        "description": "call [phone redacted]",
    }
    assert out["score"] == 4
    assert value["customer"]["name"] == "Jane Doe"  # the original is untouched


def test_customer_phone_keys_are_redacted_as_phones() -> None:
    value = {
        "customer": {"name": "Jane Doe", "email": "jane@example.com", "phone": "07700 900123"},
        "events": [{"data": {"facts": {"customer_phone": "+44 7700 900123", "kind": "callback"}}}],
    }
    out = redact(value, ["Jane Doe"])
    assert out["customer"]["phone"] == "[phone redacted]"
    assert out["events"][0]["data"]["facts"] == {"customer_phone": "[phone redacted]", "kind": "callback"}
