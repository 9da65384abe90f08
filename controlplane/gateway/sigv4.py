"""AWS Signature Version 4 verification, as pure functions.

The ECS JSON endpoint authenticates a request by recomputing the signature its client made with a
berth access key, exactly as botocore builds it: the canonical request (method, normalized path,
sorted query, the headers named in SignedHeaders with their values trimmed, the SHA-256 of the
body), the string to sign, and an HMAC chain keyed by the secret, the date, the region and the
service. Nothing here does I/O or reads the clock: the caller looks the secret up, passes `now`,
and maps the `Unauthenticated` errors raised here to the AWS error shapes (their `ecs_type` is the
AWS exception name: `IncompleteSignatureException`, `InvalidSignatureException`,
`MissingAuthenticationTokenException`).

Deriving the signing key costs four HMACs; `SigningKeys` caches it per (key, date, region, service)
so that the hot path costs one SHA-256 of the body, one of the canonical request and one HMAC.
"""

from __future__ import annotations

import calendar
import hashlib
import hmac
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from urllib.parse import quote

from berth.errors import Unauthenticated

ALGORITHM = "AWS4-HMAC-SHA256"
TERMINATOR = "aws4_request"
TIMESTAMP_FORMAT = "%Y%m%dT%H%M%SZ"
# As AWS: a signed request must arrive within five minutes of its timestamp (no replay later).
MAX_SKEW_SECONDS = 5 * 60
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()


def incomplete(message: str) -> Unauthenticated:
    return Unauthenticated(message, ecs_type="IncompleteSignatureException")


def invalid(message: str) -> Unauthenticated:
    return Unauthenticated(message, ecs_type="InvalidSignatureException")


def missing_token() -> Unauthenticated:
    return Unauthenticated(
        "the request carries no AWS Signature Version 4 (no Authorization header); sign it with a berth "
        "access key (see `berth configure-aws`)",
        ecs_type="MissingAuthenticationTokenException",
    )


def unrecognized_key(access_key_id: str) -> Unauthenticated:
    return Unauthenticated(
        f"the security token included in the request is invalid: access key {access_key_id!r} is unknown "
        "or not active",
        ecs_type="UnrecognizedClientException",
    )


@dataclass(frozen=True)
class Authorization:
    """The parsed `Authorization: AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...`."""

    access_key_id: str
    date: str  # yyyymmdd of the credential scope
    region: str
    service: str
    signed_headers: tuple[str, ...]
    signature: str

    @property
    def scope(self) -> str:
        return f"{self.date}/{self.region}/{self.service}/{TERMINATOR}"


@dataclass(frozen=True)
class SignedRequest:
    """The parts of an HTTP request that SigV4 covers. `path` and `query` are raw (as sent,
    percent-encoded); `headers` maps lowercase names to their values in the order received."""

    method: str
    path: str
    query: str
    headers: Mapping[str, Sequence[str]]
    body: bytes

    def header(self, name: str) -> str | None:
        values = self.headers.get(name)
        return values[0] if values else None


def parse_authorization(value: str | None) -> Authorization:
    """Parse the Authorization header; MissingAuthenticationToken or IncompleteSignature if unusable."""
    if value is None or not value.strip():
        raise missing_token()
    algorithm, _, rest = value.strip().partition(" ")
    if algorithm != ALGORITHM:
        raise incomplete(f"unsupported authorization algorithm {algorithm!r}; berth accepts {ALGORITHM}")
    parts: dict[str, str] = {}
    for item in rest.split(","):
        name, sep, part = item.strip().partition("=")
        if sep:
            parts[name.strip()] = part.strip()
    absent = [p for p in ("Credential", "SignedHeaders", "Signature") if not parts.get(p)]
    if absent:
        raise incomplete(
            f"the Authorization header lacks {', '.join(absent)} (expected "
            f"'{ALGORITHM} Credential=..., SignedHeaders=..., Signature=...')"
        )
    credential = parts["Credential"].split("/")
    if len(credential) != 5 or not all(credential):
        raise incomplete(
            f"Credential {parts['Credential']!r} is not "
            f"<accessKeyId>/<yyyymmdd>/<region>/<service>/{TERMINATOR}"
        )
    key_id, date, region, service, terminator = credential
    if terminator != TERMINATOR:
        raise incomplete(f"the credential scope must end in {TERMINATOR!r}, not {terminator!r}")
    signed = tuple(parts["SignedHeaders"].split(";"))
    if any(h != h.strip().lower() or not h for h in signed):
        raise incomplete(f"SignedHeaders {parts['SignedHeaders']!r} must be lowercase names joined by ';'")
    return Authorization(key_id, date, region, service, signed, parts["Signature"])


