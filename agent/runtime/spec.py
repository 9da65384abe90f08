"""ECS container definition -> Docker create arguments. Pure: no I/O, no clock, no `docker` import.

`create_kwargs()` turns one container of a task (its definition, the RunTask override and the task's
context on this host) into the keyword arguments of `docker.DockerClient().containers.create()`.
Containers get deterministic names (`container_name()`) and berth labels (`labels()`), which is what
makes every Docker call idempotent and lets a restarted agent re-adopt its containers.

Conventions worth knowing:
- No restart policy is ever set: the agent restarts containers itself.
- cpu -> CpuShares (null/0/1 -> 2, as ECS), memory/memoryReservation MiB -> bytes.
- Bridge mode publishes every portMapping on `ctx.publish_ip`; hostPort 0/absent asks Docker for a
  dynamic port. host/none/awsvpc publish nothing (awsvpc containers join the pause container's
  network namespace; `pause_kwargs(port_mappings=...)` can publish the task's ports there).
- hostname is set only in bridge/none mode; links only in bridge mode; extraHosts, dnsServers and
  dnsSearchDomains not in awsvpc mode (ECS does not support them there, and Docker refuses them for
  a container that joins another one's network namespace).
- Without dnsServers, bridge and host containers (and an awsvpc task's pause container, whose
  resolv.conf its containers share) get `ctx.dns_servers`: the service discovery DNS.
- Without logConfiguration, logs go to json-file rotated at 10 MiB x 3 files.
- Problems that only show at run time (a mountPoint naming a volume the task does not have) raise
  `CannotCreateContainerError`, so the agent reports them like any other create failure.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from agent.runtime.errors import CannotCreateContainerError
from agent.runtime.model import (
    LABEL_CLUSTER,
    LABEL_CONTAINER_NAME,
    LABEL_FAMILY,
    LABEL_INSTANCE_ARN,
    LABEL_PREFIX,
    LABEL_REVISION,
    LABEL_SERVICE,
    LABEL_TASK_ARN,
    LABEL_TASK_ID,
    PAUSE_CONTAINER_NAME,
    Binding,
)
from berth.v1 import types_pb2

__all__ = [
    "DEFAULT_LOG_CONFIG",
    "DEFAULT_PAUSE_IMAGE",
    "Binding",
    "TaskContext",
    "VolumeSource",
    "container_name",
    "create_kwargs",
    "labels",
    "network_bindings",
    "network_bindings_from_summary",
    "normalize_network_mode",
    "pause_kwargs",
    "pause_name",
    "task_volume_name",
]

MIB = 1024 * 1024
NANOS = 1_000_000_000
DEFAULT_PAUSE_IMAGE = "berth/pause:latest"
DEFAULT_LOG_CONFIG: Mapping[str, Any] = {
    "Type": "json-file",
    "Config": {"max-size": "10m", "max-file": "3"},
}
NETWORK_MODES = ("bridge", "host", "none", "awsvpc")
# ECS healthCheck defaults (seconds); Docker's own defaults differ for startPeriod.
HEALTH_DEFAULTS = {"interval": 30, "timeout": 5, "retries": 3, "start_period": 0}
DEFAULT_SWAPPINESS = 60
_DEVICE_PERMISSIONS = {"read": "r", "write": "w", "mknod": "m"}


@dataclass(frozen=True)
class VolumeSource:
    """Where a task volume comes from on this host.

    kind "bind": `source` is a host path (ECS `host.sourcePath`).
    kind "volume": `source` is a Docker volume name (ECS `dockerVolumeConfiguration`; the agent
    creates it with `create_volume()` when it should be autoprovisioned or task-scoped).
    kind "tmp": scratch space that lives with the task (ECS `host: {}`): with a `source` it is that
    (task-scoped) Docker volume, shared by the task's containers; without, each container gets an
    anonymous volume that `remove()` deletes with it.
    """

    kind: str
    source: str = ""


@dataclass(frozen=True)
class TaskContext:
    """What `create_kwargs` needs to know about the task and this host, beyond the definition."""

    task_arn: str
    task_id: str
    cluster: str
    family: str
    revision: int
    instance_arn: str  # the container instance (agent) that owns the task; agents may share a dockerd
    network_mode: str  # "bridge" (also for ""), "host", "none", "awsvpc"
    pause_container: str = ""  # awsvpc: the pause container whose netns containers join (default pause_name)
    publish_ip: str = "0.0.0.0"  # host address that bridge-mode port mappings publish on
    cgroup_parent: str = ""  # "/berth/<task_id>" when the task has task-level cpu/memory limits
    volumes: Mapping[str, VolumeSource] = field(default_factory=dict)
    pid_mode: str = ""  # task definition pidMode: "", "host", "task"
    ipc_mode: str = ""  # task definition ipcMode: "", "host", "task", "none"
    service_name: str = ""
    # The resolver a container gets when its definition sets no dnsServers (ECS's default is the
    # VPC resolver; berth's is the control plane's service discovery DNS); (): Docker's default.
    dns_servers: tuple[str, ...] = ()

    @property
    def mode(self) -> str:
        return normalize_network_mode(self.network_mode)

    @property
    def netns_owner(self) -> str:
        return self.pause_container or pause_name(self.task_id)


def normalize_network_mode(mode: str) -> str:
    """The task's network mode, "" meaning ECS's default "bridge"."""
    normalized = (mode or "bridge").lower()
    if normalized not in NETWORK_MODES:
        raise CannotCreateContainerError(f"unsupported network mode {mode!r}")
    return normalized


def container_name(task_id: str, container: str) -> str:
    """The Docker name of a task's container: deterministic, so a re-create finds the first one."""
    return f"berth-{task_id}-{container}"


