"""Agents that die, stop or lie: kill -9 and re-adoption, disconnection, join tokens, authorization."""

from __future__ import annotations

import signal
import time
from typing import Any

import grpc
import pytest

from berth import Client, tls
from berth.v1 import agent_pb2, ecs_messages_pb2
from tests.support import fakeagent
from tests.support.agents import AgentProcess, task_status, wait_for, wait_task

pytestmark = [pytest.mark.etcd, pytest.mark.docker]

IMAGE = "berth/busybox:latest"


def test_kill_9_then_restart_adopts_containers_and_reports_exits(
    client: Client, cluster: str, agents: Any, unique: str, docker: Any
) -> None:
    agent = agents()
    agent.wait_connected(client)
    td = client.register_task_definition(
        {
            "family": f"adopt-{unique}",
            "containerDefinitions": [
                {"name": "long", "image": IMAGE, "memory": 16, "command": ["sleep", "600"]}
            ],
        }
    ).task_definition
    short = client.register_task_definition(
        {
            "family": f"short-{unique}",
            "containerDefinitions": [
                {"name": "short", "image": IMAGE, "memory": 16, "command": ["sh", "-c", "sleep 4; exit 7"]}
            ],
        }
    ).task_definition
    long_arn = client.run_task(cluster=cluster, taskDefinition=td.task_definition_arn).tasks[0].task_arn
    short_arn = client.run_task(cluster=cluster, taskDefinition=short.task_definition_arn).tasks[0].task_arn
    long_task = wait_task(client, cluster, long_arn, "RUNNING")
    wait_task(client, cluster, short_arn, "RUNNING")
    docker_id = long_task.containers[0].runtime_id

    agent.kill()  # SIGKILL: containers keep running
    # Meanwhile the short task's container exits with 7.
    wait_for(
        lambda: (
            docker.containers.get(task_status(client, cluster, short_arn).containers[0].runtime_id).status
            == "exited"
        ),
        timeout=20,
    )
    agent.start()
    agent.wait_connected(client)

    stopped = wait_task(client, cluster, short_arn, "STOPPED", timeout=30)
    assert stopped.containers[0].exit_code == 7
    assert stopped.stop_code == "EssentialContainerExited"
    still = task_status(client, cluster, long_arn)
    assert still.last_status == "RUNNING"
    assert still.containers[0].runtime_id == docker_id  # adopted, not restarted
    containers = docker.containers.list(all=True, filters={"label": f"berth.task-arn={long_arn}"})
    assert [c.id for c in containers] == [docker_id]
    assert docker.containers.get(docker_id).attrs["RestartCount"] == 0
    client.stop_task(cluster=cluster, task=long_arn)
    wait_task(client, cluster, long_arn, "STOPPED", timeout=30)


def test_silent_agent_is_disconnected_and_gets_no_placements(
    client: Client, cluster: str, agents: Any, unique: str
) -> None:
    agent = agents()
    arn = agent.wait_connected(client)
    td = client.register_task_definition(
        {
            "family": f"quiet-{unique}",
            "containerDefinitions": [
                {"name": "c", "image": IMAGE, "memory": 16, "command": ["sleep", "600"]}
            ],
        }
    ).task_definition.task_definition_arn
    agent.signal(signal.SIGSTOP)
    try:
        wait_for(
            lambda: (
                not client.describe_container_instances(cluster=cluster, containerInstances=[arn])
                .container_instances[0]
                .agent_connected
            ),
            timeout=20,
        )
        resp = client.run_task(cluster=cluster, taskDefinition=td)
        assert not resp.tasks and resp.failures[0].reason == "AGENT"
    finally:
        agent.signal(signal.SIGCONT)
    agent.wait_connected(client)
    resp = client.run_task(cluster=cluster, taskDefinition=td)
    assert resp.tasks
    wait_task(client, cluster, resp.tasks[0].task_arn, "RUNNING")


