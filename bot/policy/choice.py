"""Mapping a customer's free-text reply to one of the resolutions offered (:func:`choose`).

The reply may be a type name ("store_credit"), a button label ("Free repair"), a position ("2", "the
first one") or free text ("I don't want a refund, just send a new pair"). Negation is read with the
rules in :mod:`bot.patterns`.
"""

from __future__ import annotations

import re
from typing import Optional

from bot.patterns import NOT_MINDING, negates_choice
from bot.policy.proposal import Option, Proposal
from bot.vocabulary import RESOLUTION_TYPES

# Checked in this order; a match hides its words from later types, so "some money back" is a partial
# refund and not also a refund. Weak phrases count only when nothing else matched.
_CHOICE_PATTERNS: tuple[tuple[str, bool, tuple[str, ...]], ...] = (
    (
        "partial_refund",
        False,
        (
            r"partial(ly)?( refund\w*)?",
            r"part (refund\w*|of (my|the) money( back)?)",
            r"some (of (my|the) )?money( back)?",
            r"discount",
            r"price (reduction|cut)",
            r"reduc(e|ed|tion) (the )?price",
            r"refund (of |for |on )?(the )?(delivery|postage|shipping)( charges?| costs?| fees?)?",
            r"(delivery|postage|shipping)( charges?| costs?| fees?)? (back|refund\w*)",
            r"(delivery|postage|shipping) (charges?|costs?|fees?)",
            r"keep (it|them) (and|with)",
        ),
    ),
    (
        "store_credit",
        False,
        (r"store credit", r"credit note", r"account credit", r"vouchers?", r"gift ?cards?", r"credit", r"points"),
    ),
    (
        "exchange",
        False,
        (
            r"exchang\w*",
            r"swap\w*",
            r"(different|another|other|bigger|smaller|larger|wider|narrower|right|correct)"
            r" (size|colou?r|fit|style|width|model|item|pair|one)s?",
            r"size (up|down)",
            r"(half|a) size (up|down|bigger|smaller)",
            r"(bigger|smaller|larger|wider|narrower)( ones?| pair| size)?",
            r"what i (actually )?ordered",
            r"the (one|item|pair) i ordered",
        ),
    ),
    (
        "replacement",
        False,
        (
            r"replac\w*",
            r"(a |brand )?new (pair|one|bag|belt|wallet|purse|item)",
            r"another (pair|one)",
            r"fresh pair",
            r"send (me )?(a )?new",
            r"same (one|pair) again",
        ),
    ),
    (
        "repair",
        False,
        (r"repair\w*", r"fix\w*", r"mend\w*", r"re-?sol\w*", r"re-?stitch\w*", r"re-?heel\w*", r"glue\w*"),
    ),
    (
        "investigation",
        False,
        (
            r"look (in)?to",
            r"look at",
            r"have a look",
            r"investigat\w*",
            r"inspect\w*",
            r"examin\w*",
            r"assess\w*",
            r"check (it|them|this|that|the|my)",
            r"find out (what|why)",
        ),
    ),
    (
        "refund",
        False,
        (
            r"(full )?refund\w*",
            r"money back",
            r"my money",
            r"reimburs\w*",
            r"cancel\w*",
            r"back (to|on|onto) my (card|account|bank)",
        ),
    ),
    ("refund", True, (r"return (it|them)", r"send (it|them) back", r"take (it|them) back")),
    (
        "none",
        False,
        (
            r"nothing",
            r"no thanks?( you)?",
            r"never ?mind",
            r"leave it",
            r"no need",
            r"no action",
            r"forget it",
            r"i'?ll wait",
            r"wait and see",
        ),
    ),
)
_COMPILED_PATTERNS = tuple(
    (type_, weak, re.compile(r"\b(?:" + "|".join(phrases) + r")\b")) for type_, weak, phrases in _CHOICE_PATTERNS
)

# When both types of a pair are named, the first wins: "a new pair in a bigger size" is an exchange,
# "refund it as store credit" is store credit, and anything beats "no thanks" ("no thanks, just fix them").
_PRECEDENCE: tuple[tuple[str, str], ...] = (
    ("exchange", "replacement"),
    ("store_credit", "refund"),
    *((type_, "none") for type_ in RESOLUTION_TYPES if type_ != "none"),
)

_CLAUSE_BREAK = re.compile(r"[,.;:!?]|\b(?:but|just|so|then|although|though)\b")
_ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "last": -1}
_AFFIRMATIONS = {
    "yes",
    "yes please",
    "yeah",
    "yep",
    "ok",
    "okay",
    "ok please",
    "sure",
    "please",
    "please do",
    "go ahead",
    "that's fine",
    "thats fine",
    "fine",
    "sounds good",
    "that one",
    "that would be great",
}


def choose(proposal: Proposal, text_or_type: str) -> Optional[Option]:
    """Map a customer's reply (a type name, a button label or free text) to one of the proposal's options.

    Returns None when the reply asks for something not offered, names several different options,
    or is not understood, so the caller can ask again.
    """
    text = _normalise(text_or_type)
    if not text:
        return None
    for option in proposal.options:
        if text in (option.type, option.type.replace("_", " "), _normalise(option.label)):
            return option
    by_position = _by_position(proposal, text)
    if by_position is not None:
        return by_position
    wanted = _wanted_types(text)
    if len(wanted) != 1:
        return None
    return proposal.option(next(iter(wanted)))


def _normalise(text: str) -> str:
    text = text.lower().replace("\u2019", "'").replace("\u2018", "'")
    text = re.sub(r"[_\-/]+", " ", text)
    text = re.sub(r"[^a-z0-9'£ ,.;:!?()]+", " ", text)
    text = re.sub(r"\s+", " ", text).strip()
    return text.strip(" .!?")


def _by_position(proposal: Proposal, text: str) -> Optional[Option]:
    if len(proposal.options) == 1 and text in _AFFIRMATIONS:
        return proposal.options[0]
    match = re.fullmatch(r"(?:(?:option|number|no|choice) )?(\d+)", text)
    if match:
        index = int(match.group(1)) - 1
        return proposal.options[index] if 0 <= index < len(proposal.options) else None
    match = re.fullmatch(r"(?:the )?(first|second|third|fourth|fifth|last)(?: one| option)?(?: please)?", text)
    if match:
        position = _ORDINALS[match.group(1)]
        index = len(proposal.options) - 1 if position == -1 else position - 1
        return proposal.options[index] if index < len(proposal.options) else None
    return None


def _wanted_types(text: str) -> set[str]:
    text = NOT_MINDING.sub("happy with", text)
    text = re.sub(r"\bcredit cards?\b", "card", text)
    text = re.sub(r"\bcredit (it |them |the money )?back\b", "refund", text)
    strong: set[str] = set()
    weak: set[str] = set()
    for type_, is_weak, pattern in _COMPILED_PATTERNS:
        for match in pattern.finditer(text):
            if not _negated(text[: match.start()]):
                (weak if is_weak else strong).add(type_)
        text = pattern.sub(lambda found: " " * len(found.group(0)), text)
    wanted = strong or weak
    for winner, loser in _PRECEDENCE:
        if winner in wanted:
            wanted.discard(loser)
    return wanted


def _negated(before: str) -> bool:
    """Tell whether the words just before a match (same clause) negate it: "I don't want a refund"."""
    return negates_choice(_CLAUSE_BREAK.split(before)[-1])
