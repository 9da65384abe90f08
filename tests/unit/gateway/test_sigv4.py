"""The SigV4 verifier against botocore's own signer: what botocore signs, we accept; any change to a
signed part, a wrong key, scope or clock is refused with the AWS exception name."""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from typing import Any
from unittest import mock
from urllib.parse import urlsplit

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from berth.errors import Unauthenticated
from controlplane.gateway import sigv4

KEY_ID = "BKIA0123456789ABCDEF"
SECRET = "s3cr3t-s3cr3t-s3cr3t"
REGION = "local"
SIGNED_AT = datetime.datetime(2026, 3, 14, 15, 9, 26, tzinfo=datetime.UTC)
NOW = SIGNED_AT.timestamp() + 2
BODY = json.dumps({"clusterName": "web", "tags": [{"key": "team", "value": "a b"}]}).encode()


def signed(
    *,
    url: str = "http://127.0.0.1:7411/",
    body: bytes = BODY,
    headers: dict[str, str] | None = None,
    secret: str = SECRET,
    key_id: str = KEY_ID,
    region: str = REGION,
    service: str = "ecs",
    token: str | None = None,
    at: datetime.datetime = SIGNED_AT,
) -> sigv4.SignedRequest:
    """A request signed by botocore, as the server receives it (urllib3 adds Host)."""
    request = AWSRequest(
        method="POST",
        url=url,
        data=body,
        headers=headers
        if headers is not None
        else {
            "X-Amz-Target": "AmazonEC2ContainerServiceV20141113.CreateCluster",
            "Content-Type": "application/x-amz-json-1.1",
            "User-Agent": "Boto3/1.43 unsigned",
        },
    )
    with mock.patch("botocore.auth.get_current_datetime", return_value=at.replace(tzinfo=None)):
        SigV4Auth(Credentials(key_id, secret, token), service, region).add_auth(request)
    parts = urlsplit(url)
    received: dict[str, list[str]] = {"host": [parts.netloc]}
    for name, value in request.headers.items():
        received.setdefault(name.lower(), []).append(value)
    return sigv4.SignedRequest("POST", parts.path, parts.query, received, body)


def check(
    request: sigv4.SignedRequest,
    *,
    secret: str = SECRET,
    now: float = NOW,
    keys: sigv4.SigningKeys | None = None,
) -> None:
    auth = sigv4.parse_authorization(request.header("authorization"))
    sigv4.verify(request, auth, secret=secret, region=REGION, service="ecs", now=now, keys=keys)


def changed(request: sigv4.SignedRequest, **parts: Any) -> sigv4.SignedRequest:
    values = {
        "method": request.method,
        "path": request.path,
        "query": request.query,
        "headers": dict(request.headers),
        "body": request.body,
    } | parts
    return sigv4.SignedRequest(**values)


def with_header(request: sigv4.SignedRequest, name: str, value: str | None) -> sigv4.SignedRequest:
    headers = dict(request.headers)
    if value is None:
        headers.pop(name, None)
    else:
        headers[name] = [value]
    return changed(request, headers=headers)


@pytest.mark.parametrize(
    "request_factory",
    [
        pytest.param(lambda: signed(), id="json-post"),
        pytest.param(lambda: signed(body=b""), id="empty-body"),
        pytest.param(
            lambda: signed(url="http://berth.example:8080/a/./b/../c%20d/?b=2&a=1&a=0&x=%2F%7E+"),
            id="path-and-query",
        ),
        pytest.param(lambda: signed(url="http://berth.example/"), id="default-port"),
        pytest.param(lambda: signed(token="session-token"), id="security-token"),
        pytest.param(
            lambda: signed(headers={"X-Amz-Target": "T", "X-Custom": "  a   b  ", "Content-Type": "x"}),
            id="trim",
        ),
        pytest.param(lambda: signed(headers={"X-Amz-Target": "T", "Date": "now"}), id="date-header"),
        pytest.param(
            lambda: signed(key_id="BKIAOTHER", secret="other/secret+with=chars", region=REGION),
            id="other-key",
        ),
    ],
)
def test_what_botocore_signs_verifies(request_factory: Callable[[], sigv4.SignedRequest]) -> None:
    request = request_factory()
    auth = sigv4.parse_authorization(request.header("authorization"))
    secret = "other/secret+with=chars" if auth.access_key_id == "BKIAOTHER" else SECRET
    check(request, secret=secret)


def test_signed_headers_are_botocores() -> None:
    auth = sigv4.parse_authorization(signed().header("authorization"))
    assert auth.signed_headers == ("content-type", "host", "x-amz-date", "x-amz-target")
    assert (auth.access_key_id, auth.date, auth.region, auth.service) == (KEY_ID, "20260314", REGION, "ecs")


def refusal(request: sigv4.SignedRequest, *, secret: str = SECRET, now: float = NOW) -> Unauthenticated:
    with pytest.raises(Unauthenticated) as e:
        check(request, secret=secret, now=now)
    return e.value


