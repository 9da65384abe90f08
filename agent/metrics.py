"""Prometheus metrics of the agent, and the task stats it sends to the control plane.

- Per container and per task, labelled cluster, service, family, revision, task_id (and container):
  CPU seconds, CPU utilisation as a share of the reservation, memory in use and its limit, network
  bytes, restarts and OOM kills. `AgentCollector` builds them when Prometheus scrapes, from a
  `Sampler` that reads the kernel's files (`agent.stats`) at most once per `min_interval` however
  many scrapers there are; containers that are gone simply are not in the next scrape.
- Docker API latency by operation (`observe_docker_call`, hooked into `DockerRuntime`).
- Task launches by outcome and per-phase launch timings (`LaunchTracker`, fed every state change
  the runners report).
- Every `interval` seconds the same sampler's figures go to the control plane as a
  `TaskStatsReport` (`report_stats`), for service utilisation (ECS's CPUUtilization and
  MemoryUtilization).

CPU utilisation is the CPU time used between two reads divided by the time between them (cores),
over the reservation (CPU units / 1024); it is left out where nothing is reserved, and until a
container has been read twice. Building the families is a pure function of a `Snapshot`.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter as Tally
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import structlog
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, disable_created_metrics
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from agent.stats import ContainerStats, StatsReader
from agent.taskrunner import TaskRunner
from berth import taskstatus
from berth.v1 import agent_pb2

log = structlog.get_logger("berth.agent.metrics")

MIB = 1024 * 1024
_DOCKER_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
_PHASE_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 20, 30, 60, 120, 300)
LAUNCH_PHASES = ("pending", "pull", "sandbox", "start", "total")
TASK_LABELS = ["cluster", "service", "family", "revision", "task_id"]
CONTAINER_LABELS = [*TASK_LABELS, "container"]

DOCKER_LATENCY = Histogram(
    "berth_agent_docker_request_duration_seconds",
    "Docker Engine API calls made by the agent, by operation (create, start, inspect, ...).",
    ["operation"],
    buckets=_DOCKER_BUCKETS,
)
DOCKER_ERRORS = Counter(
    "berth_agent_docker_request_errors_total",
    "Docker Engine API calls that failed, by operation.",
    ["operation"],
)
TASK_LAUNCHES = Counter(
    "berth_agent_task_launches_total",
    "Task launches by outcome: started (reached RUNNING), failed_to_start (stopCode "
    "TaskFailedToStart), cancelled (stopped before RUNNING for another reason).",
    ["outcome"],
)
LAUNCH_PHASE = Histogram(
    "berth_agent_task_launch_phase_seconds",
    "Launch timing of the tasks this agent started, per phase (pending, pull, sandbox, start, total).",
    ["phase"],
    buckets=_PHASE_BUCKETS,
)


def observe_docker_call(operation: str, seconds: float, ok: bool) -> None:
    """`DockerRuntime(on_call=...)`: runs on the runtime's worker threads (prometheus_client locks)."""
    DOCKER_LATENCY.labels(operation).observe(seconds)
    if not ok:
        DOCKER_ERRORS.labels(operation).inc()


class LaunchTracker:
    """Counts launch outcomes and phase timings from the state changes the runners report.

    A task counts as started at its first RUNNING report that carries launch timing (adopted tasks
    carry none: this process did not launch them), and as failed to start (or cancelled) when it
    reaches STOPPED without having been RUNNING here.
    """

    def __init__(self, remember: int = 4096) -> None:
        self._running: OrderedDict[str, None] = OrderedDict()  # seen RUNNING (or counted)
        self._remember = remember

    def observe(self, change: agent_pb2.TaskStateChange) -> None:
        arn = change.task_arn
        if change.last_status == "RUNNING" and arn not in self._running:
            self._mark(arn)
            if change.HasField("launch_timing"):
                TASK_LAUNCHES.labels("started").inc()
                for phase in LAUNCH_PHASES:
                    LAUNCH_PHASE.labels(phase).observe(getattr(change.launch_timing, f"{phase}_seconds"))
        elif change.last_status == "STOPPED" and arn not in self._running:
            self._mark(arn)
            failed = change.stop_code == taskstatus.TASK_FAILED_TO_START
            TASK_LAUNCHES.labels("failed_to_start" if failed else "cancelled").inc()

    def _mark(self, arn: str) -> None:
        self._running[arn] = None
        while len(self._running) > self._remember:
            self._running.popitem(last=False)

    def wrap(
        self, report: Callable[[agent_pb2.TaskStateChange], None]
    ) -> Callable[[agent_pb2.TaskStateChange], None]:
        """`report`, observing each change first."""

        def observed(change: agent_pb2.TaskStateChange) -> None:
            self.observe(change)
            report(change)

        return observed


