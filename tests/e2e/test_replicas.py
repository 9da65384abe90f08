"""Three control plane replicas behind one endpoint list, as processes a user starts: logs and exec
reach the agent through any replica (forwarded to the one holding its session); when that replica
is killed (-9), the agent's session moves to another without its tasks being marked lost; when the
leader is killed, another replica takes the controllers over."""

from __future__ import annotations

import json
import signal
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from berth import Client
from tests.integration.tasks.test_exec import run, start
from tests.support.agents import AgentProcess, wait_for, wait_task
from tests.support.infra import ControlPlaneProcess, docker_client

pytestmark = [pytest.mark.etcd, pytest.mark.docker, pytest.mark.e2e]

IMAGE = "berth/busybox:latest"
TICKER = "i=0; while true; do echo line $i; i=$((i+1)); sleep 0.2; done"


@pytest.fixture
def replicas(etcd_endpoint: str, tmp_path: Path) -> Iterator[list[ControlPlaneProcess]]:
    prefix = f"/berth-replicas-{uuid.uuid4().hex[:8]}/"
    started = []
    try:
        for i in range(3):
            cp = ControlPlaneProcess(
                etcd_endpoint, tmp_path / f"cp{i}", prefix=prefix, extra=("--agent-grace", "10")
            )
            started.append(cp.start())
        yield started
    finally:
        for cp in started:
            cp.kill()


def events_of(cp: ControlPlaneProcess, event: str) -> list[dict[str, Any]]:
    out = []
    for line in (cp.data_dir / "controlplane.log").read_text(errors="replace").splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if record.get("event") == event:
            out.append(record)
    return out


def holder(replicas: list[ControlPlaneProcess], instance_id: str) -> ControlPlaneProcess | None:
    """The live replica that says it holds the instance's agent session (connected, not ended)."""
    for cp in replicas:
        if cp.proc is None or cp.proc.poll() is not None:
            continue
        mine = [
            e
            for e in ("agent_connected", "agent_session_ended")
            for r in events_of(cp, e)
            if r.get("instance") == instance_id
        ]
        if mine.count("agent_connected") > mine.count("agent_session_ended"):
            return cp
    return None


def leader(replicas: list[ControlPlaneProcess]) -> ControlPlaneProcess | None:
    for cp in replicas:
        if cp.proc is None or cp.proc.poll() is not None:
            continue
        if len(events_of(cp, "became_leader")) > len(events_of(cp, "leadership_ended")):
            return cp
    return None


def service_tasks(client: Client, cluster: str, count: int) -> list[str] | None:
    arns = sorted(client.list_tasks(cluster=cluster, serviceName="web").task_arns)
    return arns if len(arns) == count else None


def logs_via(cp: ControlPlaneProcess, token: str, cluster: str, task: str) -> str:
    with Client(cp.endpoint, token, ca_file=cp.ca_file) as c:
        lines = [e.message for r in c.get_task_logs(cluster=cluster, task=task, tail=5) for e in r.events]
    return "\n".join(lines)


def test_streams_are_forwarded_and_sessions_and_leadership_fail_over(
    replicas: list[ControlPlaneProcess],
) -> None:
    token = json.loads(replicas[0].config_path.read_text())["token"]
    endpoints = ",".join(cp.endpoint for cp in replicas)
    join = (replicas[0].data_dir / "join-token").read_text().strip()
    client = Client(endpoints, token, ca_file=replicas[0].ca_file)
    cluster = f"ha-{uuid.uuid4().hex[:6]}"
    client.create_cluster(clusterName=cluster)
    agent = AgentProcess(endpoints, join, cluster, f"ha-{cluster}").start()
    try:
        instance = agent.wait_connected(client)
        instance_id = instance.rsplit("/", 1)[1]
        # A join token rotated on one replica reaches every replica's <data-dir>/join-token.
        with Client(replicas[0].endpoint, token, ca_file=replicas[0].ca_file) as first:
            rotated = first.rotate_join_token().join_token
        assert rotated != join
        wait_for(
            lambda: all((cp.data_dir / "join-token").read_text().strip() == rotated for cp in replicas),
            timeout=20,
            message="the rotated join token did not reach every replica's data dir",
        )
        client.register_task_definition(
            {
                "family": cluster,
                "containerDefinitions": [
                    {
                        "name": "web",
                        "image": IMAGE,
                        "memory": 16,
                        "stopTimeout": 2,
                        "command": [
                            "sh",
                            "-c",
                            "i=0; while true; do echo line $i; i=$((i+1)); sleep 0.2; done",
                        ],
                    }
                ],
            }
        )
        client.create_service(cluster=cluster, serviceName="web", taskDefinition=cluster, desiredCount=2)
        wait_for(
            lambda: len(client.list_tasks(cluster=cluster, serviceName="web").task_arns) == 2, timeout=30
        )
        arns = sorted(client.list_tasks(cluster=cluster, serviceName="web").task_arns)
        for arn in arns:
            wait_task(client, cluster, arn, "RUNNING")
        (solo,) = client.run_task(cluster=cluster, taskDefinition=cluster, enableExecuteCommand=True).tasks
        wait_task(client, cluster, solo.task_arn, "RUNNING")

        # Logs and exec through every replica: two of them forward to the one holding the session.
        first = holder(replicas, instance_id)
        assert first is not None
        for cp in replicas:
            assert "line" in wait_for(lambda cp=cp: logs_via(cp, token, cluster, arns[0]), timeout=20), (
                cp.endpoint
            )
            with Client(cp.endpoint, token, ca_file=cp.ca_file) as c:
                out, _, code = run(c, start(cluster, solo.task_arn, "echo via-replica"))
            assert (out, code) == (b"via-replica\n", 0), cp.endpoint

        # kill -9 the replica holding the agent's session: the agent moves on, its tasks stay.
        first.proc.send_signal(signal.SIGKILL)  # type: ignore[union-attr]
        first.proc.wait(10)  # type: ignore[union-attr]
        moved = wait_for(lambda: holder(replicas, instance_id), timeout=30, message="session moved")
        assert moved is not first
        time.sleep(12)  # past the agent grace: nothing may have been replaced meanwhile
        assert service_tasks(client, cluster, 2) == arns, "the service's tasks were replaced"
        assert not client.list_tasks(cluster=cluster, desiredStatus="STOPPED").task_arns
        described = client.describe_container_instances(cluster=cluster, containerInstances=[instance])
        assert described.container_instances[0].agent_connected
        for cp in replicas:
            if cp is not first:
                assert "line" in logs_via(cp, token, cluster, arns[1]), cp.endpoint

        # kill -9 the leader (if the first kill was not it): another takes the controllers over.
        boss = wait_for(lambda: leader(replicas), timeout=15, message="a leader")
        boss.proc.send_signal(signal.SIGKILL)  # type: ignore[union-attr]
        boss.proc.wait(10)  # type: ignore[union-attr]
        wait_for(lambda: leader(replicas), timeout=15, message="a new leader")
        client.update_service(cluster=cluster, service="web", desiredCount=3)
        wait_for(
            lambda: service_tasks(client, cluster, 3), timeout=30, message="the new leader placed a task"
        )
        client.update_service(cluster=cluster, service="web", desiredCount=0)
        client.stop_task(cluster=cluster, task=solo.task_arn)
    finally:
        agent.stop()
        agent.cleanup(docker_client())
        client.close()
