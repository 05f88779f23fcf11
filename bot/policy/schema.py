"""The building blocks of every policy file's pydantic models, and how their errors read.

Each policy file is described by models derived from :class:`StrictModel`: unknown keys and missing
keys are refused with a message naming them, and :func:`validate` turns pydantic's errors into one
clear sentence such as ``schedules.fault.tiers[0].up_to_day must not be negative, got -1``.
"""

from __future__ import annotations

import string
from typing import Any, ClassVar, Iterable, Iterator, Mapping, Optional, Type, TypeVar

from pydantic import BaseModel, ValidationError, root_validator
from pydantic.errors import PydanticValueError
from pydantic.fields import SHAPE_SINGLETON

from bot.policy.errors import PolicyFileError

ModelT = TypeVar("ModelT", bound="StrictModel")


class RuleError(PydanticValueError):
    """A policy rule is broken; ``at`` adds keys below the place pydantic reports (e.g. ``("options", 0)``)."""

    code = "policy_rule"
    msg_template = "{message}"

    def __init__(self, message: str, at: tuple[Any, ...] = ()) -> None:
        super().__init__(message=message, at=at)


class StrictModel(BaseModel):
    """A mapping in a policy file: every key known, every required key present, read-only once checked.

    ``_what`` names the keys in messages ("key", "resolution type"); ``_missing`` gives a message for a
    missing key (``{name}`` is replaced by the key) where the plain "missing 'x'" would not help.
    """

    _what: ClassVar[str] = "key"
    _missing: ClassVar[Mapping[str, str]] = {}

    class Config:
        """Refuse unknown keys (the pre-check below names them first) and changes after checking."""

        extra = "forbid"
        allow_mutation = False

    @classmethod
    def validate(cls: Type[ModelT], value: Any) -> ModelT:
        """Refuse anything but a mapping (pydantic would turn a list of pairs into one)."""
        if not isinstance(value, (dict, cls)):
            raise RuleError(f"must be a mapping, got {type(value).__name__}")
        return super().validate(value)  # type: ignore[misc]

    @root_validator(pre=True)
    def _known_and_complete(cls, values: dict[str, Any]) -> dict[str, Any]:
        names = tuple(field.alias for field in cls.__fields__.values())
        required = [field.alias for field in cls.__fields__.values() if field.required]
        check_keys(values, names, required, cls._what, cls._missing)
        for field in cls.__fields__.values():
            if values.get(field.alias, ...) is not None or field.shape != SHAPE_SINGLETON:
                continue
            if isinstance(field.type_, type) and issubclass(field.type_, StrictModel):
                raise RuleError("must be a mapping, got NoneType", (field.alias,))
        return values


def check_keys(
    raw: Mapping[Any, Any],
    allowed: Iterable[str],
    required: Iterable[str],
    what: str = "key",
    missing: Optional[Mapping[str, str]] = None,
) -> None:
    """Raise :class:`RuleError` for the first missing required key, then for the first unknown key."""
    allowed = tuple(allowed)
    for name in required:
        if name not in raw:
            template = (missing or {}).get(name) or (missing or {}).get("*") or "missing {name!r}"
            raise RuleError(template.format(name=name))
    unknown = [str(key) for key in raw if key not in allowed]
    if unknown:
        raise RuleError(f"unknown {what} {unknown[0]!r}; use one of: {', '.join(allowed)}")


def mapping(raw: Any) -> dict[Any, Any]:
    """``raw`` itself when it is a mapping; else a :class:`RuleError`."""
    if not isinstance(raw, dict):
        raise RuleError(f"must be a mapping, got {type(raw).__name__}")
    return raw


def days(value: Any, alternative: str = "") -> int:
    """A whole, non-negative number of days (``alternative`` names the other word allowed, for the message)."""
    if isinstance(value, bool) or not isinstance(value, int):
        extra = f" or {alternative!r}" if alternative else ""
        raise RuleError(f"must be a whole number of days{extra}, got {value!r}")
    if value < 0:
        raise RuleError(f"must not be negative, got {value}")
    return value


