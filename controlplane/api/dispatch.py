"""The call chain every API call goes through, whatever its transport.

    request id -> authenticate -> authorize -> handler -> log + metrics (+ audit if mutating)

The transport (gRPC in `grpc_server`, the ECS JSON endpoint in `gateway`) extracts credentials and
turns the berth error that may come out into its own error shape. Handlers are servicer methods
named like the RPC: `async def CreateCluster(self, request, ctx) -> CreateClusterResponse`, or
async generators for server-streaming and bidirectional RPCs.
"""

from __future__ import annotations

import contextlib
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Any

import structlog
from google.protobuf import message_factory
from google.protobuf.descriptor import MethodDescriptor, ServiceDescriptor
from google.protobuf.message import Message

from berth import errors
from berth.v1 import berth_pb2
from controlplane import metrics
from controlplane.api.context import CallContext
from controlplane.api.errors import grpc_code
from controlplane.audit.record import audit_record
from controlplane.auth import Authorizer, Principal
from controlplane.iam import resources

log = structlog.get_logger("berth.api")

# Actions are named after the RPC (`ecs:CreateCluster`), except for berth RPCs that are another
# form of an ECS operation: those are authorized as that operation.
ACTIONS = {"berth.v1.Berth/ExecuteCommandStream": "ecs:ExecuteCommand"}

Authenticate = Callable[[], Awaitable[Principal]]
_NODE_SERVICES = frozenset({"berth.v1.Agent", "berth.v1.LoadBalancerNode"})
_READ_PREFIXES = ("Describe", "List", "Get", "Discover", "Watch", "Simulate", "Hello")


@dataclass(frozen=True)
class Method:
    service: str  # "berth.v1.ECS"
    name: str  # "CreateCluster"
    request_cls: type[Message]
    response_cls: type[Message]
    client_streaming: bool
    server_streaming: bool
    handler: Callable[..., Any]
    action: str  # "ecs:CreateCluster"

    @property
    def mutating(self) -> bool:
        """Whether a user's call may change something (what the audit log records); the agents' and
        load balancer nodes' own reports are not audited."""
        return self.service not in _NODE_SERVICES and not self.name.startswith(_READ_PREFIXES)

    @property
    def full_name(self) -> str:
        return f"{self.service}/{self.name}"


