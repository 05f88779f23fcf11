"""The resolution policy engine: which resolutions to offer for a complaint, given checked rules.

:meth:`ResolutionPolicy.propose` turns a complaint (defect category, delivery date, product category,
safety flag) into a :class:`~bot.policy.proposal.Proposal` following the UK Consumer Rights Act 2015
tiers and our goodwill policy, as written in ``data/policy/resolution.yml``.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Optional, Union

from bot.policy.grammar import describe_date, describe_days, plural_words, render
from bot.policy.proposal import Option, Product, Proposal
from bot.policy.rules import GOODWILL_AGE, AgeSchedule, KindWord, LatenessSchedule, ResolutionRules, Situation, Tier
from bot.vocabulary import DEFECT_CATEGORIES

# Product kinds whose items come in pairs: customer text says "your boots were", not "your boot was".
_PLURAL_KINDS = frozenset({"footwear"})


class ResolutionPolicy:
    """Resolution rules loaded from a policy file; use :func:`bot.policy.load_policy` to build one."""

    def __init__(self, rules: ResolutionRules) -> None:
        self._rules = rules
        self._kind_words: tuple[tuple[str, KindWord], ...] = tuple(rules.product_kinds.entries())

    @property
    def goodwill_age_days(self) -> dict[str, int]:
        """Goodwill age in days by product kind."""
        return dict(self._rules.goodwill_age_days)

    def product(self, product_category: str) -> Product:
        """Decide the product kind and customer-facing noun from a category string such as "safety boots"."""
        tokens = re.findall(r"[a-z]+", product_category.lower())
        # The match that ends last wins (the head noun); on a tie, the longer phrase ("small leather goods").
        best: Optional[tuple[tuple[int, int], tuple[str, KindWord]]] = None
        for candidate in self._kind_words:
            words = candidate[1].words
            for form in (words, plural_words(words)):
                end = _last_match_end(tokens, form)
                if end is not None and (best is None or (end, len(form)) > best[0]):
                    best = ((end, len(form)), candidate)
        if best is None:
            return Product(kind=self._rules.product_kinds.default, noun="item", plural=False)
        kind, entry = best[1]
        if entry.noun is not None:
            return Product(kind=kind, noun=entry.noun, plural=False)
        plural = kind in _PLURAL_KINDS
        words = plural_words(entry.words) if plural else entry.words
        return Product(kind=kind, noun=" ".join(words), plural=plural)

    def product_kind(self, product_category: str) -> str:
        """``footwear`` or ``leather_goods`` for a category string; unknown categories get the default kind."""
        return self.product(product_category).kind

    def propose(
        self,
        defect_category: str,
        delivered_on: Optional[dt.date],
        today: dt.date,
        product_category: str = "",
        safety_issue: bool = False,
        expected_delivery: Optional[dt.date] = None,
        *,
        remedy_failed: bool = False,
    ) -> Proposal:
        """Propose the resolutions allowed for a complaint.

        ``delivered_on`` None means the delivery date is unknown (for ``late_delivery``: not arrived yet).
        ``expected_delivery`` is the agreed delivery date, used by ``late_delivery``. ``remedy_failed`` says
        a repair, replacement or exchange was already tried and did not put things right (CRA final right
        to reject). A ``safety_issue`` escalates to a person, who confirms the options listed.
        """
        if defect_category not in self._rules.categories:
            raise ValueError(f"unknown defect category {defect_category!r}; use one of: {', '.join(DEFECT_CATEGORIES)}")
        if delivered_on is not None and delivered_on > today:
            raise ValueError(f"delivered_on {delivered_on.isoformat()} is after today ({today.isoformat()})")
        product = self.product(product_category)
        age = None if delivered_on is None else (today - delivered_on).days
        context = self._context(product, delivered_on, age)
        schedule = self._rules.schedules[self._rules.categories[defect_category]]
        parts: list[str] = [self._rules.safety.note] if safety_issue else []
        if isinstance(schedule, LatenessSchedule):
            situation = _late_situation(schedule, delivered_on, expected_delivery, today, context)
            parts.append(situation.explanation)
        elif age is None:
            situation = schedule.unknown_delivery
            parts += [situation.explanation, self._rules.unknown_delivery_note]
        else:
            situation, note = self._age_situation(schedule, age, product.kind, remedy_failed)
            parts += [note, situation.explanation]
        explanation = " ".join(render(part, context) for part in parts if part)
        labels = self._rules.labels
        options = tuple(
            Option(rule.type, render(rule.label or labels[rule.type], context), render(rule.reason, context))
            for rule in situation.options
        )
        return Proposal(
            options=options, tier=situation.tier, age_days=age, escalate=safety_issue, explanation=explanation
        )

    # -- helpers -----------------------------------------------------------------------------------

    def _context(self, product: Product, delivered_on: Optional[dt.date], age: Optional[int]) -> dict[str, str]:
        context = {
            "item": product.noun,
            "were": "were" if product.plural else "was",
            "are": "are" if product.plural else "is",
            "them": "them" if product.plural else "it",
            "they": "they" if product.plural else "it",
            "goodwill_limit": describe_days(self._rules.goodwill_age_days[product.kind]),
        }
        if delivered_on is not None and age is not None:
            context["delivered_on"] = describe_date(delivered_on)
            context["days"] = str(age)
            context["age"] = "today" if age == 0 else "yesterday" if age == 1 else f"{age} days ago"
        return context

    def _age_situation(self, schedule: AgeSchedule, age: int, kind: str, remedy_failed: bool) -> tuple[Situation, str]:
        """Pick the situation for a known age, and a note to put before its explanation (when falling back)."""
        note = ""
        tier = self._tier_for(schedule, age, kind)
        if tier is None:
            assert schedule.fallback is not None  # the rules insist on an open-ended tier or a fallback
            note = schedule.fallback_note
            fallback = self._rules.schedules[schedule.fallback]
            assert isinstance(fallback, AgeSchedule)
            tier = self._tier_for(fallback, age, kind)
            assert tier is not None
        if remedy_failed and tier.after_failed_remedy is not None:
            return tier.after_failed_remedy, note
        return tier, note

    def _tier_for(self, schedule: AgeSchedule, age: int, kind: str) -> Optional[Tier]:
        for tier in schedule.tiers:
            limit = self._limit(tier.up_to_day, kind)
            if limit is None or age <= limit:
                return tier
        return None

    def _limit(self, up_to_day: Union[int, str, None], kind: str) -> Optional[int]:
        if up_to_day == GOODWILL_AGE:
            return self._rules.goodwill_age_days[kind]
        assert up_to_day is None or isinstance(up_to_day, int)
        return up_to_day


def _late_situation(
    schedule: LatenessSchedule,
    delivered_on: Optional[dt.date],
    expected: Optional[dt.date],
    today: dt.date,
    context: dict[str, str],
) -> Situation:
    """Pick the late-delivery situation; adds the lateness placeholders to ``context``."""
    context["cancel_from"] = str(schedule.cancel_from_days_late)
    if expected is None:
        return schedule.situations.dates_unknown
    context["expected"] = describe_date(expected)
    if delivered_on is not None:
        days_late = (delivered_on - expected).days
        name = "arrived_late" if days_late > 0 else "arrived_on_time"
    else:
        days_late = (today - expected).days
        if days_late <= 0:
            name = "not_yet_due"
        elif days_late >= schedule.cancel_from_days_late:
            name = "very_late"
        else:
            name = "late"
    context["days_late"] = "1 day" if days_late == 1 else f"{days_late} days"
    return schedule.situations.get(name)


def _last_match_end(tokens: list[str], words: tuple[str, ...]) -> Optional[int]:
    """Return the end index of the last place ``words`` occurs in ``tokens``, or None."""
    size = len(words)
    for start in range(len(tokens) - size, -1, -1):
        if tuple(tokens[start : start + size]) == words:
            return start + size
    return None
