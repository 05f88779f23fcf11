"""The training examples the team wrote in ``data/nlu`` (the real-customer file rendered from the corpus excluded)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Optional

import yaml

__all__ = ["NLU_DIR", "REAL_CUSTOMERS_FILE", "nlu_examples"]

NLU_DIR = Path(__file__).resolve().parents[2] / "data" / "nlu"
REAL_CUSTOMERS_FILE = "real_customers.yml"
_ANNOTATION = re.compile(r"\[([^\]]*)\]\((?:[^)]*)\)|\[([^\]]*)\]\{[^}]*\}")


def nlu_examples(nlu_dir: Optional[Path] = None, include_real: bool = False) -> list[tuple[str, str]]:
    """``(text, intent)`` for every example in the NLU files, entity annotations reduced to their text."""
    found: list[tuple[str, str]] = []
    for path in sorted((nlu_dir or NLU_DIR).glob("*.yml")):
        if path.name == REAL_CUSTOMERS_FILE and not include_real:
            continue
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for block in data.get("nlu", []) or []:
            if "intent" not in block:
                continue
            for line in str(block.get("examples", "")).splitlines():
                line = line.strip()
                if line.startswith("- "):
                    text = _ANNOTATION.sub(lambda m: m.group(1) or m.group(2) or "", line[2:]).strip()
                    if text:
                        found.append((text, str(block["intent"])))
    return found
