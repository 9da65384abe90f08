"""HAProxy proxy names of berth's load balancer objects, shared by the control plane (which
labels metrics and autoscaling queries with them) and berth-lb (which writes them into HAProxy's
configuration): a backend per target group, a frontend per listener."""

from __future__ import annotations


def backend_name(target_group_name: str) -> str:
    """The HAProxy backend that serves a target group."""
    return f"tg-{target_group_name}"


def frontend_name(load_balancer_name: str, port: int) -> str:
    """The HAProxy frontend that serves a listener."""
    return f"ln-{load_balancer_name}-{port}"
