"""Console session cookies and CSRF tokens (pure)."""

from __future__ import annotations

from controlplane.console import session

SECRET = "s3cret"


def test_a_ticket_round_trips_and_verifies_with_its_keys_secret() -> None:
    ticket = session.issue("BKIA1", SECRET, now=1000.0)
    parsed = session.parse(ticket.value)
    assert parsed == ticket
    assert session.verify(parsed, SECRET, now=1001.0)
    assert not session.verify(parsed, "another secret", now=1001.0)  # a rotated key ends the session


def test_a_ticket_expires() -> None:
    ticket = session.issue("BKIA1", SECRET, now=1000.0, lifetime=60)
    assert session.verify(ticket, SECRET, now=1059.0)
    assert not session.verify(ticket, SECRET, now=1060.0)


def test_a_forged_or_altered_ticket_is_refused() -> None:
    ticket = session.issue("BKIA1", SECRET, now=1000.0)
    longer = session.Ticket(ticket.access_key_id, ticket.expires_at + 10**6, ticket.mac)
    other = session.Ticket("BKIA2", ticket.expires_at, ticket.mac)
    assert not session.verify(longer, SECRET, now=1001.0)
    assert not session.verify(other, SECRET, now=1001.0)


def test_parse_refuses_what_is_not_a_ticket() -> None:
    for value in (None, "", "x", "v0.BKIA1.100.ab", "v1..100.ab", "v1.BKIA1.soon.ab", "v1.a.b.c.d"):
        assert session.parse(value) is None, value


def test_csrf_tokens_belong_to_one_session() -> None:
    one = session.issue("BKIA1", SECRET, now=1000.0)
    two = session.issue("BKIA1", SECRET, now=2000.0)
    token = session.csrf_token(one, SECRET)
    assert session.csrf_ok(one, SECRET, token)
    assert not session.csrf_ok(two, SECRET, token)
    assert not session.csrf_ok(one, SECRET, "")
    assert not session.csrf_ok(one, SECRET, None)
