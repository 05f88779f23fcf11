"""The held-out NLU evaluation set is well formed and has never been used for training (no training, fast)."""

from __future__ import annotations

import csv
import datetime as dt
import random
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.vocabulary import COMPONENTS, DEFECT_CATEGORIES

ROOT = Path(__file__).resolve().parents[2]
HOLDOUT = ROOT / "tests" / "nlu_holdout" / "messages.yml"
NLU_DIR = ROOT / "data" / "nlu"
ENTITY_KEYS = {
    "defect_category",
    "component",
    "product",
    "product_line",
    "colour",
    "size",
    "order_number",
    "purchase_date",
    "email",
    "case_reference",
    "injury",
}


def _normalise(text: str) -> str:
    """Case- and punctuation-insensitive form of a message."""
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


@pytest.fixture(scope="module")
def holdout() -> dict[str, Any]:
    return yaml.safe_load(HOLDOUT.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def messages(holdout: dict[str, Any]) -> list[dict[str, Any]]:
    return list(holdout["messages"])


@pytest.fixture(scope="module")
def catalogue() -> list[dict[str, str]]:
    with open(ROOT / "data" / "demo" / "catalogue.csv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _training_texts() -> dict[str, str]:
    found: dict[str, str] = {}
    for path in sorted(NLU_DIR.glob("*.yml")):
        for block in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu", []):
            for line in str(block.get("examples", "")).splitlines():
                line = line.strip()
                if line.startswith("- "):
                    found[_normalise(line[2:])] = f"{path.name}: {line[2:]}"
    return found


def test_header_and_size(holdout: dict[str, Any], messages: list[dict[str, Any]]) -> None:
    assert str(holdout["today"]) == "2026-11-23"
    assert len(messages) >= 300
    for message in messages:
        assert set(message) <= {"text", "intent", "entities"}, message
        assert isinstance(message["text"], str) and message["text"].strip(), message
        assert isinstance(message.get("entities", {}), dict), message


def test_no_duplicate_messages(messages: list[dict[str, Any]]) -> None:
    counts = Counter(_normalise(m["text"]) for m in messages)
    assert [text for text, n in counts.items() if n > 1] == []


def test_intents_are_known_and_all_covered(messages: list[dict[str, Any]]) -> None:
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    known = {str(i) if not isinstance(i, dict) else next(iter(i)) for i in domain["intents"]}
    used = Counter(m["intent"] for m in messages)
    trained = {
        str(block["intent"])
        for path in NLU_DIR.glob("*.yml")
        for block in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu", [])
        if "intent" in block and not str(block["intent"]).startswith("EXTERNAL_")  # sent by the system, never typed
    }
    assert set(used) <= known
    assert set(used) == trained, "every intent the classifier is trained on is evaluated"
    others = max(n for intent, n in used.items() if intent not in ("report_problem", "inform"))
    assert used["report_problem"] > used["inform"] > others, "complaints and answers dominate, as in real traffic"


def test_every_defect_category_at_least_12_times(messages: list[dict[str, Any]]) -> None:
    counts = Counter(m["entities"].get("defect_category") for m in messages if m.get("entities"))
    counts.pop(None, None)
    assert set(counts) <= set(DEFECT_CATEGORIES)
    for category in DEFECT_CATEGORIES:
        assert counts[category] >= 12, f"{category}: {counts[category]}"


def test_entity_values_are_valid(messages: list[dict[str, Any]], catalogue: list[dict[str, str]]) -> None:
    from bot.catalogue.seed import _demo_orders

    skus = {row["sku"] for row in catalogue}
    lines = {row["line"] for row in catalogue}
    orders = {o["order_number"] for o in _demo_orders(random.Random(2026), dt.date(2026, 11, 23), catalogue)}
    today = dt.date(2026, 11, 23)
    for message in messages:
        ents = message.get("entities") or {}
        assert set(ents) <= ENTITY_KEYS, message
        if "component" in ents:
            assert ents["component"] in COMPONENTS, message
        if "product" in ents:
            assert ents["product"] in skus, message
        if "product_line" in ents:
            assert ents["product_line"] in lines, message
        if "order_number" in ents:
            assert ents["order_number"] in orders, message
        if "purchase_date" in ents:
            assert dt.date.fromisoformat(str(ents["purchase_date"])) <= today, message
        if "case_reference" in ents:
            assert re.fullmatch(r"CS-\d{4}-\d{6}", ents["case_reference"]), message
        if "size" in ents:
            assert re.fullmatch(r"(UK|EU|US) \d{1,2}(\.5)?|XXS|XS|S|M|L|XL|XXL", str(ents["size"])), message
        if "injury" in ents:
            assert ents["injury"] is True, message


def test_no_holdout_message_is_in_the_training_data(messages: list[dict[str, Any]]) -> None:
    training = _training_texts()
    assert len(training) > 600
    leaked = [(m["text"], training[_normalise(m["text"])]) for m in messages if _normalise(m["text"]) in training]
    assert leaked == []
