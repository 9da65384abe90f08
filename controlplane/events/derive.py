"""Pure event derivation: the EventBridge-shaped events one record change stands for.

Every event comes from the value of one etcd key before and after one write (etcd's prev_kv), so
the events of a revision are a function of that revision alone: replaying etcd's history from a
revision gives the same events with the same ids, which is what makes a stream resumable.

- `tasks/<cluster>/<id>`: "ECS Task State Change" when the task appears or its lastStatus,
  desiredStatus, health, stop code, connectivity or a container's status, exit code or health
  changes (not for usage or timing updates); the detail is the task as DescribeTasks shows it.
- `services/<cluster>/<name>`: "ECS Deployment State Change" for each deployment whose rolloutState
  is new or changed, then "ECS Service Action" for each newly recorded service event ECS has a name
  for (steady state, placement failure, start impaired) and for a change of desiredCount.
- `instances/<cluster>/<id>`: "ECS Container Instance State Change" on registration,
  deregistration (status INACTIVE), and a change of status, attributes or agent version.
- `liveness/<cluster>/<id>`: the same when the agent connects (the key appears) or is lost (the key
  goes with its lease). Heartbeat rewrites of the key are not events.
- `execs/<cluster>/<session>`: "ECS Exec Session" when an exec session starts and when it ends
  (berth's own: ECS leaves this to CloudTrail); the record goes once it has ended, silently.
- `autoscaling/activities/<cluster>/<service>/<id>`: "Application Auto Scaling Scaling Activity"
  when a scaling activity is recorded (controlplane.autoscale), with the activity as detail.
- `audit/<replica>/<batch>`: "AWS API Call via CloudTrail" (type "audit"), one per record of a
  batch of the audit trail (controlplane.audit) when the batch is written, with the record as
  detail and `berth.<service>` of its action as source; its lease expiring is silent. Only sent
  to a watcher that asks for type "audit".

An event id is `<revision>-<position>-<index>`: the etcd revision of the write, the key's position
among that revision's changes, and the event's position among that key's events. Ids order like
the stream does. Nothing here reads a clock: `time` is 0 when the record does not say when the
change happened, and the stream fills in when it saw it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from google.protobuf.message import Message

from berth import arn
from berth.errors import InvalidArgument
from berth.v1 import autoscaling_pb2, berth_pb2, store_pb2, types_pb2
from controlplane.store import keys

SOURCE = "berth.ecs"
TASK_STATE_CHANGE = "ECS Task State Change"
SERVICE_ACTION = "ECS Service Action"
DEPLOYMENT_STATE_CHANGE = "ECS Deployment State Change"
INSTANCE_STATE_CHANGE = "ECS Container Instance State Change"
EXEC_SESSION = "ECS Exec Session"
SCALING_ACTIVITY = "Application Auto Scaling Scaling Activity"
API_CALL = "AWS API Call via CloudTrail"
# What a watcher gets when it names no type: every state change; the audit trail only on request.
TYPES = ("task", "service", "deployment", "instance", "exec", "autoscaling")
AUDIT = "audit"
ALL_TYPES = (*TYPES, AUDIT)
# Scaling activities (controlplane.autoscale.records.ACTIVITIES; not imported, to keep this pure).
ACTIVITIES = "autoscaling/activities/"

M = TypeVar("M", bound=Message)

# The instance as DescribeContainerInstances would show it: (cluster, instance id, the record or
# None to look the current one up) -> the view, or None when the instance is unknown.
InstanceView = Callable[[str, str, types_pb2.ContainerInstance | None], types_pb2.ContainerInstance | None]


@dataclass(frozen=True, order=True)
class EventId:
    revision: int
    position: int
    index: int

    def __str__(self) -> str:
        return f"{self.revision}-{self.position}-{self.index}"

    @classmethod
    def parse(cls, text: str, field: str = "afterId") -> EventId:
        parts = text.strip().split("-")
        if len(parts) != 3 or not all(p.isdigit() for p in parts) or int(parts[0]) < 1:
            raise InvalidArgument.field(
                field, f"{text!r} is not an event id (ids look like 1234-0-0, as events carry them)"
            )
        return cls(int(parts[0]), int(parts[1]), int(parts[2]))


# -- tasks ----------------------------------------------------------------------------------------

_TASK_TIMES = (
    "created_at",
    "pull_started_at",
    "pull_stopped_at",
    "started_at",
    "connectivity_at",
    "stopping_at",
    "execution_stopped_at",
    "stopped_at",
)
_STATUS_TIME = {
    "RUNNING": "started_at",
    "STOPPING": "stopping_at",
    "DEPROVISIONING": "execution_stopped_at",
    "STOPPED": "stopped_at",
}


def task_time(task: types_pb2.Task) -> float:
    """When the task's current state began, as far as its timestamps tell."""
    exact = _STATUS_TIME.get(task.last_status)
    if exact and getattr(task, exact):
        return float(getattr(task, exact))
    return max(float(getattr(task, name)) for name in _TASK_TIMES)


