"""Slack triage app: time until the ack (the HTTP response) under 50 signed requests a second.

    .venv/bin/python benchmarks/slack_ack_latency.py [--rate 50] [--seconds 20] [--postgres]

Starts the real triage app as its own process (``complaints slack --port``: ``build_app`` from
``integrations/slack/app.py`` served by waitress with 8 threads; ``--in-process`` serves it in a thread
of this process instead) on a free port, pointed at the local Slack Web API
stand-in (``tests/support/slack_standin.py``) and a small Rasa tracker stand-in (take over / hand
back pause and resume the assistant), on a seeded SQLite database (``--postgres``: a throw-away
PostgreSQL server). It sends requests signed like Slack signs them, open-loop at ``--rate`` a
second for ``--seconds`` (request *i* goes at ``start + i / rate`` whatever the earlier ones are
doing; latency is counted from that planned moment), round-robin over every triage handler: each
card button, each modal submission, ``/case``, ``/cases``, ``app_home_opened`` and thread-reply
``message`` events. It prints per-handler p50/p95/p99/max until the response, errors (non-200, a
refused connection, or a form sent back with errors) and the share answered within Slack's 3 s.
Then it waits for the lazy listeners and checks that every request changed its case.
"""

from __future__ import annotations

import argparse
import itertools
import json
import logging
import math
import os
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402

from bot.cases import migrate, service  # noqa: E402
from bot.cases.models import Case, CaseEvent  # noqa: E402
from bot.cases.service import CaseDraft, TranscriptTurn  # noqa: E402
from bot.cases.store import Store, open_store  # noqa: E402
from bot.settings import load_settings  # noqa: E402
from integrations.slack import cards  # noqa: E402
from integrations.slack.app import build_app, wsgi_app  # noqa: E402
from integrations.slack.client import web_client  # noqa: E402
from integrations.slack.posting import card_location, post_new_cases  # noqa: E402
from tests.support.servers import create_database, free_port, postgres_server, wait_for_port  # noqa: E402
from tests.support.slack_standin import (  # noqa: E402
    RasaRecorder,
    SignedSender,
    SlackStandIn,
    block_action,
    view_submission,
)

SECRET = "bench-signing-secret-0123456789abcdef"  # noqa: S105 - the local stand-in's, not a real one
TRIAGE = "#complaints-triage"
STAFF = "U100"
ACK_LIMIT = 3.0
NOTE_PREFIXES = ("Called the customer (", "Reply ")
POOLS = ("general", "resolve", "reopen", "takeover", "handback")


@dataclass
class Seeded:
    """Cases with posted cards, in one pool per kind of change (each case changed once)."""

    pools: dict[str, list[str]] = field(default_factory=dict)
    cards: dict[str, tuple[str, str]] = field(default_factory=dict)  # reference -> (channel, ts) of its card


def seed(store: Store, per_pool: int) -> Seeded:
    """Open cases, post their cards; resolve the reopen pool and take over the hand-back pool."""
    client = web_client(store.settings)
    seeded = Seeded()
    n = 0
    for pool in POOLS:
        refs = []
        for _ in range(per_pool):
            n += 1
            draft = CaseDraft(
                description="the sole came away from the upper after two weeks",
                customer_name="Load Test",
                customer_email=f"load{n}@example.com",
                defect_category="sole_separation",
                component="sole",
                channel="slack",
                conversation_id=f"U9{n:05d}_D9{n:05d}_1800000000.{n:06d}",
                transcript=[TranscriptTurn("customer", "my sole came off")],
            )
            refs.append(service.open_case(store, draft).reference)
        seeded.pools[pool] = refs
    while post_new_cases(store, client, TRIAGE, limit=200):
        pass
    for ref in seeded.pools["reopen"]:
        service.resolve_case(store, ref, "replacement", "seed")
    for ref in seeded.pools["handback"]:
        service.record_event(store, ref, cards.TAKEOVER_STARTED, f"slack:{STAFF}", {"conversation_id": "seed"})
    for ref in seeded.pools["general"]:
        seeded.cards[ref] = card_location(store, ref) or ("", "")
    return seeded


