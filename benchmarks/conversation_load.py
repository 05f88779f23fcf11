"""Conversation load: concurrent complete complaints over the REST channel, against bare Rasa.

    .venv/bin/python benchmarks/conversation_load.py [--levels 1,10,20,50] [--conversations N]
        [--url http://host:port --database-url URL] [--skip-bare] [--postgres] [--json-out FILE]

For each level N, N simulated customers (tests/support/customer.py) at once each take a complaint
from the first message to a case reference through ``POST /webhooks/rest/webhook``. It prints
conversations, messages, messages per second, p50/p95/p99 turn latency, errors, and cases
created vs expected (read from the database: one case per conversation, unique references).

Unless ``--url`` is given it starts the project's stack itself (tests/support/rasa_stack.py: Rasa
with the SQL tracker store + action server) on a fresh database seeded with the demo data and the
REST test catalogue. In the same run it trains (once per template version, into a temp dir with
its own RASA_CACHE_DIRECTORY) and starts a bare Rasa 3.6 moodbot from ``benchmarks/bare_rasa/``
(no custom actions, in-memory tracker store), drives it with the same number of concurrent
customers and about the same number of turns per conversation, and prints our cost as ratios.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import itertools
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator, Optional

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402

from bot.cases.models import Case  # noqa: E402
from bot.cases.store import open_store  # noqa: E402
from bot.settings import load_settings  # noqa: E402
from tests.integration.test_conversation_rest import CATALOGUE, ORDERS, SCENARIOS, _day  # noqa: E402
from tests.support.customer import Persona, complain  # noqa: E402
from tests.support.rasa_stack import MODEL_DIR, _terminate, ensure_model, rasa_stack, wait_for_http  # noqa: E402
from tests.support.servers import create_database, free_port, postgres_server  # noqa: E402

BIN = Path(sys.executable).parent
BARE_TEMPLATE = Path(__file__).resolve().parent / "bare_rasa"
ORDERS_HEADER = "order_number,customer_name,customer_email,sku,size,colour,quantity,batch,order_date,delivery_date\n"
# A moodbot chat, cycled until a bare conversation has as many turns as an average complaint.
BARE_SCRIPT = ["hello", "I am sad", "no", "are you a bot?", "hi there", "I am great", "perfect", "bye"]


def _post(url: str, sender: str, message: str, timeout: float = 120.0) -> list[dict[str, Any]]:
    body = json.dumps({"sender": sender, "message": message}).encode()
    request = urllib.request.Request(  # noqa: S310 - benchmark target URL
        f"{url}/webhooks/rest/webhook", data=body, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - benchmark target URL
        return list(json.loads(response.read().decode()))


@dataclass
class Outcome:
    """One simulated conversation."""

    sender: str
    latencies: list[float] = field(default_factory=list)
    reference: Optional[str] = None
    error: Optional[str] = None


@dataclass
class LevelResult:
    """The figures printed for one assistant at one concurrency level."""

    assistant: str
    level: int
    conversations: int
    messages: int
    seconds: float
    errors: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    cases: Optional[int] = None
    cases_expected: Optional[int] = None
    case_problems: list[str] = field(default_factory=list)
    first_error: Optional[str] = None

    @property
    def messages_per_second(self) -> float:
        """Customer messages answered per second, over the wall time of the level."""
        return self.messages / self.seconds if self.seconds else 0.0


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile (0 for no values)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, min(len(ordered), int(-(-pct * len(ordered) // 100))))
    return ordered[rank - 1]


def _timed(url: str, outcome: Outcome) -> Callable[[str, str], list[dict[str, Any]]]:
    def send(sender: str, message: str) -> list[dict[str, Any]]:
        start = time.perf_counter()
        replies = _post(url, sender, message)
        outcome.latencies.append(time.perf_counter() - start)
        return replies

    return send


def complaint_customer(url: str, sender: str, persona: Persona) -> Outcome:
    """One customer taking a complaint through to a case reference."""
    outcome = Outcome(sender)
    try:
        outcome.reference = complain(_timed(url, outcome), sender, persona).reference
    except Exception as exc:  # noqa: BLE001 - every failure is counted and reported
        outcome.error = f"{sender}: {type(exc).__name__}: {str(exc)[:2000]}"
    return outcome


def bare_customer(url: str, sender: str, turns: int) -> Outcome:
    """One customer chatting with the moodbot for ``turns`` messages."""
    outcome = Outcome(sender)
    send = _timed(url, outcome)
    try:
        for message in itertools.islice(itertools.cycle(BARE_SCRIPT), turns):
            if not any(r.get("text") for r in send(sender, message)):
                raise AssertionError(f"no reply to {message!r}")
    except Exception as exc:  # noqa: BLE001
        outcome.error = f"{sender}: {type(exc).__name__}: {exc}"
    return outcome


def run_level(
    assistant: str, level: int, conversations: int, customer: Callable[[int], Outcome]
) -> tuple[LevelResult, list[Outcome]]:
    """``conversations`` customers, ``level`` at a time."""
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=level) as pool:
        outcomes = list(pool.map(customer, range(conversations)))
    seconds = time.perf_counter() - start
    latencies = [t for o in outcomes for t in o.latencies]
    errors = [o.error for o in outcomes if o.error]
    result = LevelResult(
        assistant=assistant,
        level=level,
        conversations=conversations,
        messages=len(latencies),
        seconds=seconds,
        errors=len(errors),
        p50_ms=percentile(latencies, 50) * 1000,
        p95_ms=percentile(latencies, 95) * 1000,
        p99_ms=percentile(latencies, 99) * 1000,
        first_error=errors[0] if errors else None,
    )
    return result, outcomes


def check_cases(database_url: str, outcomes: list[Outcome]) -> tuple[int, list[str]]:
    """Cases in the database for these conversations, and what is wrong with them (if anything)."""
    senders = [o.sender for o in outcomes]
    store = open_store(load_settings({"DATABASE_URL": database_url}))
    try:
        with store.unit_of_work() as uow:
            rows = uow.session.execute(
                select(Case.reference, Case.conversation_id).where(Case.conversation_id.in_(senders))
            ).all()
    finally:
        store.dispose()
    problems: list[str] = []
    per_conversation: dict[str, list[str]] = {}
    for reference, conversation_id in rows:
        per_conversation.setdefault(conversation_id, []).append(reference)
    references = [r for r, _ in rows]
    if len(set(references)) != len(references):
        problems.append("duplicate references")
    for outcome in outcomes:
        found = per_conversation.get(outcome.sender, [])
        if len(found) != 1:
            problems.append(f"{outcome.sender}: {len(found)} cases")
        elif outcome.reference and found[0] != outcome.reference:
            problems.append(f"{outcome.sender}: told {outcome.reference}, database has {found[0]}")
    return len(rows), problems


def personas() -> Iterator[Persona]:
    """The REST test's customers, over and over (fresh copies: corrections are consumed)."""
    for _name, persona, *_ in itertools.cycle(SCENARIOS):
        yield copy.deepcopy(persona)


