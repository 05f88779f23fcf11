"""Rule-based extraction of complaint facts, built from the live catalogue at run time.

An :class:`Extractor` is built from catalogue entries and known order numbers. It needs no training: a product
imported a minute ago is recognised as soon as a new extractor is built. Matching uses a blank English spaCy
pipeline (tokenizer only, cached once per process) with :class:`~spacy.matcher.PhraseMatcher` and
:class:`~spacy.matcher.Matcher` over a normalised form of each token (lower case, lemma, British spelling, common
misspellings and text-speak, one-edit typo correction against the domain vocabulary). Codes (order numbers, SKUs,
case references), e-mail addresses, sizes and dates are matched on the raw text with regular expressions.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Iterable, Mapping, Optional, Sequence

import spacy
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc

from bot.nlp import vocab
from bot.nlp.codes import CodeIndex, CodeMatch
from bot.nlp.dates import DateMention, find_dates
from bot.nlp.fuzzy import FuzzyIndex
from bot.nlp.safety import injury_mentioned

__all__ = ["CatalogueEntry", "Extraction", "Extractor", "analyse_lines", "normalise_size"]


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
# Shared, read-only resources: the blank pipeline and the English lemma table (loaded once per process)
# ---------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Resources:
    nlp: Language
    lemmas: Mapping[Any, str]
    known_words: frozenset[str]


@lru_cache(maxsize=1)
def _resources() -> _Resources:
    """The cached blank English pipeline plus its lemma lookup table (from spacy-lookups-data, when installed)."""
    nlp = spacy.blank("en")
    lemmas: Mapping[Any, str] = {}
    known: set[str] = set(nlp.Defaults.stop_words)
    try:
        from spacy.lookups import load_lookups

        table = load_lookups("en", ["lemma_lookup"]).get_table("lemma_lookup")
        lemmas = table
        known.update(str(v).lower() for v in table.values())
    except (ValueError, KeyError, ImportError, OSError):  # pragma: no cover - lookups data not installed
        pass
    return _Resources(nlp=nlp, lemmas=lemmas, known_words=frozenset(known))


def _strip_plural(word: str) -> str:
    if len(word) <= 3 or not word.endswith("s") or word.endswith(("ss", "us", "is", "'s")):
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "xes", "sses")):
        return word[:-2]
    return word[:-1]


def _norm_word(word: str, res: _Resources) -> str:
    """Normalise one lower-case word: alias, lemma (or plural stripping), then alias again."""
    w = vocab.WORD_ALIASES.get(word, word)
    if w in vocab.PROTECTED_WORDS:
        return w
    lemma = res.lemmas.get(w) if res.lemmas else None
    w = str(lemma).lower() if lemma else _strip_plural(w)
    return vocab.WORD_ALIASES.get(w, w)


def _phrase_norms(text: str, res: _Resources, memo: Optional[dict[str, tuple[str, ...]]] = None) -> tuple[str, ...]:
    """Normalised token sequence of a vocabulary phrase.

    The tokenizer treats each whitespace-separated chunk on its own, so chunks can be memoised in ``memo``.
    """
    if memo is None:
        doc = res.nlp.make_doc(text.replace("\u2019", "'"))
        return tuple(_norm_word(_base(tok.lower_, tok.norm_), res) for tok in doc if not tok.is_space)
    norms: list[str] = []
    for chunk in text.split():
        found = memo.get(chunk)
        if found is None:
            found = memo[chunk] = _phrase_norms(chunk, res)
        norms.extend(found)
    return tuple(norms)


def _base(lower: str, norm: str) -> str:
    """Prefer the tokenizer's own norm for contractions ("n't" -> "not", "wo" -> "will")."""
    return norm if norm != lower and norm.isalpha() else lower


@dataclass(frozen=True)
class _StaticVocabulary:
    phrases: tuple[tuple[str, tuple[tuple[str, ...], ...]], ...]
    words: frozenset[str]


@lru_cache(maxsize=1)
def _static_vocabulary() -> _StaticVocabulary:
    """Every fixed vocabulary phrase, normalised once, grouped by matcher key; plus every word they use."""
    res = _resources()
    groups: dict[str, set[tuple[str, ...]]] = {}
    words: set[str] = set()

    def add(key: str, phrases: Iterable[str]) -> None:
        bucket = groups.setdefault(key, set())
        for phrase in phrases:
            for variant in vocab.expand(phrase):
                words.update(w for w in re.findall(r"[a-z]+", variant.lower()))
                norms = _phrase_norms(variant, res)
                if norms:
                    bucket.add(norms)

    for category, cues in vocab.DEFECT_CUES.items():
        add(f"CUE|{category}|strong", cues)
    for category, cues in vocab.WEAK_DEFECT_CUES.items():
        add(f"CUE|{category}|weak", cues)
    add("NEUTRAL", vocab.NEUTRAL_PHRASES)
    for kind, phrases in vocab.FAILURE_PHRASES.items():
        add(f"FAIL|{kind}", phrases)
    for component, synonyms in vocab.COMPONENT_SYNONYMS.items():
        add(f"COMP|{component}", synonyms)
    add("SURF|SURF", vocab.SURFACE_WORDS)
    add("PROBLEM", vocab.PROBLEM_WORDS)
    for alias, target in vocab.WORD_ALIASES.items():  # known variants are good targets for typo correction too
        words.update(w for w in (alias, target) if w.isalpha() and len(w) >= 5)
    grouped = tuple((key, tuple(sorted(found))) for key, found in sorted(groups.items()))
    return _StaticVocabulary(grouped, frozenset(words))


