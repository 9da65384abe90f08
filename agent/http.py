"""The agent's HTTP side (127.0.0.1 by default): /metrics for Prometheus, /healthz, and
introspection in the spirit of ECS's :51678 (/v1/metadata, /v1/tasks)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest


def build_app(
    metadata: Callable[[], dict[str, Any]], tasks: Callable[[], list[dict[str, Any]]]
) -> web.Application:
    async def metrics(_: web.Request) -> web.Response:
        return web.Response(body=generate_latest(), headers={"Content-Type": CONTENT_TYPE_LATEST})

    async def healthz(_: web.Request) -> web.Response:
        return web.json_response({"status": "ok", **metadata()})

    async def v1_metadata(_: web.Request) -> web.Response:
        return web.json_response(metadata())

    async def v1_tasks(_: web.Request) -> web.Response:
        return web.json_response({"tasks": tasks()})

    app = web.Application()
    app.router.add_get("/metrics", metrics)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/v1/metadata", v1_metadata)
    app.router.add_get("/v1/tasks", v1_tasks)
    return app
