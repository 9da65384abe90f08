"""Unit tests of the small pure pieces: ARNs, JSON mapping, task status order, paging tokens,
task reservations, state-change application, start order, the error table."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agent.taskrunner import start_waves
from berth import arn, jsonmsg, taskstatus
from berth.errors import Conflict, InvalidArgument, NotFound, Unavailable
from berth.v1 import agent_pb2, ecs_messages_pb2, types_pb2
from controlplane.api.base import decode_token, encode_token, page_size
from controlplane.api.errors import grpc_code
from controlplane.taskstate import apply_state_change, mark_stopped, request_stop, reservation_for


@pytest.mark.parametrize(
    ("ref", "expected"),
    [
        ("web", ("web", None)),
        ("web:3", ("web", 3)),
        ("arn:berth:ecs:local:000000000000:task-definition/web:12", ("web", 12)),
        ("arn:aws:ecs:us-east-1:123456789012:task-definition/web:1", ("web", 1)),
    ],
    ids=["family", "family-revision", "berth-arn", "aws-arn"],
)
def test_task_definition_refs(ref: str, expected: tuple[str, int | None]) -> None:
    assert arn.task_definition_ref(ref) == expected


@pytest.mark.parametrize(
    "ref",
    ["", "web:0", "web:x", "web app", "arn:berth:ecs:l:0:cluster/web"],
    ids=["empty", "zero", "not-a-number", "space", "wrong-type"],
)
def test_bad_task_definition_refs(ref: str) -> None:
    with pytest.raises(InvalidArgument) as e:
        arn.task_definition_ref(ref, "taskDefinition")
    assert e.value.violations[0].field == "taskDefinition"


def test_cluster_and_scoped_ids() -> None:
    assert arn.cluster_name("") == "default"
    assert arn.cluster_name("arn:berth:ecs:local:000000000000:cluster/prod") == "prod"
    assert arn.scoped_id("arn:berth:ecs:local:0:task/prod/abc", "task", "t") == ("prod", "abc")
    assert arn.scoped_id("abc", "task", "t") == (None, "abc")
    assert arn.scoped_id("arn:berth:ecs:local:0:task/abc", "task", "t") == (None, "abc")
    with pytest.raises(InvalidArgument):
        arn.scoped_id("arn:berth:ecs:local:0:service/prod/abc", "task", "t")
    factory = arn.ArnFactory("eu", "123")
    assert factory.task("c", "t") == "arn:berth:ecs:eu:123:task/c/t"
    assert arn.new_deployment_id().startswith("ecs-svc/") and len(arn.new_deployment_id()) == 27


def test_json_round_trip_and_error_paths() -> None:
    doc = {
        "family": "x",
        "containerDefinitions": [
            {
                "name": "a",
                "image": "i",
                "essential": False,
                "portMappings": [{"containerPort": 80, "hostPort": 0}],
            }
        ],
    }
    msg = jsonmsg.parse(doc, ecs_messages_pb2.RegisterTaskDefinitionRequest)
    assert jsonmsg.to_dict(msg) == doc
    with pytest.raises(InvalidArgument) as e:
        jsonmsg.parse(
            {"containerDefinitions": [{}, {"portMappings": [{"hostPort": "x"}]}]},
            ecs_messages_pb2.RegisterTaskDefinitionRequest,
        )
    assert e.value.violations[0].field == "containerDefinitions[1].portMappings[0].hostPort"


@given(st.lists(st.sampled_from(taskstatus.TASK_ORDER), min_size=1, max_size=20))
def test_task_status_never_goes_backwards(reports: list[str]) -> None:
    task = types_pb2.Task(last_status="PROVISIONING")
    seen = [task.last_status]
    for status in reports:
        apply_state_change(task, agent_pb2.TaskStateChange(last_status=status))
        seen.append(task.last_status)
    assert [taskstatus.rank(s) for s in seen] == sorted(taskstatus.rank(s) for s in seen)


def test_state_change_keeps_first_stop_reason_and_bumps_version() -> None:
    task = types_pb2.Task(last_status="RUNNING", version=3)
    task.containers.add(name="a", container_arn="arn-a", task_arn="t", last_status="RUNNING")
    assert request_stop(task, stop_code="UserInitiated", reason="by user")
    assert not request_stop(task, stop_code="ServiceSchedulerInitiated", reason="scale in")
    change = agent_pb2.TaskStateChange(
        last_status="STOPPED", stop_code="EssentialContainerExited", stopped_reason="exited", stopped_at=5.0
    )
    change.containers.add(name="a", last_status="STOPPED", exit_code=0)
    assert apply_state_change(task, change)
    assert (task.stop_code, task.stopped_reason, task.stopped_at) == ("UserInitiated", "by user", 5.0)
    assert task.containers[0].exit_code == 0 and task.containers[0].container_arn == "arn-a"
    assert task.version == 5
    assert not apply_state_change(task, change)  # nothing new


def test_mark_stopped_without_agent() -> None:
    task = types_pb2.Task(last_status="RUNNING", desired_status="RUNNING")
    task.containers.add(name="a", last_status="RUNNING")
    mark_stopped(task, stop_code="UserInitiated", reason="instance gone", now=9.0)
    assert (task.last_status, task.stopped_at, task.containers[0].last_status) == ("STOPPED", 9.0, "STOPPED")


def test_reservation_task_level_wins_then_containers_with_overrides() -> None:
    td = jsonmsg.parse(
        {
            "networkMode": "bridge",
            "containerDefinitions": [
                {
                    "name": "a",
                    "cpu": 100,
                    "memory": 64,
                    "memoryReservation": 32,
                    "portMappings": [{"containerPort": 80, "hostPort": 8080}, {"containerPort": 81}],
                },
                {
                    "name": "b",
                    "cpu": 50,
                    "memory": 16,
                    "portMappings": [{"containerPort": 53, "hostPort": 53, "protocol": "udp"}],
                },
            ],
        },
        types_pb2.TaskDefinition,
    )
    r = reservation_for(td, types_pb2.TaskOverride())
    assert (r.cpu, r.memory, list(r.ports_tcp), list(r.ports_udp)) == (150, 48, [8080], [53])
    override = types_pb2.TaskOverride(
        container_overrides=[types_pb2.ContainerOverride(name="b", cpu=200, memory=100)]
    )
    assert (reservation_for(td, override).cpu, reservation_for(td, override).memory) == (300, 132)
    td.cpu, td.memory = "1024", "2GB"
    assert (
        reservation_for(td, types_pb2.TaskOverride()).cpu,
        reservation_for(td, types_pb2.TaskOverride()).memory,
    ) == (1024, 2048)
    td.network_mode = "host"
    assert list(reservation_for(td, types_pb2.TaskOverride()).ports_tcp) == [80, 81]


def test_start_waves_follow_depends_on() -> None:
    defs = [
        types_pb2.ContainerDefinition(
            name=n, depends_on=[types_pb2.ContainerDependency(container_name=d) for d in deps]
        )
        for n, deps in [("app", ["db", "migrate"]), ("db", []), ("migrate", ["db"]), ("log", [])]
    ]
    assert start_waves(defs) == [["db", "log"], ["migrate"], ["app"]]


def test_paging_tokens() -> None:
    token = encode_token("clusters/|asc", "clusters/b")
    assert decode_token(token, "clusters/|asc") == "clusters/b"
    for bad in ("garbage", encode_token("tasks/|asc", "x")):
        with pytest.raises(InvalidArgument):
            decode_token(bad, "clusters/|asc")
    assert page_size(None) == 100
    with pytest.raises(InvalidArgument):
        page_size(0)


def test_error_table() -> None:
    assert grpc_code(NotFound("x")).name == "NOT_FOUND"
    assert grpc_code(InvalidArgument("x")).name == "INVALID_ARGUMENT"
    assert grpc_code(Conflict("x")).name == "ABORTED"
    assert grpc_code(Unavailable("x")).name == "UNAVAILABLE"
    assert NotFound("x", ecs_type="ClusterNotFoundException").ecs_type == "ClusterNotFoundException"
