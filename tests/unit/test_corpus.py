"""The real-customer corpus: format, provenance, label coverage, reserved texts, train/dev separation."""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

from bot.nlp.corpus import (
    CORPUS_DIR,
    CorpusError,
    load_corpus,
    normalise_for_hash,
    reserved_hashes,
    reserved_matches,
    split_of,
    text_hashes,
)
from bot.nlp.corpus_nlu import nlu_path, render_nlu, unseen_dev_texts
from bot.nlp.team_examples import nlu_examples
from bot.vocabulary import DEFECT_CATEGORIES

ROOT = Path(__file__).resolve().parents[2]
RESERVED = ROOT.parent / "shared" / "reserved-texts.sha256"


@pytest.fixture(scope="module")
def corpus():  # type: ignore[no-untyped-def]
    return load_corpus()


def test_corpus_is_large_enough_and_every_text_has_provenance(corpus) -> None:  # type: ignore[no-untyped-def]
    assert len(corpus) >= 800
    for item in corpus:
        assert item.source.get("repo") or item.source.get("url"), item.id
        if item.source.get("repo"):
            assert item.source.get("path"), item.id
        assert item.licence, item.id
    # every source file has its description
    for path in CORPUS_DIR.glob("*.jsonl"):
        assert path.with_suffix(".SOURCES.md").is_file(), path.name


def test_labels_cover_the_categories_and_intents(corpus) -> None:  # type: ignore[no-untyped-def]
    categories = Counter(t.defect_category for t in corpus if t.defect_category)
    assert len(categories) >= 12, categories
    intents = Counter(t.intent for t in corpus if t.intent)
    for intent in ("out_of_scope", "report_problem", "order_status", "ask_contact", "request_human", "chitchat"):
        assert intents[intent] >= 20, (intent, intents[intent])
    # issue #18 split these out of check_status / cancel / request_human / chitchat (labelling-guide.md): each new
    # request has real customers' words, and the narrowed check_status ("my complaint") and cancel ("stop") remain
    for intent in ("cancel_order", "return_item", "request_callback", "refund_status", "check_status"):
        assert intents[intent] >= 10, (intent, intents[intent])
    assert intents["cancel"] >= 5, intents["cancel"]
    assert sum(1 for t in corpus if t.kind == "review") >= 300
    assert all(c in DEFECT_CATEGORIES for c in categories)


def test_the_split_is_decided_by_the_id_and_both_parts_are_used(corpus) -> None:  # type: ignore[no-untyped-def]
    splits = Counter(t.split for t in corpus)
    assert 0.2 <= splits["dev"] / len(corpus) <= 0.4
    assert all(t.split == split_of(t.id) for t in corpus)


def test_no_text_is_in_both_train_and_dev(corpus) -> None:  # type: ignore[no-untyped-def]
    train = {normalise_for_hash(t.text) for t in corpus if t.split == "train"}
    dev = [t.id for t in corpus if t.split == "dev" and normalise_for_hash(t.text) in train]
    assert dev == []


def test_no_training_or_dev_example_is_a_reserved_text(corpus) -> None:  # type: ignore[no-untyped-def]
    reserved = reserved_hashes()
    if RESERVED.is_file():
        assert reserved, "the reserved list beside the project was not read"
    assert not reserved_matches.__defaults__  # the check takes the list explicitly
    matched = [t.id for t in corpus if reserved_matches(t.text, reserved)]
    assert matched == []
    team = [text for text, _ in nlu_examples(include_real=True) if reserved_matches(text, reserved)]
    assert team == []
    holdout = yaml.safe_load((ROOT / "tests" / "nlu_holdout" / "messages.yml").read_text(encoding="utf-8"))
    assert [m["text"] for m in holdout["messages"] if reserved_matches(m["text"], reserved)] == []