def pause_name(task_id: str) -> str:
    """The Docker name of a task's pause container.

    "." cannot appear in ECS container names, so this can never equal `container_name()` of a
    user container (a container called "pause" is "berth-<id>-pause").
    """
    return f"berth-{task_id}.pause"


def task_volume_name(task_id: str, volume: str) -> str:
    """A Docker volume name for a task-scoped volume (ECS `scope: task`, or `host: {}` scratch)."""
    return f"berth-{task_id}-{volume}"


def labels(ctx: TaskContext, container: str, user: Mapping[str, str] | None = None) -> dict[str, str]:
    """berth's labels for one container, on top of the user's dockerLabels (which cannot set berth.*)."""
    result = {k: v for k, v in (user or {}).items() if not k.startswith(LABEL_PREFIX)}
    result.update(
        {
            LABEL_TASK_ARN: ctx.task_arn,
            LABEL_TASK_ID: ctx.task_id,
            LABEL_CONTAINER_NAME: container,
            LABEL_CLUSTER: ctx.cluster,
            LABEL_FAMILY: ctx.family,
            LABEL_REVISION: str(ctx.revision),
            LABEL_INSTANCE_ARN: ctx.instance_arn,
        }
    )
    if ctx.service_name:
        result[LABEL_SERVICE] = ctx.service_name
    return result


