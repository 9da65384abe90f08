"""`berth up`: a whole single-machine berth in the foreground.

Starts, as child processes, a private etcd (data under DIR/etcd), one control plane and the local
agents, waits until each is healthy, prints the endpoint and the config path, and on Ctrl-C or
SIGTERM stops them in reverse order. State survives: the next `berth up` with the same DIR comes
back with the same clusters, task definitions and tasks. Logs go to DIR/logs/.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import dataclasses
import fcntl
import functools
import json
import os
import shutil
import signal
import ssl
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from berth import config
from berth.cli import command
from berth.cli.output import progress
from berth.client import Client
from berth.errors import ApiError

_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """Children get SIGTERM if `berth up` itself dies, so nothing is left running."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


@dataclass
class Child:
    name: str
    argv: list[str]
    log_path: Path
    proc: subprocess.Popen[bytes] | None = None
    log: IO[bytes] | None = field(default=None, repr=False)

    def start(self, env: dict[str, str] | None = None) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self.log = open(self.log_path, "ab")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            self.argv,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            preexec_fn=_die_with_parent,
            env=env,
        )

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self, timeout: float = 10.0) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.log is not None:
            self.log.close()

    def tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def _wait(what: str, ready: Callable[[], bool], child: Child, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not child.alive():
            raise RuntimeError(
                f"{what} exited during start-up; last lines of {child.log_path}:\n{child.tail()}"
            )
        if ready():
            return
        time.sleep(0.1)
    raise RuntimeError(f"{what} was not ready after {timeout:.0f} s; see {child.log_path}")


def _connected(client: Client, agent_dir: Path, cluster: str, pool: str) -> bool:
    """The agent of `agent_dir` has registered and holds its session (`pool`: a pool agent's)."""
    try:
        arn = json.loads((agent_dir / "identity.json").read_text())["container_instance_arn"]
        if pool:
            found = client.describe_pool(pool=pool).container_instances
        else:
            found = client.describe_container_instances(
                cluster=cluster, containerInstances=[arn]
            ).container_instances
    except (OSError, ValueError, KeyError, ApiError):
        return False
    return any(i.container_instance_arn == arn and i.agent_connected for i in found)


def replica_addr(addr: str, i: int) -> str:
    """Replica `i` of `berth up --replicas N` listens on the given port + 100 * i."""
    host, _, port = addr.rpartition(":")
    return addr if i == 0 else f"{host}:{int(port) + 100 * i}"


def _serving(http: str, data_dir: Path, insecure: bool) -> bool:
    """A control plane is up: its client config written, and healthy (over TLS verified with the
    CA bundle it wrote beside the config)."""
    if not (data_dir / "config").exists():
        return False
    if insecure:
        return _http_ok(f"http://{http}/healthz")
    return _http_ok(f"https://{http}/healthz", ssl.create_default_context(cafile=str(data_dir / "ca.pem")))


def _http_ok(url: str, context: ssl.SSLContext | None = None) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1, context=context) as r:
            return bool(r.status == 200)
    except OSError:
        return False


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--data-dir",
        default=str(Path.home() / ".berth"),
        help="state, logs and the client config (default ~/.berth)",
    )
    p.add_argument("--grpc-addr", default="127.0.0.1:7410", help="control plane gRPC address")
    p.add_argument(
        "--http-addr", default="127.0.0.1:7411", help="control plane HTTP address (/metrics, ECS JSON)"
    )
    p.add_argument(
        "--etcd-port", type=int, default=7419, help="client port of the private etcd (peer port +1)"
    )
    p.add_argument(
        "--agent-addr", default="127.0.0.1:7409", help="control plane mutual-TLS port for agents' sessions"
    )
    p.add_argument(
        "--insecure",
        action="store_true",
        help="plaintext gRPC and HTTP and bearer-token agents (a laptop only; says so in a warning)",
    )
    p.add_argument("--cluster", default="default", help="cluster the local agent joins")
    p.add_argument("--agent-http-addr", default="127.0.0.1:7412", help="the local agent's metrics address")
    p.add_argument(
        "--pool-agent-http-addr", default="127.0.0.1:7413", help="the local pool agent's metrics address"
    )
    p.add_argument("--no-agent", action="store_true", help="start no agents (control plane only)")
    p.add_argument(
        "--lb",
        action="append",
        default=[],
        metavar="NAME",
        help="also serve load balancer NAME with a local berth-lb and HAProxy (created if missing; "
        "repeatable; needs haproxy)",
    )
    p.add_argument(
        "--lb-listen-address",
        default="127.0.0.1",
        help="address the load balancers' listeners bind (default 127.0.0.1; 0.0.0.0 for all)",
    )
    p.add_argument(
        "--lb-metrics-port",
        type=int,
        default=7414,
        help="HAProxy Prometheus exporter port of the first load balancer (the next ones +1 each)",
    )
    p.add_argument(
        "--replicas",
        type=int,
        default=1,
        help="control plane replicas (replica i listens on the gRPC and HTTP ports + 100*i; the client "
        "config and the agents get every replica's endpoint and fail over)",
    )
    for who, what in (("agent", "the cluster's agent"), ("pool-agent", "the FARGATE pool agent")):
        p.add_argument(
            f"--{who}-cpu",
            type=int,
            default=0,
            metavar="UNITS",
            help=f"CPU units {what} offers (default: half the machine, or what the other leaves)",
        )
        p.add_argument(
            f"--{who}-memory",
            type=int,
            default=0,
            metavar="MIB",
            help=f"MiB {what} offers (default: half the machine, or what the other leaves)",
        )


