"""Validation of RegisterTaskDefinition requests: every violation, with its ECS JSON field path.

Pure functions on the generated protobuf messages: no I/O, no clock, no gRPC. Each area of a task
definition (family, task size, a container's ports, dependencies, health check, volumes, tags...)
has a small checker that yields `FieldViolation`s; `validate_task_definition` wires them together,
adds the Fargate rules when `requiresCompatibilities` lists FARGATE, and sorts the result into
field order. Paths use ECS JSON names: `containerDefinitions[1].portMappings[0].hostPort`.

Optional proto scalars are read with `HasField`: an unset `hostPort` is not 0, an unset `essential`
counts as true, and range checks apply only to values that are set. An unset `networkMode` is read
as bridge, ECS's default on EC2.
"""

from __future__ import annotations

import bisect
import json
import re
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Final, TypeAlias, cast

from google.protobuf import json_format
from google.protobuf.descriptor import Descriptor

from berth.errors import FieldViolation, shown
from berth.units import parse_cpu, parse_memory
from berth.v1 import ecs_messages_pb2, types_pb2
from controlplane.validation.fargate import TaskDefinitionLike, validate_fargate

__all__ = [
    "MAX_TASK_DEFINITION_BYTES",
    "compatibilities",
    "normalized_cpu_memory",
    "parse_cpu",
    "parse_memory",
    "validate_task_definition",
]

Request: TypeAlias = ecs_messages_pb2.RegisterTaskDefinitionRequest
Container: TypeAlias = types_pb2.ContainerDefinition

MAX_TASK_DEFINITION_BYTES: Final = 65536
MAX_CONTAINERS: Final = 10
MAX_PLACEMENT_CONSTRAINTS: Final = 10
MAX_TAGS: Final = 50
MAX_ENVIRONMENT_FILES: Final = 10
MAX_IGNORED_EXIT_CODES: Final = 50
TASK_CPU_RANGE: Final = (128, 196608)
MIN_MEMORY_MIB: Final = 6  # Docker 20.10+ refuses less, for the limit and for the reservation

NETWORK_MODES: Final = ("bridge", "host", "awsvpc", "none")
COMPATIBILITIES: Final = ("EC2", "FARGATE", "EXTERNAL", "MANAGED_INSTANCES")
PID_MODES: Final = ("host", "task")
IPC_MODES: Final = ("host", "task", "none")
PROTOCOLS: Final = ("tcp", "udp")
APP_PROTOCOLS: Final = ("http", "http2", "grpc")
DEPENDENCY_CONDITIONS: Final = ("START", "COMPLETE", "SUCCESS", "HEALTHY")
HEALTH_CHECK_KINDS: Final = ("CMD", "CMD-SHELL", "NONE")
ULIMIT_NAMES: Final = (
    "core", "cpu", "data", "fsize", "locks", "memlock", "msgqueue", "nice", "nofile", "nproc", "rss",
    "rtprio", "rttime", "sigpending", "stack",
)  # fmt: skip
LOG_DRIVERS: Final = (
    "json-file", "syslog", "journald", "gelf", "fluentd", "awslogs", "splunk", "awsfirelens", "local", "none",
)  # fmt: skip
# Linux capability names as ECS spells them (no CAP_ prefix; the prefix is accepted too), plus ALL.
LINUX_CAPABILITIES: Final = frozenset(
    {
        "ALL", "AUDIT_CONTROL", "AUDIT_READ", "AUDIT_WRITE", "BLOCK_SUSPEND", "BPF", "CHECKPOINT_RESTORE",
        "CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID", "IPC_LOCK", "IPC_OWNER", "KILL",
        "LEASE", "LINUX_IMMUTABLE", "MAC_ADMIN", "MAC_OVERRIDE", "MKNOD", "NET_ADMIN", "NET_BIND_SERVICE",
        "NET_BROADCAST", "NET_RAW", "PERFMON", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_ADMIN",
        "SYS_BOOT", "SYS_CHROOT", "SYS_MODULE", "SYS_NICE", "SYS_PACCT", "SYS_PTRACE", "SYS_RAWIO",
        "SYS_RESOURCE", "SYS_TIME", "SYS_TTY_CONFIG", "SYSLOG", "WAKE_ALARM",
    }
)  # fmt: skip
DEVICE_PERMISSIONS: Final = ("read", "write", "mknod")
VOLUME_SCOPES: Final = ("task", "shared")
CPU_ARCHITECTURES: Final = ("X86_64", "ARM64")
OS_FAMILIES: Final = (
    "LINUX", "WINDOWS_SERVER_2019_FULL", "WINDOWS_SERVER_2019_CORE", "WINDOWS_SERVER_2016_FULL",
    "WINDOWS_SERVER_2004_CORE", "WINDOWS_SERVER_2022_CORE", "WINDOWS_SERVER_2022_FULL",
    "WINDOWS_SERVER_2025_CORE", "WINDOWS_SERVER_2025_FULL", "WINDOWS_SERVER_20H2_CORE",
)  # fmt: skip

_NAME = re.compile(r"[A-Za-z0-9_-]{1,255}")
_PORT_NAME = re.compile(r"[a-z0-9_][a-z0-9_-]{0,63}")
_PORT_RANGE = re.compile(r"([0-9]{1,5})-([0-9]{1,5})")

# Docker's reference grammar (distribution/reference): [registry[:port]/]path[:tag][@digest].
_PATH_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_DOMAIN_COMPONENT = r"(?:[A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9])"
_DOMAIN = rf"(?:{_DOMAIN_COMPONENT}(?:\.{_DOMAIN_COMPONENT})*|\[[0-9A-Fa-f:]+\])(?::[0-9]+)?"
_REPOSITORY = re.compile(rf"(?:{_DOMAIN}/)?{_PATH_COMPONENT}(?:/{_PATH_COMPONENT})*")
_TAG = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}")
_DIGEST = re.compile(r"sha256:[a-f0-9]{64}")
MAX_IMAGE_LENGTH: Final = 255


# ---------------------------------------------------------------------------------------------
# Public API


