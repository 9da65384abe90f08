"""Three control plane replicas: how fast leadership and an agent's session move after kill -9,
and what forwarding a log read to the replica holding the session costs against reading it there.

Each round kills (SIGKILL) the leader, or the replica holding the agent's session, times until a
live replica's /metrics shows it leading (or holding the session), checks that no task was
replaced, and starts the killed replica again on the same ports. BENCH_REPLICAS_ROUNDS (5) rounds
of each.
"""

from __future__ import annotations

import json
import os
import signal
import tempfile
import time
import uuid
from pathlib import Path

from bench.common import etcd_endpoint, median, percentile, report
from berth import Client
from tests.support.agents import AgentProcess, wait_for, wait_task
from tests.support.infra import ControlPlaneProcess, docker_client
from tests.support.scrape import config_token, metrics_text

ROUNDS = int(os.environ.get("BENCH_REPLICAS_ROUNDS", "5"))
TICKER = "i=0; while true; do echo line $i; i=$((i+1)); sleep 0.2; done"


def gauge(cp: ControlPlaneProcess, name: str) -> float:
    try:
        text = metrics_text(cp.http, config_token(cp.config_path), cp.ca_file, 0.5)
        for line in text.splitlines():
            if line.startswith(name + " "):
                return float(line.split()[1])
    except OSError:
        pass
    return 0.0


def alive(cp: ControlPlaneProcess) -> bool:
    return cp.proc is not None and cp.proc.poll() is None


def the(replicas: list[ControlPlaneProcess], name: str) -> ControlPlaneProcess | None:
    """The live replica whose gauge `name` is set (the leader, or the agent's session holder)."""
    return next((cp for cp in replicas if alive(cp) and gauge(cp, name) >= 1), None)


def kill_and_time(replicas: list[ControlPlaneProcess], name: str) -> float:
    victim = wait_for(lambda: the(replicas, name), timeout=30, interval=0.05, message=name)
    assert victim.proc is not None
    victim.proc.send_signal(signal.SIGKILL)
    t0 = time.monotonic()
    victim.proc.wait(10)
    wait_for(lambda: the(replicas, name), timeout=60, interval=0.05, message=f"{name} after a kill")
    seconds = time.monotonic() - t0
    victim.start()  # back, on the same ports, for the next round
    return seconds


def logs_seconds(
    cp: ControlPlaneProcess, token: str, cluster: str, task: str, calls: int = 30
) -> list[float]:
    out = []
    with Client(cp.endpoint, token, ca_file=cp.ca_file) as c:
        for _ in range(calls):
            t0 = time.perf_counter()
            lines = [e for r in c.get_task_logs(cluster=cluster, task=task, tail=10) for e in r.events]
            out.append(time.perf_counter() - t0)
            assert lines
    return out


def run() -> None:
    prefix = f"/berth-bench-replicas-{uuid.uuid4().hex[:8]}/"
    base = Path(tempfile.mkdtemp(prefix="berth-bench-replicas-"))
    replicas = [
        ControlPlaneProcess(etcd_endpoint(), base / f"cp{i}", prefix=prefix).start() for i in range(3)
    ]
    endpoints = ",".join(cp.endpoint for cp in replicas)
    token = json.loads(replicas[0].config_path.read_text())["token"]
    join = (replicas[0].data_dir / "join-token").read_text().strip()
    cluster = f"bench-ha-{uuid.uuid4().hex[:6]}"
    agent: AgentProcess | None = None
    try:
        with Client(endpoints, token, ca_file=replicas[0].ca_file) as client:
            client.create_cluster(clusterName=cluster)
            agent = AgentProcess(endpoints, join, cluster, "bench-ha").start()
            instance = agent.wait_connected(client)
            client.register_task_definition(
                {
                    "family": cluster,
                    "containerDefinitions": [
                        {
                            "name": "web",
                            "image": "berth/busybox:latest",
                            "memory": 16,
                            "stopTimeout": 2,
                            "command": ["sh", "-c", TICKER],
                        }
                    ],
                }
            )
            client.create_service(cluster=cluster, serviceName="web", taskDefinition=cluster, desiredCount=2)
            wait_for(lambda: len(client.list_tasks(cluster=cluster, serviceName="web").task_arns) == 2)
            arns = sorted(client.list_tasks(cluster=cluster, serviceName="web").task_arns)
            for arn in arns:
                wait_task(client, cluster, arn, "RUNNING")
            time.sleep(1)

            holder = wait_for(lambda: the(replicas, "berth_agent_sessions"), timeout=30)
            other = next(cp for cp in replicas if cp is not holder)
            local = logs_seconds(holder, token, cluster, arns[0])
            forwarded = logs_seconds(other, token, cluster, arns[0])

            leader_s = [kill_and_time(replicas, "berth_controlplane_leader") for _ in range(ROUNDS)]
            session_s = [kill_and_time(replicas, "berth_agent_sessions") for _ in range(ROUNDS)]
            time.sleep(12)  # past the agent grace
            kept = sorted(client.list_tasks(cluster=cluster, serviceName="web").task_arns) == arns
            connected = (
                client.describe_container_instances(cluster=cluster, containerInstances=[instance])
                .container_instances[0]
                .agent_connected
            )
            client.update_service(cluster=cluster, service="web", desiredCount=0)
        report(
            f"replicas: 3 control plane replicas, kill -9, {ROUNDS} rounds each",
            [
                (
                    "leader failover (kill -9 leader -> another leads)",
                    f"p50 {median(leader_s):.2f} s, max {max(leader_s):.2f} s (lease 3 s)",
                ),
                (
                    "agent session failover (kill -9 its replica -> held elsewhere)",
                    f"p50 {median(session_s):.2f} s, max {max(session_s):.2f} s (agent grace 10 s)",
                ),
                ("service tasks replaced during the kills", "none" if kept else "SOME (a regression)"),
                ("agent connected afterwards", str(connected)),
                (
                    "GetTaskLogs tail=10, on the session's replica",
                    f"p50 {median(local) * 1000:.1f} ms, p95 {percentile(local, 95) * 1000:.1f} ms",
                ),
                (
                    "GetTaskLogs tail=10, forwarded from another replica",
                    f"p50 {median(forwarded) * 1000:.1f} ms, p95 {percentile(forwarded, 95) * 1000:.1f} ms "
                    f"({median(forwarded) / median(local):.2f}x)",
                ),
            ],
        )
    finally:
        if agent is not None:
            agent.stop()
            agent.cleanup(docker_client())
        for cp in replicas:
            cp.kill()


if __name__ == "__main__":
    run()
