"""`berth-controlplane`: run one control plane replica."""

from __future__ import annotations

import argparse
import asyncio
import signal
from pathlib import Path

import structlog

from berth import logs
from berth.errors import BerthError
from controlplane.iam import sessions
from controlplane.secrets import rekey
from controlplane.server import ControlPlane
from controlplane.settings import Settings
from controlplane.store import EtcdStore
from controlplane.store import tls as store_tls

log = structlog.get_logger("berth.controlplane")

DEFAULT_DNS_ADDR = "127.0.0.1:8600,172.17.0.1:53"


def parse_args(argv: list[str] | None = None) -> Settings:
    p = argparse.ArgumentParser(prog="berth-controlplane", description="Run a berth control plane replica.")
    p.add_argument("--etcd-endpoints", default="127.0.0.1:2379", help="comma-separated etcd client endpoints")
    p.add_argument("--etcd-prefix", default="/berth/", help="key prefix of berth's records in etcd")
    p.add_argument(
        "--etcd-cacert",
        default=None,
        help="verify etcd's TLS certificate with this CA bundle (PEM): dial etcd over TLS",
    )
    p.add_argument("--etcd-cert", default=None, help="client certificate for etcd's --client-cert-auth (PEM)")
    p.add_argument("--etcd-key", default=None, help="the key of --etcd-cert (PEM)")
    p.add_argument(
        "--etcd-server-name",
        default=None,
        help="the name etcd's certificate is checked against (default: the endpoint; needed with several)",
    )
    p.add_argument(
        "--grpc-addr", default="127.0.0.1:7410", help="gRPC listen address (API for users and agents)"
    )
    p.add_argument(
        "--http-addr", default="127.0.0.1:7411", help="HTTP listen address (/metrics, /healthz, ECS JSON)"
    )
    p.add_argument(
        "--advertise-addr",
        default="",
        help="the gRPC address other replicas reach this one at (default: --grpc-addr, 0.0.0.0 as 127.0.0.1)",
    )
    p.add_argument(
        "--data-dir",
        default=str(Path.home() / ".berth"),
        help="where the client config and join token are written",
    )
    p.add_argument("--region", default="local", help="region part of the ARNs")
    p.add_argument("--account", default="000000000000", help="account part of the ARNs")
    p.add_argument("--etcd-wait", type=float, default=60.0, help="seconds to wait for etcd at start")
    p.add_argument(
        "--agent-grace",
        type=float,
        default=10.0,
        help="seconds without a heartbeat before an agent counts as disconnected",
    )
    p.add_argument(
        "--task-retention",
        type=float,
        default=3600.0,
        help="seconds a STOPPED task stays describable before it is deleted",
    )
    p.add_argument(
        "--settle-seconds",
        type=float,
        default=10.0,
        help="a service task with no health check counts healthy after RUNNING this long",
    )
    p.add_argument(
        "--event-history",
        type=float,
        default=600.0,
        help="seconds of etcd history kept for WatchEvents to resume from (default 600)",
    )
    p.add_argument(
        "--no-audit-events",
        dest="audit_events",
        action="store_false",
        help="keep the audit trail in the log only (api_audit lines), not on the event stream",
    )
    p.add_argument(
        "--prometheus-url", default="", help="Prometheus that step scaling policies query (http://host:9090)"
    )
    p.add_argument(
        "--secrets-key-file",
        default=None,
        help="the 32-byte key secrets are sealed with, made on first start (default DATA_DIR/secrets.key); "
        "every replica needs the same file",
    )
    p.add_argument(
        "--rekey-secrets",
        metavar="NEW_KEY_FILE",
        default=None,
        help="with every replica stopped: re-seal all secrets and the cluster CA key with the key in "
        "NEW_KEY_FILE (made if missing), then exit; the replicas then start with it as --secrets-key-file",
    )
    p.add_argument(
        "--autoscale-interval", type=float, default=5.0, help="seconds between autoscaling evaluations"
    )
    p.add_argument(
        "--stats-min-interval",
        type=float,
        default=9.0,
        help="store an agent's task stats at most this often (seconds; agents report every --stats-interval)",
    )
    p.add_argument(
        "--task-credentials-ttl",
        type=float,
        default=3600.0,
        help="seconds a task role's temporary credentials live (10..43200, default 3600); agents "
        "refresh them at 80 %% of that",
    )
    p.add_argument(
        "--no-controllers", action="store_true", help="never run the controllers here (an API-only replica)"
    )
    p.add_argument(
        "--dns-addr",
        default=None,
        help="service discovery DNS listen addresses, comma-separated, UDP and TCP; '' for none (default "
        f"{DEFAULT_DNS_ADDR}: for this host, and for containers on Docker's bridge, each if it can be had)",
    )
    p.add_argument(
        "--dns-upstream",
        default=None,
        help="where other names are forwarded (default: the host's resolv.conf nameserver; '' refuses them)",
    )
    p.add_argument(
        "--dns-advertise",
        default="",
        help="the DNS server address tasks get as resolver "
        "(default: a --dns-addr on port 53 that is not loopback)",
    )
    p.add_argument(
        "--insecure",
        action="store_true",
        help="plaintext gRPC and HTTP, agents with bearer tokens (for a laptop; never on a network)",
    )
    p.add_argument(
        "--agent-addr",
        default="127.0.0.1:7409",
        help="the mutual-TLS listen address agents hold their sessions on (TLS clusters)",
    )
    p.add_argument(
        "--agent-advertise-addr",
        default="",
        help="where agents reach --agent-addr (default: it, 0.0.0.0 as 127.0.0.1)",
    )
    p.add_argument(
        "--agent-cert-ttl",
        type=float,
        default=86400.0,
        help="seconds an agent's client certificate is valid (agents renew halfway; default 86400)",
    )
    p.add_argument(
        "--tls-cert", default=None, help="your own server certificate chain (PEM) for gRPC and HTTP"
    )
    p.add_argument("--tls-key", default=None, help="the key of --tls-cert (PEM)")
    p.add_argument(
        "--tls-ca",
        default=None,
        help="the CA bundle clients verify --tls-cert with (written to DATA_DIR/ca.pem)",
    )
    p.add_argument(
        "--tls-san",
        action="append",
        default=[],
        help="another name or address for the cluster CA's server certificate (repeatable)",
    )
    p.add_argument("--log-level", default="info")
    p.add_argument("--log-json", action="store_true", help="JSON logs even on a terminal")
    a = p.parse_args(argv)
    logs.configure(json=True if a.log_json else None, level=a.log_level)
    try:
        sessions.check_ttl(a.task_credentials_ttl)
    except ValueError as e:
        p.error(f"--task-credentials-ttl: {e}")
    try:
        etcd_tls = store_tls.load(
            _path(a.etcd_cacert), _path(a.etcd_cert), _path(a.etcd_key), a.etcd_server_name
        )
    except store_tls.EtcdTlsError as e:
        p.error(str(e))
    return Settings(
        data_dir=Path(a.data_dir).expanduser(),
        grpc_addr=a.grpc_addr,
        http_addr=a.http_addr,
        advertise_addr=a.advertise_addr,
        etcd_endpoints=tuple(e.strip() for e in a.etcd_endpoints.split(",") if e.strip()),
        etcd_prefix=a.etcd_prefix,
        etcd_tls=etcd_tls,
        region=a.region,
        account=a.account,
        etcd_wait_seconds=a.etcd_wait,
        agent_grace_seconds=a.agent_grace,
        task_retention_seconds=a.task_retention,
        controllers=not a.no_controllers,
        settle_seconds=a.settle_seconds,
        event_history_seconds=a.event_history,
        audit_events=a.audit_events,
        dns_addr=DEFAULT_DNS_ADDR if a.dns_addr is None else a.dns_addr,
        dns_optional=a.dns_addr is None,
        dns_upstream=a.dns_upstream,
        dns_advertise=a.dns_advertise,
        prometheus_url=a.prometheus_url,
        secrets_key_file=Path(a.secrets_key_file).expanduser() if a.secrets_key_file else None,
        rekey_secrets_to=_path(a.rekey_secrets),
        autoscale_interval_seconds=a.autoscale_interval,
        stats_min_interval_seconds=a.stats_min_interval,
        insecure=a.insecure,
        agent_addr=a.agent_addr,
        agent_advertise_addr=a.agent_advertise_addr,
        agent_cert_ttl_seconds=a.agent_cert_ttl,
        tls_cert_file=_path(a.tls_cert),
        tls_key_file=_path(a.tls_key),
        tls_ca_file=_path(a.tls_ca),
        tls_san=tuple(a.tls_san),
        task_credentials_ttl_seconds=a.task_credentials_ttl,
    )


