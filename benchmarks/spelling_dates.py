"""Spelling correction and relative dates: kept libraries (rapidfuzz, symspellpy, dateparser) vs our own code.

One command::

    .venv/bin/python benchmarks/spelling_dates.py [--json-out /tmp/spelling_dates.json] [--skip-corpus]

Spelling (``bot.nlp.fuzzy.FuzzyIndex``, used by the extractor to correct words of five letters or more that are
neither English nor domain words). Every candidate has FuzzyIndex's API (``FuzzyIndex(words)``, ``known``,
``correct``) and is plugged into the run-time extractor in FuzzyIndex's place:

1. end to end, hold-out set (tests/nlu_holdout/messages.yml): entity micro-F1, per-type F1 of the types a
   correction can change, defect-category accuracy, extraction latency (the figures of ``nlu_eval.py
   --skip-intents``);
2. end to end, real-customer corpus dev split (``load_corpus(split="dev")``, never trained on): defect reading,
   learned model and rules alone (``bot.nlp.evaluation.evaluate_defect_reading``);
3. tokens: the words the extractor actually asks the corrector about on those two sets (recorded), how many each
   candidate changes, and where candidates disagree; plus seeded synthetic misspellings (one and two random
   edits) of the domain words found in those texts, scored as precision/recall of the corrected tokens;
4. speed: index build time and corrections per second on the recorded real query stream.

Dates (``bot.nlp.dates.find_dates``): ours vs ``dateparser.search.search_dates`` (RELATIVE_BASE = today,
PREFER_DATES_FROM past, DATE_ORDER DMY, PREFER_DAY_OF_MONTH first, languages en) vs both combinations, on every
hold-out message with a purchase_date, the other hold-out messages (spurious dates), the unit tests' cases
(tests/unit/test_dates.py) and end to end (purchase_date F1 with the candidate plugged into the extractor).

Nothing is tuned on these sets; no data is downloaded at run time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import re
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Optional

ROOT = Path(__file__).resolve().parent.parent
for extra in (ROOT, ROOT / "benchmarks"):
    if str(extra) not in sys.path:
        sys.path.insert(0, str(extra))
os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
os.environ.setdefault("LOG_LEVEL", "ERROR")
warnings.filterwarnings("ignore")

import nlu_eval  # noqa: E402
from nlu_eval import load_holdout, percentile  # noqa: E402

import bot.nlp.dates as dates_mod  # noqa: E402
import bot.nlp.fuzzy as fuzzy_mod  # noqa: E402
from bot.nlp.dates import DateMention  # noqa: E402

DEFAULT_JSON = Path(tempfile.gettempdir()) / "spelling_dates.json"
ORIGINAL_FUZZY = fuzzy_mod.FuzzyIndex
ORIGINAL_FIND_DATES = dates_mod.find_dates

# ---------------------------------------------------------------------------------------------------------------
# Spelling candidates (FuzzyIndex's API)
# ---------------------------------------------------------------------------------------------------------------


class HandWritten:
    """The hand-written one-edit corrector as it was before this comparison (symmetric delete index)."""

    name = "own (hand-written)"

    def __init__(self, words: Iterable[str]) -> None:
        self._words: set[str] = set(words)
        self._deletes: dict[str, set[str]] = {}
        for word in self._words:
            for variant in self._variants(word):
                self._deletes.setdefault(variant, set()).add(word)

    @staticmethod
    def _variants(word: str) -> set[str]:
        return {word} | {word[:i] + word[i + 1 :] for i in range(len(word))}

    def known(self, word: str) -> bool:
        return word in self._words

    def correct(self, word: str) -> Optional[str]:
        candidates: set[str] = set()
        for variant in self._variants(word):
            candidates.update(self._deletes.get(variant, ()))
        candidates = {c for c in candidates if c[0] == word[0] and _within_one_edit(word, c)}
        return candidates.pop() if len(candidates) == 1 else None


def _within_one_edit(a: str, b: str) -> bool:
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diffs = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diffs) == 1:
            return True
        return (
            len(diffs) == 2 and diffs[1] == diffs[0] + 1 and a[diffs[0]] == b[diffs[1]] and a[diffs[1]] == b[diffs[0]]
        )
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


class _Rapidfuzz:
    """rapidfuzz ``process.extractOne`` with an edit distance and a cutoff (ties: the first in vocabulary order)."""

    name = "rapidfuzz"
    scorer_name = "Levenshtein"
    cutoff = 1
    guarded = False  # True: same first letter and a unique closest word, as ours

    def __init__(self, words: Iterable[str]) -> None:
        from rapidfuzz import distance, process

        self._process = process
        self._scorer = getattr(distance, self.scorer_name).distance
        self._words = set(words)
        self._list = sorted(self._words)

    def known(self, word: str) -> bool:
        return word in self._words

    def correct(self, word: str) -> Optional[str]:
        if not self.guarded:
            best = self._process.extractOne(word, self._list, scorer=self._scorer, score_cutoff=self.cutoff)
            return best[0] if best else None
        found = self._process.extract(word, self._list, scorer=self._scorer, score_cutoff=self.cutoff, limit=None)
        found = [f for f in found if f[0][0] == word[0]]
        if not found:
            return None
        closest = min(f[1] for f in found)
        top = [f[0] for f in found if f[1] == closest]
        return top[0] if len(top) == 1 else None


class _SymSpell:
    """symspellpy ``SymSpell.lookup`` (Verbosity.CLOSEST) over the same domain vocabulary, each word count 1."""

    name = "symspellpy"
    max_distance = 1
    guarded = False

    def __init__(self, words: Iterable[str]) -> None:
        from symspellpy import SymSpell, Verbosity

        self._verbosity = Verbosity.CLOSEST
        self._words = set(words)
        self._sym = SymSpell(max_dictionary_edit_distance=self.max_distance, prefix_length=7)
        for word in sorted(self._words):
            self._sym.create_dictionary_entry(word, 1)

    def known(self, word: str) -> bool:
        return word in self._words

    def correct(self, word: str) -> Optional[str]:
        found = self._sym.lookup(word, self._verbosity, max_edit_distance=self.max_distance)
        if not found:
            return None
        if not self.guarded:
            return str(found[0].term)
        top = [s.term for s in found if s.term[0] == word[0]]
        closest = [s.term for s in found if s.term[0] == word[0] and s.distance == found[0].distance]
        return str(closest[0]) if top and len(closest) == 1 and len(top) == len(closest) else None


def _variant(base: type, label: str, **attrs: Any) -> Any:
    return type(label, (base,), {"name": label, **attrs})


SPELLING_CANDIDATES: list[Any] = [
    HandWritten,
    _variant(_Rapidfuzz, "rapidfuzz Levenshtein<=1", scorer_name="Levenshtein", cutoff=1),
    _variant(_Rapidfuzz, "rapidfuzz OSA-Damerau<=1", scorer_name="OSA", cutoff=1),
    _variant(_Rapidfuzz, "rapidfuzz Damerau<=2", scorer_name="DamerauLevenshtein", cutoff=2),
    _variant(_Rapidfuzz, "rapidfuzz OSA<=1 + our guards", scorer_name="OSA", cutoff=1, guarded=True),
    _variant(_SymSpell, "symspellpy d<=1", max_distance=1),
    _variant(_SymSpell, "symspellpy d<=2", max_distance=2),
    _variant(_SymSpell, "symspellpy d<=1 + our guards", max_distance=1, guarded=True),
]
if ORIGINAL_FUZZY.__module__ == "bot.nlp.fuzzy" and getattr(ORIGINAL_FUZZY, "BACKEND", None):
    # The shipped FuzzyIndex (after a switch) is measured too, so the record shows it equals its candidate.
    SPELLING_CANDIDATES.append(_variant(ORIGINAL_FUZZY, f"shipped FuzzyIndex ({ORIGINAL_FUZZY.BACKEND})"))


@contextmanager
def patched(name: str, original: Any, replacement: Any) -> Iterator[None]:
    """Replace ``original`` wherever a bot.nlp module imported it as ``name`` (robust to modules being split)."""
    import bot.nlp.extraction  # noqa: F401 - make sure the extractor's modules are loaded

    touched = [
        m for key, m in list(sys.modules.items()) if key.startswith("bot.") and getattr(m, name, None) is original
    ]
    for module in touched:
        setattr(module, name, replacement)
    try:
        yield
    finally:
        for module in touched:
            setattr(module, name, original)


class Recording:
    """Wraps a corrector class: records every word the extractor asks it to correct."""

    queries: list[str] = []
    vocabulary: set[str] = set()

    def __init__(self, words: Iterable[str]) -> None:
        words = list(words)
        Recording.vocabulary = set(words)
        self._inner = ORIGINAL_FUZZY(words)

    def known(self, word: str) -> bool:
        return self._inner.known(word)

    def correct(self, word: str) -> Optional[str]:
        Recording.queries.append(word)
        return self._inner.correct(word)


# ---------------------------------------------------------------------------------------------------------------
# Spelling: evaluation
# ---------------------------------------------------------------------------------------------------------------


def _defect_reading(dev: Sequence[Any]) -> dict[str, Any]:
    from bot.nlp.evaluation import evaluate_defect_reading
    from bot.nlp.extraction import CatalogueEntry, Extractor

    rows = nlu_eval.demo_catalogue()
    entries = [CatalogueEntry.from_record(r) for r in rows]
    numbers = nlu_eval.demo_order_numbers(rows)
    out: dict[str, Any] = {}
    for label, learned in (("learned", True), ("rules", False)):
        figures = evaluate_defect_reading(Extractor(entries, numbers, learned=learned), dev)
        out[label] = {
            k: figures.get(k)
            for k in (
                "faults",
                "right_first_time",
                "precision_when_named",
                "asks",
                "macro_f1",
                "named_on_no_fault",
                "component",
            )
        }
    return out


def spelling_end_to_end(holdout: Any, dev: Sequence[Any]) -> list[dict[str, Any]]:
    rows = []
    for cls in SPELLING_CANDIDATES:
        with patched("FuzzyIndex", ORIGINAL_FUZZY, cls):
            ext = nlu_eval.evaluate_extraction(holdout)
            corpus = _defect_reading(dev) if dev else {}
        ents = ext["entities"]
        rows.append(
            {
                "name": cls.name,
                "micro_f1": ents["micro_all"]["f1"],
                "micro": ents["micro_all"],
                "f1": {k: ents[k]["f1"] for k in ("defect_category", "component", "product", "product_line", "colour")},
                "defect_accuracy": ext["defect"]["accuracy"],
                "defect_n": ext["defect"]["n"],
                "latency": ext["latency"],
                "extractor_build_ms": ext["build_ms"],
                "corpus_dev": corpus,
            }
        )
        print(
            f"  {cls.name:32s} micro-F1 {rows[-1]['micro_f1']:.4f}  defect acc {rows[-1]['defect_accuracy']:.4f}  "
            f"p95 {ext['latency']['p95_ms']:.2f} ms",
            flush=True,
        )
    return rows


def record_queries(holdout: Any, dev: Sequence[Any]) -> tuple[list[str], set[str], list[str]]:
    """The words the extractor asks the corrector about on the hold-out and dev texts; the vocabulary; all tokens."""
    from bot.nlp.extraction import CatalogueEntry, Extractor

    rows = nlu_eval.demo_catalogue()
    Recording.queries = []
    with patched("FuzzyIndex", ORIGINAL_FUZZY, Recording):
        extractor = Extractor([CatalogueEntry.from_record(r) for r in rows], nlu_eval.demo_order_numbers(rows))
        texts = [e.text for e in holdout.examples] + [t.text for t in dev]
        for text in texts:
            extractor.extract(text, holdout.today)
    tokens = [t.lower() for text in texts for t in re.findall(r"[A-Za-z]+", text)]
    return list(Recording.queries), set(Recording.vocabulary), tokens


_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _one_edit(word: str, rng: random.Random) -> str:
    op = rng.choice(("delete", "insert", "substitute", "transpose"))
    i = rng.randrange(1, len(word))  # keep the first letter: typos there are rarer and all candidates can miss them
    if op == "delete":
        return word[:i] + word[i + 1 :]
    if op == "insert":
        return word[:i] + rng.choice(_LETTERS) + word[i:]
    if op == "substitute":
        return word[:i] + rng.choice(_LETTERS.replace(word[i], "")) + word[i + 1 :]
    if i == len(word) - 1:
        i -= 1
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :] if word[i] != word[i + 1] else word[:i] + word[i + 1 :]


def synthetic_misspellings(
    vocabulary: set[str], tokens: Sequence[str], english: Callable[[str], bool], edits: int, seed: int = 2026
) -> list[tuple[str, str]]:
    """(misspelt, intended) for every domain-word occurrence in the texts, with ``edits`` random edits each."""
    rng = random.Random(seed)
    out: list[tuple[str, str]] = []
    for word in tokens:
        if word not in vocabulary:
            continue
        for _ in range(20):
            typo = word
            for _ in range(edits):
                typo = _one_edit(typo, rng)
            # Only what reaches the corrector at run time: not a vocabulary word, not an English word.
            if typo != word and len(typo) >= 5 and typo not in vocabulary and not english(typo):
                out.append((typo, word))
                break
    return out


def _english_resources() -> Any:
    """The extractor's English word lists (its module moves while the extractor is being split up)."""
    import importlib

    for module, attr in (("bot.nlp.recognisers.normalise", "resources"), ("bot.nlp.extraction", "_resources")):
        try:
            return getattr(importlib.import_module(module), attr)()
        except (ImportError, AttributeError):
            continue
    raise RuntimeError("cannot find the extractor's resources()")


