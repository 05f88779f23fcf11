"""The conversation's port to the shop: orders, products, the resolution policy and today's date.

The conversation only talks to this :class:`Catalogue` protocol. :mod:`bot.conversation.sql_catalogue`
implements it on the case store (the one place the conversation reaches the database); unit tests use
the in-memory fake in ``tests/support/fake_catalogue.py``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Optional, Protocol

from bot.nlp.extraction import CatalogueEntry, Extraction
from bot.policy import ResolutionPolicy

if TYPE_CHECKING:
    from bot.policy import ReturnsPolicy

MAX_ORDERS_BY_EMAIL = 6


class CatalogueUnavailable(Exception):
    """The shop's data cannot be read right now (the database is locked or down): carry on without it."""


@dataclass(frozen=True)
class ProductFacts:
    """A catalogue item as the conversation needs it."""

    sku: str
    name: str
    category: str


@dataclass(frozen=True)
class OrderFacts:
    """An order as the conversation needs it (customer details only while the customer is not erased)."""

    order_number: str
    product: ProductFacts
    order_date: dt.date
    delivery_date: Optional[dt.date] = None
    colour: str = ""
    size: str = ""
    customer_name: str = ""
    customer_email: str = ""
    status: str = ""  # processing | dispatched | delivered | cancelled ("" when the orders file did not say)
    dispatch_date: Optional[dt.date] = None
    expected_delivery_date: Optional[dt.date] = None
    carrier: str = ""
    tracking_number: str = ""

    @property
    def delivered(self) -> bool:
        """True when the order has been delivered (a delivery date, or the status says so)."""
        return self.status == "delivered" or (self.delivery_date is not None and self.status != "cancelled")

    @property
    def dispatched(self) -> bool:
        """True once the order has left the warehouse (dispatched or delivered)."""
        return self.delivered or self.status == "dispatched" or self.dispatch_date is not None

    def as_slots(self) -> dict[str, Any]:
        """The slot values this order gives the complaint."""
        facts: dict[str, Any] = {
            "order_number": self.order_number,
            "product": self.product.sku,
            "product_name": self.product.name,
            "product_category": self.product.category,
            "purchase_date": self.order_date.isoformat(),
        }
        if self.delivery_date:
            facts["delivery_date"] = self.delivery_date.isoformat()
        if self.colour:
            facts["colour"] = self.colour
        if self.size:
            facts["size"] = self.size
        if self.customer_name:
            facts["customer_name"] = self.customer_name
        if self.customer_email:
            facts["customer_email"] = self.customer_email
        return facts


@dataclass(frozen=True)
class ContactDetails:
    """How customers reach the customer care team (from the settings)."""

    phone: str
    email: str
    hours: str
    returns_address: str


class Catalogue(Protocol):
    """What the conversation reads from the shop. Reads raise :class:`CatalogueUnavailable` when they cannot."""

    def today(self) -> dt.date:
        """Today's date (the store's clock)."""

    def understand(self, text: str, today: dt.date) -> Extraction:
        """What ``text`` says, read against the current catalogue and orders."""

    def order(self, number: str) -> Optional[OrderFacts]:
        """The order numbered ``number`` (case-insensitive), None when there is none."""

    def orders_for_email(self, email: str, limit: int = MAX_ORDERS_BY_EMAIL) -> list[OrderFacts]:
        """Up to ``limit`` orders of the customer with ``email``, newest first."""

    def product(self, sku: str) -> Optional[ProductFacts]:
        """The catalogue item ``sku``, None when unknown."""

    def products(self) -> list[CatalogueEntry]:
        """Every catalogue item (names, lines, colours, sizes)."""

    def policy(self) -> ResolutionPolicy:
        """The resolution policy in force."""

    def returns_policy(self) -> ReturnsPolicy:
        """The change-of-mind returns policy in force (``data/policy/returns.yml``)."""

    def contact(self) -> ContactDetails:
        """The customer care team's phone, e-mail, hours and returns address."""

    def lookups_missed(self) -> bool:
        """True when a read in this piece of work found the shop's data unavailable."""
