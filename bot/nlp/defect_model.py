"""Learned defect understanding: ranked, calibrated defect categories and the failed part.

The rule extractor (``bot.nlp.extraction``) knows the vocabulary we wrote down; real customers write otherwise.
This model learns from the real-customer corpus (``data/corpus``, train split only) plus the team's own
examples (``data/nlu``), with the rule findings as extra features, and answers with probabilities that are
calibrated (sigmoid, cross-validated) so that "0.8" means right about 8 times in 10.

Thresholds are not picked by hand: ``train`` chooses them on out-of-fold predictions over the *training*
texts (the dev split is never seen), trading a question ("which of these is it?") against a wrong category.

The classifier itself (features, heads, thresholds) is :mod:`bot.nlp.defect_classifier`; this module holds
what it learns from and its cache. The model is built by the project's own code from committed data, cached
under ``var/models`` keyed by a fingerprint of everything it learns from, and rebuilt when any of that changes.
"""

from __future__ import annotations

import hashlib
import logging
import pickle  # noqa: S403 - only our own cache file, written by this module
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Optional

from bot.nlp.defect_classifier import NO_FAULT, DefectModel, DefectReading, Example

__all__ = [
    "NO_FAULT",
    "DefectModel",
    "DefectReading",
    "Example",
    "fingerprint",
    "load_defect_model",
]

log = logging.getLogger(__name__)

MODEL_VERSION = "1"
_ROOT = Path(__file__).resolve().parents[2]
_CACHE_DIR = _ROOT / "var" / "models"
_lock = threading.Lock()
_loaded: dict[str, DefectModel] = {}


# -- the training set -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Labelled:
    text: str
    category: str
    component: str
    real: bool
    secondary: Optional[str] = None


def training_texts(rules: Callable[[str], tuple[tuple[str, ...], tuple[str, ...]]]) -> list[_Labelled]:
    """The corpus's train split (real customers) and the team's examples from data/nlu.

    The team's complaint examples carry no defect labels; the rules label them (they were written to the
    rules' vocabulary), and a complaint in which the rules find no fault ("I want to complain") is no fault.
    """
    from bot.nlp.corpus import load_corpus
    from bot.nlp.team_examples import nlu_examples

    found: list[_Labelled] = []
    for item in load_corpus(split="train"):
        if item.kind == "chat" and item.intent not in ("report_problem", "inform") and not item.defect_category:
            category = NO_FAULT
        else:
            category = item.defect_category or NO_FAULT
        found.append(
            _Labelled(
                item.text,
                category,
                item.component or NO_FAULT,
                True,
                item.secondary_defect_category,
            )
        )
    for text, intent in nlu_examples():
        if intent.startswith("EXTERNAL"):
            continue
        category, component = NO_FAULT, NO_FAULT
        if intent in ("report_problem", "inform"):
            rule_categories, rule_components = rules(text)
            category = rule_categories[0] if rule_categories else NO_FAULT
            component = rule_components[0] if rule_components else NO_FAULT
        found.append(_Labelled(text, category, component, False))
    return found


def build_examples(
    texts: Iterable[_Labelled], rules: Callable[[str], tuple[tuple[str, ...], tuple[str, ...]]]
) -> list[Example]:
    """Attach the rule findings to each text; the team's examples weigh less than real customers' words."""
    examples = []
    for t in texts:
        rule_categories, rule_components = rules(t.text)
        examples.append(
            Example(
                text=t.text,
                category=t.category,
                component=t.component,
                rule_categories=rule_categories,
                rule_components=rule_components,
                weight=1.0 if t.real else 0.5,
                real=t.real,
                secondary=t.secondary,
            )
        )
    return examples


@lru_cache(maxsize=1)
def fingerprint() -> str:
    """Hash of everything the model learns from: corpus, team examples, lexicon and the code (once a process)."""
    from bot.nlp.corpus import CORPUS_DIR

    digest = hashlib.sha256(MODEL_VERSION.encode())
    sources = sorted(CORPUS_DIR.glob("*.jsonl")) + sorted((_ROOT / "data" / "nlu").glob("*.yml"))
    sources += sorted(Path(__file__).parent.rglob("*.py"))  # the rules that give the features, and this code
    lexicon = _ROOT / "data" / "lexicon"
    if lexicon.is_dir():
        sources += sorted(lexicon.glob("*.yml"))
    for path in sources:
        digest.update(str(path.relative_to(_ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _rule_reader() -> Callable[[str], tuple[tuple[str, ...], tuple[str, ...]]]:
    from bot.nlp.rules import RuleExtractor

    rules = RuleExtractor([], [])

    def read(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        found = rules.extract(text)
        return tuple(found.defect_categories), tuple(found.components)

    return read


def train_from_data(calibrated: bool = True) -> DefectModel:
    """Train on the committed data (corpus train split plus team examples)."""
    rules = _rule_reader()
    return DefectModel.train(build_examples(training_texts(rules), rules), calibrated=calibrated)


def load_defect_model(cache_dir: Optional[Path] = None, rebuild: bool = False) -> DefectModel:
    """The model for the current data: from the cache when its fingerprint matches, else trained and cached."""
    key = fingerprint()
    folder = cache_dir or _CACHE_DIR
    path = folder / f"defect-{key}.pkl"
    with _lock:
        if not rebuild and str(path) in _loaded:
            return _loaded[str(path)]
        if path.is_file() and not rebuild:
            try:
                with path.open("rb") as handle:
                    model = pickle.load(handle)  # noqa: S301 - our own cache, keyed by the data's hash
                _loaded[str(path)] = model
                return model
            except (OSError, pickle.UnpicklingError, AttributeError, EOFError) as exc:
                log.warning("defect model cache %s unreadable (%s); retraining", path.name, exc)
        log.info("training the defect model (%s)", key)
        model = train_from_data()
        folder.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{threading.get_ident()}.tmp")
        with partial.open("wb") as handle:
            pickle.dump(model, handle)
        partial.replace(path)
        for old in folder.glob("defect-*.pkl"):
            if old != path:
                old.unlink(missing_ok=True)
        _loaded[str(path)] = model
        return model