def create_kwargs(
    ctx: TaskContext,
    definition: types_pb2.ContainerDefinition,
    override: types_pb2.ContainerOverride | None = None,
    *,
    extra_env: Mapping[str, str] | None = None,
    secret_files: Sequence[tuple[str, str]] = (),
) -> dict[str, Any]:
    """Keyword arguments for `containers.create(**kwargs)` for one container of the task.

    `extra_env` is added last and wins: resolved secrets and variables the agent injects
    (credentials and metadata endpoints). `secret_files` are (host file, path in the container)
    pairs, bind-mounted read-only (agent.secretfiles).
    """
    d = definition
    mode = ctx.mode
    kw: dict[str, Any] = {
        "image": d.image,
        "name": container_name(ctx.task_id, d.name),
        "labels": labels(ctx, d.name, d.docker_labels),
        "detach": True,
    }

    command = list(override.command) if override is not None and override.command else list(d.command)
    if command:
        kw["command"] = command
    if d.entry_point:
        kw["entrypoint"] = list(d.entry_point)
    env = _environment(d, override, extra_env)
    if env:
        kw["environment"] = env
    if d.working_directory:
        kw["working_dir"] = d.working_directory
    if d.user:
        kw["user"] = d.user
    if d.hostname and mode in ("bridge", "none"):
        kw["hostname"] = d.hostname

    kw.update(_network(ctx, d))
    kw.update(_resources(d, override))

    if d.ulimits:
        kw["ulimits"] = [_ulimit(u) for u in d.ulimits]
    binds, mounts = _mounts(ctx, d)
    binds += [f"{source}:{target}:ro" for source, target in secret_files]
    if binds:
        kw["volumes"] = binds
    if mounts:
        kw["mounts"] = mounts
    if d.volumes_from:
        kw["volumes_from"] = [
            f"{container_name(ctx.task_id, v.source_container)}:{'ro' if v.read_only else 'rw'}"
            for v in d.volumes_from
        ]
    if d.privileged:
        kw["privileged"] = True
    if d.readonly_root_filesystem:
        kw["read_only"] = True
    if mode != "awsvpc":  # Docker refuses these when joining another container's namespace
        if d.extra_hosts:
            kw["extra_hosts"] = [f"{h.hostname}:{h.ip_address}" for h in d.extra_hosts]
        if d.dns_servers:
            kw["dns"] = list(d.dns_servers)
        elif ctx.dns_servers and mode in ("bridge", "host"):
            kw["dns"] = list(ctx.dns_servers)
        if d.dns_search_domains:
            kw["dns_search"] = list(d.dns_search_domains)
    if d.docker_security_options:
        kw["security_opt"] = list(d.docker_security_options)
    if d.interactive:
        kw["stdin_open"] = True
    if d.pseudo_terminal:
        kw["tty"] = True
    if d.system_controls:
        kw["sysctls"] = {s.namespace: s.value for s in d.system_controls}
    if d.HasField("linux_parameters"):
        kw.update(_linux_parameters(d.linux_parameters, mem_limit=kw.get("mem_limit")))
    if d.HasField("health_check") and d.health_check.command:
        kw["healthcheck"] = _healthcheck(d.health_check)
    kw["log_config"] = _log_config(d)
    if ctx.cgroup_parent:
        kw["cgroup_parent"] = ctx.cgroup_parent
    pid_mode = _namespace_mode(ctx.pid_mode, ctx, allowed=("host",))
    if pid_mode:
        kw["pid_mode"] = pid_mode
    ipc_mode = _namespace_mode(ctx.ipc_mode, ctx, allowed=("host", "none"))
    if ipc_mode:
        kw["ipc_mode"] = ipc_mode
    return kw


def pause_kwargs(
    ctx: TaskContext,
    image: str = DEFAULT_PAUSE_IMAGE,
    *,
    port_mappings: Iterable[types_pb2.PortMapping] = (),
) -> dict[str, Any]:
    """Create arguments for an awsvpc task's pause container, which owns the task's network namespace.

    It sits on the default bridge network; its IP (`ContainerState.ip_address`) is the task's
    address. `port_mappings` (all containers' mappings) are published through it on
    `ctx.publish_ip`, since the containers that join its namespace cannot publish ports themselves.
    """
    kw: dict[str, Any] = {
        "image": image,
        "name": ctx.netns_owner,
        "labels": labels(ctx, PAUSE_CONTAINER_NAME),
        "detach": True,
        "network_mode": "bridge",
        "log_config": dict(DEFAULT_LOG_CONFIG),
        "cpu_shares": 2,
    }
    ports = _port_bindings(port_mappings, ctx.publish_ip)
    if ports:
        kw["ports"] = ports
    if ctx.dns_servers:  # the task's containers share the pause container's resolv.conf
        kw["dns"] = list(ctx.dns_servers)
    if ctx.cgroup_parent:
        kw["cgroup_parent"] = ctx.cgroup_parent
    if ctx.ipc_mode == "task":
        kw["ipc_mode"] = "shareable"
    return kw


def network_bindings(ports: Mapping[str, Sequence[Mapping[str, str]] | None] | None) -> list[Binding]:
    """ECS networkBindings from `container.attrs["NetworkSettings"]["Ports"]` (inspect form).

    `{"80/tcp": [{"HostIp": "0.0.0.0", "HostPort": "49153"}], "81/tcp": None}` -> one binding;
    exposed but unpublished ports (None) are left out.
    """
    result: list[Binding] = []
    for key, published in (ports or {}).items():
        if not published:
            continue
        port, _, protocol = key.partition("/")
        for p in published:
            host_port = p.get("HostPort") or ""
            if not host_port:
                continue
            result.append(Binding(p.get("HostIp") or "0.0.0.0", int(port), int(host_port), protocol or "tcp"))
    return sorted(result, key=_binding_order)


