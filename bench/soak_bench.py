"""The soak (issue #14): `make soak`, or `python -m bench soak`.

32 clients, each on its own connection, mix RunTask / StopTask / DescribeTasks / ListTasks /
DescribeClusters / DescribeTaskDefinition / DescribeContainerInstances / ListContainerInstances /
ListTaskDefinitions for BENCH_SOAK_SECONDS (default 60) against a control plane process and one
real agent running busybox containers (each client keeps at most two tasks of its own alive;
RunTask is paced, BENCH_SOAK_RUNTASK_RATE per second, default 5).
Reports errors (any failed call or RunTask failure), throughput and p50/p99 latency per call next
to one client's unloaded latency measured first, the control plane's and the agent's RSS idle,
warmed up (a third in) and at the end, and the containers left once every task has
stopped (the agent's cleanup wait is 2 s here): the goal is 0 errors and 0 leaked containers.
"""

from __future__ import annotations

import os
import random
import threading
import time
import uuid
from collections import defaultdict

from bench.common import agent_process, controlplane_process, percentile, report, rss_mib
from berth import ApiError, Client
from tests.support.infra import docker_client

CLIENTS = 32
SECONDS = float(os.environ.get("BENCH_SOAK_SECONDS", "60"))
LIVE_PER_CLIENT = 2
# RunTask is paced to what dockerd on two cores sustains next to everything else (a bare
# `docker run -d` takes ~0.3 s); past that, containers queue on the host and the soak turns into an
# overload test. The other calls are not paced.
RUNTASK_RATE = float(os.environ.get("BENCH_SOAK_RUNTASK_RATE", "5"))
CLUSTER = "soak"
CALLS = [  # (name, weight)
    ("RunTask", 3),
    ("StopTask", 3),
    ("DescribeTasks", 4),
    ("ListTasks", 3),
    ("DescribeClusters", 2),
    ("DescribeTaskDefinition", 2),
    ("DescribeContainerInstances", 1),
    ("ListContainerInstances", 1),
    ("ListTaskDefinitions", 1),
]

READS = [name for name, _ in CALLS if name not in ("RunTask", "StopTask", "DescribeTasks")]


class Pace:
    """A token bucket shared by the clients: `take()` says whether a RunTask may go now."""

    def __init__(self, rate: float) -> None:
        self.rate, self.tokens, self.at = rate, 1.0, time.monotonic()
        self.lock = threading.Lock()

    def take(self) -> bool:
        with self.lock:
            now = time.monotonic()
            self.tokens = min(1.0, self.tokens + (now - self.at) * self.rate)
            self.at = now
            if self.tokens < 1:
                return False
            self.tokens -= 1
            return True


class Soaker(threading.Thread):
    def __init__(self, client: Client, td: str, instance: str, stop_at: float, seed: int, pace: Pace) -> None:
        super().__init__(daemon=True)
        self.client, self.td, self.instance, self.stop_at, self.pace = client, td, instance, stop_at, pace
        self.random = random.Random(seed)
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.errors: list[str] = []
        self.started: list[str] = []  # every task this client ran
        self.live: list[str] = []

    def run(self) -> None:
        names, weights = zip(*CALLS, strict=True)
        while time.monotonic() < self.stop_at:
            name = self.random.choices(names, weights)[0]
            if name == "RunTask" and (len(self.live) >= LIVE_PER_CLIENT or not self.pace.take()):
                name = "StopTask" if self.live else self.random.choice(READS)
            if name in ("StopTask", "DescribeTasks") and not self.live:
                name = self.random.choice(READS)
            start = time.perf_counter()
            try:
                self.call(name)
            except ApiError as e:
                self.errors.append(f"{name}: {e}")
            self.latencies[name].append(time.perf_counter() - start)

    def call(self, name: str) -> None:
        c = self.client
        if name == "RunTask":
            resp = c.run_task(cluster=CLUSTER, taskDefinition=self.td, startedBy="soak")
            if resp.failures:
                self.errors.append(f"RunTask failure: {resp.failures[0].reason}")
            for task in resp.tasks:
                self.live.append(task.task_arn)
                self.started.append(task.task_arn)
        elif name == "StopTask":
            c.stop_task(cluster=CLUSTER, task=self.live.pop(0), reason="soak")
        elif name == "DescribeTasks":
            c.describe_tasks(cluster=CLUSTER, tasks=self.live)
        elif name == "ListTasks":
            c.list_tasks(cluster=CLUSTER, maxResults=100)
        elif name == "DescribeClusters":
            c.describe_clusters(clusters=[CLUSTER], include=["STATISTICS"])
        elif name == "DescribeTaskDefinition":
            c.describe_task_definition(taskDefinition=self.td)
        elif name == "DescribeContainerInstances":
            c.describe_container_instances(cluster=CLUSTER, containerInstances=[self.instance])
        elif name == "ListContainerInstances":
            c.list_container_instances(cluster=CLUSTER)
        else:
            c.list_task_definitions(familyPrefix="soak")


def unloaded_latency(client: Client, calls: int = 200) -> list[float]:
    """The same-run baseline: one client, nothing else going on."""
    out = []
    for _ in range(calls):
        start = time.perf_counter()
        client.describe_clusters(clusters=[CLUSTER])
        out.append(time.perf_counter() - start)
    return out


