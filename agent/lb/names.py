"""HAProxy proxy names for berth's load balancer objects.

A backend per target group, a frontend per listener. The control plane side uses the same scheme
(`controlplane/lb/targets.py`); they live here too so the data plane depends on nothing there.
"""

from __future__ import annotations

METRICS_FRONTEND = "berth-metrics"


def backend_name(target_group_name: str) -> str:
    return f"tg-{target_group_name}"


def frontend_name(load_balancer_name: str, port: int) -> str:
    return f"ln-{load_balancer_name}-{port}"


def server_name(slot: int) -> str:
    """Server slots are numbered from 1, as `server-template` numbers them."""
    return f"srv{slot}"