class Api:
    def __init__(self, authorizer: Authorizer) -> None:
        self._authorizer = authorizer
        self._methods: dict[str, Method] = {}
        # Where audit records go (controlplane.audit.AuditTrail.record; None: the log line only),
        # and this replica's name in them.
        self.audit: Callable[[berth_pb2.AuditRecord], None] | None = None
        self.replica = ""

    def register(self, service: ServiceDescriptor, servicer: object, *, action_prefix: str) -> None:
        """Serve every RPC of `service` with the servicer method of the same name."""
        for md in service.methods:
            handler = getattr(servicer, md.name, None)
            if handler is None:
                raise TypeError(f"{type(servicer).__name__} has no handler for {service.full_name}/{md.name}")
            self._methods[f"{service.full_name}/{md.name}"] = _method(service, md, handler, action_prefix)

    def methods(self) -> Iterator[Method]:
        return iter(self._methods.values())

    def method(self, full_name: str) -> Method | None:
        return self._methods.get(full_name)

    def _begin(self, method: Method, principal: Principal, request_id: str, request: object) -> CallContext:
        structlog.contextvars.bind_contextvars(principal=principal.arn)
        # A bidirectional call of a user decided by policies is authorized once its first message
        # is read (`stream`): what it acts on is there.
        if isinstance(request, Message) or not self._authorizer.decides_on_resources(principal):
            self._authorizer.check(
                principal, method.action, request if isinstance(request, Message) else None
            )
        return CallContext(request_id=request_id, principal=principal, method=method.full_name)

    @contextlib.asynccontextmanager
    async def _chain(
        self,
        method: Method,
        authenticate: Authenticate,
        request_id: str | None,
        request: object,
        source: str,
    ) -> AsyncIterator[CallContext]:
        """The chain around one call: errors out as they are, each call counted and logged once,
        each mutating one audited (also when it was not authenticated or not allowed)."""
        start, started = time.perf_counter(), time.time()
        request_id = request_id or uuid.uuid4().hex
        structlog.contextvars.bind_contextvars(request_id=request_id, method=method.full_name)
        code = "OK"
        principal: Principal | None = None
        try:
            principal = await authenticate()
            yield self._begin(method, principal, request_id, request)
        except errors.BerthError as e:
            code = grpc_code(e).name
            raise
        except Exception:
            code = "INTERNAL"
            log.exception("api_internal_error")
            raise
        finally:
            if method.mutating:
                self._audit(method, request, code, principal, request_id, started, source)
            self._observe(method, code, start)

    def _audit(
        self,
        method: Method,
        request: object,
        code: str,
        principal: Principal | None,
        request_id: str,
        started: float,
        source: str,
    ) -> None:
        """The audit line of a mutating call (who, what, on which resources, and how it ended; the
        principal is bound in the log context once authenticated) and its record for the audit
        trail. Never fails the call."""
        try:
            targets = resources.targets(
                method.action, request if isinstance(request, Message) else None, self._authorizer.arns
            )
            log.info("api_audit", action=method.action, resources=[t.resource for t in targets], outcome=code)
            if self.audit is not None:
                self.audit(
                    audit_record(
                        request_id=request_id,
                        time=started,
                        principal=principal.arn if principal is not None else "",
                        access_key_id=principal.access_key_id if principal is not None else "",
                        action=method.action,
                        resources=[(t.resource, t.cluster) for t in targets],
                        code=code,
                        source=source,
                        replica=self.replica,
                        via=principal.via if principal is not None else "",
                    )
                )
        except Exception:
            log.exception("api_audit_failed", action=method.action)

    async def unary(
        self,
        method: Method,
        request: Message,
        authenticate: Authenticate,
        request_id: str | None = None,
        refused: errors.BerthError | None = None,
        source: str = "",
    ) -> Message:
        """Run one unary call through the chain. Raises BerthError (or a bug) for the transport to map.

        `refused` is the transport's verdict on a request it could not decode: raised once the caller
        is authenticated and authorized, so that the refusal is logged and counted like any other.
        `source`: the caller's address (gRPC's peer string or an HTTP remote), for the audit trail."""
        async with self._chain(method, authenticate, request_id, request, source) as ctx:
            if refused is not None:
                raise refused
            response: Message = await method.handler(request, ctx)
            return response

    async def stream(
        self,
        method: Method,
        request: Any,
        authenticate: Authenticate,
        request_id: str | None = None,
        refused: errors.BerthError | None = None,
        source: str = "",
    ) -> AsyncIterator[Message]:
        """Run a server-streaming or bidirectional call through the chain (`refused` and `source` as
        in `unary`)."""
        async with self._chain(method, authenticate, request_id, request, source) as ctx:
            if refused is not None:
                raise refused
            if method.client_streaming and self._authorizer.decides_on_resources(ctx.principal):
                try:
                    first = await anext(request)
                except StopAsyncIteration:
                    raise errors.InvalidArgument("the stream ended before its first message") from None
                self._authorizer.check(ctx.principal, method.action, first)
                request = _prepended(first, request)
            async for response in method.handler(request, ctx):
                yield response

    @staticmethod
    def _observe(method: Method, code: str, start: float) -> None:
        elapsed = time.perf_counter() - start
        metrics.API_REQUESTS.labels(method.service, method.name, code).inc()
        metrics.API_LATENCY.labels(method.service, method.name).observe(elapsed)
        if code == "OK":
            log.debug("api_request", code=code, duration_ms=round(elapsed * 1000, 2))
        else:
            log.info("api_request", code=code, duration_ms=round(elapsed * 1000, 2))
        structlog.contextvars.clear_contextvars()


async def _prepended(first: Message, rest: AsyncIterator[Message]) -> AsyncIterator[Message]:
    yield first
    async for message in rest:
        yield message


def _method(
    service: ServiceDescriptor, md: MethodDescriptor, handler: Callable[..., Any], prefix: str
) -> Method:
    return Method(
        service=service.full_name,
        name=md.name,
        request_cls=message_factory.GetMessageClass(md.input_type),
        response_cls=message_factory.GetMessageClass(md.output_type),
        client_streaming=md.client_streaming,
        server_streaming=md.server_streaming,
        handler=handler,
        action=ACTIONS.get(f"{service.full_name}/{md.name}", f"{prefix}:{md.name}"),
    )
