"""berth-lb driving a real HAProxy, fed by a small fake LoadBalancerNode server (the control plane
side is tested on its own): traffic through a listener, target changes with no reload and no failed
request, draining, health reports, a reload for a new listener, and a restarted berth-lb adopting
the running HAProxy."""

from __future__ import annotations

import os
import signal
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from berth.v1 import elb_pb2
from tests.support.infra import free_port
from tests.support.lbnode import (
    FakeNodeServer,
    LbProcess,
    Target,
    haproxy_binary,
    lb_config,
    node_target,
    target_group,
)

LB = "web"


class Env:
    def __init__(self) -> None:
        self.server = FakeNodeServer()
        self.a, self.b = Target("A"), Target("B")
        self.port = free_port()
        self.lb = LbProcess(self.server.endpoint, LB, Path(tempfile.mkdtemp(prefix="berth-lb-")))

    def serve(self, *targets: object, listeners: dict[int, str] | None = None, **tg: object) -> None:
        groups = [target_group("web", *targets, **tg)]  # type: ignore[arg-type]
        self.server.set(lb_config(LB, listeners or {self.port: "web"}, groups))

    def get(self, port: int | None = None, timeout: float = 2.0) -> str:
        url = f"http://127.0.0.1:{port or self.port}/"
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return str(r.read().decode())

    def wait_serving(self, bodies: set[str], timeout: float = 20.0) -> None:
        """Until 10 requests in a row are answered by exactly these targets."""
        deadline = time.monotonic() + timeout
        seen: set[str] = set()
        while time.monotonic() < deadline:
            try:
                seen = {self.get() for _ in range(10)}
            except (OSError, urllib.error.URLError) as e:
                seen = {repr(e)}
            if seen == bodies:
                return
            time.sleep(0.1)
        raise AssertionError(f"served by {seen}, not {bodies}\n{self.lb.log()}")

    def wait_for(self, body: str, timeout: float = 20.0, port: int | None = None) -> None:
        deadline = time.monotonic() + timeout
        last = ""
        while time.monotonic() < deadline:
            try:
                last = self.get(port)
                if last == body:
                    return
            except (OSError, urllib.error.URLError) as e:
                last = repr(e)
            time.sleep(0.1)
        raise AssertionError(f"never got {body!r} through the listener; last {last!r}\n{self.lb.log()}")


@pytest.fixture(scope="module")
def env() -> Iterator[Env]:
    haproxy_binary()
    e = Env()
    e.lb.start()
    yield e
    e.lb.stop()
    e.lb.stop_haproxy()
    e.server.stop()
    e.a.stop()
    e.b.stop()


def client_loop(env: Env, count: int, pause: float, results: Counter[str]) -> None:
    """`count` sequential requests, `pause` s apart: bodies counted, failures as 'error: ...'."""
    for _ in range(count):
        try:
            results[env.get()] += 1
        except (OSError, urllib.error.URLError) as e:
            results[f"error: {e!r}"] += 1
        time.sleep(pause)


def test_traffic_flows_through_the_listener(env: Env) -> None:
    env.serve(node_target(env.a))
    env.wait_for("A")
    assert env.server.wait_health(("127.0.0.1", env.a.port), "healthy").reason == ""
    request = env.server.requests[0]
    assert request.load_balancer_name == LB
    assert request.metrics_address == f"127.0.0.1:{env.lb.metrics_port}"
    with urllib.request.urlopen(f"http://127.0.0.1:{env.lb.metrics_port}/metrics", timeout=5) as r:
        metrics = r.read().decode()
    assert 'haproxy_backend_active_servers{proxy="tg-web"} 1' in metrics


def test_target_changes_apply_without_reload_or_failed_request(env: Env) -> None:
    env.serve(node_target(env.a))
    env.wait_for("A")
    pid = env.lb.haproxy_pid()
    results: Counter[str] = Counter()
    loop = threading.Thread(target=client_loop, args=(env, 200, 0.03, results))
    loop.start()
    time.sleep(0.5)
    env.serve(node_target(env.a), node_target(env.b))  # B joins (checked first)
    env.server.wait_health(("127.0.0.1", env.b.port), "healthy")
    time.sleep(1.0)
    env.serve(node_target(env.b))  # A leaves
    loop.join(timeout=60)
    assert not [k for k in results if k.startswith("error")], results
    assert sum(results.values()) == 200
    assert results["A"] > 0 and results["B"] > 0, results
    assert env.lb.haproxy_pid() == pid
    env.wait_for("B")
    assert {env.get() for _ in range(10)} == {"B"}


