"""The task lifecycle around load balancers on a real agent and dockerd.

Drain before SIGTERM: a stopped task of a service behind a load balancer goes DEACTIVATING (desired
STOPPED) and keeps its container running until its deactivate_until, and only then does the
container get SIGTERM (then STOPPING, STOPPED); with a drain of 0 nothing changes. Health gating:
a deployment completes only once its task's target is healthy, and an unhealthy target gets the
task replaced.

The control plane under test gets stubs for the ELB catalog through the same attributes the server
wires the catalog to: `drain_seconds` (3 s for services named drain-*, 0 for the others) and
`target_health` (what TARGETS says; "initial" for tasks of the clusters in GATED)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest

from berth import Client
from berth.v1 import types_pb2
from tests.support.agents import wait_for
from tests.support.controlplane import InProcessControlPlane

pytestmark = [pytest.mark.etcd, pytest.mark.docker]

IMAGE = "berth/busybox:latest"
DRAIN = 3.0
# The container says when it gets SIGTERM and exits 0 on it (a SIGKILL would give 137).
SCRIPT = "trap 'echo got-SIGTERM; exit 0' TERM; echo started; while true; do sleep 0.2; done"


TARGETS: dict[str, str] = {}  # task ARN -> target state, as the test sets it
GATED: set[str] = set()  # clusters whose tasks are all load balancer targets


def drain_seconds(service: types_pb2.Service) -> float:
    return DRAIN if service.service_name.startswith("drain") else 0.0


def target_health(task_arn: str) -> str | None:
    if task_arn in TARGETS:
        return TARGETS[task_arn]
    return "initial" if task_arn.rsplit("/", 2)[-2] in GATED else None


@pytest.fixture(scope="module")
def controlplane(etcd_endpoint: str) -> Iterator[InProcessControlPlane]:
    """A control plane of its own, with the stub drain (the session's one has none)."""
    cp = InProcessControlPlane((etcd_endpoint,), agent_grace_seconds=4, settle_seconds=1)
    cp.cp.drain_seconds = drain_seconds
    cp.cp.target_health = target_health
    cp.start()
    yield cp
    cp.stop()


def trapper(client: Client, family: str) -> str:
    return client.register_task_definition(
        {
            "family": family,
            "containerDefinitions": [
                {
                    "name": "app",
                    "image": IMAGE,
                    "memory": 32,
                    "stopTimeout": 10,
                    "command": ["sh", "-c", SCRIPT],
                }
            ],
        }
    ).task_definition.task_definition_arn


def running_tasks(client: Client, cluster: str, name: str, count: int) -> list[Any]:
    def check() -> list[Any] | None:
        arns = client.list_tasks(cluster=cluster, serviceName=name).task_arns
        tasks = client.describe_tasks(cluster=cluster, tasks=arns).tasks if arns else []
        up = [t for t in tasks if t.last_status == "RUNNING" and t.desired_status == "RUNNING"]
        return up if len(up) >= count else None

    result: list[Any] = wait_for(
        check, timeout=60, interval=0.3, message=f"{name}: {count} tasks not RUNNING"
    )
    return result


class Watcher:
    """Samples one task (DescribeTasks) and its container (docker inspect) until it is STOPPED:
    the order in which things happened, not how fast."""

    def __init__(self, client: Client, cluster: str, task_arn: str, docker: Any, container_id: str) -> None:
        self.client, self.cluster, self.task_arn = client, cluster, task_arn
        self.container = docker.containers.get(container_id)
        self.samples: list[tuple[str, str, float, bool]] = []  # last, desired, deactivate_until, running
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> Watcher:
        self._thread.start()
        return self

    def _run(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            t = self.client.describe_tasks(cluster=self.cluster, tasks=[self.task_arn]).tasks[0]
            self.container.reload()
            self.samples.append(
                (
                    t.last_status,
                    t.desired_status,
                    t.deactivate_until,
                    bool(self.container.attrs["State"]["Running"]),
                )
            )
            if t.last_status == "STOPPED":
                break
            time.sleep(0.1)
        self._done.set()

    def wait(self) -> list[tuple[str, str, float, bool]]:
        assert self._done.wait(70), "the watcher did not finish"
        assert self.samples and self.samples[-1][0] == "STOPPED", self.samples[-5:]
        return self.samples

    def statuses(self) -> list[str]:
        seen: list[str] = []
        for last, *_ in self.samples:
            if not seen or seen[-1] != last:
                seen.append(last)
        return seen


def finished_at(container: Any) -> float:
    container.reload()
    text = container.attrs["State"]["FinishedAt"]  # RFC 3339 with nanoseconds, UTC
    whole, _, frac = text.rstrip("Z").partition(".")
    return datetime.fromisoformat(whole + "+00:00").timestamp() + float(f"0.{frac or '0'}")


@pytest.fixture
def host(client: Client, cluster: str, agents: Any) -> Any:
    agent = agents(name="drainhost")
    agent.wait_connected(client)
    return agent


def test_stop_task_drains_before_sigterm(
    client: Client, cluster: str, host: Any, unique: str, docker: Any
) -> None:
    td = trapper(client, f"drain-{unique}")
    client.create_service(cluster=cluster, serviceName="drain-web", taskDefinition=td, desiredCount=1)
    victim = running_tasks(client, cluster, "drain-web", 1)[0]
    container_id = victim.containers[0].runtime_id

    asked_at = time.time()
    stopped = client.stop_task(cluster=cluster, task=victim.task_arn, reason="drain test").task
    watcher = Watcher(client, cluster, victim.task_arn, docker, container_id).start()
    # The answer already shows the drain: desired STOPPED, DEACTIVATING until now + the delay.
    assert (stopped.last_status, stopped.desired_status) == ("DEACTIVATING", "STOPPED")
    assert asked_at + DRAIN - 1 <= stopped.deactivate_until <= time.time() + DRAIN

    # A second StopTask does not extend the deadline.
    again = client.stop_task(cluster=cluster, task=victim.task_arn, reason="again").task
    assert again.deactivate_until == stopped.deactivate_until

    samples = watcher.wait()
    assert watcher.statuses()[0] == "DEACTIVATING" and watcher.statuses()[-1] == "STOPPED"
    assert "RUNNING" not in watcher.statuses()  # never reported RUNNING again
    assert next(s for s in watcher.statuses() if s != "DEACTIVATING") in ("STOPPING", "STOPPED")
    draining = [s for s in samples if s[0] == "DEACTIVATING"]
    assert draining and all(s[1] == "STOPPED" and s[3] for s in draining)  # the container kept running

    container = docker.containers.get(container_id)
    logs = container.logs().decode()
    assert "started" in logs and "got-SIGTERM" in logs  # SIGTERM, not a kill
    assert container.attrs["State"]["ExitCode"] == 0
    assert finished_at(container) >= stopped.deactivate_until  # not before the drain ended

    final = client.describe_tasks(cluster=cluster, tasks=[victim.task_arn]).tasks[0]
    assert final.stop_code == "UserInitiated" and final.stopped_reason == "drain test"
    # The service replaced it meanwhile (a draining task does not count toward desiredCount).
    replacement = running_tasks(client, cluster, "drain-web", 1)
    assert victim.task_arn not in {t.task_arn for t in replacement}


def test_scale_in_drains_too(client: Client, cluster: str, host: Any, unique: str, docker: Any) -> None:
    td = trapper(client, f"drain-{unique}")
    client.create_service(cluster=cluster, serviceName="drain-scale", taskDefinition=td, desiredCount=1)
    victim = running_tasks(client, cluster, "drain-scale", 1)[0]
    watcher = Watcher(client, cluster, victim.task_arn, docker, victim.containers[0].runtime_id)
    client.update_service(cluster=cluster, service="drain-scale", desiredCount=0)
    watcher.start()
    samples = watcher.wait()
    statuses = watcher.statuses()
    assert "DEACTIVATING" in statuses and "RUNNING" not in statuses[statuses.index("DEACTIVATING") :]
    deadline = next(s[2] for s in samples if s[0] == "DEACTIVATING")
    final = client.describe_tasks(cluster=cluster, tasks=[victim.task_arn]).tasks[0]
    assert final.stop_code == "ServiceSchedulerInitiated"
    assert final.deactivate_until == deadline
    events = [
        e.message
        for e in client.describe_services(cluster=cluster, services=["drain-scale"]).services[0].events
    ]
    assert "(service drain-scale) has begun draining connections on 1 tasks." in events
    container = docker.containers.get(victim.containers[0].runtime_id)
    assert "got-SIGTERM" in container.logs().decode()
    assert finished_at(container) >= deadline


def test_no_drain_changes_nothing(client: Client, cluster: str, host: Any, unique: str, docker: Any) -> None:
    td = trapper(client, f"plain-{unique}")
    client.create_service(cluster=cluster, serviceName="plain-web", taskDefinition=td, desiredCount=1)
    victim = running_tasks(client, cluster, "plain-web", 1)[0]
    stopped = client.stop_task(cluster=cluster, task=victim.task_arn, reason="plain").task
    assert (stopped.last_status, stopped.desired_status, stopped.deactivate_until) == (
        "RUNNING",
        "STOPPED",
        0,
    )
    watcher = Watcher(client, cluster, victim.task_arn, docker, victim.containers[0].runtime_id).start()
    watcher.wait()
    assert "DEACTIVATING" not in watcher.statuses()
    container = docker.containers.get(victim.containers[0].runtime_id)
    assert "got-SIGTERM" in container.logs().decode()


def test_target_health_gates_the_deployment_and_replaces_unhealthy_targets(
    controlplane: InProcessControlPlane, client: Client, cluster: str, host: Any, unique: str
) -> None:
    GATED.add(cluster)

    def health_changed() -> None:
        # What the ELB catalog does; the controller lives on the control plane's event loop.
        controlplane.loop.call_soon_threadsafe(controlplane.cp.target_health_changed, cluster, "gate-web")

    td = trapper(client, f"gate-{unique}")
    client.create_service(
        cluster=cluster,
        serviceName="gate-web",
        taskDefinition=td,
        desiredCount=1,
        healthCheckGracePeriodSeconds=0,
    )
    first = running_tasks(client, cluster, "gate-web", 1)[0]

    def rollout() -> str:
        s = client.describe_services(cluster=cluster, services=["gate-web"]).services[0]
        return str(s.deployments[0].rollout_state)

    # RUNNING well past the settle time (1 s here), but its target is still "initial".
    time.sleep(3)
    assert rollout() == "IN_PROGRESS"
    TARGETS[first.task_arn] = "healthy"
    health_changed()
    wait_for(lambda: rollout() == "COMPLETED", timeout=10, interval=0.2, message="deployment not completed")

    TARGETS[first.task_arn] = "unhealthy"
    health_changed()

    def stopped() -> Any:
        t = client.describe_tasks(cluster=cluster, tasks=[first.task_arn]).tasks[0]
        return t if t.desired_status == "STOPPED" else None

    gone = wait_for(stopped, timeout=10, interval=0.2, message="the unhealthy target's task was not stopped")
    assert gone.stopped_reason == "Task failed ELB health checks"
    events = [
        e.message for e in client.describe_services(cluster=cluster, services=["gate-web"]).services[0].events
    ]
    assert any("failed ELB health checks" in m for m in events)
    replacement = running_tasks(client, cluster, "gate-web", 1)
    assert first.task_arn not in {t.task_arn for t in replacement}
    GATED.discard(cluster)
