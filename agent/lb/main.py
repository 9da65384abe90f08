"""`berth-lb`: serve one load balancer on this host through a real HAProxy.

It watches the load balancer's configuration (LoadBalancerNode.WatchLoadBalancer; every message is
the whole config) and applies each one: a config whose structure (listeners, target groups, slot
counts) matches what HAProxy runs is applied through the runtime API alone; otherwise HAProxy is
soft-reloaded. Every `--health-interval` it re-applies the last config (a drain deadline may have
passed, HAProxy may have died), reads HAProxy's checks and reports the targets whose ELB health
changed (ReportTargetHealth). When the control plane goes away it reconnects with backoff while
HAProxy keeps serving the last config; after a reconnect all health is reported again.

HAProxy outlives berth-lb (a restart adopts it, see `agent.lb.haproxy`) unless
`--stop-haproxy-on-exit` is given (what `berth up` does). The last config is kept in the data dir,
so a berth-lb that starts with no HAProxy running and no control plane reachable serves it again.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import fcntl
import os
import signal
import socket
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import grpc
import structlog

from agent.lb.config import ConfigError, NodeSettings, render, slot_count, structure
from agent.lb.haproxy import HAProxy, HAProxyError
from agent.lb.health import Health, target_health
from agent.lb.names import backend_name, server_name
from agent.lb.plan import BackendPlan, ServerState, Want, plan_backend, servable, wanted
from berth import config as client_config
from berth import logs
from berth.client import aio_channel
from berth.v1 import elb_pb2, elb_pb2_grpc

log = structlog.get_logger("berth.lb")

TargetKey = tuple[str, str, int]  # target group ARN, target id, port


@dataclass(frozen=True)
class LbSettings:
    controlplane: str
    token: str
    name: str
    node_id: str
    advertise: str
    data_dir: Path
    listen_address: str = "0.0.0.0"
    metrics_address: str = "0.0.0.0"
    ca_file: str = ""  # verifies the control plane's TLS ("": plaintext, an --insecure cluster)
    metrics_port: int = 0
    haproxy: str = "haproxy"
    health_interval: float = 1.0
    stop_haproxy_on_exit: bool = False

    @property
    def node(self) -> NodeSettings:
        return NodeSettings(
            data_dir=str(self.data_dir),
            listen_address=self.listen_address,
            metrics_address=self.metrics_address,
            metrics_port=self.metrics_port,
        )


class Node:
    """One load balancer's HAProxy: applies configs, tracks which slot holds which target, and turns
    HAProxy's checks into ELB health changes."""

    def __init__(
        self, haproxy: HAProxy, settings: NodeSettings, *, clock: Callable[[], float] = time.time
    ) -> None:
        self.haproxy = haproxy
        self.settings = settings
        self.clock = clock
        self.config: elb_pb2.LoadBalancerConfig | None = None  # the one applied last
        self.latest: elb_pb2.LoadBalancerConfig | None = None  # the newest one given
        self.sizes: dict[str, int] = {}
        self.owners: dict[str, dict[int, Want]] = {}
        self.checks: dict[str, bool] = {}
        self.groups: dict[str, str] = {}  # backend -> target group ARN
        self.reported: dict[TargetKey, Health] = {}
        self.reloads = 0
        self.lock = asyncio.Lock()

    @property
    def saved_path(self) -> Path:
        return self.haproxy.data_dir / "last-config.pb"

    def load_saved(self) -> elb_pb2.LoadBalancerConfig | None:
        try:
            return elb_pb2.LoadBalancerConfig.FromString(self.saved_path.read_bytes())
        except (OSError, ValueError):
            return None

    async def apply(self, config: elb_pb2.LoadBalancerConfig) -> None:
        """Make HAProxy serve `config`; raises ConfigError/HAProxyError and then keeps the last one.
        Calls queue on one lock, and each applies the newest config given so far, so a stale one
        (the health tick's) never overtakes a newer one (the watch's)."""
        self.latest = config
        async with self.lock:
            newest = self.latest
            await self._apply(newest)
            if newest is not self.config:
                self.config = newest
                tmp = self.saved_path.with_suffix(".tmp")
                tmp.write_bytes(newest.SerializeToString())
                os.replace(tmp, self.saved_path)

    async def _apply(self, config: elb_pb2.LoadBalancerConfig) -> None:
        now = self.clock()
        running = self.haproxy.pid() is not None
        current = await self.haproxy.runtime.servers() if running else {}
        wants: dict[str, list[Want]] = {}
        sizes: dict[str, int] = {}
        checks: dict[str, bool] = {}
        groups: dict[str, str] = {}
        for group in config.target_groups:
            tg = group.target_group
            backend = backend_name(tg.target_group_name)
            wants[backend] = wanted(group, now)
            bad = [f"{t.address}:{t.port}" for t in group.targets if not servable(t)]
            if bad and config is not self.config:
                log.warning("targets_skipped", target_group=tg.target_group_name, targets=bad[:10])
            sizes[backend] = slot_count(len(wants[backend]), len(current.get(backend, [])))
            checks[backend] = tg.health_check_enabled if tg.HasField("health_check_enabled") else True
            groups[backend] = tg.target_group_arn
        if not running or self.haproxy.running_structure() != structure(config, self.settings, sizes):
            plans = {
                b: plan_backend(b, current.get(b, []), wants[b], sizes[b], checks=checks[b]) for b in wants
            }
            text = render(config, self.settings, {b: p.slots for b, p in plans.items()})
            keep = _unchanged(current, plans)
            if running:
                await self.haproxy.reload(text, keep)
                self.reloads += 1
            else:
                await self.haproxy.start(text)
            current = await self.haproxy.runtime.servers()
        owners: dict[str, dict[int, Want]] = {}
        commands: list[str] = []
        for backend, backend_wants in wants.items():
            plan = plan_backend(
                backend, current.get(backend, []), backend_wants, sizes[backend], checks=checks[backend]
            )
            commands += plan.commands
            owners[backend] = plan.owners
        if commands:
            errors = await self.haproxy.runtime.run(commands)
            log.info("targets_applied", commands=len(commands), revision=config.revision)
            if errors:
                log.warning("haproxy_commands_failed", errors=errors[:5])
        self.sizes, self.owners, self.checks, self.groups = sizes, owners, checks, groups

    async def tick(self) -> None:
        """Re-apply the last config: drain deadlines pass, and a dead HAProxy is started again."""
        if self.latest is not None:
            await self.apply(self.latest)

    async def health_changes(self) -> list[elb_pb2.TargetHealthReport]:
        """The targets whose ELB health differs from what was last reported (see `mark_reported`)."""
        if not self.owners:
            return []
        async with self.lock:
            current = await self.haproxy.runtime.servers()
        reports = []
        seen: set[TargetKey] = set()
        for backend, owners in self.owners.items():
            slots = {s.slot: s for s in current.get(backend, [])}
            arn = self.groups[backend]
            for slot, want in owners.items():
                key = (arn, want.target_id, want.port)
                seen.add(key)
                server: ServerState | None = slots.get(slot)
                if server is not None and (server.address, server.port) != want.endpoint:
                    server = None
                health = target_health(
                    server,
                    draining=want.draining,
                    checks=self.checks[backend],
                    previous=self.reported.get(key),
                )
                if self.reported.get(key) != health:
                    reports.append(
                        elb_pb2.TargetHealthReport(
                            target_group_arn=arn,
                            target=elb_pb2.TargetDescription(id=want.target_id, port=want.port),
                            target_health=elb_pb2.TargetHealth(
                                state=health.state, reason=health.reason, description=health.description
                            ),
                        )
                    )
        for key in [k for k in self.reported if k not in seen]:
            del self.reported[key]
        return reports

    def mark_reported(self, reports: list[elb_pb2.TargetHealthReport]) -> None:
        for r in reports:
            h = r.target_health
            self.reported[(r.target_group_arn, r.target.id, r.target.port)] = Health(
                h.state, h.reason, h.description
            )