def test_a_draining_target_gets_no_new_requests(env: Env) -> None:
    env.serve(node_target(env.a), node_target(env.b))
    env.wait_serving({"A", "B"})
    env.serve(node_target(env.a), node_target(env.b, draining=True, deadline=time.time() + 60))
    health = env.server.wait_health(("127.0.0.1", env.b.port), "draining")
    assert health.reason == "Target.DeregistrationInProgress"
    time.sleep(0.3)
    before = env.b.hits
    assert {env.get() for _ in range(30)} == {"A"}
    assert env.b.hits == before


def test_a_drained_target_leaves_at_its_deadline(env: Env) -> None:
    env.serve(node_target(env.a), node_target(env.b, draining=True, deadline=time.time() + 1.5))
    env.server.wait_health(("127.0.0.1", env.b.port), "draining")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        out = _runtime(env, "show servers state tg-web")
        if f" {env.b.port} " not in out:
            break
        time.sleep(0.2)
    else:
        raise AssertionError(f"B still in HAProxy after its drain deadline:\n{out}")


def test_a_failing_check_is_reported_unhealthy(env: Env) -> None:
    env.serve(node_target(env.a), node_target(env.b))
    env.wait_serving({"A", "B"})
    env.b.health_code = 500
    try:
        health = env.server.wait_health(("127.0.0.1", env.b.port), "unhealthy")
        assert health.reason == "Target.ResponseCodeMismatch"
        assert "[500]" in health.description
        assert {env.get() for _ in range(20)} == {"A"}  # no traffic to the unhealthy target
    finally:
        env.b.health_code = 200
    env.server.wait_health(("127.0.0.1", env.b.port), "healthy")


def test_matcher_ranges_are_what_haproxy_checks(env: Env) -> None:
    env.serve(node_target(env.a), matcher=elb_pb2.Matcher(http_code="300-399,404"))
    health = env.server.wait_health(("127.0.0.1", env.a.port), "unhealthy")
    assert (health.reason, health.description) == (
        "Target.ResponseCodeMismatch",
        "Health checks failed with these codes: [200]",
    )
    env.serve(node_target(env.a), matcher=elb_pb2.Matcher(http_code="201,200-299"))
    env.server.wait_health(("127.0.0.1", env.a.port), "healthy")
    env.wait_for("A")


def test_a_refused_connection_is_a_failed_check(env: Env) -> None:
    gone = Target("gone")
    gone.stop()
    env.serve(node_target(env.a), node_target(gone))
    health = env.server.wait_health(("127.0.0.1", gone.port), "unhealthy")
    assert health.reason == "Target.FailedHealthChecks"


def test_a_new_listener_is_a_soft_reload_without_failed_request(env: Env) -> None:
    env.serve(node_target(env.a))
    env.wait_for("A")
    pid = env.lb.haproxy_pid()
    second = free_port()
    results: Counter[str] = Counter()
    loop = threading.Thread(target=client_loop, args=(env, 100, 0.02, results))
    loop.start()
    time.sleep(0.3)
    env.serve(node_target(env.a), listeners={env.port: "web", second: "web"})
    env.wait_for("A", port=second)
    loop.join(timeout=60)
    assert not [k for k in results if k.startswith("error")], results
    new_pid = env.lb.haproxy_pid()
    assert new_pid is not None and new_pid != pid
    # The reload kept the target's health: no return to "initial".
    assert env.server.latest_health()[("127.0.0.1", env.a.port)].state == "healthy"


def test_more_targets_than_slots_grow_the_backend(env: Env) -> None:
    env.serve(node_target(env.a))
    env.wait_for("A")
    # A and 70 targets that are not there: 71 do not fit in 64 slots.
    env.serve(node_target(env.a), *[elb_target(port) for port in range(40000, 40070)])
    deadline = time.monotonic() + 15
    slots = 0
    while slots != 128 and time.monotonic() < deadline:
        time.sleep(0.2)
        state = _runtime(env, "show servers state tg-web").splitlines()
        slots = sum(1 for line in state if " srv" in line and not line.startswith("#"))
    assert slots == 128, env.lb.log()
    env.wait_for("A")
    env.serve(node_target(env.a))


