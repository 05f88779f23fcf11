"""Rasa's Redis lock store, without the wait that never ends after a Rasa process dies holding a lock.

Rasa 3.6 serves each conversation's messages in ticket order (``rasa.core.lock_store``). When a Rasa
process is killed while it holds a conversation's ticket, that ticket stays until its lifetime ends
(``TICKET_LOCK_LIFETIME``). A message waiting behind it holds a ticket of the same lifetime; if both
expire together, ``update_lock`` removes both and the waiting message keeps polling a lock whose
``now_serving`` (0) will never be its ticket: the customer's message hangs forever (measured with
``benchmarks/lock_hold.py`` and the cluster test, see docs/cluster.md).

:class:`RecoveringRedisLockStore` takes a new ticket when its own has expired while waiting, so the
message is served as soon as the dead holder's ticket is gone. Everything else is Rasa's store.
Endpoints: ``lock_store: {type: integrations.rasa_lock_store.RecoveringRedisLockStore, url, port, db}``
(rendered by ``complaints rasa-endpoints`` when ``LOCK_STORE_URL`` is set).
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import asynccontextmanager
from typing import Any, AsyncGenerator, Optional

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

logger = logging.getLogger(__name__)


class RecoveringRedisLockStore(RedisLockStore):
    """A Redis lock store whose waiting messages survive the expiry of their own ticket."""

    def __init__(self, endpoint_config: Optional[EndpointConfig] = None, **kwargs: Any) -> None:
        """Build from the endpoints entry (``url`` is the Redis host), or from RedisLockStore's arguments."""
        if endpoint_config is not None:
            options = dict(endpoint_config.kwargs)
            options.pop("type", None)
            kwargs = {"host": endpoint_config.url or "localhost", **options, **kwargs}
        super().__init__(**kwargs)

    @asynccontextmanager
    async def lock(
        self,
        conversation_id: str,
        lock_lifetime: float = LOCK_LIFETIME,
        wait_time_in_seconds: float = 1,
    ) -> AsyncGenerator[TicketLock, None]:
        """Acquire the conversation's lock in ticket order (as Rasa does), renewing an expired ticket."""
        ticket = self.issue_ticket(conversation_id, lock_lifetime)
        try:
            while True:
                lock = self.get_lock(conversation_id)
                if lock is None or not any(t.number == ticket for t in lock.tickets):
                    # Our ticket expired while we waited (the holder died): queue again, at the back.
                    logger.warning("lock ticket of %s expired while waiting; taking a new one", conversation_id)
                    ticket = self.issue_ticket(conversation_id, lock_lifetime)
                    continue
                if not lock.is_locked(ticket):
                    break
                await asyncio.sleep(wait_time_in_seconds)
                self.update_lock(conversation_id)
            yield lock
        finally:
            self.cleanup(conversation_id, ticket)