def _unchanged(current: dict[str, list[ServerState]], plans: dict[str, BackendPlan]) -> set[tuple[str, str]]:
    """Servers whose slot holds the same thing in the new config: they keep their state on reload."""
    keep = set()
    for backend, plan in plans.items():
        have = {s.slot: s for s in current.get(backend, [])}
        for n, slot in enumerate(plan.slots, start=1):
            cur = have.get(n)
            if cur is None:
                continue
            same = (cur.address, cur.port) == (slot.address, slot.port)
            if (same and slot.enabled) or (cur.free and slot.free):
                keep.add((backend, server_name(n)))
    return keep


class Controller:
    """The connection to the control plane: the watch stream and the health reports."""

    def __init__(self, settings: LbSettings, node: Node) -> None:
        self.settings = settings
        self.node = node
        self.connected = asyncio.Event()
        self.configs = 0
        self.channel = aio_channel(settings.controlplane, settings.ca_file)
        self.stub = elb_pb2_grpc.LoadBalancerNodeStub(self.channel)  # type: ignore[no-untyped-call]
        self.metadata = (("authorization", f"Bearer {settings.token}"),) if settings.token else ()

    @property
    def metrics_address(self) -> str:
        return f"{self.settings.advertise}:{self.settings.metrics_port}" if self.settings.metrics_port else ""

    async def watch(self) -> None:
        backoff = 0.5
        request = elb_pb2.WatchLoadBalancerRequest(
            load_balancer_name=self.settings.name,
            node_id=self.settings.node_id,
            dns_name=self.settings.advertise,
            metrics_address=self.metrics_address,
        )
        while True:
            try:
                call = self.stub.WatchLoadBalancer(request, metadata=self.metadata)
                async for config in call:
                    if not self.connected.is_set():
                        self.node.reported.clear()  # a new stream: report everything again
                        self.connected.set()
                        log.info("controlplane_connected", load_balancer=self.settings.name)
                    backoff = 0.5
                    self.configs += 1
                    try:
                        await self.node.apply(config)
                    except (ConfigError, HAProxyError) as e:
                        log.error("config_rejected", revision=config.revision, error=str(e))
                log.warning("watch_ended", retry_in=backoff)
            except grpc.aio.AioRpcError as e:
                log.warning(
                    "controlplane_unreachable", code=e.code().name, detail=e.details(), retry_in=backoff
                )
            self.connected.clear()
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, 10.0)

    async def report_health(self) -> None:
        while True:
            await asyncio.sleep(self.settings.health_interval)
            try:
                await self.node.tick()
                if not self.connected.is_set():
                    continue
                reports = await self.node.health_changes()
                if not reports:
                    continue
                await self.stub.ReportTargetHealth(
                    elb_pb2.ReportTargetHealthRequest(
                        load_balancer_arn=self.node.config.load_balancer.load_balancer_arn
                        if self.node.config
                        else "",
                        node_id=self.settings.node_id,
                        reports=reports,
                    ),
                    metadata=self.metadata,
                    timeout=10,
                )
                self.node.mark_reported(reports)
                for r in reports:
                    log.info(
                        "target_health_changed",
                        target_group=r.target_group_arn,
                        target=f"{r.target.id}:{r.target.port}",
                        state=r.target_health.state,
                        reason=r.target_health.reason,
                    )
            except grpc.aio.AioRpcError as e:
                log.warning("health_report_failed", code=e.code().name, detail=e.details())
            except (ConfigError, HAProxyError) as e:
                log.error("haproxy_tick_failed", error=str(e))


