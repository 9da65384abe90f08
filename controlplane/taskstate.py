"""Pure task bookkeeping: what a task reserves, how a new task record looks, and how an agent's
state report is applied to the stored task (forward only, idempotent)."""

from __future__ import annotations

from collections.abc import Callable

import structlog

from berth import taskstatus
from berth.units import parse_cpu, parse_memory
from berth.v1 import agent_pb2, types_pb2

log = structlog.get_logger("berth.tasks")

# Load balancers, as the ELB catalog tells the stops and the service controller (injected callables):
# a service's deregistration delay in seconds (0: it has no load balancer), and a task's target
# state ("initial", "healthy", "unhealthy", "draining"; None when it is no target).
DrainSeconds = Callable[[types_pb2.Service], float]
TargetHealth = Callable[[str], str | None]


def no_drain(service: types_pb2.Service) -> float:
    return 0.0


def no_target(task_arn: str) -> str | None:
    return None


def drain_for(drain_seconds: DrainSeconds, service: types_pb2.Service | None) -> float:
    """The drain of a stop of `service`'s tasks (0 for no service; the catalog says 0 for a service
    without load balancers). A failing catalog must not block stops: it is logged, and the task
    stops at once."""
    if service is None:
        return 0.0
    try:
        return max(0.0, float(drain_seconds(service)))
    except Exception:
        log.exception("drain_seconds_failed", service=service.service_arn)
        return 0.0


def container_overrides(task: types_pb2.Task) -> dict[str, types_pb2.ContainerOverride]:
    return {o.name: o for o in task.overrides.container_overrides}


def reservation_for(td: types_pb2.TaskDefinition, overrides: types_pb2.TaskOverride) -> types_pb2.Reservation:
    """CPU units, MiB and static host ports a task holds on its instance.

    Task-level cpu/memory win when set; else the containers' cpu and memoryReservation (or memory)
    are summed, after overrides.
    """
    by_name = {o.name: o for o in overrides.container_overrides}
    cpu = parse_cpu(overrides.cpu) if overrides.cpu else parse_cpu(td.cpu) if td.cpu else None
    memory = (
        parse_memory(overrides.memory) if overrides.memory else parse_memory(td.memory) if td.memory else None
    )
    if cpu is None:
        cpu = 0
        for c in td.container_definitions:
            o = by_name.get(c.name)
            cpu += o.cpu if o is not None and o.HasField("cpu") else c.cpu if c.HasField("cpu") else 0
    if memory is None:
        memory = 0
        for c in td.container_definitions:
            o = by_name.get(c.name)
            if o is not None and (o.HasField("memory_reservation") or o.HasField("memory")):
                memory += o.memory_reservation if o.HasField("memory_reservation") else o.memory
            else:
                memory += c.memory_reservation if c.HasField("memory_reservation") else c.memory
    tcp: list[int] = []
    udp: list[int] = []
    mode = td.network_mode or "bridge"
    if mode in ("bridge", "host"):
        for c in td.container_definitions:
            for pm in c.port_mappings:
                port = pm.container_port if mode == "host" else pm.host_port
                if port:
                    (udp if pm.protocol == "udp" else tcp).append(port)
    return types_pb2.Reservation(cpu=cpu, memory=memory, ports_tcp=sorted(tcp), ports_udp=sorted(udp))


