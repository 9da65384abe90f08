"""Pure reconcile decisions (no I/O): what a service needs started and stopped, and its new record.

`compute_service_plan()` is the service reconciler; the service controller on the leader runs it for
one service at a time and applies the resulting `ServicePlan`.
"""

from controlplane.reconcile.service_plan import (
    ELB_HEALTH_CHECK_REASON,
    HEALTH_CHECK_REASON,
    Launch,
    PlanSettings,
    ServicePlan,
    Stop,
    backoff_delay,
    circuit_breaker_threshold,
    compute_service_plan,
    deployment_limits,
    is_failed_task,
    record_launch_shortfall,
)

__all__ = [
    "ELB_HEALTH_CHECK_REASON",
    "HEALTH_CHECK_REASON",
    "Launch",
    "PlanSettings",
    "ServicePlan",
    "Stop",
    "backoff_delay",
    "circuit_breaker_threshold",
    "compute_service_plan",
    "deployment_limits",
    "is_failed_task",
    "record_launch_shortfall",
]