@dataclass(frozen=True)
class Share:
    cpu: int  # CPU units (1024 per core)
    memory: int  # MiB


def split_machine(machine: Share, agent: Share, pool: Share) -> tuple[Share, Share]:
    """What the cluster agent and the pool agent each offer, so that together they offer the
    machine once, not twice. 0 in `agent` or `pool` means not given: half the machine when neither
    is, what the other leaves when one is. ValueError when a given share leaves the other nothing."""

    def split(resource: str, flag: str, total: int, mine: int, theirs: int) -> tuple[int, int]:
        for name, value in ((f"--agent-{flag}", mine), (f"--pool-agent-{flag}", theirs)):
            if value < 0:
                raise ValueError(f"{name} {value}: must be 0 (split the machine) or more")
        if mine and theirs:
            return mine, theirs
        if not mine and not theirs:
            return total - total // 2, total // 2
        given, name, other = (
            (mine, "--agent", "--pool-agent") if mine else (theirs, "--pool-agent", "--agent")
        )
        if given >= total:
            raise ValueError(
                f"{name}-{flag} {given} leaves no {resource} for the other agent (this machine has "
                f"{total}); give {other}-{flag} too"
            )
        return (mine, total - mine) if mine else (total - theirs, theirs)

    cpu = split("CPU", "cpu", machine.cpu, agent.cpu, pool.cpu)
    memory = split("memory", "memory", machine.memory, agent.memory, pool.memory)
    return Share(cpu[0], memory[0]), Share(cpu[1], memory[1])


def this_machine() -> Share:
    """The machine's CPU units and memory, counted as the agent counts them."""
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // (1024 * 1024)
    return Share(1024 * (os.cpu_count() or 1), memory)


