"""Colours: the colour a message names, and colour contrasts as defect evidence.

The colour is returned in the catalogue's own name when the product is known (a customer's "wine" becomes
"oxblood" when that is the product's only colour of that family). Contrasts ("tan, not black", "ordered black
and received brown") tell the defect recogniser about a colour mismatch or a wrong item.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Mapping, Optional

from spacy.matcher import Matcher
from spacy.tokens import Doc

from bot.nlp import vocab
from bot.nlp.recognisers.defects import Hit
from bot.nlp.recognisers.normalise import AddPhrases, Resources, phrase_norms
from bot.nlp.recognisers.spans import PhraseSpan, longest_first

if TYPE_CHECKING:
    from bot.nlp.recognisers.products import Product

__all__ = ["ColourRecogniser", "canonical_colour"]

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


def canonical_colour(colour: str) -> str:
    """A colour in canonical spelling: lower case, single spaces, synonyms resolved, "gray" -> "grey"."""
    lower = " ".join(colour.lower().replace("-", " ").split()) if "/" not in colour else colour.lower().strip()
    lower = vocab.COLOUR_SYNONYMS.get(lower, lower)
    return "grey" if lower == "gray" else lower.replace("gray", "grey")


class ColourRecogniser:
    """Recognises general colours, their synonyms and the catalogue's own colour names."""

    def __init__(self, products: Mapping[str, Product], res: Resources) -> None:
        """Nothing is matched until :meth:`build` registers the colour names."""
        self._products = products
        self._res = res
        self._colour_norms: dict[tuple[str, ...], str] = {}
        self._matcher: Optional[Matcher] = None

    def build(self, add: AddPhrases, domain_words: set[str]) -> None:
        """Register every colour name under the matcher key "COLOUR"; add their words to ``domain_words``."""
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
            norms = phrase_norms(raw, self._res)
            if norms:
                self._colour_norms[norms] = canonical
                domain_words.update(re.findall(r"[a-z]+", raw))
        add("COLOUR", self._colour_norms)

    def build_contrast_matcher(self) -> None:
        """Build the token matcher for colour contrasts and swaps (after :meth:`build`)."""
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
        self._matcher = matcher

    def contrast_hits(self, doc: Doc, masked: set[int]) -> list[Hit]:
        """Defect evidence from colour contrasts: wrong_item when a colour was sent, else colour_mismatch."""
        if self._matcher is None:
            raise RuntimeError("ColourRecogniser.build_contrast_matcher() has not been called")
        hits: list[Hit] = []
        for match_id, start, end in self._matcher(doc):
            if start in masked or end - 1 in masked:
                continue
            label = self._res.nlp.vocab.strings[match_id]
            if label == "COLOUR_SWAP":
                hits.append(Hit("wrong_item", 3.0, start))
                continue
            before = {t.norm_ for t in doc[max(0, start - 4) : start]}
            if before & {"send", "receive", "get", "deliver"}:
                hits.append(Hit("wrong_item", 3.0, start))
            else:
                hits.append(Hit("colour_mismatch", 3.0, start))
        return hits

    def find(self, doc: Doc, matches: list[PhraseSpan], masked: set[int], sku: Optional[str]) -> Optional[str]:
        """The colour named (strong mentions first), mapped to the product's own colour name when ``sku`` is known."""
        strong: list[str] = []
        weak: list[str] = []
        for start, end, _ in longest_first(matches):
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