def _task_signature(task: types_pb2.Task) -> tuple[object, ...]:
    containers = tuple(
        (c.name, c.last_status, c.exit_code if c.HasField("exit_code") else None, c.health_status)
        for c in task.containers
    )
    return (
        task.last_status,
        task.desired_status,
        task.health_status,
        task.stop_code,
        task.connectivity,
        containers,
    )


def task_service(task: types_pb2.Task) -> str:
    if task.service_name:
        return task.service_name
    return task.group[len("service:") :] if task.group.startswith("service:") else ""


def _short(arn: str) -> str:
    return arn.rsplit("/", 1)[-1]


def _task_summary(old: types_pb2.Task | None, new: types_pb2.Task) -> str:
    head = f"task {_short(new.task_arn)} ({_short(new.task_definition_arn)})"
    if old is None:
        return f"{head} {new.last_status}, desired {new.desired_status}"
    parts = []
    if old.last_status != new.last_status:
        parts.append(f"{old.last_status} -> {new.last_status}")
    else:
        parts.append(new.last_status)
    if old.desired_status != new.desired_status:
        parts.append(f"desired {new.desired_status}")
    if old.health_status != new.health_status and new.health_status:
        parts.append(f"health {new.health_status}")
    before = {c.name: c for c in old.containers}
    for c in new.containers:
        was = before.get(c.name)
        if was is None or was.last_status != c.last_status:
            exit_code = f" (exit {c.exit_code})" if c.HasField("exit_code") else ""
            parts.append(f"container {c.name} {c.last_status}{exit_code}")
        elif was.health_status != c.health_status and c.health_status:
            parts.append(f"container {c.name} {c.health_status}")
    text = f"{head} " + ", ".join(parts)
    stopping = new.desired_status == "STOPPED" and (
        old.desired_status != "STOPPED" or new.last_status == "STOPPED" != old.last_status
    )
    if stopping and (new.stop_code or new.stopped_reason):
        text += ": " + ": ".join(p for p in (new.stop_code, new.stopped_reason) if p)
    return text


def task_events(
    cluster: str, old: types_pb2.Task | None, new: types_pb2.Task | None
) -> list[berth_pb2.Event]:
    if new is None or (old is not None and _task_signature(old) == _task_signature(new)):
        return []
    detail = types_pb2.Task()
    detail.CopyFrom(new)
    del detail.tags[:]  # DescribeTasks leaves tags out unless asked
    if detail.launch_type == "FARGATE":
        detail.container_instance_arn = ""  # the pool is hidden, as in DescribeTasks
    return [
        berth_pb2.Event(
            detail_type=TASK_STATE_CHANGE,
            source=SOURCE,
            time=task_time(new),
            resources=[new.task_arn],
            task=detail,
            type="task",
            cluster=cluster,
            service_name=task_service(new),
            summary=_task_summary(old, new),
        )
    ]


# -- services and deployments ---------------------------------------------------------------------

# Service event texts ECS also sends as a "Service Action" event: (marker, type, name).
_SERVICE_ACTIONS = (
    ("has reached a steady state", "INFO", "SERVICE_STEADY_STATE"),
    ("was unable to place a task", "ERROR", "SERVICE_TASK_PLACEMENT_FAILURE"),
    ("is unable to consistently start tasks successfully", "WARN", "SERVICE_TASK_START_IMPAIRED"),
)
# What a placement failure message says (controlplane.scheduler's wording) -> ECS's reason code.
_PLACEMENT_REASONS = (
    (re.compile(r"has its agent disconnected"), "AGENT"),
    (re.compile(r"insufficient CPU units"), "RESOURCE:CPU"),
    (re.compile(r"insufficient memory"), "RESOURCE:MEMORY"),
    (re.compile(r"already using a port"), "RESOURCE:PORTS"),
    (re.compile(r"missing an attribute|placement constraint unsatisfied"), "ATTRIBUTE"),
    (re.compile(r"No Container Instances were found"), "NO ACTIVE INSTANCES"),
)
_DEPLOYMENT_EVENTS = {
    "IN_PROGRESS": ("INFO", "SERVICE_DEPLOYMENT_IN_PROGRESS"),
    "COMPLETED": ("INFO", "SERVICE_DEPLOYMENT_COMPLETED"),
    "FAILED": ("ERROR", "SERVICE_DEPLOYMENT_FAILED"),
}


