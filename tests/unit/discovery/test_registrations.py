"""registrations: which instances a task stands for, table by table (pure)."""

from __future__ import annotations

from typing import Any

import pytest

from berth import jsonmsg
from berth.v1 import types_pb2
from controlplane.discovery.registrations import (
    Instance,
    Registry,
    TaskFacts,
    custom_instance,
    definition_facts,
    task_health,
    task_instances,
)

ARN = "arn:berth:ecs:local:000000000000:task/prod/abc123"


def task(**fields: Any) -> types_pb2.Task:
    base: dict[str, Any] = {
        "taskArn": ARN,
        "clusterArn": "arn:berth:ecs:local:000000000000:cluster/prod",
        "taskDefinitionArn": "arn:berth:ecs:local:000000000000:task-definition/web:3",
        "lastStatus": "RUNNING",
        "desiredStatus": "RUNNING",
        "serviceName": "web",
        "containers": [
            {
                "name": "app",
                "networkBindings": [
                    {"bindIP": "0.0.0.0", "containerPort": 80, "hostPort": 49153, "protocol": "tcp"},
                    {"bindIP": "0.0.0.0", "containerPort": 81, "hostPort": 49154, "protocol": "tcp"},
                ],
            }
        ],
    }
    base.update(fields)
    return jsonmsg.parse(base, types_pb2.Task)


AWSVPC_ATTACHMENT = [
    {"type": "ElasticNetworkInterface", "details": [{"name": "privateIPv4Address", "value": "172.17.0.9"}]}
]
SRV = Registry("srv-aaaaaaaaaaaaaaaa", container_name="app", container_port=80)
A_ONLY = Registry("srv-bbbbbbbbbbbbbbbb")


@pytest.mark.parametrize(
    ("fields", "facts", "registry", "want"),
    [
        pytest.param(
            {}, TaskFacts("bridge", host_address="10.0.0.5"), SRV, ("10.0.0.5", 49153), id="bridge-host-port"
        ),
        pytest.param(
            {},
            TaskFacts("bridge", host_address="10.0.0.5"),
            Registry("srv-aaaaaaaaaaaaaaaa", container_name="app", container_port=81),
            ("10.0.0.5", 49154),
            id="bridge-second-port",
        ),
        pytest.param(
            {"containers": [{"name": "app"}]},
            TaskFacts("host", host_address="10.0.0.5"),
            SRV,
            ("10.0.0.5", 80),
            id="host-mode-container-port",
        ),
        pytest.param(
            {"attachments": AWSVPC_ATTACHMENT}, TaskFacts("awsvpc"), A_ONLY, ("172.17.0.9", 0), id="awsvpc-a"
        ),
        pytest.param(
            {"attachments": AWSVPC_ATTACHMENT},
            TaskFacts("awsvpc"),
            Registry("srv-bbbbbbbbbbbbbbbb", port=8080),
            ("172.17.0.9", 8080),
            id="awsvpc-port",
        ),
        pytest.param(
            {"attachments": AWSVPC_ATTACHMENT},
            TaskFacts("awsvpc"),
            SRV,
            ("172.17.0.9", 80),
            id="awsvpc-container-port",
        ),
    ],
)
def test_address_and_port(
    fields: dict[str, Any], facts: TaskFacts, registry: Registry, want: tuple[str, int]
) -> None:
    [instance] = task_instances(task(**fields), [registry], facts)
    assert (instance.ipv4, instance.port) == want
    assert instance.instance_id == "abc123"
    assert instance.service_id == registry.service_id
    attrs = dict(instance.attributes)
    assert attrs["AWS_INSTANCE_IPV4"] == want[0]
    assert attrs.get("AWS_INSTANCE_PORT", "0") == str(want[1])
    assert attrs["ECS_SERVICE_NAME"] == "web" and attrs["ECS_CLUSTER_NAME"] == "prod"
    assert attrs["ECS_TASK_DEFINITION_FAMILY"] == "web"


@pytest.mark.parametrize(
    ("last", "desired", "health", "checked", "want"),
    [
        pytest.param("PENDING", "RUNNING", "UNKNOWN", False, None, id="not-running-yet"),
        pytest.param("RUNNING", "RUNNING", "UNKNOWN", False, "HEALTHY", id="no-health-check"),
        pytest.param("RUNNING", "STOPPED", "HEALTHY", True, None, id="stopping-leaves-at-once"),
        pytest.param("DEACTIVATING", "STOPPED", "HEALTHY", False, None, id="deactivating"),
        pytest.param("STOPPED", "STOPPED", "UNKNOWN", False, None, id="stopped"),
        pytest.param("RUNNING", "RUNNING", "UNKNOWN", True, "UNKNOWN", id="check-not-passed-yet"),
        pytest.param("RUNNING", "RUNNING", "HEALTHY", True, "HEALTHY", id="healthy"),
        pytest.param("RUNNING", "RUNNING", "UNHEALTHY", True, "UNHEALTHY", id="unhealthy"),
    ],
)
def test_health(last: str, desired: str, health: str, checked: bool, want: str | None) -> None:
    t = task(lastStatus=last, desiredStatus=desired, healthStatus=health)
    assert task_health(t, checked) == want
    got = task_instances(t, [SRV], TaskFacts("bridge", has_health_check=checked, host_address="10.0.0.5"))
    assert [i.health for i in got] == ([want] if want else [])


def test_nothing_without_an_address_or_in_none_mode() -> None:
    assert task_instances(task(), [A_ONLY], TaskFacts("awsvpc")) == []  # address not reported yet
    assert task_instances(task(), [SRV], TaskFacts("bridge", host_address="")) == []
    assert task_instances(task(), [SRV], TaskFacts("none", host_address="10.0.0.5")) == []


def test_bridge_port_not_bound_yet_gives_no_port() -> None:
    [instance] = task_instances(
        task(containers=[{"name": "app"}]), [SRV], TaskFacts("bridge", host_address="h")
    )
    assert instance.port == 0


def test_definition_facts() -> None:
    td = jsonmsg.parse(
        {
            "family": "web",
            "networkMode": "awsvpc",
            "containerDefinitions": [
                {"name": "side", "essential": False, "healthCheck": {"command": ["CMD", "true"]}},
                {"name": "app"},
            ],
        },
        types_pb2.TaskDefinition,
    )
    assert definition_facts(td) == ("awsvpc", False)  # only essential containers' checks count
    td.container_definitions[1].health_check.command.extend(["CMD-SHELL", "true"])
    assert definition_facts(td) == ("awsvpc", True)
    assert definition_facts(types_pb2.TaskDefinition()) == ("bridge", False)


def test_custom_instance() -> None:
    got = custom_instance("srv-x", "db1", {"AWS_INSTANCE_IPV4": "10.1.1.1", "AWS_INSTANCE_PORT": "5432"})
    assert got == Instance(
        "srv-x",
        "db1",
        "10.1.1.1",
        5432,
        "HEALTHY",
        (("AWS_INSTANCE_IPV4", "10.1.1.1"), ("AWS_INSTANCE_PORT", "5432")),
    )
    assert custom_instance("srv-x", "db1", {"AWS_INIT_HEALTH_STATUS": "UNHEALTHY"}).health == "UNHEALTHY"