def test_agents_without_a_valid_join_token_are_refused(controlplane: Any, cluster: str, docker: Any) -> None:
    fingerprint = tls.split_join_token((controlplane.data_dir / "join-token").read_text())[1]
    for token in (
        "",
        tls.join_token("bjt_wrong", fingerprint),  # a wrong secret for this cluster's CA
        tls.join_token("bjt_wrong", "sha256:" + "0" * 64),  # another cluster's token
        "BKIAX.notatoken",
    ):
        agent = AgentProcess(controlplane.endpoint, token, cluster, "intruder").start()
        try:
            assert agent.proc is not None
            code = agent.proc.wait(30)
            assert code != 0
            assert agent.instance_arn == ""
        finally:
            agent.cleanup(docker)


def test_an_agent_cannot_report_on_another_instances_task(
    controlplane: Any, client: Client, cluster: str, agents: Any, unique: str
) -> None:
    victim = agents()
    victim.wait_connected(client)
    td = client.register_task_definition(
        {
            "family": f"victim-{unique}",
            "containerDefinitions": [
                {"name": "c", "image": IMAGE, "memory": 16, "command": ["sleep", "600"]}
            ],
        }
    ).task_definition.task_definition_arn
    task_arn = client.run_task(cluster=cluster, taskDefinition=td).tasks[0].task_arn
    wait_task(client, cluster, task_arn, "RUNNING")

    # The liar is a registered instance of its own, with its own credential (on a TLS cluster a
    # client certificate for its instance), reporting a task that runs on another instance.
    liar = fakeagent.register(
        controlplane, ecs_messages_pb2.RegisterContainerInstanceRequest(cluster=cluster, name="liar")
    )
    with liar:
        stub, channel, metadata = liar.stub, liar.channel, liar.metadata
        liar_arn = liar.instance_arn

        def messages() -> Any:
            yield agent_pb2.AgentMessage(hello=agent_pb2.Hello(container_instance_arn=liar_arn))
            yield agent_pb2.AgentMessage(
                task_state_change=agent_pb2.TaskStateChange(
                    seq=1,
                    task_arn=task_arn,
                    last_status="STOPPED",
                    stop_code="UserInitiated",
                    stopped_reason="lies",
                )
            )
            time.sleep(2)

        acks = [
            m.ack.seq for m in stub.Session(messages(), metadata=metadata) if m.WhichOneof("body") == "ack"
        ]
        assert acks == [1]  # acknowledged (so a confused agent stops resending) but not applied
        # Its credential cannot re-register another instance either.
        with pytest.raises(grpc.RpcError) as e:
            stub.RegisterContainerInstance(
                ecs_messages_pb2.RegisterContainerInstanceRequest(
                    cluster=cluster, container_instance_arn=victim.instance_arn
                ),
                metadata=metadata,
            )
        assert e.value.code() == grpc.StatusCode.PERMISSION_DENIED
        # And it cannot call the user API.
        with pytest.raises(grpc.RpcError) as e:
            channel.unary_unary(
                "/berth.v1.ECS/ListClusters",
                request_serializer=lambda m: m.SerializeToString(),
                response_deserializer=ecs_messages_pb2.ListClustersResponse.FromString,
            )(ecs_messages_pb2.ListClustersRequest(), metadata=metadata)
        assert e.value.code() == grpc.StatusCode.PERMISSION_DENIED
    task = task_status(client, cluster, task_arn)
    assert task.last_status == "RUNNING" and task.stopped_reason == ""
    client.deregister_container_instance(cluster=cluster, containerInstance=liar_arn, force=True)


def test_a_stopping_agent_says_goodbye(client: Client, cluster: str, agents: Any, unique: str) -> None:
    agent = agents()
    arn = agent.wait_connected(client)
    agent.stop()  # SIGTERM: a clean stop
    # Disconnected at once, not after the grace period, so no task is placed on a host that left.
    instance = client.describe_container_instances(
        cluster=cluster, containerInstances=[arn]
    ).container_instances[0]
    assert not instance.agent_connected
