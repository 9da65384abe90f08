"""HAProxy proxy and server names in berth-lb's configuration. Backends and frontends are named
as the control plane names them (`berth.lbnames`)."""

from __future__ import annotations

from berth.lbnames import backend_name, frontend_name

__all__ = ["METRICS_FRONTEND", "backend_name", "frontend_name", "server_name"]

METRICS_FRONTEND = "berth-metrics"


def server_name(slot: int) -> str:
    """Server slots are numbered from 1, as `server-template` numbers them."""
    return f"srv{slot}"
