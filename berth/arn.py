"""ECS-shaped ARNs and ids: `arn:berth:ecs:<region>:<account>:<type>/<path>`.

Every API call accepts a name or an ARN where ECS does; this module turns both into the name or
id the store keys on, and builds the ARNs the API returns. Pure functions, no I/O.
"""

from __future__ import annotations

import re
import secrets
import uuid
from dataclasses import dataclass

from berth.errors import InvalidArgument, shown

PARTITION = "berth"
SERVICE = "ecs"

NAME_RE = re.compile(r"^[A-Za-z0-9_-]{1,255}$")


@dataclass(frozen=True)
class Arn:
    partition: str
    service: str
    region: str
    account: str
    resource_type: str  # cluster, task-definition, task, service, container-instance, container
    resource: str  # what follows "<type>/"

    def __str__(self) -> str:
        return (
            f"arn:{self.partition}:{self.service}:{self.region}:{self.account}:"
            f"{self.resource_type}/{self.resource}"
        )


def parse(value: str) -> Arn | None:
    """Parse an ARN; None if `value` is not one (a plain name or id)."""
    if not value.startswith("arn:"):
        return None
    parts = value.split(":", 5)
    if len(parts) != 6 or "/" not in parts[5]:
        return None
    resource_type, resource = parts[5].split("/", 1)
    return Arn(parts[1], parts[2], parts[3], parts[4], resource_type, resource)


@dataclass(frozen=True)
class ArnFactory:
    """Builds ARNs for one control plane's region and account."""

    region: str = "local"
    account: str = "000000000000"

    def _arn(self, resource_type: str, resource: str) -> str:
        return str(Arn(PARTITION, SERVICE, self.region, self.account, resource_type, resource))

    def cluster(self, name: str) -> str:
        return self._arn("cluster", name)

    def task_definition(self, family: str, revision: int) -> str:
        return self._arn("task-definition", f"{family}:{revision}")

    def task(self, cluster: str, task_id: str) -> str:
        return self._arn("task", f"{cluster}/{task_id}")

    def container(self, cluster: str, task_id: str, container_id: str) -> str:
        return self._arn("container", f"{cluster}/{task_id}/{container_id}")

    def container_instance(self, cluster: str, instance_id: str) -> str:
        return self._arn("container-instance", f"{cluster}/{instance_id}")

    def service(self, cluster: str, name: str) -> str:
        return self._arn("service", f"{cluster}/{name}")


def new_id() -> str:
    """A task, container or instance id: 32 lowercase hex digits, as ECS task ids are."""
    return uuid.uuid4().hex


def new_deployment_id() -> str:
    """A service deployment id, shaped like ECS's: ecs-svc/ and 19 digits."""
    return f"ecs-svc/{secrets.randbelow(9 * 10**18) + 10**18}"


def check_name(value: str, field: str, what: str = "name") -> str:
    if not NAME_RE.match(value):
        raise InvalidArgument.field(
            field,
            f"{what} {shown(value)} is invalid: up to 255 letters, numbers, hyphens and underscores",
        )
    return value


def cluster_name(ref: str, field: str = "cluster", default: str = "default") -> str:
    """The cluster name from a name or a cluster ARN; ECS's `default` cluster when empty."""
    if not ref:
        return default
    arn = parse(ref)
    if arn is not None:
        if arn.resource_type != "cluster":
            raise InvalidArgument.field(field, f"{ref!r} is not a cluster ARN")
        ref = arn.resource
    return check_name(ref, field, "cluster name")


def task_definition_ref(ref: str, field: str = "taskDefinition") -> tuple[str, int | None]:
    """(family, revision) from `family`, `family:revision` or a task definition ARN.

    A revision of None means "the latest ACTIVE revision", as ECS resolves a bare family.
    """
    if not ref:
        raise InvalidArgument.field(field, "is required")
    arn = parse(ref)
    if arn is not None:
        if arn.resource_type != "task-definition":
            raise InvalidArgument.field(field, f"{ref!r} is not a task definition ARN")
        ref = arn.resource
    family, sep, revision = ref.partition(":")
    check_name(family, field, "family")
    if not sep:
        return family, None
    if not revision.isdigit() or int(revision) < 1 or len(revision) > 10:
        raise InvalidArgument.field(field, f"revision {revision!r} in {ref!r} is not a positive integer")
    return family, int(revision)


def scoped_id(ref: str, resource_type: str, field: str) -> tuple[str | None, str]:
    """(cluster or None, id or name) from a plain id/name or an ARN `<type>/<cluster>/<id>`.

    ECS also accepts old-style ARNs without the cluster (`task/<id>`): cluster None then.
    """
    arn = parse(ref)
    if arn is None:
        if not ref or "/" in ref:
            raise InvalidArgument.field(field, f"{ref!r} is not a valid {resource_type} id or ARN")
        return None, ref
    if arn.resource_type != resource_type:
        raise InvalidArgument.field(field, f"{ref!r} is not a {resource_type} ARN")
    cluster, sep, rest = arn.resource.partition("/")
    if not sep:
        return None, cluster
    return cluster, rest


def id_in_cluster(ref: str, resource_type: str, cluster: str, field: str) -> str:
    """The id (or name) a plain id or an ARN names, refusing an ARN of another cluster."""
    ref_cluster, ident = scoped_id(ref, resource_type, field)
    if ref_cluster is not None and ref_cluster != cluster:
        what = resource_type.replace("-", " ")
        raise InvalidArgument.field(field, f"{what} {ref!r} is not in cluster {cluster!r}")
    return ident