def test_the_reserved_check_hashes_whole_texts_and_sentences_of_five_words() -> None:
    text = "Great boots!  The heel snapped clean off after a week. Awful."
    whole = hashlib.sha256(b"great boots the heel snapped clean off after a week awful").hexdigest()
    sentence = hashlib.sha256(b"the heel snapped clean off after a week").hexdigest()
    short = hashlib.sha256(b"great boots").hexdigest()
    assert {whole, sentence} <= text_hashes(text)
    assert short not in text_hashes(text)  # fewer than five words: only the whole text counts
    assert reserved_matches(text, {sentence})
    assert not reserved_matches("The heel held up fine after a week.", {sentence})


def test_the_rendered_nlu_file_is_up_to_date_and_holds_no_dev_text(corpus) -> None:  # type: ignore[no-untyped-def]
    assert nlu_path().read_text(encoding="utf-8") == render_nlu(), "run: complaints corpus render-nlu"
    rendered = normalise_for_hash(nlu_path().read_text(encoding="utf-8"))
    dev_only = [t for t in corpus if t.split == "dev" and len(t.text) > 40]
    assert dev_only and not [t.id for t in dev_only if normalise_for_hash(t.text) in rendered]


def test_figures_are_taken_on_dev_texts_never_trained_on() -> None:
    trained = {normalise_for_hash(text) for text, _ in nlu_examples(include_real=True)}
    unseen = unseen_dev_texts()
    assert len(unseen) >= 400
    assert not [t.id for t in unseen if normalise_for_hash(t.text) in trained]


def test_the_hold_out_set_is_not_trained_on(corpus) -> None:  # type: ignore[no-untyped-def]
    holdout = yaml.safe_load((ROOT / "tests" / "nlu_holdout" / "messages.yml").read_text(encoding="utf-8"))
    held = {normalise_for_hash(m["text"]) for m in holdout["messages"]}
    assert [t.id for t in corpus if t.split == "train" and normalise_for_hash(t.text) in held] == []


@pytest.mark.parametrize(
    "line, problem",
    [
        ("not json", "not JSON"),
        (json.dumps({"id": "x-1", "text": "t", "kind": "review", "licence": "MIT"}), "missing source"),
        (
            json.dumps({"id": "x-1", "text": "t", "kind": "chat", "licence": "MIT", "source": {"url": "u"}}),
            "needs an intent",
        ),
        (
            json.dumps(
                {"id": "x-1", "text": "t", "kind": "review", "licence": "MIT", "source": {"url": "u"},
                 "defect_category": "broken"}
            ),
            "not a defect category",
        ),
        (
            json.dumps(
                {"id": "x-1", "text": "t", "kind": "review", "licence": "MIT", "source": {"url": "u"},
                 "defect_category": "hardware", "secondary_defect_category": "hardware"}
            ),
            "repeats the primary",
        ),
    ],
)
def test_malformed_lines_are_refused_with_the_reason(tmp_path: Path, line: str, problem: str) -> None:
    (tmp_path / "bad.jsonl").write_text(line + "\n", encoding="utf-8")
    with pytest.raises(CorpusError, match=re.escape(problem)):
        load_corpus(tmp_path)


def test_duplicate_ids_are_refused(tmp_path: Path) -> None:
    line = json.dumps({"id": "x-1", "text": "t", "kind": "review", "licence": "MIT", "source": {"url": "u"}})
    (tmp_path / "a.jsonl").write_text(line + "\n", encoding="utf-8")
    (tmp_path / "b.jsonl").write_text(line + "\n", encoding="utf-8")
    with pytest.raises(CorpusError, match="duplicate id"):
        load_corpus(tmp_path)


def test_no_test_or_training_file_holds_a_reserved_text() -> None:
    """Reserved texts are for independent checks: not in tests, NLU data or the hold-out set either."""
    import ast

    reserved = reserved_hashes()
    found = []
    for path in sorted((ROOT / "tests").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            text = node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else ""
            if text and reserved_matches(text, reserved):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    for path in sorted((ROOT / "data").rglob("*.yml")) + sorted((ROOT / "tests").rglob("*.yml")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            text = line.strip().lstrip("-").strip().strip('"')
            if text and reserved_matches(text, reserved):
                found.append(f"{path.relative_to(ROOT)}:{number}")
    assert found == []
