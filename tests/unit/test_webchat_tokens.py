"""Signed web chat session ids (integrations/webchat/session_tokens.py)."""

from __future__ import annotations

import pytest

from integrations.webchat import session_tokens as tokens

SECRET = "unit-test-secret-" + "k" * 32


def test_issued_token_verifies() -> None:
    token = tokens.issue(SECRET)
    assert tokens.is_session_id(token.session_id)
    assert tokens.verify_session(SECRET, token.session_id, token.signature)


def test_new_ids_are_unique() -> None:
    assert len({tokens.new_session_id() for _ in range(200)}) == 200


@pytest.mark.parametrize(
    "mutate",
    [
        lambda t: (t.session_id, ""),
        lambda t: (t.session_id, None),
        lambda t: (t.session_id, "0" * 64),
        lambda t: (tokens.new_session_id(), t.signature),  # signature of another id
        lambda t: (t.session_id, t.signature.upper()),
        lambda t: (t.session_id, t.signature[:-1]),
        lambda t: ("../../etc/passwd", t.signature),
        lambda t: (None, t.signature),
        lambda t: (t.session_id, {"sig": t.signature}),
    ],
)
def test_wrong_or_missing_signature_is_refused(mutate: object) -> None:
    token = tokens.issue(SECRET)
    session_id, signature = mutate(token)  # type: ignore[operator]
    assert not tokens.verify_session(SECRET, session_id, signature)


def test_other_key_is_refused() -> None:
    token = tokens.issue(SECRET)
    assert not tokens.verify_session("another-secret-" + "x" * 32, token.session_id, token.signature)
    assert not tokens.verify_session("", token.session_id, token.signature)


def test_signing_needs_a_key_and_a_proper_id() -> None:
    with pytest.raises(ValueError):
        tokens.sign_session("", tokens.new_session_id())
    with pytest.raises(ValueError):
        tokens.sign_session(SECRET, "not-an-id")


def test_cookie_round_trip_and_forgery() -> None:
    token = tokens.issue(SECRET)
    assert tokens.parse_cookie(SECRET, token.as_cookie()) == token
    forged = f"{tokens.new_session_id()}.{token.signature}"
    for value in (None, "", "abc", forged, token.as_cookie() + ".x", token.session_id):
        assert tokens.parse_cookie(SECRET, value) is None


def test_reissue_for_the_same_id_is_stable() -> None:
    token = tokens.issue(SECRET)
    assert tokens.issue(SECRET, token.session_id) == token
