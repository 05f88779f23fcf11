"""How fast the customer hears while the case database is locked, and what the outbox writes afterwards.

    .venv/bin/python benchmarks/outage_answers.py [--conversations N]

Starts the project's stack (tests/support/rasa_stack.py: Rasa with its conversations file and the action
server) on a fresh SQLite database seeded with the demo catalogue. N simulated customers
(tests/support/customer.py) each tell a story and answer the questions up to "Shall I go ahead?"; for each
step the answer time is measured once with the database free and once while another process holds it
locked (``BEGIN EXCLUSIVE``). Then the lock is released, ``complaints outbox replay`` runs, and the cases
are counted. Prints a table of answer times (p50, max) per step and database state, and the replay's figures.
Numbers, not a test: tests/faults/ checks the behaviour.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.cases.availability import FAIL_FAST_SECONDS  # noqa: E402
from tests.support.customer import ANSWERS, Persona  # noqa: E402
from tests.support.faults import locked_sqlite  # noqa: E402
from tests.support.rasa_stack import RasaStack, rasa_stack  # noqa: E402

BIN = Path(sys.executable).parent / "complaints"
STORIES = [
    "the stitching on my boots has split",
    "the sole is coming away from my shoes",
    "the buckle on my bag snapped off",
    "my loafers are a different colour from the photos",
    "the heel came off my boot",
]


def timed(stack: RasaStack, sender: str, text: str) -> tuple[float, str]:
    started = time.monotonic()
    replies = stack.send(sender, text, timeout=60)
    return time.monotonic() - started, "\n".join(str(r.get("text") or "") for r in replies)


def answer(persona: Persona, said: str) -> str:
    question = said.strip().splitlines()[-1] if said.strip() else ""
    for pattern, reply in ANSWERS:
        if pattern.search(question):
            return reply(persona)
    raise SystemExit(f"no answer for: {said}")


def run(conversations: int) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="outage-answers-"))
    db = workdir / "cases.db"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}", "OUTBOX_DIR": str(workdir / "outbox")}
    for args in (["db", "upgrade"], ["seed", "--no-cases"]):
        subprocess.run([str(BIN), *args], env=env, check=True, capture_output=True)
    times: dict[tuple[str, str], list[float]] = {}
    with rasa_stack(env["DATABASE_URL"], workdir / "stack", extra_env={"OUTBOX_DIR": env["OUTBOX_DIR"]}) as stack:
        env["RASA_URL"] = stack.rasa_url
        env.update({k: stack.env[k] for k in ("RASA_AUTH_TOKEN",)})
        for n in range(conversations):
            locked = n % 2 == 1
            persona = Persona(story=STORIES[n % len(STORIES)], resolution="refund please")
            sender = f"outage-{n}-{time.time_ns()}"
            message, step = persona.story, "story"
            for _ in range(20):
                final = step == "yes"
                if locked and step in ("story", "yes"):
                    with locked_sqlite(db):
                        took, said = timed(stack, sender, message)
                    time.sleep(FAIL_FAST_SECONDS)
                else:
                    took, said = timed(stack, sender, message)
                held = "locked" if locked and step in ("story", "yes") else "free"
                times.setdefault((step, held), []).append(took)
                if final:
                    break
                message = answer(persona, said)
                step = "yes" if "go ahead" in said.lower() else "form answer"
        replay = subprocess.run(
            [str(BIN), "outbox", "replay", "--json"], env=env, check=True, capture_output=True, text=True
        )
        cases = json.loads(
            subprocess.run(
                [str(BIN), "cases", "list", "--json", "--limit", "1000"], env=env, check=True, capture_output=True
            ).stdout
        )
    print(f"{conversations} conversations; every other one with the case database locked at the story and the yes\n")
    print("| step | case database | answers | p50 (s) | max (s) |")
    print("| --- | --- | --- | --- | --- |")
    for (step, state), values in sorted(times.items()):
        print(f"| {step} | {state} | {len(values)} | {statistics.median(values):.2f} | {max(values):.2f} |")
    report = json.loads(replay.stdout)
    print(
        f"\noutbox replay: {report['written']} written, {report['already_there']} already there, "
        f"{report['waiting']} waiting; cases in the database: {len(cases)} (expected {conversations})"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=10)
    args = parser.parse_args()
    run(args.conversations)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
