"""Where secret files live and who may read them. Pure: no I/O.

On the host: `<root>/<task id>/<container name>/<file>`, where root is the agent's own directory
in the secrets tmpfs (`<secrets-dir>/<container instance id>`) and the file name comes from the
path in the container alone (its last part and a digest of the whole), so a restarted agent finds
the same files again. Task ids and container names are `[A-Za-z0-9_-]`: no part can climb out.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from berth.v1 import types_pb2

_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]")
_OCTAL = re.compile(r"\\([0-7]{3})")


@dataclass(frozen=True)
class Owner:
    """Owner and mode of a secret file, so that the container's user can read it and no other."""

    uid: int
    gid: int
    mode: int


def container_paths(definition: types_pb2.ContainerDefinition) -> list[str]:
    """The secret files of a container: its secrets[] named by an absolute path."""
    return [s.name for s in definition.secrets if s.name.startswith("/")]


def file_name(container_path: str) -> str:
    """The host file of a path in the container: readable, and the same for the same path."""
    digest = hashlib.sha256(container_path.encode()).hexdigest()[:12]
    base = _UNSAFE.sub("_", container_path.rsplit("/", 1)[-1])[:64].lstrip(".") or "secret"
    return f"{base}-{digest}"


def host_path(root: Path, task_id: str, container: str, container_path: str) -> Path:
    return root / task_id / container / file_name(container_path)


def owner(user: str) -> Owner:
    """Who owns a secret file of a container that runs as `user` (ECS `user`: "", "uid",
    "uid:gid", "name", "name:group"). A numeric user owns its files (mode 0400); a user given by
    name cannot be looked up on the host (it lives in the image's /etc/passwd), so its files are
    root's and readable by all in the container (0444), where the container's mount is the only
    way to them: the host directories are root's alone (0700)."""
    name, _, group = user.partition(":")
    if not name or name == "root":
        return Owner(0, 0, 0o400)
    if not name.isdigit():
        return Owner(0, 0, 0o444)
    return Owner(int(name), int(group) if group.isdigit() else 0, 0o400)


def filesystem_type(mountinfo: str, path: str) -> str:
    """The file system type at `path` (absolute, resolved), from /proc/self/mountinfo's text:
    the last mount at the longest mount point that contains it ("" when none does)."""
    best, kind = -1, ""
    for line in mountinfo.splitlines():
        fields = line.split(" ")
        if len(fields) < 10 or "-" not in fields[6:]:
            continue
        point = _OCTAL.sub(lambda m: chr(int(m.group(1), 8)), fields[4])
        fstype = fields[fields.index("-", 6) + 1]
        inside = path == point or point == "/" or path.startswith(point.rstrip("/") + "/")
        if inside and len(point) >= best:
            best, kind = len(point), fstype
    return kind
