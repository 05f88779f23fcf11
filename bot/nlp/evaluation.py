"""Figures for understanding real customers: defect reading and intents, on labelled texts.

Shared by ``benchmarks/nlu_eval.py`` (which prints them) and the regression floor in the tests, so both count the
same way. Definitions (docs: README "Understanding customers: measured"):

- *right first time*: the category named equals the label, over every text that names a fault;
- *precision when named*: right / named; *asks*: share of faults where the model names none and asks instead;
- *expected calibration error* (ECE): over 10 equal-width confidence bins, the mean gap between confidence and
  accuracy, weighted by bin size;
- intents: *in scope* accuracy over messages whose label is not ``out_of_scope`` (a fallback counts wrong);
  *out-of-scope rejected*: share of ``out_of_scope`` messages answered ``out_of_scope`` or ``nlu_fallback``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any, Optional

__all__ = [
    "REJECTED",
    "defect_figures",
    "expected_calibration_error",
    "intent_figures",
]

REJECTED = frozenset({"out_of_scope", "nlu_fallback"})
ASK = "(asks)"


def expected_calibration_error(confidences: Sequence[float], correct: Sequence[bool], bins: int = 10) -> float:
    """ECE over equal-width bins (0 for no data)."""
    if not confidences:
        return 0.0
    total = len(confidences)
    error = 0.0
    for b in range(bins):
        low, high = b / bins, (b + 1) / bins
        idx = [i for i, c in enumerate(confidences) if (low < c <= high) or (b == 0 and c == 0.0)]
        if not idx:
            continue
        accuracy = sum(1 for i in idx if correct[i]) / len(idx)
        confidence = sum(confidences[i] for i in idx) / len(idx)
        error += len(idx) / total * abs(accuracy - confidence)
    return error


def _f1(gold: Sequence[str], predicted: Sequence[str], label: str) -> dict[str, float]:
    tp = sum(1 for g, p in zip(gold, predicted, strict=True) if g == label and p == label)
    fp = sum(1 for g, p in zip(gold, predicted, strict=True) if g != label and p == label)
    fn = sum(1 for g, p in zip(gold, predicted, strict=True) if g == label and p != label)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "support": tp + fn}


def defect_figures(
    gold: Sequence[Optional[str]],
    named: Sequence[Optional[str]],
    top: Sequence[Optional[str]],
    top_confidence: Sequence[float],
    gold_secondary: Optional[Sequence[Optional[str]]] = None,
    named_secondary: Optional[Sequence[Optional[str]]] = None,
    gold_component: Optional[Sequence[Optional[str]]] = None,
    named_component: Optional[Sequence[Optional[str]]] = None,
) -> dict[str, Any]:
    """Defect reading figures; ``gold`` None means the text names no fault."""
    faults = [i for i, g in enumerate(gold) if g]
    clean = [i for i, g in enumerate(gold) if not g]
    n = len(faults)
    right = sum(1 for i in faults if named[i] == gold[i])
    named_n = sum(1 for i in faults if named[i])
    figures: dict[str, Any] = {
        "texts": len(gold),
        "faults": n,
        "right_first_time": right / n if n else 0.0,
        "precision_when_named": right / named_n if named_n else 0.0,
        "asks": (n - named_n) / n if n else 0.0,
        "top_candidate_accuracy": sum(1 for i in faults if top[i] == gold[i]) / n if n else 0.0,
        "ece": expected_calibration_error([top_confidence[i] for i in faults], [top[i] == gold[i] for i in faults]),
        "no_fault_texts": len(clean),
        "named_on_no_fault": sum(1 for i in clean if named[i]) / len(clean) if clean else 0.0,
    }
    gold_f = [str(gold[i]) for i in faults]
    pred_f = [named[i] or ASK for i in faults]
    figures["per_category"] = {label: _f1(gold_f, pred_f, label) for label in sorted(set(gold_f))}
    figures["macro_f1"] = (
        sum(v["f1"] for v in figures["per_category"].values()) / len(figures["per_category"])
        if figures["per_category"]
        else 0.0
    )
    confusions = Counter((g, p) for g, p in zip(gold_f, pred_f, strict=True) if g != p)
    figures["confusions"] = [{"gold": g, "predicted": p, "count": c} for (g, p), c in confusions.most_common(15)]
    if gold_secondary is not None and named_secondary is not None:
        labelled = [i for i in faults if gold_secondary[i]]
        said = [i for i in faults if named_secondary[i]]
        hits = sum(1 for i in said if named_secondary[i] == gold_secondary[i])
        figures["secondary"] = {
            "labelled": len(labelled),
            "named": len(said),
            "precision": hits / len(said) if said else 0.0,
            "recall": hits / len(labelled) if labelled else 0.0,
        }
    if gold_component is not None and named_component is not None:
        with_part = [i for i in faults if gold_component[i]]
        figures["component"] = {
            "labelled": len(with_part),
            "accuracy": (
                sum(1 for i in with_part if named_component[i] == gold_component[i]) / len(with_part)
                if with_part
                else 0.0
            ),
        }
    return figures


def intent_figures(gold: Sequence[str], predicted: Sequence[str], confidence: Sequence[float]) -> dict[str, Any]:
    """In-scope accuracy, out-of-scope rejection, macro-F1 and ECE (fallback counts as a rejection)."""
    in_scope = [i for i, g in enumerate(gold) if g != "out_of_scope"]
    oos = [i for i, g in enumerate(gold) if g == "out_of_scope"]
    merged = ["out_of_scope" if p in REJECTED else p for p in predicted]
    labels = sorted(set(gold))
    per_intent = {label: _f1(list(gold), merged, label) for label in labels}
    correct = [m == g for m, g in zip(merged, gold, strict=True)]
    confusions = Counter(
        (g, p) for g, p in zip(gold, predicted, strict=True) if g != p and not (g == "out_of_scope" and p in REJECTED)
    )
    return {
        "messages": len(gold),
        "in_scope": len(in_scope),
        "out_of_scope": len(oos),
        "in_scope_accuracy": sum(1 for i in in_scope if predicted[i] == gold[i]) / len(in_scope) if in_scope else 0.0,
        "oos_rejected": sum(1 for i in oos if predicted[i] in REJECTED) / len(oos) if oos else 0.0,
        "in_scope_rejected": sum(1 for i in in_scope if predicted[i] in REJECTED) / len(in_scope) if in_scope else 0.0,
        "accuracy": sum(correct) / len(gold) if gold else 0.0,
        "macro_f1": sum(v["f1"] for v in per_intent.values()) / len(per_intent) if per_intent else 0.0,
        "ece": expected_calibration_error(list(confidence), correct),
        "per_intent": per_intent,
        "confusions": [{"gold": g, "predicted": p, "count": c} for (g, p), c in confusions.most_common(15)],
    }


def evaluate_defect_reading(extractor: Any, texts: Sequence[Any]) -> dict[str, Any]:
    """Run the assistant's extractor over corpus texts and score its defect reading.

    Faults are reviews and complaint messages with a labelled category; reviews without one and chat messages
    that are not complaints count as "no fault" texts.
    """
    chosen = [t for t in texts if t.kind == "review" or t.defect_category or t.intent in ("report_problem",)]
    gold, named, top, conf, g2, n2, gc, nc = [], [], [], [], [], [], [], []
    for item in chosen:
        found = extractor.extract(item.text)
        candidates = found.defect_candidates or []
        gold.append(item.defect_category)
        named.append(found.defect_category)
        top.append(candidates[0]["category"] if candidates else found.defect_category)
        conf.append(float(candidates[0]["confidence"]) if candidates else (1.0 if found.defect_category else 0.0))
        g2.append(item.secondary_defect_category)
        n2.append(found.secondary_defect_category)
        gc.append(item.component)
        nc.append(found.component)
    figures = defect_figures(gold, named, top, conf, g2, n2, gc, nc)
    figures["errors"] = [
        {"id": item.id, "gold": g, "named": n, "top": t, "confidence": round(c, 3)}
        for item, g, n, t, c in zip(chosen, gold, named, top, conf, strict=True)
        if g and n != g
    ]
    return figures
