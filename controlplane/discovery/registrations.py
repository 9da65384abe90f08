"""Which discovery instances a task stands for. Pure: no I/O, no clock.

An ECS service's `serviceRegistries[]` entry names a discovery service; each of the service's tasks
that is RUNNING (and meant to stay so) becomes one instance of it, with the task id as instance id,
as ECS registers tasks in Cloud Map:

- awsvpc: the task's own address (its attachment's `privateIPv4Address`); the port is the entry's
  `port`, else the container port of `containerName`/`containerPort`.
- bridge/host: the container instance's host address and the host port Docker bound for
  `containerName`'s `containerPort` (the container's networkBindings), for SRV records.

A task whose essential containers have a health check counts HEALTHY only once the task is HEALTHY
(UNHEALTHY and UNKNOWN instances are kept for the API but never answered by DNS); a task without one
is HEALTHY while it runs. A task that is stopping (desiredStatus STOPPED) or past RUNNING leaves at
once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from berth.v1 import types_pb2

HEALTHY = "HEALTHY"
UNHEALTHY = "UNHEALTHY"
UNKNOWN = "UNKNOWN"


@dataclass(frozen=True)
class Registry:
    """One `serviceRegistries[]` entry, with the discovery service id its registryArn names."""

    service_id: str
    port: int | None = None
    container_name: str = ""
    container_port: int | None = None


@dataclass(frozen=True)
class TaskFacts:
    """What a task's record does not say by itself: from its task definition and its host."""

    network_mode: str = "bridge"  # "" counts as bridge
    has_health_check: bool = False  # an essential container has a healthCheck
    host_address: str = ""  # the container instance's address (bridge/host mode)
    region: str = ""


@dataclass(frozen=True)
class Instance:
    service_id: str
    instance_id: str
    ipv4: str
    port: int  # 0: no port known (A records only)
    health: str  # HEALTHY | UNHEALTHY | UNKNOWN
    attributes: tuple[tuple[str, str], ...] = ()


def definition_facts(td: types_pb2.TaskDefinition) -> tuple[str, bool]:
    """(network mode, whether an essential container has a health check) of a task definition."""
    checked = any(
        c.HasField("health_check")
        and len(c.health_check.command) > 0
        and c.health_check.command[0] != "NONE"
        and (not c.HasField("essential") or c.essential)
        for c in td.container_definitions
    )
    return (td.network_mode or "bridge").lower(), checked


def task_health(task: types_pb2.Task, has_health_check: bool) -> str | None:
    """The health of a registered task, or None when the task is not to be registered at all."""
    if task.last_status != "RUNNING" or task.desired_status != "RUNNING":
        return None
    if not has_health_check:
        return HEALTHY
    if task.health_status in (HEALTHY, UNHEALTHY):
        return task.health_status
    return UNKNOWN


def task_address(task: types_pb2.Task) -> str:
    """An awsvpc task's own IPv4 address ("" until the agent reported it)."""
    for attachment in task.attachments:
        for detail in attachment.details:
            if detail.name == "privateIPv4Address" and detail.value:
                return detail.value
    for container in task.containers:
        for interface in container.network_interfaces:
            if interface.private_ipv4_address:
                return interface.private_ipv4_address
    return ""


def host_port(task: types_pb2.Task, container_name: str, container_port: int) -> int:
    """The host port bound for a container port of the task (0: none reported yet)."""
    for container in task.containers:
        if container.name != container_name:
            continue
        for binding in container.network_bindings:
            if binding.container_port == container_port and binding.host_port:
                return binding.host_port
    return 0


def task_instances(task: types_pb2.Task, registries: Sequence[Registry], facts: TaskFacts) -> list[Instance]:
    """The instances `task` stands for, one per registry it can be registered in right now."""
    health = task_health(task, facts.has_health_check)
    if health is None:
        return []
    mode = (facts.network_mode or "bridge").lower()
    out = []
    for registry in registries:
        if mode == "awsvpc":
            address = task_address(task)
            port = registry.port if registry.port is not None else registry.container_port or 0
        elif mode in ("bridge", "host"):
            address = facts.host_address
            port = (
                host_port(task, registry.container_name, registry.container_port)
                if registry.container_name and registry.container_port
                else 0
            )
            if mode == "host" and not port and registry.container_port:
                port = registry.container_port  # host mode: the container port is the host port
        else:
            continue  # none: nothing to reach
        if not address:
            continue  # the agent has not reported where the task answers yet
        out.append(
            Instance(
                service_id=registry.service_id,
                instance_id=task.task_arn.rsplit("/", 1)[-1],
                ipv4=address,
                port=port,
                health=health,
                attributes=_attributes(task, address, port, health, facts),
            )
        )
    return out


def _attributes(
    task: types_pb2.Task, address: str, port: int, health: str, facts: TaskFacts
) -> tuple[tuple[str, str], ...]:
    cluster = task.cluster_arn.rsplit("/", 1)[-1]
    family = task.task_definition_arn.rsplit("/", 1)[-1].rpartition(":")[0]
    attrs = [("AWS_INSTANCE_IPV4", address)]
    if port:
        attrs.append(("AWS_INSTANCE_PORT", str(port)))
    attrs.append(("AWS_INIT_HEALTH_STATUS", health))
    if task.availability_zone:
        attrs.append(("AVAILABILITY_ZONE", task.availability_zone))
    attrs += [
        ("ECS_CLUSTER_NAME", cluster),
        ("ECS_SERVICE_NAME", task.service_name),
        ("ECS_TASK_DEFINITION_FAMILY", family),
    ]
    if facts.region:
        attrs.append(("REGION", facts.region))
    return tuple(attrs)


def custom_instance(service_id: str, instance_id: str, attributes: dict[str, str]) -> Instance:
    """An instance registered by hand (RegisterInstance): HEALTHY unless it says otherwise."""
    port = attributes.get("AWS_INSTANCE_PORT", "")
    health = attributes.get("AWS_INIT_HEALTH_STATUS", HEALTHY)
    return Instance(
        service_id=service_id,
        instance_id=instance_id,
        ipv4=attributes.get("AWS_INSTANCE_IPV4", ""),
        port=int(port) if port.isdigit() else 0,
        health=health if health in (HEALTHY, UNHEALTHY) else HEALTHY,
        attributes=tuple(sorted(attributes.items())),
    )
