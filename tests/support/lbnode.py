"""Pieces for testing and benchmarking berth-lb without the control plane side: a small fake
LoadBalancerNode gRPC server that streams the configs a test sets, local HTTP targets, and the
berth-lb process itself."""

from __future__ import annotations

import contextlib
import http.server
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent import futures
from pathlib import Path
from typing import Any

import grpc

from berth.v1 import elb_pb2, elb_pb2_grpc
from tests.support.infra import free_port, missing

LB_ARN = "arn:berth:elasticloadbalancing:local:000000000000:loadbalancer/app/{name}/0000000000000001"
TG_ARN = "arn:berth:elasticloadbalancing:local:000000000000:targetgroup/{name}/0000000000000002"


def haproxy_binary() -> str:
    found = shutil.which("haproxy") or (os.path.exists("/usr/sbin/haproxy") and "/usr/sbin/haproxy")
    if not found:
        missing("haproxy (Debian package haproxy)")
    return str(found)


class FakeNodeServer(elb_pb2_grpc.LoadBalancerNodeServicer):
    """Streams the config `set()` last; keeps every health report."""

    def __init__(self, port: int = 0) -> None:
        self.cond = threading.Condition()
        self.config: elb_pb2.LoadBalancerConfig | None = None
        self.version = 0
        self.reports: list[elb_pb2.TargetHealthReport] = []
        self.watchers = 0
        self.requests: list[elb_pb2.WatchLoadBalancerRequest] = []
        self.server = grpc.server(futures.ThreadPoolExecutor(max_workers=8))
        elb_pb2_grpc.add_LoadBalancerNodeServicer_to_server(self, self.server)
        self.port = self.server.add_insecure_port(f"127.0.0.1:{port}")
        self.server.start()

    @property
    def endpoint(self) -> str:
        return f"127.0.0.1:{self.port}"

    def set(self, config: elb_pb2.LoadBalancerConfig) -> None:
        with self.cond:
            self.version += 1
            config.revision = self.version
            self.config = config
            self.cond.notify_all()

    def WatchLoadBalancer(self, request: Any, context: Any) -> Iterator[elb_pb2.LoadBalancerConfig]:
        with self.cond:
            self.watchers += 1
            self.requests.append(request)
        sent = 0
        try:
            while context.is_active():
                with self.cond:
                    if self.version == sent:
                        self.cond.wait(timeout=0.5)
                    if self.version == sent or self.config is None:
                        continue
                    sent, config = self.version, self.config
                yield config
        finally:
            with self.cond:
                self.watchers -= 1

    def ReportTargetHealth(self, request: Any, context: Any) -> elb_pb2.ReportTargetHealthResponse:
        with self.cond:
            self.reports.extend(request.reports)
            self.cond.notify_all()
        return elb_pb2.ReportTargetHealthResponse()

    def latest_health(self) -> dict[tuple[str, int], elb_pb2.TargetHealth]:
        with self.cond:
            return {(r.target.id, r.target.port): r.target_health for r in self.reports}

    def wait_health(self, target: tuple[str, int], state: str, timeout: float = 20.0) -> elb_pb2.TargetHealth:
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                latest = {(r.target.id, r.target.port): r.target_health for r in self.reports}
                if target in latest and latest[target].state == state:
                    return latest[target]
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(
                        f"{target} not {state} within {timeout} s; last: {latest.get(target)}"
                    )
                self.cond.wait(left)

    def stop(self) -> None:
        self.server.stop(0)


class Target:
    """A local HTTP server answering its name; `/health` answers `health_code`."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.hits = 0
        self.health_code = 200
        self.lock = threading.Lock()
        target = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                if self.path == "/health":
                    code, body = target.health_code, b"health\n"
                else:
                    with target.lock:
                        target.hits += 1
                    code, body = 200, target.name.encode()
                self.send_response(code)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_: Any) -> None:
                pass

        class Server(http.server.ThreadingHTTPServer):
            def handle_error(self, request: Any, client_address: Any) -> None:
                pass  # HAProxy's checks close with a reset; that is not news

        self.httpd = Server(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = int(self.httpd.server_address[1])
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def target_group(name: str, *targets: elb_pb2.NodeTarget, **settings: Any) -> elb_pb2.NodeTargetGroup:
    tg = elb_pb2.TargetGroup(
        target_group_arn=TG_ARN.format(name=name),
        target_group_name=name,
        protocol=settings.pop("protocol", "HTTP"),
        target_type="ip",
        health_check_path=settings.pop("path", "/health"),
        health_check_interval_seconds=settings.pop("interval", 1),
        health_check_timeout_seconds=settings.pop("timeout", 1),
        healthy_threshold_count=settings.pop("healthy", 2),
        unhealthy_threshold_count=settings.pop("unhealthy", 2),
        **settings,
    )
    return elb_pb2.NodeTargetGroup(target_group=tg, targets=list(targets))


def node_target(target: Target, *, draining: bool = False, deadline: float = 0.0) -> elb_pb2.NodeTarget:
    return elb_pb2.NodeTarget(
        id="127.0.0.1", address="127.0.0.1", port=target.port, draining=draining, drain_deadline=deadline
    )


def lb_config(
    name: str, listeners: dict[int, str], groups: list[elb_pb2.NodeTargetGroup], protocol: str = "HTTP"
) -> elb_pb2.LoadBalancerConfig:
    lb = elb_pb2.ElbLoadBalancer(load_balancer_arn=LB_ARN.format(name=name), load_balancer_name=name)
    return elb_pb2.LoadBalancerConfig(
        load_balancer=lb,
        listeners=[
            elb_pb2.Listener(
                load_balancer_arn=lb.load_balancer_arn,
                port=port,
                protocol=protocol,
                default_actions=[elb_pb2.Action(type="forward", target_group_arn=TG_ARN.format(name=tg))],
            )
            for port, tg in listeners.items()
        ],
        target_groups=groups,
    )


class LbProcess:
    """`berth-lb` as a user starts it."""

    def __init__(
        self,
        controlplane: str,
        name: str,
        data_dir: Path,
        *,
        metrics_port: int = 0,
        config: Path | None = None,
    ) -> None:
        self.controlplane = controlplane
        self.name = name
        self.data_dir = data_dir
        self.config = config  # the client config with its credential (a real control plane)
        self.metrics_port = metrics_port or free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> LbProcess:
        haproxy = haproxy_binary()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        log = open(self.data_dir / "berth-lb.log", "ab")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "berth-lb"),
                "--controlplane",
                self.controlplane,
                "--name",
                self.name,
                "--listen-address",
                "127.0.0.1",
                "--metrics-port",
                str(self.metrics_port),
                "--data-dir",
                str(self.data_dir),
                "--haproxy",
                haproxy,
                "--health-interval",
                "0.5",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "BERTH_CONFIG": str(self.config or self.data_dir / "no-config")},
        )
        return self

    def haproxy_pid(self) -> int | None:
        from agent.lb.haproxy import HAProxy

        return HAProxy(self.data_dir).pid()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)

    def stop_haproxy(self) -> None:
        pid = self.haproxy_pid()
        if pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)

    def log(self) -> str:
        with contextlib.suppress(OSError):
            return (self.data_dir / "berth-lb.log").read_text()[-4000:]
        return ""