def request_timestamp(request: SignedRequest) -> tuple[str, float]:
    """The signing time as `yyyymmddThhmmssZ` and as epoch seconds, from X-Amz-Date (else Date)."""
    amz_date = request.header("x-amz-date")
    if amz_date is not None:
        try:
            parsed = time.strptime(amz_date, TIMESTAMP_FORMAT)
        except ValueError:
            raise incomplete(f"X-Amz-Date {amz_date!r} is not in the form yyyymmddThhmmssZ") from None
        return amz_date, float(calendar.timegm(parsed))
    date = request.header("date")
    if date is None:
        raise incomplete("the request carries neither an X-Amz-Date nor a Date header")
    try:
        moment = parsedate_to_datetime(date)
    except (TypeError, ValueError):
        raise incomplete(f"Date {date!r} is not an HTTP date") from None
    epoch = moment.timestamp()
    return time.strftime(TIMESTAMP_FORMAT, time.gmtime(epoch)), epoch


def check_scope(auth: Authorization, amz_date: str, *, region: str, service: str) -> None:
    if auth.service != service:
        raise invalid(f"Credential should be scoped to correct service: {service!r}, not {auth.service!r}")
    if auth.region != region:
        raise invalid(
            f"Credential should be scoped to a valid region: this berth is region {region!r}, "
            f"the request was signed for {auth.region!r}"
        )
    if auth.date != amz_date[:8]:
        raise invalid(f"Credential should be scoped to the request date {amz_date[:8]}, not {auth.date}")


def check_signed_headers(request: SignedRequest, auth: Authorization) -> None:
    """Host and every x-amz-* header sent (the operation, the date, a token) must be signed, so
    that a captured request cannot be replayed as another operation."""
    if "host" not in auth.signed_headers:
        raise incomplete("'Host' must be a signed header (listed in SignedHeaders)")
    unsigned = sorted(n for n in request.headers if n.startswith("x-amz-") and n not in auth.signed_headers)
    if unsigned:
        raise incomplete(f"header(s) {', '.join(unsigned)} must be signed (listed in SignedHeaders)")