# ---------------------------------------------------------------------------------------------------------------
# Raw-text patterns
# ---------------------------------------------------------------------------------------------------------------

_EMAIL = re.compile(r"(?<![\w.+-])[A-Za-z0-9][A-Za-z0-9._%+'-]{0,63}@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_CASE_REF = re.compile(r"(?<![A-Za-z0-9])CS[-\s_]?(\d{4})[-\s_]?(\d{6})(?!\d)", re.IGNORECASE)
_PRICE = re.compile(
    r"[£$€]\s?\d[\d,]*(?:\.\d+)?(?:\s?(?:k|quid|pounds?))?"
    r"|\b\d[\d,]*(?:\.\d+)?\s?(?:p|pence|quid|pounds?|gbp|euros?|eur|dollars?|usd|bucks)\b",
    re.IGNORECASE,
)
_QUANTITY = re.compile(
    r"\b\d+(?:\.\d+)?\s*(?:x\s*)?(?:pairs?|items?|boxes|parcels?|times|days?|weeks?|months?|years?|hours?|hrs?|mins?|"
    r"minutes?|%|percent|cm|mm|kg|g|km|miles?|orders?|people|stars?)\b",
    re.IGNORECASE,
)

_HALF = r"(?P<half>\.5|\s*½|\s+1/2|\s+and\s+a\s+half|-and-a-half)?"
_SIZE_NUMBER = rf"(?P<num>\d{{1,2}}(?:\.5)?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen){_HALF}"  # noqa: E501
_NOT_A_UNIT = (
    r"(?!\d|\.\d|\s*(?:%|cm|mm|kg|quid|pounds?|euros?|dollars?|pairs?|items?|days?|weeks?|months?|years?|hours?|"
    r"hrs?|mins?|minutes?|times?|boxes|orders?|out\s+of)\b)"
)
_SIZE_PATTERNS: tuple[re.Pattern[str], ...] = (
    # "UK 8", "uk8", "EU 42", "US 9.5", "UK size 7 1/2"
    re.compile(
        rf"(?<![\w£$€.])(?P<sys>uk|eu|eur|us|usa|u\.s\.)\s*(?:size\s*|sz\s*)?{_SIZE_NUMBER}{_NOT_A_UNIT}",
        re.IGNORECASE,
    ),
    # "size 8", "size: 8", "size 7 1/2", "size eight and a half", "size 8 uk", "a size 42"
    re.compile(
        rf"\b(?:size|sz|sized)\s*(?::\s*|is\s+|was\s+|of\s+|no\.?\s*|number\s+)?(?:(?P<sys>uk|eu|eur|us)\s*)?"
        rf"{_SIZE_NUMBER}{_NOT_A_UNIT}(?:\s*(?P<sys2>uk|eu|us)\b)?",
        re.IGNORECASE,
    ),
    # "8 UK", "42EU"
    re.compile(rf"(?<![\w£$€.])(?P<num>\d{{1,2}}(?:\.5)?){_HALF}\s*(?P<sys>uk|eu)\b", re.IGNORECASE),
    # bare half sizes: "an 8.5", "7½", "9 and a half"
    re.compile(
        r"(?<![\w£$€./-])(?P<num>\d{1,2})(?P<half>\.5|\s*½|\s+and\s+a\s+half)"
        r"(?!\d|\s*(?:%|cm|mm|kg|quid|pounds?|pairs?|items?|days?|weeks?|months?|years?|hours?|hrs?|mins?|minutes?|"
        r"times?|out\s+of|stars?|miles?|km)\b)",
        re.IGNORECASE,
    ),
)
_LETTER_SIZE_PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(
        r"\bsize\s*(?::\s*|is\s+|was\s+)?(?P<letter>xxs|xs|s|m|l|xl|xxl|2xl|xxxl|3xl|small|medium|med|large|"
        r"extra[\s-]large|x[\s-]large|extra[\s-]small)\b",
        re.IGNORECASE,
    ),
    re.compile(
        r"\b(?P<letter>small|medium|large|extra[\s-]large|xs|xl|xxl)\s+size\b(?!\s+(?:too|smaller|bigger|up|down))",
        re.IGNORECASE,
    ),
    re.compile(r"(?<![\w-])(?P<letter>XXS|XS|XL|XXL|XXXL|2XL|3XL)(?![\w-])"),
    re.compile(
        r"\bin\s+(?:an?\s+|the\s+)?(?P<letter>small|medium|large|extra[\s-]large)\b"
        r"(?!\s+(?:box|boxes|bag|bags|parcel|package|amount|amounts|number|numbers|part|parts|way|ways|quantity|"
        r"quantities|font|print|letters|sized?|portion|portions|envelope|room|group|groups|batch|batches|shop|store|"
        r"pieces?|bits?|doses?|measure|degree|print)\b)",
        re.IGNORECASE,
    ),
)
_US_PRONOUN_BEFORE = re.compile(
    r"\b(?:send|sent|give|gave|cost|costs|charged?|owe|owes|told|tell|let|for|to|with|of|from|e-?mail(?:ed)?|"
    r"call(?:ed)?|contact(?:ed)?|paid|pay|help(?:ed)?|show(?:ed)?|offer(?:ed)?|refund(?:ed)?|about|join(?:ed)?|"
    r"promised|took|take|leave|left|by|and|ring|rang|phone|phoned|text|texted|sold|emailed|asked|ask|invoice)\s+$",
    re.IGNORECASE,
)

