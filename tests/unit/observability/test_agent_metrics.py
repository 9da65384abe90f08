"""agent.metrics: sampling windows, the families Prometheus gets, the task stats report, launch
outcomes, and the Docker call hook's operation names."""

from __future__ import annotations

from typing import Any

import pytest
from prometheus_client import REGISTRY

from agent.metrics import (
    ContainerInfo,
    LaunchTracker,
    Sampler,
    Snapshot,
    TaskInfo,
    families,
    observe_docker_call,
    stats_report,
)
from agent.runtime.docker import DockerRuntime, operation_name
from agent.stats import ContainerStats, StatsReader
from berth.v1 import agent_pb2, types_pb2

MIB = 1024 * 1024


class FakeReader(StatsReader):
    def __init__(self) -> None:
        super().__init__()
        self.stats: dict[str, ContainerStats] = {}
        self.forgotten: set[str] | None = None

    def read(self, container_id: str, pid: int) -> ContainerStats | None:
        return self.stats.get(container_id)

    def forget(self, keep: set[str]) -> None:
        self.forgotten = keep


def stats(cpu: float, memory: int = 10 * MIB, netns: int = 0, rx: int = 0, tx: int = 0) -> ContainerStats:
    return ContainerStats(cpu, memory, 32 * MIB, 0, netns, rx, tx)


def container(name: str, cpu: int = 0, running: bool = True, restarts: int = 0) -> ContainerInfo:
    return ContainerInfo(name, f"id-{name}", 100 + len(name), running, restarts, 0, cpu)


def task(*containers: ContainerInfo, status: str = "RUNNING", cpu: int = 256, memory: int = 64) -> TaskInfo:
    return TaskInfo(
        task_arn="arn:berth:ecs:local:000000000000:task/prod/t1",
        task_id="t1",
        cluster="prod",
        service="web",
        family="webapp",
        revision="3",
        last_status=status,
        reserved_cpu=cpu,
        reserved_memory=memory,
        containers=containers,
    )


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def sampler(tasks: list[TaskInfo], reader: FakeReader, clock: Clock) -> Sampler:
    return Sampler(lambda: tasks, reader, min_interval=2.0, clock=clock, wall=lambda: 1.7e9)


def samples(fams: list[Any]) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {(s.name, tuple(sorted(s.labels.items()))): s.value for f in fams for s in f.samples}


def value(fams: list[Any], name: str, **labels: str) -> float | None:
    for f in fams:
        for s in f.samples:
            if s.name == name and all(s.labels.get(k) == v for k, v in labels.items()):
                return float(s.value)
    return None


def test_cpu_utilization_needs_two_reads_and_is_cached_between() -> None:
    reader, clock = FakeReader(), Clock()
    reader.stats = {"id-app": stats(10.0), "id-sidecar": stats(1.0)}
    s = sampler([task(container("app", cpu=128), container("sidecar"))], reader, clock)
    first = s.sample()
    assert first.tasks[0].cpu_cores is None  # no window yet
    reader.stats = {"id-app": stats(10.5), "id-sidecar": stats(1.25)}
    clock.now += 1.0
    assert s.sample() is first  # within min_interval: no new read
    clock.now += 1.5
    second = s.sample()
    app, sidecar = second.tasks[0].containers
    assert app.cpu_cores == pytest.approx(0.5 / 2.5)
    assert sidecar.cpu_cores == pytest.approx(0.25 / 2.5)
    assert second.tasks[0].cpu_cores == pytest.approx(0.75 / 2.5)
    fams = families(second)
    # app reserves 128 units = 1/8 core and used 0.2 cores: 160 % of its reservation
    assert value(fams, "berth_container_cpu_utilization_ratio", container="app") == pytest.approx(1.6)
    assert value(fams, "berth_container_cpu_utilization_ratio", container="sidecar") is None  # reserves none
    assert value(fams, "berth_task_cpu_utilization_ratio") == pytest.approx(0.3 * 1024 / 256)
    assert value(fams, "berth_task_cpu_seconds_total") == pytest.approx(11.75)


def test_a_restarted_container_starts_a_new_window() -> None:
    reader, clock = FakeReader(), Clock()
    info = container("app")
    reader.stats = {"id-app": stats(10.0)}
    s = sampler([task(info)], reader, clock)
    s.sample()
    clock.now += 5
    reader.stats = {"id-app": stats(0.1)}  # a fresh cgroup after an in-place restart
    assert s.sample().tasks[0].containers[0].cpu_cores is None


def test_families_labels_and_values() -> None:
    reader, clock = FakeReader(), Clock()
    reader.stats = {
        "id-app": stats(1.0, memory=20 * MIB, netns=11, rx=100, tx=50),
        "id-log": stats(1.0, memory=12 * MIB, netns=12, rx=7, tx=3),
    }
    snapshot = sampler([task(container("app", restarts=2), container("log"))], reader, clock).sample()
    fams = families(snapshot)
    labels = {
        "cluster": "prod",
        "service": "web",
        "family": "webapp",
        "revision": "3",
        "task_id": "t1",
        "container": "app",
    }
    got = samples(fams)
    assert got[("berth_container_memory_usage_bytes", tuple(sorted(labels.items())))] == 20 * MIB
    assert got[("berth_container_memory_limit_bytes", tuple(sorted(labels.items())))] == 32 * MIB
    assert got[("berth_container_restarts_total", tuple(sorted(labels.items())))] == 2
    assert got[("berth_container_network_receive_bytes_total", tuple(sorted(labels.items())))] == 100
    assert value(fams, "berth_task_memory_usage_bytes") == 32 * MIB
    assert value(fams, "berth_task_memory_utilization_ratio") == pytest.approx(0.5)
    assert value(fams, "berth_task_memory_reserved_bytes") == 64 * MIB
    assert value(fams, "berth_task_cpu_reserved_cores") == 0.25
    assert value(fams, "berth_task_network_receive_bytes_total") == 107
    assert value(fams, "berth_agent_tasks", last_status="RUNNING") == 1


