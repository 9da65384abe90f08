"""GETs on the control plane's HTTP port as Prometheus makes them: /metrics and /sd/* need
`authorization: Bearer <accessKeyId>.<secret>` (the admin's is the config file's `token`)."""

from __future__ import annotations

import json
import urllib.error
from pathlib import Path
from typing import Any

from tests.support.infra import urlopen


def config_token(config_path: Path) -> str:
    """The bearer token of a client config (the admin's, for the one a control plane writes)."""
    return str(json.loads(Path(config_path).read_text())["token"])


def get(url: str, token: str = "", ca_file: Path | None = None, timeout: float = 5) -> tuple[int, bytes]:
    """(HTTP status, body) of a GET, with `token` as bearer credential when given, an https URL
    verified with `ca_file` (the control plane's CA bundle)."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    try:
        with urlopen(url, ca_file, headers=headers, timeout=timeout) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def get_ok(url: str, token: str, ca_file: Path | None = None, timeout: float = 5) -> bytes:
    """The body of a GET that must succeed (OSError otherwise, as urlopen raises)."""
    status, body = get(url, token, ca_file, timeout)
    if status != 200:
        raise OSError(f"GET {url}: HTTP {status}: {body[:200]!r}")
    return body


def get_json(url: str, token: str, ca_file: Path | None = None, timeout: float = 5) -> Any:
    return json.loads(get_ok(url, token, ca_file, timeout))


def metrics_text(http: str, token: str, ca_file: Path | None = None, timeout: float = 5) -> str:
    """A control plane's /metrics (`http`: its base URL)."""
    return get_ok(f"{http}/metrics", token, ca_file, timeout).decode()
