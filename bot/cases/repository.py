"""Repositories: the only place that builds queries against the case store."""

from __future__ import annotations

import datetime as dt
from typing import Any, Iterable, Optional

from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from bot.cases.audit import GENESIS_HASH, content_digest, event_hash_v2
from bot.cases.case_query import CaseQuery, case_statement
from bot.cases.models import (
    Case,
    CaseEvent,
    CasePhoto,
    CaseSequence,
    Customer,
    FollowUp,
    Order,
    Product,
    TranscriptLine,
)
from bot.clock import utcnow


def format_reference(year: int, number: int) -> str:
    """``CS-YYYY-NNNNNN``."""
    return f"CS-{year:04d}-{number:06d}"


class CaseRepository:
    """Cases and their hash-chained events."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def next_reference(self, year: int) -> str:
        """Allocate the next case reference of ``year``, safe across processes.

        The counter row is created if missing, then incremented in place; the
        row lock (PostgreSQL) or the write lock (SQLite) is held until commit, so
        two transactions never see the same value.
        """
        dialect = self.session.get_bind().dialect.name
        if dialect == "postgresql":
            stmt: Any = postgresql.insert(CaseSequence).values(year=year, last_value=0)
            self.session.execute(stmt.on_conflict_do_nothing(index_elements=["year"]))
        elif dialect == "sqlite":
            stmt = sqlite.insert(CaseSequence).values(year=year, last_value=0)
            self.session.execute(stmt.on_conflict_do_nothing(index_elements=["year"]))
        elif self.session.get(CaseSequence, year) is None:
            self.session.add(CaseSequence(year=year, last_value=0))
            self.session.flush()
        self.session.execute(
            update(CaseSequence)
            .where(CaseSequence.year == year)
            .values(last_value=CaseSequence.last_value + 1)
            .execution_options(synchronize_session=False)
        )
        value = self.session.execute(select(CaseSequence.last_value).where(CaseSequence.year == year)).scalar_one()
        return format_reference(year, int(value))

    def add(self, case: Case) -> Case:
        """Stage a new case for insert."""
        self.session.add(case)
        self.session.flush()
        return case

    def get(self, reference: str, *, for_update: bool = False) -> Optional[Case]:
        """The case with ``reference`` (case-insensitive), or None."""
        stmt = select(Case).where(Case.reference == reference.strip().upper())
        if for_update:
            stmt = stmt.with_for_update(of=Case)
        return self.session.execute(stmt).unique().scalar_one_or_none()

    def get_by_idempotency_key(self, key: str) -> Optional[Case]:
        """The case created with ``key``, if any."""
        stmt = select(Case).where(Case.idempotency_key == key)
        return self.session.execute(stmt).unique().scalar_one_or_none()

    def find(self, query: CaseQuery = CaseQuery(), now: Optional[dt.datetime] = None) -> list[Case]:
        """Cases matching ``query`` (see :class:`CaseQuery`), judged at ``now`` (default: the current time)."""
        stmt = case_statement(query, now or utcnow())
        return list(self.session.execute(stmt).unique().scalars())

    def count(self) -> int:
        """How many cases exist."""
        return int(self.session.execute(select(func.count(Case.id))).scalar_one())

    def for_conversation(self, conversation_id: str) -> list[Case]:
        """Cases opened from one conversation, newest first."""
        stmt = select(Case).where(Case.conversation_id == conversation_id).order_by(Case.id.desc())
        return list(self.session.execute(stmt).unique().scalars())

    def latest_for_conversation(self, conversation_id: str, *, for_update: bool = False) -> Optional[Case]:
        """The newest case opened from one conversation, or None."""
        stmt = select(Case).where(Case.conversation_id == conversation_id).order_by(Case.id.desc()).limit(1)
        if for_update:
            stmt = stmt.with_for_update(of=Case)
        return self.session.execute(stmt).unique().scalar_one_or_none()

    def append_event(
        self, case: Case, kind: str, actor: str, at: dt.datetime, data: Optional[dict[str, Any]] = None
    ) -> CaseEvent:
        """Write the next event of ``case``, chained to the previous one."""
        seq = int(case.event_count or 0) + 1
        prev = case.head_hash or GENESIS_HASH
        payload = dict(data or {})
        content = content_digest(actor, payload)
        digest = event_hash_v2(case.reference, seq, kind, at, content, prev)
        event = CaseEvent(
            case_id=case.id,
            seq=seq,
            kind=kind,
            actor=actor,
            created_at=at,
            data=payload,
            prev_hash=prev,
            hash=digest,
            content_digest=content,
        )
        self.session.add(event)
        case.event_count = seq
        case.head_hash = digest
        case.updated_at = at
        self.session.flush()
        return event

    def events(self, case: Case) -> list[CaseEvent]:
        """All events of ``case`` in order."""
        stmt = select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.seq)
        return list(self.session.execute(stmt).scalars())

    def has_event(self, case: Case, kind: str) -> bool:
        """True when ``case`` already has an event of ``kind``."""
        stmt = select(CaseEvent.id).where(CaseEvent.case_id == case.id, CaseEvent.kind == kind).limit(1)
        return self.session.execute(stmt).first() is not None

    def add_transcript(self, case: Case, lines: Iterable[TranscriptLine]) -> None:
        """Stage the conversation snapshot of a new case, numbered from 1."""
        for seq, line in enumerate(lines, start=1):
            line.case_id = case.id
            line.seq = seq
            self.session.add(line)

    def transcript(self, case: Case) -> list[TranscriptLine]:
        """The conversation snapshot stored with ``case``, in order."""
        stmt = select(TranscriptLine).where(TranscriptLine.case_id == case.id).order_by(TranscriptLine.seq)
        return list(self.session.execute(stmt).scalars())

    def append_transcript(self, case: Case, lines: Iterable[TranscriptLine]) -> int:
        """Stage ``lines`` after the last line stored with ``case``; how many.

        Two writers appending at once cannot both take the same place (``case_id, seq`` is unique): the second
        one's commit fails and nothing of it is kept.
        """
        stmt = select(func.max(TranscriptLine.seq)).where(TranscriptLine.case_id == case.id)
        last = int(self.session.execute(stmt).scalar() or 0)
        count = 0
        for count, line in enumerate(lines, start=1):
            line.case_id = case.id
            line.seq = last + count
            self.session.add(line)
        return count

    def with_conversations(self, conversation_ids: Iterable[str]) -> list[Case]:
        """The cases (not anonymised) opened from any of ``conversation_ids``, oldest first."""
        ids = sorted(set(conversation_ids))
        if not ids:
            return []
        stmt = select(Case).where(Case.conversation_id.in_(ids), Case.anonymised_at.is_(None)).order_by(Case.id)
        return list(self.session.execute(stmt).unique().scalars())

    def unplaced_bot_lines(self, after_id: int = 0, limit: int = 500) -> list[TranscriptLine]:
        """Bot lines stored without a stage, by id after ``after_id`` (a page of at most ``limit``)."""
        stmt = (
            select(TranscriptLine)
            .where(TranscriptLine.speaker == "bot", TranscriptLine.stage.is_(None), TranscriptLine.id > after_id)
            .order_by(TranscriptLine.id)
            .limit(limit)
        )
        return list(self.session.execute(stmt).scalars())


class CatalogueRepository:
    """Products, customers and orders."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def product(self, sku: str) -> Optional[Product]:
        """The product with ``sku`` (case-insensitive)."""
        stmt = select(Product).where(func.upper(Product.sku) == sku.strip().upper())
        return self.session.execute(stmt).scalar_one_or_none()

    def products(self) -> list[Product]:
        """Every product, by SKU."""
        return list(self.session.execute(select(Product).order_by(Product.sku)).scalars())

    def order(self, order_number: str) -> Optional[Order]:
        """The order with ``order_number``, matched case-insensitively."""
        stmt = select(Order).where(func.upper(Order.order_number) == order_number.strip().upper())
        return self.session.execute(stmt).unique().scalar_one_or_none()

    def order_numbers(self) -> list[str]:
        """Every order number."""
        return list(self.session.execute(select(Order.order_number)).scalars())

    def orders_for_email(self, email: str) -> list[Order]:
        """A customer's orders, newest first."""
        stmt = (
            select(Order)
            .join(Customer, Order.customer_id == Customer.id)
            .where(Customer.email == email.strip().lower())
            .order_by(Order.order_date.desc())
        )
        return list(self.session.execute(stmt).unique().scalars())

    def customer_by_email(self, email: str) -> Optional[Customer]:
        """The customer with ``email`` (stored lower-case)."""
        stmt = select(Customer).where(Customer.email == email.strip().lower())
        return self.session.execute(stmt).scalar_one_or_none()

    def get_or_create_customer(self, email: Optional[str], name: str = "") -> Optional[Customer]:
        """Find the customer by e-mail or create one; None if no e-mail is known."""
        if not email:
            return None
        customer = self.customer_by_email(email)
        if customer is None:
            customer = Customer(email=email.strip().lower(), name=name.strip())
            self.session.add(customer)
            self.session.flush()
        elif name and not customer.name:
            customer.name = name.strip()
        return customer

    def add_all(self, rows: Iterable[Any]) -> None:
        """Stage several new rows."""
        self.session.add_all(list(rows))


