"""Load balancing end to end: a real control plane, real agents and dockerd, a real berth-lb with
Debian's HAProxy, busybox httpd tasks, and a bounded HTTP client loop on 127.0.0.1 (issue #11).

One service of 3 tasks behind a listener: every target becomes healthy and the deployment
completes (health gating lets it); a rolling deployment under ~50 requests/s loses no request and
drains old tasks before they stop; a task killed under load is taken out by HAProxy and replaced;
a stopped agent's targets leave within its grace period.
"""

from __future__ import annotations

import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from berth import Client
from tests.support.agents import wait_for
from tests.support.infra import free_port
from tests.support.lbnode import LbProcess, haproxy_binary

pytestmark = [pytest.mark.etcd, pytest.mark.docker]

IMAGE = "berth/busybox:latest"
INTERVAL = 5  # health check interval (s), thresholds 2: a new target is healthy after ~10 s
DRAIN = 3  # deregistration delay (s)


def web(client: Client, family: str, version: str) -> str:
    script = f"mkdir -p /www && echo {version} > /www/index.html && exec httpd -f -p 80 -h /www"
    return str(
        client.register_task_definition(
            {
                "family": family,
                "containerDefinitions": [
                    {
                        "name": "web",
                        "image": IMAGE,
                        "memory": 24,
                        "stopTimeout": 5,
                        "command": ["sh", "-c", script],
                        "portMappings": [{"containerPort": 80}],
                    }
                ],
            }
        ).task_definition.task_definition_arn
    )


class Load:
    """~50 GETs a second through the listener until stopped; every outcome kept with its time."""

    def __init__(self, port: int) -> None:
        self.url = f"http://127.0.0.1:{port}/"
        self.results: list[tuple[float, str]] = []  # (time, body or "error: ...")
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Load:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join(10)

    def _run(self) -> None:
        deadline = time.monotonic() + 180  # bounded whatever happens
        while not self._stop.is_set() and time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.url, timeout=5) as r:
                    self.results.append((time.monotonic(), r.read().decode().strip()))
            except (urllib.error.URLError, OSError) as e:
                self.results.append((time.monotonic(), f"error: {e}"))
            time.sleep(0.02)

    def failures(self, since: float = 0.0) -> list[tuple[float, str]]:
        return [r for r in self.results if r[0] >= since and r[1].startswith("error")]


@pytest.fixture
def stack(
    client: Client, cluster: str, agents: Any, unique: str, tmp_path: Path, controlplane: Any
) -> Iterator[dict[str, Any]]:
    haproxy_binary()  # skip-or-fail when haproxy is missing
    hosts = [agents(name=f"lb-host{i}") for i in range(2)]
    for host in hosts:
        host.wait_connected(client)
    lb = client.elb("CreateLoadBalancer", name=f"lb-{unique}").load_balancers[0]
    tg = client.elb(
        "CreateTargetGroup",
        name=f"tg-{unique}",
        protocol="HTTP",
        port=80,
        healthCheckPath="/",
        healthCheckIntervalSeconds=INTERVAL,
        healthCheckTimeoutSeconds=2,
        healthyThresholdCount=2,
        unhealthyThresholdCount=2,
    ).target_groups[0]
    client.elb(
        "ModifyTargetGroupAttributes",
        targetGroupArn=tg.target_group_arn,
        attributes=[{"key": "deregistration_delay.timeout_seconds", "value": str(DRAIN)}],
    )
    port = free_port()
    client.elb(
        "CreateListener",
        loadBalancerArn=lb.load_balancer_arn,
        port=port,
        defaultActions=[{"type": "forward", "targetGroupArn": tg.target_group_arn}],
    )
    node = LbProcess(
        controlplane.endpoint, lb.load_balancer_name, tmp_path / "lb", config=controlplane.config_path
    )
    node.start()

    def active() -> bool:
        found = client.elb("DescribeLoadBalancers", names=[lb.load_balancer_name]).load_balancers
        return found[0].state.code == "active"

    # Targets are "unavailable" until a berth-lb node serves the load balancer.
    wait_for(active, timeout=30, interval=0.2, message="berth-lb did not connect")
    td = web(client, f"lbweb-{unique}", "v1")
    client.create_service(
        cluster=cluster,
        serviceName="web",
        taskDefinition=td,
        desiredCount=3,
        healthCheckGracePeriodSeconds=30,
        loadBalancers=[{"targetGroupArn": tg.target_group_arn, "containerName": "web", "containerPort": 80}],
    )
    try:
        yield {
            "tg": tg.target_group_arn,
            "port": port,
            "hosts": hosts,
            "node": node,
            "backend": f"tg-tg-{unique}",
            "family": f"lbweb-{unique}",
        }
    finally:
        client.update_service(cluster=cluster, service="web", desiredCount=0)
        node.stop()
        node.stop_haproxy()