def prepare_database(database_url: str, workdir: Path, seed: bool) -> None:
    """Migrate, optionally seed the demo data, and import the REST test catalogue and orders."""
    env = {**os.environ, "DATABASE_URL": database_url}
    complaints = str(BIN / "complaints")
    subprocess.run([complaints, "db", "upgrade"], env=env, check=True, capture_output=True)
    if seed:
        subprocess.run([complaints, "seed"], env=env, check=True, capture_output=True)
    (workdir / "catalogue.csv").write_text(CATALOGUE)
    rows = "".join(
        f"{number},{name},{email},{sku},{size},{colour},1,{batch},{_day(ordered)},{_day(delivered)}\n"
        for number, name, email, sku, size, colour, batch, ordered, delivered in ORDERS
    )
    (workdir / "orders.csv").write_text(ORDERS_HEADER + rows)
    for kind in ("catalogue", "orders"):
        subprocess.run(
            [complaints, "import", kind, str(workdir / f"{kind}.csv")], env=env, check=True, capture_output=True
        )


def bare_model(retrain: bool = False) -> Path:
    """The bare moodbot model, trained once per template version into a temp dir."""
    digest = hashlib.sha256()
    for path in sorted(BARE_TEMPLATE.rglob("*.yml")):
        digest.update(str(path.relative_to(BARE_TEMPLATE)).encode() + path.read_bytes())
    home = Path(tempfile.gettempdir()) / f"complaints-bare-rasa-{digest.hexdigest()[:12]}"
    model = home / "models" / "bare.tar.gz"
    if model.exists() and not retrain:
        return model
    shutil.rmtree(home, ignore_errors=True)
    shutil.copytree(BARE_TEMPLATE, home)
    env = {
        **os.environ,
        "RASA_CACHE_DIRECTORY": str(home / "cache"),
        "RASA_TELEMETRY_ENABLED": "false",
        "TF_CPP_MIN_LOG_LEVEL": "3",
    }
    print(f"training the bare Rasa assistant in {home} (a few minutes, once) ...", flush=True)
    with open(home / "train.log", "wb") as log:
        subprocess.run(
            [str(BIN / "rasa"), "train", "--out", "models", "--fixed-model-name", "bare", "--quiet"],
            cwd=home,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            check=True,
            timeout=3600,
        )
    return model


