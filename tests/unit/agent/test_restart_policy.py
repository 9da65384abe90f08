"""restartPolicy in the task runner, against a fake runtime: restart in place after an exit,
unless the exit code is ignored or the container ran less than restartAttemptPeriod."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from agent.runtime.model import ContainerState
from agent.settings import AgentSettings
from agent.taskrunner import RunnerDeps, TaskRunner
from berth import jsonmsg
from berth.v1 import agent_pb2, types_pb2


class FakeRuntime:
    def __init__(self) -> None:
        self.started: list[str] = []

    async def start(self, container_id: str) -> None:
        self.started.append(container_id)

    async def inspect(self, container_id: str) -> ContainerState:
        return ContainerState(
            id=container_id,
            name="c",
            labels={},
            status="running",
            running=True,
            exit_code=None,
            oom_killed=False,
            error="",
            started_at=time.time(),
            finished_at=None,
            health="UNKNOWN",
            network_bindings=(),
            ip_address="",
            image_id="",
        )


def runner(runtime: FakeRuntime, restart: dict[str, Any]) -> TaskRunner:
    td = jsonmsg.parse(
        {
            "taskDefinitionArn": "arn:berth:ecs:local:0:task-definition/app:1",
            "containerDefinitions": [{"name": "app", "image": "i", "restartPolicy": restart}],
        },
        types_pb2.TaskDefinition,
    )
    task = types_pb2.Task(
        task_arn="arn:berth:ecs:local:0:task/c/t1", last_status="RUNNING", desired_status="RUNNING"
    )
    deps = RunnerDeps(
        runtime=runtime,
        settings=AgentSettings(endpoint="x", data_dir=Path("/tmp")),  # type: ignore[arg-type]
        instance_arn="arn:i",
        report=lambda change: None,
    )
    r = TaskRunner(agent_pb2.AssignedTask(task=task, task_definition=td), deps)
    c = r.containers["app"]
    c.docker_id, c.status, c.started = "d1", "STOPPED", True
    return r


@pytest.mark.parametrize(
    ("restart", "exit_code", "ran_for", "restarted"),
    [
        ({"enabled": True, "restartAttemptPeriod": 60}, 1, 120, True),
        ({"enabled": True, "restartAttemptPeriod": 60, "ignoredExitCodes": [1]}, 1, 120, False),
        ({"enabled": True, "restartAttemptPeriod": 60}, 1, 5, False),
        ({"enabled": True}, 0, 400, True),
        ({"enabled": False}, 1, 400, False),
    ],
    ids=["restarts", "ignored-exit-code", "ran-too-briefly", "default-period-300", "disabled"],
)
async def test_restart_policy(
    restart: dict[str, Any], exit_code: int, ran_for: float, restarted: bool
) -> None:
    runtime = FakeRuntime()
    r = runner(runtime, restart)
    c = r.containers["app"]
    c.exit_code = exit_code
    c.last_start_mono = time.monotonic() - ran_for
    assert await r._maybe_restart(c) is restarted
    assert runtime.started == (["d1"] if restarted else [])
    assert c.restart_count == (1 if restarted else 0)
    if restarted:
        assert c.status == "RUNNING" and c.exit_code is None


async def test_secrets_come_from_the_control_plane_or_the_task_fails() -> None:
    from agent.taskrunner import StartFailure
    from berth.v1 import agent_pb2, types_pb2

    r = runner(FakeRuntime(), {"enabled": False})
    r.containers["app"].definition.secrets.add(name="DB_PASSWORD", value_from="db")
    with pytest.raises(StartFailure, match="cannot fetch secrets"):
        await r._fetch_secrets()  # an agent without a way to fetch them

    async def refused(task_arn: str) -> agent_pb2.GetTaskSecretsResponse | str:
        return (
            "ResourceInitializationError: unable to pull secrets or registry auth: secret db does not exist"
        )

    r.deps.fetch_secrets = refused
    with pytest.raises(StartFailure, match="secret db does not exist"):
        await r._fetch_secrets()

    async def given(task_arn: str) -> agent_pb2.GetTaskSecretsResponse | str:
        pair = types_pb2.KeyValuePair(name="DB_PASSWORD", value="s3cret")
        return agent_pb2.GetTaskSecretsResponse(
            containers=[agent_pb2.ContainerSecrets(container_name="app", environment=[pair])]
        )

    r.deps.fetch_secrets = given
    await r._fetch_secrets()
    assert r.secret_env == {"app": {"DB_PASSWORD": "s3cret"}}
