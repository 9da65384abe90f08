"""What a task definition asks of the secret store, parsed. Pure: no I/O.

A container's `secrets[].valueFrom` and `environmentFiles[].value` name a berth secret as Secrets
Manager does: its ARN (`arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6 chars>`), the
ARN followed by `:<json-key>:<version-stage>:<version-id>` (each part may be empty), or its name.
berth has no SSM Parameter Store: an `arn:aws:ssm:` reference is refused saying so. An environment
file is a secret whose value holds `NAME=VALUE` lines (blank lines and `#` comments skipped).

A `secrets[]` entry whose name is an absolute path (`/run/secrets/db-password`) is a berth
extension: the value is a read-only file at that path, rewritten in place when the secret changes.
`repositoryCredentials.credentialsParameter` names a secret holding `{"username", "password"}` JSON
(as in ECS), the auth of the container's image pull.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass

from berth.errors import FieldViolation, shown
from berth.v1 import types_pb2

NAME_RE = re.compile(r"[A-Za-z0-9/_+=.@-]{1,512}")
_SUFFIX = re.compile(r"-[A-Za-z0-9]{6}$")
CURRENT = "AWSCURRENT"
PREVIOUS = "AWSPREVIOUS"


@dataclass(frozen=True)
class Ref:
    """One reference to a secret: `name` always, `arn` when given as an ARN (with its suffix)."""

    name: str
    arn: str = ""
    json_key: str = ""
    version_stage: str = ""
    version_id: str = ""

    @property
    def shown(self) -> str:
        return self.arn or self.name


def parse(value: str, field: str) -> Ref | FieldViolation:
    if value.startswith("arn:"):
        parts = value.split(":")
        if len(parts) >= 3 and parts[2] == "ssm":
            return FieldViolation(
                field,
                f"{shown(value)!r} is an SSM parameter; berth keeps secrets in its Secrets Manager only",
            )
        if len(parts) < 7 or parts[2] != "secretsmanager" or parts[5] != "secret" or not parts[6]:
            return FieldViolation(
                field,
                f"{shown(value)!r} is not a secret ARN (arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME)",
            )
        if len(parts) > 10:
            return FieldViolation(
                field, f"{shown(value)!r} has more than json-key:version-stage:version-id after the name"
            )
        named = parts[6]
        json_key, stage, version = [*parts[7:], "", "", ""][:3]
        name = _SUFFIX.sub("", named)
        return Ref(
            name=name, arn=":".join(parts[:7]), json_key=json_key, version_stage=stage, version_id=version
        )
    if not NAME_RE.fullmatch(value):
        return FieldViolation(field, f"{shown(value)!r} is neither a secret ARN nor a secret name")
    return Ref(name=value)


# How a container reads a secret (Use.kind).
VARIABLE = "variable"  # secrets[] with a variable name: an environment variable
ENV_FILE = "environment_file"  # environmentFiles[]: NAME=VALUE lines, each an environment variable
FILE = "file"  # secrets[] with an absolute path as its name: a file in the container
REGISTRY = "registry"  # repositoryCredentials: the auth of the image pull


@dataclass(frozen=True)
class Use:
    """Where a task reads a secret: `kind` says how, `target` is the variable name or file path."""

    container: str
    field: str  # containerDefinitions[0].secrets[1].valueFrom
    ref: Ref
    kind: str = VARIABLE
    target: str = ""  # the variable (VARIABLE) or the path in the container (FILE)


def is_file(secret_name: str) -> bool:
    """A secrets[] entry delivered as a file: its name is an absolute path."""
    return secret_name.startswith("/")


def uses(td: types_pb2.TaskDefinition) -> Iterator[Use | FieldViolation]:
    for i, c in enumerate(td.container_definitions):
        credentials = c.repository_credentials.credentials_parameter
        if credentials:
            path = f"containerDefinitions[{i}].repositoryCredentials.credentialsParameter"
            ref = parse(credentials, path)
            yield ref if isinstance(ref, FieldViolation) else Use(c.name, path, ref, REGISTRY)
        for k, env_file in enumerate(c.environment_files):
            path = f"containerDefinitions[{i}].environmentFiles[{k}].value"
            ref = parse(env_file.value, path)
            yield ref if isinstance(ref, FieldViolation) else Use(c.name, path, ref, ENV_FILE)
        for k, secret in enumerate(c.secrets):
            path = f"containerDefinitions[{i}].secrets[{k}].valueFrom"
            ref = parse(secret.value_from, path)
            kind = FILE if is_file(secret.name) else VARIABLE
            yield ref if isinstance(ref, FieldViolation) else Use(c.name, path, ref, kind, secret.name)


def reads_as_file(td: types_pb2.TaskDefinition, secret_name: str) -> bool:
    """Whether a container of `td` has the secret named `secret_name` as a file."""
    return any(isinstance(use, Use) and use.kind == FILE and use.ref.name == secret_name for use in uses(td))


def select(value: str, ref: Ref) -> str:
    """The part of a secret's value the reference asks for (its JSON key, or all of it)."""
    if not ref.json_key:
        return value
    try:
        document = json.loads(value)
    except ValueError:
        raise LookupError(f"secret {ref.shown} is not JSON, so it has no key {ref.json_key!r}") from None
    if not isinstance(document, dict) or ref.json_key not in document:
        raise LookupError(f"secret {ref.shown} has no JSON key {ref.json_key!r}")
    found = document[ref.json_key]
    return found if isinstance(found, str) else json.dumps(found)


def env_file(text: str) -> list[tuple[str, str]]:
    """The variables of an environment file (ECS's format: NAME=VALUE per line, # comments)."""
    out = []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        name, sep, value = line.partition("=")
        if sep and name.strip():
            out.append((name.strip(), value))
    return out


def registry_auth(value: str, ref: Ref) -> tuple[str, str]:
    """(username, password) from a repositoryCredentials secret: JSON as ECS has it. The error
    never quotes the value."""
    try:
        document = json.loads(value)
    except ValueError:
        document = None
    if (
        not isinstance(document, dict)
        or not isinstance(document.get("username"), str)
        or not isinstance(document.get("password"), str)
        or not document["username"]
    ):
        raise LookupError(
            f'secret {ref.shown} is not registry credentials ({{"username": ..., "password": ...}} JSON)'
        )
    return document["username"], document["password"]
