"""The real-customer corpus (``data/corpus/*.jsonl``): loading, checks, the train/dev split, reserved texts.

Every text was written by a real customer and carries its source, licence and labels (docs/labelling-guide.md).
The split is decided here from each text's id, never by hand, so a hard example cannot be moved out of dev.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from bot.vocabulary import COMPONENTS, DEFECT_CATEGORIES

__all__ = [
    "CORPUS_DIR",
    "DEV_SHARE",
    "INTENTS",
    "KINDS",
    "CorpusError",
    "CorpusText",
    "load_corpus",
    "normalise_for_hash",
    "reserved_hashes",
    "reserved_matches",
    "sentences",
    "split_of",
    "text_hashes",
]

CORPUS_DIR = Path(__file__).resolve().parents[2] / "data" / "corpus"
DEV_SHARE = 0.3
KINDS = ("review", "chat")
INTENTS = (
    "greet",
    "goodbye",
    "affirm",
    "deny",
    "thank",
    "bot_challenge",
    "chitchat",
    "out_of_scope",
    "report_problem",
    "inform",
    "dont_know",
    "choose_resolution",
    "request_human",
    "check_status",
    "cancel",
    "order_status",
    "cancel_order",
    "return_item",
    "request_callback",
    "ask_contact",
    "refund_status",
)
_REQUIRED = ("id", "text", "kind", "source", "licence")
_OPTIONAL = ("defect_category", "secondary_defect_category", "component", "intent", "injury", "note")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|(?<=\u2026)\s+|(?<=\.\.\.)\s+")


class CorpusError(ValueError):
    """A corpus line that breaks the format in docs/labelling-guide.md."""


@dataclass(frozen=True)
class CorpusText:
    """One labelled text written by a real customer."""

    id: str
    text: str
    kind: str
    source: dict[str, Any]
    licence: str
    defect_category: Optional[str] = None
    secondary_defect_category: Optional[str] = None
    component: Optional[str] = None
    intent: Optional[str] = None
    injury: Optional[bool] = None
    file: str = field(default="", compare=False)

    @property
    def split(self) -> str:
        """``"dev"`` or ``"train"``, decided by the id alone."""
        return split_of(self.id)


def split_of(text_id: str) -> str:
    """The split of a text: a stable hash of its id puts about ``DEV_SHARE`` of texts in dev."""
    bucket = int(hashlib.sha256(text_id.encode("utf-8")).hexdigest()[:8], 16) / 0xFFFFFFFF
    return "dev" if bucket < DEV_SHARE else "train"


def normalise_for_hash(text: str) -> str:
    """Normalise as the reserved-text list does: lower case, non-alphanumeric runs to one space, trimmed."""
    return _NON_ALNUM.sub(" ", text.lower()).strip()


def sentences(text: str) -> list[str]:
    """Split after ``. ! ?`` or an ellipsis followed by whitespace (the reserved list's rule)."""
    return [part for part in _SENTENCE_END.split(text) if part.strip()]


def text_hashes(text: str) -> set[str]:
    """SHA-256 of the normalised whole text and of every sentence of 5+ words, as the reserved list hashes."""
    found = set()
    whole = normalise_for_hash(text)
    if whole:
        found.add(hashlib.sha256(whole.encode("utf-8")).hexdigest())
    for sentence in sentences(text):
        norm = normalise_for_hash(sentence)
        if len(norm.split()) >= 5:
            found.add(hashlib.sha256(norm.encode("utf-8")).hexdigest())
    return found


def reserved_hashes(path: Optional[Path] = None) -> frozenset[str]:
    """The hashes in ``shared/reserved-texts.sha256`` (searched beside the project), empty when absent."""
    candidates = [path] if path else _reserved_candidates()
    for candidate in candidates:
        if candidate is not None and candidate.is_file():
            lines = candidate.read_text(encoding="utf-8").splitlines()
            return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))
    return frozenset()


def _reserved_candidates() -> list[Optional[Path]]:
    root = Path(__file__).resolve().parents[2]
    return [root.parent / "shared" / "reserved-texts.sha256", root / "shared" / "reserved-texts.sha256"]


def reserved_matches(text: str, reserved: Iterable[str]) -> bool:
    """True when the text, or any sentence of 5+ words in it, is a reserved text."""
    return bool(text_hashes(text) & set(reserved))


def _check(record: dict[str, Any], where: str) -> None:
    missing = [key for key in _REQUIRED if not record.get(key)]
    if missing:
        raise CorpusError(f"{where}: missing {', '.join(missing)}")
    unknown = set(record) - set(_REQUIRED) - set(_OPTIONAL)
    if unknown:
        raise CorpusError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
    if record["kind"] not in KINDS:
        raise CorpusError(f"{where}: kind must be one of {KINDS}")
    if not isinstance(record["source"], dict) or not (record["source"].get("repo") or record["source"].get("url")):
        raise CorpusError(f"{where}: source needs a repo (with path) or a url")
    for key in ("defect_category", "secondary_defect_category"):
        value = record.get(key)
        if value is not None and value not in DEFECT_CATEGORIES:
            raise CorpusError(f"{where}: {key} {value!r} is not a defect category")
    if record.get("secondary_defect_category") and record.get("secondary_defect_category") == record.get(
        "defect_category"
    ):
        raise CorpusError(f"{where}: the secondary category repeats the primary")
    if record.get("component") is not None and record["component"] not in COMPONENTS:
        raise CorpusError(f"{where}: component {record['component']!r} is not a component")
    if record.get("intent") is not None and record["intent"] not in INTENTS:
        raise CorpusError(f"{where}: intent {record['intent']!r} is not an intent")
    if record["kind"] == "chat" and not record.get("intent"):
        raise CorpusError(f"{where}: a chat message needs an intent")


def _read(path: Path) -> Iterator[CorpusText]:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{path.name}:{number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise CorpusError(f"{where}: not JSON ({exc.msg})") from exc
        if not isinstance(record, dict):
            raise CorpusError(f"{where}: not an object")
        _check(record, where)
        record.pop("note", None)
        yield CorpusText(**record, file=path.name)


def load_corpus(directory: Optional[Path] = None, split: Optional[str] = None) -> list[CorpusText]:
    """Every corpus text (optionally one split), checked; ids must be unique across files."""
    folder = directory or CORPUS_DIR
    texts: list[CorpusText] = []
    seen: set[str] = set()
    for path in sorted(folder.glob("*.jsonl")):
        for item in _read(path):
            if item.id in seen:
                raise CorpusError(f"{path.name}: duplicate id {item.id}")
            seen.add(item.id)
            texts.append(item)
    if split is not None:
        texts = [item for item in texts if item.split == split]
    return texts
