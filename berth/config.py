"""The client config file: where the API is and the credential to call it with.

The control plane writes it on first start (`<data-dir>/config`, mode 0600). Clients read the file
named by $BERTH_CONFIG, else `~/.berth/config`; explicit arguments override what it says.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

ENV = "BERTH_CONFIG"
DEFAULT_PATH = Path.home() / ".berth" / "config"


@dataclass(frozen=True)
class ClientConfig:
    endpoint: str = "127.0.0.1:7410"
    token: str = ""
    accessKeyId: str = ""
    secretAccessKey: str = ""
    region: str = "local"
    httpEndpoint: str = "https://127.0.0.1:7411"
    # The CA bundle the control plane's TLS is verified with ("": plaintext, an --insecure cluster).
    caFile: str = ""


def config_path() -> Path:
    value = os.environ.get(ENV)
    return Path(value).expanduser() if value else DEFAULT_PATH


def load(path: Path | None = None) -> ClientConfig:
    """The config at `path` (or the default location); an empty config if there is no file."""
    path = path or config_path()
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        return ClientConfig()
    known = {k: str(v) for k, v in data.items() if k in ClientConfig.__dataclass_fields__}
    return ClientConfig(**known)


def write(path: Path, config: ClientConfig) -> None:
    """Write atomically with mode 0600 (it holds a secret)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(asdict(config), f, indent=2)
        f.write("\n")
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def write_file(path: Path, data: bytes, mode: int = 0o600) -> None:
    """Write a file atomically with `mode`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.chmod(tmp, mode)
    os.replace(tmp, path)


def write_secret(path: Path, value: str) -> None:
    """A one-line secret file (the agent join token), mode 0600."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(value + "\n")
    os.replace(tmp, path)