def _select(value: str) -> dict[str, Any]:
    return {"type": "static_select", "selected_option": {"value": value}}


def _typed(value: str) -> dict[str, Any]:
    return {"type": "plain_text_input", "value": value}


def _button(action_id: str, ref: str) -> dict[str, Any]:
    return block_action({"action_id": action_id, "type": "button", "value": ref}, user=STAFF)


Send = Callable[[SignedSender, str, int], Any]


def handlers(seeded: Seeded) -> dict[str, tuple[str, Send]]:
    """Handler name -> (case pool, function sending one request for a case)."""
    meta = cards.note_modal  # every modal carries the same metadata: the case reference

    def private(ref: str) -> str:
        return str(meta(ref)["private_metadata"])

    def thread_reply(sender: SignedSender, ref: str, n: int) -> Any:
        channel, ts = seeded.cards.get(ref, ("", ""))  # looked up at seed time: no database work while timing
        event = {"type": "message", "channel": channel, "user": "U200", "text": f"Reply {n} from the warehouse",
                 "ts": f"1800001000.{n:06d}", "thread_ts": ts, "channel_type": "channel"}  # fmt: skip
        return sender.event(event, event_id=f"EvBench{n}")

    return {
        "button: assign": ("general", lambda s, ref, n: s.interaction(_button(cards.ACTION_ASSIGN, ref))),
        "select: priority": (
            "general",
            lambda s, ref, n: s.interaction(
                block_action(
                    {
                        "action_id": cards.ACTION_PRIORITY,
                        "type": "static_select",
                        "selected_option": {"value": f"{ref}|urgent"},  # the seeded cases are high: a change
                    },
                    user=STAFF,
                )  # fmt: skip
            ),
        ),
        "button: escalate (opens modal)": (
            "general",
            lambda s, ref, n: s.interaction(_button(cards.ACTION_ESCALATE, ref)),
        ),
        "button: note (opens modal)": ("general", lambda s, ref, n: s.interaction(_button(cards.ACTION_NOTE, ref))),
        "button: resolve (opens modal)": (
            "general",
            lambda s, ref, n: s.interaction(_button(cards.ACTION_RESOLVE, ref)),
        ),
        "button: reopen": ("reopen", lambda s, ref, n: s.interaction(_button(cards.ACTION_REOPEN, ref))),
        "button: take over": ("takeover", lambda s, ref, n: s.interaction(_button(cards.ACTION_TAKEOVER, ref))),
        "button: hand back": ("handback", lambda s, ref, n: s.interaction(_button(cards.ACTION_HANDBACK, ref))),
        "view: escalate": (
            "general",
            lambda s, ref, n: s.interaction(
                view_submission(
                    cards.VIEW_ESCALATE,
                    private(ref),
                    {"target": _select("quality"), "reason": _typed("third this week")},
                    user=STAFF,
                )
            ),  # fmt: skip
        ),
        "view: note": (
            "general",
            lambda s, ref, n: s.interaction(
                view_submission(
                    cards.VIEW_NOTE, private(ref), {"note": _typed(f"Called the customer ({n})")}, user=STAFF
                )
            ),  # fmt: skip
        ),
        "view: resolve": (
            "resolve",
            lambda s, ref, n: s.interaction(
                view_submission(
                    cards.VIEW_RESOLVE,
                    private(ref),
                    {
                        "resolution": _select("replacement"),
                        "root_cause_category": _select("material"),
                        "why_1": _typed("adhesive past its date"),
                    },
                    user=STAFF,
                )
            ),  # fmt: skip
        ),
        "command: /case": ("general", lambda s, ref, n: s.command("/case", ref, user=STAFF)),
        "command: /cases": ("general", lambda s, ref, n: s.command("/cases", "open", user=STAFF)),
        "event: app_home_opened": (
            "general",
            lambda s, ref, n: s.event(
                {"type": "app_home_opened", "user": STAFF, "channel": "D100", "tab": "home", "event_ts": "1.0"},
                event_id=f"EvHome{n}",
            ),
        ),
        "event: message (thread reply)": ("general", thread_reply),
    }