def validate_task_definition(req: Request) -> list[FieldViolation]:
    """Every violation (not only the first), in field order; empty when the definition is valid.

    A request larger than MAX_TASK_DEFINITION_BYTES as JSON is reported alone and not inspected
    further, so a huge request costs no more than its serialisation.
    """
    oversize = _check_size(req)
    if oversize is not None:
        return [oversize]
    task = _Task.of(req)
    violations: list[FieldViolation] = []
    task_checks: tuple[Callable[[Request, _Task], Iterable[FieldViolation]], ...] = (
        _check_family,
        _check_network_mode,
        _check_container_set,
        _check_container_names,
        _check_host_ports,
        _check_port_names,
        _check_dependency_cycles,
        _check_volumes,
        _check_placement_constraints,
        _check_requires_compatibilities,
        _check_task_cpu,
        _check_task_memory,
        _check_tags,
        _check_pid_ipc_modes,
        _check_proxy_configuration,
        _check_ephemeral_storage,
        _check_runtime_platform,
        _check_execution_role,
    )
    container_checks: tuple[Callable[[Container, str, _Task], Iterable[FieldViolation]], ...] = (
        _check_image,
        _check_container_resources,
        _check_links,
        _check_port_mappings,
        _check_restart_policy,
        _check_environment,
        _check_mount_points,
        _check_volumes_from,
        _check_linux_parameters,
        _check_secrets,
        _check_depends_on,
        _check_timeouts,
        _check_hostname,
        _check_ulimits,
        _check_log_configuration,
        _check_health_check,
    )
    for task_check in task_checks:
        violations.extend(task_check(req, task))
    for i, container in enumerate(req.container_definitions):
        for container_check in container_checks:
            violations.extend(container_check(container, f"containerDefinitions[{i}]", task))
    if "FARGATE" in req.requires_compatibilities:
        # The general checks already explain fields they flag (a bad cpu string, say); Fargate adds
        # only what they did not cover.
        flagged = {v.field for v in violations}
        violations.extend(v for v in validate_fargate(req) if v.field not in flagged)
    return sorted(violations, key=lambda v: _field_position(v.field))


def compatibilities(req: TaskDefinitionLike) -> list[str]:
    """The launch types ECS reports as `compatibilities`: EC2 always, EXTERNAL unless awsvpc, and
    FARGATE when the Fargate rules pass."""
    result = ["EC2"]
    if req.network_mode != "awsvpc":
        result.append("EXTERNAL")
    if not validate_fargate(req):
        result.append("FARGATE")
    return result


def normalized_cpu_memory(req: TaskDefinitionLike) -> tuple[str, str]:
    """Task cpu and memory as ECS stores them: units and MiB ("1 vCPU" -> "1024", "2GB" -> "2048").

    Unset stays "". A value that does not parse is returned unchanged (validate first).
    """
    cpu = parse_cpu(req.cpu)
    memory = parse_memory(req.memory)
    return (req.cpu if cpu is None else str(cpu), req.memory if memory is None else str(memory))


# ---------------------------------------------------------------------------------------------
# What the checkers share


@dataclass(frozen=True)
class _Task:
    """Facts about the whole task that container checks need, computed once."""

    network_mode: str  # "" read as bridge
    containers: dict[str, Container]  # by name; the first one wins when names repeat
    indexes: dict[str, int]
    volumes: frozenset[str]
    cpu: int | None  # parsed task cpu, None when unset or invalid
    memory: int | None
    memory_set: bool

    @classmethod
    def of(cls, req: Request) -> _Task:
        indexes: dict[str, int] = {}
        for i, c in enumerate(req.container_definitions):
            indexes.setdefault(c.name, i)
        return cls(
            network_mode=req.network_mode or "bridge",
            containers={name: req.container_definitions[i] for name, i in indexes.items()},
            indexes=indexes,
            volumes=frozenset(v.name for v in req.volumes if v.name),
            cpu=parse_cpu(req.cpu),
            memory=parse_memory(req.memory),
            memory_set=bool(req.memory),
        )


def _is_essential(c: Container) -> bool:
    return not c.HasField("essential") or c.essential


def _has_health_check(c: Container) -> bool:
    return c.HasField("health_check") and list(c.health_check.command) != ["NONE"]


def _leaf(path: str) -> str:
    return path.rsplit(".", 1)[-1].split("[", 1)[0]


def _in_range(path: str, value: int, low: int, high: int, unit: str = "") -> Iterator[FieldViolation]:
    if not low <= value <= high:
        yield FieldViolation(path, f"{_leaf(path)} {value}{unit} must be between {low} and {high}{unit}")


def _one_of(path: str, value: str, allowed: Sequence[str]) -> Iterator[FieldViolation]:
    if value not in allowed:
        yield FieldViolation(path, f"{_leaf(path)} {shown(value)} is not one of {', '.join(allowed)}")


def _absolute(path: str, value: str) -> Iterator[FieldViolation]:
    if not value:
        yield FieldViolation(path, f"{_leaf(path)} is required")
    elif not value.startswith("/"):
        yield FieldViolation(path, f"{_leaf(path)} {shown(value)} must be an absolute path")


def _check_size(req: Request) -> FieldViolation | None:
    # JSON spells every field name where protobuf spends a byte or two, so it is never more than
    # about 10x the binary size: small definitions (nearly all) skip the costly JSON rendering.
    if req.ByteSize() * 10 <= MAX_TASK_DEFINITION_BYTES:
        return None
    # Compact JSON, the form a client sends; MessageToJson's indentation would count spaces.
    size = len(json.dumps(json_format.MessageToDict(req), separators=(",", ":")).encode())
    if size <= MAX_TASK_DEFINITION_BYTES:
        return None
    return FieldViolation(
        "", f"task definition is {size} bytes as JSON, more than the limit of {MAX_TASK_DEFINITION_BYTES}"
    )


def _field_position(path: str) -> tuple[int, ...]:
    """Sort key putting a path where its field is declared in the request, indexes in order."""
    position: list[int] = []
    # The stubs type DESCRIPTOR as the upb or the pure-Python class; both have this interface.
    descriptor: Descriptor | None = cast(Descriptor, Request.DESCRIPTOR)
    for segment in path.split(".") if path else ():
        name, _, index = segment.partition("[")
        fields = {f.json_name: (n, f) for n, f in enumerate(descriptor.fields)} if descriptor else {}
        if name not in fields:
            position.append(len(fields))
            break
        number, fd = fields[name]
        position += (number, int(index.rstrip("]")) + 1 if index else 0)
        descriptor = fd.message_type
    return tuple(position)


