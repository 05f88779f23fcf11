"""Rule-based extraction of complaint facts, built from the live catalogue at run time.

A :class:`RuleExtractor` is built from catalogue entries and known order numbers. It needs no training: a product
imported a minute ago is recognised as soon as a new extractor is built. Matching uses a blank English spaCy
pipeline (tokenizer only, cached once per process) with :class:`~spacy.matcher.PhraseMatcher` and
:class:`~spacy.matcher.Matcher` over a normalised form of each token (lower case, lemma, British spelling, common
misspellings and text-speak, one-edit typo correction against the domain vocabulary). Codes (order numbers, SKUs,
case references), e-mail addresses, sizes and dates are matched on the raw text with regular expressions.

The :class:`RuleExtractor` is the orchestrator: it builds the shared phrase matcher and normaliser, then runs one
recogniser per fact (:mod:`bot.nlp.recognisers`: references, products, defects, colours, sizes, purchase dates;
dates come from :mod:`bot.nlp.dates` and injury from :mod:`bot.nlp.safety`). The vocabulary is data
(``data/lexicon/*.yml``, through :mod:`bot.nlp.vocab`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Optional, Sequence

from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from bot.nlp.dates import find_dates
from bot.nlp.recognisers.colours import ColourRecogniser
from bot.nlp.recognisers.defects import find_defects
from bot.nlp.recognisers.normalise import Normaliser, norm_doc, resources, static_vocabulary
from bot.nlp.recognisers.products import ProductRecogniser, catalogue_products
from bot.nlp.recognisers.purchase_dates import find_purchase_date
from bot.nlp.recognisers.references import ReferenceRecogniser
from bot.nlp.recognisers.sizes import find_size, normalise_size
from bot.nlp.recognisers.spans import PhraseSpan, overlaps
from bot.nlp.safety import injury_mentioned

__all__ = ["CatalogueEntry", "Extraction", "RuleExtractor", "analyse_lines", "normalise_size"]


# ---------------------------------------------------------------------------------------------------------------
# Public data types
# ---------------------------------------------------------------------------------------------------------------


@dataclass
class CatalogueEntry:
    """One product as the extractor needs it (a subset of the catalogue row)."""

    sku: str
    name: str
    line: str
    category: str
    colours: list[str] = field(default_factory=list)
    sizes: list[str] = field(default_factory=list)

    @classmethod
    def from_record(cls, record: Any) -> CatalogueEntry:
        """Build from a catalogue row: a mapping or an object (e.g. ``bot.cases.models.Product``) with those fields."""

        def get(name: str) -> Any:
            return record.get(name) if isinstance(record, Mapping) else getattr(record, name, None)

        def as_list(value: Any) -> list[str]:
            if value is None:
                return []
            if isinstance(value, str):
                return [v.strip() for v in value.split(";") if v.strip()]
            return [str(v) for v in value]

        return cls(
            sku=str(get("sku") or ""),
            name=str(get("name") or ""),
            line=str(get("line") or ""),
            category=str(get("category") or ""),
            colours=as_list(get("colours")),
            sizes=as_list(get("sizes")),
        )


@dataclass
class Extraction:
    """Everything found in one message. Unknown facts are None (or empty lists)."""

    defect_category: Optional[str] = None
    defect_categories: list[str] = field(default_factory=list)
    defect_candidates: list[dict[str, Any]] = field(default_factory=list)
    secondary_defect_category: Optional[str] = None
    no_fault: Optional[float] = None
    component: Optional[str] = None
    components: list[str] = field(default_factory=list)
    sku: Optional[str] = None
    product_name: Optional[str] = None
    product_line: Optional[str] = None
    colour: Optional[str] = None
    size: Optional[str] = None
    order_number: Optional[str] = None
    dates: list[dict[str, str]] = field(default_factory=list)
    purchase_date: Optional[str] = None
    email: Optional[str] = None
    case_reference: Optional[str] = None
    injury: bool = False

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form (lists are copied)."""
        return {
            "defect_category": self.defect_category,
            "defect_candidates": [dict(c) for c in self.defect_candidates],
            "secondary_defect_category": self.secondary_defect_category,
            "defect_categories": list(self.defect_categories),
            "component": self.component,
            "components": list(self.components),
            "sku": self.sku,
            "product_name": self.product_name,
            "product_line": self.product_line,
            "colour": self.colour,
            "size": self.size,
            "order_number": self.order_number,
            "dates": [dict(d) for d in self.dates],
            "purchase_date": self.purchase_date,
            "email": self.email,
            "case_reference": self.case_reference,
            "injury": self.injury,
        }


# ---------------------------------------------------------------------------------------------------------------
# The extractor
# ---------------------------------------------------------------------------------------------------------------


