"""``complaints corpus``: check the real-customer corpus, render its Rasa file, train the defect model.

None of these touch the case database.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import click

from bot.cli.context import json_option


@click.group("corpus")
def corpus() -> None:
    """The real-customer corpus and the models learned from it."""


@corpus.command("check")
@json_option()
def check(as_json: bool) -> None:
    """Format, labels, split and reserved-text check (exit 3 on a match)."""
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
    print(json.dumps(report, indent=2) if as_json else "\n".join(f"{k}: {v}" for k, v in report.items()))
    if bad:
        raise SystemExit(3)


@corpus.command("render-nlu")
@click.option("--check", "only_check", is_flag=True, help="only say whether the committed file is up to date")
def render_nlu(only_check: bool) -> None:
    """Write data/nlu/real_customers.yml from the train split."""
    from bot.nlp.corpus_nlu import nlu_path
    from bot.nlp.corpus_nlu import render_nlu as render

    text = render()
    path = nlu_path()
    if only_check:
        same = path.is_file() and path.read_text(encoding="utf-8") == text
        print(f"{path.name} is {'up to date' if same else 'OUT OF DATE: run complaints corpus render-nlu'}")
        if not same:
            raise SystemExit(3)
        return
    path.write_text(text, encoding="utf-8")
    print(f"wrote {path}")


@corpus.command("train-defects")
@click.option("--rebuild", is_flag=True)
def train_defects(rebuild: bool) -> None:
    """Build (or load) the defect model for the current data."""
    from bot.nlp.defect_model import fingerprint, load_defect_model

    model = load_defect_model(rebuild=rebuild)
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


def register(app: click.Group) -> None:
    """Add ``corpus`` to the CLI."""
    app.add_command(corpus)
