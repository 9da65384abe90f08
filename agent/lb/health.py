"""HAProxy's check results as ELB target health (state, reason, description). Pure.

HAProxy reports a server's status (UP, DOWN, MAINT, DRAIN, NOLB, with "1/3"-style transitions)
and its last check (`check_status`: INI, L4OK, L7OK, L7STS, L4TOUT, L7TOUT, L4CON, SOCKERR, ...).
ELB's states: `initial` until the first verdict, `healthy`, `unhealthy` with the reason of the
last failure, `draining` while deregistering, `unavailable` when checks are off.
"""

from __future__ import annotations

from dataclasses import dataclass

from agent.lb.plan import ServerState

INITIAL, HEALTHY, UNHEALTHY, DRAINING, UNAVAILABLE = (
    "initial",
    "healthy",
    "unhealthy",
    "draining",
    "unavailable",
)

_PASSING = ("L4OK", "L6OK", "L7OK", "L7OKC")
_TIMEOUTS = ("L4TOUT", "L6TOUT", "L7TOUT")


@dataclass(frozen=True)
class Health:
    state: str
    reason: str = ""
    description: str = ""


REGISTERING = Health(INITIAL, "Elb.RegistrationInProgress", "Target registration is in progress")
CHECKING = Health(INITIAL, "Elb.InitialHealthChecking", "Initial health checks in progress")
DRAINING_HEALTH = Health(DRAINING, "Target.DeregistrationInProgress", "Target deregistration is in progress")
CHECKS_OFF = Health(UNAVAILABLE, "Target.HealthCheckDisabled", "Health checks are disabled")


def target_health(
    server: ServerState | None, *, draining: bool, checks: bool, previous: Health | None = None
) -> Health:
    """The ELB health of a target held by `server` (None: not in HAProxy yet)."""
    if draining:
        return DRAINING_HEALTH
    if server is None:
        return REGISTERING
    if not checks:
        return CHECKS_OFF
    status = server.status.upper()
    check = server.check_status.lstrip("* ").upper()
    if status.startswith("MAINT"):
        return REGISTERING
    if status.startswith(("UP", "NOLB", "DRAIN")):
        return Health(HEALTHY)
    # DOWN (or DOWN 1/2 on the way up)
    if check in ("", "INI") or check in _PASSING:
        # Passing checks that have not reached the healthy threshold yet: still initial for a
        # new target, still unhealthy for one that failed before.
        if previous is not None and previous.state == UNHEALTHY:
            return previous
        return CHECKING
    detail = server.check_desc or check
    if check == "L7STS":
        code = server.check_code or "?"
        return Health(
            UNHEALTHY, "Target.ResponseCodeMismatch", f"Health checks failed with these codes: [{code}]"
        )
    if check in _TIMEOUTS:
        return Health(UNHEALTHY, "Target.Timeout", f"Request timed out ({detail})")
    return Health(UNHEALTHY, "Target.FailedHealthChecks", f"Health checks failed ({detail})")
