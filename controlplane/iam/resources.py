"""Which resources an API request acts on, for authorization. Pure: no I/O.

IAM authorizes an action on resources, with condition keys about the request. For ECS actions berth
follows ECS's resource-level permissions: a task's actions act on the task's ARN (StopTask,
DescribeTasks), RunTask and StartTask on the task definition, a service's actions on the service,
container instance actions on the instance, cluster-wide ones (ListTasks, CreateService's cluster,
DescribeClusters) on the cluster, tagging on `resourceArn`; every one of them carries `ecs:cluster`
(the cluster's ARN) as a condition key. Actions with no resource (ListClusters,
RegisterTaskDefinition) act on "*". A request naming several resources (DescribeTasks with ten
tasks) is allowed only if every one of them is.

The request is read through its descriptor, by field name, so new RPCs are covered when their
fields are named as ECS names them (`cluster`, `tasks`, `service`, ...).
"""

from __future__ import annotations

from dataclasses import dataclass

from google.protobuf.message import Message

from berth import arn as arns

ANY = "*"
CLUSTER_KEY = "ecs:cluster"
DEFAULT_CLUSTER = "default"


@dataclass(frozen=True, slots=True)
class Target:
    resource: str
    cluster: str = ""  # the cluster ARN ("" when the request has no cluster)


def _field(request: Message, name: str) -> object:
    fields = request.DESCRIPTOR.fields_by_name
    if name not in fields:
        return None
    return getattr(request, name)


def _values(request: Message, *names: str) -> list[str]:
    out: list[str] = []
    for name in names:
        value = _field(request, name)
        if isinstance(value, str):
            if value:
                out.append(value)
        elif value is not None and not isinstance(value, Message):
            out.extend(v for v in value if isinstance(v, str) and v)  # type: ignore[attr-defined]
    return out


def _cluster_name(request: Message) -> str | None:
    """The request's cluster name (ECS's "default" when the field is empty), None without one."""
    value = _field(request, "cluster")
    if not isinstance(value, str):
        return None
    if not value:
        return DEFAULT_CLUSTER
    parsed = arns.parse(value)
    return parsed.resource if parsed is not None else value


def _under_cluster(value: str, kind: str, cluster: str, factory: arns.ArnFactory) -> str:
    if value.startswith("arn:"):
        return value
    if kind == "task":
        return factory.task(cluster, value)
    if kind == "service":
        return factory.service(cluster, value)
    return factory.container_instance(cluster, value)


def targets(action: str, request: Message | None, factory: arns.ArnFactory) -> list[Target]:
    """The resources `request` (the request of `action`) acts on; one "*" target when none is named."""
    if request is None:
        return [Target(ANY)]
    if "start" in request.DESCRIPTOR.fields_by_name and request.HasField("start"):
        request = request.start  # type: ignore[attr-defined]  # a stream's opening message (exec)
    service, _, name = action.partition(":")
    if service == "iam":
        users = _values(request, "user_name")
        policies = _values(request, "policy_arn")
        named = [Target(f"arn:aws:iam::{factory.account}:user/{u}") for u in users]
        named += [Target(p) for p in policies]
        return named or [Target(ANY)]
    if service != "ecs":
        return [Target(ANY)]
    cluster_name = _cluster_name(request)
    if cluster_name is None:
        clusters = _values(request, "clusters")
        if clusters:
            return [
                Target(factory.cluster(c) if not c.startswith("arn:") else c, _as_cluster(c, factory))
                for c in clusters
            ]
        resource = _values(request, "resource_arn")
        return [Target(r, _cluster_of(r, factory)) for r in resource] or [Target(ANY)]
    cluster = factory.cluster(cluster_name)
    found: list[Target] = []
    for kind, names in (
        ("task", ("tasks", "task")),
        ("service", ("services", "service")),
        ("container-instance", ("container_instances", "container_instance")),
    ):
        found += [
            Target(_under_cluster(v, kind, cluster_name, factory), cluster) for v in _values(request, *names)
        ]
    if found:
        return found
    if name == "CreateService":
        return [
            Target(factory.service(cluster_name, v), cluster) for v in _values(request, "service_name")
        ] or [Target(cluster, cluster)]
    if name in ("RunTask", "StartTask"):
        refs = _values(request, "task_definition")
        return [Target(_task_definition(r, factory), cluster) for r in refs] or [Target(ANY, cluster)]
    return [Target(cluster, cluster)]


def _task_definition(ref: str, factory: arns.ArnFactory) -> str:
    if ref.startswith("arn:"):
        return ref
    family, _, revision = ref.partition(":")
    # A bare family means its latest revision, unknown until the call runs: `family:*` stands for it.
    return factory.task_definition(family, 0).rsplit(":", 1)[0] + f":{revision or '*'}"


def _as_cluster(value: str, factory: arns.ArnFactory) -> str:
    return value if value.startswith("arn:") else factory.cluster(value)


def _cluster_of(resource: str, factory: arns.ArnFactory) -> str:
    """The cluster ARN a resource ARN lives in ("" when it is not under a cluster)."""
    parsed = arns.parse(resource)
    if parsed is None:
        return ""
    if parsed.resource_type == "cluster":
        return resource
    if parsed.resource_type in ("task", "service", "container-instance", "container"):
        return factory.cluster(parsed.resource.split("/", 1)[0])
    return ""
