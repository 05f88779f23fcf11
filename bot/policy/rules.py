"""The resolution policy file (data/policy/resolution.yml) as pydantic models, checked strictly.

The models mirror the file: ``labels``, ``product_kinds``, ``goodwill_age_days``, ``categories`` (defect
category -> schedule), ``safety``, ``unknown_delivery_note`` and ``schedules``. A schedule is chosen by
``basis``: ``delivery_age`` (tiers by days since delivery) or ``lateness`` (late deliveries). Each text may
use only the placeholders listed for its place (see the header of the YAML file).
"""

from __future__ import annotations

import re
from typing import Any, Callable, ClassVar, Dict, List, Literal, Optional, Union

from pydantic import Field, root_validator, validator
from typing_extensions import Annotated

from bot.policy.grammar import plural_words
from bot.policy.proposal import PRODUCT_KINDS
from bot.policy.schema import RuleError, StrictModel, check_keys, days, mapping, text
from bot.vocabulary import DEFECT_CATEGORIES, RESOLUTION_TYPES

GOODWILL_AGE = "goodwill_age"

# Placeholders each kind of text may use (see the header of data/policy/resolution.yml).
COMMON_FIELDS = frozenset({"item", "were", "are", "them", "they", "goodwill_limit"})
AGE_FIELDS = COMMON_FIELDS | {"age", "days", "delivered_on"}
_LATE_FIELDS = COMMON_FIELDS | {"expected", "cancel_from"}
_DAYS_LATE_FIELDS = _LATE_FIELDS | {"days_late"}


class OptionRule(StrictModel):
    """One option of a tier: a resolution type, an optional button label and the reason shown."""

    type: str
    label: str = ""
    reason: str

    @validator("type", pre=True)
    def _known_type(cls, value: Any) -> str:
        if value not in RESOLUTION_TYPES:
            raise RuleError(f"unknown resolution type {value!r}; use one of: {', '.join(RESOLUTION_TYPES)}")
        return str(value)

    @validator("label", pre=True)
    def _label(cls, value: Any) -> str:
        return text(value, COMMON_FIELDS)

    @validator("reason", pre=True)
    def _reason(cls, value: Any) -> str:
        return text(value, None)  # its placeholders are checked by the situation it belongs to


class Situation(StrictModel):
    """A named tier: the explanation given and the options offered; ``_fields`` are its placeholders."""

    _fields: ClassVar[frozenset[str]] = COMMON_FIELDS

    tier: str
    explanation: str
    options: List[OptionRule]

    @validator("tier", pre=True)
    def _snake_case(cls, value: Any) -> str:
        if not isinstance(value, str) or not re.fullmatch(r"[a-z][a-z0-9_]*", value):
            raise RuleError(f"must be a snake_case name, got {value!r}")
        return value

    @validator("explanation", pre=True)
    def _explanation(cls, value: Any) -> str:
        return text(value, cls._fields)

    @validator("options", pre=True)
    def _non_empty(cls, value: Any) -> Any:
        if not isinstance(value, list) or not value:
            raise RuleError("must be a non-empty list")
        return value

    @root_validator(skip_on_failure=True)
    def _options_fit(cls, values: dict[str, Any]) -> dict[str, Any]:
        seen: set[str] = set()
        for index, option in enumerate(values["options"]):
            if option.type in seen:
                raise RuleError(
                    f"resolution type {option.type!r} is offered twice in tier {values['tier']!r}", ("options", index)
                )
            seen.add(option.type)
            text(option.reason, cls._fields, ("options", index, "reason"))
        return values


class AgeSituation(Situation):
    """A situation chosen by the age of the product: may say how old it is."""

    _fields = AGE_FIELDS


class Tier(AgeSituation):
    """An age tier: covers days up to ``up_to_day`` (a number, ``goodwill_age``, or None: every later day)."""

    up_to_day: Union[int, str, None] = None
    after_failed_remedy: Optional[AgeSituation] = None

    @validator("up_to_day", pre=True)
    def _days_or_goodwill(cls, value: Any) -> Union[int, str]:
        return GOODWILL_AGE if value == GOODWILL_AGE else days(value, GOODWILL_AGE)