def run(args: argparse.Namespace) -> int:
    data = Path(args.data_dir).expanduser().resolve()
    if args.replicas < 1:
        print(f"berth: --replicas {args.replicas}: at least 1", file=sys.stderr)
        return 2
    if args.replicas > 1 and any(a.endswith(":0") for a in (args.grpc_addr, args.http_addr)):
        print("berth: --replicas needs fixed --grpc-addr and --http-addr ports (not :0)", file=sys.stderr)
        return 2
    data.mkdir(parents=True, exist_ok=True)
    lock = open(data / "up.lock", "w")  # noqa: SIM115 - held for the life of the process
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        print(f"berth: another `berth up` is already running with {data}", file=sys.stderr)
        return 1
    try:
        shares = None
        if not args.no_agent:
            shares = split_machine(
                this_machine(),
                Share(args.agent_cpu, args.agent_memory),
                Share(args.pool_agent_cpu, args.pool_agent_memory),
            )
    except ValueError as e:
        print(f"berth: {e}", file=sys.stderr)
        return 2
    etcd_bin = shutil.which("etcd")
    if etcd_bin is None:
        print("berth: the etcd binary is not on PATH (Debian: apt-get install etcd-server)", file=sys.stderr)
        return 1
    haproxy = shutil.which("haproxy") or (
        "/usr/sbin/haproxy" if os.path.exists("/usr/sbin/haproxy") else None
    )
    if args.lb and haproxy is None:
        print("berth: --lb needs haproxy (Debian: apt-get install haproxy)", file=sys.stderr)
        return 1
    logs = data / "logs"
    etcd_url = f"http://127.0.0.1:{args.etcd_port}"
    peer_url = f"http://127.0.0.1:{args.etcd_port + 1}"
    children = [
        Child(
            "etcd",
            [
                etcd_bin,
                "--name",
                "berth",
                "--data-dir",
                str(data / "etcd"),
                "--listen-client-urls",
                etcd_url,
                "--advertise-client-urls",
                etcd_url,
                "--listen-peer-urls",
                peer_url,
                "--initial-advertise-peer-urls",
                peer_url,
                "--initial-cluster",
                f"berth={peer_url}",
                "--auto-compaction-retention",
                "1h",
            ],
            logs / "etcd.log",
        ),
    ]
    replicas = [
        Child(
            "controlplane" if i == 0 else f"controlplane-{i}",
            [
                sys.executable,
                "-m",
                "controlplane.main",
                "--etcd-endpoints",
                f"127.0.0.1:{args.etcd_port}",
                "--grpc-addr",
                replica_addr(args.grpc_addr, i),
                "--http-addr",
                replica_addr(args.http_addr, i),
                "--agent-addr",
                replica_addr(args.agent_addr, i),
                *(["--insecure"] if args.insecure else []),
                "--data-dir",
                str(data if i == 0 else data / "replicas" / str(i)),
                # One key for every replica: they all open the same sealed secrets.
                "--secrets-key-file",
                str(data / "secrets.key"),
                "--log-json",
            ],
            logs / ("controlplane.log" if i == 0 else f"controlplane-{i}.log"),
        )
        for i in range(args.replicas)
    ]
    started: list[Child] = []
    stopping = False

    def on_signal(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    try:
        (etcd,) = children
        progress(args, f"starting etcd (data in {data / 'etcd'}) ...")
        etcd.start()
        started.append(etcd)
        _wait("etcd", lambda: _http_ok(f"{etcd_url}/health"), etcd, 30)
        for i, cp in enumerate(replicas):
            what = "the control plane" if args.replicas == 1 else f"control plane replica {i}"
            progress(args, f"starting {what} on {replica_addr(args.grpc_addr, i)} ...")
            cp.start()
            started.append(cp)
            http = replica_addr(args.http_addr, i).replace("0.0.0.0", "127.0.0.1")
            cp_dir = data if i == 0 else data / "replicas" / str(i)
            _wait(
                what,
                functools.partial(_serving, http, cp_dir, args.insecure),
                cp,
                60,
            )
        if args.replicas > 1:
            # Clients and agents get every replica: they move on when one dies.
            endpoints = ",".join(
                replica_addr(args.grpc_addr, i).replace("0.0.0.0", "127.0.0.1") for i in range(args.replicas)
            )
            config.write(
                data / "config", dataclasses.replace(config.load(data / "config"), endpoint=endpoints)
            )
        if shares is not None:
            mine, pool = shares
            progress(
                args,
                f"starting the agent of cluster {args.cluster!r} ({mine.cpu} CPU units, {mine.memory} MiB) "
                f"and the FARGATE pool agent ({pool.cpu} CPU units, {pool.memory} MiB) ...",
            )
        agents = _agents(args, data, logs, shares)
        for agent in agents:
            agent.start()
            started.append(agent)
        if agents:
            # Ready means joined: a task run right after "berth is up" finds its cluster and host.
            with Client(config_path=data / "config", timeout=5) as client:
                for agent in agents:
                    _wait(
                        f"the {agent.name}",
                        functools.partial(
                            _connected,
                            client,
                            data / agent.name,
                            args.cluster,
                            "fargate" if "--pool" in agent.argv else "",
                        ),
                        agent,
                        60,
                    )
        for lb in _load_balancers(args, data, logs, str(haproxy)):
            _ensure_load_balancer(data, lb.name.removeprefix("lb-"))
            lb.start()
            started.append(lb)
        cfg = json.loads((data / "config").read_text())
        print(f"berth is up: gRPC {cfg['endpoint']}, HTTP {cfg['httpEndpoint']}")
        for i, name in enumerate(args.lb):
            print(
                f"load balancer {name}: listeners on {args.lb_listen_address}, "
                f"HAProxy metrics on {args.lb_listen_address}:{args.lb_metrics_port + i}/metrics"
            )
        print(f"client config: {data / 'config'}")
        print(f"web console: {cfg['httpEndpoint']}/ui/ (log in with the config's access key)")
        print(f"logs: {logs}/   stop with Ctrl-C")
        sys.stdout.flush()
        gone: set[str] = set()
        while not stopping:
            for child in started:
                if child.alive() or child.name in gone:
                    continue
                print(
                    f"berth: {child.name} exited; last lines of {child.log_path}:\n{child.tail()}",
                    file=sys.stderr,
                )
                gone.add(child.name)
                if child not in replicas or all(r.name in gone for r in replicas):
                    return 1
                print(f"berth: {len(replicas) - len(gone)} control plane replicas go on", file=sys.stderr)
            time.sleep(0.2)
        print("stopping berth ...")
        return 0
    except RuntimeError as e:
        print(f"berth: {e}", file=sys.stderr)
        return 1
    finally:
        for child in reversed(started):
            child.stop()
        lock.close()


def _load_balancers(args: argparse.Namespace, data: Path, logs: Path, haproxy: str) -> list[Child]:
    """One berth-lb per --lb name; HAProxy stops with it (berth up leaves nothing running)."""
    cfg = json.loads((data / "config").read_text())
    return [
        Child(
            f"lb-{name}",
            [
                sys.executable,
                "-m",
                "agent.lb.main",
                "--controlplane",
                cfg["endpoint"],
                "--config",
                str(data / "config"),
                "--name",
                name,
                "--listen-address",
                args.lb_listen_address,
                "--metrics-port",
                str(args.lb_metrics_port + i),
                "--data-dir",
                str(data / "lb" / name),
                "--haproxy",
                haproxy,
                "--stop-haproxy-on-exit",
                "--log-json",
            ],
            logs / f"lb-{name}.log",
        )
        for i, name in enumerate(args.lb)
    ]


def _ensure_load_balancer(data: Path, name: str) -> None:
    """Create load balancer `name` unless it exists (an application load balancer, internal)."""
    with Client(config_path=data / "config", timeout=5) as client:
        try:
            client.elb("CreateLoadBalancer", name=name, scheme="internal", type="application")
        except ApiError as e:
            if e.code != "ALREADY_EXISTS":
                print(f"berth: load balancer {name}: {e}", file=sys.stderr)


def _agents(
    args: argparse.Namespace, data: Path, logs: Path, shares: tuple[Share, Share] | None
) -> list[Child]:
    """The local agents `berth up` runs: one in the cluster, one in the hidden FARGATE pool."""
    if shares is None:
        return []
    agent, pool = shares
    cfg = json.loads((data / "config").read_text())
    common = [
        sys.executable,
        "-m",
        "agent.main",
        "--endpoint",
        cfg["endpoint"],
        "--join-token-file",
        str(data / "join-token"),
        "--log-json",
    ]
    host = os.uname().nodename
    return [
        Child(
            "agent",
            [
                *common,
                "--cluster",
                args.cluster,
                "--data-dir",
                str(data / "agent"),
                "--name",
                host,
                "--http-addr",
                args.agent_http_addr,
                "--cpu",
                str(agent.cpu),
                "--memory",
                str(agent.memory),
            ],
            logs / "agent.log",
        ),
        Child(
            "pool-agent",
            [
                *common,
                "--pool",
                "fargate",
                "--data-dir",
                str(data / "pool-agent"),
                "--name",
                f"{host}-pool",
                "--http-addr",
                args.pool_agent_http_addr,
                # The agent has the ECS credentials address and port; the pool agent another port on
                # it (its containers get the full URI).
                "--credentials-addr",
                "169.254.170.2:0",
                "--cpu",
                str(pool.cpu),
                "--memory",
                str(pool.memory),
            ],
            logs / "pool-agent.log",
        ),
    ]


command("up", "start a single-machine berth (etcd, control plane, agent) in the foreground")((configure, run))
