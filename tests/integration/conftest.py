"""One real Rasa + action server stack shared by the REST conversation modules.

Starting Rasa (model load, warm-up) takes a minute or more, so the modules that need the same stack (REST channel,
no extra environment or arguments, SQLite) share one per test session instead of starting one each:
test_conversation_rest, test_conversation_understanding, test_real_customers_rest and
test_customer_requests_rest. Modules needing other settings (web chat secret, Slack tokens, CORS, PostgreSQL...)
still start their own.

The shared database is migrated, then the shop of test_conversation_rest (a catalogue the model never saw, with its
orders) is imported while Rasa and the action server are already running, so recognising these products cannot
depend on training or start-up. test_conversation_understanding picks its orders and products from that shop. The
demo seed (``complaints seed``) is deliberately not added: its "Foreman Steel Toe Safety Boot" makes "steel toe" a
product phrase, which changes how "The steel toe cap on my Skiddaw Safety Boot has cracked" is read.

Sharing rules: every test uses its own conversation ids (``sender``), and a test that counts cases counts its own
(by conversation id or reference) or compares before/after within itself. The stack is stopped as soon as the last
test using it has finished, not at the end of the whole session.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from pathlib import Path
from typing import Iterator, Optional

import pytest

from tests.support.rasa_stack import RasaStack, ensure_model_once, rasa_stack

BIN = Path(sys.executable).parent / "complaints"

SHARED_STACK = "shared_stack"


def _write_shop(work: Path) -> tuple[Path, Path]:
    """The unseen shop of test_conversation_rest (benchmarks/conversation_load.py imports it from there too)."""
    from tests.integration.test_conversation_rest import CATALOGUE, ORDERS, _day

    catalogue, orders = work / "catalogue.csv", work / "orders.csv"
    catalogue.write_text(CATALOGUE)
    with open(orders, "w") as handle:
        handle.write(
            "order_number,customer_name,customer_email,sku,size,colour,quantity,batch,order_date,delivery_date\n"
        )
        for number, name, email, sku, size, colour, batch, ordered, delivered in ORDERS:
            handle.write(f"{number},{name},{email},{sku},{size},{colour},1,{batch},{_day(ordered)},{_day(delivered)}\n")
    return catalogue, orders


class _Shared:
    """The running shared stack, so it can be stopped after its last user rather than at session end."""

    exits: Optional[contextlib.ExitStack] = None

    @classmethod
    def stop(cls) -> None:
        if cls.exits is not None:
            exits, cls.exits = cls.exits, None
            exits.close()


@pytest.fixture(scope="session")
def shared_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RasaStack]:
    """Rasa + action server on one migrated SQLite database holding the shop (see the module docstring)."""
    work = tmp_path_factory.mktemp("shared-rest")
    url = f"sqlite:///{work / 'cases.db'}"
    env = {**os.environ, "DATABASE_URL": url}
    subprocess.run([str(BIN), "db", "upgrade"], env=env, check=True, capture_output=True)
    catalogue, orders = _write_shop(work)
    _Shared.exits = contextlib.ExitStack()
    try:
        running = _Shared.exits.enter_context(rasa_stack(url, work, model=ensure_model_once()))
        # Imported while Rasa and the action server run (see the module docstring).
        subprocess.run([str(BIN), "import", "catalogue", str(catalogue)], env=env, check=True, capture_output=True)
        subprocess.run([str(BIN), "import", "orders", str(orders)], env=env, check=True, capture_output=True)
        yield running
    finally:
        _Shared.stop()


@pytest.hookimpl(trylast=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: Optional[pytest.Item]) -> None:
    """Stop the shared stack once no later test in this session needs it."""
    if _Shared.exits is None or SHARED_STACK not in getattr(item, "fixturenames", ()):
        return
    items = item.session.items
    later = items[items.index(item) + 1 :] if item in items else []
    if not any(SHARED_STACK in getattr(other, "fixturenames", ()) for other in later):
        _Shared.stop()
