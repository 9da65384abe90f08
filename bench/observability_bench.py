"""What metrics cost the agent (issue #6): CPU and RSS with 50 running containers, scraped every 5 s.

One agent runs 50 busybox tasks (one container each). Its CPU time (utime + stime from
/proc/<pid>/stat) is measured over a window without scrapes (the baseline, same run: heartbeats,
Docker events and the 10 s task stats reports to the control plane) and over a window in which
its /metrics is scraped every 5 s, as Prometheus would. Reported as a share of one core; also the
agent's RSS, the scrape latency and the size of what it serves. Goal: <= 2 % of one core while
scraped, RSS <= 80 MB.
"""

from __future__ import annotations

import os
import time
import urllib.request
import uuid
from pathlib import Path

from bench.common import agent_process, controlplane_process, percentile, report, rss_mib
from berth import Client

TASKS = 50
SCRAPE_EVERY = 5.0
WINDOW = 60.0
BASELINE_WINDOW = 30.0


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def start_tasks(client: Client, cluster: str, td: str) -> None:
    arns: list[str] = []
    while len(arns) < TASKS:
        resp = client.run_task(cluster=cluster, taskDefinition=td, count=min(10, TASKS - len(arns)))
        assert not resp.failures, resp.failures
        arns += [t.task_arn for t in resp.tasks]
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        statuses = [
            t.last_status
            for i in range(0, len(arns), 100)
            for t in client.describe_tasks(cluster=cluster, tasks=arns[i : i + 100]).tasks
        ]
        if all(s == "RUNNING" for s in statuses):
            return
        assert "STOPPED" not in statuses, "a task stopped"
        time.sleep(0.5)
    raise AssertionError("the tasks did not all reach RUNNING")


def scrape(url: str) -> tuple[float, int, int]:
    start = time.perf_counter()
    with urllib.request.urlopen(url, timeout=10) as r:
        body = r.read().decode()
    elapsed = time.perf_counter() - start
    series = sum(1 for line in body.splitlines() if line and not line.startswith("#"))
    return elapsed, len(body), series


def run() -> dict[str, float]:
    with (
        controlplane_process(f"/bench-obs-{uuid.uuid4().hex[:6]}/") as cp,
        Client(config_path=cp.config_path) as client,
    ):
        cluster = "bench-observability"
        client.create_cluster(clusterName=cluster)
        td = client.register_task_definition(
            {
                "family": "bench-obs",
                "containerDefinitions": [
                    {
                        "name": "sleep",
                        "image": "berth/busybox:latest",
                        "cpu": 10,
                        "memory": 16,
                        "command": ["sleep", "3600"],
                    }
                ],
            }
        ).task_definition.task_definition_arn
        with agent_process(cp, cluster, "--heartbeat", "5") as agent:
            assert agent.proc is not None
            pid = agent.proc.pid
            instance = client.describe_container_instances(
                cluster=cluster, containerInstances=[agent.instance_arn]
            ).container_instances[0]
            url = f"http://{instance.metrics_endpoint}/metrics"
            start_tasks(client, cluster, td)
            time.sleep(5)  # let the launch settle

            t0, c0 = time.monotonic(), cpu_seconds(pid)
            time.sleep(BASELINE_WINDOW)
            baseline = (cpu_seconds(pid) - c0) / (time.monotonic() - t0) * 100

            latencies: list[float] = []
            size = series = 0
            t0, c0 = time.monotonic(), cpu_seconds(pid)
            next_scrape = t0
            while time.monotonic() - t0 < WINDOW:
                elapsed, size, series = scrape(url)
                latencies.append(elapsed)
                next_scrape += SCRAPE_EVERY
                time.sleep(max(0.0, next_scrape - time.monotonic()))
            scraped = (cpu_seconds(pid) - c0) / (time.monotonic() - t0) * 100
            rss = rss_mib(pid)
    figures = {
        "agent_cpu_percent_not_scraped": baseline,
        "agent_cpu_percent_scraped": scraped,
        "agent_rss_mib": rss,
        "scrape_p50_ms": percentile(latencies, 50) * 1000,
        "scrape_max_ms": max(latencies) * 1000,
        "metrics_series": float(series),
        "metrics_kib": size / 1024,
    }
    report(
        f"Agent metrics cost, {TASKS} running containers (goal: <= 2 % of one core scraped every "
        f"{SCRAPE_EVERY:.0f} s, RSS <= 80 MB)",
        [
            (
                f"agent CPU, {BASELINE_WINDOW:.0f} s not scraped / {WINDOW:.0f} s scraped",
                f"{baseline:.2f} % / {scraped:.2f} % of one core",
            ),
            ("agent RSS", f"{rss:.0f} MiB"),
            (
                "scrape of /metrics",
                f"p50 {figures['scrape_p50_ms']:.1f} ms, max {figures['scrape_max_ms']:.1f} ms, "
                f"{series} series, {size / 1024:.0f} KiB",
            ),
        ],
    )
    return figures


if __name__ == "__main__":
    run()
