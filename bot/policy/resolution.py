"""Resolution policy engine: which resolutions to offer for a complaint, from rules in a YAML file.

The rules live in ``data/policy/resolution.yml`` (UK Consumer Rights Act 2015 tiers plus our goodwill
policy). :func:`load_policy` reads and checks them strictly; :meth:`ResolutionPolicy.propose` turns a
complaint (defect category, delivery date, product category, safety flag) into a :class:`Proposal`;
:func:`choose` maps a customer's free-text reply to one of the offered options.
"""

from __future__ import annotations

import datetime as dt
import re
import string
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Optional, Union

import yaml

from bot.cases.vocabulary import DEFECT_CATEGORIES, RESOLUTION_TYPES

PRODUCT_KINDS = ("footwear", "leather_goods")

# Product kinds whose items come in pairs: customer text says "your boots were", not "your boot was".
_PLURAL_KINDS = frozenset({"footwear"})

GOODWILL_AGE = "goodwill_age"

_LATENESS_SITUATIONS = ("dates_unknown", "not_yet_due", "late", "very_late", "arrived_late", "arrived_on_time")

# Placeholders each kind of text may use (see the header of data/policy/resolution.yml).
_COMMON_FIELDS = frozenset({"item", "were", "are", "them", "they", "goodwill_limit"})
_AGE_FIELDS = _COMMON_FIELDS | {"age", "days", "delivered_on"}
_LATENESS_FIELDS: dict[str, frozenset[str]] = {
    "dates_unknown": _COMMON_FIELDS,
    "not_yet_due": _COMMON_FIELDS | {"expected", "cancel_from"},
    "late": _COMMON_FIELDS | {"expected", "days_late", "cancel_from"},
    "very_late": _COMMON_FIELDS | {"expected", "days_late", "cancel_from"},
    "arrived_late": _AGE_FIELDS | {"expected", "days_late", "cancel_from"},
    "arrived_on_time": _AGE_FIELDS | {"expected", "cancel_from"},
}


class PolicyError(ValueError):
    """The resolution policy file is missing, unreadable or breaks a rule; the message names the problem."""


# --------------------------------------------------------------------------------------------------
# Public result types


@dataclass(frozen=True)
class Option:
    """One resolution offered to the customer: its type, a button label and a customer-readable reason."""

    type: str
    label: str
    reason: str

    def __post_init__(self) -> None:
        if self.type not in RESOLUTION_TYPES:
            raise ValueError(f"unknown resolution type {self.type!r}; use one of: {', '.join(RESOLUTION_TYPES)}")

    def as_dict(self) -> dict[str, str]:
        """Return a JSON-friendly copy."""
        return {"type": self.type, "label": self.label, "reason": self.reason}


@dataclass(frozen=True)
class Proposal:
    """The options the policy allows for one complaint, and why.

    ``tier`` names the rule that applied (e.g. ``short_term_right_to_reject``); ``age_days`` is the number of
    days since delivery (None when unknown or not delivered); ``escalate`` means a person must confirm.
    """

    options: tuple[Option, ...]
    tier: str
    age_days: Optional[int]
    escalate: bool
    explanation: str

    @property
    def allowed_types(self) -> tuple[str, ...]:
        """The resolution types offered, in the order shown."""
        return tuple(option.type for option in self.options)

    def option(self, type: str) -> Optional[Option]:
        """Return the offered option of resolution ``type``, or None if it is not offered."""
        for option in self.options:
            if option.type == type:
                return option
        return None

    def as_dict(self) -> dict[str, Any]:
        """Return a JSON-friendly copy (for slots, the dashboard and logs)."""
        return {
            "options": [option.as_dict() for option in self.options],
            "allowed_types": list(self.allowed_types),
            "tier": self.tier,
            "age_days": self.age_days,
            "escalate": self.escalate,
            "explanation": self.explanation,
        }


@dataclass(frozen=True)
class Product:
    """What the policy knows about the product: its kind and the noun used in customer text."""

    kind: str
    noun: str
    plural: bool


# --------------------------------------------------------------------------------------------------
# Parsed rules (internal)


@dataclass(frozen=True)
class _OptionRule:
    type: str
    label: str
    reason: str


@dataclass(frozen=True)
class _Situation:
    name: str
    explanation: str
    options: tuple[_OptionRule, ...]


@dataclass(frozen=True)
class _Tier:
    situation: _Situation
    up_to_day: Union[int, str, None]  # days, GOODWILL_AGE, or None for open-ended
    after_failed: Optional[_Situation]