# ---------------------------------------------------------------------------------------------
# Task-level checks, in field order


def _check_family(req: Request, task: _Task) -> Iterator[FieldViolation]:
    if not req.family:
        yield FieldViolation("family", "family is required")
    elif not _NAME.fullmatch(req.family):
        yield FieldViolation(
            "family", f"family {shown(req.family)} must be 1-255 letters, numbers, hyphens and underscores"
        )


def _check_network_mode(req: Request, task: _Task) -> Iterator[FieldViolation]:
    if req.network_mode:
        yield from _one_of("networkMode", req.network_mode, NETWORK_MODES)
    if req.network_mode == "awsvpc" and "EXTERNAL" in req.requires_compatibilities:
        yield FieldViolation(
            "networkMode", "networkMode 'awsvpc' is not supported with EXTERNAL; use bridge, host or none"
        )


def _check_container_set(req: Request, task: _Task) -> Iterator[FieldViolation]:
    count = len(req.container_definitions)
    if count == 0:
        yield FieldViolation("containerDefinitions", "at least one container definition is required")
    elif count > MAX_CONTAINERS:
        yield FieldViolation(
            "containerDefinitions", f"{count} container definitions; at most {MAX_CONTAINERS} are allowed"
        )
    if count and not any(_is_essential(c) for c in req.container_definitions):
        yield FieldViolation(
            "containerDefinitions", "at least one container must be essential (essential unset means true)"
        )


def _check_container_names(req: Request, task: _Task) -> Iterator[FieldViolation]:
    for i, c in enumerate(req.container_definitions):
        path = f"containerDefinitions[{i}].name"
        if not c.name:
            yield FieldViolation(path, "name is required")
        elif not _NAME.fullmatch(c.name):
            yield FieldViolation(
                path, f"name {shown(c.name)} must be 1-255 letters, numbers, hyphens and underscores"
            )
        elif task.indexes[c.name] != i:
            yield FieldViolation(
                path,
                f"container name {shown(c.name)} is already used by "
                f"containerDefinitions[{task.indexes[c.name]}]",
            )


def _check_host_ports(req: Request, task: _Task) -> Iterator[FieldViolation]:
    """Static host ports must not collide across the task; in host and awsvpc modes every
    container port is a host port (containers share one network namespace or the host's)."""
    claims = _PortClaims()
    for i, c in enumerate(req.container_definitions):
        for j, pm in enumerate(c.port_mappings):
            ports = _host_ports(pm, task.network_mode)
            if ports is None:
                continue
            protocol = pm.protocol or "tcp"
            path = f"containerDefinitions[{i}].portMappings[{j}]"
            taken = claims.claim(protocol, ports, owner=path, group=i)
            # In host/awsvpc a clash inside one container is already reported on its containerPort.
            if taken is None or (taken[1] == i and task.network_mode != "bridge"):
                continue
            field = (
                "hostPort"
                if pm.host_port
                else ("containerPortRange" if pm.container_port_range else "containerPort")
            )
            yield FieldViolation(
                f"{path}.{field}", f"host port {_ports(ports)}/{protocol} is already used by {taken[0]}"
            )


def _check_port_names(req: Request, task: _Task) -> Iterator[FieldViolation]:
    seen: dict[str, str] = {}
    for i, c in enumerate(req.container_definitions):
        for j, pm in enumerate(c.port_mappings):
            if not pm.name:
                continue
            path = f"containerDefinitions[{i}].portMappings[{j}]"
            if not _PORT_NAME.fullmatch(pm.name):
                yield FieldViolation(
                    f"{path}.name",
                    f"port mapping name {shown(pm.name)} must be 1-64 lowercase letters, numbers, "
                    "underscores and hyphens, not starting with a hyphen",
                )
            elif pm.name in seen:
                yield FieldViolation(
                    f"{path}.name", f"port mapping name {shown(pm.name)} is already used by {seen[pm.name]}"
                )
            else:
                seen[pm.name] = path


def _check_dependency_cycles(req: Request, task: _Task) -> Iterator[FieldViolation]:
    containers = req.container_definitions
    edges = [
        [
            task.indexes[d.container_name]
            for d in c.depends_on
            if d.container_name in task.indexes and d.container_name != c.name
        ]
        for c in containers
    ]
    for cycle in _find_cycles(edges):
        names = " -> ".join(containers[n].name for n in [*cycle, cycle[0]])
        yield FieldViolation(f"containerDefinitions[{cycle[0]}].dependsOn", f"dependency cycle {names}")


def _check_volumes(req: Request, task: _Task) -> Iterator[FieldViolation]:
    first: dict[str, int] = {}
    for k, v in enumerate(req.volumes):
        path = f"volumes[{k}]"
        if not v.name:
            yield FieldViolation(f"{path}.name", "name is required")
        elif not _NAME.fullmatch(v.name):
            yield FieldViolation(
                f"{path}.name",
                f"name {shown(v.name)} must be 1-255 letters, numbers, hyphens and underscores",
            )
        elif first.setdefault(v.name, k) != k:
            yield FieldViolation(
                f"{path}.name", f"volume name {shown(v.name)} is already used by volumes[{first[v.name]}]"
            )
        kinds = [
            name
            for name, present in (
                ("host", v.HasField("host")),
                ("dockerVolumeConfiguration", v.HasField("docker_volume_configuration")),
                ("efsVolumeConfiguration", v.HasField("efs_volume_configuration")),
                ("s3filesVolumeConfiguration", v.HasField("s3files_volume_configuration")),
                (
                    "fsxWindowsFileServerVolumeConfiguration",
                    v.HasField("fsx_windows_file_server_volume_configuration"),
                ),
            )
            if present
        ]
        if len(kinds) > 1:
            yield FieldViolation(path, f"a volume takes one configuration, not {' and '.join(kinds)}")
        if v.host.source_path:
            yield from _absolute(f"{path}.host.sourcePath", v.host.source_path)
        if v.HasField("docker_volume_configuration"):
            config = v.docker_volume_configuration
            if config.scope:
                yield from _one_of(f"{path}.dockerVolumeConfiguration.scope", config.scope, VOLUME_SCOPES)
            if config.autoprovision and config.scope != "shared":
                yield FieldViolation(
                    f"{path}.dockerVolumeConfiguration.autoprovision",
                    f"autoprovision is only allowed with scope 'shared', not {config.scope or 'task'!r}",
                )


