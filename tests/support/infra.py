"""Real etcd and Docker for tests.

`BERTH_REQUIRE_INFRA=1` (set by `.ci/run`) turns "etcd/Docker missing" from a skip into a failure,
so CI can never pass by skipping. On a laptop without them, those tests skip.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
import ssl
import subprocess
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

REQUIRE = os.environ.get("BERTH_REQUIRE_INFRA") == "1"


def missing(what: str) -> None:
    if REQUIRE:
        pytest.fail(f"{what} is required (BERTH_REQUIRE_INFRA=1) but not available", pytrace=False)
    pytest.skip(f"{what} not available")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def tls_context(ca_file: str | Path | None) -> ssl.SSLContext | None:
    """A client context that verifies with `ca_file` (a control plane's ca.pem); None without one."""
    return ssl.create_default_context(cafile=str(ca_file)) if ca_file else None


def urlopen(
    url: str,
    ca_file: str | Path | None = None,
    *,
    timeout: float = 5.0,
    headers: dict[str, str] | None = None,
) -> Any:
    """urllib's urlopen, verifying an https URL with `ca_file` (the control plane's CA bundle)."""
    request = urllib.request.Request(url, headers=headers or {})
    return urllib.request.urlopen(request, timeout=timeout, context=tls_context(ca_file))


def http_ok(url: str, timeout: float = 1.0, ca_file: str | Path | None = None) -> bool:
    try:
        with urlopen(url, ca_file, timeout=timeout) as r:
            return bool(r.status == 200)
    except OSError:
        return False


@dataclass
class EtcdServer:
    """A private single-member etcd started by a test (killed and restarted at will)."""

    data_dir: Path
    client_port: int
    peer_port: int
    proc: subprocess.Popen[bytes] | None = None
    # TLS on the client port: a directory with ca.pem, server.pem, server-key.pem (and client.pem,
    # client-key.pem, which the health probe uses); etcd then also asks for client certificates.
    tls_dir: Path | None = None

    @property
    def endpoint(self) -> str:
        return f"127.0.0.1:{self.client_port}"

    def _tls_args(self) -> list[str]:
        if self.tls_dir is None:
            return []
        d = self.tls_dir
        return [
            "--cert-file",
            str(d / "server.pem"),
            "--key-file",
            str(d / "server-key.pem"),
            "--trusted-ca-file",
            str(d / "ca.pem"),
            "--client-cert-auth",
        ]

    def _healthy(self, url: str) -> bool:
        if self.tls_dir is None:
            return http_ok(f"{url}/health")
        context = ssl.create_default_context(cafile=str(self.tls_dir / "ca.pem"))
        context.load_cert_chain(self.tls_dir / "client.pem", self.tls_dir / "client-key.pem")
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=1, context=context) as r:
                return bool(r.status == 200)
        except OSError:
            return False

    def start(self) -> None:
        etcd = shutil.which("etcd")
        if etcd is None:
            missing("the etcd binary")
        scheme = "https" if self.tls_dir else "http"
        url, peer = f"{scheme}://127.0.0.1:{self.client_port}", f"http://127.0.0.1:{self.peer_port}"
        log = open(self.data_dir.with_suffix(".log"), "ab")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [
                etcd,
                "--name",
                "t",
                "--data-dir",
                str(self.data_dir),
                "--listen-client-urls",
                url,
                "--advertise-client-urls",
                url,
                "--listen-peer-urls",
                peer,
                "--initial-advertise-peer-urls",
                peer,
                "--initial-cluster",
                f"t={peer}",
                *self._tls_args(),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 20
        while not self._healthy(url):
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise RuntimeError(f"etcd did not start; see {self.data_dir.with_suffix('.log')}")
            time.sleep(0.05)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)


def start_private_etcd(tls_dir: Path | None = None) -> EtcdServer:
    tmp = Path(tempfile.mkdtemp(prefix="berth-etcd-"))
    server = EtcdServer(tmp / "data", free_port(), free_port(), tls_dir=tls_dir)
    server.start()
    return server


def shared_etcd_endpoint() -> tuple[str, EtcdServer | None]:
    """The etcd that `make test` started ($BERTH_TEST_ETCD), else a private one."""
    configured = os.environ.get("BERTH_TEST_ETCD")
    if configured:
        if http_ok(f"http://{configured}/health"):
            return configured, None
        if REQUIRE:
            pytest.fail(f"etcd at BERTH_TEST_ETCD={configured} is not reachable", pytrace=False)
    if shutil.which("etcd") is None:
        missing("etcd")
    server = start_private_etcd()
    return server.endpoint, server


def docker_client():  # type: ignore[no-untyped-def]
    try:
        import docker

        client = docker.from_env(timeout=30)
        client.ping()
        return client
    except Exception:
        missing("a Docker engine")


def secrets_key_file(prefix: str) -> Path:
    """One secrets key per test cluster (etcd prefix), shared by every replica a test starts on it,
    as an operator gives every replica a copy of the first one's key."""
    return (
        Path(tempfile.gettempdir())
        / "berth-test-keys"
        / f"{hashlib.sha256(prefix.encode()).hexdigest()[:16]}.key"
    )


@dataclass
class ControlPlaneProcess:
    """`berth-controlplane` as a user starts it, in a child process."""

    etcd_endpoints: str
    data_dir: Path
    prefix: str = "/berth/"
    grpc_port: int = 0
    http_port: int = 0
    agent_port: int = 0
    extra: tuple[str, ...] = ()
    proc: subprocess.Popen[bytes] | None = None

    def __post_init__(self) -> None:
        self.grpc_port = self.grpc_port or free_port()
        self.http_port = self.http_port or free_port()
        self.agent_port = self.agent_port or free_port()

    @property
    def endpoint(self) -> str:
        return f"127.0.0.1:{self.grpc_port}"

    @property
    def config_path(self) -> Path:
        return self.data_dir / "config"

    @property
    def insecure(self) -> bool:
        return "--insecure" in self.extra

    @property
    def http(self) -> str:
        return f"{'http' if self.insecure else 'https'}://127.0.0.1:{self.http_port}"

    @property
    def ca_file(self) -> Path | None:
        """The CA bundle clients verify this control plane with (None with --insecure)."""
        return None if self.insecure else self.data_dir / "ca.pem"

    def start(self, timeout: float = 30) -> ControlPlaneProcess:
        import sys

        self.data_dir.mkdir(parents=True, exist_ok=True)
        log = open(self.data_dir / "controlplane.log", "ab")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "controlplane.main",
                "--etcd-endpoints",
                self.etcd_endpoints,
                "--etcd-prefix",
                self.prefix,
                "--grpc-addr",
                self.endpoint,
                "--http-addr",
                f"127.0.0.1:{self.http_port}",
                "--agent-addr",
                f"127.0.0.1:{self.agent_port}",
                "--data-dir",
                str(self.data_dir),
                "--secrets-key-file",
                str(secrets_key_file(self.prefix)),
                "--log-json",
                *self.extra,
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while not (self.config_path.exists() and http_ok(f"{self.http}/healthz", ca_file=self.ca_file)):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"control plane did not start; see {self.data_dir / 'controlplane.log'}")
            time.sleep(0.05)
        return self

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()