# -- what is sampled -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ContainerInfo:
    name: str
    docker_id: str
    pid: int
    running: bool
    restarts: int
    oom_kills: int
    reserved_cpu: int  # CPU units, 0: none


@dataclass(frozen=True)
class TaskInfo:
    task_arn: str
    task_id: str
    cluster: str
    service: str
    family: str
    revision: str
    last_status: str
    reserved_cpu: int  # CPU units
    reserved_memory: int  # MiB
    containers: tuple[ContainerInfo, ...]

    @property
    def labels(self) -> list[str]:
        return [self.cluster, self.service, self.family, self.revision, self.task_id]


def task_infos(runners: Iterable[TaskRunner]) -> list[TaskInfo]:
    """What the sampler needs of the agent's task runners."""
    out = []
    for r in list(runners):
        family, _, revision = r.definition.task_definition_arn.rsplit("/", 1)[-1].rpartition(":")
        containers = []
        for c in r.containers.values():
            cpu = (
                c.override.cpu if c.override is not None and c.override.HasField("cpu") else c.definition.cpu
            )
            containers.append(
                ContainerInfo(
                    name=c.name,
                    docker_id=c.docker_id,
                    pid=c.pid,
                    running=c.status == "RUNNING",
                    restarts=c.restart_count,
                    oom_kills=c.oom_kills,
                    reserved_cpu=cpu,
                )
            )
        out.append(
            TaskInfo(
                task_arn=r.task_arn,
                task_id=r.task_id,
                cluster=r.cluster,
                service=r.task.service_name,
                family=family,
                revision=revision,
                last_status=r.last_status,
                reserved_cpu=r.task.reservation.cpu,
                reserved_memory=r.task.reservation.memory,
                containers=tuple(containers),
            )
        )
    return out


@dataclass(frozen=True)
class ContainerSample:
    info: ContainerInfo
    stats: ContainerStats | None  # None: not running, or gone before it could be read
    cpu_cores: float | None  # average over the window since the previous read


@dataclass(frozen=True)
class TaskSample:
    info: TaskInfo
    containers: tuple[ContainerSample, ...]

    @property
    def read(self) -> list[ContainerSample]:
        return [c for c in self.containers if c.stats is not None]

    @property
    def cpu_seconds(self) -> float:
        return sum(c.stats.cpu_seconds for c in self.containers if c.stats is not None)

    @property
    def cpu_cores(self) -> float | None:
        """None until every container read has a window (read twice)."""
        read = self.read
        if not read or any(c.cpu_cores is None for c in read):
            return None
        return sum(c.cpu_cores or 0.0 for c in read)

    @property
    def memory_bytes(self) -> int:
        return sum(c.stats.memory_bytes for c in self.containers if c.stats is not None)

    def network(self) -> tuple[int, int] | None:
        """Bytes received and sent over the task's network namespaces (each counted once)."""
        namespaces: dict[int, tuple[int, int]] = {}
        for c in self.containers:
            if c.stats is not None and c.stats.netns:
                namespaces[c.stats.netns] = (c.stats.rx_bytes, c.stats.tx_bytes)
        if not namespaces:
            return None
        return sum(rx for rx, _ in namespaces.values()), sum(tx for _, tx in namespaces.values())


@dataclass(frozen=True)
class Snapshot:
    taken_at: float  # epoch seconds
    tasks: tuple[TaskSample, ...]


