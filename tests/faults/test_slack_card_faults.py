"""A Slack card posted just as the database connection dies is recorded later, never posted twice.

Real parts: a real PostgreSQL server whose backend serving the scheduler is terminated (as a server
restart or a failover would) while Slack's Web API stand-in answers ``chat.postMessage``.
"""

from __future__ import annotations

import itertools
from typing import Any, Iterator

import psycopg2
import pytest
from sqlalchemy.engine import make_url

from bot.cases import deferred, service
from bot.cases.outbox import Outbox
from bot.cases.service import CaseDraft
from bot.cases.store import Store
from bot.clock import FrozenClock
from integrations.slack.client import web_client
from integrations.slack.posting import CARD_EVENT, post_new_cases
from tests.conftest import make_store
from tests.support.servers import create_database
from tests.support.slack_standin import SlackStandIn

pytestmark = [pytest.mark.postgres]

_names = itertools.count()


class KillingStandIn(SlackStandIn):
    """Slack's stand-in that terminates the other database sessions while it posts a message."""

    database_dsn: str = ""
    armed: bool = True

    def record(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        if method == "chat.postMessage" and self.armed:
            self.armed = False
            with psycopg2.connect(self.database_dsn) as connection, connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            connection.close()
        return super().record(method, params)


@pytest.fixture
def pg_store(postgres_url: str, clock: FrozenClock, tmp_path: Any) -> Iterator[Store]:
    url = create_database(postgres_url, f"card_fault_{next(_names)}")
    store = make_store(url, clock)
    yield store
    store.dispose()


def test_a_card_posted_as_the_connection_dies_is_recorded_from_the_outbox_once(
    pg_store: Store, tmp_path: Any
) -> None:
    standin = KillingStandIn().start()
    try:
        parts = make_url(pg_store.settings.database_url)
        standin.database_dsn = (
            f"host={parts.host} port={parts.port} dbname={parts.database} user={parts.username}"
            + (f" password={parts.password}" if parts.password else "")
        )
        pg_store.settings = pg_store.settings.with_overrides(
            slack_bot_token="xoxb-test",
            slack_signing_secret="secret",
            slack_api_url=standin.url,
            slack_triage_channel="#triage",
            outbox_dir=tmp_path / "outbox",
        )
        reference = service.open_case(
            pg_store, CaseDraft(description="heel came off", defect_category="heel_detachment", channel="rest")
        ).reference
        client = web_client(pg_store.settings)

        assert post_new_cases(pg_store, client, "#triage") == [reference]
        assert len(standin.called("chat.postMessage")) == 1
        [entry] = Outbox(pg_store.settings.outbox_dir).pending()
        assert entry.payload["kind"] == CARD_EVENT

        report = deferred.replay(pg_store)
        assert report.written == 1
        assert post_new_cases(pg_store, client, "#triage") == []
        assert len(standin.called("chat.postMessage")) == 1
        case = service.get_case(pg_store, reference)
        assert [e["kind"] for e in case["events"]].count(CARD_EVENT) == 1
        assert service.verify_case_chain(pg_store, reference)["ok"] is True
    finally:
        standin.stop()
