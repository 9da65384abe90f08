"""Console sessions: a signed cookie naming the access key that logged in, and CSRF tokens.

Pure: no I/O, the caller supplies the key's secret and the clock.

The cookie is `v1.<accessKeyId>.<expiresAt>.<mac>`, the MAC an HMAC-SHA256 keyed with the access
key's own secret. So there is no console secret to share between replicas, and deleting or
deactivating the key ends its console sessions at once (the key is looked up on every request).
A CSRF token is an HMAC of the cookie value with the same secret: a page served to the session
carries it, a cross-site form cannot know it.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

COOKIE = "berth_console"
LIFETIME_SECONDS = 12 * 3600
_VERSION = "v1"


@dataclass(frozen=True)
class Ticket:
    access_key_id: str
    expires_at: int
    mac: str

    @property
    def value(self) -> str:
        return f"{_VERSION}.{self.access_key_id}.{self.expires_at}.{self.mac}"


def _mac(secret: str, *parts: str) -> str:
    return hmac.new(secret.encode(), ".".join(parts).encode(), hashlib.sha256).hexdigest()


def issue(access_key_id: str, secret: str, now: float, lifetime: int = LIFETIME_SECONDS) -> Ticket:
    expires = int(now) + lifetime
    return Ticket(access_key_id, expires, _mac(secret, "console", access_key_id, str(expires)))


def parse(value: str | None) -> Ticket | None:
    """The ticket a cookie holds, unverified; None when it is not one of ours."""
    if not value:
        return None
    parts = value.split(".")
    if len(parts) != 4 or parts[0] != _VERSION or not parts[1] or not parts[2].isdigit():
        return None
    return Ticket(parts[1], int(parts[2]), parts[3])


def verify(ticket: Ticket, secret: str, now: float) -> bool:
    """The ticket was issued with this secret and has not expired."""
    expected = _mac(secret, "console", ticket.access_key_id, str(ticket.expires_at))
    return hmac.compare_digest(expected, ticket.mac) and now < ticket.expires_at


def csrf_token(ticket: Ticket, secret: str) -> str:
    return _mac(secret, "csrf", ticket.value)[:32]


def csrf_ok(ticket: Ticket, secret: str, presented: str | None) -> bool:
    return bool(presented) and hmac.compare_digest(csrf_token(ticket, secret), presented or "")