def _check_placement_constraints(req: Request, task: _Task) -> Iterator[FieldViolation]:
    count = len(req.placement_constraints)
    if count > MAX_PLACEMENT_CONSTRAINTS:
        yield FieldViolation(
            "placementConstraints",
            f"{count} placement constraints; at most {MAX_PLACEMENT_CONSTRAINTS} are allowed",
        )
    for k, pc in enumerate(req.placement_constraints):
        if pc.type != "memberOf":
            yield FieldViolation(
                f"placementConstraints[{k}].type",
                f"type {shown(pc.type)} is not supported in a task definition; only memberOf is",
            )
        if not pc.expression:
            yield FieldViolation(
                f"placementConstraints[{k}].expression", "expression is required for memberOf"
            )


def _check_requires_compatibilities(req: Request, task: _Task) -> Iterator[FieldViolation]:
    for k, item in enumerate(req.requires_compatibilities):
        yield from _one_of(f"requiresCompatibilities[{k}]", item, COMPATIBILITIES)


def _check_task_cpu(req: Request, task: _Task) -> Iterator[FieldViolation]:
    if not req.cpu:
        return
    if task.cpu is None:
        yield FieldViolation(
            "cpu", f'cpu {shown(req.cpu)} is not valid; use CPU units ("1024") or vCPUs ("1 vCPU")'
        )
        return
    low, high = TASK_CPU_RANGE
    if not low <= task.cpu <= high:
        yield FieldViolation("cpu", f"cpu {task.cpu} must be between {low} and {high} CPU units")
        return
    total = sum(c.cpu for c in req.container_definitions if c.cpu > 0)
    if total > task.cpu:
        yield FieldViolation(
            "cpu", f"the containers' cpu adds up to {total} units, more than the task cpu {task.cpu}"
        )


def _check_task_memory(req: Request, task: _Task) -> Iterator[FieldViolation]:
    if not req.memory:
        return
    if task.memory is None:
        yield FieldViolation(
            "memory", f'memory {shown(req.memory)} is not valid; use MiB ("2048") or GB ("2GB")'
        )
        return
    if task.memory < MIN_MEMORY_MIB:
        yield FieldViolation(
            "memory", f"memory {task.memory} MiB is below the minimum of {MIN_MEMORY_MIB} MiB"
        )
        return
    containers = req.container_definitions
    limits = sum(c.memory for c in containers if c.HasField("memory"))
    # Placement counts a container's reservation when it has one, else its limit.
    reserved = sum(c.memory_reservation if c.HasField("memory_reservation") else c.memory for c in containers)
    if limits > task.memory:
        yield FieldViolation(
            "memory",
            f"the containers' memory limits add up to {limits} MiB, "
            f"more than the task memory {task.memory} MiB",
        )
    elif reserved > task.memory:
        yield FieldViolation(
            "memory",
            f"the containers' memory reservations add up to {reserved} MiB, "
            f"more than the task memory {task.memory} MiB",
        )


def _check_tags(req: Request, task: _Task) -> Iterator[FieldViolation]:
    if len(req.tags) > MAX_TAGS:
        yield FieldViolation("tags", f"{len(req.tags)} tags; at most {MAX_TAGS} are allowed")
    first: dict[str, int] = {}
    for k, tag in enumerate(req.tags):
        path = f"tags[{k}]"
        if not 1 <= len(tag.key) <= 128:
            yield FieldViolation(f"{path}.key", f"key {shown(tag.key)} must be 1-128 characters")
        elif tag.key.lower().startswith("aws:"):
            yield FieldViolation(f"{path}.key", f"key {shown(tag.key)} uses the reserved prefix 'aws:'")
        elif first.setdefault(tag.key, k) != k:
            yield FieldViolation(
                f"{path}.key", f"key {shown(tag.key)} is already used by tags[{first[tag.key]}]"
            )
        if len(tag.value) > 256:
            yield FieldViolation(
                f"{path}.value", f"value is {len(tag.value)} characters; at most 256 are allowed"
            )


def _check_pid_ipc_modes(req: Request, task: _Task) -> Iterator[FieldViolation]:
    if req.pid_mode:
        yield from _one_of("pidMode", req.pid_mode, PID_MODES)
    if req.ipc_mode:
        yield from _one_of("ipcMode", req.ipc_mode, IPC_MODES)


def _check_proxy_configuration(req: Request, task: _Task) -> Iterator[FieldViolation]:
    if not req.HasField("proxy_configuration"):
        return
    proxy = req.proxy_configuration
    if proxy.type:
        yield from _one_of("proxyConfiguration.type", proxy.type, ("APPMESH",))
    if not proxy.container_name:
        yield FieldViolation("proxyConfiguration.containerName", "containerName is required")
    elif proxy.container_name not in task.containers:
        yield FieldViolation(
            "proxyConfiguration.containerName",
            f"containerName {shown(proxy.container_name)} is not a container of this task",
        )


def _check_ephemeral_storage(req: Request, task: _Task) -> Iterator[FieldViolation]:
    storage = req.ephemeral_storage
    if req.HasField("ephemeral_storage") and storage.HasField("size_in_gi_b"):
        yield from _in_range("ephemeralStorage.sizeInGiB", storage.size_in_gi_b, 21, 200, " GiB")


def _check_runtime_platform(req: Request, task: _Task) -> Iterator[FieldViolation]:
    platform = req.runtime_platform
    if platform.cpu_architecture:
        yield from _one_of("runtimePlatform.cpuArchitecture", platform.cpu_architecture, CPU_ARCHITECTURES)
    if platform.operating_system_family:
        yield from _one_of(
            "runtimePlatform.operatingSystemFamily", platform.operating_system_family, OS_FAMILIES
        )


