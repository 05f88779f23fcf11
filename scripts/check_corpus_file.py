"""Check corpus files: format, labels, unique ids and no reserved text (prints offending ids).

Usage: python3 scripts/check_corpus_file.py [data/corpus/FILE.jsonl ...]
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.nlp.corpus import CORPUS_DIR, load_corpus, reserved_hashes, reserved_matches  # noqa: E402


def main(argv: list[str]) -> int:
    """Load the corpus (or the named files), report counts and any text matching a reserved hash."""
    reserved = reserved_hashes()
    texts = load_corpus(CORPUS_DIR)
    if argv:
        names = {Path(arg).name for arg in argv}
        texts = [item for item in texts if item.file in names]
    bad = [item.id for item in texts if reserved_matches(item.text, reserved)]
    print(f"{len(texts)} texts; reserved hashes known: {len(reserved)}")
    print("kinds:", dict(Counter(item.kind for item in texts)))
    print("splits:", dict(Counter(item.split for item in texts)))
    print("defects:", dict(Counter(item.defect_category for item in texts).most_common()))
    print("intents:", dict(Counter(item.intent for item in texts if item.intent).most_common()))
    if bad:
        print("RESERVED (remove these):", " ".join(bad))
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
