"""Erasure of a customer's personal data, and anonymisation of old closed cases (retention).

What is erased (see docs/data-protection.md): the customer row (name, e-mail, phone, Slack id), free
text of their cases (description, resolution reason, satisfaction comment, root cause, call-back time), the transcript
snapshot, personal data inside audit events (the hash chain stays verifiable: events are chained
over a digest of their content, see :mod:`bot.cases.audit`), Rasa tracker events of their
conversations, follow-up conversation ids and errors, and photos (rows and files). What is kept:
every categorical field the reports count (product line, defect, component, batch, dates, status,
priority, resolution type, satisfaction score), so statistics give the same numbers afterwards.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Optional

from dateutil.relativedelta import relativedelta
from sqlalchemy import select

from bot.cases.audit import ERASURE_KIND
from bot.cases.conversations import Conversations
from bot.cases.models import Case, CaseEvent, CasePhoto, Customer, FollowUp, TranscriptLine
from bot.cases.store import Store
from bot.cases.unit_of_work import UnitOfWork
from bot.exports.redact import PERSONAL_KEYS, redact
from bot.patterns import same_phone
from bot.privacy.log_masking import mask_text
from bot.reviews.erasure import scrub_reviews

log = logging.getLogger(__name__)

ERASED_TEXT = "[erased]"


class LegalHoldError(ValueError):
    """Erasure or anonymisation refused because a case is under legal hold."""


@dataclass(frozen=True)
class Identity:
    """What identifies one person in free text."""

    email: str = ""
    name: str = ""
    phone: str = ""
    slack_user_id: str = ""

    @property
    def names(self) -> list[str]:
        """The name, for name redaction."""
        return [self.name] if self.name.strip() else []


@dataclass
class ErasureReport:
    """What one erasure or retention run did (counts and case references; never the personal data)."""

    cases: list[str] = field(default_factory=list)
    customers: int = 0
    events_redacted: int = 0
    transcript_lines: int = 0
    tracker_events_deleted: int = 0
    follow_ups: int = 0
    photos_deleted: int = 0
    others_with_number: int = 0  # erasure by phone: customers with an e-mail address who gave it too (kept)
    dry_run: bool = False
    note: str = ""
    _files: list[Path] = field(default_factory=list, repr=False)
    _conversations: set[str] = field(default_factory=set, repr=False)

    def add_conversations(self, conversation_ids: Iterable[str]) -> None:
        """Rasa conversations to delete with the erasure (those mentioning the customer)."""
        self._conversations.update(conversation_ids)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "cases": list(self.cases),
            "customers": self.customers,
            "events_redacted": self.events_redacted,
            "transcript_lines": self.transcript_lines,
            "tracker_events_deleted": self.tracker_events_deleted,
            "follow_ups": self.follow_ups,
            "photos_deleted": self.photos_deleted,
            "others_with_number": self.others_with_number,
            "dry_run": self.dry_run,
            "note": self.note,
        }


def scrub_text(text: Optional[str], who: Identity) -> Optional[str]:
    """``text`` with ``who``'s identifiers and any e-mail, phone, postcode or street address masked."""
    if not text:
        return text
    result = text
    for literal in (who.email, who.phone, who.slack_user_id):
        if literal and len(literal) >= 3:
            result = re.sub(re.escape(literal), "[redacted]", result, flags=re.IGNORECASE)
    same = same_phone(who.phone)
    if same is not None:  # the same number typed with other spacing
        result = same.sub("[phone]", result)
    result = mask_text(result)
    return str(redact(result, who.names))


