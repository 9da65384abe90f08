"""`berth-agent`: register this host as a container instance and run its tasks."""

from __future__ import annotations

import argparse
import asyncio
import fcntl
import os
import signal
import socket
import sys
from pathlib import Path
from typing import Any

import structlog

from agent import drain
from agent.credentials.model import DEFAULT_ADDRESS, parse_address
from agent.credentials.service import CredentialsService
from agent.execs import ExecService
from agent.http import build_app
from agent.logs import LogService
from agent.manager import TaskManager
from agent.metrics import (
    LaunchTracker,
    Sampler,
    install_collector,
    observe_docker_call,
    report_stats,
    task_infos,
)
from agent.runtime.cgroups import TaskCgroup
from agent.runtime.docker import DockerRuntime
from agent.sandbox import SandboxPool
from agent.secretfiles import SecretFiles
from agent.session import Deregistered, Session
from agent.settings import (
    AGENT_VERSION,
    DEFAULT_RESERVED_PORTS,
    DEFAULT_SECRETS_DIR,
    PULL_BEHAVIORS,
    AgentSettings,
)
from agent.stats import StatsReader
from agent.taskrunner import RunnerDeps
from berth import logs, tls
from berth.endpoints import grpc_target
from berth.httpserve import start_http

log = structlog.get_logger("berth.agent")


