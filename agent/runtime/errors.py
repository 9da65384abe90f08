"""The errors of the container runtime adapter, written down in one place.

Every failure that leaves `agent.runtime` is one of these; Docker SDK and `requests` exceptions never
leak to the agent. The tree:

    ContainerRuntimeError                 base; `.message` is what a task's stoppedReason should say
    ├── RuntimeUnavailable                dockerd unreachable or not answering: temporary, retry later
    ├── RuntimeConflict                   a name is taken by something berth did not create for this task
    ├── CannotPullContainerError          no usable image after applying the pull behaviour
    ├── CannotCreateContainerError        Docker refused the container (bad option, missing volume, ...)
    │   └── ImageNotPresent               create() found no local image: pull (ensure_image) and retry
    └── CannotStartContainerError         Docker refused to start it (exec not found, port taken, ...)

The three `Cannot*` messages start with the class name, the way ECS reports them
("CannotPullContainerError: ..."), so the agent can copy them into `stoppedReason` unchanged.
`temporary` says whether retrying the same call later can succeed without anything else changing.
"""

from __future__ import annotations


class ContainerRuntimeError(Exception):
    """Base of every error raised by `agent.runtime`."""

    temporary = False

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class RuntimeUnavailable(ContainerRuntimeError):
    """dockerd cannot be reached or did not answer in time. The call may be retried."""

    temporary = True


class RuntimeConflict(ContainerRuntimeError):
    """A container or volume name is already used by something else (another task, another agent)."""


class _Prefixed(ContainerRuntimeError):
    """An ECS-style error whose message starts with "<ClassName>: "."""

    prefix = ""

    def __init__(self, message: str) -> None:
        prefix = f"{self.prefix}: "
        super().__init__(message if message.startswith(prefix) else prefix + message)


class CannotPullContainerError(_Prefixed):
    prefix = "CannotPullContainerError"


class CannotCreateContainerError(_Prefixed):
    prefix = "CannotCreateContainerError"


class ImageNotPresent(CannotCreateContainerError):
    """The image of a create() is not in the local cache; `ensure_image()` it and create again."""

    def __init__(self, message: str, *, image: str) -> None:
        super().__init__(message)
        self.image = image


class CannotStartContainerError(_Prefixed):
    prefix = "CannotStartContainerError"
