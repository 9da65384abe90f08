"""The simulated agents of the scale benchmark (bench.simagents) speak the real agent protocol:
they join, run a service's tasks through PENDING to RUNNING, and when some are killed (no Goodbye)
the control plane replaces their tasks on the others, as with real hosts."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pytest

from bench.simagents import FleetProcess
from tests.support.agents import wait_for

pytestmark = pytest.mark.etcd

AGENTS = 30
TASKS = 120


def test_simulated_agents_run_a_service_and_their_loss_is_repaired(
    controlplane: Any, client: Any, cluster: str
) -> None:
    fleet = FleetProcess(
        controlplane.endpoint,
        controlplane.data_dir / "join-token",
        cluster,
        AGENTS,
        Path(tempfile.mkdtemp(prefix="berth-simagents-")),
        "--heartbeat",
        "1",
    )
    try:
        assert fleet.read() == {"ready": AGENTS}
        instances = client.list_container_instances(cluster=cluster, maxResults=100).container_instance_arns
        assert len(instances) == AGENTS
        client.register_task_definition(
            family=f"sim-{cluster}",
            containerDefinitions=[{"name": "web", "image": "berth/busybox:latest", "cpu": 64, "memory": 64}],
        )
        client.create_service(
            cluster=cluster, serviceName="web", taskDefinition=f"sim-{cluster}", desiredCount=TASKS
        )

        def running() -> int:
            return int(client.describe_services(cluster=cluster, services=["web"]).services[0].running_count)

        wait_for(lambda: running() == TASKS, timeout=60, message="the service's tasks RUNNING")
        status = fleet.command("status")
        assert status["running"] == TASKS and status["unacknowledged"] == 0

        killed = fleet.command("kill 5")["killed"]
        assert len(killed) == 5
        # Replaced elsewhere once the grace (4 s here) is over, and nothing left on the dead hosts.
        wait_for(lambda: fleet.command("status")["running"] == TASKS, timeout=60, message="replacements")
        wait_for(lambda: running() == TASKS, timeout=30)
        for arn in killed:
            left = client.list_tasks(
                cluster=cluster, containerInstance=arn, desiredStatus="RUNNING"
            ).task_arns
            assert not left, f"{len(left)} tasks still desired RUNNING on {arn}"
    finally:
        fleet.close()
        client.delete_service(cluster=cluster, service="web", force=True)
