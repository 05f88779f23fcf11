"""Temporary re-exports for code outside the conversation that still reads fixed texts from here.

All wording lives in ``data/wording/messages.yml`` (:mod:`bot.conversation.wording`). Remove this module once
``integrations/customer_channels.py`` and ``tests/faults/test_actions_faults.py`` call
``wording.say("listen.no_answer")``, ``wording.say("store.deferred_case")`` and
``wording.template("store.status_unavailable")`` themselves.
"""

from __future__ import annotations

from bot.conversation.wording import say, template

NO_ANSWER = say("listen.no_answer")
STORE_DEFERRED_CASE = say("store.deferred_case")
STORE_STATUS_UNAVAILABLE = template("store.status_unavailable")
