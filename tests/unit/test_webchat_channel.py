"""The signed socket.io channel's decisions, without a server (integrations/webchat/channel.py)."""

from __future__ import annotations

from integrations.webchat import session_tokens
from integrations.webchat.channel import SignedSocketIOInput, _handshake_token

SECRET = "channel-secret-" + "c" * 32


def channel() -> SignedSocketIOInput:
    return SignedSocketIOInput(
        "user_uttered", "bot_uttered", None, True, "/socket.io", None, "HS256", "customData", secret=SECRET
    )


def test_handshake_token_from_query_or_auth() -> None:
    assert _handshake_token({"QUERY_STRING": "session_id=abc&signature=def&EIO=4"}, None) == ("abc", "def")
    assert _handshake_token({"QUERY_STRING": "EIO=4"}, None) == (None, None)
    assert _handshake_token({}, {"session_id": "x", "signature": "y"}) == ("x", "y")


def test_session_request_needs_a_signature() -> None:
    ch = channel()
    mine, other = session_tokens.issue(SECRET), session_tokens.issue(SECRET)
    assert ch.choose_session("s1", {"session_id": mine.session_id}) is None  # nothing signed
    assert ch.choose_session("s1", {"session_id": mine.session_id, "signature": other.signature}) is None
    assert ch.choose_session("s1", {"session_id": mine.session_id, "signature": mine.signature}) == mine.session_id
    ch._handshake["s2"] = other.session_id
    # a socket signed for another id never gets the requested one
    assert ch.choose_session("s2", {"session_id": mine.session_id}) == other.session_id


def test_messages_need_signature_and_joined_session() -> None:
    ch = channel()
    token = session_tokens.issue(SECRET)
    message = {"message": "hi", "session_id": token.session_id, "customData": {"session_signature": token.signature}}
    assert ch.check_message("s1", message) is None  # not joined yet
    ch._bound["s1"] = token.session_id
    assert ch.check_message("s1", message) == token.session_id
    assert ch.check_message("s1", {**message, "customData": {}}) is None
    assert ch.check_message("s1", {**message, "customData": {"session_signature": "0" * 64}}) is None
    assert ch.check_message("s2", message) is None  # another socket
    assert ch.check_message("s1", "not a dict") is None
