"""`berth status`: which stopped tasks count as failures, the summary and its screen."""

from __future__ import annotations

import pytest

from berth.cli.status import recent_failures, render, summary, task_failure
from berth.v1 import types_pb2

NOW = 1_714_564_800.0
TD = "arn:berth:ecs:local:000000000000:task-definition/web:3"


def stopped(stop_code: str, reason: str, *exits: int | None, at: float = NOW - 60) -> types_pb2.Task:
    task = types_pb2.Task(
        task_arn="arn:berth:ecs:local:000000000000:task/prod/3f2a9c01d4e5f60718293a4b5c6d7e8f",
        task_definition_arn=TD,
        last_status="STOPPED",
        stop_code=stop_code,
        stopped_reason=reason,
        stopped_at=at,
    )
    for n, code in enumerate(exits):
        c = task.containers.add(name=f"c{n}")
        if code is not None:
            c.exit_code = code
    return task


@pytest.mark.parametrize(
    ("task", "expected"),
    [
        (
            stopped("EssentialContainerExited", "Essential container in task exited", 1, 0),
            "Essential container in task exited; c0 exited 1",
        ),
        (stopped("EssentialContainerExited", "Essential container in task exited", 0), None),
        (
            stopped("TaskFailedToStart", "CannotPullContainerError: no such image", None),
            "CannotPullContainerError: no such image",
        ),
        (
            stopped("ServiceSchedulerInitiated", "Task failed container health checks", 137),
            "Task failed container health checks; c0 exited 137",
        ),
        (stopped("UserInitiated", "Task stopped by user", 143), None),
        (stopped("ServiceSchedulerInitiated", "Scaling activity initiated by deployment", 0), None),
        (stopped("InfrastructureHealth", "Host lost", None), "Host lost"),
    ],
    ids=["exit-1", "job-done", "failed-to-start", "health-check", "user-stop", "scale-in", "host-lost"],
)
def test_task_failure(task: types_pb2.Task, expected: str | None) -> None:
    assert task_failure(task) == expected


def failed_service() -> types_pb2.Service:
    service = types_pb2.Service(service_name="web", status="ACTIVE", desired_count=2, running_count=1)
    service.deployments.add(
        status="PRIMARY",
        task_definition=TD,
        rollout_state="IN_PROGRESS",
        created_at=NOW - 30,
        updated_at=NOW - 30,
    )
    service.deployments.add(
        status="ACTIVE",
        task_definition=TD.replace(":3", ":4"),
        rollout_state="FAILED",
        rollout_state_reason="tasks failed to start",
        updated_at=NOW - 10,
    )
    return service


def test_recent_failures_are_newest_first_and_only_of_the_last_hour() -> None:
    old = stopped("EssentialContainerExited", "exited", 2, at=NOW - 7200)
    new = stopped("TaskFailedToStart", "ResourceInitializationError", None, at=NOW - 60)
    found = recent_failures([failed_service()], [old, new], NOW)
    assert [(f.what, f.reason) for f in found] == [
        ("service web deployment web:4", "tasks failed to start"),
        ("task 3f2a9c01d4e5 (web:3)", "ResourceInitializationError"),
    ]


def test_summary_and_screen() -> None:
    cluster = types_pb2.Cluster(
        cluster_name="prod",
        status="ACTIVE",
        active_services_count=1,
        running_tasks_count=1,
        pending_tasks_count=1,
        registered_container_instances_count=1,
    )
    instance = types_pb2.ContainerInstance(ec2_instance_id="host-a", status="ACTIVE", agent_connected=True)
    instance.registered_resources.add(name="CPU", type="INTEGER", integer_value=2048)
    instance.registered_resources.add(name="MEMORY", type="INTEGER", integer_value=3900)
    instance.remaining_resources.add(name="CPU", type="INTEGER", integer_value=1024)
    instance.remaining_resources.add(name="MEMORY", type="INTEGER", integer_value=3000)
    data = summary(cluster, [failed_service()], [instance], [], NOW)
    assert data["services"] == [
        {
            "serviceName": "web",
            "status": "ACTIVE",
            "desiredCount": 2,
            "runningCount": 1,
            "pendingCount": 0,
            "deployment": "IN_PROGRESS web:3 (+1 draining)",
        }
    ]
    assert data["containerInstances"][0] == {
        "host": "host-a",
        "status": "ACTIVE",
        "agentConnected": True,
        "freeCpu": 1024,
        "cpu": 2048,
        "freeMemory": 3000,
        "memory": 3900,
        "runningTasksCount": 0,
    }
    screen = render(data, NOW)
    assert screen.splitlines()[0] == (
        "cluster prod (ACTIVE): 1 services, 1 tasks running, 1 pending; 1/1 instances connected"
    )
    assert "1024/2048" in screen and "3000/3900" in screen
    assert "10s ago  service web deployment web:4: tasks failed to start" in screen
    assert len(screen.splitlines()) < 25  # one screen
