"""The control plane's HTTP side: /metrics (Prometheus), /healthz, /sd/agents and /sd/loadbalancers
(Prometheus HTTP service discovery of the agents and of the load balancers' HAProxy exporters, see
`controlplane.promsd`), the ECS JSON endpoint, and the web console under /ui (`controlplane.console`).

/metrics and /sd/* answer only a caller with a credential the one authorizer allows, as an RPC:
`authorization: Bearer <accessKeyId>.<secret>` (what Prometheus sends from `authorization:
{credentials_file: ...}`), decided as the actions `berth:GetMetrics` and `berth:ListScrapeTargets`
on "*". No credential or a bad one: 401; a principal not allowed: 403; both with a JSON body naming
the action. /healthz stays open (load balancers and probes call it without credentials).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest

from berth.errors import PermissionDenied, Unauthenticated, Unavailable
from berth.v1 import elb_pb2
from controlplane.auth import Authenticator, Authorizer
from controlplane.promsd import load_balancer_targets
from controlplane.store import EtcdStore, keys

GET_METRICS = "berth:GetMetrics"
LIST_SCRAPE_TARGETS = "berth:ListScrapeTargets"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

if TYPE_CHECKING:
    from controlplane.console import Console
    from controlplane.gateway import Gateway


def refusal(status: int, action: str, error: Exception) -> web.Response:
    """The 401/403 answer: what was refused and why, as JSON."""
    code = "UNAUTHENTICATED" if status == 401 else "PERMISSION_DENIED"
    headers = {"WWW-Authenticate": 'Bearer realm="berth"'} if status == 401 else None
    return web.json_response(
        {"code": code, "action": action, "message": str(error)}, status=status, headers=headers
    )


def guarded(authenticator: Authenticator, authorizer: Authorizer, action: str, handler: Handler) -> Handler:
    """`handler`, served only to a bearer whose principal may perform `action`."""

    async def guard(request: web.Request) -> web.StreamResponse:
        try:
            principal = await authenticator.from_bearer(request.headers.get("Authorization"))
            authorizer.check(principal, action)
        except Unauthenticated as e:
            return refusal(401, action, e)
        except PermissionDenied as e:
            return refusal(403, action, e)
        except Unavailable:
            return web.json_response({"error": "etcd unreachable", "action": action}, status=503)
        return await handler(request)

    return guard


def build_app(
    store: EtcdStore,
    gateway: Gateway | None = None,
    *,
    authenticator: Authenticator,
    authorizer: Authorizer,
    registry: CollectorRegistry | None = None,
    sd_targets: Callable[[], list[dict[str, Any]]] | None = None,
    console: Console | None = None,
) -> web.Application:
    """`authenticator`, `authorizer`: who may read /metrics and /sd/*. `registry`: this replica's own
    collectors, served after the process-wide ones. `sd_targets`: the target groups /sd/agents
    serves. `console`: the web console, under /ui."""

    async def metrics(_: web.Request) -> web.Response:
        body = generate_latest(REGISTRY) + (generate_latest(registry) if registry is not None else b"")
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    async def sd_agents(_: web.Request) -> web.Response:
        return web.json_response(sd_targets() if sd_targets is not None else [])

    async def sd_loadbalancers(_: web.Request) -> web.Response:
        try:
            records, _more = await store.list(keys.LB_LOADBALANCERS, elb_pb2.ElbLoadBalancer)
        except Unavailable:
            return web.json_response({"error": "etcd unreachable"}, status=503)
        return web.json_response(load_balancer_targets(r.value for r in records))

    async def healthz(_: web.Request) -> web.Response:
        try:
            revision = await asyncio.wait_for(store.ping(), timeout=2.0)
        except (Unavailable, TimeoutError):
            return web.json_response({"status": "unavailable", "etcd": "unreachable"}, status=503)
        return web.json_response({"status": "ok", "etcd": "ok", "revision": revision})

    app = web.Application(client_max_size=1024 * 1024)
    app.router.add_get("/metrics", guarded(authenticator, authorizer, GET_METRICS, metrics))
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/sd/agents", guarded(authenticator, authorizer, LIST_SCRAPE_TARGETS, sd_agents))
    app.router.add_get(
        "/sd/loadbalancers", guarded(authenticator, authorizer, LIST_SCRAPE_TARGETS, sd_loadbalancers)
    )
    if gateway is not None:
        app.router.add_post("/", gateway.handle)
    if console is not None:
        console.add_routes(app)
    return app
