"""The learned defect classifier: features, the category and component heads, and how it reads a message.

Word 1-2 grams (with the rule findings as pseudo-words) and character 2-5 grams feed two calibrated
linear classifiers, one for the defect category and one for the failed part. Thresholds are chosen on
out-of-fold predictions over the training texts, trading a question against a wrong category.
What it learns from and how it is cached: :mod:`bot.nlp.defect_model`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Optional

import numpy as np
from scipy import sparse

from bot.vocabulary import COMPONENTS, DEFECT_CATEGORIES

__all__ = ["NO_FAULT", "DefectModel", "DefectReading", "Example"]

NO_FAULT = "none"
SEED = 2026
# A wrong category costs more than one question: the customer may not notice it in the read-back.
WRONG_COST = 3.0
_WORD = r"(?u)\b\w+\b"


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


assert NO_FAULT not in DEFECT_CATEGORIES and NO_FAULT not in COMPONENTS  # noqa: S101 - a label clash would be silent
