"""Which targets a target group has, and how healthy they are. Pure: no I/O, and the time is always
an argument.

An ECS service's `loadBalancers[]` entry names a target group, a container and a container port.
Each task of the service is then:

- an active target while it is RUNNING and meant to stay so (desiredStatus RUNNING) and, when an
  essential container has a health check, HEALTHY;
- a draining target once it is asked to stop (desiredStatus STOPPED) while it is RUNNING or
  DEACTIVATING (not past it: its containers have not been told to stop) and its `deactivate_until`
  lies ahead: no new connections, in-flight ones finish until `drain_deadline`;
- otherwise no target.

The target's id and port follow ELB: target type instance — the container instance id and the host
port Docker bound (host mode: the container port); target type ip — the task's own awsvpc address
and the container port. Targets registered by hand (RegisterTargets) come on top.

The HAProxy proxy names that berth-lb uses (`backend_name`, `frontend_name`) and ELB's resource
label of a (load balancer, target group) pair, as Application Auto Scaling's ALBRequestCountPerTarget
takes it, live here too, so the control plane, berth-lb and the autoscaler agree on them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from berth import taskstatus
from berth.lbnames import backend_name, frontend_name  # noqa: F401  (re-exported)
from berth.v1 import elb_pb2, types_pb2
from controlplane.discovery.registrations import TaskFacts, host_port, task_address

INITIAL = "initial"
HEALTHY = "healthy"
UNHEALTHY = "unhealthy"
DRAINING = "draining"
UNUSED = "unused"
UNAVAILABLE = "unavailable"
STATES = (INITIAL, HEALTHY, UNHEALTHY, UNUSED, DRAINING, UNAVAILABLE)

Key = tuple[str, int]  # (target id, port)


def resource_label(lb: elb_pb2.ElbLoadBalancer, tg: elb_pb2.TargetGroup) -> str:
    """ELB's `app/<lb>/<lb id>/targetgroup/<tg>/<tg id>` for a target group behind a load balancer."""
    lb_part = lb.load_balancer_arn.partition(":loadbalancer/")[2]
    tg_part = tg.target_group_arn.partition(":targetgroup/")[2]
    return f"{lb_part}/targetgroup/{tg_part}"


def label_target_group(label: str) -> str | None:
    """The target group name in a resource label (None: not a label of that shape)."""
    parts = label.split("/")
    if len(parts) == 6 and parts[0] in ("app", "net") and parts[3] == "targetgroup" and parts[4]:
        return parts[4]
    return None


def label_backend(label: str) -> str:
    """The HAProxy backend a resource label stands for; a label of another shape is taken as the
    name of a target group."""
    return backend_name(label_target_group(label) or label)


@dataclass(frozen=True)
class Member:
    """One task of an ECS service whose loadBalancers[] entry names the target group."""

    task: types_pb2.Task
    facts: TaskFacts
    container_name: str
    container_port: int


def _drains(task: types_pb2.Task, now: float) -> bool:
    return (
        task.desired_status == "STOPPED"
        and taskstatus.rank("RUNNING") <= taskstatus.rank(task.last_status) <= taskstatus.rank("DEACTIVATING")
        and task.deactivate_until > now
    )


def task_target(tg: elb_pb2.TargetGroup, member: Member, now: float) -> elb_pb2.NodeTarget | None:
    """The target one task is in a target group right now, or None."""
    task, facts = member.task, member.facts
    draining = _drains(task, now)
    if not draining:
        if task.last_status != "RUNNING" or task.desired_status != "RUNNING":
            return None
        if facts.has_health_check and task.health_status != "HEALTHY":
            return None
    mode = (facts.network_mode or "bridge").lower()
    if tg.target_type == "ip":
        if mode != "awsvpc":
            return None
        address = task_address(task)
        ident, port = address, member.container_port
    else:
        if mode not in ("bridge", "host"):
            return None
        address = facts.host_address
        ident = task.container_instance_arn.rsplit("/", 1)[-1] if task.container_instance_arn else ""
        port = host_port(task, member.container_name, member.container_port)
        if mode == "host" and not port:
            port = member.container_port
    if not address or not ident or not port:
        return None  # the agent has not reported where the task answers yet
    target = elb_pb2.NodeTarget(id=ident, address=address, port=port, task_arn=task.task_arn)
    if draining:
        target.draining = True
        target.drain_deadline = task.deactivate_until
    return target


def node_targets(
    tg: elb_pb2.TargetGroup,
    members: Iterable[Member],
    hosts: Mapping[str, str],
    now: float,
) -> list[elb_pb2.NodeTarget]:
    """Every target of a target group, sorted by (id, port): its tasks' and those registered by hand
    (`hosts` maps a container instance id to its address, for hand-registered instance targets).
    Two entries for one (id, port) — a replaced task on the same port — keep the active one."""
    found: dict[Key, elb_pb2.NodeTarget] = {}

    def add(target: elb_pb2.NodeTarget) -> None:
        key = (target.id, target.port)
        have = found.get(key)
        if have is None or (have.draining and not target.draining):
            found[key] = target

    for member in members:
        target = task_target(tg, member, now)
        if target is not None:
            add(target)
    for t in tg.registered:
        port = t.port if t.HasField("port") else tg.port
        address = t.id if tg.target_type == "ip" else hosts.get(t.id, "")
        if address and port:
            add(elb_pb2.NodeTarget(id=t.id, address=address, port=port))
    return [found[k] for k in sorted(found)]


