"""The agent's TLS material in its data dir (keys and certificates mode 0600):

- `server-ca.pem`: what the control plane's user port is verified with (bootstrapped from the join
  token's fingerprint, or --ca-file);
- `cluster-ca.pem`, `agent.key`, `agent.crt`: the cluster CA, the agent's key and its client
  certificate for the agent port, from the last registration or renewal;
- `agent-endpoints`: the replicas' agent ports, one per line.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from berth import config, tls


@dataclass(frozen=True)
class AgentCerts:
    key_pem: bytes
    cert_pem: bytes
    cluster_ca_pem: bytes
    endpoints: tuple[str, ...]
    received_at: float = 0.0  # when the agent got it (its life for renewal counts from here)

    @property
    def not_after(self) -> float:
        return tls.validity(self.cert_pem)[1]

    def valid(self, margin: float = 30.0) -> bool:
        return time.time() + margin < self.not_after


LOOPBACK = ("127.0.0.1", "localhost", "::1", "[::1]")


def reachable(advertised: list[str], joined_via: str) -> tuple[str, ...]:
    """The agent ports to dial. A control plane that listens on a wildcard address without
    --agent-advertise-addr advertises its agent port on 127.0.0.1; an agent that joined through
    another host reaches that port on the same host it joined through."""
    hosts = [e.strip().rpartition(":")[0] for e in joined_via.split(",") if e.strip()]
    remote = [h for h in hosts if h not in LOOPBACK]
    if not remote:
        return tuple(advertised)
    out = []
    for endpoint in advertised:
        host, _, port = endpoint.rpartition(":")
        out += [f"{h}:{port}" for h in remote] if host in LOOPBACK else [endpoint]
    return tuple(dict.fromkeys(out))


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return b""


def server_ca(data_dir: Path) -> bytes:
    return _read(data_dir / "server-ca.pem")


def save_server_ca(data_dir: Path, pem: bytes) -> None:
    config.write_file(data_dir / "server-ca.pem", pem, mode=0o644)


def load(data_dir: Path) -> AgentCerts | None:
    """The saved certificate, or None (never registered over TLS, or files damaged)."""
    key, cert, ca = (_read(data_dir / n) for n in ("agent.key", "agent.crt", "cluster-ca.pem"))
    endpoints = tuple(line for line in _read(data_dir / "agent-endpoints").decode().split() if line)
    if not (key and cert and ca and endpoints):
        return None
    try:
        tls.validity(cert)
    except tls.TlsError:
        return None
    return AgentCerts(key, cert, ca, endpoints, received_at=(data_dir / "agent.crt").stat().st_mtime)


def save(data_dir: Path, certs: AgentCerts) -> None:
    config.write_file(data_dir / "agent.key", certs.key_pem)
    config.write_file(data_dir / "agent.crt", certs.cert_pem)
    config.write_file(data_dir / "cluster-ca.pem", certs.cluster_ca_pem, mode=0o644)
    config.write_file(data_dir / "agent-endpoints", "\n".join(certs.endpoints).encode() + b"\n", mode=0o644)


def forget(data_dir: Path) -> None:
    """Drop the certificate (revoked): the next registration joins with the join token."""
    for name in ("agent.crt", "agent-endpoints"):
        (data_dir / name).unlink(missing_ok=True)
