"""Serves the API over gRPC: generic handlers built from the service descriptors, plus the standard
health service and server reflection (so grpcurl works with no .proto files at hand)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import grpc
from google.protobuf.message import Message
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection
from grpc_status import rpc_status

from berth import errors
from controlplane.api.dispatch import Api, Method
from controlplane.api.errors import internal_status, to_status
from controlplane.auth import Authenticator, Principal

REQUEST_ID = "x-request-id"
MAX_MESSAGE_BYTES = 16 * 1024 * 1024


def _metadata(context: grpc.aio.ServicerContext) -> dict[str, str]:
    return {k: v for k, v in (context.invocation_metadata() or ()) if isinstance(v, str)}


def _handler(api: Api, method: Method, authenticator: Authenticator) -> grpc.RpcMethodHandler:
    def prepare(context: grpc.aio.ServicerContext) -> tuple[str | None, Callable[[], Any]]:
        md = _metadata(context)

        async def authenticate() -> Principal:
            return await authenticator.from_bearer(md.get("authorization"))

        return md.get(REQUEST_ID), authenticate

    async def fail(context: grpc.aio.ServicerContext, error: Exception, request_id: str) -> None:
        status = (
            to_status(error, request_id)
            if isinstance(error, errors.BerthError)
            else internal_status(request_id)
        )
        await context.abort_with_status(rpc_status.to_status(status))

    async def unary(request: Message, context: grpc.aio.ServicerContext) -> Message:
        request_id, authenticate = prepare(context)
        request_id = request_id or _new_id()
        context.set_trailing_metadata(((REQUEST_ID, request_id),))
        try:
            return await api.unary(method, request, authenticate, request_id)
        except Exception as e:  # mapped to a status; bugs are logged by the chain
            await fail(context, e, request_id)
            raise AssertionError("unreachable") from e

    async def streaming(request: Any, context: grpc.aio.ServicerContext) -> AsyncIterator[Message]:
        request_id, authenticate = prepare(context)
        request_id = request_id or _new_id()
        context.set_trailing_metadata(((REQUEST_ID, request_id),))
        try:
            async for response in api.stream(method, request, authenticate, request_id):
                yield response
        except Exception as e:
            await fail(context, e, request_id)

    des, ser = method.request_cls.FromString, method.response_cls.SerializeToString
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


async def build_server(
    api: Api, authenticator: Authenticator, address: str
) -> tuple[grpc.aio.Server, int, health.aio.HealthServicer]:
    server = grpc.aio.server(
        options=[
            ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
            ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
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
    port = server.add_insecure_port(address)
    if port == 0:
        raise OSError(f"cannot listen on {address} for gRPC")
    return server, port, health_servicer
