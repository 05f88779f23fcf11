"""Measured NLU and extraction quality on the held-out set (tests/nlu_holdout/messages.yml).

One command::

    .venv/bin/python benchmarks/nlu_eval.py [--config config.yml] [--compare] [--cross-validation N]

What it does:

1. trains an NLU-only Rasa model on data/nlu with the given config, into a temporary directory (never models/);
2. parses every held-out message with ``Agent.load(model).parse_message(text)`` (a coroutine in Rasa 3.6) and
   prints intent accuracy, macro-F1, per-intent precision/recall/F1, the top confusion pairs and parse latency;
3. runs the run-time extractor (``bot.nlp.extraction.Extractor``, built from data/demo/catalogue.csv and the demo
   seed's order numbers, no database) on every message and prints entity precision/recall/F1 per type,
   defect-category accuracy and extraction latency;
4. ``--compare`` repeats 1-2 for several pipeline variants derived from the config and prints a side-by-side table
   with training time; ``--cross-validation N`` runs ``rasa test nlu --cross-validation --folds N`` on data/nlu.

``--intents-only --model models/complaints.tar.gz`` skips training, defects and extraction: intent figures on the
hold-out set and the real dev set only, with per-intent accuracy of the requests of issue #18 (order_status,
cancel_order, return_item, request_callback, ask_contact, refund_status) and how often ``cancel`` and
``cancel_order`` are confused.

A JSON summary goes to ``--json-out`` (default /tmp/nlu_eval.json).

Training honours the shared machine: ``RASA_CACHE_DIRECTORY=/tmp/nlu-eval-cache``, telemetry off, TensorFlow quiet,
and trainings run one after another. The training cache is disabled (``RASA_MAX_CACHE_SIZE=0``) unless
``--use-cache`` is given, so the reported training times are real, not cache hits.
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import csv
import datetime as dt
import json
import logging
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Optional, Sequence

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# Must be set before Rasa or TensorFlow are imported.
os.environ.setdefault("RASA_CACHE_DIRECTORY", str(Path(tempfile.gettempdir()) / "nlu-eval-cache"))
os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
os.environ.setdefault("LOG_LEVEL", "ERROR")  # Rasa: no debug lines, no epoch progress bars
warnings.filterwarnings("ignore")

import yaml  # noqa: E402

HOLDOUT = ROOT / "tests" / "nlu_holdout" / "messages.yml"
NLU_DATA = ROOT / "data" / "nlu"
CATALOGUE = ROOT / "data" / "demo" / "catalogue.csv"
DEFAULT_JSON = Path(tempfile.gettempdir()) / "nlu_eval.json"
FALLBACK_INTENT = "nlu_fallback"
# Requests that are not a product fault (issue #18), reported one by one, and the pair that must never be mixed up:
# "cancel my order" (cancel_order) and "stop / never mind" (cancel).
REQUEST_INTENTS = ("order_status", "cancel_order", "return_item", "request_callback", "ask_contact", "refund_status")
CANCEL_PAIR = ("cancel", "cancel_order")
# Diagnostic only: inside the complaint form the dialogue handles "inform" and "report_problem" the same way.
MERGED_COMPLAINT = "inform|report_problem"

# Entity types scored against the extractor, and how each is read from an Extraction.
ENTITY_TYPES: tuple[str, ...] = (
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
)


# ---------------------------------------------------------------------------------------------------------------
# Held-out data
# ---------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Example:
    """One held-out message with its gold intent and entities."""

    text: str
    intent: str
    entities: dict[str, Any]


@dataclass(frozen=True)
class Holdout:
    """The held-out set and the date its relative dates resolve against."""

    today: dt.date
    examples: tuple[Example, ...]


def load_holdout(path: Path = HOLDOUT) -> Holdout:
    """Read the held-out YAML file (``today`` and ``messages``)."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    today = dt.date.fromisoformat(str(raw["today"]))
    examples = tuple(Example(str(m["text"]), str(m["intent"]), dict(m.get("entities") or {})) for m in raw["messages"])
    return Holdout(today, examples)


def normalise_text(text: str) -> str:
    """Lower case, punctuation removed, whitespace collapsed: the key for leakage checks."""
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


def training_examples(nlu_dir: Path = NLU_DATA) -> dict[str, str]:
    """Every training example in ``nlu_dir``, the rendered real-customer file included (normalised text -> intent)."""
    from bot.nlp.team_examples import nlu_examples

    return {normalise_text(text): intent for text, intent in nlu_examples(nlu_dir, include_real=True)}


# ---------------------------------------------------------------------------------------------------------------
# Small statistics helpers
# ---------------------------------------------------------------------------------------------------------------


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100) with linear interpolation; 0.0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    k = (len(ordered) - 1) * q / 100.0
    low = int(k)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def latency_summary(seconds: Sequence[float]) -> dict[str, float]:
    """Mean, median and 95th percentile in milliseconds."""
    ms = [s * 1000.0 for s in seconds]
    return {
        "mean_ms": statistics.fmean(ms) if ms else 0.0,
        "p50_ms": percentile(ms, 50),
        "p95_ms": percentile(ms, 95),
        "max_ms": max(ms) if ms else 0.0,
        "n": float(len(ms)),
    }


# ---------------------------------------------------------------------------------------------------------------
# Intent evaluation (Rasa)
# ---------------------------------------------------------------------------------------------------------------