# ---------------------------------------------------------------------------------------------
# Container checks: each gets one container, its path (`containerDefinitions[i]`) and the task


def _check_image(c: Container, path: str, task: _Task) -> Iterator[FieldViolation]:
    problem = _image_problem(c.image)
    if problem is not None:
        yield FieldViolation(f"{path}.image", problem)


def _image_problem(image: str) -> str | None:
    if not image:
        return "image is required"
    if len(image) > MAX_IMAGE_LENGTH:
        return f"image is {len(image)} characters long; at most {MAX_IMAGE_LENGTH} are allowed"
    if any(ch.isspace() for ch in image):
        return f"image {shown(image)} must not contain whitespace"
    name, at, digest = image.partition("@")
    if at and not _DIGEST.fullmatch(digest):
        return (
            f"image {shown(image)} has an invalid digest {shown(digest)}; "
            "expected sha256:<64 lowercase hex digits>"
        )
    repository, tag = name, None
    if name.rfind(":") > name.rfind("/"):
        repository, _, tag = name.rpartition(":")
    if tag is not None and not _TAG.fullmatch(tag):
        return (
            f"image {shown(image)} has an invalid tag {shown(tag)}; a tag is 1-128 letters, digits, "
            "underscores, periods and hyphens, not starting with a period or hyphen"
        )
    if not _REPOSITORY.fullmatch(repository):
        if _REPOSITORY.fullmatch(repository.lower()):
            return f"image {shown(image)} is invalid: repository names must be lowercase"
        return (
            f"image {shown(image)} is not a valid image reference "
            "([registry/]repository[:tag][@sha256:digest])"
        )
    return None


def _check_container_resources(c: Container, path: str, task: _Task) -> Iterator[FieldViolation]:
    if c.cpu < 0:
        yield FieldViolation(f"{path}.cpu", f"cpu {c.cpu} must not be negative")
    has_memory, has_reservation = c.HasField("memory"), c.HasField("memory_reservation")
    if not has_memory and not has_reservation and not task.memory_set:
        yield FieldViolation(
            f"{path}.memory",
            f"container {shown(c.name)} must set memory or memoryReservation when the task sets no memory",
        )
    if has_memory and c.memory < MIN_MEMORY_MIB:
        yield FieldViolation(
            f"{path}.memory", f"memory {c.memory} MiB is below the minimum of {MIN_MEMORY_MIB} MiB"
        )
    if has_reservation and c.memory_reservation < MIN_MEMORY_MIB:
        yield FieldViolation(
            f"{path}.memoryReservation",
            f"memoryReservation {c.memory_reservation} MiB is below the minimum of {MIN_MEMORY_MIB} MiB",
        )
    elif has_memory and has_reservation and c.memory <= c.memory_reservation:
        yield FieldViolation(
            f"{path}.memoryReservation",
            f"memory {c.memory} MiB must be greater than memoryReservation {c.memory_reservation} MiB",
        )


def _check_links(c: Container, path: str, task: _Task) -> Iterator[FieldViolation]:
    if not c.links:
        return
    if task.network_mode != "bridge":
        yield FieldViolation(
            f"{path}.links", f"links are only supported in bridge network mode, not {task.network_mode}"
        )
        return
    for k, link in enumerate(c.links):
        target = link.split(":", 1)[0]
        if target == c.name:
            yield FieldViolation(f"{path}.links[{k}]", f"container {shown(c.name)} cannot link to itself")
        elif target not in task.containers:
            yield FieldViolation(f"{path}.links[{k}]", f"link {shown(link)} names no container of this task")


def _check_port_mappings(c: Container, path: str, task: _Task) -> Iterator[FieldViolation]:
    if not c.port_mappings:
        return
    if task.network_mode == "none":
        yield FieldViolation(f"{path}.portMappings", "portMappings are not allowed in none network mode")
        return
    claims = _PortClaims()
    for j, pm in enumerate(c.port_mappings):
        yield from _check_port_mapping(pm, f"{path}.portMappings[{j}]", task.network_mode)
        ports = _container_ports(pm)
        protocol = pm.protocol or "tcp"
        taken = None if ports is None else claims.claim(protocol, ports, owner=f"portMappings[{j}]", group=0)
        if ports is not None and taken is not None:
            field = "containerPortRange" if pm.container_port_range else "containerPort"
            yield FieldViolation(
                f"{path}.portMappings[{j}].{field}",
                f"{field} {_ports(ports)}/{protocol} is already mapped by {taken[0]}",
            )


def _check_port_mapping(pm: types_pb2.PortMapping, path: str, mode: str) -> Iterator[FieldViolation]:
    if pm.container_port_range:
        if mode not in ("bridge", "awsvpc"):
            yield FieldViolation(
                f"{path}.containerPortRange",
                f"containerPortRange is only supported in bridge and awsvpc network modes, not {mode}",
            )
        elif _parse_port_range(pm.container_port_range) is None:
            yield FieldViolation(
                f"{path}.containerPortRange",
                f"containerPortRange {shown(pm.container_port_range)} must be 'first-last' "
                "with 1 <= first < last <= 65535",
            )
        if pm.HasField("container_port"):
            yield FieldViolation(
                f"{path}.containerPort", "containerPort cannot be set with containerPortRange"
            )
        if pm.HasField("host_port"):
            yield FieldViolation(
                f"{path}.hostPort",
                f"hostPort {pm.host_port} cannot be set with containerPortRange; host ports are assigned",
            )
    else:
        if not pm.HasField("container_port"):
            yield FieldViolation(f"{path}.containerPort", "containerPort is required (or containerPortRange)")
        else:
            yield from _in_range(f"{path}.containerPort", pm.container_port, 1, 65535)
        if pm.HasField("host_port"):
            if not 0 <= pm.host_port <= 65535:
                yield from _in_range(f"{path}.hostPort", pm.host_port, 0, 65535)
            elif pm.host_port and mode in ("host", "awsvpc") and pm.host_port != pm.container_port:
                yield FieldViolation(
                    f"{path}.hostPort",
                    f"hostPort {pm.host_port} must equal containerPort {pm.container_port} "
                    f"in {mode} network mode",
                )
    if pm.protocol:
        yield from _one_of(f"{path}.protocol", pm.protocol, PROTOCOLS)
    if pm.app_protocol:
        yield from _one_of(f"{path}.appProtocol", pm.app_protocol, APP_PROTOCOLS)


