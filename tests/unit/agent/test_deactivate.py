"""DEACTIVATING in the task runner, against a fake runtime: a stop with a drain deadline keeps the
containers running until then and reports DEACTIVATING (never RUNNING again), then stops them as
usual; without a deadline nothing changes; a later request does not move the deadline."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from agent.runtime.model import ContainerState
from agent.settings import AgentSettings
from agent.taskrunner import RunnerDeps, TaskRunner
from berth import jsonmsg
from berth.v1 import agent_pb2, types_pb2

TASK_ARN = "arn:berth:ecs:local:0:task/c/t1"


class FakeRuntime:
    """One running container; `stop` records when it was asked (the SIGTERM) and exits it."""

    def __init__(self) -> None:
        self.running = True
        self.stops: list[tuple[float, float]] = []  # (time.time(), stop timeout)

    async def stop(self, container_id: str, timeout: float) -> None:
        self.stops.append((time.time(), timeout))
        self.running = False

    async def inspect(self, container_id: str) -> ContainerState:
        return ContainerState(
            id=container_id,
            name="app",
            labels={},
            status="running" if self.running else "exited",
            running=self.running,
            exit_code=None if self.running else 143,
            oom_killed=False,
            error="",
            started_at=time.time() - 60,
            finished_at=None if self.running else time.time(),
            health="UNKNOWN",
            network_bindings=(),
            ip_address="",
            image_id="",
        )


def assigned(
    desired: str = "RUNNING", last: str = "RUNNING", deadline: float = 0.0
) -> agent_pb2.AssignedTask:
    td = jsonmsg.parse(
        {
            "taskDefinitionArn": "arn:berth:ecs:local:0:task-definition/app:1",
            "containerDefinitions": [{"name": "app", "image": "i", "stopTimeout": 7}],
        },
        types_pb2.TaskDefinition,
    )
    task = types_pb2.Task(
        task_arn=TASK_ARN,
        last_status=last,
        desired_status=desired,
        deactivate_until=deadline,
        stop_code="ServiceSchedulerInitiated" if desired == "STOPPED" else "",
    )
    return agent_pb2.AssignedTask(task=task, task_definition=td)


def runner(runtime: FakeRuntime, entry: agent_pb2.AssignedTask) -> tuple[TaskRunner, list[str]]:
    reports: list[str] = []
    deps = RunnerDeps(
        runtime=runtime,  # type: ignore[arg-type]
        settings=AgentSettings(endpoint="x", data_dir=Path("/tmp")),  # type: ignore[arg-type]
        instance_arn="arn:i",
        report=lambda change: reports.append(change.last_status),
    )
    r = TaskRunner(entry, deps)
    c = r.containers["app"]
    c.docker_id, c.status, c.started = "d1", "RUNNING", True
    return r, reports


def statuses(reports: list[str]) -> list[str]:
    """The reported statuses with repeats collapsed."""
    return [s for i, s in enumerate(reports) if i == 0 or reports[i - 1] != s]


async def test_stop_with_deadline_drains_then_sigterms() -> None:
    runtime = FakeRuntime()
    r, reports = runner(runtime, assigned())
    run = asyncio.create_task(r.run())
    await asyncio.sleep(0.05)
    deadline = time.time() + 0.4
    r.update(assigned("STOPPED", "DEACTIVATING", deadline))
    await asyncio.sleep(0.1)
    assert not run.done() and runtime.stops == []  # draining: the container still runs
    assert r.last_status == "DEACTIVATING"
    # A second stop request (a repeated manifest, a removal) does not move the deadline.
    r.update(assigned("STOPPED", "DEACTIVATING", deadline + 100))
    r.request_stop(reason="the task is no longer assigned to this instance")
    await asyncio.wait_for(run, 10)
    assert len(runtime.stops) == 1
    sigterm_at, timeout = runtime.stops[0]
    assert sigterm_at >= deadline  # not before the drain ended
    assert timeout == 7  # stopTimeout still applies after the SIGTERM
    assert statuses(reports) == ["RUNNING", "DEACTIVATING", "STOPPING", "STOPPED"]
    assert r.stop_code == "ServiceSchedulerInitiated"


async def test_stop_without_deadline_is_unchanged() -> None:
    runtime = FakeRuntime()
    r, reports = runner(runtime, assigned())
    run = asyncio.create_task(r.run())
    await asyncio.sleep(0.05)
    r.update(assigned("STOPPED", "RUNNING"))
    await asyncio.wait_for(run, 10)
    assert len(runtime.stops) == 1
    assert "DEACTIVATING" not in reports
    assert statuses(reports) == ["RUNNING", "STOPPING", "STOPPED"]


async def test_agent_restart_during_the_drain_goes_on_waiting() -> None:
    # A new agent is assigned the task as the control plane has it: desired STOPPED, DEACTIVATING.
    runtime = FakeRuntime()
    deadline = time.time() + 0.3
    r, reports = runner(runtime, assigned("STOPPED", "DEACTIVATING", deadline))
    await asyncio.wait_for(r.run(), 10)
    assert runtime.stops and runtime.stops[0][0] >= deadline
    assert statuses(reports) == ["DEACTIVATING", "STOPPING", "STOPPED"]


async def test_a_passed_deadline_stops_at_once() -> None:
    runtime = FakeRuntime()
    r, reports = runner(runtime, assigned("STOPPED", "DEACTIVATING", time.time() - 5))
    await asyncio.wait_for(r.run(), 10)
    assert len(runtime.stops) == 1
    assert statuses(reports) == ["DEACTIVATING", "STOPPING", "STOPPED"]


async def test_essential_exit_during_the_drain_ends_it() -> None:
    runtime = FakeRuntime()
    r, reports = runner(runtime, assigned())
    run = asyncio.create_task(r.run())
    await asyncio.sleep(0.05)
    r.update(assigned("STOPPED", "DEACTIVATING", time.time() + 600))
    await asyncio.sleep(0.05)
    runtime.running = False
    r.containers["app"].status = "STOPPED"  # as a die event would
    r._wake.set()
    await asyncio.wait_for(run, 10)
    assert runtime.stops == []  # nothing left to stop
    assert statuses(reports)[-1] == "STOPPED" and "RUNNING" not in statuses(reports)[1:]