def scrub_value(value: Any, who: Identity) -> Any:
    """A deep copy of a JSON-like value with :func:`scrub_text` applied to every string and personal keys blanked."""
    if isinstance(value, dict):
        return {
            key: "[redacted]" if key in PERSONAL_KEYS and isinstance(item, str) and item else scrub_value(item, who)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [scrub_value(item, who) for item in value]
    if isinstance(value, str):
        return scrub_text(value, who)
    return value


def salted_digest(value: str) -> str:
    """A short one-way tag of an identifier (lets an operator match a later request without storing it)."""
    return hashlib.sha256(("complaints-erasure:" + value.strip().lower()).encode("utf-8")).hexdigest()[:16]


def conversations_of(store: Store) -> Conversations:
    """Rasa's stored conversations for ``store``."""
    return store.conversations or Conversations(store.settings)


def _forget_conversations(store: Store, report: ErasureReport) -> None:
    """Delete (or, in a dry run, count) Rasa's stored conversations of the erased cases.

    They live in the tracker store's own database, so this runs before the case transaction commits: if it
    fails, nothing is committed and the erasure can simply be run again; if the commit fails after it, a
    second run finds the same conversation ids on the cases and completes (deleting is idempotent).
    """
    conversations = conversations_of(store)
    if report.dry_run:
        report.tracker_events_deleted += conversations.count(report._conversations)
    else:
        report.tracker_events_deleted += conversations.delete(report._conversations)


def _anonymise_case(
    uow: UnitOfWork,
    store: Store,
    case: Case,
    who: Identity,
    actor: str,
    now: dt.datetime,
    basis: str,
    report: ErasureReport,
) -> None:
    """Scrub one case and everything hanging off it; append the ``personal_data_erased`` event."""
    session = uow.session
    conversation_ids = {case.conversation_id} if case.conversation_id else set()
    _scrub_case_fields(case, who, now)
    lines = _scrub_transcript(session, case, who)
    report.transcript_lines += lines
    scrub_reviews(session, case.id, lambda text: scrub_text(text, who))  # supervisors' comments on it
    redacted_seqs = _redact_events(session, case, who, now)
    report.events_redacted += len(redacted_seqs)
    for follow_up in session.execute(select(FollowUp).where(FollowUp.case_id == case.id)).unique().scalars():
        if follow_up.conversation_id:
            conversation_ids.add(follow_up.conversation_id)
        follow_up.conversation_id = None
        follow_up.last_error = scrub_text(follow_up.last_error, who)
        follow_up.claimed_by = scrub_text(follow_up.claimed_by, who)
        report.follow_ups += 1
    photos = _delete_photos(session, store, case, conversation_ids, report)
    report.photos_deleted += photos
    report._conversations.update(conversation_ids)
    uow.cases.append_event(
        case,
        ERASURE_KIND,
        actor,
        now,
        {
            "basis": basis,
            "redacted_seqs": redacted_seqs,
            "transcript_lines": lines,
            "photos_deleted": photos,
        },
    )
    report.cases.append(case.reference)


def _scrub_case_fields(case: Case, who: Identity, now: dt.datetime) -> None:
    """Scrub the case's free text, detach it from its conversation and mark it anonymised."""
    for text_field in (
        "description",
        "resolution_reason",
        "satisfaction_comment",
        "root_cause",
        "legal_hold_reason",
        "callback_at",
    ):
        current = getattr(case, text_field)
        if current:
            setattr(case, text_field, scrub_text(current, who) or "")
    if case.idempotency_key and not case.idempotency_key.startswith("seed-"):
        case.idempotency_key = f"erased:{case.reference}"
    case.conversation_id = None
    case.anonymised_at = now


def _scrub_transcript(session: Any, case: Case, who: Identity) -> int:
    """Erase what the customer said and scrub the rest of the transcript snapshot; the number of lines."""
    lines = 0
    for line in session.execute(select(TranscriptLine).where(TranscriptLine.case_id == case.id)).scalars():
        line.text = ERASED_TEXT if line.speaker == "customer" else (scrub_text(line.text, who) or "")
        line.actor = scrub_text(line.actor, who)
        lines += 1
    return lines


def _redact_events(session: Any, case: Case, who: Identity, now: dt.datetime) -> list[int]:
    """Scrub personal data inside the case's audit events; the sequence numbers of those that changed."""
    redacted_seqs: list[int] = []
    for event in session.execute(select(CaseEvent).where(CaseEvent.case_id == case.id)).scalars():
        if event.redacted_at is not None:
            continue
        data = scrub_value(event.data, who)
        actor_text = scrub_text(event.actor, who) or ""
        if data != event.data or actor_text != event.actor:
            event.data = data
            event.actor = actor_text
            event.redacted_at = now
            redacted_seqs.append(int(event.seq))
    return redacted_seqs


def _delete_photos(session: Any, store: Store, case: Case, conversation_ids: set[str], report: ErasureReport) -> int:
    """Delete the photo rows of the case or its conversations (files noted for removal after commit); how many."""
    photo_filter: Any = CasePhoto.case_id == case.id
    if conversation_ids:
        photo_filter = photo_filter | CasePhoto.conversation_id.in_(sorted(conversation_ids))
    photos = 0
    for photo in session.execute(select(CasePhoto).where(photo_filter)).scalars():
        report._files.append(store.settings.photos_dir / photo.conversation_id / photo.filename)
        session.delete(photo)
        photos += 1
    return photos


def _erase_customer_row(customer: Customer, now: dt.datetime) -> None:
    customer.name = ""
    customer.email = None
    customer.phone = None
    customer.slack_user_id = None
    customer.erased_at = now


def _identity(customer: Optional[Customer]) -> Identity:
    if customer is None:
        return Identity()
    return Identity(
        email=customer.email or "",
        name=customer.name or "",
        phone=customer.phone or "",
        slack_user_id=customer.slack_user_id or "",
    )


def remove_files(paths: Iterable[Path]) -> None:
    """Delete erased photo files (after the commit) and their folders once empty."""
    for path in paths:
        try:
            path.unlink(missing_ok=True)
        except OSError as exc:  # reported, not fatal: the row is gone already
            log.warning("could not remove photo file %s: %s", path.name, exc)
            continue
        with contextlib.suppress(OSError):
            path.parent.rmdir()  # only when empty


def erase_customers(
    uow: UnitOfWork, store: Store, customers: list[Customer], actor: str, report: ErasureReport
) -> None:
    """Anonymise every case of ``customers`` and erase their rows, all or nothing (refused under legal hold)."""
    by_id = {customer.id: customer for customer in customers}
    cases = list(
        uow.session.execute(select(Case).where(Case.customer_id.in_(sorted(by_id))).order_by(Case.id))
        .unique()
        .scalars()
    )
    held = [c.reference for c in cases if c.legal_hold]
    if held:
        raise LegalHoldError(
            f"refused: case(s) {', '.join(held)} are under legal hold; nothing was erased "
            "(release the hold with `complaints cases release REF` first)"
        )
    now = store.clock()
    for case in cases:
        _anonymise_case(uow, store, case, _identity(by_id[case.customer_id]), actor, now, "erasure request", report)
    for customer in customers:
        _erase_customer_row(customer, now)
    report.customers = len(customers)


def commit_erasure(store: Store, uow: UnitOfWork, report: ErasureReport) -> bool:
    """Forget the conversations, commit and remove photo files (True), or roll back in a dry run (False)."""
    _forget_conversations(store, report)
    if report.dry_run:
        uow.rollback()
        report.note = "dry run: nothing was changed"
        return False
    uow.commit()
    remove_files(report._files)
    return True


def erase_customer(store: Store, email: str, actor: str, dry_run: bool = False) -> ErasureReport:
    """Erase the personal data of the customer with ``email``, all or nothing.

    Refused (nothing changed) when any of their cases is under legal hold. Running it again finds
    no customer with that e-mail and does nothing.
    """
    email = (email or "").strip().lower()
    if "@" not in email:
        raise ValueError("give the customer's e-mail address")
    report = ErasureReport(dry_run=dry_run)
    with store.unit_of_work() as uow:
        customer = uow.catalogue.customer_by_email(email)
        if customer is None:
            report.note = "no customer with that e-mail address (never known, or already erased)"
            return report
        erase_customers(uow, store, [customer], actor, report)
        # conversations that mention the e-mail but never became one of their cases
        report.add_conversations(conversations_of(store).mentioning(email))
        if not commit_erasure(store, uow, report):
            return report
    log.info("erased personal data of customer %s: %d case(s)", salted_digest(email), len(report.cases))
    return report


def retention_cutoff(now: dt.datetime, months: int) -> dt.datetime:
    """The moment before which closed cases are anonymised."""
    return now - relativedelta(months=months)


def run_retention(
    store: Store, months: Optional[int] = None, dry_run: bool = False, actor: str = "retention"
) -> ErasureReport:
    """Anonymise every closed case closed more than ``months`` ago (not under legal hold).

    A customer whose cases are then all anonymised is erased too. Safe to run again: anonymised
    cases are skipped.
    """
    months = store.settings.retention_months if months is None else months
    if months < 1:
        raise ValueError("the retention period must be at least one month")
    report = ErasureReport(dry_run=dry_run)
    with store.unit_of_work() as uow:
        now = store.clock()
        cutoff = retention_cutoff(now, months)
        stmt = (
            select(Case)
            .where(
                Case.closed_at.is_not(None),
                Case.closed_at < cutoff,
                Case.status == "closed",
                Case.anonymised_at.is_(None),
                Case.legal_hold.is_(False),
            )
            .order_by(Case.id)
            .with_for_update(of=Case, skip_locked=True)  # another worker's run skips what this one is doing
        )
        cases = list(uow.session.execute(stmt).unique().scalars())
        touched: dict[int, Customer] = {}
        for case in cases:
            _anonymise_case(
                uow, store, case, _identity(case.customer), actor, now, f"retention {months} months", report
            )
            if case.customer is not None:
                touched[case.customer.id] = case.customer
        uow.session.flush()
        for customer in touched.values():
            remaining = uow.session.execute(
                select(Case.id).where(Case.customer_id == customer.id, Case.anonymised_at.is_(None)).limit(1)
            ).first()
            if remaining is None and customer.erased_at is None:
                _erase_customer_row(customer, now)
                report.customers += 1
        _forget_conversations(store, report)
        if dry_run:
            uow.rollback()
            report.note = "dry run: nothing was changed"
            return report
        uow.commit()
    remove_files(report._files)
    log.info("retention (%d months): anonymised %d case(s)", months, len(report.cases))
    return report
