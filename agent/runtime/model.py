"""Plain values that cross the runtime boundary: what the agent gets back from `agent.runtime`.

No Docker types leak out of the adapter: containers, events, pulls and the engine itself are
described by the frozen dataclasses below, and `ContainerRuntime` is the interface the agent codes
against (`DockerRuntime` implements it; a test fake can too). Times are epoch seconds (floats).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from berth.v1 import types_pb2

Health = Literal["HEALTHY", "UNHEALTHY", "UNKNOWN"]

# Labels every container berth creates carries (see spec.labels). The agent finds, re-adopts and
# reports containers by them; `berth.*` keys cannot be set by users through dockerLabels.
LABEL_PREFIX = "berth."
LABEL_TASK_ARN = "berth.task-arn"
LABEL_TASK_ID = "berth.task-id"
LABEL_CONTAINER_NAME = "berth.container-name"
LABEL_CLUSTER = "berth.cluster"
LABEL_FAMILY = "berth.family"
LABEL_REVISION = "berth.revision"
LABEL_INSTANCE_ARN = "berth.instance-arn"
LABEL_SERVICE = "berth.service"

# `berth.container-name` of a task's awsvpc pause container. ECS container names cannot contain
# "~", so it never collides with a user's container.
PAUSE_CONTAINER_NAME = "~pause"


@dataclass(frozen=True)
class Binding:
    """One published port, shaped like an ECS networkBinding."""

    bind_ip: str
    container_port: int
    host_port: int
    protocol: str  # "tcp" | "udp"

    def to_proto(self) -> types_pb2.NetworkBinding:
        return types_pb2.NetworkBinding(
            bind_ip=self.bind_ip,
            container_port=self.container_port,
            host_port=self.host_port,
            protocol=self.protocol,
        )


@dataclass(frozen=True)
class ContainerState:
    """What Docker knows about one container, as the agent needs it.

    `exit_code` is set only once the container has exited (None while created or running).
    `started_at`/`finished_at` are None when Docker reports its zero time, and also for running
    containers that came from `list_managed()` (the list response carries no start time; call
    `inspect()` when it matters).
    """

    id: str
    name: str
    labels: Mapping[str, str]
    status: str  # Docker's State.Status: created, running, paused, restarting, removing, exited, dead
    running: bool
    exit_code: int | None
    oom_killed: bool
    error: str
    started_at: float | None
    finished_at: float | None
    health: Health
    network_bindings: tuple[Binding, ...]
    ip_address: str
    image_id: str
    image: str = ""  # the reference it was created from (Config.Image)
    pid: int = 0  # the main process (host pid namespace) while running, from inspect(); 0 otherwise

    @property
    def task_arn(self) -> str:
        return self.labels.get(LABEL_TASK_ARN, "")

    @property
    def container_name(self) -> str:
        return self.labels.get(LABEL_CONTAINER_NAME, "")


EventKind = str  # "start" | "die" | "oom" | "health_status" | "destroy" | "create" | ... | "reconnected"


@dataclass(frozen=True)
class DockerEvent:
    """One container event from dockerd's event stream.

    `kind` is Docker's action without its detail ("health_status: healthy" -> "health_status",
    "exec_start: sh" -> "exec_start"). A synthetic `kind="reconnected"` event (no container) is
    yielded after the stream was re-established: events may have been missed while it was down, so
    the agent should resynchronise with `list_managed()`.
    """

    kind: EventKind
    container_id: str
    task_arn: str
    container_name: str
    time: float
    exit_code: int | None = None  # "die" only
    health: Health | None = None  # "health_status" only
    attributes: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class PullOutcome:
    """The result of `ensure_image()`.

    `pulled`: a pull from the registry succeeded. `cached`: the local image was used without a
    (successful) pull. `pull_error` holds Docker's reason when a "default" pull failed and the cache
    was used instead.
    """

    image: str
    pulled: bool
    cached: bool
    image_id: str
    digest: str  # first RepoDigest ("repo@sha256:..."), "" for images that were never pushed/pulled
    pull_error: str = ""


@dataclass(frozen=True)
class RuntimeInfo:
    """The engine and host, as reported by dockerd (`docker info`)."""

    docker_version: str
    api_version: str
    cpus: int
    memory_mib: int
    os_type: str  # "linux"
    architecture: str  # Docker's (uname) name: "x86_64", "aarch64"
    storage_driver: str
    cgroup_driver: str
    cgroup_version: str
    kernel_version: str


@dataclass(frozen=True)
class LogEntry:
    """One line a container wrote, as Docker's log driver kept it."""

    stream: str  # "stdout" | "stderr"
    time: float  # Docker's timestamp of the line, epoch seconds
    message: str  # without its newline
    ns: int = 0  # the same timestamp exactly, epoch nanoseconds (0: unknown): where to resume


