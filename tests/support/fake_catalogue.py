"""An in-memory :class:`bot.conversation.catalogue.Catalogue` for the conversation's unit tests.

The conversation reads the shop only through that port, so its tests need no migrated database: the demo
catalogue (``data/demo/catalogue.csv``) and a handful of orders in memory are enough. ``down=True`` makes
every read fail the way an unavailable database does.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Optional

from bot.conversation.catalogue import (
    MAX_ORDERS_BY_EMAIL,
    CatalogueUnavailable,
    ContactDetails,
    OrderFacts,
    ProductFacts,
)
from bot.nlp.extraction import CatalogueEntry, Extraction, Extractor
from bot.policy import ResolutionPolicy, ReturnsPolicy, load_policy, load_returns_policy

ROOT = Path(__file__).resolve().parents[2]
DEMO_CATALOGUE = ROOT / "data" / "demo" / "catalogue.csv"
POLICY_FILE = ROOT / "data" / "policy" / "resolution.yml"
RETURNS_POLICY_FILE = ROOT / "data" / "policy" / "returns.yml"
CONTACT = ContactDetails(
    phone="0808 157 0192",
    email="customer-care@example.com",
    hours="Monday to Friday 9am to 5:30pm, Saturday 10am to 4pm",
    returns_address="Returns Department, Unit 4 Example Trading Estate, Northampton NN5 9ZZ",
)


@dataclass(frozen=True)
class FakeCustomer:
    """The customer of an order."""

    name: str
    email: str


@dataclass(frozen=True)
class FakeOrder:
    """An order, shaped like the ORM's (``order.product.name``, ``order.customer.email``)."""

    order_number: str
    product: ProductFacts
    customer: FakeCustomer
    order_date: dt.date
    delivery_date: Optional[dt.date] = None
    colour: str = ""
    size: str = ""
    status: str = ""
    dispatch_date: Optional[dt.date] = None
    expected_delivery_date: Optional[dt.date] = None
    carrier: str = ""
    tracking_number: str = ""

    def facts(self) -> OrderFacts:
        """The order as the conversation reads it."""
        return OrderFacts(
            order_number=self.order_number,
            product=self.product,
            order_date=self.order_date,
            delivery_date=self.delivery_date,
            colour=self.colour,
            size=self.size,
            customer_name=self.customer.name,
            customer_email=self.customer.email,
            status=self.status,
            dispatch_date=self.dispatch_date,
            expected_delivery_date=self.expected_delivery_date,
            carrier=self.carrier,
            tracking_number=self.tracking_number,
        )


def demo_products() -> list[CatalogueEntry]:
    """The demo catalogue."""
    with open(DEMO_CATALOGUE, encoding="utf-8") as handle:
        return [CatalogueEntry.from_record(row) for row in csv.DictReader(handle)]


def demo_orders(today: dt.date, products: list[CatalogueEntry]) -> list[FakeOrder]:
    """A few orders in the formats real shops use; one customer has two orders, the others one."""
    by_sku = {p.sku: ProductFacts(p.sku, p.name, p.category) for p in products}

    def order(i: int, number: str, email: str, name: str, days_ago: int, delivered: Optional[int]) -> FakeOrder:
        product = products[i % len(products)]
        return FakeOrder(
            order_number=number,
            product=by_sku[product.sku],
            customer=FakeCustomer(name, email),
            order_date=today - dt.timedelta(days=days_ago),
            delivery_date=today - dt.timedelta(days=delivered) if delivered is not None else None,
            colour=product.colours[0] if product.colours else "",
            size=product.sizes[0] if product.sizes else "",
        )

    return [
        order(0, "ORD-100001", "amelia.smith1@example.com", "Amelia Smith", 40, 36),
        order(5, "ORD-100002", "oliver.jones2@example.com", "Oliver Jones", 120, 117),
        order(9, "STR/2003/LDN", "isla.taylor3@example.com", "Isla Taylor", 12, None),
        order(13, "ORD-100004", "george.brown4@example.com", "George Brown", 200, 196),
        order(3, "ORD-100005", "george.brown4@example.com", "George Brown", 15, 12),
        order(17, "ORD-100006", "ava.wilson6@example.com", "Ava Wilson", 8, 5),
    ]


_extractors: dict[tuple[Any, ...], Extractor] = {}


def _extractor(products: list[CatalogueEntry], numbers: list[str]) -> Extractor:
    """One extractor per catalogue content (building one takes a moment), shared by the tests."""
    key = (tuple((p.sku, p.name, p.line, p.category, *p.colours, "|", *p.sizes) for p in products), tuple(numbers))
    if key not in _extractors:
        _extractors[key] = Extractor(products, numbers)
    return _extractors[key]


@lru_cache(maxsize=1)
def _policy() -> ResolutionPolicy:
    return load_policy(POLICY_FILE)


@lru_cache(maxsize=1)
def _returns_policy() -> ReturnsPolicy:
    return load_returns_policy(RETURNS_POLICY_FILE)


@dataclass
class FakeCatalogue:
    """The shop in memory: products, orders, the project's resolution policy and a fixed today."""

    today_is: dt.date
    product_list: list[CatalogueEntry] = field(default_factory=demo_products)
    order_list: list[FakeOrder] = field(default_factory=list)
    down: bool = False
    missed: bool = False

    @classmethod
    def demo(cls, today: dt.date) -> FakeCatalogue:
        """The demo catalogue with :func:`demo_orders`."""
        products = demo_products()
        return cls(today, products, demo_orders(today, products))

    def _check(self) -> None:
        if self.down:
            self.missed = True
            raise CatalogueUnavailable("the fake catalogue is down")

    def today(self) -> dt.date:
        """The fixed date."""
        return self.today_is

    def understand(self, text: str, today: dt.date) -> Extraction:
        """What ``text`` says, read against these products and orders (as last read, even while down)."""
        numbers = [o.order_number for o in self.order_list]
        return _extractor(self.product_list, numbers).extract(text or "", today=today)

    def order(self, number: str) -> Optional[OrderFacts]:
        """The order numbered ``number`` (case-insensitive)."""
        self._check()
        wanted = number.strip().upper()
        return next((o.facts() for o in self.order_list if o.order_number.upper() == wanted), None)

    def orders_for_email(self, email: str, limit: int = MAX_ORDERS_BY_EMAIL) -> list[OrderFacts]:
        """The customer's orders, newest first."""
        self._check()
        mine = [o for o in self.order_list if o.customer.email == email.strip().lower()]
        return [o.facts() for o in sorted(mine, key=lambda o: o.order_date, reverse=True)[:limit]]

    def product(self, sku: str) -> Optional[ProductFacts]:
        """The catalogue item ``sku`` (case-insensitive)."""
        self._check()
        found = next((p for p in self.product_list if p.sku.upper() == sku.strip().upper()), None)
        return ProductFacts(found.sku, found.name, found.category) if found else None

    def products(self) -> list[CatalogueEntry]:
        """Every catalogue item."""
        self._check()
        return list(self.product_list)

    def policy(self) -> ResolutionPolicy:
        """The project's resolution policy (``data/policy/resolution.yml``)."""
        return _policy()

    def returns_policy(self) -> ReturnsPolicy:
        """The project's returns policy (``data/policy/returns.yml``)."""
        return _returns_policy()

    def contact(self) -> ContactDetails:
        """The demo contact details (the settings' defaults)."""
        return CONTACT

    def lookups_missed(self) -> bool:
        """True once a read found the fake down."""
        return self.missed