@dataclass(frozen=True)
class _AgeSchedule:
    name: str
    unknown_delivery: _Situation
    tiers: tuple[_Tier, ...]
    fallback: Optional[str]
    fallback_note: str


@dataclass(frozen=True)
class _LatenessSchedule:
    name: str
    cancel_from_days_late: int
    situations: Mapping[str, _Situation]


_Schedule = Union[_AgeSchedule, _LatenessSchedule]


@dataclass(frozen=True)
class _KindWord:
    kind: str
    words: tuple[str, ...]
    noun: Optional[str]  # a fixed noun for collective terms ("leather goods" -> "item")


# --------------------------------------------------------------------------------------------------
# The policy


class ResolutionPolicy:
    """Resolution rules loaded from a policy file; use :func:`load_policy` to build one."""

    def __init__(
        self,
        *,
        labels: Mapping[str, str],
        default_kind: str,
        kind_words: tuple[_KindWord, ...],
        goodwill_age_days: Mapping[str, int],
        categories: Mapping[str, str],
        schedules: Mapping[str, _Schedule],
        safety_note: str,
        unknown_delivery_note: str,
    ) -> None:
        self._labels = dict(labels)
        self._default_kind = default_kind
        self._kind_words = kind_words
        self._goodwill_age_days = dict(goodwill_age_days)
        self._categories = dict(categories)
        self._schedules = dict(schedules)
        self._safety_note = safety_note
        self._unknown_delivery_note = unknown_delivery_note

    @property
    def goodwill_age_days(self) -> dict[str, int]:
        """Goodwill age in days by product kind."""
        return dict(self._goodwill_age_days)

    def product(self, product_category: str) -> Product:
        """Decide the product kind and customer-facing noun from a category string such as "safety boots"."""
        tokens = re.findall(r"[a-z]+", product_category.lower())
        # The match that ends last wins (the head noun); on a tie, the longer phrase ("small leather goods").
        best: Optional[tuple[tuple[int, int], _KindWord]] = None
        for candidate in self._kind_words:
            for form in (candidate.words, _plural_words(candidate.words)):
                end = _last_match_end(tokens, form)
                if end is not None and (best is None or (end, len(form)) > best[0]):
                    best = ((end, len(form)), candidate)
        if best is None:
            return Product(kind=self._default_kind, noun="item", plural=False)
        entry = best[1]
        if entry.noun is not None:
            return Product(kind=entry.kind, noun=entry.noun, plural=False)
        plural = entry.kind in _PLURAL_KINDS
        words = _plural_words(entry.words) if plural else entry.words
        return Product(kind=entry.kind, noun=" ".join(words), plural=plural)

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
        if defect_category not in self._categories:
            raise ValueError(f"unknown defect category {defect_category!r}; use one of: {', '.join(DEFECT_CATEGORIES)}")
        if delivered_on is not None and delivered_on > today:
            raise ValueError(f"delivered_on {delivered_on.isoformat()} is after today ({today.isoformat()})")
        product = self.product(product_category)
        age = None if delivered_on is None else (today - delivered_on).days
        context = self._context(product, delivered_on, age)
        schedule = self._schedules[self._categories[defect_category]]
        parts: list[str] = [self._safety_note] if safety_issue else []
        if isinstance(schedule, _LatenessSchedule):
            situation = self._late_situation(schedule, delivered_on, expected_delivery, today, context)
            parts.append(situation.explanation)
        elif age is None:
            situation = schedule.unknown_delivery
            parts += [situation.explanation, self._unknown_delivery_note]
        else:
            situation, note = self._age_situation(schedule, age, product.kind, remedy_failed)
            parts += [note, situation.explanation]
        explanation = " ".join(_render(part, context) for part in parts if part)
        options = tuple(
            Option(rule.type, _render(rule.label or self._labels[rule.type], context), _render(rule.reason, context))
            for rule in situation.options
        )
        return Proposal(
            options=options, tier=situation.name, age_days=age, escalate=safety_issue, explanation=explanation
        )

    # -- helpers -----------------------------------------------------------------------------------

    def _context(self, product: Product, delivered_on: Optional[dt.date], age: Optional[int]) -> dict[str, str]:
        context = {
            "item": product.noun,
            "were": "were" if product.plural else "was",
            "are": "are" if product.plural else "is",
            "them": "them" if product.plural else "it",
            "they": "they" if product.plural else "it",
            "goodwill_limit": _describe_days(self._goodwill_age_days[product.kind]),
        }
        if delivered_on is not None and age is not None:
            context["delivered_on"] = _describe_date(delivered_on)
            context["days"] = str(age)
            context["age"] = "today" if age == 0 else "yesterday" if age == 1 else f"{age} days ago"
        return context

    def _age_situation(
        self, schedule: _AgeSchedule, age: int, kind: str, remedy_failed: bool
    ) -> tuple[_Situation, str]:
        """Pick the situation for a known age, and a note to put before its explanation (when falling back)."""
        note = ""
        tier = self._tier_for(schedule, age, kind)
        if tier is None:
            assert schedule.fallback is not None  # the loader insists on an open-ended tier or a fallback
            note = schedule.fallback_note
            fallback = self._schedules[schedule.fallback]
            assert isinstance(fallback, _AgeSchedule)
            tier = self._tier_for(fallback, age, kind)
            assert tier is not None
        if remedy_failed and tier.after_failed is not None:
            return tier.after_failed, note
        return tier.situation, note

    def _tier_for(self, schedule: _AgeSchedule, age: int, kind: str) -> Optional[_Tier]:
        for tier in schedule.tiers:
            limit = self._limit(tier.up_to_day, kind)
            if limit is None or age <= limit:
                return tier
        return None

    def _limit(self, up_to_day: Union[int, str, None], kind: str) -> Optional[int]:
        if up_to_day == GOODWILL_AGE:
            return self._goodwill_age_days[kind]
        assert up_to_day is None or isinstance(up_to_day, int)
        return up_to_day

    @staticmethod
    def _late_situation(
        schedule: _LatenessSchedule,
        delivered_on: Optional[dt.date],
        expected: Optional[dt.date],
        today: dt.date,
        context: dict[str, str],
    ) -> _Situation:
        """Pick the late-delivery situation; adds the lateness placeholders to ``context``."""
        context["cancel_from"] = str(schedule.cancel_from_days_late)
        if expected is None:
            return schedule.situations["dates_unknown"]
        context["expected"] = _describe_date(expected)
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
        return schedule.situations[name]


