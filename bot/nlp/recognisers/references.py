"""References in raw text: e-mail address, case reference, order number and SKU (codes via :mod:`bot.nlp.codes`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

from bot.nlp.codes import CodeIndex, CodeMatch
from bot.nlp.recognisers.spans import overlaps
from bot.patterns import CASE_REFERENCE_LOOSE, EMAIL

if TYPE_CHECKING:
    from bot.nlp.rules import Extraction

__all__ = ["ReferenceRecogniser"]



class ReferenceRecogniser:
    """Finds e-mail, case reference, a known order number and known SKUs (in that order of precedence)."""

    def __init__(self, order_numbers: Iterable[str], skus: Iterable[str]) -> None:
        """Index ``order_numbers`` and ``skus`` (case-insensitive, separators optional)."""
        self._orders = CodeIndex(order_numbers)
        self._skus = CodeIndex(skus)

    def find(self, text: str, result: Extraction) -> tuple[list[tuple[int, int]], list[CodeMatch]]:
        """Fill e-mail, case reference and order number; return the character spans they use and any SKUs."""
        emails = [(m.start(), m.end(), m.group().rstrip(".")) for m in EMAIL.finditer(text)]
        result.email = emails[0][2] if emails else None
        reserved = [(s, e) for s, e, _ in emails]
        case_refs = [m for m in CASE_REFERENCE_LOOSE.finditer(text) if not overlaps(m.start(), m.end(), reserved)]
        if case_refs:
            result.case_reference = f"CS-{case_refs[0].group(1)}-{case_refs[0].group(2)}"
        reserved += [(m.start(), m.end()) for m in case_refs]
        orders = [m for m in self._orders.find(text) if not overlaps(m.start, m.end, reserved)]
        result.order_number = orders[0].code if orders else None
        reserved += [(m.start, m.end) for m in orders]
        sku_codes = [m for m in self._skus.find(text) if not overlaps(m.start, m.end, reserved)]
        reserved += [(m.start, m.end) for m in sku_codes]
        return reserved, sku_codes
