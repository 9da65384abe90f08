"""`berth-agent --drain-on-stop`: a SIGTERM drains the instance, its service task moves to another
host before the agent exits, standalone tasks keep running, and the next start is ACTIVE again."""

from __future__ import annotations

import signal
from typing import Any

import grpc
import pytest

from berth import Client
from berth.v1 import ecs_messages_pb2, ecs_pb2_grpc
from tests.support import fakeagent
from tests.support.agents import AgentProcess, task_status, wait_for, wait_task

pytestmark = [pytest.mark.etcd, pytest.mark.docker]

IMAGE = "berth/busybox:latest"


def instance(client: Client, cluster: str, arn: str) -> Any:
    return client.describe_container_instances(cluster=cluster, containerInstances=[arn]).container_instances[
        0
    ]


def service_tasks(client: Client, cluster: str, name: str) -> list[Any]:
    arns = client.list_tasks(cluster=cluster, serviceName=name).task_arns
    return list(client.describe_tasks(cluster=cluster, tasks=arns).tasks) if arns else []


def sleeper(client: Client, family: str) -> str:
    return client.register_task_definition(
        {
            "family": family,
            "containerDefinitions": [
                {"name": "app", "image": IMAGE, "memory": 16, "command": ["sleep", "3600"], "stopTimeout": 2}
            ],
        }
    ).task_definition.task_definition_arn


def test_sigterm_drains_and_the_service_task_runs_elsewhere(
    client: Client, cluster: str, agents: Any, unique: str, docker: Any
) -> None:
    leaving: AgentProcess = agents(name="leaving", extra=["--drain-on-stop", "--drain-timeout", "90"])
    leaving_arn = leaving.wait_connected(client)
    td = sleeper(client, f"drain-stop-{unique}")
    client.create_service(cluster=cluster, serviceName="web", taskDefinition=td, desiredCount=1)
    first = wait_for(
        lambda: [t for t in service_tasks(client, cluster, "web") if t.last_status == "RUNNING"], timeout=60
    )[0]
    assert first.container_instance_arn == leaving_arn
    standalone = client.run_task(cluster=cluster, taskDefinition=td).tasks[0].task_arn
    wait_task(client, cluster, standalone, "RUNNING")
    staying: AgentProcess = agents(name="staying")
    staying_arn = staying.wait_connected(client)

    assert leaving.proc is not None
    leaving.proc.send_signal(signal.SIGTERM)
    # The agent exits by itself, once its service task has moved: nothing killed it.
    assert leaving.proc.wait(120) == 0, leaving.log_tail()

    tasks = service_tasks(client, cluster, "web")
    running = [t for t in tasks if t.last_status == "RUNNING"]
    assert [t.container_instance_arn for t in running] == [staying_arn]
    assert task_status(client, cluster, first.task_arn).last_status == "STOPPED"
    left = instance(client, cluster, leaving_arn)
    assert left.status == "DRAINING" and not left.agent_connected
    # Draining leaves standalone tasks alone: still running, adopted by the next start.
    still = task_status(client, cluster, standalone)
    assert still.last_status == "RUNNING"
    assert docker.containers.get(still.containers[0].runtime_id).status == "running"

    leaving.start()
    leaving.wait_connected(client)
    wait_for(lambda: instance(client, cluster, leaving_arn).status == "ACTIVE", timeout=30)
    assert not (leaving.data_dir / "drained-on-stop").exists()
    assert task_status(client, cluster, standalone).containers[0].runtime_id == still.containers[0].runtime_id
    client.delete_service(cluster=cluster, service="web", force=True)
    client.stop_task(cluster=cluster, task=standalone)


def test_an_operators_drain_is_kept_and_sigint_does_not_drain(
    client: Client, cluster: str, agents: Any
) -> None:
    drained: AgentProcess = agents(name="drained", extra=["--drain-on-stop"])
    drained_arn = drained.wait_connected(client)
    plain: AgentProcess = agents(name="plain", extra=["--drain-on-stop"])
    plain_arn = plain.wait_connected(client)
    client.update_container_instances_state(
        cluster=cluster, containerInstances=[drained_arn], status="DRAINING"
    )
    assert drained.proc is not None and plain.proc is not None
    drained.proc.send_signal(signal.SIGTERM)
    plain.proc.send_signal(signal.SIGINT)  # stop without draining (an upgrade's restart)
    assert drained.proc.wait(60) == 0 and plain.proc.wait(60) == 0
    assert instance(client, cluster, plain_arn).status == "ACTIVE"
    drained.start()
    drained.wait_connected(client)
    assert instance(client, cluster, drained_arn).status == "DRAINING"  # not ours to undo


def test_an_agent_may_drain_only_its_own_instance(client: Client, cluster: str, agents: Any) -> None:
    one: AgentProcess = agents(name="one")
    one.wait_connected(client)
    other_arn = agents(name="other").wait_connected(client)
    channel, metadata = fakeagent.real_agent_channel(one.data_dir, one.endpoint)
    with channel:
        stub = ecs_pb2_grpc.ECSStub(channel)  # type: ignore[no-untyped-call]
        for call, request in (
            (
                stub.UpdateContainerInstancesState,
                ecs_messages_pb2.UpdateContainerInstancesStateRequest(
                    cluster=cluster, container_instances=[other_arn], status="DRAINING"
                ),
            ),
            (
                stub.DescribeContainerInstances,
                ecs_messages_pb2.DescribeContainerInstancesRequest(
                    cluster=cluster, container_instances=[other_arn]
                ),
            ),
            (stub.ListContainerInstances, ecs_messages_pb2.ListContainerInstancesRequest(cluster=cluster)),
        ):
            with pytest.raises(grpc.RpcError) as e:
                call(request, metadata=metadata)
            assert e.value.code() == grpc.StatusCode.PERMISSION_DENIED
    assert instance(client, cluster, other_arn).status == "ACTIVE"


def test_sigusr1_restarts_without_goodbye_and_keeps_the_tasks(
    client: Client, cluster: str, agents: Any, unique: str
) -> None:
    agent: AgentProcess = agents(name="restarting", extra=["--drain-on-stop"])
    arn = agent.wait_connected(client)
    td = sleeper(client, f"usr1-{unique}")
    client.create_service(cluster=cluster, serviceName="kept", taskDefinition=td, desiredCount=1)
    task = wait_for(
        lambda: [t for t in service_tasks(client, cluster, "kept") if t.last_status == "RUNNING"], timeout=60
    )[0]
    assert agent.proc is not None
    agent.proc.send_signal(signal.SIGUSR1)
    assert agent.proc.wait(30) == 0
    assert instance(client, cluster, arn).status == "ACTIVE"  # not drained
    agent.start()
    agent.wait_connected(client)
    again = task_status(client, cluster, task.task_arn)
    assert again.last_status == "RUNNING" and again.desired_status == "RUNNING"
    assert again.containers[0].runtime_id == task.containers[0].runtime_id
    assert [t.task_arn for t in service_tasks(client, cluster, "kept")] == [task.task_arn]
    client.delete_service(cluster=cluster, service="kept", force=True)
