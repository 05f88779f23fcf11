"""Learned defect understanding: ranked, calibrated defect categories and the failed part.

The rule extractor (``bot.nlp.extraction``) knows the vocabulary we wrote down; real customers write otherwise.
This model learns from the real-customer corpus (``data/corpus``, train split only) plus the team's own
examples (``data/nlu``), with the rule findings as extra features, and answers with probabilities that are
calibrated (sigmoid, cross-validated) so that "0.8" means right about 8 times in 10.

Thresholds are not picked by hand: ``train`` chooses them on out-of-fold predictions over the *training*
texts (the dev split is never seen), trading a question ("which of these is it?") against a wrong category.

The model is built by the project's own code from committed data, cached under ``var/models`` keyed by a
fingerprint of everything it learns from, and rebuilt when any of that changes.
"""

from __future__ import annotations

import hashlib
import logging
import pickle  # noqa: S403 - only our own cache file, written by this module
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Optional

import numpy as np
from scipy import sparse

from bot.cases.vocabulary import COMPONENTS, DEFECT_CATEGORIES

__all__ = [
    "NO_FAULT",
    "DefectModel",
    "DefectReading",
    "Example",
    "fingerprint",
    "load_defect_model",
]

log = logging.getLogger(__name__)

NO_FAULT = "none"
MODEL_VERSION = "1"
SEED = 2026
# A wrong category costs more than one question: the customer may not notice it in the read-back.
WRONG_COST = 3.0
_ROOT = Path(__file__).resolve().parents[2]
_CACHE_DIR = _ROOT / "var" / "models"
_WORD = r"(?u)\b\w+\b"
_lock = threading.Lock()
_loaded: dict[str, DefectModel] = {}


@dataclass(frozen=True)
class Example:
    """One training text with its labels and the rule findings for it."""

    text: str
    category: str  # a defect category or NO_FAULT
    component: str  # a component or NO_FAULT
    rule_categories: tuple[str, ...] = ()
    rule_components: tuple[str, ...] = ()
    weight: float = 1.0
    real: bool = True
    secondary: Optional[str] = None


@dataclass(frozen=True)
class DefectReading:
    """What the model reads in one message."""

    candidates: tuple[tuple[str, float], ...]  # defect categories, most likely first, with probabilities
    category: Optional[str]  # named only when confident enough; None means "ask"
    secondary: Optional[str]
    component: Optional[str]
    component_confidence: float
    no_fault: float  # probability that the message describes no fault at all

    def candidate_dicts(self, limit: int = 3, floor: float = 0.05) -> list[dict[str, Any]]:
        """The likeliest categories as ``[{category, confidence}]`` (for JSON and buttons)."""
        return [{"category": c, "confidence": round(p, 3)} for c, p in self.candidates[:limit] if p >= floor]


def _document(text: str, rule_categories: Sequence[str], rule_components: Sequence[str]) -> str:
    """The text plus the rule findings as pseudo-words the word vectoriser can weigh."""
    tags = [f"zzcat{c.replace('_', '')}" for c in rule_categories[:2]]
    if rule_categories:
        tags.append(f"zztop{rule_categories[0].replace('_', '')}")
    else:
        tags.append("zznorule")
    tags += [f"zzpart{c}" for c in rule_components[:2]]
    return f"{text.lower()} {' '.join(tags)}"


class _Features:
    """Word 1-2 grams (with the rule tags) and character 2-5 grams, TF-IDF, side by side."""

    def __init__(self) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.words = TfidfVectorizer(
            analyzer="word", ngram_range=(1, 2), sublinear_tf=True, min_df=1, token_pattern=_WORD
        )
        self.chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2)

    def fit(self, docs: Sequence[str]) -> _Features:
        self.words.fit(docs)
        self.chars.fit([d.split(" zz", 1)[0] for d in docs])
        return self

    def transform(self, docs: Sequence[str]) -> Any:
        return sparse.hstack(
            [self.words.transform(docs), self.chars.transform([d.split(" zz", 1)[0] for d in docs])]
        ).tocsr()


def _classifier(calibrated: bool) -> Any:
    """A linear SVM calibrated by sigmoid over 3 folds.

    Measured against logistic regression: as accurate, better calibrated, 4x faster to train (RESULTS.md).
    """
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.linear_model import LogisticRegression
    from sklearn.svm import LinearSVC

    if not calibrated:
        return LogisticRegression(C=8.0, max_iter=4000, class_weight="balanced", random_state=SEED)
    return CalibratedClassifierCV(LinearSVC(C=0.5, class_weight="balanced", random_state=SEED), method="sigmoid", cv=3)


