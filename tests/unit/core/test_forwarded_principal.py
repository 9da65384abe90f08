"""A call another replica forwarded is its caller's, and only with the replicas' token."""

from __future__ import annotations

from typing import Any

import pytest

from berth.errors import Unauthenticated
from controlplane import auth
from controlplane.auth import Authenticator, Principal


class Tokens(Authenticator):
    """The authenticator with its replica token given (no etcd)."""

    def __init__(self, token: str) -> None:
        super().__init__(store=None)  # type: ignore[arg-type]
        self._token = token

    async def replica_token(self) -> str:
        return self._token


ADMIN = Principal("admin", access_key_id="BKIA1", policies=(auth.ADMIN_POLICY,))


async def test_a_forwarded_call_is_its_callers_and_says_where_it_came_from() -> None:
    got = await Tokens("brt_s3cret").from_bearer("Bearer brt_s3cret", auth.encode_principal(ADMIN), "vm:42")
    assert (got.name, got.kind, got.access_key_id, got.policies, got.via) == (
        "admin",
        "user",
        "BKIA1",
        (auth.ADMIN_POLICY,),
        "vm:42",
    )


@pytest.mark.parametrize(
    ("authorization", "forwarded", "says"),
    [
        ("Bearer brt_wrong", auth.encode_principal(ADMIN), "replica token is not valid"),
        ("Bearer brt_s3cret", None, "must name the principal it acts for"),
        ("Bearer brt_s3cret", "{not json", "forwarded principal"),
        ("Bearer brt_s3cret", '{"kind": "user"}', "forwarded principal"),
    ],
)
async def test_a_forwarded_call_needs_the_token_and_a_principal(
    authorization: str, forwarded: Any, says: str
) -> None:
    with pytest.raises(Unauthenticated, match=says):
        await Tokens("brt_s3cret").from_bearer(authorization, forwarded, "vm:42")


async def test_without_a_replica_token_in_etcd_nothing_passes_as_a_replica() -> None:
    with pytest.raises(Unauthenticated, match="replica token is not valid"):
        await Tokens("").from_bearer("Bearer brt_", auth.encode_principal(ADMIN), "vm:42")