@dataclass
class IntentResult:
    """Intent predictions for the held-out set, with metrics."""

    gold: list[str]
    predicted: list[str]
    raw_predicted: list[str]
    confidence: list[float]
    latencies: list[float]
    metrics: dict[str, Any] = field(default_factory=dict)


def intent_metrics(gold: Sequence[str], predicted: Sequence[str]) -> dict[str, Any]:
    """Accuracy, macro-F1 over the gold intents, per-intent P/R/F1/support and the top confusion pairs."""
    from sklearn.metrics import accuracy_score, precision_recall_fscore_support

    labels = sorted(set(gold))
    precision, recall, f1, support = precision_recall_fscore_support(gold, predicted, labels=labels, zero_division=0)
    _, _, macro_f1, _ = precision_recall_fscore_support(
        gold, predicted, labels=labels, average="macro", zero_division=0
    )
    _, _, weighted_f1, _ = precision_recall_fscore_support(
        gold, predicted, labels=labels, average="weighted", zero_division=0
    )
    per_intent = {
        label: {
            "precision": float(p),
            "recall": float(r),
            "f1": float(f),
            "support": int(s),
        }
        for label, p, r, f, s in zip(labels, precision, recall, f1, support, strict=True)
    }
    confusions = Counter((g, p) for g, p in zip(gold, predicted, strict=True) if g != p)
    return {
        "n": len(gold),
        "accuracy": float(accuracy_score(gold, predicted)),
        "macro_f1": float(macro_f1),
        "weighted_f1": float(weighted_f1),
        "fallback_rate": sum(p == FALLBACK_INTENT for p in predicted) / max(1, len(predicted)),
        "per_intent": per_intent,
        "confusions": [{"gold": g, "predicted": p, "count": c} for (g, p), c in confusions.most_common()],
    }


def request_figures(gold: Sequence[str], predicted: Sequence[str]) -> dict[str, Any]:
    """Accuracy (recall) per request intent of issue #18 and how often ``cancel`` and ``cancel_order`` are confused."""
    per_intent: dict[str, dict[str, Any]] = {}
    for intent in (*REQUEST_INTENTS, *CANCEL_PAIR):
        rows = [p for g, p in zip(gold, predicted, strict=True) if g == intent]
        per_intent[intent] = {
            "support": len(rows),
            "accuracy": sum(1 for p in rows if p == intent) / len(rows) if rows else None,
            "predicted_as": dict(Counter(p for p in rows if p != intent).most_common()),
        }
    a, b = CANCEL_PAIR
    pairs = list(zip(gold, predicted, strict=True))
    mixed = {f"{a}->{b}": sum(1 for g, p in pairs if g == a and p == b),
             f"{b}->{a}": sum(1 for g, p in pairs if g == b and p == a)}  # fmt: skip
    in_pair = sum(1 for g, _ in pairs if g in CANCEL_PAIR)
    return {
        "per_intent": per_intent,
        "cancel_confusions": mixed,
        "cancel_confusion_rate": sum(mixed.values()) / in_pair if in_pair else None,
        "requests_accuracy": _share([p == g for g, p in pairs if g in REQUEST_INTENTS]),
    }


def _share(flags: Sequence[bool]) -> Optional[float]:
    return sum(flags) / len(flags) if flags else None


def print_request_figures(figures: dict[str, Any], where: str) -> None:
    """Per-intent accuracy of the issue #18 requests and the cancel / cancel_order confusion."""
    print(f"requests (issue #18) on {where}: accuracy over all six {_fmt(figures['requests_accuracy'])}")
    print(f"  {'intent':<18}{'support':>8}{'accuracy':>10}   taken for")
    for intent, row in figures["per_intent"].items():
        print(f"  {intent:<18}{row['support']:>8}{_fmt(row['accuracy']):>10}   {row['predicted_as'] or ''}")
    print(f"  cancel vs cancel_order confused: {figures['cancel_confusions']} "
          f"(rate {_fmt(figures['cancel_confusion_rate'])} of the messages of either)")  # fmt: skip


async def _parse_all(agent: Any, texts: Sequence[str], warmup: int = 3) -> tuple[list[dict[str, Any]], list[float]]:
    for text in texts[:warmup]:  # the first calls build TF functions: not what a customer waits for
        await agent.parse_message(text)
    parsed: list[dict[str, Any]] = []
    latencies: list[float] = []
    for text in texts:
        start = time.perf_counter()
        result = await agent.parse_message(text)
        latencies.append(time.perf_counter() - start)
        parsed.append(result)
    return parsed, latencies


