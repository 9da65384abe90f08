"""The control plane's HTTP side: /metrics (Prometheus), /healthz, and the ECS JSON endpoint."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from berth.errors import Unavailable
from controlplane.store import EtcdStore

if TYPE_CHECKING:
    from controlplane.gateway import Gateway


def build_app(store: EtcdStore, gateway: Gateway | None = None) -> web.Application:
    async def metrics(_: web.Request) -> web.Response:
        body = generate_latest()
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    async def healthz(_: web.Request) -> web.Response:
        try:
            revision = await asyncio.wait_for(store.ping(), timeout=2.0)
        except (Unavailable, TimeoutError):
            return web.json_response({"status": "unavailable", "etcd": "unreachable"}, status=503)
        return web.json_response({"status": "ok", "etcd": "ok", "revision": revision})

    app = web.Application(client_max_size=1024 * 1024)
    app.router.add_get("/metrics", metrics)
    app.router.add_get("/healthz", healthz)
    if gateway is not None:
        app.router.add_post("/", gateway.handle)
    return app


async def start_http(app: web.Application, address: str) -> tuple[web.AppRunner, int]:
    host, _, port = address.rpartition(":")
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host or "0.0.0.0", int(port), reuse_address=True)
    await site.start()
    server = site._server
    bound = server.sockets[0].getsockname()[1] if server and server.sockets else int(port)  # type: ignore[attr-defined,union-attr]
    return runner, int(bound)
