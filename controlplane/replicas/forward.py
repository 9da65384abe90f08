"""Forwarding a stream to the replica that holds an agent's session.

The forwarded call carries the replicas' shared token and the caller's principal; the peer
authenticates the token, takes the principal as the caller (it was authenticated here), authorizes
the call again, and never forwards it a second time.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import grpc

from berth import errors, tls
from berth.v1 import berth_pb2, berth_pb2_grpc
from controlplane import auth
from controlplane.replicas.registry import ReplicaRegistry

_ERRORS: dict[grpc.StatusCode, type[errors.BerthError]] = {
    grpc.StatusCode.NOT_FOUND: errors.NotFound,
    grpc.StatusCode.INVALID_ARGUMENT: errors.InvalidArgument,
    grpc.StatusCode.FAILED_PRECONDITION: errors.FailedPrecondition,
    grpc.StatusCode.PERMISSION_DENIED: errors.PermissionDenied,
    grpc.StatusCode.UNAUTHENTICATED: errors.Unauthenticated,
    grpc.StatusCode.RESOURCE_EXHAUSTED: errors.Throttled,
}


class Forwarder:
    def __init__(
        self,
        registry: ReplicaRegistry,
        authenticator: auth.Authenticator,
        roots: bytes | None = None,
        server_name: str = "",
    ) -> None:
        """`roots`: the CA bundle replicas' gRPC ports are verified with (None: plaintext, an
        insecure cluster); `server_name`: the name to verify instead of the dialled address."""
        self.registry = registry
        self.authenticator = authenticator
        self.roots = roots
        self.server_name = server_name
        self._channels: dict[str, grpc.aio.Channel] = {}

    async def logs(
        self, replica: str, request: berth_pb2.GetTaskLogsRequest, principal: auth.Principal
    ) -> AsyncIterator[berth_pb2.GetTaskLogsResponse]:
        stub = await self._stub(replica)
        call = stub.GetTaskLogs(request, metadata=await self._metadata(principal))
        async for response in self._relay(replica, call):
            yield response

    async def execute(
        self,
        replica: str,
        first: berth_pb2.ExecuteCommandStreamRequest,
        rest: AsyncIterator[berth_pb2.ExecuteCommandStreamRequest],
        principal: auth.Principal,
    ) -> AsyncIterator[berth_pb2.ExecuteCommandStreamResponse]:
        async def requests() -> AsyncIterator[berth_pb2.ExecuteCommandStreamRequest]:
            yield first
            async for request in rest:
                yield request

        stub = await self._stub(replica)
        call = stub.ExecuteCommandStream(requests(), metadata=await self._metadata(principal))
        async for response in self._relay(replica, call):
            yield response

    def reset(self, roots: bytes | None) -> None:
        """Verify replicas with `roots` from now on (the cluster CA rotated): new channels for new
        calls; the old ones are left to the calls on them."""
        self.roots = roots
        self._channels = {}

    async def close(self) -> None:
        for channel in self._channels.values():
            await channel.close()
        self._channels.clear()

    async def _stub(self, replica: str) -> Any:
        endpoint = await self.registry.endpoint_of(replica)
        if endpoint is None:
            raise errors.FailedPrecondition(
                f"control plane replica {replica}, which holds the agent's session, is gone; "
                "retry once the agent has reconnected to a live replica"
            )
        channel = self._channels.get(endpoint)
        if channel is None:
            channel = self._channels[endpoint] = (
                grpc.aio.insecure_channel(endpoint)
                if self.roots is None
                else grpc.aio.secure_channel(
                    endpoint,
                    tls.channel_credentials(self.roots),
                    options=tls.server_name_options(self.server_name),
                )
            )
        return berth_pb2_grpc.BerthStub(channel)  # type: ignore[no-untyped-call]

    async def _metadata(self, principal: auth.Principal) -> tuple[tuple[str, str], ...]:
        token = await self.authenticator.replica_token()
        return (
            ("authorization", f"Bearer {token}"),
            (auth.FORWARDED_FOR, auth.encode_principal(principal)),
            (auth.FORWARDED_BY, self.registry.replica),
        )

    @staticmethod
    async def _relay(replica: str, call: Any) -> AsyncIterator[Any]:
        """The peer's responses; its error as the same kind of error here; cancelled when dropped."""
        try:
            async for response in call:
                yield response
        except grpc.aio.AioRpcError as e:
            cls = _ERRORS.get(e.code())
            if cls is not None:
                raise cls(e.details() or e.code().name) from None
            raise errors.Unavailable(
                f"control plane replica {replica} did not answer: {e.code().name}: {e.details()}"
            ) from None
        finally:
            call.cancel()
