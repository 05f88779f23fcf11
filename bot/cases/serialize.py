"""Legacy import path of the case JSON (remove after the merge of issue #17).

Serialisation is pure now: :func:`bot.cases.case_json.case_to_dict` takes rows already loaded, and
:func:`bot.cases.views.case_json` loads them. This module only keeps the old call form
``case_to_dict(case, now, uow, with_events=..., with_transcript=...)`` working for callers not yet moved
(bot/triage/posting.py, bot/triage/commands.py, bot/privacy/subject_access.py, bot/cli.py and two Slack tests).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Optional

from bot.cases.case_json import case_to_dict as _pure_case_to_dict
from bot.cases.case_json import event_to_dict, follow_up_to_dict, photo_to_dict
from bot.cases.models import Case
from bot.cases.unit_of_work import UnitOfWork
from bot.cases.views import case_json

__all__ = ["case_to_dict", "event_to_dict", "follow_up_to_dict", "photo_to_dict"]


def case_to_dict(
    case: Case,
    now: dt.datetime,
    uow: Optional[UnitOfWork] = None,
    with_events: bool = False,
    with_transcript: bool = False,
) -> dict[str, Any]:
    """The case JSON, old call form: use ``bot.cases.views.case_json`` or ``bot.cases.case_json.case_to_dict``."""
    if uow is None:
        return _pure_case_to_dict(case, now)
    return case_json(uow, case, now, with_events=with_events, with_transcript=with_transcript)
