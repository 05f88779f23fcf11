"""The :class:`~bot.conversation.catalogue.Catalogue` port on the case store (SQLAlchemy).

The only module of the conversation that opens units of work or knows the ORM models. Reads tolerate an
unavailable database (:func:`bot.cases.availability.tolerant` notes the miss, so the customer can be told
plainly that details will be checked later) and then raise :class:`CatalogueUnavailable`.

Text is read by an extractor built from the live catalogue and orders, rebuilt whenever they change, so a
product imported a minute ago is recognised in the next message, with no retraining of the Rasa model.
"""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any, Callable, Optional, TypeVar

from sqlalchemy import func, select

from bot.cases.availability import lookups_missed, tolerant
from bot.cases.models import Order, Product
from bot.cases.store import Store
from bot.conversation.catalogue import (
    MAX_ORDERS_BY_EMAIL,
    CatalogueUnavailable,
    ContactDetails,
    OrderFacts,
    ProductFacts,
)
from bot.nlp.extraction import CatalogueEntry, Extraction, Extractor
from bot.policy import ResolutionPolicy, ReturnsPolicy, load_policy, load_returns_policy

T = TypeVar("T")
_UNAVAILABLE: Any = object()
_lock = threading.Lock()
_extractors: dict[str, tuple[Any, Extractor]] = {}
_without_catalogue: list[Extractor] = []  # built once, for a database unavailable since start-up


def _product_facts(product: Product) -> ProductFacts:
    return ProductFacts(sku=product.sku, name=product.name, category=product.category)


def _order_facts(order: Order) -> OrderFacts:
    customer = order.customer
    known = customer is not None and customer.erased_at is None
    return OrderFacts(
        order_number=order.order_number,
        product=_product_facts(order.product),
        order_date=order.order_date,
        delivery_date=order.delivery_date,
        colour=order.colour or "",
        size=order.size or "",
        customer_name=(customer.name or "") if known else "",
        customer_email=(customer.email or "") if known else "",
        status=order.status or "",
        dispatch_date=order.dispatch_date,
        expected_delivery_date=order.expected_delivery_date,
        carrier=order.carrier or "",
        tracking_number=order.tracking_number or "",
    )


def catalogue_version(store: Store) -> tuple[Any, ...]:
    """A cheap fingerprint of the catalogue and orders (counts and newest change), in one round trip."""
    query = select(
        select(func.count(Product.id)).scalar_subquery(),
        select(func.max(Product.updated_at)).scalar_subquery(),
        select(func.count(Order.id)).scalar_subquery(),
        select(func.max(Order.id)).scalar_subquery(),
    )
    with store.unit_of_work() as uow:
        products_count, products_changed, orders_count, orders_newest = uow.session.execute(query).one()
    return ((products_count, products_changed), (orders_count, orders_newest))


def catalogue_entries(store: Store) -> tuple[list[CatalogueEntry], list[str]]:
    """Every product (as the extractor needs it) and every order number."""
    with store.unit_of_work() as uow:
        entries = [
            CatalogueEntry(
                sku=p.sku,
                name=p.name,
                line=p.line,
                category=p.category,
                colours=list(p.colours or []),
                sizes=list(p.sizes or []),
            )
            for p in uow.catalogue.products()
        ]
        numbers = uow.catalogue.order_numbers()
    return entries, numbers


def extractor_for(store: Store) -> Extractor:
    """The extractor for the store's current catalogue (rebuilt only when it changed).

    While the database is unavailable the last catalogue read is used (or none at all: defects, dates,
    sizes and colours are still understood), so the conversation goes on.
    """
    key = store.settings.database_url
    version = tolerant(lambda: catalogue_version(store), None)
    with _lock:
        cached = _extractors.get(key)
        if cached is not None and (version is None or cached[0] == version):
            return cached[1]
    if version is None:
        return _last_known(key)
    return tolerant(lambda: _build(store, key, version), _last_known(key))


def _last_known(key: str) -> Extractor:
    """The last catalogue read for ``key``, else one without products or orders."""
    with _lock:
        cached = _extractors.get(key)
        if cached is not None:
            return cached[1]
        if not _without_catalogue:
            _without_catalogue.append(Extractor([], []))
        return _without_catalogue[0]


def _build(store: Store, key: str, version: tuple[Any, ...]) -> Extractor:
    entries, numbers = catalogue_entries(store)
    extractor = Extractor(entries, numbers)
    with _lock:
        _extractors[key] = (version, extractor)
    return extractor


class SqlCatalogue:
    """The shop's catalogue, orders and policy, read from the case store."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def _read(self, read: Callable[[], T]) -> T:
        found = tolerant(read, _UNAVAILABLE)
        if found is _UNAVAILABLE:
            raise CatalogueUnavailable("the case database is unavailable")
        return found

    def today(self) -> dt.date:
        """Today's date on the store's clock."""
        return self.store.clock().date()

    def understand(self, text: str, today: dt.date) -> Extraction:
        """What ``text`` says, read against the live catalogue and orders."""
        return extractor_for(self.store).extract(text or "", today=today)

    def order(self, number: str) -> Optional[OrderFacts]:
        """The order numbered ``number``, None when there is none."""

        def read() -> Optional[OrderFacts]:
            with self.store.unit_of_work() as uow:
                order = uow.catalogue.order(number)
                return _order_facts(order) if order is not None else None

        return self._read(read)

    def orders_for_email(self, email: str, limit: int = MAX_ORDERS_BY_EMAIL) -> list[OrderFacts]:
        """Up to ``limit`` orders of the customer with ``email``, newest first."""

        def read() -> list[OrderFacts]:
            with self.store.unit_of_work() as uow:
                return [_order_facts(o) for o in uow.catalogue.orders_for_email(email)[:limit]]

        return self._read(read)

    def product(self, sku: str) -> Optional[ProductFacts]:
        """The catalogue item ``sku``, None when unknown."""

        def read() -> Optional[ProductFacts]:
            with self.store.unit_of_work() as uow:
                product = uow.catalogue.product(sku)
                return _product_facts(product) if product is not None else None

        return self._read(read)

    def products(self) -> list[CatalogueEntry]:
        """Every catalogue item."""
        return self._read(lambda: catalogue_entries(self.store)[0])

    def policy(self) -> ResolutionPolicy:
        """The resolution policy configured for this store (the loader re-reads it only when the file changes)."""
        return load_policy(self.store.settings.resolution_policy_file)

    def returns_policy(self) -> ReturnsPolicy:
        """The returns policy configured for this store (the loader re-reads it only when the file changes)."""
        return load_returns_policy(self.store.settings.returns_policy_file)

    def contact(self) -> ContactDetails:
        """The customer care contact details from the settings."""
        settings = self.store.settings
        return ContactDetails(
            settings.contact_phone, settings.contact_email, settings.contact_hours, settings.returns_address
        )

    def lookups_missed(self) -> bool:
        """True when a tolerant read in this context found the database unavailable."""
        return lookups_missed()