class AgeSchedule(StrictModel):
    """Rules chosen by days since delivery, with a tier for an unknown delivery date."""

    _missing = {
        "unknown_delivery": "missing the unknown_delivery tier (used when the delivery date is unknown)",
        "tiers": "missing tiers (a non-empty list of age tiers)",
    }

    basis: Literal["delivery_age"]
    unknown_delivery: Situation
    tiers: List[Tier]
    fallback: Optional[str] = None
    fallback_note: str = ""

    @validator("fallback", pre=True)
    def _schedule_name(cls, value: Any) -> Optional[str]:
        if value is not None and not isinstance(value, str):
            raise RuleError(f"must be a schedule name, got {value!r}")
        return value

    @validator("fallback_note", pre=True)
    def _note(cls, value: Any) -> str:
        return text(value, AGE_FIELDS)

    @root_validator(skip_on_failure=True)
    def _covers_every_age(cls, values: dict[str, Any]) -> dict[str, Any]:
        tiers: list[Tier] = values["tiers"]
        if not tiers:
            raise RuleError(cls._missing["tiers"])
        if values["fallback_note"] and values["fallback"] is None:
            raise RuleError("fallback_note is given but there is no fallback")
        for index, tier in enumerate(tiers[:-1]):
            if tier.up_to_day is None:
                raise RuleError("only the last tier may leave out up_to_day", ("tiers", index))
        if tiers[-1].up_to_day is not None and values["fallback"] is None:
            raise RuleError(
                f"the last tier ({tiers[-1].tier}) must leave out up_to_day so every age is covered, "
                "or the schedule needs a fallback"
            )
        names = [values["unknown_delivery"].tier] + [tier.tier for tier in tiers]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise RuleError(f"tier names must be unique, repeated: {', '.join(duplicates)}")
        return values


class _NotYetDue(Situation):
    _fields = _LATE_FIELDS


class _Late(Situation):
    _fields = _DAYS_LATE_FIELDS


class _ArrivedLate(Situation):
    _fields = AGE_FIELDS | _DAYS_LATE_FIELDS


class _ArrivedOnTime(Situation):
    _fields = AGE_FIELDS | _LATE_FIELDS


class LatenessSituations(StrictModel):
    """The six situations of a late delivery, each with the placeholders that make sense for it."""

    _what = "situation"
    _missing = {"*": "missing the {name!r} tier"}

    dates_unknown: Situation
    not_yet_due: _NotYetDue
    late: _Late
    very_late: _Late
    arrived_late: _ArrivedLate
    arrived_on_time: _ArrivedOnTime

    def get(self, name: str) -> Situation:
        """The situation called ``name`` (one of the field names above)."""
        situation: Situation = getattr(self, name)
        return situation


class LatenessSchedule(StrictModel):
    """Rules for late deliveries, chosen by the agreed delivery date; cancelling is allowed from a lateness."""

    basis: Literal["lateness"]
    cancel_from_days_late: int
    situations: LatenessSituations

    @validator("cancel_from_days_late", pre=True)
    def _at_least_a_day(cls, value: Any) -> int:
        if days(value) < 1:
            raise RuleError(f"must be at least 1, got {value}")
        return int(value)


Schedule = Annotated[Union[AgeSchedule, LatenessSchedule], Field(discriminator="basis")]


class KindWord(StrictModel):
    """A word (or phrase) that decides a product kind; ``noun`` replaces it in customer text when given."""

    word: str
    noun: Optional[str] = None

    @validator("word", pre=True)
    def _letters_and_spaces(cls, value: Any) -> str:
        if not isinstance(value, str) or not re.fullmatch(r"[a-z]+( [a-z]+)*", value.strip().lower()):
            raise RuleError(f"a product word must be letters and spaces, got {value!r}")
        return " ".join(value.lower().split())

    @validator("noun", pre=True)
    def _noun(cls, value: Any) -> str:
        return text(value, frozenset())

    @property
    def words(self) -> tuple[str, ...]:
        """The word split into words: ("card", "holder")."""
        return tuple(self.word.split())


class ProductKinds(StrictModel):
    """The words that decide a product's kind, and the kind of a product that matches none."""

    default: str
    footwear: List[KindWord]
    leather_goods: List[KindWord]

    @validator("default", pre=True)
    def _known_kind(cls, value: Any) -> str:
        if value not in PRODUCT_KINDS:
            raise RuleError(f"unknown product kind {value!r}; use one of: {', '.join(PRODUCT_KINDS)}")
        return str(value)

    @validator("footwear", "leather_goods", pre=True)
    def _words(cls, value: Any) -> list[Any]:
        if not isinstance(value, list) or not value:
            raise RuleError("must be a non-empty list of words")
        for index, item in enumerate(value):
            if isinstance(item, dict) and "noun" not in item:
                raise RuleError("must be non-empty text, got None", (index, "noun"))
        return [item if isinstance(item, dict) else {"word": item} for item in value]

    @root_validator(skip_on_failure=True)
    def _one_kind_per_word(cls, values: dict[str, Any]) -> dict[str, Any]:
        seen: dict[tuple[str, ...], str] = {}
        for kind in PRODUCT_KINDS:
            for index, entry in enumerate(values[kind]):
                for form in (entry.words, plural_words(entry.words)):
                    if form in seen and seen[form] != kind:
                        raise RuleError(f"{' '.join(form)!r} is listed for both {seen[form]} and {kind}", (kind, index))
                    seen[form] = kind
        return values

    def entries(self) -> list[tuple[str, KindWord]]:
        """Every (kind, word) pair, in file order."""
        return [(kind, entry) for kind in PRODUCT_KINDS for entry in getattr(self, kind)]


