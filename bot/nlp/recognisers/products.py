"""Products: which catalogue product (or at least which line) a message names, from its words or its SKU.

Every product contributes phrases built from its name, line and category; a phrase names one product when only
that product has it or when it is that product's full name. Single distinctive words ("Tarnside") count too,
unless they are generic (``data/lexicon/products.yml``) or ordinary English.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable, Mapping, Optional

from spacy.tokens import Doc

from bot.nlp import vocab
from bot.nlp.codes import CodeMatch
from bot.nlp.recognisers.colours import canonical_colour
from bot.nlp.recognisers.normalise import AddPhrases, Resources, phrase_norms
from bot.nlp.recognisers.spans import PhraseSpan, longest_first

if TYPE_CHECKING:
    from bot.nlp.rules import CatalogueEntry, Extraction

__all__ = ["Product", "ProductRecogniser", "catalogue_products"]


@dataclass(frozen=True)
class Product:
    """A catalogue entry with its colours in canonical spelling."""

    entry: CatalogueEntry
    colours: tuple[str, ...]


def catalogue_products(entries: Iterable[CatalogueEntry]) -> dict[str, Product]:
    """Products by SKU (the first entry wins when a SKU repeats)."""
    products: dict[str, Product] = {}
    for entry in entries:
        colours = tuple(canonical_colour(c) for c in entry.colours if c.strip())
        products.setdefault(entry.sku.strip(), Product(entry, colours))
    return products


class ProductRecogniser:
    """Recognises catalogue products by name, part of a name, line or SKU."""

    def __init__(self, products: Mapping[str, Product], res: Resources) -> None:
        """Nothing is matched until :meth:`build` registers the product phrases."""
        self._products = products
        self._res = res
        self._product_phrases: dict[str, frozenset[str]] = {}
        self._single_word: dict[str, str] = {}
        self._full_names: dict[str, str] = {}

    def build(self, add: AddPhrases, domain_words: set[str]) -> None:
        """Register every product phrase under the matcher key "PROD"; add their words to ``domain_words``."""
        phrases: dict[tuple[str, ...], set[str]] = {}
        singles: dict[tuple[str, ...], str] = {}
        memo: dict[str, tuple[str, ...]] = {}
        full_names: dict[tuple[str, ...], set[str]] = {}
        known = self._res.known_words
        for sku, product in self._products.items():
            entry = product.entry
            words = entry.name.split()
            line = entry.line.strip()
            candidates: set[str] = {entry.name}
            full_names.setdefault(phrase_norms(entry.name, self._res, memo), set()).add(sku)
            for size in range(2, len(words) + 1):
                for start in range(len(words) - size + 1):
                    part = words[start : start + size]
                    if part[0].lower() in {"the", "and", "of", "for", "with"} or part[-1].lower() in {"and", "of"}:
                        continue
                    candidates.add(" ".join(part))
            if line:
                candidates.add(line)
                if words:
                    candidates.add(f"{line} {words[-1]}")
                if entry.category.strip():
                    candidates.add(f"{line} {entry.category.strip()}")
            for word in words:
                lower = word.lower()
                if (
                    len(lower) >= 3
                    and lower.isalpha()
                    and lower not in vocab.GENERIC_PRODUCT_WORDS
                    and lower not in known
                    and lower not in self._res.lemmas
                ):
                    candidates.add(word)
            for text in candidates:
                norms = phrase_norms(text, self._res, memo)
                if not norms:
                    continue
                phrases.setdefault(norms, set()).add(sku)
                domain_words.update(re.findall(r"[a-z]+", text.lower()))
                if len(norms) == 1:
                    singles[norms] = text.lower()
        for norms, skus in phrases.items():
            key = "PROD|" + " ".join(norms)
            self._product_phrases[key] = frozenset(skus)
            if norms in singles:
                self._single_word[key] = singles[norms]
            owners = full_names.get(norms, set())
            if len(owners) == 1:
                self._full_names[key] = next(iter(owners))
        add("PROD", phrases)

    def knows(self, key: str) -> bool:
        """True when ``key`` ("PROD|<normalised words>") is one of the product phrases."""
        return key in self._product_phrases

    def find(
        self,
        doc: Doc,
        result: Extraction,
        matches: list[PhraseSpan],
        sku_codes: list[CodeMatch],
        corrected: set[int],
    ) -> set[int]:
        """Fill sku / product_name / product_line; return the tokens covered by multi-word product names."""
        valid: list[PhraseSpan] = []
        for start, end, key in matches:
            if end - start == 1 and key in self._single_word:
                word = self._single_word[key]
                token = doc[start].lower_
                if token not in {word, word + "s", word + "es", word + "'s"} and start not in corrected:
                    continue
            valid.append((start, end, key))
        spans = longest_first(valid)
        covered = {i for s, e, _ in spans if e - s > 1 for i in range(s, e)}

        sku: Optional[str] = sku_codes[0].code if sku_codes else None
        line: Optional[str] = None
        if sku is None and spans:
            # A phrase names one product when only it has those words, or when it is that product's full name.
            owners = {k: self._owner(k) for _, _, k in spans}
            unique = [(e - s, -s, k) for s, e, k in spans if owners[k] is not None]
            if unique:
                sku = owners[max(unique)[2]]
            else:
                common = frozenset.intersection(*(self._product_phrases[k] for _, _, k in spans))
                if len(common) == 1:
                    sku = next(iter(common))
                else:
                    pool = common or self._product_phrases[max((e - s, -s, k) for s, e, k in spans)[2]]
                    lines = {self._products[s].entry.line for s in pool}
                    if len(lines) == 1:
                        line = lines.pop()
        if sku is not None and sku in self._products:
            entry = self._products[sku].entry
            result.sku, result.product_name, result.product_line = entry.sku, entry.name, entry.line
        else:
            result.product_line = line
        return covered

    def _owner(self, key: str) -> Optional[str]:
        skus = self._product_phrases[key]
        if len(skus) == 1:
            return next(iter(skus))
        return self._full_names.get(key)
