"""Task and container statuses: ECS's order, in one place, shared by the agent and the control plane.

lastStatus only moves forward along TASK_ORDER (any status before RUNNING may jump straight to
STOPPED on failure). A report that would move it backwards is stale and is ignored.
"""

from __future__ import annotations

TASK_ORDER = (
    "PROVISIONING",
    "PENDING",
    "ACTIVATING",
    "RUNNING",
    "DEACTIVATING",
    "STOPPING",
    "DEPROVISIONING",
    "STOPPED",
)
_RANK = {s: i for i, s in enumerate(TASK_ORDER)}

PENDING_STATES = frozenset({"PROVISIONING", "PENDING", "ACTIVATING"})
DESIRED = ("RUNNING", "STOPPED")

# ECS stop codes.
TASK_FAILED_TO_START = "TaskFailedToStart"
ESSENTIAL_CONTAINER_EXITED = "EssentialContainerExited"
USER_INITIATED = "UserInitiated"
SERVICE_SCHEDULER_INITIATED = "ServiceSchedulerInitiated"
INFRASTRUCTURE_HEALTH = "InfrastructureHealth"


def rank(status: str) -> int:
    """Position of a task status in ECS's order; unknown statuses sort first."""
    return _RANK.get(status, -1)


def is_forward(current: str, reported: str) -> bool:
    """Whether moving from `current` to `reported` goes forward (or stays) in the lifecycle."""
    return rank(reported) >= rank(current)


def check_forward(current: str, new: str) -> None:
    """Raise if a caller tries to move a status backwards (a bug, never user input)."""
    if rank(new) < rank(current):
        raise ValueError(f"task status cannot go back from {current} to {new}")


def is_stopped(status: str) -> bool:
    return status == "STOPPED"


def task_health(essential_health: list[str]) -> str:
    """ECS task health from its essential containers: UNHEALTHY > UNKNOWN > HEALTHY."""
    if any(h == "UNHEALTHY" for h in essential_health):
        return "UNHEALTHY"
    if not essential_health or any(h not in ("HEALTHY", "UNHEALTHY") for h in essential_health):
        return "UNKNOWN"
    return "HEALTHY"
