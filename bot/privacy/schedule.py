"""The daily retention run (the scheduler's ``retention`` job, integrations/scheduler.py)."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Optional

from bot.cases.store import Store
from bot.privacy.erasure import ErasureReport, run_retention

log = logging.getLogger(__name__)


class DailyRetention:
    """Runs :func:`run_retention` at most once per ``every`` (first run on the first call).

    Several workers may each run it: anonymised cases are skipped and rows being anonymised by another
    worker are locked (PostgreSQL) or serialised (SQLite), so runs never conflict. ``RETENTION_MONTHS=0``
    switches the scheduled run off (the CLI still works with ``--months``).
    """

    def __init__(self, store: Store, every: dt.timedelta = dt.timedelta(days=1)) -> None:
        self.store = store
        self.every = every
        self.next_at: Optional[dt.datetime] = None

    def maybe_run(self) -> Optional[ErasureReport]:
        """Run retention if a day has passed since the last run; None when not due or switched off."""
        now = self.store.clock()
        if self.next_at is not None and now < self.next_at:
            return None
        self.next_at = now + self.every
        if self.store.settings.retention_months <= 0:
            return None
        report = run_retention(self.store, actor="scheduler")
        if report.cases:
            log.info("retention: anonymised %d closed case(s)", len(report.cases))
        return report
