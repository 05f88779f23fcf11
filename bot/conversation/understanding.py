"""Run-time understanding of customer text against the live catalogue and orders.

The extractor is rebuilt whenever the catalogue or orders change, so a product imported
a minute ago is recognised in the next message, with no retraining of the Rasa model.
"""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any, Optional

from sqlalchemy import func, select

from bot.cases.availability import tolerant
from bot.cases.models import Order, Product
from bot.cases.store import Store
from bot.nlp.extraction import CatalogueEntry, Extraction, Extractor

_lock = threading.Lock()
_cache: dict[str, tuple[Any, Extractor]] = {}
_without_catalogue: list[Extractor] = []  # built once, for a database unavailable since start-up


def _catalogue_version(store: Store) -> tuple[Any, ...]:
    """A cheap fingerprint of the catalogue and orders (counts and newest change)."""
    # One round trip: this runs on every message the assistant reads.
    query = select(
        select(func.count(Product.id)).scalar_subquery(),
        select(func.max(Product.updated_at)).scalar_subquery(),
        select(func.count(Order.id)).scalar_subquery(),
        select(func.max(Order.id)).scalar_subquery(),
    )
    with store.unit_of_work() as uow:
        products_count, products_changed, orders_count, orders_newest = uow.session.execute(query).one()
    return ((products_count, products_changed), (orders_count, orders_newest))


def extractor_for(store: Store) -> Extractor:
    """The extractor for the store's current catalogue (rebuilt only when it changed).

    While the database is unavailable the last catalogue read is used (or none at all: defects, dates,
    sizes and colours are still understood), so the conversation goes on.
    """
    key = store.settings.database_url
    version = tolerant(lambda: _catalogue_version(store), None)
    with _lock:
        cached = _cache.get(key)
        if cached is not None and (version is None or cached[0] == version):
            return cached[1]
    if version is None:
        return _last_known(key)
    return tolerant(lambda: _build(store, key, version), _last_known(key))


def _last_known(key: str) -> Extractor:
    """The last catalogue read for ``key``, else one without products or orders."""
    with _lock:
        cached = _cache.get(key)
        if cached is not None:
            return cached[1]
        if not _without_catalogue:
            _without_catalogue.append(Extractor([], []))
        return _without_catalogue[0]


def warm_up(store: Store) -> None:
    """Build the extractor and load the models before the first customer message arrives."""
    understand(store, "warm-up: the stitching on my boots split")


def _build(store: Store, key: str, version: tuple[Any, ...]) -> Extractor:
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
    extractor = Extractor(entries, numbers)
    with _lock:
        _cache[key] = (version, extractor)
    return extractor


def understand(store: Store, text: str, today: Optional[dt.date] = None) -> Extraction:
    """What the text says about the complaint: product, defect, order, dates..."""
    today = today or store.clock().date()
    return extractor_for(store).extract(text or "", today=today)
