"""Kill -9 the control plane during a deployment, restart it: the deployment continues and
completes; no task is duplicated or lost."""

from __future__ import annotations

import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from berth import Client
from tests.support.agents import AgentProcess, wait_for
from tests.support.infra import ControlPlaneProcess

pytestmark = [pytest.mark.etcd, pytest.mark.docker, pytest.mark.e2e]

IMAGE = "berth/busybox:latest"


def live(client: Client, cluster: str) -> list[Any]:
    arns = client.list_tasks(cluster=cluster, serviceName="web").task_arns
    return (
        [t for t in client.describe_tasks(cluster=cluster, tasks=arns).tasks if t.last_status != "STOPPED"]
        if arns
        else []
    )


def test_deployment_survives_a_control_plane_kill(etcd_endpoint: str, tmp_path: Path, docker: Any) -> None:
    cp = ControlPlaneProcess(
        etcd_endpoint,
        tmp_path / "cp",
        prefix=f"/berth-restart-{uuid.uuid4().hex[:8]}/",
        extra=("--settle-seconds", "3", "--agent-grace", "10"),
    ).start()
    token = (cp.data_dir / "join-token").read_text().strip()
    agents = [AgentProcess(cp.endpoint, token, "prod", f"host{i}") for i in range(2)]
    client = Client(config_path=cp.config_path)
    try:
        client.create_cluster(clusterName="prod")
        for a in agents:
            a.start().wait_connected(client)
        defs = [
            client.register_task_definition(
                {
                    "family": "web",
                    "containerDefinitions": [
                        {"name": "app", "image": IMAGE, "memory": 16, "command": ["sleep", "3600"]}
                    ],
                }
            ).task_definition.task_definition_arn
            for _ in range(2)
        ]
        client.create_service(
            cluster="prod",
            serviceName="web",
            taskDefinition=defs[0],
            desiredCount=4,
            deploymentConfiguration={"minimumHealthyPercent": 50, "maximumPercent": 100},
        )
        wait_for(lambda: sum(t.last_status == "RUNNING" for t in live(client, "prod")) == 4, timeout=60)
        client.update_service(cluster="prod", service="web", taskDefinition=defs[1])
        # Kill the control plane once the rollout is under way.
        wait_for(lambda: any(t.task_definition_arn == defs[1] for t in live(client, "prod")), timeout=60)
        cp.kill()
        time.sleep(1)
        cp.start()

        def done() -> bool:
            s = client.describe_services(cluster="prod", services=["web"]).services[0]
            tasks = live(client, "prod")
            return (
                len(s.deployments) == 1
                and s.deployments[0].rollout_state == "COMPLETED"
                and Counter(t.task_definition_arn for t in tasks) == {defs[1]: 4}
                and all(t.last_status == "RUNNING" for t in tasks)
            )

        wait_for(done, timeout=120, interval=0.5, message="the deployment did not complete after the restart")
        # Nothing duplicated: exactly 4 containers of the service run on the hosts.
        running = [
            c
            for a in agents
            for c in docker.containers.list(filters={"label": f"berth.instance-arn={a.instance_arn}"})
        ]
        assert len(running) == 4
        assert {c.labels["berth.task-arn"] for c in running} == {t.task_arn for t in live(client, "prod")}
    finally:
        client.close()
        for a in agents:
            a.cleanup(docker)
        cp.stop()
