"""``complaints corpus``: check the real-customer corpus, render its Rasa file, train the defect model.

None of these touch the case database (``store`` is unused).
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from typing import Any


def _cmd_check(store: Any, args: argparse.Namespace) -> None:
    from bot.nlp.corpus import load_corpus, reserved_hashes, reserved_matches

    texts = load_corpus()
    reserved = reserved_hashes()
    bad = [t.id for t in texts if reserved_matches(t.text, reserved)]
    report: dict[str, Any] = {
        "texts": len(texts),
        "splits": dict(Counter(t.split for t in texts)),
        "kinds": dict(Counter(t.kind for t in texts)),
        "defect_categories": dict(Counter(t.defect_category or "none" for t in texts).most_common()),
        "intents": dict(Counter(t.intent for t in texts if t.intent).most_common()),
        "reserved_hashes": len(reserved),
        "reserved_matches": bad,
    }
    print(json.dumps(report, indent=2) if args.json else "\n".join(f"{k}: {v}" for k, v in report.items()))
    if bad:
        raise SystemExit(3)


def _cmd_render(store: Any, args: argparse.Namespace) -> None:
    from bot.nlp.corpus_nlu import nlu_path, render_nlu

    text = render_nlu()
    path = nlu_path()
    if args.check:
        same = path.is_file() and path.read_text(encoding="utf-8") == text
        print(f"{path.name} is {'up to date' if same else 'OUT OF DATE: run complaints corpus render-nlu'}")
        if not same:
            raise SystemExit(3)
        return
    path.write_text(text, encoding="utf-8")
    print(f"wrote {path}")


def _cmd_train(store: Any, args: argparse.Namespace) -> None:
    from bot.nlp.defect_model import fingerprint, load_defect_model

    model = load_defect_model(rebuild=args.rebuild)
    print(
        json.dumps(
            {
                "fingerprint": fingerprint(),
                "trained_on": model.trained_on,
                "threshold": model.threshold,
                "agree_threshold": model.agree_threshold,
                "secondary_threshold": model.secondary_threshold,
                "component_threshold": model.component_threshold,
            }
        )
    )


def add_corpus_command(sub: Any) -> None:
    """Register ``complaints corpus ...``."""
    corpus = sub.add_parser("corpus", help="the real-customer corpus and the models learned from it").add_subparsers(
        dest="corpus_command", required=True
    )
    check = corpus.add_parser("check", help="format, labels, split and reserved-text check (exit 3 on a match)")
    check.add_argument("--json", action="store_true")
    check.set_defaults(func=_cmd_check)
    render = corpus.add_parser("render-nlu", help="write data/nlu/real_customers.yml from the train split")
    render.add_argument("--check", action="store_true", help="only say whether the committed file is up to date")
    render.set_defaults(func=_cmd_render)
    train = corpus.add_parser("train-defects", help="build (or load) the defect model for the current data")
    train.add_argument("--rebuild", action="store_true")
    train.set_defaults(func=_cmd_train)
