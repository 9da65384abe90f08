"""Placement on real agents: binpack, spread, memberOf, distinctInstance, resource failures, and no
overcommit under 200 concurrent RunTask calls."""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

import pytest

from berth import Client

pytestmark = [pytest.mark.etcd, pytest.mark.docker]

IMAGE = "berth/busybox:latest"


@pytest.fixture
def three(client: Client, cluster: str, agents: Any) -> dict[str, str]:
    """Three hosts with 1 vCPU / 512 MiB each, in two zones and two instance types."""
    specs = [("a", "zone-1", "t3.small"), ("b", "zone-1", "m5.large"), ("c", "zone-2", "t3.small")]
    started = [
        agents(
            name=n,
            extra=["--cpu", "1024", "--memory", "512", "--availability-zone", z, "--instance-type", t],
            attributes={"team": n},
        )
        for n, z, t in specs
    ]
    return {a.name: a.wait_connected(client) for a in started}


def sleeper(client: Client, family: str, memory: int = 64, cpu: int = 64) -> str:
    return client.register_task_definition(
        {
            "family": family,
            "containerDefinitions": [
                {"name": "sleep", "image": IMAGE, "memory": memory, "cpu": cpu, "command": ["sleep", "600"]}
            ],
        }
    ).task_definition.task_definition_arn


def hosts(client: Client, cluster: str, task_arns: list[str], three: dict[str, str]) -> Counter[str]:
    by_arn = {v: k for k, v in three.items()}
    tasks = client.describe_tasks(cluster=cluster, tasks=task_arns).tasks
    return Counter(by_arn[t.container_instance_arn] for t in tasks)


def test_binpack_fills_one_instance_first(
    client: Client, cluster: str, three: dict[str, str], unique: str
) -> None:
    td = sleeper(client, f"bin-{unique}")
    arns = [
        t.task_arn
        for t in client.run_task(
            cluster=cluster,
            taskDefinition=td,
            count=4,
            placementStrategy=[{"type": "binpack", "field": "memory"}],
        ).tasks
    ]
    assert len(set(hosts(client, cluster, arns, three))) == 1


def test_spread_by_instance_id_spreads(
    client: Client, cluster: str, three: dict[str, str], unique: str
) -> None:
    td = sleeper(client, f"spread-{unique}")
    arns = [
        t.task_arn
        for t in client.run_task(
            cluster=cluster,
            taskDefinition=td,
            count=6,
            placementStrategy=[{"type": "spread", "field": "instanceId"}],
        ).tasks
    ]
    assert sorted(hosts(client, cluster, arns, three).values()) == [2, 2, 2]


def test_member_of_and_distinct_instance(
    client: Client, cluster: str, three: dict[str, str], unique: str
) -> None:
    td = sleeper(client, f"member-{unique}")
    resp = client.run_task(
        cluster=cluster,
        taskDefinition=td,
        count=3,
        placementConstraints=[
            {"type": "memberOf", "expression": "attribute:ecs.instance-type =~ t3.* and attribute:team != a"}
        ],
    )
    assert set(hosts(client, cluster, [t.task_arn for t in resp.tasks], three)) == {"c"}
    resp = client.run_task(
        cluster=cluster,
        taskDefinition=td,
        count=3,
        group=f"db-{unique}",
        placementConstraints=[{"type": "distinctInstance"}],
    )
    assert sorted(hosts(client, cluster, [t.task_arn for t in resp.tasks], three).values()) == [1, 1, 1]
    # A fourth copy of the group has nowhere to go.
    resp = client.run_task(
        cluster=cluster,
        taskDefinition=td,
        group=f"db-{unique}",
        placementConstraints=[{"type": "distinctInstance"}],
    )
    assert not resp.tasks and resp.failures[0].reason == "ATTRIBUTE"
    with pytest.raises(Exception) as e:
        client.run_task(
            cluster=cluster,
            taskDefinition=td,
            placementConstraints=[{"type": "memberOf", "expression": "attribute:ecs.instance-type =="}],
        )
    assert "placementConstraints[0].expression" in str(e.value.violations)  # type: ignore[attr-defined]


def test_too_large_task_fails_with_resource_memory(
    client: Client, cluster: str, three: dict[str, str], unique: str
) -> None:
    td = sleeper(client, f"big-{unique}", memory=4096)
    resp = client.run_task(cluster=cluster, taskDefinition=td)
    assert not resp.tasks
    assert resp.failures[0].reason == "RESOURCE:MEMORY"
    assert "insufficient memory" in resp.failures[0].detail
    assert not client.list_tasks(cluster=cluster, family=f"big-{unique}").task_arns


def test_200_concurrent_run_tasks_never_overcommit(
    controlplane: Any, client: Client, cluster: str, three: dict[str, str], unique: str
) -> None:
    # 512 MiB per host, 128 MiB per task: 4 fit on each host, 12 in all.
    td = sleeper(client, f"burst-{unique}", memory=128, cpu=10)
    placed: list[str] = []
    failed: list[str] = []
    errors: list[BaseException] = []
    clients = [Client(config_path=controlplane.config_path) for _ in range(20)]
    barrier = threading.Barrier(200)

    def one(i: int) -> None:
        barrier.wait()
        try:
            resp = clients[i % 20].run_task(cluster=cluster, taskDefinition=td)
            placed.extend(t.task_arn for t in resp.tasks)
            failed.extend(f.reason for f in resp.failures)
        except BaseException as e:
            errors.append(e)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(200)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    for c in clients:
        c.close()
    assert not errors, errors[:3]
    assert len(placed) == 12
    assert len(failed) == 200 - 12 and set(failed) == {"RESOURCE:MEMORY"}
    per_host = hosts(client, cluster, placed[:100], three)
    assert all(n <= 4 for n in per_host.values()), per_host
    for arn in three.values():
        instance = client.describe_container_instances(
            cluster=cluster, containerInstances=[arn]
        ).container_instances[0]
        memory = next(r.integer_value for r in instance.remaining_resources if r.name == "MEMORY")
        assert memory >= 0
