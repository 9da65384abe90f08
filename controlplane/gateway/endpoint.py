"""The ECS JSON endpoint: `POST /` on the control plane's HTTP port, served by aiohttp.

One request goes: framing checks (operation, content type, body size: refused here, never reaching
a servicer) -> SigV4 authentication with a berth access key, or a task role's temporary key and its
X-Amz-Security-Token -> JSON body -> request message ->
`Api.unary`, the same call chain and servicer code as gRPC, authorization included -> ECS JSON.
A refused signature still goes through the chain (with an empty request that no handler sees), so
that it is logged and counted like a refused bearer token on gRPC.

The operation table is built from the registered `berth.v1.ECS` methods: an RPC added to that
service is served here with no change to this module.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable, Mapping
from types import MappingProxyType

import structlog
from aiohttp import web

from berth import errors, jsonmsg
from controlplane.api.dispatch import Api, Method
from controlplane.auth import Authenticator, Principal, principal_of, principal_of_session
from controlplane.gateway import protocol, sigv4
from controlplane.iam.sessions import is_session_key

log = structlog.get_logger("berth.gateway")

ECS_SERVICE = "berth.v1.ECS"
SIGNING_NAME = "ecs"


def operations(api: Api, service: str = ECS_SERVICE) -> dict[str, Method]:
    """Operation name -> method: every unary RPC of `service` (the RPC names are ECS's)."""
    return {
        m.name: m
        for m in api.methods()
        if m.service == service and not m.client_streaming and not m.server_streaming
    }


class Gateway:
    """Serves the unary RPCs of `berth.v1.ECS` with the AWS JSON 1.1 protocol and SigV4.

    Create it after the servicers are registered on `api`: the operation table is taken then."""

    def __init__(
        self,
        api: Api,
        authenticator: Authenticator,
        *,
        region: str,
        clock: Callable[[], float] = time.time,
        max_body: int = protocol.MAX_BODY_BYTES,
    ) -> None:
        self._api = api
        self._authenticator = authenticator
        self._region = region
        self._clock = clock
        self._max_body = max_body
        self._operations = operations(api)
        self._keys = sigv4.SigningKeys()

    @property
    def operations(self) -> Mapping[str, Method]:
        return MappingProxyType(self._operations)

    async def handle(self, request: web.Request) -> web.Response:
        request_id = str(uuid.uuid4())
        try:
            name = protocol.operation_name(request.headers.get("X-Amz-Target"), self._operations)
            method = self._operations[name]
            protocol.check_content_type(request.headers.get("Content-Type"))
            body = await self._read_body(request)
            principal, refused = await self._authenticate(request, body)
            message = method.request_cls()
            if refused is None:
                message = jsonmsg.parse(protocol.decode_body(body), method.request_cls)
        except protocol.ProtocolError as e:
            log.info("gateway_request_refused", request_id=request_id, type=e.ecs_type, reason=e.message)
            return self._error(e.status, e.ecs_type, e.message, request_id)
        except errors.InvalidArgument as e:
            log.info("gateway_request_refused", request_id=request_id, type=e.ecs_type, reason=e.message)
            return self._error(protocol.error_status(e), e.ecs_type, e.message, request_id)
        except Exception:
            log.exception("gateway_internal_error", request_id=request_id)
            return self._error(
                500, "ServerException", protocol.internal_error_message(request_id), request_id
            )

        async def authenticate() -> Principal:
            if refused is not None:
                raise refused
            assert principal is not None
            return principal

        try:
            response = await self._api.unary(
                method, message, authenticate, request_id, source=request.remote or ""
            )
        except errors.BerthError as e:
            return self._error(protocol.error_status(e), e.ecs_type, e.message, request_id)
        except Exception:  # a bug; the call chain has logged it with the request id
            return self._error(
                500, "ServerException", protocol.internal_error_message(request_id), request_id
            )
        try:
            body = protocol.ecs_json(response)
        except Exception:
            log.exception("gateway_internal_error", request_id=request_id)
            return self._error(
                500, "ServerException", protocol.internal_error_message(request_id), request_id
            )
        return web.Response(
            body=body,
            headers={"Content-Type": protocol.CONTENT_TYPE, protocol.REQUEST_ID_HEADER: request_id},
        )

    async def _read_body(self, request: web.Request) -> bytes:
        length = request.content_length
        if length is not None:
            if length > self._max_body:
                raise protocol.too_large(length)
            if length == 0:
                return b""
            try:
                return await request.content.readexactly(length)
            except asyncio.IncompleteReadError:
                raise protocol.ProtocolError(
                    "SerializationException", "the request body ended early"
                ) from None
        body = bytearray()
        async for chunk in request.content.iter_chunked(64 * 1024):
            body += chunk
            if len(body) > self._max_body:
                raise protocol.too_large()
        return bytes(body)

    async def _authenticate(
        self, request: web.Request, body: bytes
    ) -> tuple[Principal | None, errors.BerthError | None]:
        """The caller's principal, or the error that refuses it (raised later, inside the chain)."""
        try:
            auth = sigv4.parse_authorization(request.headers.get("Authorization"))
            principal: Principal
            if is_session_key(auth.access_key_id):
                # A task's role credentials: the session token is a signed header (X-Amz-Security-Token).
                session = await self._authenticator.session(
                    auth.access_key_id, request.headers.get("X-Amz-Security-Token")
                )
                secret, principal = session.secret_access_key, principal_of_session(session)
            else:
                key = await self._authenticator.access_key(auth.access_key_id)
                if key is None:
                    raise sigv4.unrecognized_key(auth.access_key_id)
                secret, principal = key.secret_access_key, principal_of(key)
            sigv4.verify(
                signed_request(request, body),
                auth,
                secret=secret,
                region=self._region,
                service=SIGNING_NAME,
                now=self._clock(),
                keys=self._keys,
            )
            return principal, None
        except errors.BerthError as e:
            return None, e

    @staticmethod
    def _error(status: int, ecs_type: str, message: str, request_id: str) -> web.Response:
        return web.Response(
            status=status,
            body=protocol.error_body(ecs_type, message),
            headers={"Content-Type": protocol.CONTENT_TYPE, protocol.REQUEST_ID_HEADER: request_id},
        )


def signed_request(request: web.Request, body: bytes) -> sigv4.SignedRequest:
    headers: dict[str, list[str]] = {}
    for name, value in request.headers.items():
        headers.setdefault(name.lower(), []).append(value)
    path, _, query = request.raw_path.partition("?")
    return sigv4.SignedRequest(method=request.method, path=path, query=query, headers=headers, body=body)
