"""The one HTTP client for Rasa's server API (follow-ups, case-logged notices, takeover, the Slack relay).

One :class:`requests.Session` per client, one timeout policy and one retry policy (urllib3 ``Retry``):

* reads (``GET``) are retried on connection errors, read errors and ``502``/``503``/``504`` answers,
  with exponential backoff (and ``Retry-After`` when Rasa sends it);
* calls that change a conversation (``POST``: ``trigger_intent``, appending tracker events, passing a
  Slack request on) are retried only when the connection could not be made, i.e. before any byte of
  the request reached Rasa. A request that was sent and then failed (timeout, dropped connection,
  an error answer) is never sent again here, so an intent is never triggered twice and events are
  never appended twice; callers decide what to do (the follow-up queue tries again later).

Rasa's API token (``RASA_AUTH_TOKEN`` or the per-install key) goes with every API call as
``?token=``; the Slack webhook is a channel, not the API, and gets its request unchanged.
"""

from __future__ import annotations

import json
import urllib.parse
from dataclasses import dataclass
from typing import Any, Mapping, Optional, Union

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
RETRY_STATUSES = (502, 503, 504)
SLACK_WEBHOOK = "/webhooks/slack/webhook"


class RasaError(RuntimeError):
    """Rasa did not do what was asked: unreachable (``status`` None) or an error answer (``status``)."""

    def __init__(self, message: str, status: Optional[int] = None) -> None:
        super().__init__(message)
        self.status = status

    @property
    def retryable(self) -> bool:
        """Whether asking again later may help (unreachable, a server error, 408 or 429)."""
        return self.status is None or self.status >= 500 or self.status in (408, 429)


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently a call is retried, and how long one attempt may take."""

    attempts: int = 3  # retries after the first try
    backoff: float = 0.25  # seconds; doubles per retry (0, 0.5, 1.0 ...)
    backoff_max: float = 5.0
    connect_timeout: float = 5.0
    read_timeout: float = 30.0

    def retry(self) -> Retry:
        """The urllib3 ``Retry``: connection errors for every method, the rest for idempotent ones only."""
        return Retry(
            total=self.attempts,
            connect=self.attempts,  # the connection was never made: nothing reached Rasa, safe for POST too
            read=self.attempts,  # urllib3 retries read errors only for ``allowed_methods``
            status=self.attempts,  # likewise for ``status_forcelist`` answers
            other=0,
            redirect=0,
            allowed_methods=IDEMPOTENT_METHODS,
            status_forcelist=RETRY_STATUSES,
            backoff_factor=self.backoff,
            backoff_max=self.backoff_max,
            raise_on_status=False,
            raise_on_redirect=False,
            respect_retry_after_header=True,
        )


def _root_cause(error: BaseException) -> str:
    """The innermost reason of a requests/urllib3 error ("[Errno 111] Connection refused")."""
    seen: set[int] = set()
    current: BaseException = error
    while id(current) not in seen:
        seen.add(id(current))
        inner = getattr(current, "reason", None)
        if not isinstance(inner, BaseException):
            inner = current.args[0] if current.args and isinstance(current.args[0], BaseException) else None
        inner = inner or current.__cause__
        if not isinstance(inner, BaseException):
            break
        current = inner
    return str(current) or type(current).__name__


class RasaClient:
    """Rasa's HTTP API: ``trigger_intent``, tracker events (append and read) and the Slack webhook."""

    def __init__(
        self,
        base_url: str,
        token: str = "",
        policy: Optional[RetryPolicy] = None,
        session: Optional[requests.Session] = None,
    ) -> None:
        """A client for the Rasa server at ``base_url`` (``RASA_URL``); ``token`` is Rasa's API token."""
        if not base_url.startswith(("http://", "https://")):
            raise ValueError(f"RASA_URL must be an http(s) URL, got {base_url!r}")
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.policy = policy or RetryPolicy()
        self.session = session or requests.Session()
        adapter = HTTPAdapter(max_retries=self.policy.retry(), pool_maxsize=16)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)

    @classmethod
    def from_settings(cls, settings: Any) -> RasaClient:
        """The client for ``settings.rasa_url`` with the API token of this installation."""
        return cls(settings.rasa_url, settings.rasa_api_token)

    def close(self) -> None:
        """Close the pooled connections."""
        self.session.close()

    def _conversation_url(self, conversation_id: str, tail: str) -> str:
        return f"{self.base_url}/conversations/{urllib.parse.quote(conversation_id, safe='')}/{tail}"

    def _api_params(self, extra: Optional[Mapping[str, str]] = None) -> dict[str, str]:
        params = dict(extra or {})
        if self.token:
            params["token"] = self.token
        return params

    def request(
        self,
        method: str,
        url: str,
        params: Optional[Mapping[str, str]] = None,
        body: Union[bytes, str, None] = None,
        headers: Optional[Mapping[str, str]] = None,
    ) -> requests.Response:
        """One call under the retry and timeout policy; raises :class:`RasaError` unless Rasa answers 2xx/3xx."""
        timeout = (self.policy.connect_timeout, self.policy.read_timeout)
        try:
            response = self.session.request(
                method, url, params=params, data=body, headers=dict(headers or {}), timeout=timeout
            )
        except requests.RequestException as exc:
            raise RasaError(f"Rasa is not reachable: {_root_cause(exc)}") from exc
        if response.status_code >= 400:
            raise RasaError(f"Rasa answered {response.status_code}", status=response.status_code)
        return response

    def _post_json(self, url: str, payload: Any, params: Mapping[str, str]) -> Any:
        response = self.request(
            "POST", url, params=params, body=json.dumps(payload), headers={"Content-Type": "application/json"}
        )
        try:
            return response.json() if response.content else {}
        except ValueError:
            return {}

    def trigger_intent(
        self, conversation_id: str, intent: str, entities: Mapping[str, Any], output_channel: str = "latest"
    ) -> Any:
        """``POST /conversations/{id}/trigger_intent``: Rasa answers on the conversation's ``output_channel``."""
        url = self._conversation_url(conversation_id, "trigger_intent")
        params = self._api_params({"output_channel": output_channel})
        return self._post_json(url, {"name": intent, "entities": dict(entities)}, params)

    def append_events(self, conversation_id: str, events: list[dict[str, Any]], deliver: bool = False) -> Any:
        """``POST /conversations/{id}/tracker/events``.

        With ``deliver``, Rasa also sends the bot utterances among ``events`` to the customer through
        the channel of their latest message (``output_channel=latest``, ``execute_side_effects``).
        """
        extra = {"output_channel": "latest", "execute_side_effects": "true"} if deliver else {}
        url = self._conversation_url(conversation_id, "tracker/events")
        return self._post_json(url, events, self._api_params(extra))

    def tracker(self, conversation_id: str) -> dict[str, Any]:
        """``GET /conversations/{id}/tracker`` (retried: reading changes nothing)."""
        response = self.request("GET", self._conversation_url(conversation_id, "tracker"), params=self._api_params())
        data = response.json()
        return data if isinstance(data, dict) else {}

    def events(self, conversation_id: str) -> list[dict[str, Any]]:
        """The events of the conversation's tracker."""
        return list(self.tracker(conversation_id).get("events") or [])

    def forward_slack(self, raw_body: Union[bytes, str], headers: Mapping[str, str]) -> None:
        """Pass a Slack request on to Rasa's Slack channel as it came (body and signature headers unchanged)."""
        body = raw_body.encode("utf-8") if isinstance(raw_body, str) else raw_body
        self.request("POST", self.base_url + SLACK_WEBHOOK, body=body, headers=headers)
