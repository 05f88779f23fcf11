"""Date expressions in complaint text, resolved against a fixed "today"."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.nlp.dates import DateMention, find_dates, parse_number_word, resolve_date

TODAY = dt.date(2026, 11, 2)  # a Monday


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("three weeks ago", "2026-10-12"),
        ("3 weeks ago", "2026-10-12"),
        ("2 wks ago", "2026-10-19"),
        ("a fortnight ago", "2026-10-19"),
        ("last Tuesday", "2026-10-27"),
        ("last monday", "2026-10-26"),
        ("on Friday", "2026-10-30"),
        ("yesterday", "2026-11-01"),
        ("the day before yesterday", "2026-10-31"),
        ("bought them in March", "2026-03-01"),
        ("got them back in december", "2025-12-01"),
        ("on 12 March", "2026-03-12"),
        ("on the 12th of March", "2026-03-12"),
        ("12/03/2026", "2026-03-12"),
        ("12/03/26", "2026-03-12"),
        ("12.03.2026", "2026-03-12"),
        ("03/25/2026", "2026-03-25"),
        ("2026-03-12", "2026-03-12"),
        ("March 12th", "2026-03-12"),
        ("March 12th, 2025", "2025-03-12"),
        ("12 Dec", "2025-12-12"),
        ("on 25 December", "2025-12-25"),
        ("March 2026", "2026-03-01"),
        ("since mid-March", "2026-03-01"),
        ("last month", "2026-10-02"),
        ("last year", "2025-11-02"),
        ("last week", "2026-10-26"),
        ("a couple of months ago", "2026-09-02"),
        ("couple weeks ago", "2026-10-19"),
        ("a few days ago", "2026-10-30"),
        ("about 6 months ago", "2026-05-02"),
        ("a year ago", "2025-11-02"),
        ("at Christmas", "2025-12-25"),
        ("last Easter", "2026-04-05"),
        ("on Black Friday", "2025-11-28"),
        ("on the 5th", "2026-10-05"),
        ("on the 1st", "2026-11-01"),
        ("29 February", "2024-02-29"),
        ("earlier today", "2026-11-02"),
    ],
)
def test_resolves_expression(text: str, expected: str) -> None:
    assert resolve_date(text, TODAY) == dt.date.fromisoformat(expected)


@pytest.mark.parametrize(
    "text",
    [
        "three weeks ago",
        "last Tuesday",
        "in December",
        "on 30 November",
        "March 12th",
        "a couple of months ago",
        "at Christmas",
        "on the 28th",
    ],
)
def test_relative_and_yearless_dates_are_never_in_the_future(text: str) -> None:
    found = resolve_date(text, TODAY)
    assert found is not None
    assert found <= TODAY


@pytest.mark.parametrize(
    "text",
    [
        "no date here at all",
        "a size 8 may be better",
        "I may send them back",
        "I paid £12.50 for 2 pairs",
        "size 7 1/2 please",
        "on the 2nd wear the heel snapped",
        "order 7734219",
        "we had a great trip",
        "the sun was out",
    ],
)
def test_finds_nothing(text: str) -> None:
    assert find_dates(text, TODAY) == []


def test_several_mentions_in_text_order_with_matched_text() -> None:
    text = "Bought them 3 weeks ago, the heel broke yesterday and I emailed on 30/10/2026."
    found = find_dates(text, TODAY)
    assert [m.text for m in found] == ["3 weeks ago", "yesterday", "30/10/2026"]
    assert [m.date.isoformat() for m in found] == ["2026-10-12", "2026-11-01", "2026-10-30"]
    assert all(text[m.start : m.end] == m.text for m in found)


def test_explicit_future_date_is_reported_as_written() -> None:
    (mention,) = find_dates("they promised delivery by 30/11/2026", TODAY)
    assert mention.date == dt.date(2026, 11, 30)


def test_longest_expression_wins_over_its_parts() -> None:
    (mention,) = find_dates("It happened on 12th March 2025 in the evening", TODAY)
    assert mention.text == "12th March 2025"
    assert mention.date == dt.date(2025, 3, 12)


def test_month_granularity_and_json_form() -> None:
    (mention,) = find_dates("I bought them in March.", TODAY)
    assert isinstance(mention, DateMention)
    assert mention.granularity == "month"
    assert mention.as_dict() == {"text": "in March", "date": "2026-03-01"}


def test_today_being_the_named_weekday() -> None:
    assert resolve_date("last Monday", TODAY) == dt.date(2026, 10, 26)
    assert resolve_date("on Monday", TODAY) == TODAY


@pytest.mark.parametrize(
    ("word", "value"),
    [("3", 3), ("three", 3), ("a", 1), ("a couple of", 2), ("a few", 3), ("Twelve", 12), ("lots", None)],
)
def test_parse_number_word(word: str, value: int | None) -> None:
    assert parse_number_word(word) == value