class LogSource(Protocol):
    """What `ContainerRuntime.logs()` returns: batches of lines in order, that can be closed."""

    def __aiter__(self) -> AsyncIterator[list[LogEntry]]: ...

    async def aclose(self) -> None: ...


@dataclass(frozen=True)
class ExecStatus:
    """An exec'd process as dockerd sees it."""

    running: bool
    exit_code: int
    pid: int  # in dockerd's pid namespace


class ExecProcess(Protocol):
    """What `ContainerRuntime.exec()` returns: output batches of ("stdout" | "stderr", bytes) in
    order, stdin, resize and the exit code; `aclose()` kills the process unless it exited."""

    def __aiter__(self) -> AsyncIterator[list[tuple[str, bytes]]]: ...

    async def write(self, data: bytes) -> None: ...

    async def close_stdin(self) -> None: ...

    async def resize(self, rows: int, cols: int) -> None: ...

    async def wait(self) -> int: ...

    async def aclose(self) -> None: ...


class EventSource(Protocol):
    """What `ContainerRuntime.events()` returns: an async iterator of events that can be closed."""

    def __aiter__(self) -> AsyncIterator[DockerEvent]: ...

    async def aclose(self) -> None: ...


class ContainerRuntime(Protocol):
    """The interface the agent uses to run containers; `agent.runtime.docker.DockerRuntime` is it."""

    async def info(self) -> RuntimeInfo: ...

    async def ensure_image(
        self,
        ref: str,
        behavior: str = "default",
        pulled_before: bool = False,
        *,
        auth_config: Mapping[str, str] | None = None,
    ) -> PullOutcome: ...

    async def create(self, kwargs: Mapping[str, Any]) -> str: ...

    async def start(self, container_id: str) -> None: ...

    async def stop(self, container_id: str, timeout: float) -> None: ...

    async def kill(self, container_id: str, signal: str = "SIGKILL") -> None: ...

    async def remove(self, container_id: str, force: bool = True) -> None: ...

    async def rename(self, container_id: str, name: str) -> None: ...

    async def inspect(self, container_id: str) -> ContainerState | None: ...

    async def list_managed(self, instance_arn: str) -> list[ContainerState]: ...

    async def create_volume(
        self,
        name: str,
        driver: str = "local",
        driver_opts: Mapping[str, str] | None = None,
        labels: Mapping[str, str] | None = None,
    ) -> str: ...

    async def remove_volume(self, name: str) -> None: ...

    def events(self, instance_arn: str, *, actions: Sequence[str] | None = ...) -> EventSource: ...

    def logs(
        self,
        container_id: str,
        *,
        since_ns: int = 0,
        until_ns: int = 0,
        tail: int | None = None,
        follow: bool = False,
    ) -> LogSource: ...

    async def exec(
        self, container_id: str, command: Sequence[str], *, tty: bool, rows: int = 0, cols: int = 0
    ) -> ExecProcess: ...

    async def close(self) -> None: ...
