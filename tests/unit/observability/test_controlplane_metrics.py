"""Control plane metrics over plain state values: families, transition hooks, service utilisation,
accepted task stats, and the Prometheus SD document."""

from __future__ import annotations

from typing import Any

import pytest
from prometheus_client import REGISTRY

from berth.v1 import agent_pb2, types_pb2
from controlplane.promsd import agent_targets, target_address
from controlplane.statemetrics import (
    InstanceRow,
    instance_families,
    newly_failed,
    observe_task_change,
    service_families,
    task_families,
    utilization_families,
)
from controlplane.utilization import ServiceUsage, accepted_samples, service_utilization, task_cluster

MIB = 1024 * 1024
ARN = "arn:berth:ecs:local:000000000000"


def value(fams: list[Any], metric_name: str, **labels: str) -> float | None:
    for f in fams:
        for s in f.samples:
            if s.name == metric_name and all(s.labels.get(k) == v for k, v in labels.items()):
                return float(s.value)
    return None


def test_tasks_by_cluster_and_status() -> None:
    tasks = [
        ("prod", types_pb2.Task(last_status="RUNNING")),
        ("prod", types_pb2.Task(last_status="RUNNING")),
        ("prod", types_pb2.Task(last_status="STOPPED")),
        ("dev", types_pb2.Task(last_status="PENDING")),
    ]
    fams = task_families(tasks)
    assert value(fams, "berth_tasks", cluster="prod", last_status="RUNNING") == 2
    assert value(fams, "berth_tasks", cluster="prod", last_status="STOPPED") == 1
    assert value(fams, "berth_tasks", cluster="dev", last_status="PENDING") == 1
    assert value(fams, "berth_tasks", cluster="dev", last_status="RUNNING") is None


def test_services_and_deployments() -> None:
    web = types_pb2.Service(
        service_name="web", status="ACTIVE", desired_count=3, running_count=2, pending_count=1
    )
    web.deployments.add(id="d2", rollout_state="IN_PROGRESS")
    web.deployments.add(id="d1", rollout_state="FAILED")
    gone = types_pb2.Service(service_name="old", status="INACTIVE", desired_count=1)
    fams = service_families([("prod", web), ("prod", gone)])
    assert value(fams, "berth_service_desired_tasks", service="web") == 3
    assert value(fams, "berth_service_running_tasks", service="web") == 2
    assert value(fams, "berth_service_pending_tasks", service="web") == 1
    assert value(fams, "berth_service_deployments", service="web", rollout_state="FAILED") == 1
    assert value(fams, "berth_service_deployments", service="web", rollout_state="IN_PROGRESS") == 1
    assert value(fams, "berth_service_desired_tasks", service="old") is None


def test_instances() -> None:
    row = InstanceRow(
        "prod", f"{ARN}:container-instance/prod/i1", "host1", "ACTIVE", False, 2048, 1024, 1000, 500, 4
    )
    fams = instance_families([row])
    assert value(fams, "berth_container_instance_agent_connected", name="host1", status="ACTIVE") == 0
    assert value(fams, "berth_container_instance_registered_cpu_cores", name="host1") == 2
    assert value(fams, "berth_container_instance_remaining_cpu_cores", name="host1") == 1
    assert value(fams, "berth_container_instance_remaining_memory_bytes", name="host1") == 500 * MIB
    assert value(fams, "berth_container_instance_running_tasks", name="host1") == 4


def sample(task: str, service: str, cores: float, memory_mib: int, cpu: int, mem: int, at: float) -> Any:
    return agent_pb2.TaskStats(
        task_arn=f"{ARN}:task/prod/{task}",
        service_name=service,
        cpu_cores=cores,
        memory_bytes=memory_mib * MIB,
        reserved_cpu=cpu,
        reserved_memory=mem,
        sampled_at=at,
    )


def test_service_utilization_is_usage_over_reservation() -> None:
    samples = [
        sample("t1", "web", 0.25, 32, 512, 128, 100.0),  # a quarter core of half a core reserved
        sample("t2", "web", 0.5, 96, 512, 128, 95.0),
        sample("t3", "", 1.0, 10, 1024, 64, 100.0),  # standalone: not a service's
        sample("t4", "batch", 0.1, 10, 0, 64, 100.0),  # reserves no CPU
        sample("t5", "web", 4.0, 500, 512, 128, 10.0),  # too old
    ]
    usage = service_utilization(samples, now=101.0, max_age=30)
    web = usage[("prod", "web")]
    assert web.cpu_percent == pytest.approx(100 * 0.75 * 1024 / 1024)
    assert web.memory_percent == pytest.approx(100 * 128 / 256)
    assert (web.task_count, web.sampled_at) == (2, 95.0)
    batch = usage[("prod", "batch")]
    assert batch.cpu_percent is None and batch.memory_percent == pytest.approx(100 * 10 / 64)
    assert set(usage) == {("prod", "web"), ("prod", "batch")}
    fams = utilization_families(usage)
    assert value(fams, "berth_service_cpu_utilization_percent", service="web") == pytest.approx(75.0)
    assert value(fams, "berth_service_cpu_utilization_percent", service="batch") is None
    assert value(fams, "berth_service_memory_utilization_percent", service="batch") == pytest.approx(15.625)
    assert value(fams, "berth_service_sampled_tasks", cluster="prod", service="web") == 2
    assert utilization_families({("c", "s"): ServiceUsage("c", "s", None, None, 0, 0.0)})[0].samples == []


