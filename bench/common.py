"""Shared pieces of the benchmarks: infrastructure, timing and reporting."""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tests.support.agents import AgentProcess
from tests.support.infra import ControlPlaneProcess, http_ok, start_private_etcd


def etcd_endpoint() -> str:
    configured = os.environ.get("BERTH_TEST_ETCD", "127.0.0.1:2379")
    if http_ok(f"http://{configured}/health"):
        return configured
    return start_private_etcd().endpoint


@contextmanager
def controlplane_process(prefix: str, *extra: str) -> Iterator[ControlPlaneProcess]:
    cp = ControlPlaneProcess(
        etcd_endpoint(), Path(tempfile.mkdtemp(prefix="berth-bench-")), prefix=prefix, extra=extra
    ).start()
    try:
        yield cp
    finally:
        cp.stop()


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def report(title: str, rows: list[tuple[str, str]]) -> None:
    width = max((len(k) for k, _ in rows), default=0)
    print(f"\n== {title}")
    for key, value in rows:
        print(f"  {key.ljust(width)}  {value}")


@contextmanager
def agent_process(cp: ControlPlaneProcess, cluster: str, *extra: str) -> Iterator[AgentProcess]:
    """A berth-agent joined to `cluster`, connected, removed with its containers afterwards."""
    from berth import Client
    from tests.support.infra import docker_client

    token = (cp.data_dir / "join-token").read_text().strip()
    if "--pool" not in extra:
        with Client(config_path=cp.config_path) as client:
            client.create_cluster(clusterName=cluster)  # an agent joins an existing cluster
    agent = AgentProcess(cp.endpoint, token, cluster, "bench", extra=list(extra)).start()
    try:
        with Client(config_path=cp.config_path) as client:
            agent.wait_connected(client)
        yield agent
    finally:
        agent.cleanup(docker_client())


def docker_run_seconds(image: str = "berth/busybox:latest") -> float:
    """One bare `docker run -d` of `image` (sleeping), timed; the container is removed afterwards."""
    import subprocess
    import time

    start = time.perf_counter()
    out = subprocess.run(
        ["docker", "run", "-d", "--label", "berth.bench=1", image, "sleep", "3600"],
        capture_output=True,
        text=True,
        check=True,
    )
    elapsed = time.perf_counter() - start
    subprocess.run(["docker", "rm", "-f", out.stdout.strip()], capture_output=True)
    return elapsed


def start_latency(client: Any, cluster: str, **run_task: Any) -> tuple[str, float]:
    """RunTask one task and wait for RUNNING; (its ARN, startedAt - createdAt)."""
    resp = client.run_task(cluster=cluster, **run_task)
    assert resp.tasks, resp.failures
    arn = resp.tasks[0].task_arn
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        task = client.describe_tasks(cluster=cluster, tasks=[arn]).tasks[0]
        if task.last_status in ("RUNNING", "STOPPED"):
            break
        time.sleep(0.02)
    assert task.last_status == "RUNNING", f"{task.last_status}: {task.stopped_reason}"
    return arn, task.started_at - task.created_at