async def run(settings: LbSettings) -> int:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    lock = open(settings.data_dir / "berth-lb.lock", "w")  # noqa: SIM115, ASYNC230 - held while running
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        print(f"berth-lb: another berth-lb is running with --data-dir {settings.data_dir}", file=sys.stderr)
        return 1
    try:
        return await _serve(settings)
    finally:
        lock.close()


async def _serve(settings: LbSettings) -> int:
    haproxy = HAProxy(settings.data_dir, binary=settings.haproxy)
    node = Node(haproxy, settings.node)
    saved = node.load_saved()
    if saved is not None:
        adopted = haproxy.pid()
        try:
            await node.apply(saved)
            log.info("haproxy_adopted" if adopted else "last_config_served", pid=haproxy.pid())
        except (ConfigError, HAProxyError) as e:
            log.warning("last_config_not_served", error=str(e))
    controller = Controller(settings, node)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    log.info(
        "lb_started",
        load_balancer=settings.name,
        node_id=settings.node_id,
        controlplane=settings.controlplane,
        data_dir=str(settings.data_dir),
    )
    tasks = [asyncio.create_task(controller.watch()), asyncio.create_task(controller.report_health())]
    waiter = asyncio.create_task(stop.wait())
    done, _ = await asyncio.wait([*tasks, waiter], return_when=asyncio.FIRST_COMPLETED)
    for t in [*tasks, waiter]:
        t.cancel()
    for t in tasks:
        with contextlib.suppress(asyncio.CancelledError):
            await t
    await controller.channel.close()
    if settings.stop_haproxy_on_exit:
        haproxy.stop()
    for t in done:
        if t is not waiter and not t.cancelled() and t.exception() is not None:
            log.error("lb_loop_crashed", error=repr(t.exception()))
            return 1
    log.info("lb_stopped", haproxy_left_running=not settings.stop_haproxy_on_exit)
    return 0