def parse_args(argv: list[str] | None = None) -> AgentSettings:
    p = argparse.ArgumentParser(prog="berth-agent", description="Run the berth agent on this host.")
    p.add_argument(
        "--endpoint",
        required=True,
        help="control plane gRPC address HOST:PORT, or several replicas IP:PORT,IP:PORT,... "
        "(or dns:///NAME:PORT resolving to all of them): the session moves on when one dies",
    )
    p.add_argument("--cluster", default="default", help="cluster to join (default: default)")
    p.add_argument("--pool", default="", choices=("", "fargate"), help="join the hidden FARGATE pool instead")
    p.add_argument(
        "--join-token",
        default=os.environ.get("BERTH_JOIN_TOKEN", ""),
        help="the control plane's join token (or $BERTH_JOIN_TOKEN, or --join-token-file)",
    )
    p.add_argument("--join-token-file", help="read the join token from this file")
    p.add_argument(
        "--agent-endpoint",
        action="append",
        default=[],
        help="hold the session on this agent port (HOST:PORT, repeatable) instead of those the control "
        "plane advertises (TLS clusters; e.g. a replica next to the host, or an address behind NAT)",
    )
    p.add_argument(
        "--ca-file",
        default=None,
        help="the CA bundle that verifies the control plane (default: the CA the join token names, "
        "read from the control plane once and kept in the data dir)",
    )
    p.add_argument("--data-dir", required=True, help="where the agent keeps its identity")
    p.add_argument("--name", default="", help="host name to report (default: the machine's)")
    p.add_argument(
        "--attribute", action="append", default=[], metavar="KEY=VALUE", help="custom attribute (repeatable)"
    )
    p.add_argument(
        "--availability-zone", default="local", help="value of the ecs.availability-zone attribute"
    )
    p.add_argument("--instance-type", default="berth", help="value of the ecs.instance-type attribute")
    p.add_argument(
        "--http-addr", default="127.0.0.1:7412", help="metrics and introspection address (port 0: any)"
    )
    p.add_argument("--cpu", type=int, default=0, help="CPU units to offer (default 1024 per core)")
    p.add_argument("--memory", type=int, default=0, help="MiB to offer (default: the host's memory)")
    p.add_argument("--reserved-memory", type=int, default=0, help="MiB kept back for the host")
    p.add_argument("--reserved-port", type=int, action="append", default=[], help="extra reserved TCP port")
    p.add_argument("--publish-ip", default="0.0.0.0", help="host address that bridge-mode ports publish on")
    p.add_argument("--image-pull-behavior", default="default", choices=PULL_BEHAVIORS)
    p.add_argument("--heartbeat", type=float, default=3.0, help="seconds between heartbeats")
    p.add_argument(
        "--stop-timeout", type=float, default=30.0, help="default SIGTERM-to-SIGKILL grace, seconds"
    )
    p.add_argument(
        "--cleanup-wait",
        type=float,
        default=3 * 3600.0,
        help="seconds to keep a stopped task's containers (logs) before removing them",
    )
    p.add_argument(
        "--docker-url", default="", help="Docker engine URL (default: DOCKER_HOST or the local socket)"
    )
    p.add_argument(
        "--no-task-cgroups", action="store_true", help="do not enforce task-level cpu/memory with cgroups"
    )
    p.add_argument(
        "--warm-sandboxes",
        type=int,
        default=None,
        help="FARGATE sandboxes to keep ready (default: 2 with --pool, else 0)",
    )
    p.add_argument(
        "--warm-idle",
        type=float,
        default=600.0,
        help="seconds without a FARGATE task after which only one sandbox is kept ready",
    )
    p.add_argument(
        "--stats-interval",
        type=float,
        default=10.0,
        help="seconds between task usage reports to the control plane (service utilisation)",
    )
    p.add_argument(
        "--drain-on-stop",
        action="store_true",
        help="on SIGTERM set this instance DRAINING and wait for its service tasks to move before "
        "exiting (the next start makes it ACTIVE again); SIGINT stops without draining, SIGUSR1 "
        "(a restart) without draining or saying goodbye",
    )
    p.add_argument(
        "--drain-timeout",
        type=float,
        default=300.0,
        help="longest wait for the service tasks to move with --drain-on-stop, seconds (default 300)",
    )
    p.add_argument(
        "--credentials-addr",
        default=DEFAULT_ADDRESS,
        help="where task role credentials are served to containers, HOST:PORT (default "
        f"{DEFAULT_ADDRESS}, the ECS address, added to lo; another port hands containers the full "
        "URI; port 0 picks one; '' serves none)",
    )
    p.add_argument(
        "--secrets-dir",
        default=str(DEFAULT_SECRETS_DIR),
        help="tmpfs for secrets that tasks read as files (mounted as one when it is not; default "
        f"{DEFAULT_SECRETS_DIR})",
    )
    p.add_argument("--log-level", default="info")
    p.add_argument("--log-json", action="store_true")
    a = p.parse_args(argv)
    logs.configure(json=True if a.log_json else None, level=a.log_level)
    attributes = {}
    for item in a.attribute:
        key, sep, value = item.partition("=")
        if not key:
            p.error(f"--attribute {item!r}: expected KEY=VALUE")
        attributes[key] = value if sep else ""
    if a.drain_on_stop and a.pool:
        p.error("--drain-on-stop: pool agents do not drain (their instances are in no cluster)")
    if a.drain_timeout < 0:
        p.error(f"--drain-timeout {a.drain_timeout}: must not be negative")
    if a.credentials_addr:
        try:
            parse_address(a.credentials_addr)
        except ValueError as e:
            p.error(f"--credentials-addr: {e}")
    try:
        grpc_target(a.endpoint)
    except ValueError as e:
        p.error(f"--endpoint: {e}")
    token = a.join_token
    if a.join_token_file:
        token = Path(a.join_token_file).read_text().strip()
    try:
        tls.split_join_token(token)
    except tls.TlsError as e:
        p.error(f"--join-token: {e}")
    return AgentSettings(
        endpoint=a.endpoint,
        data_dir=Path(a.data_dir).expanduser(),
        cluster=a.cluster,
        join_token=token,
        ca_file=Path(a.ca_file).expanduser() if a.ca_file else None,
        agent_endpoints=tuple(a.agent_endpoint),
        name=a.name,
        pool=a.pool,
        attributes=attributes,
        availability_zone=a.availability_zone,
        instance_type=a.instance_type,
        http_addr=a.http_addr,
        cpu_units=a.cpu,
        memory_mib=a.memory,
        reserved_memory_mib=a.reserved_memory,
        reserved_ports=DEFAULT_RESERVED_PORTS + tuple(a.reserved_port),
        publish_ip=a.publish_ip,
        image_pull_behavior=a.image_pull_behavior,
        heartbeat_seconds=a.heartbeat,
        stop_timeout_seconds=a.stop_timeout,
        container_cleanup_wait_seconds=a.cleanup_wait,
        docker_url=a.docker_url,
        task_cgroups=not a.no_task_cgroups,
        stats_interval_seconds=a.stats_interval,
        warm_sandboxes=a.warm_sandboxes if a.warm_sandboxes is not None else (2 if a.pool else 0),
        warm_idle_seconds=a.warm_idle,
        drain_on_stop=a.drain_on_stop,
        drain_timeout_seconds=a.drain_timeout,
        credentials_addr=a.credentials_addr,
        secrets_dir=Path(a.secrets_dir),
    )