def token_scores(cls: Any, vocabulary: set[str], pairs: Sequence[tuple[str, str]]) -> dict[str, float]:
    index = cls(vocabulary)
    made = right = 0
    for typo, intended in pairs:
        fixed = index.correct(typo)
        if fixed is not None:
            made += 1
            right += fixed == intended
    precision = right / made if made else 0.0
    recall = right / len(pairs) if pairs else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"n": len(pairs), "corrected": made, "right": right, "precision": precision, "recall": recall, "f1": f1}


def spelling_tokens(holdout: Any, dev: Sequence[Any]) -> dict[str, Any]:
    queries, vocabulary, tokens = record_queries(holdout, dev)
    res = _english_resources()

    def english(word: str) -> bool:
        return word in res.known_words or word in res.lemmas

    synthetic = {n: synthetic_misspellings(vocabulary, tokens, english, n) for n in (1, 2)}
    distinct = sorted(set(queries))
    results: dict[str, Any] = {
        "vocabulary": len(vocabulary),
        "real_queries": len(queries),
        "real_distinct": len(distinct),
        "synthetic_n": {n: len(p) for n, p in synthetic.items()},
        "candidates": [],
    }
    outputs: dict[str, dict[str, Optional[str]]] = {}
    for cls in SPELLING_CANDIDATES:
        start = time.perf_counter()
        for _ in range(5):
            index = cls(vocabulary)
        build_ms = (time.perf_counter() - start) / 5 * 1000
        outputs[cls.name] = {q: index.correct(q) for q in distinct}
        stream = queries * max(1, 20000 // max(1, len(queries)))
        start = time.perf_counter()
        for q in stream:
            index.correct(q)
        per_second = len(stream) / (time.perf_counter() - start)
        row = {
            "name": cls.name,
            "build_ms": build_ms,
            "corrections_per_s": per_second,
            "real_changed": sum(v is not None for v in outputs[cls.name].values()),
            "synthetic_1": token_scores(cls, vocabulary, synthetic[1]),
            "synthetic_2": token_scores(cls, vocabulary, synthetic[2]),
        }
        results["candidates"].append(row)
        s1, s2 = row["synthetic_1"], row["synthetic_2"]
        print(
            f"  {cls.name:32s} build {build_ms:7.1f} ms  {per_second:9.0f}/s  real changed {row['real_changed']:3d}  "
            f"1-edit P {s1['precision']:.3f} R {s1['recall']:.3f}  2-edit P {s2['precision']:.3f} R {s2['recall']:.3f}",
            flush=True,
        )
    own = outputs[HandWritten.name]
    results["real_corrections"] = {
        q: {name: out[q] for name, out in outputs.items()}
        for q in distinct
        if any(out[q] is not None for out in outputs.values())
    }
    results["real_disagreements_with_own"] = {
        name: sum(out[q] != own[q] for q in distinct) for name, out in outputs.items()
    }
    return results


# ---------------------------------------------------------------------------------------------------------------
# Dates
# ---------------------------------------------------------------------------------------------------------------


def _dateparser_settings(today: dt.date) -> dict[str, Any]:
    return {
        "RELATIVE_BASE": dt.datetime(today.year, today.month, today.day),
        "PREFER_DATES_FROM": "past",
        "DATE_ORDER": "DMY",
        "PREFER_DAY_OF_MONTH": "first",
    }


def dateparser_find(text: str, today: dt.date) -> list[DateMention]:
    """``search_dates`` as DateMentions (granularity unknown to dateparser: "day")."""
    from dateparser.search import search_dates

    found = search_dates(text, languages=["en"], settings=_dateparser_settings(today)) or []
    mentions: list[DateMention] = []
    cursor = 0
    for raw, when in found:
        start = text.find(raw, cursor)
        if start < 0:
            start = text.find(raw)
        if start < 0:
            continue
        cursor = start + len(raw)
        mentions.append(DateMention(raw, when.date(), start, start + len(raw), "day"))
    return mentions


def _merge(first: list[DateMention], second: list[DateMention]) -> list[DateMention]:
    kept = list(first)
    for m in second:
        if all(m.end <= o.start or m.start >= o.end for o in kept):
            kept.append(m)
    return sorted(kept, key=lambda m: m.start)


def dateparser_then_ours(text: str, today: dt.date) -> list[DateMention]:
    return _merge(dateparser_find(text, today), ORIGINAL_FIND_DATES(text, today))


def ours_then_dateparser(text: str, today: dt.date) -> list[DateMention]:
    return _merge(ORIGINAL_FIND_DATES(text, today), dateparser_find(text, today))


DATE_CANDIDATES: dict[str, Callable[[str, dt.date], list[DateMention]]] = {
    "ours (bot.nlp.dates)": ORIGINAL_FIND_DATES,
    "dateparser search_dates": dateparser_find,
    "dateparser, then our rules": dateparser_then_ours,
    "ours, then dateparser": ours_then_dateparser,
}


def _unit_test_cases() -> tuple[dt.date, list[tuple[str, str]], list[str]]:
    """The resolve cases and the "finds nothing" cases of tests/unit/test_dates.py."""
    sys.path.insert(0, str(ROOT))
    import tests.unit.test_dates as td

    resolve: list[tuple[str, str]] = []
    nothing: list[str] = []
    for mark in getattr(td.test_resolves_expression, "pytestmark", []):
        if mark.name == "parametrize":
            resolve = [tuple(c) for c in mark.args[1]]  # type: ignore[misc]
    for mark in getattr(td.test_finds_nothing, "pytestmark", []):
        if mark.name == "parametrize":
            nothing = list(mark.args[1])
    return td.TODAY, resolve, nothing


def dates_eval(holdout: Any) -> list[dict[str, Any]]:
    from bot.nlp.extraction import CatalogueEntry, Extractor  # noqa: F401

    with_date = [e for e in holdout.examples if e.entities.get("purchase_date")]
    without = [e for e in holdout.examples if not e.entities.get("purchase_date")]
    unit_today, resolve_cases, nothing_cases = _unit_test_cases()
    rows = []
    for name, finder in DATE_CANDIDATES.items():
        finder(("warm up three weeks ago"), holdout.today)
        times: list[float] = []
        hit = first_hit = 0
        misses: list[str] = []
        for e in with_date:
            start = time.perf_counter()
            found = finder(e.text, holdout.today)
            times.append(time.perf_counter() - start)
            gold = str(e.entities["purchase_date"])
            hit += any(m.date.isoformat() == gold for m in found)
            first_hit += bool(found) and found[0].date.isoformat() == gold
            if not any(m.date.isoformat() == gold for m in found):
                misses.append(f"{e.text!r} -> {[m.as_dict() for m in found]} (gold {gold})")
        spurious = 0
        spurious_examples: list[str] = []
        for e in without:
            start = time.perf_counter()
            found = finder(e.text, holdout.today)
            times.append(time.perf_counter() - start)
            if found:
                spurious += 1
                if len(spurious_examples) < 12:
                    spurious_examples.append(f"{e.text!r} -> {[m.as_dict() for m in found]}")
        unit_right = 0
        unit_wrong: list[str] = []
        for text, expected in resolve_cases:
            found = finder(text, unit_today)
            got = found[0].date.isoformat() if found else None
            unit_right += got == expected
            if got != expected:
                unit_wrong.append(f"{text!r}: {got} (want {expected})")
        nothing_right = sum(not finder(text, unit_today) for text in nothing_cases)
        with patched("find_dates", ORIGINAL_FIND_DATES, finder):
            ext = nlu_eval.evaluate_extraction(holdout)
        row = {
            "name": name,
            "purchase_messages": len(with_date),
            "any_date_recall": hit / len(with_date),
            "first_date_accuracy": first_hit / len(with_date),
            "other_messages": len(without),
            "messages_with_spurious_date": spurious,
            "unit_resolve_right": unit_right,
            "unit_resolve_n": len(resolve_cases),
            "unit_nothing_right": nothing_right,
            "unit_nothing_n": len(nothing_cases),
            "purchase_date_f1": ext["entities"]["purchase_date"]["f1"],
            "purchase_date": ext["entities"]["purchase_date"],
            "micro_f1": ext["entities"]["micro_all"]["f1"],
            "find_ms": {"mean": sum(times) / len(times) * 1000, "p95": percentile([t * 1000 for t in times], 95)},
            "extraction_latency": ext["latency"],
            "misses": misses,
            "spurious_examples": spurious_examples,
            "unit_wrong": unit_wrong,
        }
        rows.append(row)
        print(
            f"  {name:28s} purchase any {row['any_date_recall']:.3f} first {row['first_date_accuracy']:.3f}  "
            f"spurious {spurious}/{len(without)}  unit {unit_right}/{len(resolve_cases)} nothing "
            f"{nothing_right}/{len(nothing_cases)}  e2e purchase F1 {row['purchase_date_f1']:.3f}  "
            f"find mean {row['find_ms']['mean']:.2f} ms p95 {row['find_ms']['p95']:.2f} ms  "
            f"extract p95 {ext['latency']['p95_ms']:.2f} ms",
            flush=True,
        )
    return rows


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json-out", default=str(DEFAULT_JSON))
    parser.add_argument("--skip-corpus", action="store_true", help="hold-out set only (faster)")
    parser.add_argument("--only", choices=("spelling", "dates"), default=None)
    args = parser.parse_args(argv)
    nlu_eval._quiet_logging(with_rasa=False)
    from bot.nlp.corpus import load_corpus

    holdout = load_holdout()
    dev = [] if args.skip_corpus else load_corpus(split="dev")
    print(f"hold-out messages: {len(holdout.examples)} (today {holdout.today}); corpus dev texts: {len(dev)}")
    summary: dict[str, Any] = {"date": dt.datetime.now().isoformat(timespec="seconds"), "cpus": os.cpu_count()}
    if args.only in (None, "spelling"):
        print("spelling, end to end (extractor with each corrector):")
        summary["spelling_end_to_end"] = spelling_end_to_end(holdout, dev)
        print("spelling, tokens and speed:")
        summary["spelling_tokens"] = spelling_tokens(holdout, dev)
    if args.only in (None, "dates"):
        print("dates:")
        summary["dates"] = dates_eval(holdout)
    Path(args.json_out).write_text(json.dumps(summary, indent=2, default=str), encoding="utf-8")
    print(f"JSON: {args.json_out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
