"""SQLAlchemy models of the case store."""

from __future__ import annotations

import datetime as dt
from typing import Any, Optional

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import declarative_base, relationship
from sqlalchemy.types import TypeDecorator

from bot.clock import utcnow

Base: Any = declarative_base()


class UTCDateTime(TypeDecorator):
    """Stores naive UTC, returns timezone-aware UTC, on every backend."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: Optional[dt.datetime], dialect: Any) -> Optional[dt.datetime]:
        """Convert an aware datetime to naive UTC for storage."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; pass an aware UTC datetime")
        return value.astimezone(dt.timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value: Optional[dt.datetime], dialect: Any) -> Optional[dt.datetime]:
        """Mark a stored naive datetime as UTC."""
        if value is None:
            return None
        return value.replace(tzinfo=dt.timezone.utc)


class Customer(Base):
    """A person who bought from us or complained to us."""

    __tablename__ = "customers"

    id = Column(Integer, primary_key=True)
    name = Column(String(200), nullable=False, default="")
    email = Column(String(320), nullable=True, unique=True)
    phone = Column(String(50), nullable=True)
    slack_user_id = Column(String(50), nullable=True)
    erased_at = Column(UTCDateTime, nullable=True)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)


class Product(Base):
    """A catalogue item (footwear or leather goods)."""

    __tablename__ = "products"

    id = Column(Integer, primary_key=True)
    sku = Column(String(64), nullable=False, unique=True)
    name = Column(String(200), nullable=False)
    line = Column(String(120), nullable=False, default="")
    category = Column(String(120), nullable=False, default="")
    materials = Column(JSON, nullable=False, default=list)
    colours = Column(JSON, nullable=False, default=list)
    sizes = Column(JSON, nullable=False, default=list)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
    updated_at = Column(UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow)


class Order(Base):
    """A customer's order of one product line item."""

    __tablename__ = "orders"

    id = Column(Integer, primary_key=True)
    order_number = Column(String(64), nullable=False, unique=True)
    customer_id = Column(Integer, ForeignKey("customers.id"), nullable=False, index=True)
    product_id = Column(Integer, ForeignKey("products.id"), nullable=False, index=True)
    size = Column(String(20), nullable=False, default="")
    colour = Column(String(60), nullable=False, default="")
    quantity = Column(Integer, nullable=False, default=1)
    batch = Column(String(64), nullable=False, default="")
    order_date = Column(Date, nullable=False)
    delivery_date = Column(Date, nullable=True)
    # Optional orders CSV columns (migration 0007): where the order is (bot.vocabulary.ORDER_STATUSES).
    status = Column(String(30), nullable=True)
    dispatch_date = Column(Date, nullable=True)
    expected_delivery_date = Column(Date, nullable=True)
    carrier = Column(String(60), nullable=True)
    tracking_number = Column(String(64), nullable=True)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)

    customer = relationship(Customer, lazy="joined")
    product = relationship(Product, lazy="joined")


class CaseSequence(Base):
    """The last case number handed out in a year (one row a year)."""

    __tablename__ = "case_sequences"

    year = Column(Integer, primary_key=True, autoincrement=False)
    last_value = Column(Integer, nullable=False, default=0)