def _path(value: str | None) -> Path | None:
    return Path(value).expanduser() if value else None


async def serve(settings: Settings) -> None:
    if settings.insecure:
        log.warning(
            "insecure_mode",
            detail="--insecure: gRPC and HTTP are plaintext and agents authenticate with bearer tokens; "
            "anyone on the network can read credentials and secrets. Use it on a laptop only.",
        )
    cp = ControlPlane(settings)
    await cp.start()
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    stopped = asyncio.create_task(stop.wait())
    failed = asyncio.create_task(cp.failed.wait())
    await asyncio.wait({stopped, failed}, return_when=asyncio.FIRST_COMPLETED)
    stopped.cancel()
    failed.cancel()
    await cp.stop()
    if cp.failed.is_set():
        raise SystemExit("berth-controlplane: a background loop crashed; see the log")


async def rekey_secrets(settings: Settings, new_key: Path) -> None:
    old_key = settings.secrets_key_file or settings.data_dir / "secrets.key"
    store = EtcdStore(settings.etcd_endpoints, prefix=settings.etcd_prefix, tls=settings.etcd_tls)
    await store.start()
    try:
        done = await rekey.rekey(store, old_key, new_key)
    except rekey.RekeyError as e:
        raise SystemExit(f"berth-controlplane --rekey-secrets: {e}") from None
    except BerthError as e:
        raise SystemExit(f"berth-controlplane --rekey-secrets: etcd: {e.message}; run it again") from None
    finally:
        await store.close()
    if done.already:
        print(f"the secrets are sealed with {new_key} already: nothing to do")
    else:
        ca = f"{done.ca_keys} cluster CA key" + ("s" if done.ca_keys != 1 else "")
        print(
            f"re-sealed {done.secret_versions} secret versions and {ca} with {new_key}; "
            f"start every replica with --secrets-key-file {new_key}, then destroy {old_key}"
        )


def main(argv: list[str] | None = None) -> None:
    settings = parse_args(argv)
    if settings.rekey_secrets_to is not None:
        asyncio.run(rekey_secrets(settings, settings.rekey_secrets_to))
        return
    asyncio.run(serve(settings))


if __name__ == "__main__":
    main()