def test_a_tcp_listener_with_tcp_checks(env: Env) -> None:
    tcp_port = free_port()
    groups = [
        target_group("web", node_target(env.a)),
        target_group("raw", node_target(env.b), protocol="TCP", health_check_protocol="TCP"),
    ]
    env.server.set(_two(env, tcp_port, groups))  # type: ignore[arg-type]
    env.wait_for("B", port=tcp_port)  # HTTP spoken through a TCP listener reaches B unchanged
    env.wait_for("A")
    env.serve(node_target(env.a))


def _two(env: Env, tcp_port: int, groups: list[object]) -> object:
    http = lb_config(LB, {env.port: "web"}, groups[:1])  # type: ignore[arg-type]
    tcp = lb_config(LB, {tcp_port: "raw"}, groups[1:], protocol="TCP")  # type: ignore[arg-type]
    http.listeners.extend(tcp.listeners)
    http.target_groups.extend(tcp.target_groups)
    return http


def test_a_bad_config_is_refused_and_the_last_one_kept(env: Env) -> None:
    env.serve(node_target(env.a))
    env.wait_for("A")
    env.serve(node_target(env.b), matcher=elb_pb2.Matcher(http_code="2xx"))
    deadline = time.monotonic() + 10
    while "config_rejected" not in env.lb.log() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert "matcher.httpCode '2xx'" in env.lb.log()
    assert {env.get() for _ in range(10)} == {"A"}


def test_haproxy_killed_is_started_again(env: Env) -> None:
    env.serve(node_target(env.a))
    env.wait_for("A")
    pid = env.lb.haproxy_pid()
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 15
    while env.lb.haproxy_pid() in (None, pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert env.lb.haproxy_pid() not in (None, pid), env.lb.log()
    env.wait_for("A")


def test_haproxy_keeps_serving_while_the_control_plane_is_away(env: Env) -> None:
    env.serve(node_target(env.a), node_target(env.b))
    env.wait_serving({"A", "B"})
    port, config = env.server.port, env.server.config
    env.server.stop()
    time.sleep(1.0)
    assert {env.get() for _ in range(20)} == {"A", "B"}
    reports = len(env.server.reports)
    env.server = FakeNodeServer(port)
    assert config is not None
    env.server.set(config)
    deadline = time.monotonic() + 20
    while not env.server.reports and time.monotonic() < deadline:
        time.sleep(0.1)
    assert env.server.reports, f"no report after the reconnect ({reports} before)\n{env.lb.log()}"
    assert env.server.latest_health()[("127.0.0.1", env.a.port)].state == "healthy"


def test_a_second_berth_lb_on_the_same_data_dir_refuses_to_start(env: Env) -> None:
    second = LbProcess(env.server.endpoint, LB, env.lb.data_dir).start()
    assert second.proc is not None
    assert second.proc.wait(20) == 1
    assert "another berth-lb is running with --data-dir" in second.log()


def test_a_restarted_berth_lb_adopts_the_running_haproxy(env: Env) -> None:
    env.serve(node_target(env.a), node_target(env.b))
    env.wait_serving({"A", "B"})
    pid = env.lb.haproxy_pid()
    env.lb.stop()
    assert env.lb.haproxy_pid() == pid  # HAProxy keeps serving on its own
    try:
        assert env.get() in ("A", "B")
    except urllib.error.HTTPError as e:
        raise AssertionError(_runtime(env, "show stat -1 4 -1")) from e
    reports = len(env.server.reports)
    env.lb.start()
    deadline = time.monotonic() + 20
    while len(env.server.reports) <= reports and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(env.server.reports) > reports, env.lb.log()  # reconnected, reported everything again
    assert env.lb.haproxy_pid() == pid
    assert env.server.latest_health()[("127.0.0.1", env.b.port)].state == "healthy"
    env.wait_serving({"A", "B"})


def elb_target(port: int) -> object:
    return elb_pb2.NodeTarget(id="127.0.0.1", address="127.0.0.1", port=port)


def _runtime(env: Env, command: str) -> str:
    import socket

    with socket.socket(socket.AF_UNIX) as s:
        s.settimeout(5)
        s.connect(os.fspath(env.lb.data_dir / "admin.sock"))
        s.sendall(command.encode() + b"\n")
        chunks = []
        while chunk := s.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks).decode()