class Case(Base):
    """A customer complaint, or another request staff must act on (``kind``, bot.vocabulary.CASE_KINDS)."""

    __tablename__ = "cases"

    id = Column(Integer, primary_key=True)
    reference = Column(String(20), nullable=False, unique=True)
    idempotency_key = Column(String(200), nullable=True, unique=True)
    kind = Column(String(20), nullable=False, default="complaint", server_default="complaint", index=True)
    status = Column(String(30), nullable=False, default="new", index=True)
    priority = Column(String(20), nullable=False, default="normal", index=True)
    channel = Column(String(30), nullable=False, default="rest", index=True)
    conversation_id = Column(String(200), nullable=True, index=True)
    customer_id = Column(Integer, ForeignKey("customers.id"), nullable=True, index=True)
    order_id = Column(Integer, ForeignKey("orders.id"), nullable=True, index=True)
    product_id = Column(Integer, ForeignKey("products.id"), nullable=True, index=True)
    order_number = Column(String(64), nullable=True)
    product_line = Column(String(120), nullable=True, index=True)
    batch = Column(String(64), nullable=True, index=True)
    size = Column(String(20), nullable=True)
    colour = Column(String(60), nullable=True)
    defect_category = Column(String(40), nullable=False, default="other", index=True)
    component = Column(String(40), nullable=True)
    # A second, different fault the customer named ("the sole is coming away and the stitching has gone").
    secondary_defect_category = Column(String(40), nullable=True)
    description = Column(Text, nullable=False, default="")
    purchase_date = Column(Date, nullable=True)
    delivery_date = Column(Date, nullable=True)
    safety_issue = Column(Boolean, nullable=False, default=False)
    injury_reported = Column(Boolean, nullable=True)
    # When the customer would like a call back, in their words ("after 5pm", "tomorrow morning").
    callback_at = Column(String(200), nullable=True)
    resolution_type = Column(String(30), nullable=True)
    resolution_reason = Column(Text, nullable=True)
    assignee = Column(String(120), nullable=True, index=True)
    first_response_due = Column(UTCDateTime, nullable=True)
    resolution_due = Column(UTCDateTime, nullable=True, index=True)
    first_responded_at = Column(UTCDateTime, nullable=True)
    resolved_at = Column(UTCDateTime, nullable=True)
    closed_at = Column(UTCDateTime, nullable=True)
    satisfaction_score = Column(Integer, nullable=True)
    satisfaction_comment = Column(Text, nullable=True)
    root_cause = Column(Text, nullable=True)
    root_cause_category = Column(String(40), nullable=True)
    legal_hold = Column(Boolean, nullable=False, default=False)
    legal_hold_reason = Column(Text, nullable=True)
    legal_hold_at = Column(UTCDateTime, nullable=True)
    anonymised_at = Column(UTCDateTime, nullable=True)
    event_count = Column(Integer, nullable=False, default=0)
    head_hash = Column(String(64), nullable=False, default="0" * 64)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow, index=True)
    updated_at = Column(UTCDateTime, nullable=False, default=utcnow)

    customer = relationship(Customer, lazy="joined")
    order = relationship(Order, lazy="joined")
    product = relationship(Product, lazy="joined")
    events = relationship("CaseEvent", order_by="CaseEvent.seq", back_populates="case", lazy="selectin", viewonly=True)


class CaseEvent(Base):
    """An append-only, hash-chained audit event of one case."""

    __tablename__ = "case_events"
    __table_args__ = (UniqueConstraint("case_id", "seq", name="uq_case_events_case_seq"),)

    id = Column(Integer, primary_key=True)
    case_id = Column(Integer, ForeignKey("cases.id"), nullable=False, index=True)
    seq = Column(Integer, nullable=False)
    kind = Column(String(60), nullable=False, index=True)
    actor = Column(String(200), nullable=False)
    created_at = Column(UTCDateTime, nullable=False)
    data = Column(JSON, nullable=False, default=dict)
    prev_hash = Column(String(64), nullable=False)
    hash = Column(String(64), nullable=False)
    # SHA-256 of canonical {actor, data}; set on events chained with hash formula v2 (migration 0004).
    content_digest = Column(String(64), nullable=True)
    redacted_at = Column(UTCDateTime, nullable=True)

    case = relationship(Case, back_populates="events")


class FollowUp(Base):
    """A scheduled satisfaction check after a case is resolved."""

    __tablename__ = "follow_ups"
    __table_args__ = (Index("ix_follow_ups_status_due", "status", "due_at"),)

    id = Column(Integer, primary_key=True)
    case_id = Column(Integer, ForeignKey("cases.id"), nullable=False, index=True)
    key = Column(String(200), nullable=False, unique=True)
    kind = Column(String(30), nullable=False, default="satisfaction")
    status = Column(String(20), nullable=False, default="pending")
    channel = Column(String(30), nullable=False, default="rest")
    conversation_id = Column(String(200), nullable=True)
    due_at = Column(UTCDateTime, nullable=False)
    attempts = Column(Integer, nullable=False, default=0)
    next_attempt_at = Column(UTCDateTime, nullable=True)
    claimed_by = Column(String(120), nullable=True)
    claimed_at = Column(UTCDateTime, nullable=True)
    sent_at = Column(UTCDateTime, nullable=True)
    answered_at = Column(UTCDateTime, nullable=True)
    last_error = Column(Text, nullable=True)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)

    case = relationship(Case, lazy="joined")


class Investigation(Base):
    """A root-cause investigation of a recurring theme."""

    __tablename__ = "investigations"

    id = Column(Integer, primary_key=True)
    title = Column(String(200), nullable=False)
    product_line = Column(String(120), nullable=True)
    defect_category = Column(String(40), nullable=True)
    component = Column(String(40), nullable=True)
    batch = Column(String(64), nullable=True)
    cause_category = Column(String(40), nullable=True)
    five_whys = Column(JSON, nullable=False, default=list)
    root_cause = Column(Text, nullable=True)
    status = Column(String(20), nullable=False, default="open")
    opened_by = Column(String(120), nullable=False, default="system")
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
    closed_at = Column(UTCDateTime, nullable=True)


