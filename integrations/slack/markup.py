"""Neutralise Slack markup in text that came from a customer.

Slack's rules (https://api.slack.com/reference/surfaces/formatting#escaping): in message text
``&``, ``<`` and ``>`` are control characters and must be sent as ``&amp;``, ``&lt;`` and
``&gt;``. Escaping them turns ``<!channel>``, ``<!here>``, ``<@U123>``, ``<#C1>`` and
``<http://x|y>`` into inert text. Bare ``@channel``/``@here`` only notify when a message is
sent with ``link_names``; we never set it, but also break them with a zero-width joiner so a
copy-paste elsewhere cannot ping either. Mrkdwn formatting characters are left alone.
"""

from __future__ import annotations

import re

_ZWJ = "\u2060"  # word joiner: invisible, stops Slack from reading @channel as a mention
_BROADCAST = re.compile(r"@(channel|here|everyone)\b", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def escape_slack(text: str) -> str:
    """Escape ``&``, ``<`` and ``>`` exactly as Slack requires (``&`` first)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def neutralise(text: str | None, limit: int = 2800) -> str:
    """Customer text made safe for a Slack message: no mentions, links or broadcasts.

    ``limit`` keeps the result under Block Kit's 3000-character text limit.
    """
    if not text:
        return ""
    clean = _CONTROL.sub("", str(text))
    if len(clean) > limit:
        clean = clean[: limit - 1] + "\u2026"
    clean = escape_slack(clean)
    return _BROADCAST.sub(lambda m: "@" + _ZWJ + m.group(1), clean)
