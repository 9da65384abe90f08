"""Services bigger than one etcd transaction (etcd refuses more than 128 ops in one).

A service of 150 tasks over 20 instances once needed one launch transaction of 191 ops: etcd
refused it, the controller retried it forever and the service never placed a task. The instances
here are registered over the raw agent API and hold a session open with heartbeats (placement
needs them connected), but run nothing: tasks stay PROVISIONING, which is all placement needs.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

import grpc
import pytest

from berth import Client
from berth.v1 import agent_pb2, ecs_messages_pb2, types_pb2
from tests.support import fakeagent
from tests.support.agents import wait_for

pytestmark = pytest.mark.etcd

TASK_MEMORY = 32


class FakeHosts:
    """Agent-less container instances: registered, connected (heartbeats), running nothing."""

    def __init__(self, controlplane: Any, cluster: str) -> None:
        self.controlplane = controlplane
        self.cluster = cluster
        self.fakes: list[fakeagent.FakeAgent] = []
        self.stopping = threading.Event()
        self.threads: list[threading.Thread] = []
        self.arns: list[str] = []

    def add(self, name: str, *, cpu: int, memory: int) -> str:
        request = ecs_messages_pb2.RegisterContainerInstanceRequest(
            cluster=self.cluster,
            name=name,
            total_resources=[
                types_pb2.Resource(name="CPU", type="INTEGER", integer_value=cpu),
                types_pb2.Resource(name="MEMORY", type="INTEGER", integer_value=memory),
            ],
        )
        fake = fakeagent.register(self.controlplane, request)
        self.fakes.append(fake)
        arn = fake.instance_arn
        thread = threading.Thread(target=self._session, args=(fake,), daemon=True)
        thread.start()
        self.threads.append(thread)
        self.arns.append(arn)
        return arn

    def _messages(self, arn: str) -> Iterator[agent_pb2.AgentMessage]:
        yield agent_pb2.AgentMessage(hello=agent_pb2.Hello(container_instance_arn=arn))
        while not self.stopping.wait(1.0):
            yield agent_pb2.AgentMessage(heartbeat=agent_pb2.Heartbeat(sent_at=time.time()))

    def _session(self, fake: fakeagent.FakeAgent) -> None:
        session = fake.channel.stream_stream(
            "/berth.v1.Agent/Session",
            request_serializer=agent_pb2.AgentMessage.SerializeToString,
            response_deserializer=agent_pb2.ServerMessage.FromString,
        )
        responses = session(self._messages(fake.instance_arn), metadata=fake.metadata)
        try:
            for _ in responses:  # manifests: nothing runs here
                pass
        except grpc.RpcError:
            pass  # closed at the end of the test

    def wait_connected(self, client: Client) -> None:
        def check() -> bool:
            described = client.describe_container_instances(
                cluster=self.cluster, containerInstances=self.arns
            ).container_instances
            return len(described) == len(self.arns) and all(i.agent_connected for i in described)

        wait_for(check, timeout=15, interval=0.2, message="fake hosts did not connect")

    def close(self) -> None:
        self.stopping.set()
        for fake in self.fakes:
            fake.close()
        for thread in self.threads:
            thread.join(timeout=5)


@pytest.fixture
def hosts(controlplane: Any, cluster: str) -> Iterator[FakeHosts]:
    fake = FakeHosts(controlplane, cluster)
    yield fake
    fake.close()


def service_tasks(client: Client, cluster: str, name: str, desired: str = "RUNNING") -> list[Any]:
    arns: list[str] = []
    token = ""
    while True:
        page = client.list_tasks(
            cluster=cluster, serviceName=name, desiredStatus=desired, maxResults=100, nextToken=token
        )
        arns.extend(page.task_arns)
        token = page.next_token
        if not token:
            break
    tasks: list[Any] = []
    for start in range(0, len(arns), 100):
        tasks.extend(client.describe_tasks(cluster=cluster, tasks=arns[start : start + 100]).tasks)
    return tasks


def small_task(client: Client, family: str) -> str:
    return client.register_task_definition(
        {
            "family": family,
            "containerDefinitions": [
                {"name": "app", "image": "berth/busybox:latest", "memory": TASK_MEMORY, "cpu": 16}
            ],
        }
    ).task_definition.task_definition_arn


def test_a_service_of_150_tasks_on_20_instances_places_all_and_scales_to_zero(
    client: Client, cluster: str, unique: str, hosts: FakeHosts
) -> None:
    # 8 tasks fit an instance by memory, so 150 tasks fill 20 instances to 94 %: any overcommit shows.
    per_instance_memory = 8 * TASK_MEMORY
    for n in range(20):
        hosts.add(f"fake{n}", cpu=1024, memory=per_instance_memory)
    hosts.wait_connected(client)
    td = small_task(client, f"big-{unique}")
    client.create_service(
        cluster=cluster, serviceName="big", taskDefinition=td, desiredCount=150, launchType="EC2"
    )

    placed = wait_for(
        lambda: t if len(t := service_tasks(client, cluster, "big")) >= 150 else None,
        timeout=20,
        interval=0.5,
        message="the service did not place its 150 tasks",
    )
    assert len(placed) == 150
    assert {t.last_status for t in placed} <= {"PROVISIONING", "PENDING"}
    per_instance = Counter(t.container_instance_arn for t in placed)
    assert set(per_instance) <= set(hosts.arns)
    assert max(per_instance.values()) * TASK_MEMORY <= per_instance_memory
    described = client.describe_container_instances(cluster=cluster, containerInstances=hosts.arns)
    for instance in described.container_instances:
        remaining = {r.name: r.integer_value for r in instance.remaining_resources}
        booked = per_instance[instance.container_instance_arn] * TASK_MEMORY
        assert remaining["MEMORY"] == per_instance_memory - booked

    client.update_service(cluster=cluster, service="big", desiredCount=0)
    wait_for(
        lambda: not service_tasks(client, cluster, "big"),
        timeout=20,
        interval=0.5,
        message="scaling to 0 did not stop every task",
    )
    stopping = service_tasks(client, cluster, "big", desired="STOPPED")
    assert len(stopping) == 150
    # Nothing runs them, so deregistering with force records them STOPPED and frees the hosts.
    for arn in hosts.arns:
        client.deregister_container_instance(cluster=cluster, containerInstance=arn, force=True)
    stopped = service_tasks(client, cluster, "big", desired="STOPPED")
    assert len(stopped) == 150
    assert {t.last_status for t in stopped} == {"STOPPED"}
    client.delete_service(cluster=cluster, service="big", force=True)


def test_force_deregistering_an_instance_stops_more_tasks_than_one_transaction_holds(
    client: Client, cluster: str, unique: str, hosts: FakeHosts
) -> None:
    arn = hosts.add("roomy", cpu=1024 * 16, memory=200 * TASK_MEMORY)
    hosts.wait_connected(client)
    td = small_task(client, f"crowd-{unique}")
    client.create_service(
        cluster=cluster, serviceName="crowd", taskDefinition=td, desiredCount=140, launchType="EC2"
    )
    wait_for(
        lambda: len(service_tasks(client, cluster, "crowd")) >= 140,
        timeout=20,
        interval=0.5,
        message="the service did not place its 140 tasks on one instance",
    )
    client.update_service(cluster=cluster, service="crowd", desiredCount=0)
    wait_for(
        lambda: not service_tasks(client, cluster, "crowd"),
        timeout=20,
        interval=0.5,
        message="scaling to 0 did not stop every task",
    )

    # 140 task records, the instance and its records: more than one transaction holds.
    client.deregister_container_instance(cluster=cluster, containerInstance=arn, force=True)
    stopped = service_tasks(client, cluster, "crowd", desired="STOPPED")
    assert len(stopped) == 140
    assert {t.last_status for t in stopped} == {"STOPPED"}
    assert not client.list_container_instances(cluster=cluster).container_instance_arns
    client.delete_service(cluster=cluster, service="crowd", force=True)


def test_run_task_with_a_client_token_commits_its_tasks_and_token_together(
    client: Client, cluster: str, unique: str, hosts: FakeHosts
) -> None:
    for n in range(10):
        hosts.add(f"small{n}", cpu=1024, memory=4 * TASK_MEMORY)
    hosts.wait_connected(client)
    td = small_task(client, f"token-{unique}")
    first = client.run_task(cluster=cluster, taskDefinition=td, count=10, clientToken=f"tok-{unique}")
    again = client.run_task(cluster=cluster, taskDefinition=td, count=10, clientToken=f"tok-{unique}")
    assert len(first.tasks) == 10 and not first.failures
    assert sorted(t.task_arn for t in again.tasks) == sorted(t.task_arn for t in first.tasks)
    assert len(client.list_tasks(cluster=cluster, family=f"token-{unique}").task_arns) == 10
    for arn in hosts.arns:
        client.deregister_container_instance(cluster=cluster, containerInstance=arn, force=True)