def _check_restart_policy(c: Container, path: str, task: _Task) -> Iterator[FieldViolation]:
    if not c.HasField("restart_policy"):
        return
    policy = c.restart_policy
    if len(policy.ignored_exit_codes) > MAX_IGNORED_EXIT_CODES:
        yield FieldViolation(
            f"{path}.restartPolicy.ignoredExitCodes",
            f"{len(policy.ignored_exit_codes)} ignored exit codes; "
            f"at most {MAX_IGNORED_EXIT_CODES} are allowed",
        )
    if policy.HasField("restart_attempt_period"):
        yield from _in_range(
            f"{path}.restartPolicy.restartAttemptPeriod", policy.restart_attempt_period, 60, 1800, " s"
        )


def _check_environment(c: Container, path: str, task: _Task) -> Iterator[FieldViolation]:
    first: dict[str, int] = {}
    for k, variable in enumerate(c.environment):
        field = f"{path}.environment[{k}].name"
        if not variable.name:
            yield FieldViolation(field, "name is required")
        elif "=" in variable.name:
            yield FieldViolation(field, f"name {shown(variable.name)} must not contain '='")
        elif first.setdefault(variable.name, k) != k:
            yield FieldViolation(
                field,
                f"environment variable {shown(variable.name)} is already set by "
                f"environment[{first[variable.name]}]",
            )
    if len(c.environment_files) > MAX_ENVIRONMENT_FILES:
        yield FieldViolation(
            f"{path}.environmentFiles",
            f"{len(c.environment_files)} environment files; at most {MAX_ENVIRONMENT_FILES} are allowed",
        )
    for k, env_file in enumerate(c.environment_files):
        if not env_file.value:
            yield FieldViolation(f"{path}.environmentFiles[{k}].value", "value is required")


def _check_mount_points(c: Container, path: str, task: _Task) -> Iterator[FieldViolation]:
    first: dict[str, int] = {}
    for k, mp in enumerate(c.mount_points):
        field = f"{path}.mountPoints[{k}]"
        if not mp.source_volume:
            yield FieldViolation(f"{field}.sourceVolume", "sourceVolume is required")
        elif mp.source_volume not in task.volumes:
            yield FieldViolation(
                f"{field}.sourceVolume",
                f"sourceVolume {shown(mp.source_volume)} is not a volume of this task",
            )
        yield from _absolute(f"{field}.containerPath", mp.container_path)
        if mp.container_path and first.setdefault(mp.container_path, k) != k:
            yield FieldViolation(
                f"{field}.containerPath",
                f"containerPath {shown(mp.container_path)} is already mounted by "
                f"mountPoints[{first[mp.container_path]}]",
            )


def _check_volumes_from(c: Container, path: str, task: _Task) -> Iterator[FieldViolation]:
    for k, vf in enumerate(c.volumes_from):
        field = f"{path}.volumesFrom[{k}].sourceContainer"
        if not vf.source_container:
            yield FieldViolation(field, "sourceContainer is required")
        elif vf.source_container == c.name:
            yield FieldViolation(field, f"container {shown(c.name)} cannot take volumes from itself")
        elif vf.source_container not in task.containers:
            yield FieldViolation(
                field, f"sourceContainer {shown(vf.source_container)} is not a container of this task"
            )


def _check_linux_parameters(c: Container, path: str, task: _Task) -> Iterator[FieldViolation]:
    if not c.HasField("linux_parameters"):
        return
    lp = c.linux_parameters
    path = f"{path}.linuxParameters"
    for kind, names in (("add", lp.capabilities.add), ("drop", lp.capabilities.drop)):
        for k, name in enumerate(names):
            if name.removeprefix("CAP_") not in LINUX_CAPABILITIES:
                yield FieldViolation(
                    f"{path}.capabilities.{kind}[{k}]",
                    f"{shown(name)} is not a Linux capability (e.g. NET_ADMIN, SYS_PTRACE, ALL)",
                )
    for k, device in enumerate(lp.devices):
        yield from _absolute(f"{path}.devices[{k}].hostPath", device.host_path)
        if device.container_path:
            yield from _absolute(f"{path}.devices[{k}].containerPath", device.container_path)
        for m, permission in enumerate(device.permissions):
            yield from _one_of(f"{path}.devices[{k}].permissions[{m}]", permission, DEVICE_PERMISSIONS)
    if lp.HasField("shared_memory_size") and lp.shared_memory_size <= 0:
        yield FieldViolation(
            f"{path}.sharedMemorySize", f"sharedMemorySize {lp.shared_memory_size} MiB must be positive"
        )
    for k, tmpfs in enumerate(lp.tmpfs):
        yield from _absolute(f"{path}.tmpfs[{k}].containerPath", tmpfs.container_path)
        if not tmpfs.HasField("size"):
            yield FieldViolation(f"{path}.tmpfs[{k}].size", "size is required")
        elif tmpfs.size <= 0:
            yield FieldViolation(f"{path}.tmpfs[{k}].size", f"size {tmpfs.size} MiB must be positive")
    if lp.HasField("max_swap") and lp.max_swap < 0:
        yield FieldViolation(f"{path}.maxSwap", f"maxSwap {lp.max_swap} must be 0 or more")
    if lp.HasField("swappiness"):
        yield from _in_range(f"{path}.swappiness", lp.swappiness, 0, 100)


def _check_execution_role(req: Request, task: _Task) -> Iterator[FieldViolation]:
    """As ECS: the agent fetches secrets with the execution role, so a task that has some needs one."""
    if req.execution_role_arn:
        return
    for c in req.container_definitions:
        if c.secrets or c.environment_files or c.HasField("repository_credentials"):
            what = (
                "secrets"
                if c.secrets
                else "environmentFiles"
                if c.environment_files
                else "repositoryCredentials"
            )
            yield FieldViolation(
                "executionRoleArn",
                f"is required: container {shown(c.name)} has {what}, which the agent fetches with it",
            )
            return