class Sampler:
    """Reads the running containers of the agent's tasks, at most once per `min_interval`."""

    def __init__(
        self,
        tasks: Callable[[], list[TaskInfo]],
        reader: StatsReader | None = None,
        *,
        min_interval: float = 2.0,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self.tasks = tasks
        self.reader = reader or StatsReader()
        self.min_interval = min_interval
        self.clock = clock
        self.wall = wall
        self._last: Snapshot | None = None
        self._last_at = float("-inf")
        self._previous: dict[str, tuple[float, float, int]] = {}  # docker id -> (clock, cpu s, pid)

    def sample(self) -> Snapshot:
        now = self.clock()
        if self._last is not None and now - self._last_at < self.min_interval:
            return self._last
        tasks = []
        seen: set[str] = set()
        for info in self.tasks():
            containers = []
            for c in info.containers:
                stats = self.reader.read(c.docker_id, c.pid) if c.running and c.docker_id else None
                cores = None
                if stats is not None:
                    seen.add(c.docker_id)
                    cores = self._cores(c.docker_id, c.pid, now, stats.cpu_seconds)
                containers.append(ContainerSample(c, stats, cores))
            tasks.append(TaskSample(info, tuple(containers)))
        for gone in [cid for cid in self._previous if cid not in seen]:
            del self._previous[gone]
        self.reader.forget(seen)
        self._last = Snapshot(self.wall(), tuple(tasks))
        self._last_at = now
        return self._last

    def _cores(self, docker_id: str, pid: int, now: float, cpu: float) -> float | None:
        previous = self._previous.get(docker_id)
        self._previous[docker_id] = (now, cpu, pid)
        if previous is None or previous[2] != pid or cpu < previous[1] or now <= previous[0]:
            return None  # first read, or the container restarted (a fresh cgroup counts from 0)
        return (cpu - previous[1]) / (now - previous[0])


# -- Prometheus families ---------------------------------------------------------------------------


def families(snapshot: Snapshot) -> list[Metric]:
    """Every per-task and per-container family for one snapshot."""

    def gauge(name: str, doc: str, labels: list[str]) -> GaugeMetricFamily:
        return GaugeMetricFamily(name, doc, labels=labels)

    def counter(name: str, doc: str, labels: list[str]) -> CounterMetricFamily:
        return CounterMetricFamily(name, doc, labels=labels)

    cl = CONTAINER_LABELS
    c_cpu = counter("berth_container_cpu_seconds", "CPU time used by a container.", cl)
    c_util = gauge(
        "berth_container_cpu_utilization_ratio",
        "CPU used by a container over the last sampling window, as a share of its cpu reservation.",
        cl,
    )
    c_mem = gauge(
        "berth_container_memory_usage_bytes", "Memory a container uses (without inactive page cache).", cl
    )
    c_limit = gauge("berth_container_memory_limit_bytes", "A container's memory limit (if any).", cl)
    c_rx = counter(
        "berth_container_network_receive_bytes",
        "Bytes received in a container's own network namespace (bridge mode).",
        cl,
    )
    c_tx = counter(
        "berth_container_network_transmit_bytes",
        "Bytes sent from a container's own network namespace (bridge mode).",
        cl,
    )
    c_restarts = counter("berth_container_restarts", "In-place restarts of a container (restartPolicy).", cl)
    c_oom = counter("berth_container_oom_kills", "OOM kills in a container (Docker oom events).", cl)
    tl = TASK_LABELS
    t_cpu = counter("berth_task_cpu_seconds", "CPU time used by a task's running containers.", tl)
    t_util = gauge(
        "berth_task_cpu_utilization_ratio",
        "CPU used by a task over the last sampling window, as a share of the CPU it reserves.",
        tl,
    )
    t_cpu_res = gauge("berth_task_cpu_reserved_cores", "CPU a task reserves, in cores.", tl)
    t_mem = gauge("berth_task_memory_usage_bytes", "Memory a task's running containers use.", tl)
    t_mem_res = gauge("berth_task_memory_reserved_bytes", "Memory a task reserves.", tl)
    t_mem_util = gauge(
        "berth_task_memory_utilization_ratio", "Memory a task uses, as a share of what it reserves.", tl
    )
    t_rx = counter("berth_task_network_receive_bytes", "Bytes received by a task.", tl)
    t_tx = counter("berth_task_network_transmit_bytes", "Bytes sent by a task.", tl)
    statuses = gauge("berth_agent_tasks", "Tasks this agent runs, by lastStatus.", ["last_status"])

    tally: Tally[str] = Tally()
    for task in snapshot.tasks:
        info = task.info
        tally[info.last_status] += 1
        if info.last_status == "STOPPED":
            continue
        labels = info.labels
        netns_users = Tally(c.stats.netns for c in task.containers if c.stats is not None and c.stats.netns)
        for c in task.containers:
            clabels = [*labels, c.info.name]
            c_restarts.add_metric(clabels, c.info.restarts)
            c_oom.add_metric(clabels, c.info.oom_kills)
            s = c.stats
            if s is None:
                continue
            c_cpu.add_metric(clabels, s.cpu_seconds)
            if c.cpu_cores is not None and c.info.reserved_cpu > 0:
                c_util.add_metric(clabels, c.cpu_cores * 1024 / c.info.reserved_cpu)
            c_mem.add_metric(clabels, s.memory_bytes)
            if s.memory_limit_bytes is not None:
                c_limit.add_metric(clabels, s.memory_limit_bytes)
            if s.netns and netns_users[s.netns] == 1:
                c_rx.add_metric(clabels, s.rx_bytes)
                c_tx.add_metric(clabels, s.tx_bytes)
        t_cpu_res.add_metric(labels, info.reserved_cpu / 1024)
        t_mem_res.add_metric(labels, info.reserved_memory * MIB)
        if not task.read:
            continue
        t_cpu.add_metric(labels, task.cpu_seconds)
        cores = task.cpu_cores
        if cores is not None and info.reserved_cpu > 0:
            t_util.add_metric(labels, cores * 1024 / info.reserved_cpu)
        t_mem.add_metric(labels, task.memory_bytes)
        if info.reserved_memory > 0:
            t_mem_util.add_metric(labels, task.memory_bytes / (info.reserved_memory * MIB))
        network = task.network()
        if network is not None:
            t_rx.add_metric(labels, network[0])
            t_tx.add_metric(labels, network[1])
    for status, n in sorted(tally.items()):
        statuses.add_metric([status], n)
    return [
        c_cpu,
        c_util,
        c_mem,
        c_limit,
        c_rx,
        c_tx,
        c_restarts,
        c_oom,
        t_cpu,
        t_util,
        t_cpu_res,
        t_mem,
        t_mem_res,
        t_mem_util,
        t_rx,
        t_tx,
        statuses,
    ]


class AgentCollector(Collector):
    """The per-task and per-container families, read when Prometheus scrapes."""

    def __init__(self, sampler: Sampler) -> None:
        self.sampler = sampler

    def describe(self) -> Iterable[Metric]:
        return []  # nothing to check at registration; reading now would be wasted work

    def collect(self) -> Iterator[Metric]:
        yield from families(self.sampler.sample())


def install_collector(sampler: Sampler, registry: CollectorRegistry = REGISTRY) -> None:
    """Serve the per-task and per-container families on /metrics. Also turns off the `_created`
    series prometheus_client adds to every counter and histogram: nobody queries them, and they
    would be a third of what the agent exposes and Prometheus stores."""
    disable_created_metrics()  # type: ignore[no-untyped-call]
    registry.register(AgentCollector(sampler))


# -- task stats for the control plane --------------------------------------------------------------


def stats_report(snapshot: Snapshot) -> agent_pb2.TaskStatsReport:
    """The RUNNING tasks whose CPU use over a window is known."""
    report = agent_pb2.TaskStatsReport(sampled_at=snapshot.taken_at)
    for task in snapshot.tasks:
        cores = task.cpu_cores
        if task.info.last_status != "RUNNING" or cores is None:
            continue
        report.tasks.add(
            task_arn=task.info.task_arn,
            cpu_seconds=task.cpu_seconds,
            cpu_cores=cores,
            memory_bytes=task.memory_bytes,
            reserved_cpu=task.info.reserved_cpu,
            reserved_memory=task.info.reserved_memory,
            sampled_at=snapshot.taken_at,
        )
    return report


async def report_stats(
    sampler: Sampler, send: Callable[[agent_pb2.TaskStatsReport], None], interval: float
) -> None:
    """Forever: every `interval` seconds, send the tasks' usage (a report with no task is skipped)."""
    while True:
        await asyncio.sleep(interval)
        try:
            report = stats_report(sampler.sample())
        except Exception:  # a bug here must not take the agent down: metrics are not essential
            log.exception("task_stats_failed")
            continue
        if report.tasks:
            send(report)