def placement_reason(message: str) -> str:
    for pattern, reason in _PLACEMENT_REASONS:
        if pattern.search(message):
            return reason
    return ""


def _deployment_reason(d: types_pb2.Deployment) -> str:
    if d.rollout_state_reason:
        return d.rollout_state_reason
    if d.rollout_state == "IN_PROGRESS":
        return f"ECS deployment {d.id} in progress."
    if d.rollout_state == "COMPLETED":
        return f"ECS deployment {d.id} completed."
    return f"ECS deployment {d.id} failed."


def service_events(
    cluster: str, old: types_pb2.Service | None, new: types_pb2.Service | None
) -> list[berth_pb2.Event]:
    if new is None:
        return []
    out: list[berth_pb2.Event] = []

    def event(detail_type: str, kind: str, time: float, summary: str) -> berth_pb2.Event:
        return berth_pb2.Event(
            detail_type=detail_type,
            source=SOURCE,
            time=time,
            resources=[new.service_arn],
            type=kind,
            cluster=cluster,
            service_name=new.service_name,
            summary=f"service {new.service_name}: {summary}",
        )

    states = {d.id: d.rollout_state for d in old.deployments} if old is not None else {}
    for d in reversed(new.deployments):  # stored newest first; events go oldest first
        if d.rollout_state not in _DEPLOYMENT_EVENTS or states.get(d.id) == d.rollout_state:
            continue
        event_type, name = _DEPLOYMENT_EVENTS[d.rollout_state]
        e = event(
            DEPLOYMENT_STATE_CHANGE,
            "deployment",
            d.updated_at or d.created_at,
            f"deployment {d.id} {d.rollout_state}",
        )
        e.deployment_state_change.CopyFrom(
            berth_pb2.DeploymentStateChange(
                event_type=event_type,
                event_name=name,
                deployment_id=d.id,
                updated_at=d.updated_at or d.created_at,
                reason=_deployment_reason(d),
            )
        )
        out.append(e)

    if (
        old is not None
        and old.HasField("desired_count")
        and new.HasField("desired_count")
        and old.desired_count != new.desired_count
    ):
        e = event(
            SERVICE_ACTION,
            "service",
            max([new.created_at, *(d.updated_at for d in new.deployments)]),
            f"desired count {old.desired_count} -> {new.desired_count}",
        )
        e.service_action.CopyFrom(
            berth_pb2.ServiceAction(
                event_type="INFO",
                event_name="SERVICE_DESIRED_COUNT_UPDATED",
                cluster_arn=new.cluster_arn,
                created_at=e.time,
                desired_count=new.desired_count,
            )
        )
        out.append(e)

    seen = {e.id for e in old.events} if old is not None else set()
    for recorded in reversed(new.events):  # stored newest first
        if recorded.id in seen:
            continue
        for marker, event_type, name in _SERVICE_ACTIONS:
            if marker in recorded.message:
                e = event(SERVICE_ACTION, "service", recorded.created_at, recorded.message)
                e.summary = recorded.message
                e.service_action.CopyFrom(
                    berth_pb2.ServiceAction(
                        event_type=event_type,
                        event_name=name,
                        cluster_arn=new.cluster_arn,
                        created_at=recorded.created_at,
                        reason=placement_reason(recorded.message)
                        if name == "SERVICE_TASK_PLACEMENT_FAILURE"
                        else "",
                        message=recorded.message,
                    )
                )
                out.append(e)
                break
    return out


# -- container instances --------------------------------------------------------------------------


def _instance_signature(i: types_pb2.ContainerInstance) -> tuple[object, ...]:
    return (
        i.status,
        i.status_reason,
        tuple(sorted((a.name, a.value) for a in i.attributes)),
        i.version_info.agent_version,
    )


