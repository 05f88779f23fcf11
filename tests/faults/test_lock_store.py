"""A message waiting behind a Rasa process that died holding the conversation's lock is served, not stuck.

Real parts: a real Redis server (Debian's redis-server, as in the cluster layout) and Rasa's own lock
store code, subclassed by ``integrations/rasa_lock_store.py``.
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import time
from typing import Iterator

import pytest
from rasa.core.lock_store import LockStore, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

from integrations.rasa_lock_store import RecoveringRedisLockStore
from tests.support.servers import free_port

pytestmark = pytest.mark.skipif(shutil.which("redis-server") is None, reason="redis-server is installed by make test")


@pytest.fixture(scope="module")
def redis_port() -> Iterator[int]:
    port = free_port()
    server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            ping = subprocess.run(["redis-cli", "-p", str(port), "ping"], capture_output=True, text=True)
            if ping.stdout.strip() == "PONG":
                break
            time.sleep(0.1)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=10)


async def _wait_behind_a_dead_holder(store: LockStore, conversation: str, timeout: float) -> float:
    """A dead process's ticket and ours expire together; how long until we hold the lock?"""
    store.issue_ticket(conversation, lock_lifetime=1.0)  # the holder that was SIGKILLed: never cleaned up
    started = time.monotonic()

    async def take() -> None:
        async with store.lock(conversation, lock_lifetime=1.0, wait_time_in_seconds=0.2):
            pass

    await asyncio.wait_for(take(), timeout=timeout)
    return time.monotonic() - started


def test_rasa_own_store_waits_forever_behind_a_dead_holder(redis_port: int) -> None:
    """The fault the recovering store fixes (Rasa 3.6)."""
    store = RedisLockStore(host="127.0.0.1", port=redis_port, db=1)
    with pytest.raises(asyncio.TimeoutError):
        asyncio.run(_wait_behind_a_dead_holder(store, "c-stuck", timeout=4.0))


def test_the_recovering_store_serves_the_message_once_the_dead_ticket_expires(redis_port: int) -> None:
    store = RecoveringRedisLockStore(
        EndpointConfig(url="127.0.0.1", port=redis_port, db=2, type=RecoveringRedisLockStore.__module__)
    )
    took = asyncio.run(_wait_behind_a_dead_holder(store, "c-recovers", timeout=10.0))
    assert took < 4.0
    assert store.get_lock("c-recovers") is None or not store.get_lock("c-recovers").tickets  # cleaned up


def test_two_waiting_messages_are_still_served_in_order(redis_port: int) -> None:
    store = RecoveringRedisLockStore(host="127.0.0.1", port=redis_port, db=3)
    served: list[str] = []

    async def message(name: str, hold: float) -> None:
        async with store.lock("c-order", lock_lifetime=10.0, wait_time_in_seconds=0.05):
            served.append(name)
            await asyncio.sleep(hold)

    async def both() -> None:
        first = asyncio.create_task(message("first", 0.3))
        await asyncio.sleep(0.05)
        await asyncio.gather(first, message("second", 0.0))

    asyncio.run(both())
    assert served == ["first", "second"]
