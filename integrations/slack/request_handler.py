"""The Slack app's WSGI handler, answering unreadable bodies with 400 instead of a 500.

slack-bolt builds its request context before it checks the signature, and that step raises on a
body that is JSON but not an object (``5``, ``[]``, ``"x"``) or a form whose ``payload`` is such
JSON: the stock handler then answers 500 with a traceback in the log, to anyone. Here such a
request gets a plain 400 (nothing was processed); everything else is Bolt's own handling,
signature verification first.
"""

from __future__ import annotations

import logging

from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.adapter.wsgi.http_request import WsgiHttpRequest
from slack_bolt.request import BoltRequest
from slack_bolt.response import BoltResponse

logger = logging.getLogger(__name__)


class SafeSlackRequestHandler(SlackRequestHandler):
    """:class:`SlackRequestHandler` that refuses unreadable bodies with 400."""

    def dispatch(self, request: WsgiHttpRequest) -> BoltResponse:
        """Build Bolt's request (400 when the body cannot be read), then let the app handle it."""
        try:
            bolt_request = BoltRequest(
                body=request.get_body(), query=request.query_string, headers=request.get_headers()
            )
        except (ValueError, TypeError, AttributeError, KeyError, IndexError):
            logger.warning("Slack request with an unreadable body refused")
            return BoltResponse(status=400, body="invalid request body")
        return self.app.dispatch(bolt_request)