@contextmanager
def bare_rasa(model: Path, workdir: Path) -> Iterator[str]:
    """Run the bare assistant (REST channel, in-memory tracker store); yields its URL."""
    port = free_port()
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "3"}
    with open(workdir / "bare-rasa.log", "wb") as log:
        process = subprocess.Popen(
            [
                str(BIN / "rasa"),
                "run",
                "--enable-api",
                "--port",
                str(port),
                "--model",
                str(model),
                "--credentials",
                str(BARE_TEMPLATE / "credentials.yml"),
            ],
            cwd=model.parent.parent,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            wait_for_http(f"http://127.0.0.1:{port}/status", timeout=900, process=process)
            yield f"http://127.0.0.1:{port}"
        finally:
            _terminate(process)


def _fmt(value: Optional[float], digits: int = 0) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def print_table(results: list[LevelResult]) -> None:
    """The results, one row per assistant and level, then ratios where both ran."""
    header = (
        "| assistant | level | conversations | messages | msg/s | p50 ms | p95 ms | p99 ms | errors | cases/expected |"
    )
    print(header)
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    for r in results:
        cases = "-" if r.cases is None else f"{r.cases}/{r.cases_expected}" + (" !" if r.case_problems else "")
        print(
            f"| {r.assistant} | {r.level} | {r.conversations} | {r.messages} | {r.messages_per_second:.1f} | "
            f"{r.p50_ms:.0f} | {r.p95_ms:.0f} | {r.p99_ms:.0f} | {r.errors} | {cases} |"
        )
    ours = {r.level: r for r in results if r.assistant == "complaints"}
    bare = {r.level: r for r in results if r.assistant == "bare-rasa"}
    if ours and bare:
        print()
        print("| level | throughput ours/bare | p50 ours/bare | p95 ours/bare |")
        print("| ---: | ---: | ---: | ---: |")
        for level in sorted(set(ours) & set(bare)):
            o, b = ours[level], bare[level]
            tput = o.messages_per_second / b.messages_per_second if b.messages_per_second else None
            p50 = o.p50_ms / b.p50_ms if b.p50_ms else None
            p95 = o.p95_ms / b.p95_ms if b.p95_ms else None
            print(f"| {level} | {_fmt(tput, 2)} | {_fmt(p50, 2)} | {_fmt(p95, 2)} |")
    for r in results:
        if r.first_error:
            print(f"\nfirst error ({r.assistant}, level {r.level}): {r.first_error}")
        if r.case_problems:
            print(f"\ncase problems ({r.assistant}, level {r.level}): {'; '.join(r.case_problems[:10])}")


def parse_args(argv: Optional[list[str]] = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--levels", default="1,10,20,50", help="concurrent customers per level (comma separated)")
    parser.add_argument(
        "--conversations", type=int, default=0, help="conversations per level (default: as many as the level)"
    )
    parser.add_argument("--url", help="an already running deployment's Rasa URL (we start our own otherwise)")
    parser.add_argument(
        "--database-url", help="with --url: that deployment's DATABASE_URL (imports the test catalogue, counts cases)"
    )
    parser.add_argument("--skip-bare", action="store_true", help="do not run the bare Rasa comparison")
    parser.add_argument("--retrain-bare", action="store_true", help="train the bare assistant even if cached")
    parser.add_argument("--postgres", action="store_true", help="our stack on a throw-away PostgreSQL (not SQLite)")
    parser.add_argument("--model", type=Path, help="model (default: models/complaints.tar.gz)")
    parser.add_argument("--no-seed", action="store_true", help="skip the demo case history (catalogue only)")
    parser.add_argument("--json-out", type=Path, help="also write the results as JSON")
    return parser.parse_args(argv)


def main(argv: Optional[list[str]] = None) -> int:
    """Run every level against our assistant, then the bare one; print the tables (also after a failure)."""
    args = parse_args(argv)
    results: list[LevelResult] = []
    try:
        run_all(args, results)
    finally:
        print()
        print_table(results)
        if args.json_out:
            args.json_out.write_text(
                json.dumps([{**asdict(r), "messages_per_second": r.messages_per_second} for r in results], indent=2)
            )
    failed = any(r.errors or r.case_problems for r in results)
    return 1 if failed else 0


def run_all(args: argparse.Namespace, results: list[LevelResult]) -> None:
    """Every level against our assistant, then against the bare one; appends to ``results``."""
    levels = [int(x) for x in args.levels.split(",") if x.strip()]
    run_id = uuid.uuid4().hex[:8]
    mean_turns = 10.0
    with tempfile.TemporaryDirectory(prefix="conversation-load-") as tmp, ExitStack() as stack:
        workdir = Path(tmp)
        database_url: Optional[str] = args.database_url
        if args.url:
            url = args.url.rstrip("/")
            if database_url:
                prepare_database(database_url, workdir, seed=False)
        else:
            if args.postgres:
                server = stack.enter_context(postgres_server())
                database_url = create_database(server, "conversation_load")
            else:
                database_url = f"sqlite:///{workdir / 'cases.db'}"
            prepare_database(database_url, workdir, seed=not args.no_seed)
            default_model = MODEL_DIR / "complaints.tar.gz"
            model = args.model or (default_model if default_model.exists() else ensure_model())
            running = stack.enter_context(rasa_stack(database_url, workdir / "stack", model=model))
            url = running.rasa_url
        print(f"complaints assistant at {url}", flush=True)
        faces = personas()
        warm = complaint_customer(url, f"warm-{run_id}", next(personas()))  # first turns load TF graphs, caches
        if warm.error:
            print(f"warm-up conversation failed: {warm.error}", flush=True)
        for level in levels:
            count = args.conversations or level
            people = [next(faces) for _ in range(count)]
            result, outcomes = run_level(
                "complaints",
                level,
                count,
                lambda i, lv=level, ps=people: complaint_customer(url, f"load-{run_id}-{lv}-{i}", ps[i]),  # type: ignore[misc]
            )
            if database_url:
                result.cases, result.case_problems = check_cases(database_url, outcomes)
                result.cases_expected = count
            results.append(result)
            done = [len(o.latencies) for o in outcomes if not o.error]
            if done:
                mean_turns = statistics.mean(done)
            print(f"  level {level}: {result.messages} messages in {result.seconds:.1f} s", flush=True)
        if not args.url:
            stack.close()  # stop our stack before the bare one runs on the same cores
        if not args.skip_bare:
            model = bare_model(args.retrain_bare)
            bare_url = stack.enter_context(bare_rasa(model, workdir))
            print(f"bare Rasa at {bare_url}, {round(mean_turns)} turns a conversation", flush=True)
            bare_customer(bare_url, f"warm-{run_id}", round(mean_turns))
            for level in levels:
                count = args.conversations or level
                result, _ = run_level(
                    "bare-rasa",
                    level,
                    count,
                    lambda i, lv=level: bare_customer(bare_url, f"bare-{run_id}-{lv}-{i}", round(mean_turns)),  # type: ignore[misc]
                )
                results.append(result)
                print(f"  level {level}: {result.messages} messages in {result.seconds:.1f} s", flush=True)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception:  # noqa: BLE001
        traceback.print_exc()
        sys.exit(2)