def _instance_event(
    cluster: str, detail: types_pb2.ContainerInstance, time: float, summary: str
) -> berth_pb2.Event:
    name = detail.ec2_instance_id
    ident = _short(detail.container_instance_arn)
    label = f"container instance {ident}" + (f" ({name})" if name and name != ident else "")
    return berth_pb2.Event(
        detail_type=INSTANCE_STATE_CHANGE,
        source=SOURCE,
        time=time,
        resources=[detail.container_instance_arn],
        container_instance=detail,
        type="instance",
        cluster=cluster,
        summary=f"{label} {summary}",
    )


def instance_events(
    cluster: str,
    old: types_pb2.ContainerInstance | None,
    new: types_pb2.ContainerInstance | None,
    view: InstanceView,
) -> list[berth_pb2.Event]:
    if new is None:
        if old is None:
            return []
        gone = types_pb2.ContainerInstance()
        gone.CopyFrom(old)
        gone.status = "INACTIVE"
        gone.agent_connected = False
        return [_instance_event(cluster, gone, 0.0, "deregistered")]
    if old is not None and _instance_signature(old) == _instance_signature(new):
        return []
    ident = _short(new.container_instance_arn)
    detail = view(cluster, ident, new) or new
    if old is None:
        return [_instance_event(cluster, detail, new.registered_at, f"registered, {new.status}")]
    changes = []
    if old.status != new.status:
        changes.append(f"{old.status} -> {new.status}")
    if _instance_signature(old)[2] != _instance_signature(new)[2]:
        changes.append("attributes changed")
    if old.version_info.agent_version != new.version_info.agent_version:
        changes.append(f"agent {new.version_info.agent_version}")
    return [_instance_event(cluster, detail, 0.0, ", ".join(changes) or "changed")]


def liveness_events(
    cluster: str,
    ident: str,
    old: store_pb2.AgentLiveness | None,
    new: store_pb2.AgentLiveness | None,
    view: InstanceView,
) -> list[berth_pb2.Event]:
    if (old is None) == (new is None):
        return []  # a heartbeat's rewrite, or nothing
    record = new if new is not None else old
    assert record is not None
    detail = view(cluster, ident, None) or types_pb2.ContainerInstance(
        container_instance_arn=record.container_instance_arn
    )
    detail.agent_connected = new is not None
    if new is not None:
        return [_instance_event(cluster, detail, new.connected_at, "agent connected")]
    return [_instance_event(cluster, detail, 0.0, "agent disconnected")]


# -- exec sessions --------------------------------------------------------------------------------


def exec_events(
    cluster: str, old: berth_pb2.ExecSession | None, new: berth_pb2.ExecSession | None
) -> list[berth_pb2.Event]:
    if new is None or (old is not None and old.status == new.status):
        return []
    head = (
        f"exec session {new.session_id} by {new.principal} in task {_short(new.task_arn)} "
        f"container {new.container_name}: {new.command}"
    )
    if new.status == "RUNNING":
        summary = f"{head} started"
    elif new.HasField("exit_code"):
        summary = f"{head} exited {new.exit_code}"
    else:
        summary = f"{head} ended: {new.reason}"
    return [
        berth_pb2.Event(
            detail_type=EXEC_SESSION,
            source=SOURCE,
            time=new.stopped_at if new.status == "STOPPED" else new.started_at,
            resources=[new.task_arn],
            exec_session=new,
            type="exec",
            cluster=cluster,
            summary=summary,
        )
    ]


# -- dispatch -------------------------------------------------------------------------------------

WATCHED = (keys.TASKS, keys.SERVICES, keys.INSTANCES, keys.LIVENESS, keys.EXECS, ACTIVITIES, keys.AUDIT)
_KEY_TYPES = {
    keys.AUDIT: frozenset({AUDIT}),
    keys.TASKS: frozenset({"task"}),
    keys.SERVICES: frozenset({"service", "deployment"}),
    keys.INSTANCES: frozenset({"instance"}),
    keys.LIVENESS: frozenset({"instance"}),
    keys.EXECS: frozenset({"exec"}),
    ACTIVITIES: frozenset({"autoscaling"}),
}


