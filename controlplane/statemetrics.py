"""Control plane metrics over the cluster state, computed when Prometheus scrapes, and the hooks
that count task transitions, placement failures and failed deployments.

Nothing here keeps books: `StateCollector` reads the watch-fed `State` (tasks by cluster and
lastStatus; services' desired, running and pending counts; deployments by rolloutState; container
instances; service utilisation) at scrape time. Every replica mirrors the same state, so only the
leader reports these gauges (`berth_controlplane_leader` tells which replica that is) and a sum over
all replicas' series counts each task once; a replica that does not lead (or runs with
`--no-controllers`) reports only its own figures (`berth_agent_sessions`, the counters of
`controlplane.metrics`). The collector goes into a registry of its own per `ControlPlane` (tests
run several in one process); /metrics serves the process-wide registry followed by that one.

The family builders are pure functions of plain state values, tested without etcd.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from berth import taskstatus
from berth.v1 import types_pb2
from controlplane import metrics
from controlplane.state.cluster_state import State, instance_id, registered_int
from controlplane.utilization import ServiceUsage, UtilizationStore

MIB = 1024 * 1024
LIVE_SERVICES = ("ACTIVE", "DRAINING")


@dataclass(frozen=True)
class InstanceRow:
    """What the gauges say about one container instance."""

    cluster: str
    arn: str
    name: str
    status: str
    connected: bool
    registered_cpu: int  # CPU units
    remaining_cpu: int
    registered_memory: int  # MiB
    remaining_memory: int
    running_tasks: int


def cluster_of_key(key: str) -> str:
    """The cluster of a cluster-scoped key (`tasks/<cluster>/<id>`)."""
    return key.split("/", 2)[1]


def task_families(tasks: Iterable[tuple[str, types_pb2.Task]]) -> list[Metric]:
    """berth_tasks{cluster, last_status} from (cluster, task) pairs."""
    counts = Counter((cluster, t.last_status or "UNKNOWN") for cluster, t in tasks)
    family = GaugeMetricFamily(
        "berth_tasks", "Tasks in etcd, by cluster and lastStatus.", labels=["cluster", "last_status"]
    )
    for (cluster, status), n in sorted(counts.items()):
        family.add_metric([cluster, status], n)
    return [family]


def service_families(services: Iterable[tuple[str, types_pb2.Service]]) -> list[Metric]:
    """Desired/running/pending counts and deployments by rolloutState of ACTIVE and DRAINING services."""
    labels = ["cluster", "service"]
    desired = GaugeMetricFamily("berth_service_desired_tasks", "A service's desiredCount.", labels=labels)
    running = GaugeMetricFamily(
        "berth_service_running_tasks", "A service's runningCount (tasks RUNNING).", labels=labels
    )
    pending = GaugeMetricFamily(
        "berth_service_pending_tasks", "A service's pendingCount (tasks not yet RUNNING).", labels=labels
    )
    deployments = GaugeMetricFamily(
        "berth_service_deployments",
        "A service's deployments, by rolloutState (IN_PROGRESS, COMPLETED, FAILED).",
        labels=[*labels, "rollout_state"],
    )
    for cluster, s in services:
        if s.status not in LIVE_SERVICES:
            continue
        key = [cluster, s.service_name]
        desired.add_metric(key, s.desired_count)
        running.add_metric(key, s.running_count)
        pending.add_metric(key, s.pending_count)
        states = Counter(d.rollout_state or "UNKNOWN" for d in s.deployments)
        for state, n in sorted(states.items()):
            deployments.add_metric([*key, state], n)
    return [desired, running, pending, deployments]


def instance_families(rows: Iterable[InstanceRow]) -> list[Metric]:
    labels = ["cluster", "container_instance_arn", "name", "status"]
    connected = GaugeMetricFamily(
        "berth_container_instance_agent_connected",
        "1 while the instance's agent holds a session (agentConnected), else 0.",
        labels=labels,
    )
    short = labels[:3]
    reg_cpu = GaugeMetricFamily(
        "berth_container_instance_registered_cpu_cores", "CPU the instance offers, cores.", labels=short
    )
    rem_cpu = GaugeMetricFamily(
        "berth_container_instance_remaining_cpu_cores",
        "CPU of the instance not reserved by tasks, cores.",
        labels=short,
    )
    reg_mem = GaugeMetricFamily(
        "berth_container_instance_registered_memory_bytes", "Memory the instance offers.", labels=short
    )
    rem_mem = GaugeMetricFamily(
        "berth_container_instance_remaining_memory_bytes",
        "Memory of the instance not reserved by tasks.",
        labels=short,
    )
    running = GaugeMetricFamily(
        "berth_container_instance_running_tasks", "Tasks RUNNING on the instance.", labels=short
    )
    for r in rows:
        base = [r.cluster, r.arn, r.name]
        connected.add_metric([*base, r.status], 1 if r.connected else 0)
        reg_cpu.add_metric(base, r.registered_cpu / 1024)
        rem_cpu.add_metric(base, r.remaining_cpu / 1024)
        reg_mem.add_metric(base, r.registered_memory * MIB)
        rem_mem.add_metric(base, r.remaining_memory * MIB)
        running.add_metric(base, r.running_tasks)
    return [connected, reg_cpu, rem_cpu, reg_mem, rem_mem, running]


def utilization_families(usage: Mapping[tuple[str, str], ServiceUsage]) -> list[Metric]:
    labels = ["cluster", "service"]
    cpu = GaugeMetricFamily(
        "berth_service_cpu_utilization_percent",
        "CPU used by a service's running tasks, percent of the CPU they reserve (ECS CPUUtilization).",
        labels=labels,
    )
    memory = GaugeMetricFamily(
        "berth_service_memory_utilization_percent",
        "Memory used by a service's running tasks, percent of the memory they reserve "
        "(ECS MemoryUtilization).",
        labels=labels,
    )
    sampled = GaugeMetricFamily(
        "berth_service_sampled_tasks",
        "Running tasks of a service with a recent usage sample (what the utilisation covers).",
        labels=labels,
    )
    for (cluster, service), u in sorted(usage.items()):
        if u.cpu_percent is not None:
            cpu.add_metric([cluster, service], u.cpu_percent)
        if u.memory_percent is not None:
            memory.add_metric([cluster, service], u.memory_percent)
        sampled.add_metric([cluster, service], u.task_count)
    return [cpu, memory, sampled]


def instance_rows(state: State) -> list[InstanceRow]:
    rows = []
    for key, record in list(state.instances.items.items()):
        cluster = cluster_of_key(key)
        instance = record.value
        cpu, memory, _, _ = state.remaining(cluster, instance)
        running = sum(
            1 for t in state.instance_tasks(instance.container_instance_arn) if t.last_status == "RUNNING"
        )
        rows.append(
            InstanceRow(
                cluster=cluster,
                arn=instance.container_instance_arn,
                name=instance.ec2_instance_id,
                status=instance.status,
                connected=state.connected(cluster, instance_id(instance.container_instance_arn)),
                registered_cpu=registered_int(instance, "CPU"),
                remaining_cpu=cpu,
                registered_memory=registered_int(instance, "MEMORY"),
                remaining_memory=memory,
                running_tasks=running,
            )
        )
    return rows


class StateCollector(Collector):
    """The scrape-time gauges of one control plane replica (see the module docstring)."""

    def __init__(
        self,
        state: State,
        *,
        is_leader: Callable[[], bool],
        sessions: Callable[[], int],
        utilization: UtilizationStore | None = None,
    ) -> None:
        self.state = state
        self.is_leader = is_leader
        self.sessions = sessions
        self.utilization = utilization

    def describe(self) -> Iterable[Metric]:
        return []  # nothing to check at registration: the names are fixed and unique

    def collect(self) -> Iterator[Metric]:
        yield GaugeMetricFamily(
            "berth_agent_sessions", "Agent sessions this replica holds.", value=self.sessions()
        )
        if not self.is_leader():
            return
        tasks = [(cluster_of_key(k), r.value) for k, r in list(self.state.tasks.items.items())]
        services = [(cluster_of_key(k), r.value) for k, r in list(self.state.services.items.items())]
        yield from task_families(tasks)
        yield from service_families(services)
        yield from instance_families(instance_rows(self.state))
        if self.utilization is not None:
            yield from utilization_families(self.utilization.by_service())


# -- hooks called where things happen ------------------------------------------------------------


def observe_task_change(was: str, task: types_pb2.Task) -> None:
    """Count what an applied agent report changed: RUNNING reached (scheduling delay and launch
    phases) and STOPPED reached (stops by stopCode). Called once per applied transition."""
    cluster = task.cluster_arn.rsplit("/", 1)[-1]
    running = taskstatus.rank("RUNNING")
    if taskstatus.rank(was) < running <= taskstatus.rank(task.last_status) and task.started_at:
        delay = max(0.0, task.started_at - task.created_at) if task.created_at else 0.0
        metrics.SCHEDULING_DELAY.labels(cluster).observe(delay)
        timing = task.launch_timing
        if timing.ListFields():
            for phase in metrics.LAUNCH_PHASES:
                metrics.LAUNCH_PHASE.labels(phase).observe(getattr(timing, f"{phase}_seconds"))
        else:
            metrics.LAUNCH_PHASE.labels("total").observe(delay)
    if task.last_status == "STOPPED" and was != "STOPPED":
        metrics.TASK_STOPS.labels(cluster, task.service_name, task.stop_code or "none").inc()


def count_placement_failures(cluster: str, failures: Sequence[types_pb2.Failure]) -> None:
    for failure in failures:
        metrics.PLACEMENT_FAILURES.labels(cluster, failure.reason or "UNKNOWN").inc()


def newly_failed(old: types_pb2.Service | None, new: types_pb2.Service | None) -> int:
    """Deployments of `new` whose rolloutState became FAILED since `old`."""
    if new is None or old is None:  # a service appearing is new, or seen again after a resync
        return 0
    before = {d.id for d in old.deployments if d.rollout_state == "FAILED"}
    return sum(1 for d in new.deployments if d.rollout_state == "FAILED" and d.id not in before)


def count_failed_deployments(state: State, is_leader: Callable[[], bool]) -> Callable[[], None]:
    """Count deployments turning FAILED (on the leader, so each is counted once across replicas).
    Every service's series starts at 0, so `increase()` sees its first failure. Returns the
    function that stops counting."""

    def on_service(key: str, old: types_pb2.Service | None, new: types_pb2.Service | None) -> None:
        cluster = cluster_of_key(key)
        if new is None:
            if old is not None:
                try:
                    metrics.DEPLOYMENTS_FAILED.remove(cluster, old.service_name)
                except KeyError:
                    pass
            return
        counter = metrics.DEPLOYMENTS_FAILED.labels(cluster, new.service_name)
        failed = newly_failed(old, new)
        if failed and is_leader():
            counter.inc(failed)

    for key, record in list(state.services.items.items()):
        metrics.DEPLOYMENTS_FAILED.labels(cluster_of_key(key), record.value.service_name)
    return state.services.subscribe(on_service)