def evaluate_intents(model_path: Path, holdout: Holdout) -> IntentResult:
    """Load the model and parse every held-out message."""
    from rasa.core.agent import Agent

    agent = Agent.load(str(model_path))
    texts = [e.text for e in holdout.examples]
    parsed, latencies = asyncio.run(_parse_all(agent, texts))
    predicted: list[str] = []
    raw: list[str] = []
    confidence: list[float] = []
    for result in parsed:
        intent = result.get("intent") or {}
        predicted.append(str(intent.get("name")))
        confidence.append(float(intent.get("confidence") or 0.0))
        ranking = [r for r in result.get("intent_ranking") or [] if r.get("name") != FALLBACK_INTENT]
        raw.append(str(ranking[0]["name"]) if ranking else str(intent.get("name")))
    gold = [e.intent for e in holdout.examples]
    result = IntentResult(gold, predicted, raw, confidence, latencies)
    result.metrics = intent_metrics(gold, predicted)
    result.metrics["without_fallback"] = {
        k: v for k, v in intent_metrics(gold, raw).items() if k in ("accuracy", "macro_f1", "weighted_f1")
    }
    merged = [MERGED_COMPLAINT if i in ("inform", "report_problem") else i for i in gold]
    merged_pred = [MERGED_COMPLAINT if i in ("inform", "report_problem") else i for i in predicted]
    result.metrics["merged_inform_report"] = {
        k: v for k, v in intent_metrics(merged, merged_pred).items() if k in ("accuracy", "macro_f1")
    }
    result.metrics["requests"] = request_figures(gold, predicted)
    result.metrics["latency"] = latency_summary(latencies)
    return result


# ---------------------------------------------------------------------------------------------------------------
# Training
# ---------------------------------------------------------------------------------------------------------------


def train_model(config: dict[str, Any], out_dir: Path, name: str, nlu_data: Path = NLU_DATA) -> tuple[Path, float]:
    """Train an NLU-only model with ``config``; return the model archive and the training wall time (s)."""
    from rasa.model_training import train_nlu

    out_dir.mkdir(parents=True, exist_ok=True)
    config_path = out_dir / f"{name}.config.yml"
    config_path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    start = time.perf_counter()
    model = train_nlu(str(config_path), str(nlu_data), str(out_dir), fixed_model_name=name)
    elapsed = time.perf_counter() - start
    if not model:
        raise RuntimeError(f"training {name} produced no model")
    return Path(model), elapsed


def _is_char_vectorizer(component: dict[str, Any]) -> bool:
    return component.get("name") == "CountVectorsFeaturizer" and str(component.get("analyzer", "word")).startswith(
        "char"
    )


def _replace(pipeline: list[dict[str, Any]], name: str, make: Callable[[dict[str, Any]], dict[str, Any]]) -> None:
    for i, component in enumerate(pipeline):
        if component.get("name") == name:
            pipeline[i] = make(component)


CUE_FEATURIZER = "integrations.rasa_nlu.cue_featurizer.CueFeaturizer"


def variants(base: dict[str, Any]) -> dict[str, tuple[str, dict[str, Any]]]:
    """Pipeline variants derived from ``base`` (name -> (description, config))."""

    def derive(change: Callable[[list[dict[str, Any]]], None]) -> dict[str, Any]:
        config = copy.deepcopy(base)
        change(config["pipeline"])
        return config

    def no_char(pipeline: list[dict[str, Any]]) -> None:
        pipeline[:] = [c for c in pipeline if not _is_char_vectorizer(c)]

    def transformer(pipeline: list[dict[str, Any]]) -> None:
        layer = {"number_of_transformer_layers": 1, "transformer_size": 128}
        _replace(pipeline, "DIETClassifier", lambda c: {**c, **layer})

    def word_bigrams(pipeline: list[dict[str, Any]]) -> None:
        for component in pipeline:
            if component.get("name") == "CountVectorsFeaturizer" and not _is_char_vectorizer(component):
                component.update({"min_ngram": 1, "max_ngram": 2})

    def logreg(pipeline: list[dict[str, Any]]) -> None:
        _replace(pipeline, "DIETClassifier", lambda c: {"name": "LogisticRegressionClassifier", "max_iter": 200})

    def cues(pipeline: list[dict[str, Any]]) -> None:
        if any(c.get("name") == CUE_FEATURIZER for c in pipeline):
            return
        at = next(i for i, c in enumerate(pipeline) if c.get("name") == "DIETClassifier")
        pipeline.insert(at, {"name": CUE_FEATURIZER})

    def no_cues(pipeline: list[dict[str, Any]]) -> None:
        pipeline[:] = [c for c in pipeline if c.get("name") != CUE_FEATURIZER]

    def word_bigrams_cues(pipeline: list[dict[str, Any]]) -> None:
        word_bigrams(pipeline)
        cues(pipeline)

    return {
        "project": ("config as given", copy.deepcopy(base)),
        "no-char-ngrams": ("without the char_wb 1-4 n-gram featurizer", derive(no_char)),
        "word-bigrams": ("word 1-2 grams in the word CountVectorsFeaturizer", derive(word_bigrams)),
        "transformer-1": ("DIET with 1 transformer layer (size 128)", derive(transformer)),
        "logreg": ("LogisticRegressionClassifier instead of DIET", derive(logreg)),
        "cues": ("plus spaCy-rule lexical cues (CueFeaturizer)", derive(cues)),
        "no-cues": ("without the spaCy-rule lexical cues", derive(no_cues)),
        "word-bigrams+cues": ("word 1-2 grams plus spaCy-rule lexical cues", derive(word_bigrams_cues)),
    }


# ---------------------------------------------------------------------------------------------------------------
# Extraction evaluation (bot.nlp, no database)
# ---------------------------------------------------------------------------------------------------------------