def servers(node: LbProcess, backend: str) -> set[tuple[str, int]]:
    """(address, port) of the servers HAProxy holds in the backend (free slots left out)."""
    with socket.socket(socket.AF_UNIX) as s:
        s.settimeout(5)
        s.connect(str(node.data_dir / "admin.sock"))
        s.sendall(f"show servers state {backend}\n".encode())
        out = b""
        while chunk := s.recv(65536):
            out += chunk
    found = set()
    for line in out.decode().splitlines():
        f = line.split()
        if len(f) > 18 and not line.startswith("#") and f[4] != "0.0.0.0":
            found.add((f[4], int(f[18])))
    return found


def in_haproxy(stack: dict[str, Any]) -> set[int]:
    return {port for _, port in servers(stack["node"], stack["backend"])}


class Watch:
    """Every state the tasks and targets go through, polled every 0.25 s until stopped."""

    def __init__(self, client: Client, cluster: str, tg: str) -> None:
        self.client, self.cluster, self.tg = client, cluster, tg
        self.task_states: dict[str, list[str]] = {}
        self.target_states: dict[str, list[str]] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Watch:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join(10)

    def _note(self, into: dict[str, list[str]], key: str, state: str) -> None:
        seen = into.setdefault(key, [])
        if not seen or seen[-1] != state:
            seen.append(state)

    def _run(self) -> None:
        deadline = time.monotonic() + 180
        while not self._stop.is_set() and time.monotonic() < deadline:
            for h in health(self.client, self.tg):
                self._note(self.target_states, h.task_arn, h.target_health.state)
            arns = list(self.client.list_tasks(cluster=self.cluster, serviceName="web").task_arns)
            arns += [a for a in self.task_states if a not in arns]  # stopped ones too
            if arns:
                for t in self.client.describe_tasks(cluster=self.cluster, tasks=arns).tasks:
                    self._note(self.task_states, t.task_arn, t.last_status)
            time.sleep(0.25)


def health(client: Client, tg: str) -> list[Any]:
    return list(client.elb("DescribeTargetHealth", targetGroupArn=tg).target_health_descriptions)


def healthy(client: Client, tg: str, count: int) -> list[Any]:
    def check() -> list[Any] | None:
        found = health(client, tg)
        ok = [h for h in found if h.target_health.state == "healthy"]
        return found if len(ok) == count and len(found) == count else None

    result: list[Any] = wait_for(check, timeout=90, interval=0.5, message=f"{count} healthy targets")
    return result


def completed(client: Client, cluster: str, td: str) -> None:
    def check() -> bool:
        service = client.describe_services(cluster=cluster, services=["web"]).services[0]
        primary = next(d for d in service.deployments if d.status == "PRIMARY")
        return (
            primary.task_definition == td
            and primary.rollout_state == "COMPLETED"
            and len(service.deployments) == 1
        )

    wait_for(check, timeout=120, interval=0.5, message=f"the deployment of {td} did not complete")


