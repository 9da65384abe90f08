"""FARGATE start latency with and without the warm pool (issue #5).

FARGATE RunTask -> RUNNING (the task's startedAt - createdAt) p50/p95 for 30 single-container
busybox tasks one at a time on one pool agent, with warm sandboxes (and a warm image) and with the
warm pool disabled, next to a bare `docker run -d` of the same image measured in the same run.
AWS Fargate takes ~55 s for the same (ecs-semantics.md §7).
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
    start_latency,
)
from berth import Client

TASKS = 30


def measure(client: Client, cluster: str, td: str) -> tuple[list[float], list[float]]:
    latencies: list[float] = []
    baseline: list[float] = []
    for _ in range(TASKS):
        baseline.append(docker_run_seconds())
        arn, latency = start_latency(client, cluster, taskDefinition=td, launchType="FARGATE")
        latencies.append(latency)
        client.stop_task(cluster=cluster, task=arn)
        time.sleep(0.5)  # let the pool refill, as it would between real starts
    return latencies, baseline


def run() -> dict[str, float]:
    figures: dict[str, float] = {}
    rows = []
    with (
        controlplane_process(f"/bench-fargate-{uuid.uuid4().hex[:6]}/") as cp,
        Client(config_path=cp.config_path) as client,
    ):
        client.create_cluster(clusterName="bench")
        td = client.register_task_definition(
            {
                "family": "bench-fargate",
                "networkMode": "awsvpc",
                "requiresCompatibilities": ["FARGATE"],
                "cpu": "256",
                "memory": "512",
                "containerDefinitions": [
                    {
                        "name": "sleep",
                        "image": "berth/busybox:latest",
                        "command": ["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"],
                    }
                ],
            }
        ).task_definition.task_definition_arn
        for label, warm in (("warm pool", "2"), ("no warm pool", "0")):
            with agent_process(
                cp, "bench", "--pool", "fargate", "--warm-sandboxes", warm, "--cleanup-wait", "1"
            ):
                time.sleep(2)  # the warm sandboxes fill
                latencies, baseline = measure(client, "bench", td)
            p50, p95, b50 = percentile(latencies, 50), percentile(latencies, 95), percentile(baseline, 50)
            key = "warm" if warm != "0" else "cold"
            figures.update(
                {
                    f"{key}_p50": p50,
                    f"{key}_p95": p95,
                    f"{key}_docker_run_p50": b50,
                    f"{key}_ratio": p50 / b50,
                }
            )
            rows.append(
                (
                    f"FARGATE RunTask->RUNNING, {label}",
                    f"p50 {p50 * 1000:.0f} ms  p95 {p95 * 1000:.0f} ms   bare docker run -d p50 "
                    f"{b50 * 1000:.0f} ms   ratio {p50 / b50:.2f}x",
                )
            )
    report(
        f"FARGATE start latency, {TASKS} tasks one at a time (goal: warm p50 <= 1.2x docker run; AWS ~55 s)",
        rows,
    )
    return figures


if __name__ == "__main__":
    run()
