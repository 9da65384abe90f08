"""Serves the API over gRPC: generic handlers built from the service descriptors, plus the standard
health service and server reflection (so grpcurl works with no .proto files at hand)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import grpc
from google.protobuf.message import DecodeError, Message
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection
from grpc_status import rpc_status

from berth import errors
from controlplane.api.dispatch import Api, Method
from controlplane.api.errors import internal_status, to_status
from controlplane.auth import FORWARDED_BY, FORWARDED_FOR, SECURITY_TOKEN, Authenticator, Principal
from controlplane.tls.live import LiveTls

REQUEST_ID = "x-request-id"
# A request larger than MAX_REQUEST_BYTES is refused with INVALID_ARGUMENT naming the limit. The
# transport's own cap sits above it so that such a request reaches us (and gets that message)
# instead of a bare RESOURCE_EXHAUSTED; beyond the transport cap gRPC itself refuses it.
MAX_REQUEST_BYTES = 4 * 1024 * 1024
MAX_TRANSPORT_BYTES = 64 * 1024 * 1024
MAX_RESPONSE_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True)
class Undecodable:
    """What the deserializer hands over for a request it cannot decode: the error to answer with.

    gRPC would answer a deserializer exception with UNKNOWN; this way the call goes through the
    chain (authenticated, logged, counted) and gets INVALID_ARGUMENT like any other bad input."""

    error: errors.InvalidArgument


def request_decoder(cls: type[Message], limit: int = MAX_REQUEST_BYTES) -> Callable[[bytes], object]:
    name = cls.DESCRIPTOR.full_name

    def decode(data: bytes) -> object:
        if len(data) > limit:
            return Undecodable(
                errors.InvalidArgument(f"request is {len(data)} bytes; a {name} may be at most {limit} bytes")
            )
        try:
            return cls.FromString(data)
        except (DecodeError, RecursionError, ValueError) as e:
            return Undecodable(errors.InvalidArgument(f"request body is not a valid {name} ({e})"))

    return decode


async def _checked(requests: AsyncIterator[object]) -> AsyncIterator[object]:
    """The messages of a client stream, failing the call at the first one that did not decode."""
    async for request in requests:
        if isinstance(request, Undecodable):
            raise request.error
        yield request


def _metadata(context: grpc.aio.ServicerContext) -> dict[str, str]:
    return {k: v for k, v in (context.invocation_metadata() or ()) if isinstance(v, str)}


def _handler(api: Api, method: Method, authenticator: Authenticator) -> grpc.RpcMethodHandler:
    def prepare(context: grpc.aio.ServicerContext) -> tuple[str | None, Callable[[], Any]]:
        md = _metadata(context)

        async def authenticate() -> Principal:
            # Only the agent port asks for client certificates, and gRPC has verified this one
            # against the cluster CA (chain and validity) before the call got here.
            peer = context.auth_context().get("x509_pem_cert")
            if peer:
                return await authenticator.from_certificate(peer[0])
            return await authenticator.from_bearer(
                md.get("authorization"), md.get(FORWARDED_FOR), md.get(FORWARDED_BY), md.get(SECURITY_TOKEN)
            )

        return md.get(REQUEST_ID), authenticate

    async def fail(context: grpc.aio.ServicerContext, error: Exception, request_id: str) -> None:
        status = (
            to_status(error, request_id)
            if isinstance(error, errors.BerthError)
            else internal_status(request_id)
        )
        await context.abort_with_status(rpc_status.to_status(status))

    async def unary(request: Any, context: grpc.aio.ServicerContext) -> Message:
        request_id, authenticate = prepare(context)
        request_id = request_id or _new_id()
        context.set_trailing_metadata(((REQUEST_ID, request_id),))
        refused = None
        if isinstance(request, Undecodable):
            request, refused = method.request_cls(), request.error
        try:
            return await api.unary(method, request, authenticate, request_id, refused, context.peer())
        except Exception as e:  # mapped to a status; bugs are logged by the chain
            await fail(context, e, request_id)
            raise AssertionError("unreachable") from e

    async def streaming(request: Any, context: grpc.aio.ServicerContext) -> AsyncIterator[Message]:
        request_id, authenticate = prepare(context)
        request_id = request_id or _new_id()
        context.set_trailing_metadata(((REQUEST_ID, request_id),))
        refused = None
        if method.client_streaming:
            request = _checked(request)
        elif isinstance(request, Undecodable):
            request, refused = method.request_cls(), request.error
        try:
            async for response in api.stream(
                method, request, authenticate, request_id, refused, context.peer()
            ):
                yield response
        except Exception as e:
            await fail(context, e, request_id)

    des, ser = request_decoder(method.request_cls), method.response_cls.SerializeToString
    if method.client_streaming and method.server_streaming:
        return grpc.stream_stream_rpc_method_handler(streaming, des, ser)
    if method.server_streaming:
        return grpc.unary_stream_rpc_method_handler(streaming, des, ser)
    if method.client_streaming:
        raise NotImplementedError(f"{method.full_name}: client-streaming RPCs are not used by berth")
    return grpc.unary_unary_rpc_method_handler(unary, des, ser)


def _new_id() -> str:
    import uuid

    return uuid.uuid4().hex


@dataclass
class Listening:
    server: grpc.aio.Server
    port: int
    agent_port: int  # 0: no agent port (an insecure cluster)
    health: health.aio.HealthServicer


async def build_server(
    api: Api,
    authenticator: Authenticator,
    address: str,
    tls: LiveTls | None = None,
    agent_address: str = "",
) -> Listening:
    """The gRPC server: on `address` for everyone (server TLS with `tls`, else plaintext) and, with
    `tls`, on `agent_address` for agents only (mutual TLS: a client certificate of the cluster CA
    is required)."""
    server = grpc.aio.server(
        options=[
            ("grpc.max_receive_message_length", MAX_TRANSPORT_BYTES),
            ("grpc.max_send_message_length", MAX_RESPONSE_BYTES),
            ("grpc.keepalive_permit_without_calls", 1),
            ("grpc.http2.min_ping_interval_without_data_ms", 5000),
        ]
    )
    by_service: dict[str, dict[str, grpc.RpcMethodHandler]] = {}
    for method in api.methods():
        by_service.setdefault(method.service, {})[method.name] = _handler(api, method, authenticator)
    for service, handlers in by_service.items():
        server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(service, handlers),))
    health_servicer = health.aio.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    names = [*by_service, health_pb2.DESCRIPTOR.services_by_name["Health"].full_name, reflection.SERVICE_NAME]
    reflection.enable_server_reflection(names, server)
    port = (
        server.add_secure_port(address, tls.user_credentials()) if tls else server.add_insecure_port(address)
    )
    if port == 0:
        raise OSError(f"cannot listen on {address} for gRPC")
    agent_port = 0
    if tls is not None:
        agent_port = server.add_secure_port(agent_address, tls.agent_credentials())
        if agent_port == 0:
            raise OSError(f"cannot listen on {agent_address} for agents")
    return Listening(server, port, agent_port, health_servicer)