@pytest.mark.parametrize(
    ("tamper", "ecs_type"),
    [
        (lambda r: changed(r, body=r.body.replace(b"web", b"wob")), "InvalidSignatureException"),
        (lambda r: changed(r, method="PUT"), "InvalidSignatureException"),
        (lambda r: changed(r, path="/other"), "InvalidSignatureException"),
        (lambda r: changed(r, query="a=1"), "InvalidSignatureException"),
        (
            lambda r: with_header(r, "x-amz-target", "AmazonEC2ContainerServiceV20141113.DeleteCluster"),
            "InvalidSignatureException",
        ),
        (lambda r: with_header(r, "host", "evil.example:7411"), "InvalidSignatureException"),
        (lambda r: with_header(r, "x-amz-date", "20260314T150927Z"), "InvalidSignatureException"),
        (lambda r: with_header(r, "x-amz-content-sha256", "0" * 64), "IncompleteSignatureException"),
        (lambda r: with_header(r, "x-amz-security-token", "injected"), "IncompleteSignatureException"),
        (lambda r: with_header(r, "x-amz-date", None), "IncompleteSignatureException"),
        (lambda r: with_header(r, "x-amz-date", "yesterday"), "IncompleteSignatureException"),
    ],
    ids=[
        "body",
        "method",
        "path",
        "query",
        "target",
        "host",
        "date",
        "content-sha",
        "unsigned-token",
        "no-date",
        "bad-date",
    ],
)
def test_a_change_to_a_signed_part_is_refused(
    tamper: Callable[[sigv4.SignedRequest], sigv4.SignedRequest], ecs_type: str
) -> None:
    assert refusal(tamper(signed())).ecs_type == ecs_type


def test_a_signed_payload_hash_must_match_the_body() -> None:
    request = signed(headers={"X-Amz-Target": "T", "X-Amz-Content-SHA256": "0" * 64})
    assert refusal(request).ecs_type == "InvalidSignatureException"


def test_wrong_secret_is_an_invalid_signature() -> None:
    error = refusal(signed(secret="not-the-secret"))
    assert error.ecs_type == "InvalidSignatureException"
    assert "signature" in error.message


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [
        ({"region": "us-east-1"}, "region"),
        ({"service": "ec2"}, "service"),
    ],
)
def test_the_credential_scope_must_match(kwargs: dict[str, Any], needle: str) -> None:
    error = refusal(signed(**kwargs))
    assert error.ecs_type == "InvalidSignatureException" and needle in error.message


@pytest.mark.parametrize(
    ("minutes", "wording"), [(-6, "Signature expired"), (6, "Signature not yet current")]
)
def test_a_signature_more_than_5_minutes_off_is_refused(minutes: int, wording: str) -> None:
    request = signed(at=SIGNED_AT + datetime.timedelta(minutes=minutes))
    error = refusal(request)
    assert error.ecs_type == "InvalidSignatureException"
    assert error.message.startswith(wording)


@pytest.mark.parametrize("minutes", [-4.9, 4.9])
def test_a_signature_within_5_minutes_is_accepted(minutes: float) -> None:
    check(signed(at=SIGNED_AT + datetime.timedelta(minutes=minutes)))


@pytest.mark.parametrize(
    ("header", "ecs_type"),
    [
        (None, "MissingAuthenticationTokenException"),
        ("", "MissingAuthenticationTokenException"),
        ("Bearer abc.def", "IncompleteSignatureException"),
        (
            "AWS4-HMAC-SHA256 Credential=K/20260314/local/ecs/aws4_request, Signature=ab",
            "IncompleteSignatureException",
        ),
        (
            "AWS4-HMAC-SHA256 Credential=K/20260314/local/ecs, SignedHeaders=host, Signature=ab",
            "IncompleteSignatureException",
        ),
        (
            "AWS4-HMAC-SHA256 Credential=K/20260314/local/ecs/aws5_request, SignedHeaders=host, Signature=ab",
            "IncompleteSignatureException",
        ),
        (
            "AWS4-HMAC-SHA256 Credential=K/20260314/local/ecs/aws4_request, SignedHeaders=Host, Signature=ab",
            "IncompleteSignatureException",
        ),
    ],
    ids=["absent", "empty", "bearer", "no-signed-headers", "short-scope", "terminator", "uppercase-header"],
)
def test_unusable_authorization_headers(header: str | None, ecs_type: str) -> None:
    with pytest.raises(Unauthenticated) as e:
        sigv4.parse_authorization(header)
    assert e.value.ecs_type == ecs_type


def test_host_must_be_signed() -> None:
    request = signed()
    auth = sigv4.parse_authorization(request.header("authorization"))
    without_host = sigv4.Authorization(
        auth.access_key_id,
        auth.date,
        auth.region,
        auth.service,
        tuple(h for h in auth.signed_headers if h != "host"),
        auth.signature,
    )
    with pytest.raises(Unauthenticated) as e:
        sigv4.verify(request, without_host, secret=SECRET, region=REGION, service="ecs", now=NOW)
    assert e.value.ecs_type == "IncompleteSignatureException"


def test_signing_keys_are_cached_per_scope() -> None:
    keys = sigv4.SigningKeys(max_entries=2)
    first = keys.get(KEY_ID, SECRET, "20260314", REGION, "ecs")
    assert keys.get(KEY_ID, SECRET, "20260314", REGION, "ecs") is first
    assert first == sigv4.signing_key(SECRET, "20260314", REGION, "ecs")
    assert keys.get(KEY_ID, "rotated", "20260314", REGION, "ecs") != first
    assert keys.get(KEY_ID, SECRET, "20260315", REGION, "ecs") != first
    check(signed(), keys=keys)
    check(signed(), keys=keys)
    assert refusal(signed(secret="rotated")).ecs_type == "InvalidSignatureException"


def test_canonical_uri_matches_botocore() -> None:
    from botocore.utils import normalize_url_path

    for path in ("/", "", "/a//b/", "/a/./b/../c", "/%20x/y~z", "/../a"):
        expected = SigV4Auth(Credentials("k", "s"), "ecs", REGION)._normalize_url_path(path)
        assert sigv4.canonical_uri(path) == expected, (path, normalize_url_path(path))
