"""The error tree of berth, written down in one place.

Server code raises these; the control plane maps each class to one gRPC status code (and, on the
ECS JSON endpoint, to an ECS exception name) in a single table. Messages name the field and the
value that is wrong. The Python client raises `ApiError`, which carries the same information back.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class FieldViolation:
    """One invalid field: `field` is a path such as `containerDefinitions[1].portMappings[0].hostPort`."""

    field: str
    description: str


class BerthError(Exception):
    """Base of every error berth reports to a caller.

    `ecs_type` is the ECS exception name a user of ECS expects for this case
    (`ClusterNotFoundException`, `InvalidParameterException`, ...).
    """

    default_ecs_type = "ServerException"

    def __init__(self, message: str, *, ecs_type: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.ecs_type = ecs_type or self.default_ecs_type


class NotFound(BerthError):
    default_ecs_type = "ClientException"


class AlreadyExists(BerthError):
    default_ecs_type = "ClientException"


class InvalidArgument(BerthError):
    """The request is malformed. `violations` lists every offending field, not only the first."""

    default_ecs_type = "InvalidParameterException"

    def __init__(self, violations: list[FieldViolation] | str, *, ecs_type: str | None = None) -> None:
        if isinstance(violations, str):
            violations = [FieldViolation("", violations)]
        self.violations = violations
        super().__init__(_summarize(violations), ecs_type=ecs_type)

    @classmethod
    def field(cls, path: str, description: str, *, ecs_type: str | None = None) -> InvalidArgument:
        return cls([FieldViolation(path, description)], ecs_type=ecs_type)


class FailedPrecondition(BerthError):
    """The request is valid but the state of the resource does not allow it."""

    default_ecs_type = "ClientException"


class Conflict(BerthError):
    """A concurrent change won a compare-and-swap; the caller may retry after re-reading."""

    default_ecs_type = "ConflictException"


class Unauthenticated(BerthError):
    default_ecs_type = "UnrecognizedClientException"


class PermissionDenied(BerthError):
    default_ecs_type = "AccessDeniedException"


class Throttled(BerthError):
    default_ecs_type = "ThrottlingException"


class Unavailable(BerthError):
    """A dependency (etcd, an agent) cannot be reached right now; retrying later may succeed."""

    default_ecs_type = "ServerException"


def shown(value: str, limit: int = 64) -> str:
    """`repr(value)`, cut to `limit` characters: error messages quote what was given, not all of it."""
    return repr(value if len(value) <= limit else value[: limit - 3] + "...")


def clip(text: str, limit: int) -> str:
    """`text` cut to at most `limit` UTF-8 bytes, marked with an ellipsis when cut."""
    data = text.encode()
    if len(data) <= limit:
        return text
    return data[: limit - 3].decode(errors="ignore") + "..."


def _summarize(violations: list[FieldViolation]) -> str:
    parts = [f"{v.field}: {v.description}" if v.field else v.description for v in violations[:5]]
    more = f" (and {len(violations) - 5} more)" if len(violations) > 5 else ""
    return "; ".join(parts) + more


@dataclass
class ApiError(Exception):
    """An error returned by the berth API, as the Python client and the CLI see it.

    `code` is the gRPC status name (`NOT_FOUND`, `INVALID_ARGUMENT`, ...), `ecs_type` the ECS
    exception name, `violations` the field paths of an INVALID_ARGUMENT.
    """

    code: str
    message: str
    ecs_type: str = ""
    violations: list[FieldViolation] = field(default_factory=list)
    request_id: str = ""

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"
