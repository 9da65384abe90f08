"""Certificates for an etcd that serves TLS and asks for client certificates, as an operator
would make them: a CA, a server certificate for 127.0.0.1 and `etcd.internal`, a client
certificate. The cluster CA's own signer (controlplane.tls.authority) makes them."""

from __future__ import annotations

import time
from pathlib import Path

from berth import tls
from controlplane.tls.authority import AgentName, Authority

SERVER_NAME = "etcd.internal"


def write_pki(directory: Path, name: str = "etcd test CA") -> Path:
    """ca.pem, server.pem, server-key.pem, client.pem, client-key.pem in `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    now = time.time()
    ca = Authority.new(now, name)
    server, server_key = ca.server_certificate(["127.0.0.1", SERVER_NAME], now)
    client_key = tls.new_private_key()
    client = ca.sign_agent(
        tls.new_csr(client_key, "berth").decode(), AgentName("etcd", "client", "1"), now, 3600
    )
    for file, data in {
        "ca.pem": ca.cert_pem,
        "server.pem": server,
        "server-key.pem": server_key,
        "client.pem": client,
        "client-key.pem": client_key,
    }.items():
        (directory / file).write_bytes(data)
        (directory / file).chmod(0o600)
    return directory
