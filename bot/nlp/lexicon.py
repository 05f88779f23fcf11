"""The complaint lexicon as data: ``data/lexicon/*.yml``, read once, checked against a schema.

The files are split by what they hold:

* ``defects.yml``: strong and weak cues per defect category, problem words, neutral phrases;
* ``components.yml``: component synonyms, each component's category, surfaces, failure phrases by kind and the
  (component, failure kind) overrides;
* ``colours.yml``: general colours, synonyms, interchangeable groups, modifiers;
* ``products.yml``: words that never name a product on their own;
* ``words.yml``: word aliases (text-speak, US spellings, misspellings), protected words, negations;
* ``sizes.yml``: letter sizes, number words, size systems.

``text_speak.yml`` lives in the same folder but belongs to :mod:`bot.nlp.garbage`. A file that does not match the
schema (an unknown key, a category or component that does not exist, a wrong type) raises :class:`LexiconError`
naming the file and the key. :func:`lexicon_hash` fingerprints every ``*.yml`` file of the folder, so anything
trained on the lexicon (the Rasa cue featurizer, the defect model) can be rebuilt when it changes.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Optional

import yaml

from bot.vocabulary import COMPONENTS, DEFECT_CATEGORIES

__all__ = ["LEXICON_DIR", "LEXICON_FILES", "Lexicon", "LexiconError", "expand", "lexicon_hash", "load_lexicon"]

LEXICON_DIR = Path(__file__).resolve().parents[2] / "data" / "lexicon"
LEXICON_FILES: tuple[str, ...] = (
    "defects.yml",
    "components.yml",
    "colours.yml",
    "products.yml",
    "words.yml",
    "sizes.yml",
)
SURFACE = "surface"  # the pseudo-component of COMPONENT_FAILURE_OVERRIDES that stands for any surface word


class LexiconError(ValueError):
    """A lexicon file is missing, is not valid YAML or does not match the schema."""


@dataclass(frozen=True)
class Lexicon:
    """Every vocabulary table, in the types :mod:`bot.nlp.vocab` exposes."""

    defect_cues: dict[str, tuple[str, ...]]
    weak_defect_cues: dict[str, tuple[str, ...]]
    neutral_phrases: tuple[str, ...]
    problem_words: tuple[str, ...]
    component_synonyms: dict[str, tuple[str, ...]]
    component_category: dict[str, str]
    surface_words: tuple[str, ...]
    failure_phrases: dict[str, tuple[str, ...]]
    component_failure_overrides: dict[tuple[str, str], Optional[str]]
    general_colours: tuple[str, ...]
    colour_synonyms: dict[str, str]
    colour_groups: tuple[frozenset[str], ...]
    colour_modifiers: tuple[str, ...]
    generic_product_words: frozenset[str]
    word_aliases: dict[str, str]
    protected_words: frozenset[str]
    negations: frozenset[str]
    letter_sizes: dict[str, str]
    size_words: dict[str, int]
    size_systems: dict[str, tuple[float, float]]


# ---------------------------------------------------------------------------------------------------------------
# Phrase patterns
# ---------------------------------------------------------------------------------------------------------------

_GROUP = re.compile(r"\(([^()]*)\)")


def expand(pattern: str) -> list[str]:
    """Expand ``(a|b|)`` groups in ``pattern`` into every alternative (an empty alternative drops the group)."""
    pieces = _GROUP.split(pattern)
    literal_parts = pieces[0::2]
    choices = [group.split("|") for group in pieces[1::2]]
    results: list[str] = []
    for combo in itertools.product(*choices) if choices else [()]:
        text = literal_parts[0]
        for alt, literal in zip(combo, literal_parts[1:], strict=True):
            text += alt + literal
        text = " ".join(text.split())
        if text and text not in results:
            results.append(text)
    return results


# ---------------------------------------------------------------------------------------------------------------
# Reading and checking
# ---------------------------------------------------------------------------------------------------------------


class _UniqueKeyLoader(yaml.SafeLoader):
    """A safe loader that refuses a mapping with the same key twice (YAML would silently keep the last one)."""


def _mapping_without_duplicates(loader: yaml.SafeLoader, node: yaml.MappingNode, deep: bool = False) -> Any:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if isinstance(key, (list, dict)):
            continue  # not hashable: let the schema check report it
        if key in seen:
            raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_without_duplicates)


class _File:
    """One YAML file being checked: each accessor names the file and key in its error."""

    def __init__(self, directory: Path, name: str, keys: tuple[str, ...]) -> None:
        self.name = name
        path = directory / name
        try:
            data = yaml.load(path.read_text(encoding="utf-8"), Loader=_UniqueKeyLoader)  # noqa: S506 - a SafeLoader
        except OSError as exc:
            raise LexiconError(f"{name}: cannot be read ({exc.strerror or exc})") from exc
        except yaml.YAMLError as exc:
            raise LexiconError(f"{name}: not valid YAML ({exc})") from exc
        if not isinstance(data, dict):
            raise LexiconError(f"{name}: expected a mapping of {', '.join(keys)}")
        unknown = [str(k) for k in data if k not in keys]
        if unknown:
            raise LexiconError(f"{name}: unknown key(s) {', '.join(unknown)} (expected {', '.join(keys)})")
        missing = [k for k in keys if k not in data]
        if missing:
            raise LexiconError(f"{name}: missing key(s) {', '.join(missing)}")
        self.data: dict[str, Any] = data

    def error(self, where: str, problem: str) -> LexiconError:
        """An error naming this file and ``where`` in it."""
        return LexiconError(f"{self.name}: {where}: {problem}")

    def words(self, value: Any, where: str, phrases: bool = False) -> tuple[str, ...]:
        """A list of non-empty strings (``phrases``: also well-formed ``(a|b)`` groups)."""
        if not isinstance(value, list):
            raise self.error(where, f"expected a list of strings, got {_kind(value)}")
        for i, item in enumerate(value):
            if not isinstance(item, str) or not item.strip():
                raise self.error(f"{where}[{i}]", f"expected a non-empty string, got {item!r}")
            if phrases and ("(" in _GROUP.sub("", item) or ")" in _GROUP.sub("", item)):
                raise self.error(f"{where}[{i}]", f"unbalanced or nested group in {item!r}")
        return tuple(value)

    def mapping(self, value: Any, where: str) -> dict[Any, Any]:
        """A mapping with string keys."""
        if not isinstance(value, dict):
            raise self.error(where, f"expected a mapping, got {_kind(value)}")
        for key in value:
            if not isinstance(key, str) or not key.strip():
                raise self.error(where, f"expected non-empty string keys, got {key!r}")
        return value

    def word_map(self, value: Any, where: str) -> dict[str, str]:
        """A mapping of string to non-empty string."""
        found = self.mapping(value, where)
        for key, target in found.items():
            if not isinstance(target, str) or not target.strip():
                raise self.error(f"{where}.{key}", f"expected a non-empty string, got {target!r}")
        return dict(found)

    def phrase_lists(
        self, value: Any, where: str, allowed: Optional[tuple[str, ...]] = None, what: str = "key"
    ) -> dict[str, tuple[str, ...]]:
        """A mapping of name (one of ``allowed`` when given) to a list of phrases."""
        found = self.mapping(value, where)
        for key in found:
            if allowed is not None and key not in allowed:
                raise self.error(f"{where}.{key}", f"unknown {what} (expected one of {', '.join(allowed)})")
        return {key: self.words(items, f"{where}.{key}", phrases=True) for key, items in found.items()}

    def choice(self, value: Any, where: str, allowed: tuple[str, ...], what: str) -> str:
        """One of ``allowed``."""
        if not isinstance(value, str) or value not in allowed:
            raise self.error(where, f"unknown {what} {value!r} (expected one of {', '.join(allowed)})")
        return value


def _kind(value: Any) -> str:
    return "nothing" if value is None else type(value).__name__


def _defects(directory: Path) -> dict[str, Any]:
    f = _File(directory, "defects.yml", ("strong_cues", "weak_cues", "problem_words", "neutral_phrases"))
    return {
        "defect_cues": f.phrase_lists(f.data["strong_cues"], "strong_cues", DEFECT_CATEGORIES, "defect category"),
        "weak_defect_cues": f.phrase_lists(f.data["weak_cues"], "weak_cues", DEFECT_CATEGORIES, "defect category"),
        "problem_words": f.words(f.data["problem_words"], "problem_words", phrases=True),
        "neutral_phrases": f.words(f.data["neutral_phrases"], "neutral_phrases", phrases=True),
    }


def _components(directory: Path) -> dict[str, Any]:
    f = _File(directory, "components.yml", ("synonyms", "category", "surfaces", "failure_phrases", "overrides"))
    synonyms = f.phrase_lists(f.data["synonyms"], "synonyms", COMPONENTS, "component")
    category: dict[str, str] = {}
    for component, name in f.mapping(f.data["category"], "category").items():
        f.choice(component, f"category.{component}", COMPONENTS, "component")
        category[component] = f.choice(name, f"category.{component}", DEFECT_CATEGORIES, "defect category")
    surfaces = f.words(f.data["surfaces"], "surfaces", phrases=True)
    failures = f.phrase_lists(f.data["failure_phrases"], "failure_phrases")
    overrides: dict[tuple[str, str], Optional[str]] = {}
    rows = f.data["overrides"]
    if not isinstance(rows, list):
        raise f.error("overrides", f"expected a list of {{component, failure, category}}, got {_kind(rows)}")
    for i, row in enumerate(rows):
        where = f"overrides[{i}]"
        if not isinstance(row, dict) or set(row) != {"component", "failure", "category"}:
            raise f.error(where, f"expected exactly the keys component, failure, category; got {row!r}")
        component = f.choice(row["component"], f"{where}.component", (*COMPONENTS, SURFACE), "component")
        kind = f.choice(row["failure"], f"{where}.failure", tuple(failures), "failure kind")
        target = row["category"]
        if target is not None:
            target = f.choice(target, f"{where}.category", DEFECT_CATEGORIES, "defect category")
        if (component, kind) in overrides:
            raise f.error(where, f"({component}, {kind}) is overridden twice")
        overrides[(component, kind)] = target
    return {
        "component_synonyms": synonyms,
        "component_category": category,
        "surface_words": surfaces,
        "failure_phrases": failures,
        "component_failure_overrides": overrides,
    }


def _colours(directory: Path) -> dict[str, Any]:
    f = _File(directory, "colours.yml", ("general", "synonyms", "groups", "modifiers"))
    general = f.words(f.data["general"], "general")
    synonyms = f.word_map(f.data["synonyms"], "synonyms")
    for raw, canonical in synonyms.items():
        if canonical not in general:
            raise f.error(f"synonyms.{raw}", f"{canonical!r} is not one of the general colours")
    rows = f.data["groups"]
    if not isinstance(rows, list):
        raise f.error("groups", f"expected a list of colour lists, got {_kind(rows)}")
    groups: list[frozenset[str]] = []
    for i, row in enumerate(rows):
        members = f.words(row, f"groups[{i}]")
        strays = [c for c in members if c not in general]
        if strays:
            raise f.error(f"groups[{i}]", f"not general colours: {', '.join(strays)}")
        groups.append(frozenset(members))
    return {
        "general_colours": general,
        "colour_synonyms": synonyms,
        "colour_groups": tuple(groups),
        "colour_modifiers": f.words(f.data["modifiers"], "modifiers"),
    }


def _products(directory: Path) -> dict[str, Any]:
    f = _File(directory, "products.yml", ("generic_words",))
    return {"generic_product_words": frozenset(f.words(f.data["generic_words"], "generic_words"))}


def _words(directory: Path) -> dict[str, Any]:
    f = _File(directory, "words.yml", ("aliases", "protected", "negations"))
    return {
        "word_aliases": f.word_map(f.data["aliases"], "aliases"),
        "protected_words": frozenset(f.words(f.data["protected"], "protected")),
        "negations": frozenset(f.words(f.data["negations"], "negations")),
    }


def _sizes(directory: Path) -> dict[str, Any]:
    f = _File(directory, "sizes.yml", ("letter_sizes", "size_words", "systems"))
    size_words: dict[str, int] = {}
    for word, number in f.mapping(f.data["size_words"], "size_words").items():
        if not isinstance(number, int) or isinstance(number, bool) or number <= 0:
            raise f.error(f"size_words.{word}", f"expected a positive whole number, got {number!r}")
        size_words[word] = number
    systems: dict[str, tuple[float, float]] = {}
    for system, bounds in f.mapping(f.data["systems"], "systems").items():
        if (
            not isinstance(bounds, list)
            or len(bounds) != 2
            or not all(isinstance(b, (int, float)) and not isinstance(b, bool) for b in bounds)
            or bounds[0] > bounds[1]
        ):
            raise f.error(f"systems.{system}", f"expected [smallest, largest] numbers, got {bounds!r}")
        systems[system] = (float(bounds[0]), float(bounds[1]))
    return {
        "letter_sizes": f.word_map(f.data["letter_sizes"], "letter_sizes"),
        "size_words": size_words,
        "size_systems": systems,
    }


_READERS: tuple[Callable[[Path], dict[str, Any]], ...] = (_defects, _components, _colours, _products, _words, _sizes)


@lru_cache(maxsize=8)
def _load(directory: Path) -> Lexicon:
    fields: dict[str, Any] = {}
    for reader in _READERS:
        fields.update(reader(directory))
    return Lexicon(**fields)


def load_lexicon(directory: Optional[Path] = None) -> Lexicon:
    """The lexicon in ``directory`` (default ``data/lexicon``), read and checked once per process.

    Raises :class:`LexiconError` ("<file>: <key>: <problem>") when a file is missing or does not match the schema.
    """
    return _load(Path(directory or LEXICON_DIR).resolve())


def lexicon_hash(directory: Optional[Path] = None) -> str:
    """SHA-256 (hex) over every ``*.yml`` file of the lexicon folder, by name: changes whenever any of them does."""
    folder = Path(directory or LEXICON_DIR)
    digest = hashlib.sha256()
    for path in sorted(folder.glob("*.yml"), key=lambda p: p.name):
        digest.update(path.name.encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()