def host_address() -> str:
    """The address other hosts reach this one at (best effort; 127.0.0.1 on a lone machine)."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(("10.255.255.255", 1))
            return str(s.getsockname()[0])
    except OSError:
        return "127.0.0.1"


def task_cgroups(settings: AgentSettings) -> TaskCgroup | None:
    if not settings.task_cgroups:
        return None
    memory = Path(settings.cgroup_root) / "memory"
    if not os.access(memory, os.W_OK):
        log.warning("task_cgroups_unavailable", error=f"{memory} is not a writable cgroup v1 hierarchy")
        return None
    return TaskCgroup(settings.cgroup_root)


async def run(settings: AgentSettings) -> int:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    lock = open(settings.data_dir / "agent.lock", "w")  # noqa: SIM115, ASYNC230 - held while running
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        print(f"berth-agent: another agent is running with {settings.data_dir}", file=sys.stderr)
        return 1
    runtime = DockerRuntime(base_url=settings.docker_url or None, on_call=observe_docker_call)
    info = await runtime.info()
    session = Session(settings)
    session.logs = LogService(runtime, session.send_log)
    session.execs = ExecService(runtime, session.send_exec)
    manager: TaskManager | None = None

    def metadata() -> dict[str, Any]:
        return {
            "cluster": settings.pool or settings.cluster,
            "containerInstanceArn": session.identity.container_instance_arn,
            "version": AGENT_VERSION,
            "connected": session.connected,
            "unacknowledged": session.unacknowledged,
            "logStreams": session.logs.active if session.logs is not None else 0,
            "execSessions": session.execs.active if session.execs is not None else 0,
        }

    runner, port = await start_http(
        build_app(metadata, lambda: manager.snapshot() if manager else []), settings.http_addr
    )
    http_host = settings.http_addr.rpartition(":")[0] or "127.0.0.1"
    ident = await session.register(info, metrics_endpoint=f"{http_host}:{port}", host_address=host_address())
    cgroups = task_cgroups(settings)
    sandboxes = None
    if settings.pool or settings.warm_sandboxes:
        sandboxes = SandboxPool(
            runtime,
            cgroups,
            instance_arn=ident.container_instance_arn,
            data_dir=settings.data_dir,
            warm=settings.warm_sandboxes,
            idle_seconds=settings.warm_idle_seconds,
            pause_image=settings.pause_image,
        )
        pool = sandboxes
        session.warm_count = lambda: len(pool.ready)
    credentials = CredentialsService(session.task_credentials, settings.data_dir)
    if settings.credentials_addr:
        await credentials.listen(settings.credentials_addr)
    else:
        credentials.unavailable = "this agent serves no task role credentials (--credentials-addr '')"
    deps = RunnerDeps(
        runtime=runtime,
        settings=settings,
        instance_arn=ident.container_instance_arn,
        report=LaunchTracker().wrap(session.report),
        sandboxes=sandboxes,
        cgroups=cgroups,
        dns_servers=session.dns_servers,
        fetch_secrets=session.task_secrets,
        credentials=credentials,
        secret_files=SecretFiles(settings.secrets_dir, ident.container_instance_arn.rsplit("/", 1)[-1]),
    )
    manager = TaskManager(deps)
    session.on_secrets_changed = manager.secrets_changed
    runners = manager.runners
    sampler = Sampler(lambda: task_infos(runners.values()), StatsReader(settings.cgroup_root))
    install_collector(sampler)
    if settings.drain_on_stop:
        await drain.reactivate(session)
    live_service_tasks = manager.live_service_tasks
    signals: list[int] = []
    stop, again = asyncio.Event(), asyncio.Event()

    def on_signal(sig: int) -> None:
        signals.append(sig)
        (again if stop.is_set() else stop).set()

    async def stopping() -> None:
        await stop.wait()
        if settings.drain_on_stop and signals[0] == signal.SIGTERM:
            await drain.drain(session, live_service_tasks, again)

    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGUSR1):
        loop.add_signal_handler(sig, on_signal, sig)
    code = 0
    try:
        async with asyncio.TaskGroup() as tg:
            watcher = tg.create_task(manager.watch_events())
            stream = tg.create_task(session.run(manager.apply))
            stopper = tg.create_task(stopping())
            stats = tg.create_task(report_stats(sampler, session.send_stats, settings.stats_interval_seconds))
            tasks = {watcher, stream, stopper, stats}
            if session.tls:
                tasks.add(tg.create_task(session.keep_certificate()))
            if sandboxes is not None:
                tasks.add(tg.create_task(sandboxes.run()))
            await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            for task in tasks:
                task.cancel()
    except* Deregistered as group:
        log.error("instance_deregistered", error=str(group.exceptions[0]))
        code = 3
    finally:
        # Containers keep running: a restarted agent adopts them. After a goodbye no new task comes
        # here and the service tasks are replaced elsewhere; SIGUSR1 (a restart, as for an upgrade)
        # leaves without one, so that an agent back within the liveness grace keeps its tasks.
        if code == 0 and signals[:1] != [signal.SIGUSR1]:
            await session.goodbye("the agent is stopping")
        await manager.close()
        await credentials.close()
        if deps.secret_files is not None:
            deps.secret_files.close()
        if sandboxes is not None:
            await sandboxes.close()
        await session.logs.close()
        await session.execs.close()
        await session.close()
        await runtime.close()
        await runner.cleanup()
        lock.close()
    return code


def main(argv: list[str] | None = None) -> None:
    settings = parse_args(argv)
    sys.exit(asyncio.run(run(settings)))


if __name__ == "__main__":
    main()