def _check_secrets(c: Container, path: str, task: _Task) -> Iterator[FieldViolation]:
    yield from _secret_list(c.secrets, f"{path}.secrets")
    if c.HasField("repository_credentials") and not c.repository_credentials.credentials_parameter:
        yield FieldViolation(
            f"{path}.repositoryCredentials.credentialsParameter",
            "credentialsParameter is required (the secret holding the registry's username and password)",
        )
    yield from _check_secret_files(c, path)


def _check_secret_files(c: Container, path: str) -> Iterator[FieldViolation]:
    """secrets[] named by an absolute path are files in the container (a berth extension): a clean
    path, once per container, and not where a volume or tmpfs is mounted (or inside one)."""
    mounted = [
        (f"mountPoints[{k}].containerPath", mp.container_path)
        for k, mp in enumerate(c.mount_points)
        if mp.container_path
    ] + [
        (f"linuxParameters.tmpfs[{k}].containerPath", t.container_path)
        for k, t in enumerate(c.linux_parameters.tmpfs)
        if t.container_path
    ]
    first: dict[str, int] = {}
    for k, secret in enumerate(c.secrets):
        if not secret.name.startswith("/"):
            continue
        field, name = f"{path}.secrets[{k}].name", secret.name
        problem = _secret_file_problem(name)
        if problem:
            yield FieldViolation(field, f"secret file {shown(name)} {problem}")
            continue
        if first.setdefault(name, k) != k:
            yield FieldViolation(
                field, f"secret file {shown(name)} is already used by secrets[{first[name]}]"
            )
            continue
        for other, taken in [(f"secrets[{first[n]}].name", n) for n in first if n != name] + mounted:
            if _overlaps(name, taken.rstrip("/") or "/"):
                yield FieldViolation(
                    field,
                    f"secret file {shown(name)} collides with {other} {shown(taken)}: "
                    "one is inside the other",
                )
                break


def _secret_file_problem(name: str) -> str:
    if len(name) > 4096:
        return "is longer than 4,096 characters"
    if name.endswith("/"):
        return "must name a file, not end with '/'"
    parts = name.split("/")[1:]
    if any(p in ("", ".", "..") for p in parts):
        return "must be a plain absolute path (no '..', '.' or '//')"
    if any(ord(ch) < 32 for ch in name):
        return "must not contain control characters"
    return ""


def _overlaps(a: str, b: str) -> bool:
    """One path is the other, or lies inside it."""
    return a == b or a.startswith(b.rstrip("/") + "/") or b.startswith(a + "/")


def _secret_list(secrets: Iterable[types_pb2.Secret], path: str) -> Iterator[FieldViolation]:
    for k, secret in enumerate(secrets):
        if not secret.name:
            yield FieldViolation(f"{path}[{k}].name", "name is required")
        if not secret.value_from:
            yield FieldViolation(f"{path}[{k}].valueFrom", "valueFrom is required")


def _check_depends_on(c: Container, path: str, task: _Task) -> Iterator[FieldViolation]:
    for k, dependency in enumerate(c.depends_on):
        field = f"{path}.dependsOn[{k}]"
        name, condition = dependency.container_name, dependency.condition
        target = task.containers.get(name) if name != c.name else None
        if not name:
            yield FieldViolation(f"{field}.containerName", "containerName is required")
        elif name == c.name:
            yield FieldViolation(f"{field}.containerName", f"container {shown(name)} cannot depend on itself")
        elif target is None:
            yield FieldViolation(
                f"{field}.containerName", f"containerName {shown(name)} is not a container of this task"
            )
        if not condition:
            yield FieldViolation(
                f"{field}.condition", f"condition is required ({', '.join(DEPENDENCY_CONDITIONS)})"
            )
        elif condition not in DEPENDENCY_CONDITIONS:
            yield from _one_of(f"{field}.condition", condition, DEPENDENCY_CONDITIONS)
        elif target is None:
            pass
        elif condition in ("COMPLETE", "SUCCESS") and _is_essential(target):
            yield FieldViolation(
                f"{field}.condition",
                f"condition {condition} needs a non-essential container, but {shown(name)} is essential",
            )
        elif condition == "HEALTHY" and not _has_health_check(target):
            yield FieldViolation(
                f"{field}.condition", f"condition HEALTHY needs container {shown(name)} to have a healthCheck"
            )


def _check_timeouts(c: Container, path: str, task: _Task) -> Iterator[FieldViolation]:
    if c.HasField("start_timeout") and c.start_timeout < 1:
        yield FieldViolation(
            f"{path}.startTimeout", f"startTimeout {c.start_timeout} must be at least 1 second"
        )
    if c.HasField("stop_timeout") and c.stop_timeout < 1:
        yield FieldViolation(f"{path}.stopTimeout", f"stopTimeout {c.stop_timeout} must be at least 1 second")


def _check_hostname(c: Container, path: str, task: _Task) -> Iterator[FieldViolation]:
    if c.hostname and task.network_mode == "awsvpc":
        yield FieldViolation(f"{path}.hostname", "hostname is not supported in awsvpc network mode")


def _check_ulimits(c: Container, path: str, task: _Task) -> Iterator[FieldViolation]:
    first: dict[str, int] = {}
    for k, ulimit in enumerate(c.ulimits):
        field = f"{path}.ulimits[{k}]"
        if ulimit.name not in ULIMIT_NAMES:
            yield from _one_of(f"{field}.name", ulimit.name, ULIMIT_NAMES)
        elif first.setdefault(ulimit.name, k) != k:
            yield FieldViolation(
                f"{field}.name", f"ulimit {ulimit.name!r} is already set by ulimits[{first[ulimit.name]}]"
            )
        if not ulimit.HasField("soft_limit"):
            yield FieldViolation(f"{field}.softLimit", "softLimit is required")
        if not ulimit.HasField("hard_limit"):
            yield FieldViolation(f"{field}.hardLimit", "hardLimit is required")
        elif ulimit.HasField("soft_limit") and ulimit.soft_limit > ulimit.hard_limit:
            yield FieldViolation(
                f"{field}.softLimit",
                f"softLimit {ulimit.soft_limit} must not exceed hardLimit {ulimit.hard_limit}",
            )