def activity_events(key: str, new: autoscaling_pb2.ScalingActivity | None) -> list[berth_pb2.Event]:
    """A scaling activity, once, when it is recorded (trimming old ones is silent)."""
    if new is None:
        return []
    cluster, _, rest = key[len(ACTIVITIES) :].partition("/")
    service = rest.partition("/")[0]
    return [
        berth_pb2.Event(
            detail_type=SCALING_ACTIVITY,
            source=SOURCE,
            time=new.start_time,
            resources=[new.resource_id],
            scaling_activity=new,
            type="autoscaling",
            cluster=cluster,
            service_name=service,
            summary=f"service {service}: {new.status_message or new.description} ({new.cause})",
        )
    ]


def audit_events(batch: berth_pb2.AuditBatch | None) -> list[berth_pb2.Event]:
    """One event per record of a batch of the audit trail, in the order of the calls."""
    if batch is None:
        return []
    out = []
    for record in batch.records:
        service = next((r for r in record.resources if r.startswith("arn:berth:ecs:")), "")
        parsed = arn.parse(service)
        name = parsed.resource.rsplit("/", 1)[-1] if parsed and parsed.resource_type == "service" else ""
        who = record.principal or "an unauthenticated caller"
        summary = f"{record.action} by {who}: {record.outcome}"
        if record.error_code:
            summary += f" ({record.error_code})"
        if list(record.resources) != ["*"]:
            summary += " on " + ", ".join(record.resources)
        out.append(
            berth_pb2.Event(
                detail_type=API_CALL,
                source="berth." + record.action.partition(":")[0],
                time=record.time,
                resources=[r for r in record.resources if r != "*"],
                audit=record,
                type=AUDIT,
                cluster=record.cluster,
                service_name=name,
                summary=summary,
            )
        )
    return out


def derive(key: str, old: bytes | None, new: bytes | None, view: InstanceView) -> list[berth_pb2.Event]:
    """The events of one key's change (values as serialized records; None: absent)."""
    if key.startswith(keys.AUDIT):
        return [] if old is not None else audit_events(_decode(berth_pb2.AuditBatch, new))
    if key.startswith(ACTIVITIES):
        return [] if old is not None else activity_events(key, _decode(autoscaling_pb2.ScalingActivity, new))
    kind, _, rest = key.partition("/")
    cluster, _, ident = rest.partition("/")
    if not cluster or not ident:
        return []
    if kind + "/" == keys.TASKS:
        return task_events(cluster, _decode(types_pb2.Task, old), _decode(types_pb2.Task, new))
    if kind + "/" == keys.SERVICES:
        return service_events(cluster, _decode(types_pb2.Service, old), _decode(types_pb2.Service, new))
    if kind + "/" == keys.INSTANCES:
        return instance_events(
            cluster,
            _decode(types_pb2.ContainerInstance, old),
            _decode(types_pb2.ContainerInstance, new),
            view,
        )
    if kind + "/" == keys.LIVENESS:
        return liveness_events(
            cluster,
            ident,
            _decode(store_pb2.AgentLiveness, old),
            _decode(store_pb2.AgentLiveness, new),
            view,
        )
    if kind + "/" == keys.EXECS:
        return exec_events(cluster, _decode(berth_pb2.ExecSession, old), _decode(berth_pb2.ExecSession, new))
    return []


def _decode(cls: type[M], value: bytes | None) -> M | None:
    return None if value is None else cls.FromString(value)


@dataclass(frozen=True)
class EventFilter:
    """What a watcher asked for. `cluster` "" is every cluster except the hidden pool ones."""

    cluster: str = ""
    services: frozenset[str] = frozenset()
    types: frozenset[str] = frozenset(TYPES)

    def wants_key(self, key: str) -> bool:
        """Whether a change of `key` can give an event this filter passes (cheap, before decoding)."""
        for prefix, types in _KEY_TYPES.items():
            if key.startswith(prefix):
                if not types & self.types:
                    return False
                if self.services and prefix not in (keys.TASKS, keys.SERVICES, ACTIVITIES, keys.AUDIT):
                    return False
                if prefix == keys.AUDIT:
                    return True  # a batch's records may be of any cluster: `matches` decides
                cluster = key[len(prefix) :].partition("/")[0]
                return self._cluster_ok(cluster)
        return False

    def _cluster_ok(self, cluster: str) -> bool:
        if self.cluster:
            return cluster == self.cluster
        return not cluster.startswith("@")

    def matches(self, event: berth_pb2.Event) -> bool:
        if event.type not in self.types or not self._cluster_ok(event.cluster):
            return False
        return not self.services or event.service_name in self.services