def demo_catalogue() -> list[dict[str, str]]:
    """Rows of data/demo/catalogue.csv."""
    with open(CATALOGUE, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def demo_order_numbers(products: list[dict[str, str]]) -> list[str]:
    """The order numbers the demo seed creates (``bot.catalogue.seed._demo_orders``), without a database."""
    import random

    from bot.catalogue.seed import _demo_orders

    orders = _demo_orders(random.Random(2026), dt.date(2026, 11, 23), products)
    return [str(o["order_number"]) for o in orders]


def build_extractor() -> tuple[Any, dict[str, str], float]:
    """The run-time extractor for the demo catalogue and orders; also SKU -> line, and the build time (s)."""
    from bot.nlp.extraction import CatalogueEntry, Extractor

    rows = demo_catalogue()
    entries = [CatalogueEntry.from_record(row) for row in rows]
    numbers = demo_order_numbers(rows)
    start = time.perf_counter()
    extractor = Extractor(entries, numbers)
    built = time.perf_counter() - start
    return extractor, {row["sku"]: row["line"] for row in rows}, built


def _canon(kind: str, value: Any) -> Optional[str]:
    """Comparable form of a gold or predicted value (None when absent)."""
    if value is None or value is False or value == "":
        return None
    if kind == "injury":
        return "true" if value else None
    text = str(value).strip()
    if kind in ("order_number", "case_reference", "product", "size"):
        return text.upper()
    if kind in ("email", "colour", "component", "product_line", "defect_category"):
        return text.lower()
    return text


def gold_entities(example: Example, lines: dict[str, str]) -> dict[str, Optional[str]]:
    """Gold values per entity type; "other" as a defect means "no fixed category" (absent for entity scoring)."""
    ents = example.entities
    gold: dict[str, Optional[str]] = {kind: _canon(kind, ents.get(kind)) for kind in ENTITY_TYPES}
    if gold["defect_category"] == "other":
        gold["defect_category"] = None
    if gold["product"] and not gold["product_line"]:
        gold["product_line"] = _canon("product_line", lines.get(str(ents["product"])))
    return gold


def predicted_entities(extraction: Any) -> dict[str, Optional[str]]:
    """Predicted values per entity type from an Extraction."""
    values = {
        "defect_category": extraction.defect_category,
        "component": extraction.component,
        "product": extraction.sku,
        "product_line": extraction.product_line,
        "colour": extraction.colour,
        "size": extraction.size,
        "order_number": extraction.order_number,
        "purchase_date": extraction.purchase_date,
        "email": extraction.email,
        "case_reference": extraction.case_reference,
        "injury": extraction.injury,
    }
    return {kind: _canon(kind, value) for kind, value in values.items()}


def entity_scores(pairs: Iterable[tuple[dict[str, Optional[str]], dict[str, Optional[str]]]]) -> dict[str, Any]:
    """Per type: a right value is a TP; a wrong value is both an FP and an FN; a spurious one an FP."""
    counts = {kind: Counter() for kind in ENTITY_TYPES}
    for gold, pred in pairs:
        for kind in ENTITY_TYPES:
            g, p = gold.get(kind), pred.get(kind)
            if g is not None and p == g:
                counts[kind]["tp"] += 1
            else:
                if p is not None:
                    counts[kind]["fp"] += 1
                if g is not None:
                    counts[kind]["fn"] += 1
    scores: dict[str, Any] = {}
    totals = Counter()
    for kind, c in counts.items():
        totals.update(c)
        scores[kind] = _prf(c)
    scores["micro_all"] = _prf(totals)
    return scores


def _prf(c: Counter) -> dict[str, float]:
    tp, fp, fn = c["tp"], c["fp"], c["fn"]
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "support": tp + fn, "tp": tp, "fp": fp, "fn": fn}


def evaluate_extraction(holdout: Holdout) -> dict[str, Any]:
    """Run the extractor on every held-out message: entity scores, defect accuracy, failures, latency."""
    extractor, lines, build_seconds = build_extractor()
    extractor.extract("warm up: the heel came off my boots", holdout.today)
    pairs: list[tuple[dict[str, Optional[str]], dict[str, Optional[str]]]] = []
    latencies: list[float] = []
    defect_rows: list[dict[str, Any]] = []
    entity_errors: list[dict[str, Any]] = []
    date_found = date_total = 0
    for example in holdout.examples:
        start = time.perf_counter()
        extraction = extractor.extract(example.text, holdout.today)
        latencies.append(time.perf_counter() - start)
        gold = gold_entities(example, lines)
        pred = predicted_entities(extraction)
        pairs.append((gold, pred))
        for kind in ENTITY_TYPES:
            if gold[kind] != pred[kind]:
                entity_errors.append({"text": example.text, "type": kind, "gold": gold[kind], "predicted": pred[kind]})
        expected = example.entities.get("defect_category")
        if expected:
            got = extraction.defect_category or "other"
            defect_rows.append(
                {
                    "text": example.text,
                    "intent": example.intent,
                    "gold": expected,
                    "predicted": got,
                    "ranked": list(extraction.defect_categories),
                }
            )
        if example.entities.get("purchase_date"):
            date_total += 1
            date_found += any(d["date"] == str(example.entities["purchase_date"]) for d in extraction.dates)

    correct = sum(r["gold"] == r["predicted"] for r in defect_rows)
    in_ranking = sum(r["gold"] == r["predicted"] or r["gold"] in r["ranked"] for r in defect_rows)
    per_category: dict[str, dict[str, float]] = {}
    for category in sorted({r["gold"] for r in defect_rows}):
        rows = [r for r in defect_rows if r["gold"] == category]
        predicted_as = [r for r in defect_rows if r["predicted"] == category]
        hits = sum(r["predicted"] == category for r in rows)
        per_category[category] = {
            "n": len(rows),
            "recall": hits / len(rows),
            "precision": hits / len(predicted_as) if predicted_as else 0.0,
        }
    return {
        "entities": entity_scores(pairs),
        "defect": {
            "n": len(defect_rows),
            "accuracy": correct / max(1, len(defect_rows)),
            "in_ranking": in_ranking / max(1, len(defect_rows)),
            "per_category": per_category,
            "failures": [r for r in defect_rows if r["gold"] != r["predicted"]],
        },
        "purchase_date_any_date_recall": date_found / max(1, date_total),
        "entity_errors": entity_errors,
        "latency": latency_summary(latencies),
        "build_ms": build_seconds * 1000.0,
    }


