"""The checks of ECS Exec requests (pure), and the action ExecuteCommandStream is authorized as."""

from __future__ import annotations

import pytest

from berth.errors import FailedPrecondition, InvalidArgument
from berth.v1 import berth_pb2, types_pb2
from controlplane.api.dispatch import _method
from controlplane.api.execute import NOT_ENABLED, check_size, exec_container, split_command

TASK = "arn:berth:ecs:local:000000000000:task/c1/abc"


def task(
    *, enabled: bool = True, status: str = "RUNNING", desired: str = "RUNNING", names: str = "web"
) -> types_pb2.Task:
    t = types_pb2.Task(
        task_arn=TASK, last_status=status, desired_status=desired, enable_execute_command=enabled
    )
    for name in names.split(","):
        t.containers.add(name=name, last_status="RUNNING")
    return t


@pytest.mark.parametrize(
    ("command", "argv"),
    [
        ("sh", ["sh"]),
        ("ls -l  /", ["ls", "-l", "/"]),
        ("sh -c 'echo hi; exit 3'", ["sh", "-c", "echo hi; exit 3"]),
        ('echo "a b" c\\ d', ["echo", "a b", "c d"]),
    ],
)
def test_split_command(command: str, argv: list[str]) -> None:
    assert split_command(command) == argv


@pytest.mark.parametrize("command", ["", "   ", "sh -c 'unbalanced", "x" * 5000])
def test_split_command_refuses(command: str) -> None:
    with pytest.raises(InvalidArgument) as e:
        split_command(command)
    assert e.value.violations[0].field == "command"


def test_exec_container_picks_the_named_or_the_only_one() -> None:
    assert exec_container(task(), "").name == "web"
    assert exec_container(task(names="web,side"), "side").name == "side"


def test_not_enabled_is_ecs_invalid_parameter() -> None:
    with pytest.raises(FailedPrecondition) as e:
        exec_container(task(enabled=False), "web")
    assert (e.value.message, e.value.ecs_type) == (NOT_ENABLED, "InvalidParameterException")


@pytest.mark.parametrize(
    ("t", "name", "error", "text"),
    [
        pytest.param(
            task(status="STOPPED", desired="STOPPED"), "web", FailedPrecondition, "STOPPED", id="stopped"
        ),
        pytest.param(task(desired="STOPPED"), "web", FailedPrecondition, "desired STOPPED", id="stopping"),
        pytest.param(task(status="PENDING"), "web", FailedPrecondition, "PENDING", id="pending"),
        pytest.param(
            task(names="web,side"), "", InvalidArgument, "2 containers (web, side): name one", id="which"
        ),
        pytest.param(
            task(names="web,side"),
            "db",
            InvalidArgument,
            "no container 'db' (it has web, side)",
            id="unknown",
        ),
    ],
)
def test_exec_container_refuses(t: types_pb2.Task, name: str, error: type[Exception], text: str) -> None:
    with pytest.raises(error) as e:
        exec_container(t, name)
    assert text in str(e.value)


def test_container_not_running() -> None:
    t = task()
    t.containers[0].last_status = "STOPPED"
    with pytest.raises(FailedPrecondition, match="container web of task abc is STOPPED"):
        exec_container(t, "web")


def test_check_size() -> None:
    check_size(berth_pb2.TerminalSize(rows=50, cols=200), "resize")
    with pytest.raises(InvalidArgument) as e:
        check_size(berth_pb2.TerminalSize(rows=-1, cols=80), "resize")
    assert e.value.violations[0].field == "resize.rows"


def test_the_stream_is_authorized_as_ecs_execute_command() -> None:
    service = berth_pb2.DESCRIPTOR.services_by_name["Berth"]
    methods = {m.name: _method(service, m, print, "ecs") for m in service.methods}
    assert methods["ExecuteCommandStream"].action == "ecs:ExecuteCommand"
    assert methods["GetTaskLogs"].action == "ecs:GetTaskLogs"
