"""Settings of one control plane replica (from flags; frozen once started)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from controlplane.store.tls import EtcdTls


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    grpc_addr: str = "127.0.0.1:7410"
    http_addr: str = "127.0.0.1:7411"
    # Where other replicas reach this one's gRPC port ("": the listen address as a local client dials it).
    advertise_addr: str = ""
    etcd_endpoints: tuple[str, ...] = ("127.0.0.1:2379",)
    etcd_prefix: str = "/berth/"
    # TLS to etcd (controlplane.store.tls; None: plaintext).
    etcd_tls: EtcdTls | None = None
    region: str = "local"
    account: str = "000000000000"
    etcd_wait_seconds: float = 60.0
    # An agent silent for this long is shown agentConnected=false and gets no new tasks.
    agent_grace_seconds: float = 10.0
    # Run the controllers (services, housekeeping) when this replica is the leader.
    controllers: bool = True
    # STOPPED tasks stay describable this long before the janitor deletes them (ECS: >= 1 hour).
    task_retention_seconds: float = 3600.0
    # A service task with no health check counts as healthy after RUNNING this long.
    settle_seconds: float = 10.0
    # etcd history kept for WatchEvents to resume from (the janitor compacts behind it).
    event_history_seconds: float = 600.0
    # Mutating calls also go to the event stream as audit events (controlplane.audit); off, they
    # are only the `api_audit` log line.
    audit_events: bool = True
    # Service discovery DNS: comma-separated UDP+TCP listen addresses ("": no DNS server), whether an
    # address that cannot be had is only a warning (the defaults), the upstream for other names
    # (None: the host's resolv.conf; "": none, REFUSED) and the address tasks get as their resolver
    # ("": a listen address on port 53 that is not loopback, if there is one).
    dns_addr: str = ""
    dns_optional: bool = False
    dns_upstream: str | None = None
    dns_advertise: str = ""
    # Autoscaling: how often the leader evaluates scaling policies, and the Prometheus that step
    # policies query (controlplane.autoscale).
    autoscale_interval_seconds: float = 5.0
    prometheus_url: str = ""
    # The key secrets are sealed with (controlplane.secrets.crypto); None: <data_dir>/secrets.key.
    secrets_key_file: Path | None = None
    # Not a replica: re-seal every secret and the CA keys with the key in this file, then exit
    # (controlplane.secrets.rekey).
    rekey_secrets_to: Path | None = None
    # TLS (controlplane.tls): on unless `insecure`. The agent port takes only agents' client
    # certificates (mutual TLS); they live `agent_cert_ttl_seconds` and agents renew them halfway.
    # The operator's own certificate and key replace the cluster CA's on the user and HTTP ports
    # (clients are then given `tls_ca_file`); `tls_san` adds names to the cluster CA's certificates.
    insecure: bool = False
    agent_addr: str = "127.0.0.1:7409"
    agent_advertise_addr: str = ""
    agent_cert_ttl_seconds: float = 86400.0
    tls_cert_file: Path | None = None
    tls_key_file: Path | None = None
    tls_ca_file: Path | None = None
    tls_san: tuple[str, ...] = ()
    # At most one stored stats report per agent this often (agents send every 10 s by default).
    stats_min_interval_seconds: float = 9.0
    # How long a task role's temporary credentials live (the agent refreshes them before that).
    task_credentials_ttl_seconds: float = 3600.0
    extra: dict[str, str] = field(default_factory=dict)

    @staticmethod
    def client_host(addr: str) -> str:
        """The address a client on this machine dials for a listen address (0.0.0.0 -> 127.0.0.1)."""
        host, _, port = addr.rpartition(":")
        if host in ("", "0.0.0.0", "[::]", "::"):
            host = "127.0.0.1"
        return f"{host}:{port}"