def _render(template: str, context: Mapping[str, str]) -> str:
    return template.format_map(context)


def _describe_date(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _describe_days(days: int) -> str:
    if days and (days * 12) % 365 == 0:
        months = days * 12 // 365
        return "1 month" if months == 1 else f"{months} months"
    return "1 day" if days == 1 else f"{days} days"


def _plural(word: str) -> str:
    if re.search(r"(s|x|z|ch|sh)$", word):
        return word + "es"
    if re.search(r"[^aeiou]y$", word):
        return word[:-1] + "ies"
    return word + "s"


def _plural_words(words: tuple[str, ...]) -> tuple[str, ...]:
    return words[:-1] + (_plural(words[-1]),)


def _last_match_end(tokens: list[str], words: tuple[str, ...]) -> Optional[int]:
    """Return the end index of the last place ``words`` occurs in ``tokens``, or None."""
    size = len(words)
    for start in range(len(tokens) - size, -1, -1):
        if tuple(tokens[start : start + size]) == words:
            return start + size
    return None


# --------------------------------------------------------------------------------------------------
# Loading and checking the policy file


def load_policy(path: Path) -> ResolutionPolicy:
    """Read and check a resolution policy YAML file; raises :class:`PolicyError` naming any problem."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise PolicyError(f"resolution policy file not found: {path}") from exc
    except OSError as exc:
        raise PolicyError(f"cannot read resolution policy file {path}: {exc}") from exc
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise PolicyError(f"{path}: not valid YAML: {exc}") from exc
    try:
        return policy_from_mapping(raw)
    except PolicyError as exc:
        raise PolicyError(f"{path}: {exc}") from exc


def policy_from_mapping(raw: Any) -> ResolutionPolicy:
    """Build a policy from already-parsed YAML, checking every rule; raises :class:`PolicyError`."""
    top = _mapping(
        raw,
        "the policy file",
        required=(
            "version",
            "labels",
            "product_kinds",
            "goodwill_age_days",
            "categories",
            "safety",
            "unknown_delivery_note",
            "schedules",
        ),
    )
    if type(top["version"]) is not int or top["version"] != 1:
        raise PolicyError(f"version must be 1, got {top['version']!r}")

    labels_raw = _mapping(top["labels"], "labels")
    _no_unknown(labels_raw, RESOLUTION_TYPES, "labels", "resolution type")
    labels: dict[str, str] = {}
    for type_ in RESOLUTION_TYPES:
        if type_ not in labels_raw:
            raise PolicyError(f"labels: no label for resolution type {type_!r}")
        labels[type_] = _text(labels_raw[type_], f"labels.{type_}", _COMMON_FIELDS)

    default_kind, kind_words = _read_product_kinds(top["product_kinds"])

    goodwill_raw = _mapping(top["goodwill_age_days"], "goodwill_age_days", required=PRODUCT_KINDS)
    _no_unknown(goodwill_raw, PRODUCT_KINDS, "goodwill_age_days", "product kind")
    goodwill = {kind: _days(goodwill_raw[kind], f"goodwill_age_days.{kind}") for kind in PRODUCT_KINDS}

    categories_raw = _mapping(top["categories"], "categories")
    _no_unknown(categories_raw, DEFECT_CATEGORIES, "categories", "defect category")
    categories: dict[str, str] = {}
    for category in DEFECT_CATEGORIES:
        if category not in categories_raw:
            raise PolicyError(f"categories: defect category {category!r} has no schedule")
        categories[category] = _text(categories_raw[category], f"categories.{category}", frozenset())

    schedules_raw = _mapping(top["schedules"], "schedules")
    schedules: dict[str, _Schedule] = {}
    for name, body in schedules_raw.items():
        schedules[str(name)] = _read_schedule(str(name), body)

    for category, schedule_name in categories.items():
        if schedule_name not in schedules:
            raise PolicyError(f"categories.{category}: no schedule named {schedule_name!r}")
    for schedule in schedules.values():
        if isinstance(schedule, _AgeSchedule) and schedule.fallback is not None:
            target = schedules.get(schedule.fallback)
            if target is None:
                raise PolicyError(f"schedules.{schedule.name}.fallback: no schedule named {schedule.fallback!r}")
            if (
                not isinstance(target, _AgeSchedule)
                or target.fallback is not None
                or target.tiers[-1].up_to_day is not None
            ):
                raise PolicyError(
                    f"schedules.{schedule.name}.fallback: {schedule.fallback!r} must be a delivery_age schedule "
                    "whose last tier is open-ended and that has no fallback of its own"
                )
        if isinstance(schedule, _AgeSchedule):
            _check_tier_order(schedule, goodwill)

    safety = _mapping(top["safety"], "safety", required=("note",))
    _no_unknown(safety, ("note",), "safety", "key")
    return ResolutionPolicy(
        labels=labels,
        default_kind=default_kind,
        kind_words=kind_words,
        goodwill_age_days=goodwill,
        categories=categories,
        schedules=schedules,
        safety_note=_text(safety["note"], "safety.note", _COMMON_FIELDS),
        unknown_delivery_note=_text(top["unknown_delivery_note"], "unknown_delivery_note", _COMMON_FIELDS),
    )


def _read_product_kinds(raw: Any) -> tuple[str, tuple[_KindWord, ...]]:
    where = "product_kinds"
    body = _mapping(raw, where, required=("default", *PRODUCT_KINDS))
    _no_unknown(body, ("default", *PRODUCT_KINDS), where, "key")
    default = body["default"]
    if default not in PRODUCT_KINDS:
        raise PolicyError(f"{where}.default: unknown product kind {default!r}; use one of: {', '.join(PRODUCT_KINDS)}")
    seen: dict[tuple[str, ...], str] = {}
    entries: list[_KindWord] = []
    for kind in PRODUCT_KINDS:
        items = body[kind]
        if not isinstance(items, list) or not items:
            raise PolicyError(f"{where}.{kind} must be a non-empty list of words")
        for index, item in enumerate(items):
            at = f"{where}.{kind}[{index}]"
            noun: Optional[str] = None
            if isinstance(item, dict):
                _no_unknown(item, ("word", "noun"), at, "key")
                word = item.get("word")
                noun = _text(item.get("noun"), f"{at}.noun", frozenset())
            else:
                word = item
            if not isinstance(word, str) or not re.fullmatch(r"[a-z]+( [a-z]+)*", word.strip().lower()):
                raise PolicyError(f"{at}: a product word must be letters and spaces, got {word!r}")
            words = tuple(word.strip().lower().split())
            for form in (words, _plural_words(words)):
                if form in seen and seen[form] != kind:
                    raise PolicyError(f"{at}: {' '.join(form)!r} is listed for both {seen[form]} and {kind}")
                seen[form] = kind
            entries.append(_KindWord(kind=kind, words=words, noun=noun))
    return default, tuple(entries)


def _read_schedule(name: str, raw: Any) -> _Schedule:
    where = f"schedules.{name}"
    body = _mapping(raw, where, required=("basis",))
    basis = body["basis"]
    if basis == "delivery_age":
        _no_unknown(body, ("basis", "unknown_delivery", "tiers", "fallback", "fallback_note"), where, "key")
        if "unknown_delivery" not in body:
            raise PolicyError(f"{where}: missing the unknown_delivery tier (used when the delivery date is unknown)")
        unknown = _read_situation(body["unknown_delivery"], f"{where}.unknown_delivery", _COMMON_FIELDS)
        tiers_raw = body.get("tiers")
        if not isinstance(tiers_raw, list) or not tiers_raw:
            raise PolicyError(f"{where}: missing tiers (a non-empty list of age tiers)")
        tiers = tuple(_read_tier(tier, f"{where}.tiers[{index}]") for index, tier in enumerate(tiers_raw))
        fallback = body.get("fallback")
        if fallback is not None and not isinstance(fallback, str):
            raise PolicyError(f"{where}.fallback must be a schedule name, got {fallback!r}")
        fallback_note = ""
        if "fallback_note" in body:
            if fallback is None:
                raise PolicyError(f"{where}: fallback_note is given but there is no fallback")
            fallback_note = _text(body["fallback_note"], f"{where}.fallback_note", _AGE_FIELDS)
        for index, tier in enumerate(tiers[:-1]):
            if tier.up_to_day is None:
                raise PolicyError(f"{where}.tiers[{index}]: only the last tier may leave out up_to_day")
        if tiers[-1].up_to_day is not None and fallback is None:
            raise PolicyError(
                f"{where}: the last tier ({tiers[-1].situation.name}) must leave out up_to_day so every age is "
                "covered, or the schedule needs a fallback"
            )
        names = [unknown.name] + [tier.situation.name for tier in tiers]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise PolicyError(f"{where}: tier names must be unique, repeated: {', '.join(duplicates)}")
        return _AgeSchedule(name, unknown, tiers, fallback, fallback_note)
    if basis == "lateness":
        _no_unknown(body, ("basis", "cancel_from_days_late", "situations"), where, "key")
        if "cancel_from_days_late" not in body:
            raise PolicyError(f"{where}: missing cancel_from_days_late")
        cancel_from = _days(body["cancel_from_days_late"], f"{where}.cancel_from_days_late")
        if cancel_from < 1:
            raise PolicyError(f"{where}.cancel_from_days_late must be at least 1, got {cancel_from}")
        situations_raw = _mapping(body.get("situations"), f"{where}.situations")
        _no_unknown(situations_raw, _LATENESS_SITUATIONS, f"{where}.situations", "situation")
        situations: dict[str, _Situation] = {}
        for key in _LATENESS_SITUATIONS:
            if key not in situations_raw:
                raise PolicyError(f"{where}.situations: missing the {key!r} tier")
            situations[key] = _read_situation(situations_raw[key], f"{where}.situations.{key}", _LATENESS_FIELDS[key])
        return _LatenessSchedule(name, cancel_from, situations)
    raise PolicyError(f"{where}.basis must be 'delivery_age' or 'lateness', got {basis!r}")


def _read_tier(raw: Any, where: str) -> _Tier:
    body = _mapping(raw, where)
    _no_unknown(body, ("tier", "up_to_day", "explanation", "options", "after_failed_remedy"), where, "key")
    situation = _read_situation(
        {k: v for k, v in body.items() if k in ("tier", "explanation", "options")}, where, _AGE_FIELDS
    )
    up_to_day: Union[int, str, None] = None
    if "up_to_day" in body:
        value = body["up_to_day"]
        up_to_day = GOODWILL_AGE if value == GOODWILL_AGE else _days(value, f"{where}.up_to_day", GOODWILL_AGE)
    after_failed = None
    if "after_failed_remedy" in body:
        after_failed = _read_situation(body["after_failed_remedy"], f"{where}.after_failed_remedy", _AGE_FIELDS)
    return _Tier(situation, up_to_day, after_failed)


def _read_situation(raw: Any, where: str, fields: frozenset[str]) -> _Situation:
    body = _mapping(raw, where, required=("tier", "explanation", "options"))
    _no_unknown(body, ("tier", "explanation", "options"), where, "key")
    name = body["tier"]
    if not isinstance(name, str) or not re.fullmatch(r"[a-z][a-z0-9_]*", name):
        raise PolicyError(f"{where}.tier must be a snake_case name, got {name!r}")
    explanation = _text(body["explanation"], f"{where}.explanation", fields)
    options_raw = body["options"]
    if not isinstance(options_raw, list) or not options_raw:
        raise PolicyError(f"{where}.options must be a non-empty list")
    options: list[_OptionRule] = []
    for index, item in enumerate(options_raw):
        at = f"{where}.options[{index}]"
        option = _mapping(item, at, required=("type", "reason"))
        _no_unknown(option, ("type", "label", "reason"), at, "key")
        type_ = option["type"]
        if type_ not in RESOLUTION_TYPES:
            raise PolicyError(f"{at}: unknown resolution type {type_!r}; use one of: {', '.join(RESOLUTION_TYPES)}")
        if any(existing.type == type_ for existing in options):
            raise PolicyError(f"{at}: resolution type {type_!r} is offered twice in tier {name!r}")
        label = _text(option["label"], f"{at}.label", _COMMON_FIELDS) if "label" in option else ""
        options.append(_OptionRule(type_, label, _text(option["reason"], f"{at}.reason", fields)))
    return _Situation(name, explanation, tuple(options))


def _check_tier_order(schedule: _AgeSchedule, goodwill: Mapping[str, int]) -> None:
    for kind in PRODUCT_KINDS:
        previous: Optional[int] = None
        for index, tier in enumerate(schedule.tiers):
            if tier.up_to_day is None:
                continue
            limit = goodwill[kind] if tier.up_to_day == GOODWILL_AGE else int(tier.up_to_day)
            if previous is not None and limit <= previous:
                raise PolicyError(
                    f"schedules.{schedule.name}.tiers[{index}] ({tier.situation.name}): up_to_day {limit} for {kind} "
                    f"must be greater than the previous tier's {previous}"
                )
            previous = limit


def _mapping(raw: Any, where: str, required: tuple[str, ...] = ()) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise PolicyError(f"{where} must be a mapping, got {type(raw).__name__}")
    for key in required:
        if key not in raw:
            raise PolicyError(f"{where}: missing {key!r}")
    return raw


def _no_unknown(raw: Mapping[Any, Any], allowed: tuple[str, ...], where: str, what: str) -> None:
    unknown = [str(key) for key in raw if key not in allowed]
    if unknown:
        raise PolicyError(f"{where}: unknown {what} {unknown[0]!r}; use one of: {', '.join(allowed)}")


def _days(value: Any, where: str, alternative: str = "") -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        extra = f" or {alternative!r}" if alternative else ""
        raise PolicyError(f"{where} must be a whole number of days{extra}, got {value!r}")
    if value < 0:
        raise PolicyError(f"{where} must not be negative, got {value}")
    return value


def _text(value: Any, where: str, fields: frozenset[str]) -> str:
    if not isinstance(value, str) or not value.strip():
        raise PolicyError(f"{where} must be non-empty text, got {value!r}")
    try:
        parsed = list(string.Formatter().parse(value))
    except ValueError as exc:
        raise PolicyError(f"{where}: badly formed placeholder in {value!r} ({exc})") from exc
    for _, field, spec, conversion in parsed:
        if field is None:
            continue
        if field not in fields or spec or conversion:
            allowed = ", ".join("{" + name + "}" for name in sorted(fields)) or "none"
            raise PolicyError(f"{where}: unknown placeholder {{{field}}}; allowed here: {allowed}")
    return " ".join(value.split())


# --------------------------------------------------------------------------------------------------
# Mapping a customer's free-text choice to an offered option

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

_NEGATORS = re.compile(r"\b(not|never|without|cannot|nor|rather than|instead of|other than|\w+n't|dont|wont|cant)\b")
_NEAR_NEGATOR = re.compile(r"\bno\s+(\w+\s+)?$")
_POSITIVE_MIND = re.compile(r"\b(wouldn't|would not|don't|do not|i'd not|not) (mind|object to)\b")
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
    text = _POSITIVE_MIND.sub("happy with", text)
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
    clause = _CLAUSE_BREAK.split(before)[-1]
    words = clause.split()
    if _NEGATORS.search(" ".join(words[-4:])):
        return True
    return bool(_NEAR_NEGATOR.search(clause))