class FollowUpRepository:
    """Scheduled follow-ups."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def by_key(self, key: str) -> Optional[FollowUp]:
        """The follow-up with idempotency ``key``."""
        return self.session.execute(select(FollowUp).where(FollowUp.key == key)).unique().scalar_one_or_none()

    def add(self, follow_up: FollowUp) -> FollowUp:
        """Stage a new follow-up."""
        self.session.add(follow_up)
        self.session.flush()
        return follow_up

    def find(self, status: Optional[str] = None, limit: int = 500) -> list[FollowUp]:
        """Follow-ups by due time."""
        stmt = select(FollowUp).order_by(FollowUp.due_at, FollowUp.id).limit(limit)
        if status:
            stmt = stmt.where(FollowUp.status == status)
        return list(self.session.execute(stmt).unique().scalars())

    def for_case(self, case_id: int) -> list[FollowUp]:
        """Follow-ups of one case."""
        stmt = select(FollowUp).where(FollowUp.case_id == case_id).order_by(FollowUp.id)
        return list(self.session.execute(stmt).unique().scalars())


class PhotoRepository:
    """Photos customers sent, linked to their case once it exists."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, photo: CasePhoto) -> CasePhoto:
        """Stage a new photo."""
        self.session.add(photo)
        self.session.flush()
        return photo

    def count_for_conversation(self, conversation_id: str) -> int:
        """How many photos a conversation has sent."""
        stmt = select(func.count(CasePhoto.id)).where(CasePhoto.conversation_id == conversation_id)
        return int(self.session.execute(stmt).scalar_one())

    def pending(self, conversation_id: str) -> list[CasePhoto]:
        """Photos of a conversation not yet linked to a case, oldest first."""
        stmt = (
            select(CasePhoto)
            .where(CasePhoto.conversation_id == conversation_id, CasePhoto.case_id.is_(None))
            .order_by(CasePhoto.id)
        )
        return list(self.session.execute(stmt).scalars())

    def for_case(self, case_id: int) -> list[CasePhoto]:
        """The photos linked to a case (by its database id), oldest first."""
        stmt = select(CasePhoto).where(CasePhoto.case_id == case_id).order_by(CasePhoto.id)
        return list(self.session.execute(stmt).scalars())

    def of_case(self, reference: str, photo_id: int) -> Optional[CasePhoto]:
        """Photo ``photo_id`` if it belongs to the case ``reference``."""
        stmt = (
            select(CasePhoto)
            .join(Case, Case.id == CasePhoto.case_id)
            .where(Case.reference == reference, CasePhoto.id == photo_id)
        )
        return self.session.execute(stmt).scalar_one_or_none()
