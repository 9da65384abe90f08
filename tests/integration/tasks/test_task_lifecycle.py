"""Tasks on real agents and a real dockerd: start-up order, health, ports, exits, stops, OOM, pulls."""

from __future__ import annotations

import urllib.request
from typing import Any

import pytest

from berth import Client, jsonmsg
from tests.support.agents import task_status, wait_for, wait_task

pytestmark = [pytest.mark.etcd, pytest.mark.docker]

IMAGE = "berth/busybox:latest"


def register(client: Client, family: str, containers: list[dict[str, Any]], **task: Any) -> str:
    td = {"family": family, "containerDefinitions": containers, **task}
    return client.register_task_definition(td).task_definition.task_definition_arn


def run(client: Client, cluster: str, td: str, **kw: Any) -> str:
    resp = client.run_task(cluster=cluster, taskDefinition=td, **kw)
    assert not resp.failures, resp.failures
    return resp.tasks[0].task_arn


def test_two_containers_health_dependency_ports_and_timestamps(
    client: Client, cluster: str, agents: Any, unique: str
) -> None:
    agents().wait_connected(client)
    td = register(
        client,
        f"web-{unique}",
        [
            {
                "name": "web",
                "image": IMAGE,
                "memory": 64,
                "essential": True,
                "command": [
                    "sh",
                    "-c",
                    "mkdir -p /www && echo hello-berth > /www/index.html && exec httpd -f -p 8080 -h /www",
                ],
                "portMappings": [{"containerPort": 8080, "hostPort": 0}],
                "healthCheck": {
                    "command": ["CMD-SHELL", "wget -q -O /dev/null http://127.0.0.1:8080/ || exit 1"],
                    "interval": 5,
                    "timeout": 2,
                    "retries": 2,
                },
            },
            {
                "name": "sidecar",
                "image": IMAGE,
                "memory": 16,
                "essential": False,
                "command": ["sleep", "600"],
                "dependsOn": [{"containerName": "web", "condition": "HEALTHY"}],
            },
        ],
    )
    arn = run(client, cluster, td)
    task = wait_task(client, cluster, arn, "RUNNING", timeout=60)
    assert task.last_status == "RUNNING", task.stopped_reason
    web, sidecar = task.containers
    assert web.health_status == "HEALTHY" and task.health_status == "HEALTHY"
    assert sidecar.last_status == "RUNNING"
    # The sidecar started only once web was healthy.
    assert sidecar.started_at >= web.started_at + 4
    binding = web.network_bindings[0]
    assert binding.container_port == 8080 and binding.host_port > 0 and binding.protocol == "tcp"
    with urllib.request.urlopen(f"http://127.0.0.1:{binding.host_port}/", timeout=5) as r:
        assert r.read().strip() == b"hello-berth"
    assert 0 < task.created_at <= task.pull_started_at <= task.pull_stopped_at <= task.started_at
    assert task.connectivity == "CONNECTED" and task.connectivity_at >= task.started_at
    timing = jsonmsg.to_dict(task)["launchTiming"]
    assert timing["totalSeconds"] >= timing["startSeconds"] > 0
    client.stop_task(cluster=cluster, task=arn)
    stopped = wait_task(client, cluster, arn, "STOPPED", timeout=60)
    assert stopped.stop_code == "UserInitiated"
    assert stopped.started_at <= stopped.stopping_at <= stopped.execution_stopped_at <= stopped.stopped_at


def test_essential_exit_stops_the_task_and_non_essential_exit_does_not(
    client: Client, cluster: str, agents: Any, unique: str
) -> None:
    agents().wait_connected(client)
    td = register(
        client,
        f"exit-{unique}",
        [
            {"name": "main", "image": IMAGE, "memory": 16, "command": ["sh", "-c", "sleep 3; exit 3"]},
            {
                "name": "helper",
                "image": IMAGE,
                "memory": 16,
                "essential": False,
                "command": ["sh", "-c", "exit 0"],
            },
        ],
    )
    arn = run(client, cluster, td)
    running = wait_task(client, cluster, arn, "RUNNING")
    # The non-essential helper exits at once; the task stays RUNNING.
    helper = wait_for(
        lambda: next(
            (
                c
                for c in task_status(client, cluster, arn).containers
                if c.name == "helper" and c.last_status == "STOPPED"
            ),
            None,
        )
    )
    assert helper.exit_code == 0
    assert task_status(client, cluster, arn).last_status in ("RUNNING", "STOPPING", "STOPPED")
    assert running.last_status == "RUNNING"
    task = wait_task(client, cluster, arn, "STOPPED", timeout=30)
    assert task.stop_code == "EssentialContainerExited"
    assert task.stopped_reason == "Essential container in task exited"
    main = next(c for c in task.containers if c.name == "main")
    assert main.exit_code == 3 and main.last_status == "STOPPED"


def test_stop_task_waits_stop_timeout_for_a_container_ignoring_sigterm(
    client: Client, cluster: str, agents: Any, unique: str
) -> None:
    agents().wait_connected(client)
    td = register(
        client,
        f"stubborn-{unique}",
        [
            {
                "name": "stubborn",
                "image": IMAGE,
                "memory": 16,
                "stopTimeout": 4,
                "command": ["sh", "-c", "trap '' TERM; while true; do sleep 1; done"],
            },
        ],
    )
    arn = run(client, cluster, td)
    wait_task(client, cluster, arn, "RUNNING")
    client.stop_task(cluster=cluster, task=arn, reason="test stop")
    task = wait_task(client, cluster, arn, "STOPPED", timeout=30)
    assert task.stopped_reason == "test stop" and task.stop_code == "UserInitiated"
    # SIGTERM was ignored: it took the whole stopTimeout (then SIGKILL, exit 137).
    assert task.execution_stopped_at - task.stopping_at >= 4
    assert task.containers[0].exit_code == 137


def test_oom_and_missing_image(client: Client, cluster: str, agents: Any, unique: str, docker: Any) -> None:
    agents().wait_connected(client)
    oom = register(
        client,
        f"oom-{unique}",
        [
            {
                "name": "hog",
                "image": IMAGE,
                "memory": 8,
                "command": ["sh", "-c", "x=a; while true; do x=$x$x; done"],
            },
        ],
    )
    missing = register(
        client,
        f"missing-{unique}",
        [
            {"name": "ghost", "image": "registry.invalid/berth/ghost:1", "memory": 16},
        ],
    )
    oom_arn = run(client, cluster, oom)
    missing_arn = run(client, cluster, missing)
    task = wait_task(client, cluster, oom_arn, "STOPPED", timeout=60)
    assert task.containers[0].reason == "OutOfMemoryError: Container killed due to memory usage"
    assert task.containers[0].exit_code == 137
    assert task.stop_code == "EssentialContainerExited"
    task = wait_task(client, cluster, missing_arn, "STOPPED", timeout=60)
    assert task.stop_code == "TaskFailedToStart"
    assert task.stopped_reason.startswith("CannotPullContainerError")
    assert task.containers[0].reason.startswith("CannotPullContainerError")
    assert not docker.containers.list(all=True, filters={"label": f"berth.task-arn={missing_arn}"})