def wait_stopped(client: Client, arns: list[str], timeout: float = 120) -> int:
    """Seconds-bounded wait for every task to be STOPPED; the number still not stopped."""
    deadline = time.monotonic() + timeout
    pending = list(arns)
    while pending and time.monotonic() < deadline:
        still = []
        for i in range(0, len(pending), 100):
            for task in client.describe_tasks(cluster=CLUSTER, tasks=pending[i : i + 100]).tasks:
                if task.last_status != "STOPPED":
                    still.append(task.task_arn)
        pending = still
        if pending:
            time.sleep(0.5)
    return len(pending)


def leftover_containers(instance_arn: str, timeout: float = 90) -> int:
    """Containers of the instance still present once the cleanup wait has passed."""
    docker = docker_client()
    deadline = time.monotonic() + timeout
    while True:
        left = docker.api.containers(all=True, filters={"label": f"berth.instance-arn={instance_arn}"})
        if not left or time.monotonic() > deadline:
            return len(left)
        time.sleep(0.5)


def run() -> dict[str, float]:
    with (
        controlplane_process(f"/bench-soak-{uuid.uuid4().hex[:6]}/") as cp,
        Client(config_path=cp.config_path) as admin,
    ):
        td = admin.register_task_definition(
            {
                "family": "soak-sleep",
                "containerDefinitions": [
                    {
                        "name": "sleep",
                        "image": "berth/busybox:latest",
                        "memory": 16,
                        # PID 1 ignores SIGTERM unless it traps it: stop quickly, as a real app does.
                        "command": ["sh", "-c", "trap 'exit 0' TERM; while sleep 1; do :; done"],
                    }
                ],
            }
        ).task_definition.task_definition_arn
        with agent_process(cp, CLUSTER, "--cleanup-wait", "2") as agent:
            assert cp.proc is not None and agent.proc is not None
            instance = agent.instance_arn
            cp_before, agent_before = rss_mib(cp.proc.pid), rss_mib(agent.proc.pid)
            idle = unloaded_latency(admin)
            clients = [Client(config_path=cp.config_path) for _ in range(CLIENTS)]
            stop_at = time.monotonic() + SECONDS
            pace = Pace(RUNTASK_RATE)
            soakers = [Soaker(c, td, instance, stop_at, seed, pace) for seed, c in enumerate(clients)]
            start = time.perf_counter()
            for s in soakers:
                s.start()
            # RSS once warmed up (a third in) and at the end: growth between the two would be a leak.
            time.sleep(SECONDS / 3)
            cp_warm, agent_warm = rss_mib(cp.proc.pid), rss_mib(agent.proc.pid)
            for s in soakers:
                s.join()
            elapsed = time.perf_counter() - start
            cp_after, agent_after = rss_mib(cp.proc.pid), rss_mib(agent.proc.pid)
            for s in soakers:
                for arn in s.live:
                    admin.stop_task(cluster=CLUSTER, task=arn, reason="soak over")
            started = [arn for s in soakers for arn in s.started]
            not_stopped = wait_stopped(admin, started)
            leaked = leftover_containers(instance)
            for c in clients:
                c.close()
            agent_alive = agent.proc.poll() is None
    latencies: dict[str, list[float]] = defaultdict(list)
    errors = [e for s in soakers for e in s.errors]
    for s in soakers:
        for name, values in s.latencies.items():
            latencies[name] += values
    every = [v for values in latencies.values() for v in values]
    rows = [
        ("calls", f"{len(every)} in {elapsed:.0f} s = {len(every) / elapsed:.0f}/s, {len(errors)} errors"),
        ("baseline: DescribeClusters, 1 client, idle", f"p50 {percentile(idle, 50) * 1000:.1f} ms"),
        (
            "latency, all calls",
            f"p50 {percentile(every, 50) * 1000:.1f} ms  p99 {percentile(every, 99) * 1000:.1f} ms",
        ),
    ]
    for name, _ in CALLS:
        values = latencies.get(name, [])
        rows.append(
            (
                f"  {name}",
                f"{len(values)} calls  p50 {percentile(values, 50) * 1000:.1f} ms  "
                f"p99 {percentile(values, 99) * 1000:.1f} ms",
            )
        )
    rows += [
        ("tasks run", f"{len(started)}; not STOPPED afterwards: {not_stopped}; containers left: {leaked}"),
        ("control plane RSS, idle / warm / end", f"{cp_before:.0f} / {cp_warm:.0f} / {cp_after:.0f} MiB"),
        (
            "agent RSS, idle / warm / end",
            f"{agent_before:.0f} / {agent_warm:.0f} / {agent_after:.0f} MiB"
            + ("" if agent_alive else " (the agent DIED)"),
        ),
    ]
    report(
        f"Soak: {CLIENTS} clients for {SECONDS:.0f} s on one agent, RunTask paced at {RUNTASK_RATE:g}/s "
        "(goal: 0 errors, 0 leaked)",
        rows,
    )
    for error in errors[:10]:
        print(f"  ERROR {error}")
    return {
        "calls_per_second": len(every) / elapsed,
        "errors": len(errors),
        "p99_ms": percentile(every, 99) * 1000,
        "leaked_containers": leaked,
        "cp_rss_growth_after_warmup_mib": cp_after - cp_warm,
        "agent_rss_growth_after_warmup_mib": agent_after - agent_warm,
    }


if __name__ == "__main__":
    run()