class Safety(StrictModel):
    """What is said first when a complaint may be a safety issue."""

    note: str

    @validator("note", pre=True)
    def _note(cls, value: Any) -> str:
        return text(value, COMMON_FIELDS)


class ResolutionRules(StrictModel):
    """The whole resolution policy file, checked: every type labelled, every category scheduled."""

    version: int
    labels: Dict[str, str]
    product_kinds: ProductKinds
    goodwill_age_days: Dict[str, int]
    categories: Dict[str, str]
    safety: Safety
    unknown_delivery_note: str
    schedules: Dict[str, Schedule]

    @validator("version", pre=True)
    def _version_1(cls, value: Any) -> int:
        if type(value) is not int or value != 1:
            raise RuleError(f"must be 1, got {value!r}")
        return value

    @validator("labels", pre=True)
    def _labels(cls, value: Any) -> dict[str, str]:
        raw = mapping(value)
        missing = {"*": "no label for resolution type {name!r}"}
        check_keys(raw, RESOLUTION_TYPES, RESOLUTION_TYPES, "resolution type", missing)
        return {key: text(raw[key], COMMON_FIELDS, (key,)) for key in RESOLUTION_TYPES}

    @validator("goodwill_age_days", pre=True)
    def _goodwill(cls, value: Any) -> dict[str, int]:
        raw = mapping(value)
        check_keys(raw, PRODUCT_KINDS, PRODUCT_KINDS, "product kind")
        return {kind: _at(days, raw[kind], kind) for kind in PRODUCT_KINDS}

    @validator("categories", pre=True)
    def _categories(cls, value: Any) -> dict[str, str]:
        raw = mapping(value)
        missing = {"*": "defect category {name!r} has no schedule"}
        check_keys(raw, DEFECT_CATEGORIES, DEFECT_CATEGORIES, "defect category", missing)
        return {key: text(raw[key], frozenset(), (key,)) for key in DEFECT_CATEGORIES}

    @validator("unknown_delivery_note", pre=True)
    def _note(cls, value: Any) -> str:
        return text(value, COMMON_FIELDS)

    @validator("schedules", pre=True)
    def _schedules(cls, value: Any) -> dict[Any, Any]:
        raw = mapping(value)
        for name, body in raw.items():
            if not isinstance(body, dict):
                raise RuleError(f"must be a mapping, got {type(body).__name__}", (name,))
        return {str(name): body for name, body in raw.items()}

    @root_validator(skip_on_failure=True)
    def _references_hold(cls, values: dict[str, Any]) -> dict[str, Any]:
        schedules: dict[str, AgeSchedule | LatenessSchedule] = values["schedules"]
        for category, name in values["categories"].items():
            if name not in schedules:
                raise RuleError(f"no schedule named {name!r}", ("categories", category))
        for name, schedule in schedules.items():
            if isinstance(schedule, AgeSchedule):
                _check_fallback(name, schedule, schedules)
                _check_tier_order(name, schedule, values["goodwill_age_days"])
        return values


def _at(check: Callable[[Any], int], value: Any, key: str) -> int:
    """Run ``check(value)``, naming ``key`` as the place of any problem."""
    try:
        return check(value)
    except RuleError as exc:
        raise RuleError(str(exc), (key,)) from None


def _check_fallback(name: str, schedule: AgeSchedule, schedules: dict[str, AgeSchedule | LatenessSchedule]) -> None:
    if schedule.fallback is None:
        return
    target = schedules.get(schedule.fallback)
    at = ("schedules", name, "fallback")
    if target is None:
        raise RuleError(f"no schedule named {schedule.fallback!r}", at)
    if not isinstance(target, AgeSchedule) or target.fallback is not None or target.tiers[-1].up_to_day is not None:
        raise RuleError(
            f"{schedule.fallback!r} must be a delivery_age schedule whose last tier is open-ended and that has "
            "no fallback of its own",
            at,
        )


def _check_tier_order(name: str, schedule: AgeSchedule, goodwill: dict[str, int]) -> None:
    for kind in PRODUCT_KINDS:
        previous: Optional[int] = None
        for index, tier in enumerate(schedule.tiers):
            if tier.up_to_day is None:
                continue
            limit = goodwill[kind] if tier.up_to_day == GOODWILL_AGE else int(tier.up_to_day)
            if previous is not None and limit <= previous:
                raise RuleError(
                    f"up_to_day {limit} for {kind} must be greater than the previous tier's {previous} "
                    f"(tier {tier.tier})",
                    ("schedules", name, "tiers", index),
                )
            previous = limit