def network_bindings_from_summary(ports: Sequence[Mapping[str, Any]] | None) -> list[Binding]:
    """ECS networkBindings from the `Ports` of a container list entry (`docker ps` form)."""
    result = [
        Binding(
            str(p.get("IP") or "0.0.0.0"),
            int(p["PrivatePort"]),
            int(p["PublicPort"]),
            str(p.get("Type", "tcp")),
        )
        for p in ports or ()
        if p.get("PublicPort")
    ]
    return sorted(result, key=_binding_order)


def _binding_order(b: Binding) -> tuple[int, str, str]:
    return (b.container_port, b.protocol, b.bind_ip)


def _environment(
    d: types_pb2.ContainerDefinition,
    override: types_pb2.ContainerOverride | None,
    extra: Mapping[str, str] | None,
) -> dict[str, str]:
    env = {kv.name: kv.value for kv in d.environment}
    if override is not None:
        env.update({kv.name: kv.value for kv in override.environment})
    env.update(extra or {})
    return env


def _network(ctx: TaskContext, d: types_pb2.ContainerDefinition) -> dict[str, Any]:
    mode = ctx.mode
    kw: dict[str, Any] = {}
    if mode == "awsvpc":
        kw["network_mode"] = f"container:{ctx.netns_owner}"
    else:
        kw["network_mode"] = mode
    if mode == "bridge":
        ports = _port_bindings(d.port_mappings, ctx.publish_ip)
        if ports:
            kw["ports"] = ports
        if d.links:
            kw["links"] = {
                container_name(ctx.task_id, n): a or n for n, _, a in (x.partition(":") for x in d.links)
            }
    if d.disable_networking:
        kw["network_disabled"] = True
    return kw


def _port_bindings(mappings: Iterable[types_pb2.PortMapping], publish_ip: str) -> dict[str, Any]:
    ports: dict[str, list[tuple[str, int | None]]] = {}
    for m in mappings:
        protocol = (m.protocol or "tcp").lower()
        if m.container_port_range:
            first, _, last = m.container_port_range.partition("-")
            try:
                span = range(int(first), int(last or first) + 1)
            except ValueError:
                raise CannotCreateContainerError(
                    f"invalid containerPortRange {m.container_port_range!r}"
                ) from None
            for port in span:
                ports.setdefault(f"{port}/{protocol}", []).append((publish_ip, None))
            continue
        if not m.HasField("container_port"):
            continue
        host_port = m.host_port if m.HasField("host_port") and m.host_port else None
        ports.setdefault(f"{m.container_port}/{protocol}", []).append((publish_ip, host_port))
    return {k: v[0] if len(v) == 1 else v for k, v in ports.items()}


def _resources(d: types_pb2.ContainerDefinition, o: types_pb2.ContainerOverride | None) -> dict[str, Any]:
    cpu = o.cpu if o is not None and o.HasField("cpu") else (d.cpu if d.HasField("cpu") else 0)
    memory = o.memory if o is not None and o.HasField("memory") else d.memory
    reservation = (
        o.memory_reservation if o is not None and o.HasField("memory_reservation") else d.memory_reservation
    )
    kw: dict[str, Any] = {"cpu_shares": max(cpu, 2)}
    if memory > 0:
        kw["mem_limit"] = memory * MIB
    if reservation > 0:
        kw["mem_reservation"] = reservation * MIB
    return kw


def _ulimit(u: types_pb2.Ulimit) -> dict[str, Any]:
    hard = u.hard_limit if u.HasField("hard_limit") else u.soft_limit
    soft = u.soft_limit if u.HasField("soft_limit") else hard
    return {"Name": u.name, "Soft": soft, "Hard": hard}