_PURCHASE_CUE = re.compile(
    r"\b(?:bought|buy|buying|purchas\w*|order(?:ed|s)?|got\s+(?:them|it|these|this|those)|paid|pre-?ordered|"
    r"(?:had|owned|have\s+had)\s+(?:them|it|these|those|the|my)\b(?:\s+\w+){0,3}?|gift(?:ed)?|present|birthday|christmas\s+present)\b",
    re.IGNORECASE,
)
_DELIVERY_CUE = re.compile(
    r"\b(?:arriv\w*|deliver\w*|received|came\s+(?:in|through)|turned\s+up|dispatch\w*|shipped|sent|was\s+due|"
    r"got\s+(?:my|the|our)\s+(?:order|parcel|delivery|package|boots|shoes|trainers)|"
    r"expected|tracking)\b",
    re.IGNORECASE,
)
_EVENT_CUE = re.compile(
    r"\b(?:broke|broken|snapped|came\s+(?:off|apart|away|loose|undone)|fell\s+(?:off|apart)|start(?:ed|ing)|noticed|"
    r"split|peel\w*|happened|wore|worn|wearing|first\s+wear|appeared|cracked|ripped|tore|gave\s+way|failed|"
    r"complain\w*|contacted|emailed|called|rang|wrote|returned|tripped|fell)\b",
    re.IGNORECASE,
)
_SENTENCE_BREAK = re.compile(r"[.!?;\n]")

_FOOTWEAR_NOUNS = frozenset(
    {
        "boot", "shoe", "trainer", "loafer", "sandal", "bag", "belt", "wallet", "satchel", "tote", "pair", "one",
        "version", "colourway", "leather", "suede", "pump", "brogue", "derby", "oxford", "holder", "purse", "clutch",
        "hiker", "runner", "heel", "slipper", "mule", "wellington", "welly", "pairs"
    }
)  # fmt: skip
_COLOUR_EXCLUDE_NEXT = frozenset(
    {
        "mark", "stain", "streak", "dye", "spot", "line", "scuff", "patch", "residue", "smudge", "marking", "blotch",
        "friday", "eye", "sock", "tight", "foot"
    }
)  # fmt: skip
_COLOUR_EXCLUDE_PREVIOUS = frozenset({"turn", "go", "went", "gone", "stain", "dye", "with"})
_COLOUR_STRONG_PREVIOUS = frozenset({"in", "colour", "shade", ":", "colourway"})
_AMBIGUOUS_COLOURS = frozenset(
    {
        "rust", "natural", "stone", "sand", "wine", "multi", "honey", "brick", "plum", "blush", "mink", "gold",
        "silver", "bronze", "camel", "caramel", "chocolate", "espresso", "walnut", "mahogany", "teal", "mustard",
        "charcoal", "nude", "cream", "orange", "olive", "ivory"
    }
)  # fmt: skip
_CLAUSE_BREAK_TEXT = frozenset({".", "!", "?", ";", "\n", "but", "however", "although", "though", "whereas", "plus"})
_LINK_WINDOW = 8
_LOCATION_PREPOSITIONS = frozenset(
    {"around", "on", "at", "of", "in", "near", "by", "along", "across", "over", "inside", "under", "round", "next"}
)
_DETERMINERS = frozenset({"the", "my", "a", "an", "its", "their", "her", "his", "your", "one", "both", "this", "that"})
_FINISH_KINDS = frozenset({"finish", "crack"})
_COORDINATION = frozenset({"and", "&", "/", ",", "the", "both", "or", "my"})


def normalise_size(system: Optional[str], number: str, half: bool = False) -> Optional[str]:
    """Canonical size text ("UK 8", "EU 42", "US 9.5") or None when implausible for that system."""
    if number.lower() in vocab.SIZE_WORDS:
        value = float(vocab.SIZE_WORDS[number.lower()])
    else:
        try:
            value = float(number)
        except ValueError:
            return None
    if half:
        value += 0.5
    sys = (system or "").upper().replace(".", "")
    sys = {"EUR": "EU", "USA": "US"}.get(sys, sys)
    if not sys:
        sys = "EU" if value >= 20 else "UK"
    low, high = vocab.SIZE_SYSTEMS.get(sys, (0.0, 0.0))
    if not (low <= value <= high) or (value * 2) != int(value * 2):
        return None
    shown = str(int(value)) if value == int(value) else f"{value:g}"
    return f"{sys} {shown}"


def _overlaps(start: int, end: int, spans: Iterable[tuple[int, int]]) -> bool:
    return any(start < e and s < end for s, e in spans)


