"""The agent's container runtime adapter: the only code in berth that imports `docker`.

- `spec`: pure mapping of an ECS container definition (+ task context) to Docker create arguments,
  deterministic names and berth labels.
- `docker`: `DockerRuntime`, the asyncio facade over the Docker SDK (thread pool, event stream).
- `cgroups`: per-task cgroup v1 hierarchies for task-level cpu/memory limits.
- `model`: the plain values that cross the boundary and the `ContainerRuntime` interface.
- `errors`: the exception tree.

Importing this package (or `spec`, `model`, `errors`, `cgroups`) does not import the Docker SDK;
only `agent.runtime.docker` does.
"""

from agent.runtime.errors import (
    CannotCreateContainerError,
    CannotPullContainerError,
    CannotStartContainerError,
    ContainerRuntimeError,
    ImageNotPresent,
    RuntimeConflict,
    RuntimeUnavailable,
)
from agent.runtime.model import (
    Binding,
    ContainerRuntime,
    ContainerState,
    DockerEvent,
    PullOutcome,
    RuntimeInfo,
)

__all__ = [
    "Binding",
    "CannotCreateContainerError",
    "CannotPullContainerError",
    "CannotStartContainerError",
    "ContainerRuntime",
    "ContainerRuntimeError",
    "ContainerState",
    "DockerEvent",
    "ImageNotPresent",
    "PullOutcome",
    "RuntimeConflict",
    "RuntimeInfo",
    "RuntimeUnavailable",
]