class RuleExtractor:
    """Rule-based extractor for one catalogue; cheap to rebuild whenever the catalogue or orders change.

    :class:`bot.nlp.extraction.Extractor` adds the learned defect reading on top; the learned model's own
    features come from this class, so the model never depends on itself.
    """

    def __init__(self, products: Sequence[CatalogueEntry], order_numbers: Iterable[str]) -> None:
        """Build matchers for ``products`` and a code index for ``order_numbers`` (case-insensitive)."""
        self._res = resources()
        catalogue = catalogue_products(products)
        self._references = ReferenceRecogniser(order_numbers, catalogue)
        self._products = ProductRecogniser(catalogue, self._res)
        self._colours = ColourRecogniser(catalogue, self._res)
        self._keys: dict[int, str] = {}
        self._matcher = PhraseMatcher(self._res.nlp.vocab, attr="NORM")

        static = static_vocabulary()
        domain_words: set[str] = set(static.words)
        for key, phrases in static.phrases:
            self._add(key, phrases)
        self._colours.build(self._add, domain_words)
        self._products.build(self._add, domain_words)
        self._normalise = Normaliser(self._res, domain_words)
        self._colours.build_contrast_matcher()

    def _add(self, key: str, phrases: Iterable[tuple[str, ...]]) -> None:
        """Register normalised ``phrases`` under ``key`` in the shared phrase matcher."""
        vocab_ = self._res.nlp.vocab
        docs = [norm_doc(vocab_, norms) for norms in phrases if norms]
        if docs:
            self._keys[vocab_.strings.add(key)] = key
            self._matcher.add(key, docs)

    def extract(self, text: str, today: Optional[dt.date] = None) -> Extraction:
        """Extract every fact found in ``text``; relative dates are resolved against ``today`` (default: today)."""
        today = today or dt.date.today()
        clean = (text or "").replace("\u2019", "'").replace("\u2018", "'")
        result = Extraction()
        reserved, sku_codes = self._references.find(clean, result)

        mentions = [m for m in find_dates(clean, today) if not overlaps(m.start, m.end, reserved)]
        result.dates = [m.as_dict() for m in mentions]
        result.purchase_date = find_purchase_date(clean, mentions, today)
        date_spans = [(m.start, m.end) for m in mentions]

        doc = self._res.nlp.make_doc(clean)
        corrected = self._normalise(doc)
        code_tokens = {t.i for t in doc if overlaps(t.idx, t.idx + len(t), reserved)}
        date_tokens = {t.i for t in doc if overlaps(t.idx, t.idx + len(t), date_spans)}
        by_kind = self._phrase_matches(doc, code_tokens)

        product_tokens = self._products.find(doc, result, by_kind.get("PROD", []), sku_codes, corrected)
        colour_hits = self._colours.contrast_hits(doc, product_tokens | code_tokens)
        find_defects(doc, result, by_kind, product_tokens, code_tokens, colour_hits)
        self._read_defect(clean, result)
        result.colour = self._colours.find(
            doc, by_kind.get("COLOUR", []), product_tokens | code_tokens | date_tokens, result.sku
        )
        result.size = find_size(clean, reserved + date_spans)
        result.injury = injury_mentioned(clean)
        return result

    def _read_defect(self, text: str, result: Extraction) -> None:
        """A hook after the rule findings on the defect (the rules alone: nothing more to read)."""

    def _phrase_matches(self, doc: Doc, code_tokens: set[int]) -> dict[str, list[PhraseSpan]]:
        """Phrase matches grouped by kind (CUE, FAIL, COMP, SURF, NEUTRAL, PROBLEM, COLOUR, PROD)."""
        by_kind: dict[str, list[PhraseSpan]] = {}
        for match_id, start, end in self._matcher(doc):
            key = self._keys.get(match_id)
            if key is None or any(i in code_tokens for i in range(start, end)):
                continue
            if key == "PROD":  # one matcher key for all products: the matched words say which phrase it was
                key = "PROD|" + " ".join(t.norm_ for t in doc[start:end])
                if not self._products.knows(key):
                    continue
            by_kind.setdefault(key.split("|", 1)[0], []).append((start, end, key))
        return by_kind


def analyse_lines(
    extractor: RuleExtractor, lines: Iterable[str], today: Optional[dt.date] = None
) -> list[dict[str, Any]]:
    """Extract from each non-blank line; each result is ``{"text": line, **extraction.as_dict()}``."""
    results: list[dict[str, Any]] = []
    for line in lines:
        text = line.strip()
        if text:
            results.append({"text": text, **extractor.extract(text, today).as_dict()})
    return results
