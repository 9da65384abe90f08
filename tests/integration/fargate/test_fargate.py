"""FARGATE on real pool agents and dockerd: hidden pool, per-task sandboxes (own netns, own address,
cgroup budget), validation, services, teardown, metering."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from berth import ApiError, Client
from tests.support.agents import task_status, wait_for, wait_task

pytestmark = [pytest.mark.etcd, pytest.mark.docker]

IMAGE = "berth/busybox:latest"
WEB = ["sh", "-c", "mkdir -p /w && echo fargate-says-hi > /w/index.html && exec httpd -f -p 8080 -h /w"]


@pytest.fixture
def pool(client: Client, agents: Any) -> list[Any]:
    """Two pool agents (warm sandboxes on), short cleanup wait."""
    started = [
        agents(name=f"pool{i}", extra=["--pool", "fargate", "--cleanup-wait", "2", "--warm-sandboxes", "1"])
        for i in range(2)
    ]
    for a in started:
        wait_for(lambda a=a: a.instance_arn, timeout=30)
    wait_for(
        lambda: (
            sum(
                i.agent_connected
                for i in client.describe_pool().container_instances
                if i.container_instance_arn in {a.instance_arn for a in started}
            )
            == 2
        ),
        timeout=30,
    )
    return started


def register(
    client: Client,
    family: str,
    containers: list[dict[str, Any]],
    cpu: str = "256",
    memory: str = "512",
    **extra: Any,
) -> str:
    return client.register_task_definition(
        {
            "family": family,
            "networkMode": "awsvpc",
            "requiresCompatibilities": ["FARGATE"],
            "cpu": cpu,
            "memory": memory,
            "containerDefinitions": containers,
            **extra,
        }
    ).task_definition.task_definition_arn


def address(task: Any) -> str:
    return next(d.value for a in task.attachments for d in a.details if d.name == "privateIPv4Address")


def netns(docker: Any, container_id: str) -> str:
    pid = docker.containers.get(container_id).attrs["State"]["Pid"]
    return os.readlink(f"/proc/{pid}/ns/net")


def cgroup_dir(docker: Any, container_id: str, controller: str) -> Path:
    parent = docker.containers.get(container_id).attrs["HostConfig"]["CgroupParent"]
    return Path(f"/sys/fs/cgroup/{controller}{parent}")


def test_fargate_task_runs_in_its_own_sandbox(
    controlplane: Any, client: Client, cluster: str, pool: list[Any], unique: str, docker: Any
) -> None:
    td = register(
        client,
        f"fg-{unique}",
        [
            {"name": "web", "image": IMAGE, "command": WEB, "portMappings": [{"containerPort": 8080}]},
            {
                "name": "probe",
                "image": IMAGE,
                "essential": False,
                "command": [
                    "sh",
                    "-c",
                    "for i in $(seq 20); do wget -q -O /dev/null http://127.0.0.1:8080/ && exit 0; "
                    "sleep 0.3; done; exit 1",
                ],
            },
        ],
    )
    arns = [
        t.task_arn
        for t in client.run_task(cluster=cluster, taskDefinition=td, launchType="FARGATE", count=2).tasks
    ]
    assert len(arns) == 2
    tasks = [wait_task(client, cluster, a, "RUNNING") for a in arns]
    # The user's cluster has no instances at all; the pool stays hidden.
    assert not client.list_container_instances(cluster=cluster).container_instance_arns
    assert all(t.container_instance_arn == "" and t.launch_type == "FARGATE" for t in tasks)
    # The two containers of a task talk over 127.0.0.1.
    probe = wait_for(
        lambda: next(
            (
                c
                for c in task_status(client, cluster, arns[0]).containers
                if c.name == "probe" and c.last_status == "STOPPED"
            ),
            None,
        ),
        timeout=30,
    )
    assert probe.exit_code == 0
    # Each task has its own address, answering on its containerPort from the host.
    addresses = [address(t) for t in tasks]
    assert len(set(addresses)) == 2 and all(addresses)
    for ip in addresses:
        with urllib.request.urlopen(f"http://{ip}:8080/", timeout=5) as r:
            assert r.read().strip() == b"fargate-says-hi"
    # ... and its own network namespace.
    webs = [next(c.runtime_id for c in t.containers if c.name == "web") for t in tasks]
    assert netns(docker, webs[0]) != netns(docker, webs[1])
    # The CPU quota is the task's cpu: 256 units = a quarter of a CPU.
    assert (cgroup_dir(docker, webs[0], "cpu") / "cpu.cfs_quota_us").read_text().strip() == "25000"
    assert int((cgroup_dir(docker, webs[0], "memory") / "memory.limit_in_bytes").read_text()) == 512 * 2**20
    timing = client.describe_tasks(cluster=cluster, tasks=[arns[0]]).tasks[0].launch_timing
    assert timing.total_seconds > 0
    # The operator's view of the pool (the user's cluster shows none of it).
    table = subprocess.run(
        [
            sys.executable,
            "-m",
            "berth.cli",
            "--config",
            str(controlplane.config_path),
            "--output",
            "table",
            "pool",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert table.returncode == 0 and "pool0" in table.stdout and "WARM" in table.stdout


def test_task_memory_budget_is_shared(client: Client, cluster: str, pool: list[Any], unique: str) -> None:
    hog = ["sh", "-c", "x=$(head -c 300000000 /dev/zero | tr '\\0' a); sleep 600"]
    td = register(
        client,
        f"fg-oom-{unique}",
        [{"name": "a", "image": IMAGE, "command": hog}, {"name": "b", "image": IMAGE, "command": hog}],
    )
    arn = client.run_task(cluster=cluster, taskDefinition=td, launchType="FARGATE").tasks[0].task_arn
    task = wait_task(client, cluster, arn, "STOPPED", timeout=90)
    reasons = [c.reason for c in task.containers]
    assert "OutOfMemoryError: Container killed due to memory usage" in reasons, reasons


@pytest.mark.parametrize(
    ("what", "path"),
    [
        ("pair", "memory"),
        ("bridge", "networkMode"),
        ("privileged", "containerDefinitions[0].privileged"),
        ("host-path", "volumes[0].host.sourcePath"),
    ],
)
def test_invalid_fargate_definitions(client: Client, unique: str, what: str, path: str) -> None:
    td: dict[str, Any] = {
        "family": f"fg-bad-{unique}",
        "networkMode": "awsvpc",
        "requiresCompatibilities": ["FARGATE"],
        "cpu": "256",
        "memory": "512",
        "containerDefinitions": [{"name": "a", "image": IMAGE}],
    }
    if what == "pair":
        td["memory"] = "4096"
    elif what == "bridge":
        td["networkMode"] = "bridge"
    elif what == "privileged":
        td["containerDefinitions"][0]["privileged"] = True
    else:
        td["volumes"] = [{"name": "v", "host": {"sourcePath": "/etc"}}]
    with pytest.raises(ApiError) as e:
        client.register_task_definition(td)
    assert e.value.code == "INVALID_ARGUMENT" and path in [v.field for v in e.value.violations]


def test_invalid_fargate_launches(client: Client, cluster: str, unique: str) -> None:
    fargate = register(client, f"fg-ok-{unique}", [{"name": "a", "image": IMAGE}])
    ec2_only = client.register_task_definition(
        {"family": f"ec2-{unique}", "containerDefinitions": [{"name": "a", "image": IMAGE, "memory": 16}]}
    ).task_definition.task_definition_arn
    cases = [
        (
            dict(
                taskDefinition=fargate,
                launchType="FARGATE",
                placementConstraints=[{"type": "distinctInstance"}],
            ),
            "placementConstraints",
        ),
        (dict(taskDefinition=ec2_only, launchType="FARGATE"), "taskDefinition"),
        (
            dict(taskDefinition=fargate, launchType="FARGATE", overrides={"cpu": "256", "memory": "8192"}),
            "overrides.cpu",
        ),
        (
            dict(
                taskDefinition=fargate,
                launchType="FARGATE",
                capacityProviderStrategy=[{"capacityProvider": "FARGATE", "weight": 1}],
            ),
            "capacityProviderStrategy",
        ),
    ]
    for kwargs, path in cases:
        with pytest.raises(ApiError) as e:
            client.run_task(cluster=cluster, **kwargs)
        assert e.value.code == "INVALID_ARGUMENT" and path in [v.field for v in e.value.violations], kwargs
    with pytest.raises(ApiError) as e:
        client.create_service(
            cluster=cluster,
            serviceName="d",
            taskDefinition=fargate,
            launchType="FARGATE",
            schedulingStrategy="DAEMON",
        )
    assert [v.field for v in e.value.violations] == ["schedulingStrategy"]


def test_fargate_service_spreads_over_the_pool_and_rolls(
    client: Client, cluster: str, pool: list[Any], unique: str
) -> None:
    first = register(
        client, f"fg-svc-{unique}", [{"name": "a", "image": IMAGE, "command": ["sleep", "3600"]}]
    )
    second = register(
        client, f"fg-svc-{unique}", [{"name": "a", "image": IMAGE, "command": ["sleep", "3601"]}]
    )
    client.create_service(
        cluster=cluster, serviceName="fg", taskDefinition=first, desiredCount=3, launchType="FARGATE"
    )

    def running(td: str) -> list[Any]:
        arns = client.list_tasks(cluster=cluster, serviceName="fg").task_arns
        tasks = client.describe_tasks(cluster=cluster, tasks=arns).tasks if arns else []
        return [t for t in tasks if t.last_status == "RUNNING" and t.task_definition_arn == td]

    wait_for(lambda: len(running(first)) == 3, timeout=60)
    hosts = Counter(
        d.value
        for t in running(first)
        for a in t.attachments
        for d in a.details
        if d.name == "privateIPv4Address"
    )
    assert len(hosts) == 3
    client.update_service(cluster=cluster, service="fg", taskDefinition=second)

    def rolled() -> bool:
        s = client.describe_services(cluster=cluster, services=["fg"]).services[0]
        return (
            len(s.deployments) == 1
            and s.deployments[0].rollout_state == "COMPLETED"
            and len(running(second)) == 3
        )

    wait_for(rolled, timeout=90, interval=0.5)
    client.delete_service(cluster=cluster, service="fg", force=True)


def test_stopping_leaves_nothing_and_usage_is_metered(
    client: Client, cluster: str, pool: list[Any], unique: str, docker: Any
) -> None:
    td = register(
        client,
        f"fg-meter-{unique}",
        [{"name": "a", "image": IMAGE, "command": ["sleep", "3600"]}],
        cpu="512",
        memory="1024",
    )
    arn = client.run_task(cluster=cluster, taskDefinition=td, launchType="FARGATE").tasks[0].task_arn
    task = wait_task(client, cluster, arn, "RUNNING")
    container = task.containers[0].runtime_id
    memory_cgroup = cgroup_dir(docker, container, "memory")
    pause = docker.containers.get(container).attrs["HostConfig"]["NetworkMode"].split(":", 1)[1]
    ns = netns(docker, pause)
    time.sleep(2)
    running = client.describe_tasks(cluster=cluster, tasks=[arn]).tasks[0]
    assert running.usage.vcpu_seconds > 0  # usage so far, while it runs
    client.stop_task(cluster=cluster, task=arn)
    stopped = wait_task(client, cluster, arn, "STOPPED", timeout=60)
    seconds = stopped.execution_stopped_at - stopped.started_at
    assert abs(stopped.usage.vcpu_seconds - 0.5 * seconds) <= 0.5
    assert abs(stopped.usage.gb_seconds - 1.0 * seconds) <= 1.0

    # After the cleanup wait nothing of the task is left: containers, pause container, cgroup, netns.
    def gone() -> bool:
        leftover = docker.containers.list(all=True, filters={"label": f"berth.task-arn={arn}"})
        try:
            docker.containers.get(pause)
            pause_left = True
        except Exception:
            pause_left = False
        namespaces = {
            os.readlink(f"/proc/{p}/ns/net")
            for p in os.listdir("/proc")
            if p.isdigit() and os.path.exists(f"/proc/{p}/ns/net")
        }
        return not leftover and not pause_left and not memory_cgroup.exists() and ns not in namespaces

    wait_for(gone, timeout=30, interval=0.5, message="the task's sandbox was not torn down")