def _check_log_configuration(c: Container, path: str, task: _Task) -> Iterator[FieldViolation]:
    if not c.HasField("log_configuration"):
        return
    config = c.log_configuration
    if not config.log_driver:
        yield FieldViolation(f"{path}.logConfiguration.logDriver", "logDriver is required")
    else:
        yield from _one_of(f"{path}.logConfiguration.logDriver", config.log_driver, LOG_DRIVERS)
    yield from _secret_list(config.secret_options, f"{path}.logConfiguration.secretOptions")


def _check_health_check(c: Container, path: str, task: _Task) -> Iterator[FieldViolation]:
    if not c.HasField("health_check"):
        return
    check = c.health_check
    path = f"{path}.healthCheck"
    command = list(check.command)
    if not command:
        yield FieldViolation(
            f"{path}.command", 'command is required, e.g. ["CMD-SHELL", "curl -f localhost"]'
        )
    elif command[0] not in HEALTH_CHECK_KINDS:
        yield FieldViolation(
            f"{path}.command", f"command must start with CMD, CMD-SHELL or NONE, not {shown(command[0])}"
        )
    elif command[0] == "NONE" and len(command) > 1:
        yield FieldViolation(f"{path}.command", 'command ["NONE"] takes nothing after NONE')
    elif command[0] != "NONE" and len(command) < 2:
        yield FieldViolation(f"{path}.command", f"command [{command[0]!r}] needs the command to run after it")
    if check.HasField("interval"):
        yield from _in_range(f"{path}.interval", check.interval, 5, 300, " s")
    if check.HasField("timeout"):
        yield from _in_range(f"{path}.timeout", check.timeout, 2, 60, " s")
    if check.HasField("retries"):
        yield from _in_range(f"{path}.retries", check.retries, 1, 10)
    if check.HasField("start_period"):
        yield from _in_range(f"{path}.startPeriod", check.start_period, 0, 300, " s")


# ---------------------------------------------------------------------------------------------
# Ports and dependency graphs


def _parse_port_range(value: str) -> tuple[int, int] | None:
    match = _PORT_RANGE.fullmatch(value)
    if match is None:
        return None
    first, last = int(match.group(1)), int(match.group(2))
    return (first, last) if 1 <= first < last <= 65535 else None


def _container_ports(pm: types_pb2.PortMapping) -> tuple[int, int] | None:
    """The container ports a valid mapping takes, as (first, last); None when it is invalid."""
    if pm.container_port_range:
        return _parse_port_range(pm.container_port_range)
    if pm.HasField("container_port") and 1 <= pm.container_port <= 65535:
        return (pm.container_port, pm.container_port)
    return None


def _host_ports(pm: types_pb2.PortMapping, mode: str) -> tuple[int, int] | None:
    """The host ports a mapping reserves statically; dynamic (0/unset, bridge) ones do not count."""
    if mode in ("host", "awsvpc"):
        return _container_ports(pm)
    if mode == "bridge" and not pm.container_port_range and 1 <= pm.host_port <= 65535:
        return (pm.host_port, pm.host_port)
    return None


def _ports(ports: tuple[int, int]) -> str:
    return str(ports[0]) if ports[0] == ports[1] else f"{ports[0]}-{ports[1]}"


class _PortClaims:
    """Port intervals claimed so far, per protocol, kept disjoint and sorted: each claim is a
    bisect, so thousands of mappings in a hostile request stay cheap."""

    def __init__(self) -> None:
        self._starts: dict[str, list[int]] = {}
        self._claims: dict[str, list[tuple[int, str, int]]] = {}  # (last, owner, group), by start

    def claim(
        self, protocol: str, ports: tuple[int, int], *, owner: str, group: int
    ) -> tuple[str, int] | None:
        """Claim `ports` for `owner`; if they overlap an earlier claim, return its (owner, group)."""
        first, last = ports
        starts = self._starts.setdefault(protocol, [])
        claims = self._claims.setdefault(protocol, [])
        i = bisect.bisect_right(starts, last)
        # Claims are disjoint, so the one starting last at or before `last` also ends last.
        if i > 0 and claims[i - 1][0] >= first:
            return claims[i - 1][1], claims[i - 1][2]
        starts.insert(i, first)
        claims.insert(i, (last, owner, group))
        return None


def _find_cycles(edges: Sequence[Sequence[int]]) -> list[list[int]]:
    """One cycle per strongly connected component that has one (self-loops aside), as node
    indexes starting at the component's lowest index; components ordered by that index."""
    cycles: list[list[int]] = []
    for component in _strongly_connected(edges):
        if len(component) > 1:
            cycles.append(_shortest_cycle(min(component), edges, set(component)))
    return sorted(cycles)


def _strongly_connected(edges: Sequence[Sequence[int]]) -> list[list[int]]:
    """Tarjan's algorithm, iterative: a hostile request may hold thousands of containers."""
    order: dict[int, int] = {}
    low: dict[int, int] = {}
    stack: list[int] = []
    on_stack: set[int] = set()
    components: list[list[int]] = []
    for root in range(len(edges)):
        if root in order:
            continue
        work = [(root, 0)]  # (node, index of the next edge to follow)
        while work:
            node, next_edge = work.pop()
            if next_edge == 0:
                order[node] = low[node] = len(order)
                stack.append(node)
                on_stack.add(node)
            for k in range(next_edge, len(edges[node])):
                successor = edges[node][k]
                if successor not in order:
                    work += [(node, k + 1), (successor, 0)]
                    break
                if successor in on_stack:
                    low[node] = min(low[node], order[successor])
            else:
                if low[node] == order[node]:
                    component: list[int] = []
                    while not component or component[-1] != node:
                        component.append(stack.pop())
                        on_stack.discard(component[-1])
                    components.append(component)
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
    return components


def _shortest_cycle(start: int, edges: Sequence[Sequence[int]], members: set[int]) -> list[int]:
    """The shortest path from `start` back to itself within `members` (breadth first)."""
    previous: dict[int, int] = {}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for successor in edges[node]:
            if successor == start:
                path = [node]
                while path[-1] != start:
                    path.append(previous[path[-1]])
                return path[::-1]
            if successor in members and successor not in previous:
                previous[successor] = node
                queue.append(successor)
    raise AssertionError(f"no cycle through {start} in its strongly connected component")
