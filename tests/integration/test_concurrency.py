"""Many processes creating cases at once: unique references, no lost rows."""

from __future__ import annotations

import multiprocessing as mp
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.cases.models import Case, CaseEvent
from bot.cases.service import CaseDraft, open_case, verify_case_chain
from bot.cases.store import open_store
from bot.settings import load_settings
from tests.support.servers import create_database

WORKERS = 4
PER_WORKER = 60


def _create_many(url: str, worker: int, count: int, queue: mp.Queue[list[str]]) -> None:
    store = open_store(load_settings({"DATABASE_URL": url}))
    refs = []
    for i in range(count):
        opened = open_case(
            store,
            CaseDraft(
                description=f"worker {worker} case {i}: stitching split",
                defect_category="stitching",
                conversation_id=f"w{worker}-{i}",
                idempotency_key=f"w{worker}-{i}" if i % 2 else None,
            ),
        )
        refs.append(opened.reference)
        if i % 2:  # a retry of the same request must return the same case
            assert (
                open_case(store, CaseDraft(description="retry", idempotency_key=f"w{worker}-{i}")).reference
                == opened.reference
            )
    store.dispose()
    queue.put(refs)


def _run(url: str) -> None:
    from bot.cases import migrate

    store = open_store(load_settings({"DATABASE_URL": url}))
    migrate.upgrade(store.engine)
    ctx = mp.get_context("spawn")
    queue: mp.Queue[list[str]] = ctx.Queue()
    procs = [ctx.Process(target=_create_many, args=(url, w, PER_WORKER, queue)) for w in range(WORKERS)]
    for p in procs:
        p.start()
    refs = [ref for _ in procs for ref in queue.get(timeout=300)]
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    assert len(refs) == WORKERS * PER_WORKER
    assert len(set(refs)) == len(refs), "a reference was handed out twice"
    assert all(re.fullmatch(r"CS-\d{4}-\d{6}", r) for r in refs)
    numbers = sorted(int(r[-6:]) for r in refs)
    assert numbers == list(range(1, len(refs) + 1)), "references have gaps or repeats"
    with store.unit_of_work() as uow:
        assert uow.session.execute(select(func.count(Case.id))).scalar_one() == len(refs)
        assert uow.session.execute(select(func.count(CaseEvent.id))).scalar_one() >= 2 * len(refs)
    for ref in refs[:: len(refs) // 10]:
        assert verify_case_chain(store, ref)["ok"]
    store.dispose()


@pytest.mark.slow
def test_processes_on_sqlite(tmp_path: Path) -> None:
    _run(f"sqlite:///{tmp_path / 'concurrent.db'}")


@pytest.mark.slow
@pytest.mark.postgres
def test_processes_on_postgresql(postgres_url: str) -> None:
    _run(create_database(postgres_url, "concurrency"))