# ---------------------------------------------------------------------------------------------------------------
# The real-customer dev set (data/corpus, dev split: never trained on, never used to pick a threshold)
# ---------------------------------------------------------------------------------------------------------------


def evaluate_real_defects(holdout: Holdout) -> dict[str, Any]:
    """Defect reading on the corpus dev split and on the hold-out set: learned model vs the rules alone."""
    from bot.nlp.corpus_nlu import unseen_dev_texts
    from bot.nlp.defect_model import load_defect_model
    from bot.nlp.evaluation import defect_figures, evaluate_defect_reading
    from bot.nlp.extraction import CatalogueEntry, Extractor

    start = time.perf_counter()
    model = load_defect_model(rebuild=True)
    train_seconds = time.perf_counter() - start
    extractor, _, _ = build_extractor()
    rows = demo_catalogue()
    rules = Extractor([CatalogueEntry.from_record(r) for r in rows], demo_order_numbers(rows), learned=False)
    dev = unseen_dev_texts()
    results: dict[str, Any] = {
        "train_seconds": train_seconds,
        "trained_on": model.trained_on,
        "thresholds": {
            "category": model.threshold,
            "category_when_rules_agree": model.agree_threshold,
            "secondary": model.secondary_threshold,
            "component": model.component_threshold,
        },
        "dev_texts": len(dev),
    }
    latencies: list[float] = []
    for text in [t.text for t in dev][:200]:
        begin = time.perf_counter()
        extractor.extract(text)
        latencies.append(time.perf_counter() - begin)
    results["extract_latency"] = latency_summary(latencies)
    results["learned"] = evaluate_defect_reading(extractor, dev)
    results["rules_only"] = evaluate_defect_reading(rules, dev)
    for name, reader in (("holdout_learned", extractor), ("holdout_rules_only", rules)):
        gold, named, top, conf = [], [], [], []
        for example in holdout.examples:
            if example.intent != "report_problem":
                continue
            found = reader.extract(example.text, holdout.today)
            candidates = found.defect_candidates or []
            gold.append(example.entities.get("defect_category"))
            named.append(found.defect_category)
            top.append(candidates[0]["category"] if candidates else found.defect_category)
            conf.append(float(candidates[0]["confidence"]) if candidates else (1.0 if found.defect_category else 0.0))
        results[name] = defect_figures(gold, named, top, conf)
    return results


def evaluate_real_intents(model_path: Path) -> dict[str, Any]:
    """Parse every chat message of the corpus dev split with the trained model."""
    from rasa.core.agent import Agent

    from bot.nlp.corpus_nlu import unseen_dev_texts
    from bot.nlp.evaluation import intent_figures

    dev = [t for t in unseen_dev_texts() if t.kind == "chat" and t.intent]
    agent = Agent.load(str(model_path))
    parsed, latencies = asyncio.run(_parse_all(agent, [t.text for t in dev]))
    predicted = [str((p.get("intent") or {}).get("name")) for p in parsed]
    confidence = [float((p.get("intent") or {}).get("confidence") or 0.0) for p in parsed]
    figures = intent_figures([str(t.intent) for t in dev], predicted, confidence)
    figures["requests"] = request_figures([str(t.intent) for t in dev], predicted)
    figures["latency"] = latency_summary(latencies)
    figures["errors"] = [
        {"id": t.id, "text": t.text[:100], "gold": t.intent, "predicted": p, "confidence": round(c, 3)}
        for t, p, c in zip(dev, predicted, confidence, strict=True)
        if p != t.intent and not (t.intent == "out_of_scope" and p == FALLBACK_INTENT)
    ]
    return figures


def _fmt(value: Any) -> str:
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def print_real_defects(results: dict[str, Any]) -> None:
    """The defect figures on the real dev set and the hold-out set."""
    _rule("Defect reading: real-customer dev set (data/corpus dev split) and hold-out set")
    print(
        f"defect model: trained in {results['train_seconds']:.1f} s on {results['trained_on']}; thresholds "
        f"{results['thresholds']} (chosen on out-of-fold training readings)"
    )
    keys = ("faults", "right_first_time", "precision_when_named", "asks", "top_candidate_accuracy", "ece",
            "macro_f1", "named_on_no_fault")  # fmt: skip
    print(f"{'':22}" + "".join(f"{k[:18]:>20}" for k in keys))
    for name in ("learned", "rules_only", "holdout_learned", "holdout_rules_only"):
        figures = results[name]
        print(f"{name:22}" + "".join(f"{_fmt(figures.get(k)):>20}" for k in keys))
    learned = results["learned"]
    print("per-category F1 (dev, learned):", {k: round(v["f1"], 2) for k, v in learned["per_category"].items()})
    print("support:", {k: v["support"] for k, v in learned["per_category"].items()})
    print("confusions (dev, learned):", [(c["gold"], c["predicted"], c["count"]) for c in learned["confusions"][:10]])
    print("secondary:", learned.get("secondary"), " component:", learned.get("component"))
    print("extraction latency (ms):", {k: round(v, 2) for k, v in results["extract_latency"].items()})