@dataclass
class _Head:
    """One classifier over the shared features: categories or components."""

    labels: list[str] = field(default_factory=list)
    model: Any = None

    def fit(self, x: Any, y: Sequence[str], weights: Sequence[float], calibrated: bool = True) -> _Head:
        """Fit on the labels seen at least 3 times (calibration holds out a third of each label)."""
        labels = np.asarray(list(y))
        values, counts = np.unique(labels, return_counts=True)
        keep = np.isin(labels, values[counts >= 3])
        self.model = _classifier(calibrated)
        self.model.fit(x[np.flatnonzero(keep)], labels[keep], sample_weight=np.asarray(weights)[keep])
        self.labels = [str(c) for c in self.model.classes_]
        return self

    def proba(self, x: Any) -> np.ndarray:
        return np.asarray(self.model.predict_proba(x))


@dataclass
class DefectModel:
    """Category and component heads, the thresholds chosen for them, and what they were trained on."""

    features: _Features
    categories: _Head
    components: _Head
    threshold: float = 0.5
    agree_threshold: float = 0.5  # when the rules' first category is the model's first candidate
    secondary_threshold: float = 0.3
    component_threshold: float = 0.4
    trained_on: dict[str, int] = field(default_factory=dict)

    # -- reading ----------------------------------------------------------------------------------------------

    def read(
        self, text: str, rule_categories: Sequence[str] = (), rule_components: Sequence[str] = ()
    ) -> DefectReading:
        """Ranked categories, the category to record (or None to ask), a secondary and the failed part."""
        return self.read_many([(text, tuple(rule_categories), tuple(rule_components))])[0]

    def read_many(self, items: Sequence[tuple[str, Sequence[str], Sequence[str]]]) -> list[DefectReading]:
        """``read`` for many messages at once (one matrix product)."""
        if not items:
            return []
        x = self.features.transform([_document(t, rc, rp) for t, rc, rp in items])
        cat_p = self.categories.proba(x)
        comp_p = self.components.proba(x)
        return [self._reading(cat_p[i], comp_p[i], items[i][1]) for i in range(len(items))]

    def _reading(self, cat_row: np.ndarray, comp_row: np.ndarray, rule_categories: Sequence[str] = ()) -> DefectReading:
        scored = sorted(zip(self.categories.labels, cat_row.tolist(), strict=True), key=lambda kv: -kv[1])
        no_fault = next((p for c, p in scored if c == NO_FAULT), 0.0)
        faults = [(c, float(p)) for c, p in scored if c != NO_FAULT]
        top, top_p = faults[0] if faults else (None, 0.0)
        agree = top is not None and bool(rule_categories) and rule_categories[0] == top
        if agree:
            named = top if top_p >= self.agree_threshold else None
        else:
            named = top if top is not None and scored[0][0] != NO_FAULT and top_p >= self.threshold else None
        secondary: Optional[str] = None
        if named:
            # a second fault: one the rules also found in the text, and the model finds likely enough
            others = [(c, p) for c, p in faults[1:] if c in rule_categories]
            if others and others[0][1] >= self.secondary_threshold:
                secondary = others[0][0]
        comps = sorted(zip(self.components.labels, comp_row.tolist(), strict=True), key=lambda kv: -kv[1])
        best_part, comp_p = comps[0]
        component: Optional[str] = best_part
        if best_part == NO_FAULT or comp_p < self.component_threshold:
            component = None
        return DefectReading(
            candidates=tuple(faults),
            category=named,
            secondary=secondary,
            component=component,
            component_confidence=float(comp_p),
            no_fault=float(no_fault),
        )

    # -- training ---------------------------------------------------------------------------------------------

    @classmethod
    def train(cls, examples: Sequence[Example], calibrated: bool = True) -> DefectModel:
        """Fit both heads and choose the thresholds on out-of-fold predictions over the training texts."""
        docs = [_document(e.text, e.rule_categories, e.rule_components) for e in examples]
        features = _Features().fit(docs)
        x = features.transform(docs)
        weights = [e.weight for e in examples]
        categories = _Head().fit(x, [e.category for e in examples], weights, calibrated)
        components = _Head().fit(x, [e.component for e in examples], weights, calibrated)
        model = cls(features=features, categories=categories, components=components)
        model.trained_on = {
            "texts": len(examples),
            "real": sum(1 for e in examples if e.real),
            "written_by_team": sum(1 for e in examples if not e.real),
        }
        model._choose_thresholds(examples, x, calibrated)
        return model

    def _choose_thresholds(self, examples: Sequence[Example], x: Any, calibrated: bool) -> None:
        """Out-of-fold (3 folds) readings of the real training texts pick the three thresholds."""
        from sklearn.model_selection import StratifiedKFold

        labels = np.asarray([e.category for e in examples])
        real = np.asarray([e.real for e in examples])
        counts = {c: int((labels == c).sum()) for c in set(labels.tolist())}
        strat = np.asarray([c if counts[c] >= 3 else "rare" for c in labels.tolist()])
        folds = StratifiedKFold(n_splits=3, shuffle=True, random_state=SEED)
        oof: list[tuple[int, DefectReading]] = []
        for train_idx, test_idx in folds.split(np.zeros(len(labels)), strat):
            weights = [examples[i].weight for i in train_idx]
            head = _Head().fit(x[train_idx], labels[train_idx], weights, calibrated)
            comp = _Head().fit(x[train_idx], [examples[i].component for i in train_idx], weights, calibrated)
            fold_model = DefectModel(self.features, head, comp, threshold=0.0, secondary_threshold=1.1)
            fold_model.component_threshold = 0.0
            cat_p, comp_p = head.proba(x[test_idx]), comp.proba(x[test_idx])
            for j, i in enumerate(test_idx):
                if real[i]:
                    oof.append((int(i), fold_model._reading(cat_p[j], comp_p[j], examples[i].rule_categories)))
        faults = [(i, r) for i, r in oof if examples[i].category != NO_FAULT]
        if not faults:
            return
        def agrees(i: int, r: DefectReading) -> bool:
            rules = examples[i].rule_categories
            return bool(rules) and bool(r.candidates) and rules[0] == r.candidates[0][0]

        self.threshold = _best_threshold(
            [(r.candidates[0][1], r.candidates[0][0] == examples[i].category) for i, r in faults if not agrees(i, r)]
        )
        self.agree_threshold = _best_threshold(
            [(r.candidates[0][1], r.candidates[0][0] == examples[i].category) for i, r in faults if agrees(i, r)]
        )
        self.component_threshold = _best_threshold(
            [
                (r.component_confidence, (r.component or NO_FAULT) == examples[i].component)
                for i, r in oof
                if examples[i].component != NO_FAULT
            ],
            wrong_cost=1.5,
        )
        # a secondary is named when the second candidate is this likely (best F1 on the labelled secondaries)
        truth = {i: examples[i].secondary for i, _ in faults if examples[i].secondary}
        seconds = []
        for i, r in faults:
            others = [(c, p) for c, p in r.candidates[1:] if c in examples[i].rule_categories]
            seconds.append((i, others[0] if others else ("", 0.0)))
        self.secondary_threshold = _best_secondary([(p, c, truth.get(i)) for i, (c, p) in seconds])