def check_clock(amz_date: str, signed_at: float, now: float, *, max_skew: float = MAX_SKEW_SECONDS) -> None:
    """Refuse a signature made more than `max_skew` seconds before or after `now`, worded as AWS does."""
    minutes = int(max_skew // 60)
    if signed_at < now - max_skew:
        raise invalid(
            f"Signature expired: {amz_date} is now earlier than {_stamp(now - max_skew)} "
            f"({_stamp(now)} - {minutes} min.)"
        )
    if signed_at > now + max_skew:
        raise invalid(
            f"Signature not yet current: {amz_date} is still later than {_stamp(now + max_skew)} "
            f"({_stamp(now)} + {minutes} min.)"
        )


def canonical_uri(raw_path: str) -> str:
    """The path as botocore signs it: dot segments and empty segments removed, then URI-encoded."""
    return quote(_remove_dot_segments(raw_path or "/"), safe="/~")


def canonical_query(raw_query: str) -> str:
    """Query parameters sorted by name then value, as sent. botocore signs the query of a URL this
    way (its own URLs are already encoded canonically), and ECS requests carry no query anyway."""
    if not raw_query:
        return ""
    pairs = [pair.partition("=") for pair in raw_query.split("&")]
    return "&".join(f"{k}={v}" for k, v in sorted((k, v) for k, _, v in pairs))


def canonical_headers(request: SignedRequest, signed_headers: Sequence[str]) -> str:
    lines = []
    for name in signed_headers:
        values = request.headers.get(name)
        if values is None:
            raise invalid(f"signed header {name!r} is not in the request")
        lines.append(f"{name}:{','.join(' '.join(v.split()) for v in values)}\n")
    return "".join(lines)


def canonical_request(request: SignedRequest, signed_headers: Sequence[str], payload_hash: str) -> str:
    return "\n".join(
        (
            request.method.upper(),
            canonical_uri(request.path),
            canonical_query(request.query),
            canonical_headers(request, signed_headers),
            ";".join(signed_headers),
            payload_hash,
        )
    )


def string_to_sign(amz_date: str, scope: str, canonical: str) -> str:
    digest = hashlib.sha256(canonical.encode()).hexdigest()
    return f"{ALGORITHM}\n{amz_date}\n{scope}\n{digest}"


def signing_key(secret: str, date: str, region: str, service: str) -> bytes:
    key = _hmac(f"AWS4{secret}".encode(), date)
    key = _hmac(key, region)
    key = _hmac(key, service)
    return _hmac(key, TERMINATOR)


def signature(key: bytes, to_sign: str) -> str:
    return hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()


def payload_hash(request: SignedRequest) -> str:
    """SHA-256 of the body; a client-sent x-amz-content-sha256 must agree with it."""
    actual = hashlib.sha256(request.body).hexdigest() if request.body else EMPTY_SHA256
    claimed = request.header("x-amz-content-sha256")
    if claimed is not None and claimed != actual:
        raise invalid("the x-amz-content-sha256 header does not match the SHA-256 of the body")
    return actual


class SigningKeys:
    """Derived signing keys by (access key id, secret, date, region, service), bounded in size.

    The secret is part of the cache key so that a rotated secret never meets a stale key."""

    def __init__(self, max_entries: int = 4096) -> None:
        self._keys: dict[tuple[str, str, str, str, str], bytes] = {}
        self._max = max_entries

    def get(self, access_key_id: str, secret: str, date: str, region: str, service: str) -> bytes:
        cache_key = (access_key_id, secret, date, region, service)
        key = self._keys.get(cache_key)
        if key is None:
            if len(self._keys) >= self._max:
                self._keys.clear()
            key = self._keys[cache_key] = signing_key(secret, date, region, service)
        return key


def verify(
    request: SignedRequest,
    auth: Authorization,
    *,
    secret: str,
    region: str,
    service: str,
    now: float,
    keys: SigningKeys | None = None,
) -> None:
    """Raise Unauthenticated unless `request` carries a current, valid signature of `auth`'s key."""
    amz_date, signed_at = request_timestamp(request)
    check_scope(auth, amz_date, region=region, service=service)
    check_signed_headers(request, auth)
    canonical = canonical_request(request, auth.signed_headers, payload_hash(request))
    key = (
        keys.get(auth.access_key_id, secret, auth.date, region, service)
        if keys is not None
        else signing_key(secret, auth.date, region, service)
    )
    expected = signature(key, string_to_sign(amz_date, auth.scope, canonical))
    if not hmac.compare_digest(expected.encode(), auth.signature.encode()):
        raise invalid(
            "the request signature we calculated does not match the signature you provided; check "
            "the secret access key and the signing method"
        )
    check_clock(amz_date, signed_at, now)


def _hmac(key: bytes, message: str) -> bytes:
    return hmac.new(key, message.encode(), hashlib.sha256).digest()


def _stamp(epoch: float) -> str:
    return time.strftime(TIMESTAMP_FORMAT, time.gmtime(epoch))


def _remove_dot_segments(path: str) -> str:
    # RFC 3986 5.2.4, and consecutive slashes collapse, as botocore normalizes before signing.
    segments: list[str] = []
    for segment in path.split("/"):
        if not segment or segment == ".":
            continue
        if segment == "..":
            if segments:
                segments.pop()
        else:
            segments.append(segment)
    first = "/" if path.startswith("/") else ""
    last = "/" if path.endswith("/") and segments else ""
    return first + "/".join(segments) + last