def apply_state_change(task: types_pb2.Task, change: agent_pb2.TaskStateChange) -> bool:
    """Apply an agent's report to `task` in place. False if it carries nothing new (stale or repeated).

    Status only moves forward; a report at the same status may still bring news (health, bindings).
    """
    if not taskstatus.is_forward(task.last_status, change.last_status):
        return False
    before = task.SerializeToString(deterministic=True)
    task.last_status = change.last_status
    if task.last_status == "STOPPED":
        task.desired_status = "STOPPED"  # as ECS shows a task that stopped on its own
    if change.health_status:
        task.health_status = change.health_status
    if change.stop_code and not task.stop_code:
        task.stop_code = change.stop_code
    if change.stopped_reason and not task.stopped_reason:
        task.stopped_reason = change.stopped_reason
    for name in (
        "pull_started_at",
        "pull_stopped_at",
        "started_at",
        "stopping_at",
        "execution_stopped_at",
        "stopped_at",
        "connectivity_at",
    ):
        value = getattr(change, name)
        if value and not getattr(task, name):
            setattr(task, name, value)
    if change.connectivity_at:
        task.connectivity = "CONNECTED"
    if change.containers:
        reported = {c.name: c for c in change.containers}
        for container in task.containers:
            new = reported.get(container.name)
            if new is not None and taskstatus.is_forward(
                _as_task_status(container.last_status), _as_task_status(new.last_status)
            ):
                arn, task_arn = container.container_arn, container.task_arn
                container.CopyFrom(new)
                container.container_arn, container.task_arn = arn, task_arn
    if change.attachments:
        del task.attachments[:]
        task.attachments.extend(change.attachments)
    if change.HasField("launch_timing"):
        task.launch_timing.CopyFrom(change.launch_timing)
    if change.HasField("usage"):
        task.usage.CopyFrom(change.usage)
    task.restart_count = max(task.restart_count, change.restart_count)
    if task.SerializeToString(deterministic=True) == before:
        return False
    task.version += 1
    return True


def _as_task_status(container_status: str) -> str:
    # Containers report PENDING / RUNNING / STOPPED, which sit on the task order too.
    return container_status or "PENDING"


def request_stop(
    task: types_pb2.Task, *, stop_code: str, reason: str, now: float = 0.0, drain_seconds: float = 0
) -> bool:
    """Set a task's desired status to STOPPED (the agent does the stopping). False if already so.

    With `drain_seconds` > 0 (the deregistration delay of the load balancers the task is a target
    of) a RUNNING task goes DEACTIVATING first, as in ECS: its targets drain until
    `deactivate_until` = now + drain_seconds, and only then does the agent send SIGTERM. A second
    request changes nothing, so it never extends the deadline. A task not RUNNING yet has no
    registered target: it stops at once.
    """
    if task.desired_status == "STOPPED":
        return False
    task.desired_status = "STOPPED"
    deadline = deactivation_deadline(task, now=now, drain_seconds=drain_seconds)
    if deadline:
        task.last_status = "DEACTIVATING"
        task.deactivate_until = deadline
    if not task.stop_code:
        task.stop_code = stop_code
    if not task.stopped_reason:
        task.stopped_reason = reason
    task.version += 1
    return True


def deactivation_deadline(task: types_pb2.Task, *, now: float, drain_seconds: float) -> float:
    """When a stop requested at `now` lets the task's containers have SIGTERM: 0 for at once (no
    load balancer, or the task is not RUNNING), else now + drain_seconds."""
    if drain_seconds <= 0 or task.last_status != "RUNNING":
        return 0.0
    return now + drain_seconds


def mark_stopped(task: types_pb2.Task, *, stop_code: str, reason: str, now: float) -> None:
    """Record a task as STOPPED without its agent (its instance is gone, so nothing runs it)."""
    task.desired_status = "STOPPED"
    task.last_status = "STOPPED"
    task.stop_code = task.stop_code or stop_code
    task.stopped_reason = task.stopped_reason or reason
    task.stopping_at = task.stopping_at or now
    task.execution_stopped_at = task.execution_stopped_at or now
    task.stopped_at = task.stopped_at or now
    for container in task.containers:
        if container.last_status != "STOPPED":
            container.last_status = "STOPPED"
            container.reason = container.reason or reason
    task.version += 1


def usage(task: types_pb2.Task, now: float) -> types_pb2.TaskUsage:
    """Metered usage: task-level vCPU and GB multiplied by the seconds the task ran (startedAt to
    executionStoppedAt, or to `now` while it runs)."""
    if not task.started_at:
        return types_pb2.TaskUsage()
    end = task.execution_stopped_at or task.stopped_at or now
    seconds = max(0.0, end - task.started_at)
    vcpu = (parse_cpu(task.cpu) or 0) / 1024
    gb = (parse_memory(task.memory) or 0) / 1024
    return types_pb2.TaskUsage(vcpu_seconds=vcpu * seconds, gb_seconds=gb * seconds, billed_seconds=seconds)
