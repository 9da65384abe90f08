"""`berth status` against a real cluster: a service, a connected instance, a failed task."""

from __future__ import annotations

import json
from typing import Any

import pytest

from berth import Client
from tests.integration.observability.test_logs import IMAGE, berth, run_task
from tests.support.agents import wait_for, wait_task

pytestmark = [pytest.mark.etcd, pytest.mark.docker]


def test_status_shows_services_instances_and_recent_failures(
    controlplane: Any, client: Client, cluster: str, agents: Any, unique: str
) -> None:
    agents(name=f"host-{unique}").wait_connected(client)
    client.register_task_definition(
        {
            "family": f"steady-{unique}",
            "containerDefinitions": [
                {"name": "app", "image": IMAGE, "memory": 16, "command": ["sleep", "3600"]}
            ],
        }
    )
    client.create_service(
        cluster=cluster, serviceName="web", taskDefinition=f"steady-{unique}", desiredCount=1
    )
    failing = run_task(
        client,
        cluster,
        f"fails-{unique}",
        [{"name": "job", "image": IMAGE, "memory": 16, "command": ["false"]}],
    )
    wait_task(client, cluster, failing, "STOPPED")

    def status() -> dict[str, Any]:
        out = berth(controlplane, "status", "--cluster", cluster, "--output", "json")
        assert out.returncode == 0 and out.stderr == "", out.stderr
        return json.loads(out.stdout)  # type: ignore[no-any-return]

    def steady() -> dict[str, Any] | None:
        s = status()
        done = s["services"] and s["services"][0]["deployment"].startswith("COMPLETED steady-")
        return s if done else None

    data = wait_for(steady, timeout=60, interval=0.5, message="the service did not reach a steady state")
    assert data["services"][0]["runningCount"] == 1
    [instance] = data["containerInstances"]
    assert instance["host"] == f"host-{unique}" and instance["agentConnected"]
    assert instance["freeMemory"] == instance["memory"] - 16
    assert [f["what"].split()[0] for f in data["recentFailures"]] == ["task"]
    assert "job exited 1" in data["recentFailures"][0]["reason"]

    screen = berth(controlplane, "status", "--cluster", cluster)
    assert screen.returncode == 0, screen.stderr
    assert f"cluster {cluster} (ACTIVE)" in screen.stdout and f"host-{unique}" in screen.stdout
    assert "job exited 1" in screen.stdout

    missing = berth(controlplane, "status", "--cluster", f"nope-{unique}")
    assert missing.returncode == 1 and f"cluster 'nope-{unique}' not found" in missing.stderr