def test_rolling_deployment_behind_haproxy_loses_no_request(
    client: Client, cluster: str, stack: dict[str, Any]
) -> None:
    with Watch(client, cluster, stack["tg"]) as first_watch:
        first = healthy(client, stack["tg"], 3)
    assert all(h.task_arn for h in first)
    # Every target went initial -> healthy (2 checks at 5 s): none was healthy unchecked.
    for h in first:
        # (healthy() saw them healthy; the watch's last poll may predate that)
        assert first_watch.target_states[h.task_arn][0] == "initial", first_watch.target_states
    v1 = client.describe_services(cluster=cluster, services=["web"]).services[0].task_definition
    completed(client, cluster, v1)  # health gating released the first deployment
    with Load(stack["port"]) as load, Watch(client, cluster, stack["tg"]) as watch:
        wait_for(lambda: len(load.results) > 20, timeout=20, message="no traffic")
        v2 = web(client, stack["family"], "v2")
        client.update_service(cluster=cluster, service="web", taskDefinition=v2)
        completed(client, cluster, v2)
        wait_for(
            lambda: {h.task_arn for h in healthy(client, stack["tg"], 3)}.isdisjoint(
                h.task_arn for h in first
            ),
            timeout=60,
            message="the old targets did not leave",
        )
        wait_for(
            lambda: all(watch.task_states.get(h.task_arn, [""])[-1] == "STOPPED" for h in first),
            timeout=60,
            message="the old tasks did not stop",
        )
        time.sleep(1)
    # The old tasks drained (DEACTIVATING) before they stopped; the new targets were checked
    # (initial) before they were healthy.
    for h in first:
        states = watch.task_states[h.task_arn]
        assert "DEACTIVATING" in states and states.index("DEACTIVATING") < states.index("STOPPED"), states
    new = [a for a in watch.target_states if a not in {h.task_arn for h in first}]
    assert len(new) == 3 and all(
        watch.target_states[a][0] == "initial" and "healthy" in watch.target_states[a] for a in new
    ), watch.target_states
    assert len(load.results) > 100, len(load.results)
    assert load.failures() == [], load.failures()[:5]
    bodies = [body for _, body in load.results]
    assert bodies[0] == "v1" and bodies[-1] == "v2" and set(bodies) == {"v1", "v2"}
    events = [
        e.message for e in client.describe_services(cluster=cluster, services=["web"]).services[0].events
    ]
    assert any("has begun draining connections" in m for m in events), events[:10]


def test_a_killed_task_is_taken_out_and_replaced(
    client: Client, cluster: str, stack: dict[str, Any], docker: Any
) -> None:
    targets = healthy(client, stack["tg"], 3)
    victim = targets[0].task_arn
    task = client.describe_tasks(cluster=cluster, tasks=[victim]).tasks[0]
    with Load(stack["port"]) as load:
        wait_for(lambda: len(load.results) > 20, timeout=20, message="no traffic")
        docker.containers.get(task.containers[0].runtime_id).kill()
        killed = time.monotonic()
        # The service replaces it, and the new target becomes healthy.
        wait_for(
            lambda: victim not in {h.task_arn for h in healthy(client, stack["tg"], 3)},
            timeout=90,
            message="the killed task was not replaced by a healthy target",
        )
        while time.monotonic() < killed + INTERVAL + 3:  # traffic past one health-check interval
            time.sleep(0.2)
    # After one health-check interval HAProxy sends nothing to the dead target (retries and
    # redispatch hide it before that, too).
    assert len([r for r in load.results if r[0] >= killed + INTERVAL]) > 50
    assert load.failures(since=killed + INTERVAL) == [], load.failures()[:5]


def test_a_stopped_agents_targets_leave_within_its_grace(
    client: Client, cluster: str, stack: dict[str, Any], controlplane: Any
) -> None:
    healthy(client, stack["tg"], 3)
    host = stack["hosts"][0]
    instance = host.instance_arn.rsplit("/", 1)[-1]
    if not any(h.target.id == instance for h in health(client, stack["tg"])):
        host = stack["hosts"][1]
        instance = host.instance_arn.rsplit("/", 1)[-1]
    # Both agents share one dockerd here, so a host port names one target.
    ports = {h.target.port for h in health(client, stack["tg"]) if h.target.id == instance}
    assert ports and ports <= in_haproxy(stack), ports
    host.stop()
    stopped = time.monotonic()
    grace = controlplane.settings.agent_grace_seconds
    wait_for(
        lambda: not any(h.target.id == instance for h in health(client, stack["tg"])),
        timeout=grace + DRAIN + 30,
        interval=0.5,
        message="the stopped agent's targets did not leave",
    )
    wait_for(
        lambda: not ports & in_haproxy(stack),
        timeout=15,
        interval=0.2,
        message="the stopped agent's targets stayed in HAProxy",
    )
    assert time.monotonic() - stopped <= grace + DRAIN + 15
