"""Defects: which kinds of defect a message describes (ranked) and which parts of the product they affect.

The rules read three kinds of evidence from the shared phrase matcher: a failure phrase linked to the nearest
component in the same clause ("the zip ... has split"), a defect cue ("heel came off", weighted by specificity;
``data/lexicon/defects.yml``) and colour contrasts (from the colour recogniser). Neutral phrases ("fits
perfectly") mask the cues they overlap. The extractor then lets the learned model
(:mod:`bot.nlp.defect_model`) read the defect over the rule findings (:mod:`bot.nlp.extraction`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional

from spacy.tokens import Doc

from bot.nlp import vocab
from bot.nlp.recognisers.spans import PhraseSpan, longest_first

if TYPE_CHECKING:
    from bot.nlp.rules import Extraction

__all__ = ["Hit", "find_defects"]

_CLAUSE_BREAK_TEXT = frozenset({".", "!", "?", ";", "\n", "but", "however", "although", "though", "whereas", "plus"})
_LINK_WINDOW = 8
_LOCATION_PREPOSITIONS = frozenset(
    {"around", "on", "at", "of", "in", "near", "by", "along", "across", "over", "inside", "under", "round", "next"}
)
_DETERMINERS = frozenset({"the", "my", "a", "an", "its", "their", "her", "his", "your", "one", "both", "this", "that"})
_FINISH_KINDS = frozenset({"finish", "crack"})
_COORDINATION = frozenset({"and", "&", "/", ",", "the", "both", "or", "my"})


@dataclass
class Hit:
    """One piece of evidence for a defect category: its weight, first token and the component behind it."""

    category: str
    weight: float
    position: int
    component: Optional[str] = None


def find_defects(
    doc: Doc,
    result: Extraction,
    by_kind: dict[str, list[PhraseSpan]],
    product_tokens: set[int],
    code_tokens: set[int],
    colour_hits: list[Hit],
) -> None:
    """Fill the defect categories (ranked) and the components (those behind the top problems first).

    ``colour_hits``: evidence from colour contrasts (:meth:`ColourRecogniser.contrast_hits`), weighed with the rest.
    """
    masked = product_tokens | code_tokens
    neutral = {i for s, e, _ in by_kind.get("NEUTRAL", []) for i in range(s, e)}
    clause = _clauses(doc)
    components = [
        (s, e, k.split("|")[1])
        for s, e, k in longest_first(by_kind.get("COMP", []) + by_kind.get("SURF", []))
        if not any(i in masked or i in neutral for i in range(s, e)) and not _body_part(doc, s, e)
    ]
    position = _positions(doc, product_tokens)
    hits, linked_tokens, linked_components = _link_failures(
        doc, by_kind.get("FAIL", []), components, masked | neutral, clause, position
    )
    hits += _cue_hits(doc, by_kind.get("CUE", []), masked, neutral, linked_tokens, components)
    hits += colour_hits
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
                and not _negated(doc, s, clause, window=4)
            ):
                hits.append(Hit(category, 0.5, s, comp))
    ranked = _rank(hits)
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


def _positions(doc: Doc, product_tokens: set[int]) -> list[int]:
    """Word positions where a multi-word product name counts as one word."""
    positions: list[int] = []
    current = -1
    for tok in doc:
        if not (tok.i in product_tokens and tok.i - 1 in product_tokens):
            current += 1
        positions.append(current)
    return positions


def _clauses(doc: Doc) -> list[int]:
    """Clause number of each token: it goes up at sentence punctuation and at "but", "however"..."""
    ids: list[int] = []
    current = 0
    for tok in doc:
        if tok.lower_ in _CLAUSE_BREAK_TEXT or "\n" in tok.text:
            current += 1
        ids.append(current)
    return ids


def _negated(doc: Doc, start: int, clause: Optional[list[int]] = None, window: int = 3) -> bool:
    for i in range(max(0, start - window), start):
        if clause is not None and clause[i] != clause[start]:
            continue
        if doc[i].norm_ in vocab.NEGATIONS:
            return True
    return False


def _body_part(doc: Doc, start: int, end: int) -> bool:
    """True for "my toes", "my little toe": the customer's foot, not the shoe's toe."""
    if start == 0 or doc[start].norm_ != "toe":
        return False
    before = doc[start - 1].lower_
    return before in {"little", "big"} or (doc[start].lower_ == "toes" and before in {"my", "her", "his", "their"})


_Link = tuple[int, int, int, int, str]  # distance, component after the failure (0/1), start, end, component


def _link_failures(
    doc: Doc,
    failures: list[PhraseSpan],
    components: list[PhraseSpan],
    blocked: set[int],
    clause: list[int],
    position: list[int],
) -> tuple[list[Hit], set[int], list[str]]:
    """Pair each failure phrase with its nearest component in the same clause.

    ``position`` counts each product name as one word, so "the zip on my Tarnside Chelsea Boot has split"
    still links "split" to "zip". A component that only locates another one ("the stitching around the toe")
    is not a candidate: the stitching, not the toe, has come loose.
    """
    hits: list[Hit] = []
    linked_tokens: set[int] = set()
    linked_components: list[str] = []
    component_spans = {(s, e) for s, e, _ in components}
    modifiers = _location_modifiers(doc, components)
    candidates = [c for c in components if (c[0], c[1]) not in modifiers]
    for start, end, key in longest_first(failures):
        if any(i in blocked for i in range(start, end)) or (start, end) in component_spans:
            continue
        if _negated(doc, start, clause):
            continue
        kind = key.split("|")[1]
        best = _nearest_component(start, end, candidates, clause, position)
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
        for where, name in _coordinated(doc, components, clause, start, c_start, c_end, comp):
            hit = _failure_hit(name, kind, distance, min(where, start))
            if hit is not None:
                hits.append(hit)
                if name != "SURF":
                    linked_components.append(name)
        linked_tokens.update(range(start, end))
        linked_tokens.update(range(c_start, c_end))
    return hits, linked_tokens, linked_components


def _nearest_component(
    start: int, end: int, components: list[PhraseSpan], clause: list[int], position: list[int]
) -> Optional[_Link]:
    """The component nearest the failure ``start:end`` in its clause (before it on a tie), within the window."""
    best: Optional[_Link] = None
    for c_start, c_end, comp in components:
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
    return best


def _coordinated(
    doc: Doc, components: list[PhraseSpan], clause: list[int], start: int, c_start: int, c_end: int, comp: str
) -> list[tuple[int, str]]:
    """The linked component and those coordinated with it: "the sole and heel both came off" share the failure."""
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
    return group


def _failure_hit(name: str, kind: str, distance: int, position: int) -> Optional[Hit]:
    """The evidence a failure of ``kind`` linked to component ``name`` gives (None when it names no defect)."""
    surface = name == "SURF"
    lookup = ("surface" if surface else name, kind)
    category = vocab.COMPONENT_FAILURE_OVERRIDES.get(lookup, vocab.COMPONENT_CATEGORY.get(name))
    if lookup in vocab.COMPONENT_FAILURE_OVERRIDES and vocab.COMPONENT_FAILURE_OVERRIDES[lookup] is None:
        return None
    if surface and category is None:
        category = "leather_finish"
    if category is None:
        return None
    weight = 3.0 if distance <= 3 else 2.5 if distance <= 6 else 2.0
    return Hit(category, weight, position, name)


def _location_modifiers(doc: Doc, components: list[PhraseSpan]) -> set[tuple[int, int]]:
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
    doc: Doc,
    cues: list[PhraseSpan],
    masked: set[int],
    neutral: set[int],
    linked: set[int],
    components: list[PhraseSpan],
) -> list[Hit]:
    hits: list[Hit] = []
    cues = [c for c in cues if not any(i in masked or i in neutral for i in range(c[0], c[1]))]
    for start, end, key in cues:
        if any(o_start <= start and end <= o_end and (o_end - o_start) > (end - start) for o_start, o_end, _ in cues):
            continue  # inside a longer cue
        _, category, strength = key.split("|")
        tokens = doc[start:end]
        if not any(t.norm_ in vocab.NEGATIONS for t in tokens) and _negated(doc, start):
            continue
        if strength == "weak":
            if any(i in linked for i in range(start, end)):
                continue
            weight = 1.0
        else:
            weight = min(2.0 + 0.5 * (end - start - 1), 4.0)
        inside = [c for s, e, c in components if start <= s and e <= end and c != "SURF"]
        hits.append(Hit(category, weight, start, inside[0] if inside else None))
    return hits


def _rank(hits: list[Hit]) -> list[str]:
    """Categories by best weight (specificity), then number of cues, then first mention."""
    best: dict[str, tuple[float, int, int]] = {}
    for hit in hits:
        weight, count, position = best.get(hit.category, (0.0, 0, hit.position))
        best[hit.category] = (max(weight, hit.weight), count + 1, min(position, hit.position))
    scored = sorted(best.items(), key=lambda kv: (-(kv[1][0] + 0.25 * min(kv[1][1] - 1, 2)), kv[1][2]))
    return [category for category, _ in scored]
