"""Saved reviews for the CLI, the dashboard and the CSV download, without customer personal data.

Comments and coaching notes are the reviewer's free text; before they leave the store, e-mail addresses,
phone numbers and the customer's name in them are replaced (the stored text is scrubbed by an erasure).
CSV cells that a spreadsheet would run as a formula are quoted.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from typing import Any, Iterable, Optional

from sqlalchemy import select
from sqlalchemy.orm import noload

from bot.cases.models import Case, Customer
from bot.cases.store import Store
from bot.patterns import EMAIL, PHONE
from bot.reports.windows import window
from bot.reviews.models import Review
from bot.reviews.reports import iso_week
from bot.reviews.saving import review_json
from bot.reviews.scorecard import CRITERIA, STAGES

REDACTED_NAME, REDACTED_EMAIL, REDACTED_PHONE = "[name]", "[email]", "[phone]"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def without_personal_data(text: str, names: Iterable[str] = ()) -> str:
    """``text`` with e-mail addresses, phone numbers and each part of the given names replaced."""
    if not text:
        return text
    result = PHONE.sub(REDACTED_PHONE, EMAIL.sub(REDACTED_EMAIL, text))
    parts = {p for name in names for p in re.split(r"\s+", (name or "").strip()) if len(p) >= 2}
    for part in sorted(parts, key=len, reverse=True):
        result = re.sub(rf"(?<!\w){re.escape(part)}(?!\w)", REDACTED_NAME, result, flags=re.IGNORECASE)
    return result


def list_reviews(
    store: Store, since: dt.timedelta, until: Optional[dt.datetime] = None, reference: Optional[str] = None
) -> list[dict[str, Any]]:
    """Reviews saved in the window (newest first), optionally of one case, with channel and week."""
    win = window(store.clock(), since, until)
    stmt = (
        select(Review, Case.reference, Case.channel, Case.created_at, Customer.name)
        .join(Case, Case.id == Review.case_id)
        .outerjoin(Customer, Customer.id == Case.customer_id)
        .where(Review.created_at >= win.start, Review.created_at < win.end)
        .options(noload(Review.case))
        .order_by(Review.created_at.desc(), Review.id.desc())
    )
    if reference:
        stmt = stmt.where(Case.reference == reference.strip().upper())
    with store.unit_of_work() as uow:
        rows = list(uow.session.execute(stmt))
    result = []
    for review, ref, channel, case_created, customer_name in rows:
        item = review_json(review, ref)
        names = [customer_name] if customer_name else []
        item["comments"] = without_personal_data(item["comments"], names)
        item["coaching_note"] = without_personal_data(item["coaching_note"], names)
        item["channel"] = channel
        item["conversation_week"] = iso_week(case_created)
        result.append(item)
    return result


def csv_cell(value: Any) -> str:
    """A CSV cell; text a spreadsheet would treat as a formula gets a leading apostrophe."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


CSV_COLUMNS = (
    ["review_id", "reference", "created_at", "conversation_week", "channel", "reviewer", "staff"]
    + list(STAGES)
    + [c.id for c in CRITERIA]
    + ["disagreements", "comments", "coaching_note"]
)


def reviews_csv(reviews: Iterable[dict[str, Any]]) -> str:
    """One row per review (from :func:`list_reviews`): stage scores, every criterion, disagreements, comments."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for r in reviews:
        disagreed = ";".join(f"{d['criterion']}:{d['prefill']}->{d['reviewer']}" for d in r["disagreements"])
        row = [r["id"], r["reference"], r["created_at"], r["conversation_week"], r["channel"], r["reviewer"]]
        row += [r["staff"] or ""]
        row += [r["stage_scores"][s] if r["stage_scores"][s] is not None else "" for s in STAGES]
        row += [r["scores"].get(c.id, "") for c in CRITERIA]
        row += [disagreed, r["comments"], r["coaching_note"]]
        writer.writerow([csv_cell(v) for v in row])
    return out.getvalue()