def test_shared_network_namespace_is_counted_once_per_task() -> None:
    reader, clock = FakeReader(), Clock()
    reader.stats = {
        "id-app": stats(1.0, netns=5, rx=100, tx=10),
        "id-side": stats(1.0, netns=5, rx=100, tx=10),
    }
    fams = families(sampler([task(container("app"), container("side"))], reader, clock).sample())
    assert value(fams, "berth_task_network_receive_bytes_total") == 100
    assert value(fams, "berth_container_network_receive_bytes_total") is None  # not the container's own


def test_stopped_tasks_and_gone_containers_have_no_series() -> None:
    reader, clock = FakeReader(), Clock()
    reader.stats = {"id-app": stats(1.0)}
    tasks = [task(container("app"), container("gone", running=False))]
    s = sampler(tasks, reader, clock)
    fams = families(s.sample())
    assert value(fams, "berth_container_memory_usage_bytes", container="app") is not None
    assert value(fams, "berth_container_memory_usage_bytes", container="gone") is None
    assert reader.forgotten == {"id-app"}
    tasks[0] = task(container("app", running=False), status="STOPPED")
    clock.now += 10
    fams = families(s.sample())
    assert [f for f in fams if f.samples and f.name.startswith(("berth_container", "berth_task"))] == []
    assert value(fams, "berth_agent_tasks", last_status="STOPPED") == 1


def test_stats_report_has_running_tasks_with_a_window() -> None:
    reader, clock = FakeReader(), Clock()
    reader.stats = {"id-app": stats(1.0, memory=16 * MIB)}
    s = sampler([task(container("app"))], reader, clock)
    assert stats_report(s.sample()).tasks == []  # no window yet
    clock.now += 4
    reader.stats = {"id-app": stats(2.0, memory=16 * MIB)}
    report = stats_report(s.sample())
    assert len(report.tasks) == 1
    sample = report.tasks[0]
    assert sample.task_arn.endswith("/t1")
    assert sample.cpu_cores == pytest.approx(0.25)
    assert sample.cpu_seconds == pytest.approx(2.0)
    assert sample.memory_bytes == 16 * MIB
    assert (sample.reserved_cpu, sample.reserved_memory) == (256, 64)
    assert sample.sampled_at == report.sampled_at == 1.7e9
    assert stats_report(Snapshot(1.0, ())).tasks == []


def launches(outcome: str) -> float:
    return REGISTRY.get_sample_value("berth_agent_task_launches_total", {"outcome": outcome}) or 0.0


def test_launch_tracker_counts_each_outcome_once() -> None:
    tracker = LaunchTracker()
    before = {o: launches(o) for o in ("started", "failed_to_start", "cancelled")}
    sent: list[agent_pb2.TaskStateChange] = []
    report = tracker.wrap(sent.append)
    timing = types_pb2.LaunchTiming(pull_seconds=0.5, start_seconds=0.3, total_seconds=1.0)
    report(agent_pb2.TaskStateChange(task_arn="a", last_status="PENDING"))
    report(agent_pb2.TaskStateChange(task_arn="a", last_status="RUNNING", launch_timing=timing))
    report(agent_pb2.TaskStateChange(task_arn="a", last_status="RUNNING", launch_timing=timing))
    report(agent_pb2.TaskStateChange(task_arn="a", last_status="STOPPED"))
    # adopted after an agent restart: RUNNING without launch timing, then stopped
    report(agent_pb2.TaskStateChange(task_arn="b", last_status="RUNNING"))
    report(agent_pb2.TaskStateChange(task_arn="b", last_status="STOPPED"))
    report(agent_pb2.TaskStateChange(task_arn="c", last_status="STOPPED", stop_code="TaskFailedToStart"))
    report(agent_pb2.TaskStateChange(task_arn="c", last_status="STOPPED", stop_code="TaskFailedToStart"))
    report(agent_pb2.TaskStateChange(task_arn="d", last_status="STOPPED", stop_code="UserInitiated"))
    assert len(sent) == 9
    assert launches("started") - before["started"] == 1
    assert launches("failed_to_start") - before["failed_to_start"] == 1
    assert launches("cancelled") - before["cancelled"] == 1


def test_docker_operation_names() -> None:
    class Owner:
        def create(self) -> Any:
            def run() -> None: ...

            return run

        def inspect(self) -> Any:
            return lambda: None

    assert operation_name(Owner().create()) == "create"
    assert operation_name(Owner().inspect()) == "inspect"
    assert operation_name(test_docker_operation_names) == "test_docker_operation_names"
    before = REGISTRY.get_sample_value("berth_agent_docker_request_errors_total", {"operation": "zz"}) or 0
    observe_docker_call("zz", 0.01, False)
    observe_docker_call("zz", 0.02, True)
    assert (
        REGISTRY.get_sample_value("berth_agent_docker_request_errors_total", {"operation": "zz"})
        == before + 1
    )
    assert (
        REGISTRY.get_sample_value("berth_agent_docker_request_duration_seconds_count", {"operation": "zz"})
        == 2
    )


async def test_docker_runtime_reports_its_calls() -> None:
    seen: list[tuple[str, bool]] = []
    runtime = DockerRuntime(
        base_url="unix:///nonexistent/docker.sock", on_call=lambda op, s, ok: seen.append((op, ok))
    )
    try:
        with pytest.raises(Exception):  # noqa: B017 - dockerd is not there: any runtime error
            await runtime.inspect("x")
    finally:
        await runtime.close()
    assert seen == [("inspect", False)]