HANDLERS = tuple(handlers(Seeded()))


@dataclass
class Result:
    """One request's outcome."""

    handler: str
    ref: str
    seconds: float
    ok: bool
    error: str = ""


def _answer_ok(answer: Any) -> tuple[bool, str]:
    if answer.status != 200:
        return False, f"HTTP {answer.status}"
    if answer.body.strip().startswith("{"):
        try:
            data = json.loads(answer.body)
        except ValueError:
            return True, ""
        if isinstance(data, dict) and data.get("response_action") == "errors":
            return False, f"form errors {data.get('errors')}"
    return True, ""


def run_load(sender: SignedSender, store: Store, seeded: Seeded, rate: float, seconds: float) -> list[Result]:
    """Send ``rate`` requests a second for ``seconds``, open-loop; one result per request."""
    table = handlers(seeded)
    names = list(table)
    cursors = {pool: itertools.cycle(refs) for pool, refs in seeded.pools.items()}
    total = int(rate * seconds)
    results: list[Result] = []
    lock = threading.Lock()

    def one(n: int, name: str, ref: str, planned: float) -> None:
        pool_send = table[name][1]
        try:
            ok, error = _answer_ok(pool_send(sender, ref, n))
        except Exception as exc:  # noqa: BLE001 - a failed request is a result, not a crash
            ok, error = False, f"{type(exc).__name__}: {exc}"
        elapsed = time.perf_counter() - planned
        with lock:
            results.append(Result(name, ref, elapsed, ok, error))

    with ThreadPoolExecutor(max_workers=256) as pool:
        start = time.perf_counter() + 0.2
        for n in range(total):
            name = names[n % len(names)]
            ref = next(cursors[table[name][0]])
            planned = start + n / rate
            delay = planned - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            pool.submit(one, n, name, ref, planned)
    return results


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    rank = (len(ordered) - 1) * pct / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def print_latency(results: list[Result], rate: float, seconds: float, engine: str) -> None:
    """Per-handler latency table (milliseconds) and the overall line."""
    print(f"\nAck latency, {len(results)} signed requests at {rate:g}/s for {seconds:g} s ({engine}), milliseconds:\n")
    print("| handler | requests | p50 | p95 | p99 | max | errors | within 3 s |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    by: dict[str, list[Result]] = {}
    for r in results:
        by.setdefault(r.handler, []).append(r)
    for name, rows in list(by.items()) + [("all", results)]:
        ms = [r.seconds * 1000 for r in rows]
        errors = sum(1 for r in rows if not r.ok)
        within = sum(1 for r in rows if r.ok and r.seconds < ACK_LIMIT) / len(rows)
        print(
            f"| {name} | {len(rows)} | {_percentile(ms, 50):.1f} | {_percentile(ms, 95):.1f} | "
            f"{_percentile(ms, 99):.1f} | {max(ms):.1f} | {errors} | {within:.1%} |"
        )
    for r in [r for r in results if not r.ok][:5]:
        print(f"error: {r.handler} {r.ref}: {r.error}")


def _kinds(store: Store) -> dict[str, set[str]]:
    """Event kinds recorded per case reference."""
    kinds: dict[str, set[str]] = {}
    with store.unit_of_work() as uow:
        rows = uow.session.execute(select(Case.reference, CaseEvent.kind).join(CaseEvent, CaseEvent.case_id == Case.id))
        for ref, kind in rows:
            kinds.setdefault(ref, set()).add(kind)
    return kinds


def _statuses(store: Store) -> dict[str, tuple[str, str, Optional[str]]]:
    with store.unit_of_work() as uow:
        rows = uow.session.execute(select(Case.reference, Case.status, Case.priority, Case.assignee))
        return {ref: (status, priority, assignee) for ref, status, priority, assignee in rows}


def check_lazy_work(
    store: Store, standin: SlackStandIn, results: list[Result], timeout: float
) -> list[tuple[str, int, int]]:
    """Wait for the lazy listeners; (handler, requests answered, changes seen) for each handler."""
    sent: dict[str, set[str]] = {}
    for r in results:
        if r.ok:
            sent.setdefault(r.handler, set()).add(r.ref)
    notes_expected = sum(1 for r in results if r.ok and r.handler == "event: message (thread reply)")
    view_notes = sum(1 for r in results if r.ok and r.handler == "view: note")
    checks: dict[str, Callable[[str, dict[str, set[str]], dict[str, tuple[str, str, Optional[str]]]], bool]] = {
        "button: assign": lambda ref, k, s: s[ref][2] == f"slack:{STAFF}",
        "select: priority": lambda ref, k, s: "priority_changed" in k.get(ref, set()),
        "button: reopen": lambda ref, k, s: s[ref][0] == "reopened",
        "button: take over": lambda ref, k, s: cards.TAKEOVER_STARTED in k.get(ref, set()),
        "button: hand back": lambda ref, k, s: cards.TAKEOVER_ENDED in k.get(ref, set()),
        "view: escalate": lambda ref, k, s: "escalated" in k.get(ref, set()),
        "view: resolve": lambda ref, k, s: s[ref][0] == "resolved",
    }
    deadline = time.monotonic() + timeout
    progress = -1
    started = time.monotonic()
    while True:
        kinds, statuses = _kinds(store), _statuses(store)
        done = {
            name: sum(1 for ref in sent.get(name, ()) if check(ref, kinds, statuses)) for name, check in checks.items()
        }
        with store.unit_of_work() as uow:
            texts = uow.session.execute(select(CaseEvent.data).where(CaseEvent.kind == "note_added")).scalars()
            notes = sum(1 for data in texts if str((data or {}).get("text", "")).startswith(NOTE_PREFIXES))
        modals = len(standin.called("views.open"))
        homes = len(standin.called("views.publish"))
        lookups = len(standin.called("chat.postEphemeral"))
        counted = {name: sum(1 for r in results if r.ok and r.handler == name) for name in HANDLERS}
        finished = (
            all(done[name] >= len(sent.get(name, ())) for name in checks)
            and notes >= notes_expected + view_notes
            and modals >= sum(counted[n] for n in counted if n.endswith("(opens modal)"))
            and homes >= counted["event: app_home_opened"]
            and lookups >= counted["command: /case"] + counted["command: /cases"]
        )
        total = sum(done.values()) + notes + modals + homes + lookups
        if total > progress:  # still working through the backlog: keep waiting
            progress, deadline = total, time.monotonic() + timeout
        if finished or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    print(f"# lazy work {'finished' if finished else 'stalled'} {time.monotonic() - started:.1f} s after the load")
    count = {name: sum(1 for r in results if r.ok and r.handler == name) for name in HANDLERS}
    rows = [(name, len(sent.get(name, ())), done[name]) for name in checks]
    rows.append(("notes (view: note + thread replies)", view_notes + notes_expected, notes))
    modal_buttons = sum(count[n] for n in count if n.endswith("(opens modal)"))
    rows.append(("modals opened (3 buttons)", modal_buttons, modals))
    rows.append(("home tabs published", count["event: app_home_opened"], homes))
    rows.append(("/case and /cases answers", count["command: /case"] + count["command: /cases"], lookups))
    failures = [c["text"] for c in standin.called("chat.postMessage") if c.get("channel") == STAFF]
    rows.append(("lazy listener failures told to the user (want 0)", 0, len(failures)))
    for text in failures[:5]:
        print(f"lazy failure: {text}")
    return rows


def print_lazy(rows: list[tuple[str, int, int]]) -> None:
    """Expected vs seen changes once the lazy listeners finished."""
    print("\nLazy work after the run: changes expected for the requests acked OK (cases changed, or Web API")
    print("calls the stand-in saw; requests that timed out on our side may still have been done):\n")
    print("| change | expected | done |")
    print("| --- | ---: | ---: |")
    for name, expected, done in rows:
        print(f"| {name} | {expected} | {done} |")


@dataclass
class App:
    """The served triage app and its stand-ins."""

    sender: SignedSender
    standin: SlackStandIn
    store: Store


def _serve(store: Store, stack: ExitStack, in_process: bool) -> App:
    standin = SlackStandIn().start()
    stack.callback(standin.stop)
    rasa = RasaRecorder()  # answers takeover's pause / resume with 200
    stack.callback(rasa.stop)
    store.settings = store.settings.with_overrides(
        slack_bot_token="xoxb-bench",  # noqa: S106 - the local stand-in accepts any token
        slack_signing_secret=SECRET,
        slack_api_url=standin.url,
        slack_triage_channel=TRIAGE,
        rasa_url=rasa.url,
    )
    port = free_port()
    if in_process:
        from waitress.server import create_server

        server: Any = create_server(wsgi_app(build_app(store.settings, store)), host="127.0.0.1", port=port, threads=8)
        threading.Thread(target=server.run, daemon=True).start()
        stack.callback(server.close)
    else:
        env = {
            **os.environ,
            "DATABASE_URL": store.settings.database_url,
            "SLACK_BOT_TOKEN": "xoxb-bench",
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": standin.url,
            "SLACK_TRIAGE_CHANNEL": TRIAGE,
            "RASA_URL": rasa.url,
        }
        command = [str(Path(sys.executable).parent / "complaints"), "slack", "--port", str(port), "--host", "127.0.0.1"]
        process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

        def stop() -> None:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

        stack.callback(stop)
    wait_for_port(port, timeout=120)
    return App(SignedSender(f"http://127.0.0.1:{port}/slack/events", SECRET), standin, store)


def _database(postgres: bool, stack: ExitStack) -> str:
    if postgres:
        server = stack.enter_context(postgres_server())
        return create_database(server, "slack_ack_latency")
    tmp = stack.enter_context(tempfile.TemporaryDirectory(prefix="slack-ack-"))
    return f"sqlite:///{tmp}/cases.db"


def main(argv: Optional[list[str]] = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rate", type=float, default=50.0, help="requests a second (open loop)")
    parser.add_argument("--seconds", type=float, default=20.0, help="how long to send")
    parser.add_argument("--postgres", action="store_true", help="a throw-away PostgreSQL instead of SQLite")
    parser.add_argument(
        "--in-process", action="store_true", help="serve the app in this process (default: `complaints slack`)"
    )
    parser.add_argument(
        "--settle", type=float, default=30.0, help="give up on the lazy work after this many seconds without progress"
    )
    args = parser.parse_args(argv)
    with ExitStack() as stack:
        url = _database(args.postgres, stack)
        store = open_store(load_settings({"DATABASE_URL": url}))
        stack.callback(store.dispose)
        migrate.upgrade(store.engine)
        app = _serve(store, stack, args.in_process)
        per_handler = math.ceil(args.rate * args.seconds / len(HANDLERS))
        started = time.perf_counter()
        seeded = seed(store, per_handler)
        cases = sum(len(v) for v in seeded.pools.values())
        print(f"# seeded {cases} cases with cards in {time.perf_counter() - started:.1f} s", flush=True)
        results = run_load(app.sender, store, seeded, args.rate, args.seconds)
        engine = "PostgreSQL" if args.postgres else "SQLite"
        print_latency(results, args.rate, args.seconds, engine)
        rows = check_lazy_work(store, app.standin, results, args.settle)
        print_lazy(rows)
        errors = sum(1 for r in results if not r.ok)
        missing = sum(max(0, expected - done) for name, expected, done in rows if not name.startswith("lazy"))
        missing += sum(done for name, _expected, done in rows if name.startswith("lazy"))
        print(f"\nerrors: {errors}; lazy changes missing: {missing}")
        logging.disable(logging.CRITICAL)  # lazy work still queued fails noisily once the database is gone
        return 0 if errors == 0 and missing == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