def _mounts(ctx: TaskContext, d: types_pb2.ContainerDefinition) -> tuple[list[str], list[dict[str, Any]]]:
    binds: list[str] = []
    anonymous: list[dict[str, Any]] = []
    for i, m in enumerate(d.mount_points):
        source = ctx.volumes.get(m.source_volume)
        if source is None:
            raise CannotCreateContainerError(
                f"mountPoints[{i}].sourceVolume {m.source_volume!r} of container {d.name!r} "
                f"is not a volume of the task"
            )
        if not m.container_path:
            raise CannotCreateContainerError(
                f"mountPoints[{i}].containerPath of container {d.name!r} is empty"
            )
        mode = "ro" if m.read_only else "rw"
        if source.kind in ("bind", "volume") or (source.kind == "tmp" and source.source):
            if not source.source:
                raise CannotCreateContainerError(f"volume {m.source_volume!r} has no source")
            binds.append(f"{source.source}:{m.container_path}:{mode}")
        elif source.kind == "tmp":
            anonymous.append({"Type": "volume", "Target": m.container_path, "ReadOnly": bool(m.read_only)})
        else:
            raise CannotCreateContainerError(f"volume {m.source_volume!r} has unknown kind {source.kind!r}")
    return binds, anonymous


def _linux_parameters(lp: types_pb2.LinuxParameters, *, mem_limit: int | None) -> dict[str, Any]:
    kw: dict[str, Any] = {}
    if lp.HasField("capabilities"):
        if lp.capabilities.add:
            kw["cap_add"] = list(lp.capabilities.add)
        if lp.capabilities.drop:
            kw["cap_drop"] = list(lp.capabilities.drop)
    if lp.init_process_enabled:
        kw["init"] = True
    if lp.tmpfs:
        kw["tmpfs"] = {t.container_path: _tmpfs_options(t) for t in lp.tmpfs}
    if lp.HasField("shared_memory_size") and lp.shared_memory_size > 0:
        kw["shm_size"] = lp.shared_memory_size * MIB
    if lp.devices:
        kw["devices"] = [_device(dev) for dev in lp.devices]
    if lp.HasField("max_swap"):
        # Docker's MemorySwap is memory + swap and needs a memory limit; without one, ECS's maxSwap
        # cannot be expressed and the host default applies.
        if mem_limit is not None:
            kw["memswap_limit"] = mem_limit + max(lp.max_swap, 0) * MIB
        kw["mem_swappiness"] = lp.swappiness if lp.HasField("swappiness") else DEFAULT_SWAPPINESS
    return kw


def _tmpfs_options(t: types_pb2.Tmpfs) -> str:
    options = list(t.mount_options)
    if t.HasField("size") and t.size > 0:
        options.append(f"size={t.size}m")
    return ",".join(options)


def _device(dev: types_pb2.Device) -> str:
    perms = "".join(_DEVICE_PERMISSIONS[p] for p in dev.permissions if p in _DEVICE_PERMISSIONS) or "rwm"
    return f"{dev.host_path}:{dev.container_path or dev.host_path}:{perms}"


def _healthcheck(h: types_pb2.HealthCheck) -> dict[str, Any]:
    def seconds(name: str) -> int:
        value = getattr(h, name) if h.HasField(name) else HEALTH_DEFAULTS[name]
        return int(value) * NANOS

    return {
        "test": list(h.command),
        "interval": seconds("interval"),
        "timeout": seconds("timeout"),
        "retries": h.retries if h.HasField("retries") else HEALTH_DEFAULTS["retries"],
        "start_period": seconds("start_period"),
    }


def _log_config(d: types_pb2.ContainerDefinition) -> dict[str, Any]:
    if d.HasField("log_configuration") and d.log_configuration.log_driver:
        lc = d.log_configuration
        return {"Type": lc.log_driver, "Config": dict(lc.options)}
    return {"Type": DEFAULT_LOG_CONFIG["Type"], "Config": dict(DEFAULT_LOG_CONFIG["Config"])}


def _namespace_mode(mode: str, ctx: TaskContext, *, allowed: tuple[str, ...]) -> str:
    """pidMode/ipcMode: "host" (and ipc "none") pass through; "task" shares the pause container's
    namespace in awsvpc and is ignored otherwise (there is no pause container to share)."""
    if mode in allowed:
        return mode
    if mode == "task" and ctx.mode == "awsvpc":
        return f"container:{ctx.netns_owner}"
    return ""