def _best_threshold(scored: Sequence[tuple[float, bool]], wrong_cost: float = WRONG_COST) -> float:
    """The confidence above which naming beats asking: minimise asks + wrong_cost x wrong answers."""
    best, best_cost = 0.5, float("inf")
    for step in range(5, 96):
        threshold = step / 100
        asked = sum(1 for p, _ in scored if p < threshold)
        wrong = sum(1 for p, ok in scored if p >= threshold and not ok)
        cost = asked + wrong_cost * wrong
        if cost < best_cost:
            best, best_cost = threshold, cost
    return best


def _best_secondary(scored: Sequence[tuple[float, str, Optional[str]]]) -> float:
    best, best_f1 = 0.5, -1.0
    positives = sum(1 for _, _, gold in scored if gold)
    if not positives:
        return 0.35
    for step in range(10, 91, 2):
        threshold = step / 100
        named = [(c, gold) for p, c, gold in scored if p >= threshold]
        right = sum(1 for c, gold in named if c == gold)
        precision = right / len(named) if named else 0.0
        recall = right / positives
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        if f1 > best_f1:
            best, best_f1 = threshold, f1
    return best


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
    from bot.nlp.extraction import Extractor

    rules = Extractor([], [], learned=False)

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


assert NO_FAULT not in DEFECT_CATEGORIES and NO_FAULT not in COMPONENTS  # noqa: S101 - a label clash would be silent
