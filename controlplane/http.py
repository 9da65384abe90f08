"""The control plane's HTTP side: /metrics (Prometheus), /healthz, /sd/agents and /sd/loadbalancers
(Prometheus HTTP service discovery of the agents and of the load balancers' HAProxy exporters, see
`controlplane.promsd`), the ECS JSON endpoint, and the web console under /ui (`controlplane.console`)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest

from berth.errors import Unavailable
from berth.v1 import elb_pb2
from controlplane.promsd import load_balancer_targets
from controlplane.store import EtcdStore, keys

if TYPE_CHECKING:
    from controlplane.console import Console
    from controlplane.gateway import Gateway


def build_app(
    store: EtcdStore,
    gateway: Gateway | None = None,
    *,
    registry: CollectorRegistry | None = None,
    sd_targets: Callable[[], list[dict[str, Any]]] | None = None,
    console: Console | None = None,
) -> web.Application:
    """`registry`: this replica's own collectors, served after the process-wide ones.
    `sd_targets`: the target groups /sd/agents serves. `console`: the web console, under /ui."""

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
    app.router.add_get("/metrics", metrics)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/sd/agents", sd_agents)
    app.router.add_get("/sd/loadbalancers", sd_loadbalancers)
    if gateway is not None:
        app.router.add_post("/", gateway.handle)
    if console is not None:
        console.add_routes(app)
    return app