def _longest_first(spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Non-overlapping spans, longest first, then earliest; returned in text order."""
    chosen: list[tuple[int, int, str]] = []
    taken: set[int] = set()
    for span in sorted(spans, key=lambda s: (-(s[1] - s[0]), s[0])):
        if any(i in taken for i in range(span[0], span[1])):
            continue
        chosen.append(span)
        taken.update(range(span[0], span[1]))
    return sorted(chosen)


@dataclass
class _Hit:
    category: str
    weight: float
    position: int
    component: Optional[str] = None


@dataclass(frozen=True)
class _Product:
    entry: CatalogueEntry
    colours: tuple[str, ...]


# ---------------------------------------------------------------------------------------------------------------
# The extractor
# ---------------------------------------------------------------------------------------------------------------


class Extractor:
    """Rule-based extractor for one catalogue; cheap to rebuild whenever the catalogue or orders change."""

    def __init__(
        self, products: Sequence[CatalogueEntry], order_numbers: Iterable[str], learned: bool = True
    ) -> None:
        """Build matchers for ``products`` and a code index for ``order_numbers`` (case-insensitive).

        ``learned``: read the defect with the learned model (``bot.nlp.defect_model``) over the rule findings;
        ``False`` keeps the rules alone (the model's own features, and the Rasa cue featurizer, use that).
        """
        self._res = _resources()
        self._learned = learned
        nlp = self._res.nlp
        self._products: dict[str, _Product] = {}
        for entry in products:
            colours = tuple(self._canonical_colour(c) for c in entry.colours if c.strip())
            self._products.setdefault(entry.sku.strip(), _Product(entry, colours))
        self._orders = CodeIndex(order_numbers)
        self._skus = CodeIndex(self._products)
        self._keys: dict[int, str] = {}
        self._product_phrases: dict[str, frozenset[str]] = {}
        self._single_word: dict[str, str] = {}
        self._full_names: dict[str, str] = {}
        self._colour_norms: dict[tuple[str, ...], str] = {}
        self._matcher = PhraseMatcher(nlp.vocab, attr="NORM")

        static = _static_vocabulary()
        domain_words: set[str] = set(static.words)
        for key, phrases in static.phrases:
            self._add(key, phrases)
        self._add_colours(domain_words)
        self._add_products(domain_words)
        self._fuzzy = FuzzyIndex(w for w in domain_words if len(w) >= 5 and w.isalpha())
        self._colour_matcher = self._build_colour_matcher()

    # -- building ---------------------------------------------------------------------------------------------

    def _add(self, key: str, phrases: Iterable[tuple[str, ...]]) -> None:
        vocab_ = self._res.nlp.vocab
        docs = [_norm_doc(vocab_, norms) for norms in phrases if norms]
        if docs:
            self._keys[vocab_.strings.add(key)] = key
            self._matcher.add(key, docs)

    @staticmethod
    def _canonical_colour(colour: str) -> str:
        lower = " ".join(colour.lower().replace("-", " ").split()) if "/" not in colour else colour.lower().strip()
        lower = vocab.COLOUR_SYNONYMS.get(lower, lower)
        return "grey" if lower == "gray" else lower.replace("gray", "grey")

    def _add_colours(self, domain_words: set[str]) -> None:
        names: dict[str, str] = {}
        for colour in vocab.GENERAL_COLOURS:
            names[colour] = colour
        for raw, canonical in vocab.COLOUR_SYNONYMS.items():
            names[raw] = canonical
        for product in self._products.values():
            for raw, canonical in zip(product.entry.colours, product.colours, strict=True):
                names[raw.lower().strip()] = canonical
                names[canonical] = canonical
        for raw, canonical in names.items():
            norms = _phrase_norms(raw, self._res)
            if norms:
                self._colour_norms[norms] = canonical
                domain_words.update(re.findall(r"[a-z]+", raw))
        self._add("COLOUR", self._colour_norms)

    def _add_products(self, domain_words: set[str]) -> None:
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
            full_names.setdefault(_phrase_norms(entry.name, self._res, memo), set()).add(sku)
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
                norms = _phrase_norms(text, self._res, memo)
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
        self._add("PROD", phrases)

    def _build_colour_matcher(self) -> Matcher:
        matcher = Matcher(self._res.nlp.vocab)
        colour_words = sorted({n[0] for n in self._colour_norms if len(n) == 1})
        colour: dict[str, Any] = {"NORM": {"IN": colour_words}}
        contrast: list[list[dict[str, Any]]] = [
            [colour, {"NORM": {"IN": ["not", "than"]}}, {"NORM": {"IN": ["the", "a"]}, "OP": "?"}, colour],
            [colour, {"IS_PUNCT": True}, {"NORM": "not"}, colour],
            [colour, {"NORM": "rather"}, {"NORM": "than"}, colour],
            [colour, {"NORM": "instead"}, {"NORM": "of"}, colour],
            [colour, {"NORM": "and"}, {"NORM": "not"}, colour],
        ]
        matcher.add("COLOUR_CONTRAST", contrast)
        any_token = {"TEXT": {"NOT_IN": [".", "!", "?", ";", "\n"]}, "OP": "*"}
        ordered = {"NORM": {"IN": ["order", "buy", "choose", "pick", "select", "want", "purchase", "ask"]}}
        got = {"NORM": {"IN": ["receive", "get", "send", "deliver", "arrive", "come"]}}
        matcher.add("COLOUR_SWAP", [[ordered, any_token, colour, any_token, got, any_token, colour]], greedy="FIRST")
        return matcher

    # -- extraction -------------------------------------------------------------------------------------------

    def extract(self, text: str, today: Optional[dt.date] = None) -> Extraction:
        """Extract every fact found in ``text``; relative dates are resolved against ``today`` (default: today)."""
        today = today or dt.date.today()
        clean = (text or "").replace("\u2019", "'").replace("\u2018", "'")
        result = Extraction()
        reserved, sku_codes = self._codes(clean, result)

        mentions = [m for m in find_dates(clean, today) if not _overlaps(m.start, m.end, reserved)]
        result.dates = [m.as_dict() for m in mentions]
        result.purchase_date = self._purchase_date(clean, mentions, today)
        date_spans = [(m.start, m.end) for m in mentions]

        doc = self._res.nlp.make_doc(clean)
        corrected = self._normalise(doc)
        code_tokens = {t.i for t in doc if _overlaps(t.idx, t.idx + len(t), reserved)}
        date_tokens = {t.i for t in doc if _overlaps(t.idx, t.idx + len(t), date_spans)}
        by_kind = self._phrase_matches(doc, code_tokens)

        product_tokens = self._products_found(doc, result, by_kind.get("PROD", []), sku_codes, corrected)
        self._defects(doc, result, by_kind, product_tokens, code_tokens)
        if self._learned:
            self._read_defect(clean, result)
        result.colour = self._colour(
            doc, by_kind.get("COLOUR", []), product_tokens | code_tokens | date_tokens, result.sku
        )
        result.size = self._size(clean, reserved + date_spans)
        result.injury = injury_mentioned(clean)
        return result

    def _codes(self, text: str, result: Extraction) -> tuple[list[tuple[int, int]], list[CodeMatch]]:
        """Fill e-mail, case reference and order number; return the character spans they use and any SKUs."""
        emails = [(m.start(), m.end(), m.group().rstrip(".")) for m in _EMAIL.finditer(text)]
        result.email = emails[0][2] if emails else None
        reserved = [(s, e) for s, e, _ in emails]
        case_refs = [m for m in _CASE_REF.finditer(text) if not _overlaps(m.start(), m.end(), reserved)]
        if case_refs:
            result.case_reference = f"CS-{case_refs[0].group(1)}-{case_refs[0].group(2)}"
        reserved += [(m.start(), m.end()) for m in case_refs]
        orders = [m for m in self._orders.find(text) if not _overlaps(m.start, m.end, reserved)]
        result.order_number = orders[0].code if orders else None
        reserved += [(m.start, m.end) for m in orders]
        sku_codes = [m for m in self._skus.find(text) if not _overlaps(m.start, m.end, reserved)]
        reserved += [(m.start, m.end) for m in sku_codes]
        return reserved, sku_codes

    def _phrase_matches(self, doc: Doc, code_tokens: set[int]) -> dict[str, list[tuple[int, int, str]]]:
        """Phrase matches grouped by kind (CUE, FAIL, COMP, SURF, NEUTRAL, PROBLEM, COLOUR, PROD)."""
        by_kind: dict[str, list[tuple[int, int, str]]] = {}
        for match_id, start, end in self._matcher(doc):
            key = self._keys.get(match_id)
            if key is None or any(i in code_tokens for i in range(start, end)):
                continue
            if key == "PROD":  # one matcher key for all products: the matched words say which phrase it was
                key = "PROD|" + " ".join(t.norm_ for t in doc[start:end])
                if key not in self._product_phrases:
                    continue
            by_kind.setdefault(key.split("|", 1)[0], []).append((start, end, key))
        return by_kind

    def _defects(
        self,
        doc: Doc,
        result: Extraction,
        by_kind: dict[str, list[tuple[int, int, str]]],
        product_tokens: set[int],
        code_tokens: set[int],
    ) -> None:
        """Fill the defect categories (ranked) and the components (those behind the top problems first)."""
        masked = product_tokens | code_tokens
        neutral = {i for s, e, _ in by_kind.get("NEUTRAL", []) for i in range(s, e)}
        clause = self._clauses(doc)
        components = [
            (s, e, k.split("|")[1])
            for s, e, k in _longest_first(by_kind.get("COMP", []) + by_kind.get("SURF", []))
            if not any(i in masked or i in neutral for i in range(s, e)) and not self._body_part(doc, s, e)
        ]
        position = self._positions(doc, product_tokens)
        hits, linked_tokens, linked_components = self._link_failures(
            doc, by_kind.get("FAIL", []), components, masked | neutral, clause, position
        )
        hits += self._cue_hits(doc, by_kind.get("CUE", []), masked, neutral, linked_tokens, components)
        hits += self._colour_hits(doc, masked)
        parts = [(s, e, c) for s, e, c in components if c != "SURF"]
        if not hits and by_kind.get("PROBLEM"):
            # "there's a problem with the zip": a component and a vague complaint suggest the component's category.
            problem_clauses = {clause[s] for s, _, _ in by_kind["PROBLEM"]}
            for s, _, comp in parts:
                category = vocab.COMPONENT_CATEGORY.get(comp)
                if (
                    category
                    and comp != "packaging"
                    and clause[s] in problem_clauses
                    and not self._negated(doc, s, clause, window=4)
                ):
                    hits.append(_Hit(category, 0.5, s, comp))
        ranked = self._rank(hits)
        result.defect_categories = ranked
        result.defect_category = ranked[0] if ranked else None

        by_category = sorted(
            (h for h in hits if h.component and h.component != "SURF"),
            key=lambda h: (ranked.index(h.category), h.position),
        )
        ordered: list[str] = []
        for comp in [h.component or "" for h in by_category] + linked_components + [c for _, _, c in parts]:
            if comp in ordered or comp == "SURF":
                continue
            if comp == "packaging" and comp not in linked_components and "damaged_in_transit" not in ranked:
                continue  # "the parcel hasn't arrived": a parcel, not a damaged part
            ordered.append(comp)
        result.components = ordered
        result.component = ordered[0] if ordered else None

    @staticmethod
    def _read_defect(text: str, result: Extraction) -> None:
        """Let the learned model decide the category (or that we should ask), the secondary and the part."""
        from bot.nlp.defect_model import load_defect_model

        rule_categories, rule_components = list(result.defect_categories), list(result.components)
        reading = load_defect_model().read(text, rule_categories, rule_components)
        result.defect_candidates = reading.candidate_dicts()
        result.defect_category = reading.category
        result.secondary_defect_category = reading.secondary
        result.no_fault = round(reading.no_fault, 3)
        ranked = [c["category"] for c in result.defect_candidates]
        if reading.category:
            result.defect_categories = [reading.category] + [c for c in rule_categories if c != reading.category]
        else:
            result.defect_categories = [c for c in rule_categories if c in ranked[:2]]
        component = reading.component
        if component is None and reading.category and rule_components:
            component = rule_components[0]
        if component:
            result.components = [component] + [c for c in rule_components if c != component]
        result.component = component

    # -- normalisation ----------------------------------------------------------------------------------------

    def _normalise(self, doc: Doc) -> set[int]:
        """Set each token's NORM to its normalised form; return indices of typo-corrected tokens."""
        corrected: set[int] = set()
        res = self._res
        for tok in doc:
            if tok.is_space:
                continue
            lower = tok.lower_
            base = _base(lower, tok.norm_)
            if (
                5 <= len(lower) <= 24
                and lower.isalpha()
                and lower not in vocab.WORD_ALIASES
                and lower not in res.known_words
                and lower not in res.lemmas
                and not self._fuzzy.known(lower)
            ):
                fixed = self._fuzzy.correct(lower)
                if fixed is not None:
                    base = fixed
                    corrected.add(tok.i)
            tok.norm_ = _norm_word(base, res)
        return corrected

    @staticmethod
    def _positions(doc: Doc, product_tokens: set[int]) -> list[int]:
        """Word positions where a multi-word product name counts as one word."""
        positions: list[int] = []
        current = -1
        for tok in doc:
            if not (tok.i in product_tokens and tok.i - 1 in product_tokens):
                current += 1
            positions.append(current)
        return positions

    @staticmethod
    def _clauses(doc: Doc) -> list[int]:
        ids: list[int] = []
        current = 0
        for tok in doc:
            if tok.lower_ in _CLAUSE_BREAK_TEXT or "\n" in tok.text:
                current += 1
            ids.append(current)
        return ids

    # -- products ---------------------------------------------------------------------------------------------

    def _products_found(
        self,
        doc: Doc,
        result: Extraction,
        matches: list[tuple[int, int, str]],
        sku_codes: list[CodeMatch],
        corrected: set[int],
    ) -> set[int]:
        """Fill sku / product_name / product_line; return the tokens covered by multi-word product names."""
        valid: list[tuple[int, int, str]] = []
        for start, end, key in matches:
            if end - start == 1 and key in self._single_word:
                word = self._single_word[key]
                token = doc[start].lower_
                if token not in {word, word + "s", word + "es", word + "'s"} and start not in corrected:
                    continue
            valid.append((start, end, key))
        spans = _longest_first(valid)
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

    # -- defects ----------------------------------------------------------------------------------------------

    @staticmethod
    def _negated(doc: Doc, start: int, clause: Optional[list[int]] = None, window: int = 3) -> bool:
        for i in range(max(0, start - window), start):
            if clause is not None and clause[i] != clause[start]:
                continue
            if doc[i].norm_ in vocab.NEGATIONS:
                return True
        return False

    @staticmethod
    def _body_part(doc: Doc, start: int, end: int) -> bool:
        """True for "my toes", "my little toe": the customer's foot, not the shoe's toe."""
        if start == 0 or doc[start].norm_ != "toe":
            return False
        before = doc[start - 1].lower_
        return before in {"little", "big"} or (doc[start].lower_ == "toes" and before in {"my", "her", "his", "their"})

    def _link_failures(
        self,
        doc: Doc,
        failures: list[tuple[int, int, str]],
        components: list[tuple[int, int, str]],
        blocked: set[int],
        clause: list[int],
        position: list[int],
    ) -> tuple[list[_Hit], set[int], list[str]]:
        """Pair each failure phrase with its nearest component in the same clause.

        ``position`` counts each product name as one word, so "the zip on my Tarnside Chelsea Boot has split"
        still links "split" to "zip". A component that only locates another one ("the stitching around the toe")
        is not a candidate: the stitching, not the toe, has come loose.
        """
        hits: list[_Hit] = []
        linked_tokens: set[int] = set()
        linked_components: list[str] = []
        component_spans = {(s, e) for s, e, _ in components}
        modifiers = self._location_modifiers(doc, components)
        for start, end, key in _longest_first(failures):
            if any(i in blocked for i in range(start, end)) or (start, end) in component_spans:
                continue
            if self._negated(doc, start, clause):
                continue
            kind = key.split("|")[1]
            best: Optional[tuple[int, int, int, int, str]] = None
            for c_start, c_end, comp in components:
                if (c_start, c_end) in modifiers:
                    continue
                if c_end <= start:
                    distance, before = position[start] - position[c_end - 1] - 1, 0
                elif c_start >= end:
                    distance, before = position[c_start] - position[end - 1] - 1, 1
                else:
                    continue
                if distance > _LINK_WINDOW or clause[c_start] != clause[start]:
                    continue
                candidate = (distance, before, c_start, c_end, comp)
                if best is None or candidate < best:
                    best = candidate
            if best is None:
                continue
            if kind in _FINISH_KINDS and best[4] in {"upper", "toe"}:
                # "the leather on the toe is cracking": the surface, not the part, is what failed.
                surfaces = [
                    (abs(s - start), 0, s, e, c)
                    for s, e, c in components
                    if c == "SURF" and clause[s] == clause[start] and abs(s - start) <= _LINK_WINDOW
                ]
                best = min(surfaces) if surfaces else best
            distance, _, c_start, c_end, comp = best
            # "the sole and heel both came off": coordinated components share the failure.
            group = [(c_start, comp)]
            for o_start, o_end, other in components:
                between = doc[min(o_end, c_end) : max(o_start, c_start)]
                if (
                    other != comp
                    and clause[o_start] == clause[start]
                    and 0 < len(between) <= 3
                    and all(t.norm_ in _COORDINATION for t in between)
                ):
                    group.append((o_start, other))
            for where, name in group:
                surface = name == "SURF"
                lookup = ("surface" if surface else name, kind)
                category = vocab.COMPONENT_FAILURE_OVERRIDES.get(lookup, vocab.COMPONENT_CATEGORY.get(name))
                if lookup in vocab.COMPONENT_FAILURE_OVERRIDES and vocab.COMPONENT_FAILURE_OVERRIDES[lookup] is None:
                    continue
                if surface and category is None:
                    category = "leather_finish"
                if category is None:
                    continue
                weight = 3.0 if distance <= 3 else 2.5 if distance <= 6 else 2.0
                hits.append(_Hit(category, weight, min(where, start), name))
                if not surface:
                    linked_components.append(name)
            linked_tokens.update(range(start, end))
            linked_tokens.update(range(c_start, c_end))
        return hits, linked_tokens, linked_components

    @staticmethod
    def _location_modifiers(doc: Doc, components: list[tuple[int, int, str]]) -> set[tuple[int, int]]:
        """Component mentions of the form "<component> <preposition> [the] <this one>"."""
        ends = {e for _, e, _ in components}
        found: set[tuple[int, int]] = set()
        for start, end, _ in components:
            i = start - 1
            while i >= 0 and doc[i].norm_ in _DETERMINERS:
                i -= 1
            if i >= 1 and doc[i].norm_ in _LOCATION_PREPOSITIONS and i in ends:
                found.add((start, end))
        return found

    def _cue_hits(
        self,
        doc: Doc,
        cues: list[tuple[int, int, str]],
        masked: set[int],
        neutral: set[int],
        linked: set[int],
        components: list[tuple[int, int, str]],
    ) -> list[_Hit]:
        hits: list[_Hit] = []
        cues = [c for c in cues if not any(i in masked or i in neutral for i in range(c[0], c[1]))]
        for start, end, key in cues:
            if any(
                o_start <= start and end <= o_end and (o_end - o_start) > (end - start) for o_start, o_end, _ in cues
            ):
                continue  # inside a longer cue
            _, category, strength = key.split("|")
            tokens = doc[start:end]
            if not any(t.norm_ in vocab.NEGATIONS for t in tokens) and self._negated(doc, start):
                continue
            if strength == "weak":
                if any(i in linked for i in range(start, end)):
                    continue
                weight = 1.0
            else:
                weight = min(2.0 + 0.5 * (end - start - 1), 4.0)
            inside = [c for s, e, c in components if start <= s and e <= end and c != "SURF"]
            hits.append(_Hit(category, weight, start, inside[0] if inside else None))
        return hits

    def _colour_hits(self, doc: Doc, masked: set[int]) -> list[_Hit]:
        hits: list[_Hit] = []
        for match_id, start, end in self._colour_matcher(doc):
            if start in masked or end - 1 in masked:
                continue
            label = self._res.nlp.vocab.strings[match_id]
            if label == "COLOUR_SWAP":
                hits.append(_Hit("wrong_item", 3.0, start))
                continue
            before = {t.norm_ for t in doc[max(0, start - 4) : start]}
            if before & {"send", "receive", "get", "deliver"}:
                hits.append(_Hit("wrong_item", 3.0, start))
            else:
                hits.append(_Hit("colour_mismatch", 3.0, start))
        return hits

    @staticmethod
    def _rank(hits: list[_Hit]) -> list[str]:
        """Categories by best weight (specificity), then number of cues, then first mention."""
        best: dict[str, tuple[float, int, int]] = {}
        for hit in hits:
            weight, count, position = best.get(hit.category, (0.0, 0, hit.position))
            best[hit.category] = (max(weight, hit.weight), count + 1, min(position, hit.position))
        scored = sorted(best.items(), key=lambda kv: (-(kv[1][0] + 0.25 * min(kv[1][1] - 1, 2)), kv[1][2]))
        return [category for category, _ in scored]

    # -- colour, size, dates, injury --------------------------------------------------------------------------

    def _colour(
        self, doc: Doc, matches: list[tuple[int, int, str]], masked: set[int], sku: Optional[str]
    ) -> Optional[str]:
        strong: list[str] = []
        weak: list[str] = []
        for start, end, _ in _longest_first(matches):
            if any(i in masked for i in range(start, end)):
                continue
            norms = tuple(t.norm_ for t in doc[start:end])
            canonical = self._colour_norms.get(norms)
            if canonical is None:
                continue
            nxt = doc[end].norm_ if end < len(doc) else ""
            prev = doc[start - 1].norm_ if start > 0 else ""
            if nxt in _COLOUR_EXCLUDE_NEXT or prev in _COLOUR_EXCLUDE_PREVIOUS:
                continue
            is_strong = (
                nxt in _FOOTWEAR_NOUNS
                or end in masked
                or prev in _COLOUR_STRONG_PREVIOUS
                or (start >= 2 and doc[start - 2].norm_ in {"colour", "shade"})
            )
            if is_strong:
                strong.append(canonical)
            elif canonical not in _AMBIGUOUS_COLOURS:
                weak.append(canonical)
        if not strong and not weak:
            return None
        chosen = (strong or weak)[0]
        if sku is not None and sku in self._products:
            own = self._products[sku].colours
            if chosen not in own:
                for group in vocab.COLOUR_GROUPS:
                    if chosen in group:
                        same = [c for c in own if c in group]
                        if len(same) == 1:
                            return same[0]
        return chosen

    @staticmethod
    def _size(text: str, reserved: list[tuple[int, int]]) -> Optional[str]:
        blocked = reserved + [(m.start(), m.end()) for m in _PRICE.finditer(text)]
        blocked += [(m.start(), m.end()) for m in _QUANTITY.finditer(text)]
        found: list[tuple[int, str]] = []
        for pattern in _SIZE_PATTERNS:
            for m in pattern.finditer(text):
                if _overlaps(m.start("num"), m.end("num"), blocked):
                    continue
                groups = m.groupdict()
                system = groups.get("sys2") or groups.get("sys")
                if (
                    system
                    and system.lower() == "us"
                    and system == "us"
                    and _US_PRONOUN_BEFORE.search(text[: m.start()])
                ):
                    continue
                half = bool(groups.get("half")) or m["num"].endswith(".5")
                number = m["num"][:-2] if m["num"].endswith(".5") else m["num"]
                size = normalise_size(system, number, half)
                if size is not None:
                    found.append((m.start(), size))
        for pattern in _LETTER_SIZE_PATTERNS:
            for m in pattern.finditer(text):
                if _overlaps(m.start(), m.end(), blocked):
                    continue
                letter = " ".join(m["letter"].lower().replace("-", " ").split())
                canonical = vocab.LETTER_SIZES.get(letter)
                if canonical:
                    found.append((m.start(), canonical))
        return min(found)[1] if found else None

    @staticmethod
    def _purchase_date(text: str, mentions: list[DateMention], today: dt.date) -> Optional[str]:
        """The first date tied to buying (nearest cue before it in its sentence, else just after it)."""
        for mention in mentions:
            if mention.date > today:
                continue
            sentence_start = max((m.end() for m in _SENTENCE_BREAK.finditer(text, 0, mention.start)), default=0)
            after_break = _SENTENCE_BREAK.search(text, mention.end)
            sentence_end = after_break.start() if after_break else len(text)
            before = text[max(sentence_start, mention.start - 80) : mention.start]
            after = text[mention.end : min(sentence_end, mention.end + 40)]
            kind = _nearest_cue(before, from_end=True) or _nearest_cue(after, from_end=False)
            if kind == "purchase":
                return mention.date.isoformat()
        return None


def _nearest_cue(window: str, from_end: bool) -> Optional[str]:
    """Kind of the cue nearest to the date: "purchase", "delivery", "event" or None."""
    best: Optional[tuple[int, str]] = None
    for kind, pattern in (("delivery", _DELIVERY_CUE), ("purchase", _PURCHASE_CUE), ("event", _EVENT_CUE)):
        for m in pattern.finditer(window):
            distance = len(window) - m.end() if from_end else m.start()
            if best is None or distance < best[0]:
                best = (distance, kind)
    return best[1] if best else None


def _norm_doc(vocab_: Any, norms: tuple[str, ...]) -> Doc:
    """A pattern doc whose tokens' NORM is the given normalised words (lexeme NORM is the lower-case form)."""
    doc = Doc(vocab_, words=list(norms))
    for tok, norm in zip(doc, norms, strict=True):
        if tok.norm_ != norm:
            tok.norm_ = norm
    return doc


def analyse_lines(extractor: Extractor, lines: Iterable[str], today: Optional[dt.date] = None) -> list[dict[str, Any]]:
    """Extract from each non-blank line; each result is ``{"text": line, **extraction.as_dict()}``."""
    results: list[dict[str, Any]] = []
    for line in lines:
        text = line.strip()
        if text:
            results.append({"text": text, **extractor.extract(text, today).as_dict()})
    return results
