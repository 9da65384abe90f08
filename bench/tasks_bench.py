"""Task start latency and agent footprint (issue #3).

RunTask -> RUNNING latency (p50, p95) for 50 single-container busybox tasks on one agent, one at a
time, next to a bare `docker run -d` of the same image measured in the same run (interleaved);
with the agent's ECS-default image pull behaviour ("default": try the registry, fall back to the
cache) and with "prefer-cached". Latency is the task's startedAt - createdAt (the control plane
stamps createdAt in RunTask, the agent startedAt when the task is RUNNING; one clock). Also the
agent's RSS idle and with 50 running tasks.
"""

from __future__ import annotations

import time
import uuid

from bench.common import (
    agent_process,
    controlplane_process,
    docker_run_seconds,
    percentile,
    report,
    rss_mib,
    start_latency,
)
from berth import Client

TASKS = 50


def measure(client: Client, cluster: str, td: str, baseline: list[float], latencies: list[float]) -> None:
    for _ in range(TASKS):
        baseline.append(docker_run_seconds())
        latencies.append(start_latency(client, cluster, taskDefinition=td)[1])


def run() -> dict[str, float]:
    figures: dict[str, float] = {}
    rows = []
    with (
        controlplane_process(f"/bench-tasks-{uuid.uuid4().hex[:6]}/") as cp,
        Client(config_path=cp.config_path) as client,
    ):
        td = client.register_task_definition(
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
        ).task_definition.task_definition_arn
        for behavior in ("prefer-cached", "default"):
            cluster = f"bench-{behavior}"
            client.create_cluster(clusterName=cluster)
            with agent_process(cp, cluster, "--image-pull-behavior", behavior) as agent:
                assert agent.proc is not None
                time.sleep(1)
                idle = rss_mib(agent.proc.pid)
                baseline: list[float] = []
                latencies: list[float] = []
                measure(client, cluster, td, baseline, latencies)
                busy = rss_mib(agent.proc.pid)
            p50, p95 = percentile(latencies, 50), percentile(latencies, 95)
            b50 = percentile(baseline, 50)
            figures.update(
                {
                    f"{behavior}_p50": p50,
                    f"{behavior}_p95": p95,
                    "docker_run_p50": b50,
                    f"{behavior}_ratio": p50 / b50,
                    "agent_rss_idle_mib": idle,
                    f"agent_rss_{TASKS}_tasks_mib": busy,
                }
            )
            rows.append(
                (
                    f"RunTask->RUNNING, pull behaviour {behavior}",
                    f"p50 {p50 * 1000:.0f} ms  p95 {p95 * 1000:.0f} ms   bare docker run -d p50 "
                    f"{b50 * 1000:.0f} ms   ratio {p50 / b50:.2f}x",
                )
            )
        rows.append(("agent RSS idle / with 50 running tasks", f"{idle:.0f} MiB / {busy:.0f} MiB"))
    report(f"Task start latency, {TASKS} tasks one at a time (goal: p50 within 1.3x of docker run -d)", rows)
    return figures


if __name__ == "__main__":
    run()
