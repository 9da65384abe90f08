"""The pure parts of the credentials endpoint: ids, the JSON the SDKs expect, when to refresh,
and the environment a task's containers get. No I/O, no clock reads."""

from __future__ import annotations

import secrets
import time

from berth.v1 import agent_pb2

ECS_HOST = "169.254.170.2"  # the address the SDKs call with AWS_CONTAINER_CREDENTIALS_RELATIVE_URI
ECS_PORT = 80
DEFAULT_ADDRESS = f"{ECS_HOST}:{ECS_PORT}"
PATH_PREFIX = "/v2/credentials/"
REFRESH_FRACTION = 0.8  # refresh once this much of the credentials' life has passed
MIN_REFRESH_SECONDS = 1.0
RETRY_SECONDS = 5.0  # after a failed refresh, the next try (while the old ones still hold)


def new_id() -> str:
    """A random, unguessable id for a task's credentials path (128 bits)."""
    return secrets.token_hex(16)


def parse_address(value: str) -> tuple[str, int]:
    """`HOST:PORT` of the endpoint; ValueError naming the value when it is not one."""
    host, sep, port = value.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise ValueError(f"{value!r} is not HOST:PORT (for example {DEFAULT_ADDRESS})")
    return host, int(port)


def iso8601(epoch: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


def credentials_json(creds: agent_pb2.GetTaskCredentialsResponse) -> dict[str, str]:
    """The body of `GET /v2/credentials/<id>`, as the ECS agent serves it (and botocore reads it)."""
    return {
        "RoleArn": creds.role_arn,
        "AccessKeyId": creds.access_key_id,
        "SecretAccessKey": creds.secret_access_key,
        "Token": creds.session_token,
        "Expiration": iso8601(creds.expiration),
    }


def not_found_json() -> dict[str, str]:
    return {"code": "NotFound", "message": "no credentials at this path"}


def refresh_delay(now: float, issued_at: float, expiration: float) -> float:
    """Seconds from `now` until credentials issued at `issued_at` should be replaced: at
    REFRESH_FRACTION of their life."""
    due = issued_at + REFRESH_FRACTION * (expiration - issued_at)
    return max(MIN_REFRESH_SECONDS, due - now)


def container_env(credentials_id: str, host: str, port: int) -> dict[str, str]:
    """What a task's containers get. On the ECS address and port the SDKs' convention applies
    (a path relative to http://169.254.170.2); on any other port, the full URI (botocore accepts
    169.254.170.2 and loopback hosts there)."""
    path = PATH_PREFIX + credentials_id
    if host == ECS_HOST and port == ECS_PORT:
        return {"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": path}
    return {"AWS_CONTAINER_CREDENTIALS_FULL_URI": f"http://{host}:{port}{path}"}


def usable(creds: agent_pb2.GetTaskCredentialsResponse, now: float) -> bool:
    return now < creds.expiration