def print_real_intents(figures: dict[str, Any]) -> None:
    """The intent figures on the real dev set."""
    _rule("Intents: real-customer dev set (chat messages)")
    for key in ("messages", "in_scope", "out_of_scope", "in_scope_accuracy", "oos_rejected", "in_scope_rejected",
                "accuracy", "macro_f1", "ece"):  # fmt: skip
        print(f"{key:20} {_fmt(figures[key])}")
    print("per-intent F1:", {k: round(v["f1"], 2) for k, v in figures["per_intent"].items()})
    print("confusions:", [(c["gold"], c["predicted"], c["count"]) for c in figures["confusions"][:10]])
    print_request_figures(figures["requests"], "the real dev set")
    print("parse latency (ms):", {k: round(v, 2) for k, v in figures["latency"].items()})


# ---------------------------------------------------------------------------------------------------------------
# Cross-validation (rasa test nlu)
# ---------------------------------------------------------------------------------------------------------------


def cross_validate(config_path: Path, folds: int, out_dir: Path) -> dict[str, Any]:
    """``rasa test nlu --cross-validation --folds N`` on data/nlu; its accumulated intent report."""
    rasa = Path(sys.executable).with_name("rasa")
    command = [
        str(rasa) if rasa.exists() else "rasa",
        "test",
        "nlu",
        "--nlu",
        str(NLU_DATA),
        "--config",
        str(config_path),
        "--cross-validation",
        "--folds",
        str(folds),
        "--out",
        str(out_dir),
        "--no-plot",
        "--quiet",
    ]
    start = time.perf_counter()
    completed = subprocess.run(command, cwd=ROOT, env=os.environ.copy(), capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    report_file = out_dir / "intent_report.json"
    if completed.returncode != 0 or not report_file.exists():
        tail = "\n".join((completed.stdout + completed.stderr).splitlines()[-30:])
        raise RuntimeError(f"rasa test nlu failed ({completed.returncode}):\n{tail}")
    report = json.loads(report_file.read_text(encoding="utf-8"))
    per_intent = {
        k: v
        for k, v in report.items()
        if isinstance(v, dict) and "f1-score" in v and k not in ("macro avg", "weighted avg", "micro avg")
    }
    return {
        "folds": folds,
        "seconds": elapsed,
        "accuracy": float(report.get("accuracy", report.get("micro avg", {}).get("f1-score", 0.0))),
        "macro_f1": float(report["macro avg"]["f1-score"]),
        "weighted_f1": float(report["weighted avg"]["f1-score"]),
        "per_intent": {
            k: {
                "precision": float(v["precision"]),
                "recall": float(v["recall"]),
                "f1": float(v["f1-score"]),
                "support": int(v["support"]),
            }
            for k, v in sorted(per_intent.items())
        },
    }


# ---------------------------------------------------------------------------------------------------------------
# Printing
# ---------------------------------------------------------------------------------------------------------------


def _rule(title: str) -> None:
    print()
    print(title)
    print("-" * len(title))


def print_intents(name: str, metrics: dict[str, Any], train_seconds: Optional[float], show_confusions: int) -> None:
    """Intent figures for one configuration."""
    _rule(f"Intents on the held-out set [{name}] ({metrics['n']} messages)")
    if train_seconds is not None:
        print(f"training time          {train_seconds:8.1f} s")
    print(f"accuracy               {metrics['accuracy']:8.3f}")
    print(f"macro-F1               {metrics['macro_f1']:8.3f}")
    print(f"weighted-F1            {metrics['weighted_f1']:8.3f}")
    print(f"fallback rate          {metrics['fallback_rate']:8.3f}   (nlu_fallback counted as an error)")
    nofb = metrics["without_fallback"]
    print(
        f"without fallback       acc {nofb['accuracy']:.3f}  macro-F1 {nofb['macro_f1']:.3f}   (top classifier intent)"
    )
    merged = metrics["merged_inform_report"]
    print(
        f"inform+report merged  acc {merged['accuracy']:.3f}  macro-F1 {merged['macro_f1']:.3f}   "
        "(diagnostic: the form treats both alike)"
    )
    lat = metrics["latency"]
    print(
        f"parse latency          mean {lat['mean_ms']:.1f} ms  p50 {lat['p50_ms']:.1f} ms  p95 {lat['p95_ms']:.1f} ms"
    )
    print()
    print(f"{'intent':<20}{'precision':>10}{'recall':>10}{'F1':>10}{'support':>9}")
    for label, row in metrics["per_intent"].items():
        print(f"{label:<20}{row['precision']:>10.3f}{row['recall']:>10.3f}{row['f1']:>10.3f}{row['support']:>9}")
    if metrics["confusions"]:
        print()
        print("top confusions (gold -> predicted: count)")
        for row in metrics["confusions"][:show_confusions]:
            print(f"  {row['gold']:<18} -> {row['predicted']:<18} {row['count']}")
    print()
    print_request_figures(metrics["requests"], "the held-out set")


def print_intent_errors(holdout: Holdout, result: IntentResult, limit: int) -> None:
    """The misclassified held-out messages."""
    rows = [
        (e, p, c)
        for e, p, c in zip(holdout.examples, result.predicted, result.confidence, strict=True)
        if e.intent != p
    ]
    _rule(f"Misclassified messages ({len(rows)})")
    for example, predicted, confidence in rows[:limit]:
        print(f"  [{example.intent} -> {predicted} {confidence:.2f}] {example.text[:110]}")


def print_extraction(results: dict[str, Any], show_failures: int) -> None:
    """Entity scores, defect-category accuracy and extraction latency."""
    _rule("Extraction (bot.nlp Extractor, demo catalogue + demo orders)")
    print(f"{'entity type':<18}{'precision':>10}{'recall':>10}{'F1':>10}{'support':>9}{'TP':>6}{'FP':>6}{'FN':>6}")
    for kind, row in results["entities"].items():
        print(
            f"{kind:<18}{row['precision']:>10.3f}{row['recall']:>10.3f}{row['f1']:>10.3f}{row['support']:>9}"
            f"{row['tp']:>6}{row['fp']:>6}{row['fn']:>6}"
        )
    print(f"(purchase dates found among all resolved dates: {results['purchase_date_any_date_recall']:.3f})")
    defect = results["defect"]
    print()
    print(
        f"defect-category accuracy {defect['accuracy']:.3f} on {defect['n']} labelled messages "
        f"(gold in the extractor's ranked list: {defect['in_ranking']:.3f}; no category found counts as 'other')"
    )
    print(f"{'category':<20}{'n':>5}{'recall':>9}{'precision':>11}")
    for category, row in defect["per_category"].items():
        print(f"{category:<20}{row['n']:>5}{row['recall']:>9.3f}{row['precision']:>11.3f}")
    lat = results["latency"]
    print()
    print(
        f"extraction latency     mean {lat['mean_ms']:.2f} ms  p50 {lat['p50_ms']:.2f} ms  p95 {lat['p95_ms']:.2f} ms"
        f"  (extractor build {results['build_ms']:.0f} ms)"
    )
    if defect["failures"] and show_failures:
        print()
        print(f"defect-category failures ({len(defect['failures'])})")
        for row in defect["failures"][:show_failures]:
            print(f"  [{row['gold']} -> {row['predicted']} {row['ranked']}] {row['text'][:110]}")


def print_comparison(rows: list[dict[str, Any]]) -> None:
    """Side-by-side table of the configurations."""
    _rule("Configuration comparison (held-out set)")
    header = (
        f"{'variant':<16}{'train s':>9}{'acc':>7}{'macro-F1':>10}{'no-fb F1':>10}{'merged F1':>10}{'fallback':>10}"
        f"{'mean ms':>9}{'p95 ms':>8}{'model MB':>10}"
    )
    print(header)
    for row in rows:
        m = row["metrics"]
        print(
            f"{row['name']:<16}{row['train_seconds']:>9.1f}{m['accuracy']:>7.3f}{m['macro_f1']:>10.3f}"
            f"{m['without_fallback']['macro_f1']:>10.3f}{m['merged_inform_report']['macro_f1']:>10.3f}"
            f"{m['fallback_rate']:>10.3f}"
            f"{m['latency']['mean_ms']:>9.1f}{m['latency']['p95_ms']:>8.1f}{row['model_mb']:>10.1f}"
        )
    for row in rows:
        print(f"  {row['name']}: {row['description']}")


def print_cross_validation(cv: dict[str, Any]) -> None:
    """The accumulated intent figures of rasa's cross-validation."""
    _rule(f"Cross-validation on data/nlu ({cv['folds']} folds, {cv['seconds']:.0f} s)")
    print(f"accuracy {cv['accuracy']:.3f}  macro-F1 {cv['macro_f1']:.3f}  weighted-F1 {cv['weighted_f1']:.3f}")
    print(f"{'intent':<20}{'precision':>10}{'recall':>10}{'F1':>10}{'support':>9}")
    for label, row in cv["per_intent"].items():
        print(f"{label:<20}{row['precision']:>10.3f}{row['recall']:>10.3f}{row['f1']:>10.3f}{row['support']:>9}")


# ---------------------------------------------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------------------------------------------


def _quiet_logging(with_rasa: bool) -> None:
    warnings.filterwarnings("ignore")
    if with_rasa:
        from rasa.utils.common import configure_logging_and_warnings
        from rasa.utils.log_utils import configure_structlog

        configure_logging_and_warnings(logging.ERROR)
        configure_structlog(logging.ERROR)
    logging.getLogger().setLevel(logging.ERROR)
    for name in ("rasa", "tensorflow", "absl", "sqlalchemy", "matplotlib", "h5py"):
        logging.getLogger(name).setLevel(logging.ERROR)


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", default=str(ROOT / "config.yml"), help="Rasa config to train (default config.yml)")
    parser.add_argument("--compare", action="store_true", help="train and evaluate several pipeline variants")
    parser.add_argument(
        "--variants",
        default="project,no-char-ngrams,transformer-1,logreg",
        help="comma-separated variants for --compare (project, no-char-ngrams, word-bigrams, transformer-1, logreg, "
        "cues, no-cues, word-bigrams+cues)",
    )
    parser.add_argument("--cross-validation", type=int, metavar="N", help="also run N-fold cross-validation")
    parser.add_argument("--model", help="evaluate this trained model instead of training one")
    parser.add_argument("--holdout", default=str(HOLDOUT), help="held-out YAML file")
    parser.add_argument("--json-out", default=str(DEFAULT_JSON), help=f"JSON summary path (default {DEFAULT_JSON})")
    parser.add_argument("--workdir", help="where models go (default: a new temporary directory)")
    parser.add_argument("--use-cache", action="store_true", help="let Rasa reuse its training cache")
    parser.add_argument("--skip-intents", action="store_true", help="extraction figures only (no training)")
    parser.add_argument(
        "--intents-only",
        action="store_true",
        help="intent figures only (hold-out and real dev set); with --model nothing is trained (~1 min)",
    )
    parser.add_argument("--show-errors", type=int, default=40, help="misclassified messages to list (default 40)")
    parser.add_argument("--show-failures", type=int, default=60, help="defect failures to list (default 60)")
    return parser.parse_args(argv)


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run the benchmark; return a process exit code."""
    args = parse_args(argv)
    if not args.use_cache:
        os.environ["RASA_MAX_CACHE_SIZE"] = "0"
    _quiet_logging(with_rasa=not args.skip_intents)
    holdout = load_holdout(Path(args.holdout))
    leaked = [e.text for e in holdout.examples if normalise_text(e.text) in training_examples()]
    summary: dict[str, Any] = {
        "date": dt.datetime.now().isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]},
        "holdout": {"path": str(args.holdout), "messages": len(holdout.examples), "leaked": leaked},
        "config": str(args.config),
    }
    print(f"held-out messages: {len(holdout.examples)} (today = {holdout.today}); CPUs: {os.cpu_count()}")
    if leaked:
        print(f"WARNING: {len(leaked)} held-out messages also appear in the training data: {leaked[:5]}")

    extraction: Optional[dict[str, Any]] = None
    if not args.intents_only:
        real_defects = evaluate_real_defects(holdout)
        summary["real_defects"] = real_defects
        print_real_defects(real_defects)

        extraction = evaluate_extraction(holdout)
        summary["extraction"] = {k: v for k, v in extraction.items() if k != "entity_errors"}
        summary["extraction"]["entity_errors"] = extraction["entity_errors"]

    base = yaml.safe_load(Path(args.config).read_text(encoding="utf-8"))
    all_variants = variants(base)
    chosen = [v.strip() for v in args.variants.split(",") if v.strip()] if args.compare else ["project"]
    unknown = [v for v in chosen if v not in all_variants]
    if unknown:
        print(f"unknown variants: {unknown}; choose from {sorted(all_variants)}", file=sys.stderr)
        return 2

    rows: list[dict[str, Any]] = []
    workdir = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="nlu-eval-"))
    workdir.mkdir(parents=True, exist_ok=True)
    if not args.skip_intents:
        for name in chosen:
            description, config = all_variants[name]
            if args.model and name == "project":
                model_path, seconds = Path(args.model), float("nan")
            else:
                print(f"training {name} ({description}) into {workdir} ...", flush=True)
                model_path, seconds = train_model(config, workdir, name)
            result = evaluate_intents(model_path, holdout)
            rows.append(
                {
                    "name": name,
                    "description": description,
                    "train_seconds": seconds,
                    "model": str(model_path),
                    "model_mb": model_path.stat().st_size / 1e6,
                    "metrics": result.metrics,
                }
            )
            print_intents(name, result.metrics, seconds, show_confusions=12)
            real = evaluate_real_intents(model_path)
            rows[-1]["real_dev"] = real
            print_real_intents(real)
            if name == chosen[0]:
                print_intent_errors(holdout, result, args.show_errors)
                summary["intent_errors"] = [
                    {"text": e.text, "gold": e.intent, "predicted": p, "confidence": c}
                    for e, p, c in zip(holdout.examples, result.predicted, result.confidence, strict=True)
                    if e.intent != p
                ]
        summary["intents"] = rows
        if len(rows) > 1:
            print_comparison(rows)

    if extraction is not None:
        print_extraction(extraction, args.show_failures)

    json_out = Path(args.json_out)
    json_out.write_text(json.dumps(summary, indent=2, default=str), encoding="utf-8")
    status = 0
    if args.cross_validation:
        cv_dir = workdir / "cross-validation"
        config_path = workdir / "cv.config.yml"
        config_path.write_text(yaml.safe_dump(base, sort_keys=False), encoding="utf-8")
        print(f"\nrunning {args.cross_validation}-fold cross-validation (rasa test nlu) ...", flush=True)
        try:
            cv = cross_validate(config_path, args.cross_validation, cv_dir)
        except RuntimeError as error:
            print(f"cross-validation failed: {error}", file=sys.stderr)
            summary["cross_validation"] = {"error": str(error)}
            status = 1
        else:
            summary["cross_validation"] = cv
            print_cross_validation(cv)
        json_out.write_text(json.dumps(summary, indent=2, default=str), encoding="utf-8")
    print(f"\nJSON summary: {json_out}")
    return status


if __name__ == "__main__":
    raise SystemExit(main())
