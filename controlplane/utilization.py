"""Service utilisation as ECS reports it to CloudWatch (CPUUtilization, MemoryUtilization).

Agents send the usage of their running tasks every 10 s over their session (`TaskStatsReport`).
A service's CPU utilisation is the CPU its sampled running tasks use (cores x 1024) as a percentage
of the CPU units they reserve, its memory utilisation the memory they use as a percentage of the
MiB they reserve; both can exceed 100 (a task may use more than its soft reservation).

Where the samples live. Any replica may hold an agent's session and any replica may be asked
(GetServiceUtilization, /metrics), so the latest report of each agent is stored in etcd, one key
per container instance (`stats/<cluster>/<instance id>`), and every replica mirrors that prefix.
One key per instance rather than per task keeps the etcd write load at one write per agent per
10 s whatever the number of tasks (100 agents: 10 writes/s, next to etcd's ~1.2 k/s), and no key
ever needs deleting: the key is written on the session's liveness lease, so it vanishes with the
agent's liveness when the agent goes away, and a stopped task simply drops out of the next report.
Replicas sharing samples directly (a fan-out between replicas) would need replica discovery and
would still lose the samples of a replica that dies; etcd already has both answers.

Samples are trusted only for tasks assigned to the reporting instance; the service name and the
reservation come from the task record, not from the agent. A sample older than `max_age`, or of a
task that is no longer RUNNING, does not count.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass

import structlog

from berth.errors import BerthError, Conflict
from berth.v1 import agent_pb2, types_pb2
from controlplane.state.cluster_state import State
from controlplane.state.mirror import Mirror
from controlplane.store import EtcdStore, Put, keys

log = structlog.get_logger("berth.utilization")

MIB = 1024 * 1024
REPORT_INTERVAL = 10.0  # what agents use by default
MAX_AGE = 3 * REPORT_INTERVAL


@dataclass(frozen=True)
class ServiceUsage:
    """One service's utilisation; a percent is None when its sampled tasks reserve none of it."""

    cluster: str
    service: str
    cpu_percent: float | None
    memory_percent: float | None
    task_count: int
    sampled_at: float  # the oldest sample used


def task_cluster(task_arn: str) -> str:
    """The cluster of a task ARN (`...:task/<cluster>/<id>`)."""
    parts = task_arn.rsplit("/", 2)
    return parts[-2] if len(parts) == 3 else ""


def service_utilization(
    samples: Iterable[agent_pb2.TaskStats], *, now: float, max_age: float = MAX_AGE
) -> dict[tuple[str, str], ServiceUsage]:
    """Utilisation per (cluster, service) from task samples (those of standalone tasks are skipped)."""
    sums: dict[tuple[str, str], list[float]] = {}
    for s in samples:
        if not s.service_name or now - s.sampled_at > max_age:
            continue
        acc = sums.setdefault((task_cluster(s.task_arn), s.service_name), [0.0, 0.0, 0.0, 0.0, 0.0, now])
        acc[0] += s.cpu_cores * 1024
        acc[1] += s.reserved_cpu
        acc[2] += s.memory_bytes
        acc[3] += s.reserved_memory * MIB
        acc[4] += 1
        acc[5] = min(acc[5], s.sampled_at)
    return {
        key: ServiceUsage(
            cluster=key[0],
            service=key[1],
            cpu_percent=100.0 * cpu / reserved_cpu if reserved_cpu > 0 else None,
            memory_percent=100.0 * memory / reserved_memory if reserved_memory > 0 else None,
            task_count=int(count),
            sampled_at=oldest,
        )
        for key, (cpu, reserved_cpu, memory, reserved_memory, count, oldest) in sums.items()
    }


def accepted_samples(
    report: agent_pb2.TaskStatsReport,
    instance_arn: str,
    tasks: dict[str, types_pb2.Task],
) -> agent_pb2.TaskStatsReport:
    """The samples of `report` for tasks assigned to `instance_arn` (`tasks`: task ARN -> record),
    with the service name and reservation taken from the task record."""
    out = agent_pb2.TaskStatsReport(sampled_at=report.sampled_at)
    for sample in report.tasks:
        task = tasks.get(sample.task_arn)
        if task is None or task.container_instance_arn != instance_arn:
            continue
        kept = out.tasks.add()
        kept.CopyFrom(sample)
        kept.service_name = task.service_name
        kept.reserved_cpu = task.reservation.cpu
        kept.reserved_memory = task.reservation.memory
        if not kept.sampled_at:
            kept.sampled_at = report.sampled_at
    return out


class UtilizationStore:
    """The latest stats report of every agent: written by the replica holding the agent's session,
    mirrored by every replica."""

    def __init__(
        self, store: EtcdStore, state: State, *, min_interval: float = REPORT_INTERVAL - 1.0
    ) -> None:
        self.store = store
        self.state = state
        self.min_interval = min_interval
        self.reports: Mirror[agent_pb2.TaskStatsReport] = Mirror(store, keys.STATS, agent_pb2.TaskStatsReport)
        self._written: dict[str, float] = {}  # key -> monotonic time of our last write

    async def run(self) -> None:
        await self.reports.run()

    async def record(
        self, cluster: str, ident: str, instance_arn: str, report: agent_pb2.TaskStatsReport, lease: int
    ) -> bool:
        """Store an agent's report (at most one write per `min_interval` per instance). False when
        it was dropped (too soon, or etcd refused it: the next report will do)."""
        key = keys.stats(cluster, ident)
        now = time.monotonic()
        if now - self._written.get(key, float("-inf")) < self.min_interval:
            return False
        self._written[key] = now
        records: dict[str, types_pb2.Task] = {}
        for sample in report.tasks:
            task_id = sample.task_arn.rsplit("/", 1)[-1]
            task = self.state.tasks.get(keys.task(task_cluster(sample.task_arn), task_id))
            if task is not None:
                records[sample.task_arn] = task
        value = accepted_samples(report, instance_arn, records)
        current = self.reports.items.get(key)
        expect = current.mod_revision if current else 0
        try:
            for _ in range(2):
                op = Put(key, value, expect, lease=lease)
                try:
                    revision = await self.store.commit(op)
                except Conflict:  # our mirror lags (another replica held the session): re-read
                    expect = await self.store.revision_of(key)
                    continue
                self.reports.apply_local(key, value, revision)
                return True
        except BerthError as e:  # etcd unreachable, or the lease expired meanwhile
            log.debug("task_stats_not_stored", key=key, error=str(e))
        return False

    def samples(self, now: float | None = None, max_age: float = MAX_AGE) -> list[agent_pb2.TaskStats]:
        """Recent samples of tasks that are RUNNING now."""
        now = time.time() if now is None else now
        out = []
        for report in self.reports.values():
            for sample in report.tasks:
                if now - sample.sampled_at > max_age:
                    continue
                task_id = sample.task_arn.rsplit("/", 1)[-1]
                task = self.state.tasks.get(keys.task(task_cluster(sample.task_arn), task_id))
                if task is not None and task.last_status == "RUNNING":
                    out.append(sample)
        return out

    def by_service(self, now: float | None = None) -> dict[tuple[str, str], ServiceUsage]:
        now = time.time() if now is None else now
        return service_utilization(self.samples(now), now=now)
