"""Serving an aiohttp app on HOST:PORT, shared by the control plane and the agent."""

from __future__ import annotations

import ssl

from aiohttp import web


async def start_http(
    app: web.Application, address: str, ssl_context: ssl.SSLContext | None = None
) -> tuple[web.AppRunner, int]:
    """Serve `app` on HOST:PORT (port 0: any free one), over TLS with `ssl_context`; returns the
    runner and the bound port."""
    host, _, port = address.rpartition(":")
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host or "0.0.0.0", int(port), reuse_address=True, ssl_context=ssl_context)
    await site.start()
    sockets = getattr(site._server, "sockets", None)
    bound = sockets[0].getsockname()[1] if sockets else int(port)
    return runner, int(bound)