def next_deadline(targets: Iterable[elb_pb2.NodeTarget]) -> float | None:
    """The earliest drain deadline among the targets (when the config changes next by itself)."""
    deadlines = [t.drain_deadline for t in targets if t.draining]
    return min(deadlines) if deadlines else None


def describe_health(
    tg: elb_pb2.TargetGroup,
    targets: Sequence[elb_pb2.NodeTarget],
    records: Mapping[Key, elb_pb2.TargetHealthRecord],
    *,
    attached: bool,
    served_by: str,
    wanted: Sequence[elb_pb2.TargetDescription] = (),
) -> list[elb_pb2.TargetHealthDescription]:
    """DescribeTargetHealth for one target group: its targets merged with the health the nodes
    reported. `attached`: a listener forwards to it; `served_by`: the berth-lb node serving its load
    balancer ("" none connected). `wanted` narrows the answer to those targets (a target not there
    is shown unused, Target.NotRegistered); records of targets no longer there are never shown."""
    by_key = {(t.id, t.port): t for t in targets}
    port_text = tg.health_check_port or "traffic-port"
    out = []
    keys = [(w.id, w.port if w.HasField("port") else tg.port) for w in wanted] if wanted else list(by_key)
    for key in keys:
        target = by_key.get(key)
        check_port = str(key[1]) if port_text == "traffic-port" else port_text
        description = elb_pb2.TargetHealthDescription(
            target=elb_pb2.TargetDescription(id=key[0], port=key[1]), health_check_port=check_port
        )
        health = description.target_health
        if target is None:
            health.state, health.reason = UNUSED, "Target.NotRegistered"
            health.description = "Target is not registered to the target group"
            out.append(description)
            continue
        description.task_arn = target.task_arn
        record = records.get(key)
        if target.draining:
            health.state, health.reason = DRAINING, "Target.DeregistrationInProgress"
            health.description = "Target deregistration is in progress"
        elif not attached:
            health.state, health.reason = UNUSED, "Target.NotInUse"
            health.description = "Target group is not configured to receive traffic from the load balancer"
        elif not tg.health_check_enabled and tg.HasField("health_check_enabled"):
            health.state, health.reason = UNAVAILABLE, "Target.HealthCheckDisabled"
            health.description = "Health checks are disabled"
        elif not served_by:
            health.state, health.reason = UNAVAILABLE, "Elb.InternalError"
            health.description = (
                "No berth-lb node is connected for the load balancer: nothing checks this target"
            )
        elif record is None or not record.target_health.state:
            health.state, health.reason = INITIAL, "Elb.RegistrationInProgress"
            health.description = "Target registration is in progress"
        else:
            health.CopyFrom(record.target_health)
        out.append(description)
    return out


def task_lb_health(
    task_arn: str,
    groups: Sequence[tuple[elb_pb2.TargetGroup, Sequence[elb_pb2.NodeTarget]]],
    records: Mapping[tuple[str, str, int], elb_pb2.TargetHealthRecord],
) -> str | None:
    """How a task does behind its load balancers: "initial", "healthy" or "unhealthy"; None when its
    service is in no target group. `groups` are the target groups the task's service feeds, each with
    the targets it has now; `records` the reported health by (target group name, target id, port).

    The worst over the groups counts: unhealthy if any says so, else initial while any has not
    passed its checks yet (or the task is not a target yet), else healthy. A target group with health
    checks disabled counts healthy. Draining targets are not looked at."""
    if not groups:
        return None
    states = []
    for tg, targets in groups:
        if tg.HasField("health_check_enabled") and not tg.health_check_enabled:
            states.append(HEALTHY)
            continue
        mine = [t for t in targets if t.task_arn == task_arn and not t.draining]
        if not mine:
            states.append(INITIAL)
            continue
        for t in mine:
            record = records.get((tg.target_group_name, t.id, t.port))
            state = record.target_health.state if record is not None else INITIAL
            states.append(state if state in (HEALTHY, UNHEALTHY) else INITIAL)
    if UNHEALTHY in states:
        return UNHEALTHY
    if INITIAL in states:
        return INITIAL
    return HEALTHY


def drain_seconds(service: types_pb2.Service, target_groups: Mapping[str, elb_pb2.TargetGroup]) -> int:
    """How long a stopping task of the service drains: the largest deregistration delay over the
    target groups its loadBalancers[] name (`target_groups` by ARN); 0 when none."""
    delays = [
        tg.deregistration_delay_seconds if tg.HasField("deregistration_delay_seconds") else 300
        for tg in (target_groups.get(lb.target_group_arn) for lb in service.load_balancers)
        if tg is not None
    ]
    return max(delays, default=0)