def number(value: Any, at: tuple[Any, ...] = ()) -> float:
    """A number (YAML int or float, or text holding one) that is not negative."""
    try:
        result = float(value)
    except (TypeError, ValueError):
        result = float("nan")
    if isinstance(value, bool) or result != result:
        raise RuleError(f"must be a number, got {value!r}", at)
    if result < 0:
        raise RuleError(f"must be a number that is not negative, got {value!r}", at)
    return result


def text(value: Any, fields: Optional[frozenset[str]], at: tuple[Any, ...] = ()) -> str:
    """Non-empty text whose ``{placeholders}`` are all in ``fields``; runs of white space become one space.

    ``fields`` None checks only that the placeholders are well formed.
    """
    if not isinstance(value, str) or not value.strip():
        raise RuleError(f"must be non-empty text, got {value!r}", at)
    try:
        parsed = list(string.Formatter().parse(value))
    except ValueError as exc:
        raise RuleError(f"badly formed placeholder in {value!r} ({exc})", at) from exc
    for _, field, spec, conversion in parsed:
        if field is None or fields is None:
            continue
        if field not in fields or spec or conversion:
            allowed = ", ".join("{" + name + "}" for name in sorted(fields)) or "none"
            raise RuleError(f"unknown placeholder {{{field}}}; allowed here: {allowed}", at)
    return " ".join(value.split())


def validate(model: Type[ModelT], raw: Any, error: Type[PolicyFileError], top: str) -> ModelT:
    """Check ``raw`` (parsed YAML) against ``model``; the first problem becomes ``error`` naming its place.

    ``top`` names the whole document in messages ("the policy file").
    """
    if not isinstance(raw, dict):
        raise error(f"{top} must be a mapping, got {type(raw).__name__}")
    try:
        return model.parse_obj(raw)
    except ValidationError as exc:
        raise error(describe(exc.errors()[0], top)) from None


def describe(problem: Mapping[str, Any], top: str) -> str:
    """One pydantic error as a sentence: the dotted place, then what is wrong there."""
    ctx = problem.get("ctx") or {}
    loc = [part for part in problem["loc"] if part != "__root__" and part not in _model_names()]
    loc += list(ctx.get("at", ()))
    kind = problem["type"]
    message = problem["msg"]
    if kind == "value_error.discriminated_union.invalid_discriminator":
        loc.append(ctx["discriminator_key"])
        choices = ctx["allowed_values"].replace(", ", " or ")
        message = f"must be {choices}, got {ctx['discriminator_value']!r}"
    elif kind == "value_error.discriminated_union.missing_discriminator":
        message = f"missing {ctx['discriminator_key']!r}"
    elif kind in _PLAIN_MESSAGES:
        message = _PLAIN_MESSAGES[kind]
    elif kind == "value_error.missing" and loc:
        message = f"missing {loc.pop()!r}"
    elif kind == "value_error.extra" and loc:
        message = f"unknown key {loc.pop()!r}"
    where = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in loc).lstrip(".") or top
    return f"{where} {message}" if message.startswith("must ") else f"{where}: {message}"


_PLAIN_MESSAGES = {
    "type_error.dict": "must be a mapping",
    "type_error.list": "must be a list",
    "type_error.none.not_allowed": "must not be empty",
    "type_error.str": "must be text",
    "type_error.float": "must be a number",
    "type_error.integer": "must be a whole number",
}


def _model_names() -> frozenset[str]:
    """Names of the policy models: pydantic puts them in the place of a discriminated union's errors."""

    def walk(cls: type) -> Iterator[str]:
        sub: type
        for sub in cls.__subclasses__():
            yield sub.__name__
            yield from walk(sub)

    return frozenset(walk(StrictModel))