def test_only_samples_of_the_instance_s_own_tasks_are_kept() -> None:
    me, other = f"{ARN}:container-instance/prod/me", f"{ARN}:container-instance/prod/other"
    report = agent_pb2.TaskStatsReport(sampled_at=50.0)
    report.tasks.add(task_arn=f"{ARN}:task/prod/a", cpu_cores=0.5, memory_bytes=1, reserved_cpu=9999)
    report.tasks.add(task_arn=f"{ARN}:task/prod/b", cpu_cores=0.5, service_name="forged")
    report.tasks.add(task_arn=f"{ARN}:task/prod/c", cpu_cores=0.5)
    tasks = {
        f"{ARN}:task/prod/a": types_pb2.Task(
            container_instance_arn=me,
            service_name="web",
            reservation=types_pb2.Reservation(cpu=256, memory=64),
        ),
        f"{ARN}:task/prod/b": types_pb2.Task(container_instance_arn=other, service_name="api"),
    }
    kept = accepted_samples(report, me, tasks)
    assert [s.task_arn.rsplit("/", 1)[1] for s in kept.tasks] == ["a"]
    a = kept.tasks[0]
    assert (a.service_name, a.reserved_cpu, a.reserved_memory, a.sampled_at) == ("web", 256, 64, 50.0)
    assert task_cluster(f"{ARN}:task/prod/a") == "prod"
    assert task_cluster("nonsense") == ""


def metric(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_task_transitions_are_counted_once() -> None:
    task = types_pb2.Task(
        cluster_arn=f"{ARN}:cluster/obs-unit",
        service_name="web",
        last_status="RUNNING",
        created_at=100.0,
        started_at=101.5,
        launch_timing=types_pb2.LaunchTiming(pending_seconds=0.2, pull_seconds=0.8, total_seconds=1.5),
    )
    delay = ("berth_task_scheduling_delay_seconds_count", {"cluster": "obs-unit"})
    before = metric(delay[0], **delay[1])
    phase_before = metric("berth_task_launch_phase_seconds_count", phase="pull")
    observe_task_change("PENDING", task)
    observe_task_change("RUNNING", task)  # a later report of the running task
    assert metric(delay[0], **delay[1]) == before + 1
    assert metric("berth_task_scheduling_delay_seconds_sum", cluster="obs-unit") >= 1.5
    assert metric("berth_task_launch_phase_seconds_count", phase="pull") == phase_before + 1
    stopped = types_pb2.Task()
    stopped.CopyFrom(task)
    stopped.last_status, stopped.stop_code = "STOPPED", "EssentialContainerExited"
    stops = {"cluster": "obs-unit", "service": "web", "stop_code": "EssentialContainerExited"}
    observe_task_change("RUNNING", stopped)
    observe_task_change("STOPPED", stopped)
    assert metric("berth_task_stops_total", **stops) == 1
    # straight from PENDING to STOPPED: no scheduling delay, one stop
    never = types_pb2.Task(
        cluster_arn=f"{ARN}:cluster/obs-unit", last_status="STOPPED", stop_code="TaskFailedToStart"
    )
    observe_task_change("PENDING", never)
    assert metric(delay[0], **delay[1]) == before + 1
    assert (
        metric("berth_task_stops_total", cluster="obs-unit", service="", stop_code="TaskFailedToStart") == 1
    )


def test_newly_failed_deployments() -> None:
    old = types_pb2.Service()
    old.deployments.add(id="d1", rollout_state="IN_PROGRESS")
    new = types_pb2.Service()
    new.deployments.add(id="d2", rollout_state="IN_PROGRESS")
    new.deployments.add(id="d1", rollout_state="FAILED")
    assert newly_failed(old, new) == 1
    assert newly_failed(new, new) == 0
    assert newly_failed(None, new) == 0  # seen for the first time (a resync): not a new failure
    assert newly_failed(old, None) == 0


def instance(ident: str, endpoint: str, **kw: Any) -> types_pb2.ContainerInstance:
    cluster = kw.pop("cluster", "prod")
    return types_pb2.ContainerInstance(
        container_instance_arn=f"{ARN}:container-instance/{cluster}/{ident}",
        ec2_instance_id=f"host-{ident}",
        metrics_endpoint=endpoint,
        status=kw.pop("status", "ACTIVE"),
        **kw,
    )


def test_sd_targets() -> None:
    instances = [
        instance("b", "10.0.0.2:7412"),
        instance("a", "0.0.0.0:7412", host_address="10.0.0.1"),
        instance("p", "127.0.0.1:7500", cluster="@fargate", pool="fargate"),
        instance("gone", "10.0.0.9:7412", status="INACTIVE"),
        instance("none", ""),
    ]
    assert agent_targets(instances) == [
        {
            "targets": ["127.0.0.1:7500"],
            "labels": {
                "cluster": "@fargate",
                "container_instance_arn": f"{ARN}:container-instance/@fargate/p",
                "instance_name": "host-p",
                "pool": "fargate",
            },
        },
        {
            "targets": ["10.0.0.1:7412"],
            "labels": {
                "cluster": "prod",
                "container_instance_arn": f"{ARN}:container-instance/prod/a",
                "instance_name": "host-a",
                "pool": "",
            },
        },
        {
            "targets": ["10.0.0.2:7412"],
            "labels": {
                "cluster": "prod",
                "container_instance_arn": f"{ARN}:container-instance/prod/b",
                "instance_name": "host-b",
                "pool": "",
            },
        },
    ]
    assert target_address(instance("x", ":7412")) == ""  # a wildcard and no host address: unreachable