def parse_args(argv: list[str] | None = None) -> LbSettings:
    p = argparse.ArgumentParser(prog="berth-lb", description="Serve one berth load balancer through HAProxy.")
    p.add_argument(
        "--controlplane", default="", help="control plane gRPC address (default: from the config file)"
    )
    p.add_argument(
        "--config",
        default="",
        help="client config file with the credential (default: $BERTH_CONFIG or ~/.berth/config)",
    )
    p.add_argument(
        "--token",
        default=os.environ.get("BERTH_TOKEN", ""),
        help="bearer token (or $BERTH_TOKEN; default: from the config file)",
    )
    p.add_argument("--name", required=True, help="the load balancer to serve (name or ARN)")
    p.add_argument("--node-id", default="", help="a stable name for this node (default: the host name)")
    p.add_argument(
        "--listen-address", default="0.0.0.0", help="IPv4 address the listeners bind (default 0.0.0.0)"
    )
    p.add_argument(
        "--advertise",
        default="",
        help="address clients reach the listeners on (default: the listen address, 127.0.0.1 for 0.0.0.0)",
    )
    p.add_argument(
        "--metrics-port",
        type=int,
        default=0,
        help="port of HAProxy's Prometheus exporter (/metrics); 0: none",
    )
    p.add_argument("--data-dir", required=True, help="HAProxy's config, pid file, socket and the last config")
    p.add_argument("--haproxy", default="haproxy", help="the haproxy binary (default: haproxy on PATH)")
    p.add_argument(
        "--health-interval", type=float, default=1.0, help="seconds between health polls (default 1)"
    )
    p.add_argument(
        "--stop-haproxy-on-exit",
        action="store_true",
        help="stop HAProxy when berth-lb exits (default: leave it serving)",
    )
    p.add_argument(
        "--ca-file",
        default=None,
        help="the CA bundle that verifies the control plane (default: the config's caFile; '' for plaintext)",
    )
    p.add_argument("--log-json", action="store_true", help="JSON logs")
    args = p.parse_args(argv)
    cfg = client_config.load(Path(args.config).expanduser() if args.config else None)
    advertise = args.advertise or (args.listen_address if args.listen_address != "0.0.0.0" else "127.0.0.1")
    logs.configure(json=args.log_json or None, level="info")
    if not 0 <= args.metrics_port <= 65535:
        p.error(f"--metrics-port {args.metrics_port} is not 0..65535")
    return LbSettings(
        controlplane=args.controlplane or cfg.endpoint,
        token=args.token or cfg.token,
        ca_file=args.ca_file if args.ca_file is not None else cfg.caFile,
        name=args.name,
        node_id=args.node_id or socket.gethostname(),
        advertise=advertise,
        data_dir=Path(args.data_dir).expanduser().resolve(),
        listen_address=args.listen_address,
        metrics_address=args.listen_address,
        metrics_port=args.metrics_port,
        haproxy=args.haproxy,
        health_interval=args.health_interval,
        stop_haproxy_on_exit=args.stop_haproxy_on_exit,
    )


def main(argv: list[str] | None = None) -> None:
    settings = parse_args(argv)
    sys.exit(asyncio.run(run(settings)))


if __name__ == "__main__":
    main()
