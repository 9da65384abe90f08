"""What every servicer shares: the store, ARN factory and the small helpers of ECS list calls."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from typing import TypeVar

from google.protobuf.message import Message

from berth.arn import ArnFactory
from berth.errors import InvalidArgument, shown
from controlplane.store import EtcdStore, Versioned

M = TypeVar("M", bound=Message)

MAX_RESULTS = 100


class ApiBase:
    def __init__(self, store: EtcdStore, arns: ArnFactory) -> None:
        self.store = store
        self.arns = arns


def page_size(value: int | None, *, field: str = "maxResults", maximum: int = MAX_RESULTS) -> int:
    """ECS maxResults: 1..100, default 100."""
    if value is None:
        return maximum
    if not 1 <= value <= maximum:
        raise InvalidArgument.field(field, f"{value} is out of range: must be between 1 and {maximum}")
    return value


def check_filter(value: str, allowed: tuple[str, ...], field: str) -> None:
    """A List call's enum-like filter: empty (no filter) or one of `allowed`."""
    if value and value not in allowed:
        raise InvalidArgument.field(field, f"{shown(value)} is not one of {', '.join(allowed)}")


def encode_token(scope: str, last_key: str) -> str:
    raw = json.dumps({"s": scope, "k": last_key}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_token(token: str, scope: str, *, field: str = "nextToken") -> str:
    """The key to continue after; InvalidArgument if the token is not one this listing issued."""
    if not token:
        return ""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        data = json.loads(raw)
        if data["s"] != scope or not isinstance(data["k"], str):
            raise ValueError
        return str(data["k"])
    except (binascii.Error, ValueError, KeyError, TypeError):
        raise InvalidArgument.field(field, "is not a token returned by this listing") from None


async def collect(
    store: EtcdStore,
    prefix: str,
    cls: type[M],
    *,
    token: str,
    limit: int,
    keep: Callable[[M], bool] = lambda _: True,
    reverse: bool = False,
) -> tuple[list[Versioned[M]], str]:
    """One page of the records under `prefix` that `keep` accepts, and the token of the next page."""
    scope = f"{prefix}|{'desc' if reverse else 'asc'}"
    after = decode_token(token, scope)
    out: list[Versioned[M]] = []
    while True:
        batch, more = await store.list(
            prefix, cls, start_after=after, limit=max(limit * 2, 50), reverse=reverse
        )
        for record in batch:
            if keep(record.value):
                out.append(record)
                if len(out) == limit:
                    last = record.key
                    tail_more = more or record is not batch[-1]
                    return out, encode_token(scope, last) if tail_more else ""
        if not more or not batch:
            return out, ""
        after = batch[-1].key