class CorrectiveAction(Base):
    """An action taken to stop a recurring problem, and its verification."""

    __tablename__ = "corrective_actions"

    id = Column(Integer, primary_key=True)
    investigation_id = Column(Integer, ForeignKey("investigations.id"), nullable=True, index=True)
    description = Column(Text, nullable=False)
    owner = Column(String(120), nullable=False)
    due_date = Column(Date, nullable=True)
    action_date = Column(Date, nullable=True)
    status = Column(String(20), nullable=False, default="planned")
    verification = Column(JSON, nullable=True)
    verified_at = Column(UTCDateTime, nullable=True)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)

    investigation = relationship(Investigation, lazy="joined")


class TranscriptLine(Base):
    """One turn of the conversation behind a case: who said what, and when."""

    __tablename__ = "transcript_lines"
    __table_args__ = (UniqueConstraint("case_id", "seq", name="uq_transcript_lines_case_seq"),)

    id = Column(Integer, primary_key=True)
    case_id = Column(Integer, ForeignKey("cases.id"), nullable=False, index=True)
    seq = Column(Integer, nullable=False)
    speaker = Column(String(20), nullable=False)
    actor = Column(String(200), nullable=True)
    text = Column(Text, nullable=False, default="")
    intent = Column(String(80), nullable=True)
    said_at = Column(UTCDateTime, nullable=True)
    # For bot lines: the Listen/Understand/Resolve/Confirm stage and wording id of the response that said it.
    stage = Column(String(20), nullable=True)
    message_id = Column(String(80), nullable=True)


class User(Base):
    """A member of staff who signs in to the dashboard (role ``supervisor`` or ``agent``)."""

    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("email", name="uq_users_email"),)

    id = Column(Integer, primary_key=True)
    email = Column(String(320), nullable=False)
    name = Column(String(200), nullable=False, default="")
    role = Column(String(20), nullable=False, default="agent")
    password_hash = Column(String(255), nullable=False)
    active = Column(Boolean, nullable=False, default=True)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)


class CasePhoto(Base):
    """A photo a customer attached in the web chat (evidence); ``case_id`` is set once the case is logged."""

    __tablename__ = "case_photos"
    __table_args__ = (UniqueConstraint("conversation_id", "filename", name="uq_case_photos_conversation_file"),)

    id = Column(Integer, primary_key=True)
    case_id = Column(Integer, ForeignKey("cases.id"), nullable=True, index=True)
    conversation_id = Column(String(200), nullable=False, index=True)
    filename = Column(String(200), nullable=False)
    original_name = Column(String(255), nullable=False, default="")
    content_type = Column(String(50), nullable=False)
    size_bytes = Column(Integer, nullable=False)
    sha256 = Column(String(64), nullable=False)
    metadata_stripped = Column(Boolean, nullable=False, default=True)
    uploaded_at = Column(UTCDateTime, nullable=False, default=utcnow)


# Indexes the supervisor reports use (migration 0002): themes by line or batch and defect over time,
# and audit events of one kind over time (satisfaction answers, status changes, exports).
Index("ix_cases_line_defect_created", Case.product_line, Case.defect_category, Case.created_at)
Index("ix_cases_batch_defect_created", Case.batch, Case.defect_category, Case.created_at)
Index("ix_case_events_kind_created", CaseEvent.kind, CaseEvent.created_at)
# Covering indexes of the report queries (migration 0005): themes, SLA and repeat complaints of a
# window read only the index; breached open cases are found by status and resolution due time.
Index("ix_cases_created_themes", Case.created_at, Case.product_line, Case.defect_category, Case.component, Case.batch)
Index(
    "ix_cases_created_sla",
    Case.created_at,
    Case.priority,
    Case.first_response_due,
    Case.first_responded_at,
    Case.resolution_due,
    Case.resolved_at,
)
Index("ix_cases_created_customer_product", Case.created_at, Case.customer_id, Case.product_id)
Index("ix_cases_status_resolution_due", Case.status, Case.resolution_due)
# Recurring-defect reports count complaints only (migration 0007): the themes index led by kind.
Index(
    "ix_cases_kind_created_themes",
    Case.kind,
    Case.created_at,
    Case.product_line,
    Case.defect_category,
    Case.component,
    Case.batch,
)
