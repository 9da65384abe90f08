"""Services under failure and load (issue #4), on three agents of one control plane process with
default settings (agent grace 10 s, settle 10 s).

- crash-to-replacement: `docker kill` a service task's container; time until its replacement is
  RUNNING (the replacement's startedAt - the kill), p50 over 20;
- lost host: SIGSTOP one agent; time until all its service tasks run elsewhere;
- scale-out 0 -> 100 tasks: time until 100 RUNNING and until the service is steady, next to 100
  bare `docker run -d` (one after another) measured in the same run.
"""

from __future__ import annotations

import signal
import subprocess
import time
import uuid
from contextlib import ExitStack
from typing import Any

from bench.common import agent_process, controlplane_process, docker_run_seconds, percentile, report
from berth import Client
from berth.cli.ps import list_tasks
from tests.support.infra import docker_client

CRASHES = 20
SETTLE = 10.0  # the control plane's default --settle-seconds


def live(client: Client, cluster: str, service: str) -> list[Any]:
    return [t for t in list_tasks(client, cluster, service, ["RUNNING"]) if t.last_status != "STOPPED"]


def running(client: Client, cluster: str, service: str) -> list[Any]:
    return [
        t
        for t in live(client, cluster, service)
        if t.last_status == "RUNNING" and t.desired_status == "RUNNING"
    ]


def wait(predicate: Any, timeout: float, interval: float = 0.05) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise TimeoutError("condition not met")


def crash_to_replacement(client: Client, cluster: str, docker: Any) -> list[float]:
    client.create_service(cluster=cluster, serviceName="crash", taskDefinition="bench-sleep", desiredCount=3)
    wait(lambda: len(running(client, cluster, "crash")) == 3, 60)
    times = []
    for _ in range(CRASHES):
        # The oldest task, once it has run past the settle time: a task that dies sooner counts as
        # failing to start, and the service backs off relaunching it (crash-loop protection).
        victim = min(running(client, cluster, "crash"), key=lambda t: t.started_at)
        time.sleep(max(0.0, victim.started_at + SETTLE + 1 - time.time()))
        before = {t.task_arn for t in running(client, cluster, "crash")}
        killed = time.time()
        docker.containers.get(victim.containers[0].runtime_id).kill()
        fresh = wait(
            lambda before=before: [t for t in running(client, cluster, "crash") if t.task_arn not in before],
            60,
            0.02,
        )
        times.append(fresh[0].started_at - killed)
        wait(lambda: len(running(client, cluster, "crash")) == 3, 60)
    client.delete_service(cluster=cluster, service="crash", force=True)
    wait(lambda: not live(client, cluster, "crash"), 120, 0.5)
    return times


def lost_host(client: Client, cluster: str, victim: Any) -> float:
    client.create_service(cluster=cluster, serviceName="lost", taskDefinition="bench-sleep", desiredCount=6)
    wait(lambda: len(running(client, cluster, "lost")) == 6, 60)
    arn = victim.instance_arn
    stopped = time.time()
    victim.signal(signal.SIGSTOP)
    try:
        wait(
            lambda: (
                len([t for t in running(client, cluster, "lost") if t.container_instance_arn != arn]) == 6
            ),
            120,
        )
        elapsed = time.time() - stopped
    finally:
        victim.signal(signal.SIGCONT)
    client.delete_service(cluster=cluster, service="lost", force=True)
    wait(lambda: not live(client, cluster, "lost"), 120, 0.5)
    return elapsed


def scale_out(client: Client, cluster: str) -> tuple[float, float]:
    start = time.time()
    client.create_service(cluster=cluster, serviceName="wide", taskDefinition="bench-sleep", desiredCount=100)
    wait(lambda: len(running(client, cluster, "wide")) == 100, 600, 0.5)
    all_running = time.time() - start

    def steady() -> bool:
        s = client.describe_services(cluster=cluster, services=["wide"]).services[0]
        return len(s.deployments) == 1 and s.deployments[0].rollout_state == "COMPLETED"

    wait(steady, 600, 0.5)
    steady_at = time.time() - start
    client.delete_service(cluster=cluster, service="wide", force=True)
    wait(lambda: not live(client, cluster, "wide"), 600, 1.0)
    return all_running, steady_at


def bare_docker_runs(n: int = 100) -> float:
    start = time.perf_counter()
    ids = []
    for _ in range(n):
        out = subprocess.run(
            ["docker", "run", "-d", "--label", "berth.bench=1", "berth/busybox:latest", "sleep", "3600"],
            capture_output=True,
            text=True,
            check=True,
        )
        ids.append(out.stdout.strip())
    elapsed = time.perf_counter() - start
    subprocess.run(["docker", "rm", "-f", *ids], capture_output=True)
    return elapsed


def run() -> dict[str, float]:
    docker = docker_client()
    with (
        controlplane_process(f"/bench-services-{uuid.uuid4().hex[:6]}/") as cp,
        Client(config_path=cp.config_path) as client,
        ExitStack() as stack,
    ):
        client.create_cluster(clusterName="bench")
        client.register_task_definition(
            {
                "family": "bench-sleep",
                "containerDefinitions": [
                    {
                        "name": "sleep",
                        "image": "berth/busybox:latest",
                        "memory": 16,
                        "command": ["sleep", "3600"],
                    }
                ],
            }
        )
        agents = [
            stack.enter_context(
                agent_process(cp, "bench", "--name", f"host{i}", "--availability-zone", f"z{i}")
            )
            for i in range(3)
        ]
        crashes = crash_to_replacement(client, "bench", docker)
        lost = lost_host(client, "bench", agents[0])
        for a in agents:  # the victim is back; let it settle
            a.wait_connected(client)
        all_running, steady = scale_out(client, "bench")
    bare = bare_docker_runs()
    figures = {
        "crash_p50": percentile(crashes, 50),
        "crash_p95": percentile(crashes, 95),
        "lost_host": lost,
        "scale_100_running": all_running,
        "scale_100_steady": steady,
        "docker_run_100": bare,
        "docker_run_p50": docker_run_seconds(),
    }
    report(
        "Services (goals: crash-to-replacement p50 <= 2 s; lost host <= 15 s)",
        [
            (
                "crash-to-replacement RUNNING, 20 crashes",
                f"p50 {figures['crash_p50']:.2f} s  p95 {figures['crash_p95']:.2f} s",
            ),
            ("lost host (SIGSTOP) -> its tasks RUNNING elsewhere", f"{lost:.1f} s  (agent grace 10 s)"),
            (
                "scale-out 0 -> 100 tasks on 3 agents",
                f"100 RUNNING after {all_running:.1f} s, steady after {steady:.1f} s",
            ),
            (
                "100 bare docker run -d, one after another",
                f"{bare:.1f} s   ratio (all RUNNING) {all_running / bare:.2f}x",
            ),
        ],
    )
    return figures


if __name__ == "__main__":
    run()
