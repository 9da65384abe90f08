"""The agent's identity on disk: its container instance ARN and its own token (mode 0600), so a
restarted agent re-registers as the same instance and re-adopts its containers."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass(frozen=True)
class Identity:
    container_instance_arn: str = ""
    token: str = ""
    cluster: str = ""


def path(data_dir: Path) -> Path:
    return data_dir / "identity.json"


def load(data_dir: Path) -> Identity:
    try:
        data = json.loads(path(data_dir).read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        return Identity()
    return Identity(**{k: str(v) for k, v in data.items() if k in Identity.__dataclass_fields__})


def save(data_dir: Path, identity: Identity) -> None:
    data_dir.mkdir(parents=True, exist_ok=True)
    target = path(data_dir)
    tmp = target.with_name(target.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(asdict(identity), f)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, target)
