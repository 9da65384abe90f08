"""Launching tasks: placement (pure, `controlplane.scheduler`) plus the CAS commit of its decision.

RunTask, StartTask and the service controller all come here. One launch reads the cluster's
instances from the watch-fed `State`, places every copy, and writes the new task records together
with the instances' allocation records in transactions whose compares pin each touched
allocation, each chosen instance record and the cluster record. etcd limits a transaction to
`MAX_TXN_OPS` ops, so a big launch (a service of hundreds of tasks) commits in batches, each placed
on the state the batches before it left. A concurrent launch (in this
replica or another) that booked the same instance makes the transaction fail; we then catch up
with etcd and place again, so an instance is never overcommitted. Launches in one replica queue
per cluster, so they do not spin on each other.
"""

from __future__ import annotations

import asyncio
import random
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace

import structlog

from berth import arn as arns
from berth.errors import Conflict, FailedPrecondition
from berth.v1 import store_pb2, types_pb2
from controlplane.scheduler import (
    Constraint,
    Instance,
    Placement,
    PlacementFailure,
    Strategy,
    TaskRequest,
    booked,
    place,
)
from controlplane.scheduler.capacity import ProviderItem, assign, is_pool
from controlplane.state.cluster_state import State, instance_id
from controlplane.statemetrics import count_placement_failures
from controlplane.store import MAX_TXN_OPS, Check, EtcdStore, Put, Versioned, keys
from controlplane.taskstate import reservation_for

log = structlog.get_logger("berth.launch")

_ATTEMPTS = 30
# Room left for a launch's extra ops (RunTask's clientToken record is one Put).
_EXTRA_OPS_ALLOWANCE = 8
# Transactions of one launch on disjoint instances in flight at once.
_WAVE_WIDTH = 4


def launch_ops(tasks: int, instances: int) -> int:
    """The ops of a launch transaction without its extra ops: the cluster check, a Put per task,
    and a Check of the instance plus a Put of its allocation per instance."""
    return 1 + tasks + 2 * instances


def batches(chosen: Sequence[str], budget: int) -> list[list[str]]:
    """Split a placement (`chosen`: one instance id per task) into transactions of at most `budget`
    ops. Tasks are grouped by instance, as an instance costs its Check and allocation Put once
    per transaction (2 + its tasks), and whole instances are packed together; an instance with
    more tasks than one transaction holds is split over several."""
    per_instance: dict[str, int] = {}
    for ident in chosen:
        per_instance[ident] = per_instance.get(ident, 0) + 1
    out: list[list[str]] = []
    current: list[str] = []
    used = 0
    for ident, n in per_instance.items():
        while n:
            room = budget - used - 2
            if room <= 0 or (room < n and current and n <= budget - 2):
                out.append(current)  # start a new one rather than split this instance
                current, used = [], 0
                continue
            take = min(n, room)
            current.extend([ident] * take)
            used += 2 + take
            n -= take
    if current:
        out.append(current)
    return out


def waves(parts: Sequence[Sequence[str]], width: int) -> list[list[int]]:
    """Group consecutive transactions (indexes into `parts`) that touch disjoint instances, at most
    `width` to a group: those of a group can commit at the same time."""
    out: list[list[int]] = []
    seen: set[str] = set()
    for n, part in enumerate(parts):
        idents = set(part)
        if not out or len(out[-1]) >= width or idents & seen:
            out.append([])
            seen = set()
        out[-1].append(n)
        seen |= idents
    return out


@dataclass
class LaunchSpec:
    cluster: Versioned[types_pb2.Cluster]
    task_definition: types_pb2.TaskDefinition
    count: int
    overrides: types_pb2.TaskOverride = field(default_factory=types_pb2.TaskOverride)
    group: str = ""
    started_by: str = ""
    tags: Sequence[types_pb2.Tag] = ()
    launch_type: str = "EC2"
    constraints: Sequence[Constraint] = ()
    strategies: Sequence[Strategy] = ()
    service_name: str = ""
    enable_execute_command: bool = False
    instance_ids: Sequence[str] | None = None  # StartTask: exactly these instances, one task each
    # Where the instances come from: the task's own cluster, or a hidden pool ("@fargate").
    capacity: str = ""
    capacity_provider: str = ""
    # More writes for the same transaction, given the new tasks (RunTask's clientToken record).
    extra_ops: Callable[[list[types_pb2.Task]], Sequence[Put | Check]] | None = None


@dataclass
class LaunchResult:
    tasks: list[types_pb2.Task]
    failures: list[types_pb2.Failure]
    revision: int = 0


# Launches of one cluster placed and committed together at most.
_GROUP = 32


@dataclass(eq=False)
class _Job:
    """A launch waiting for, or going through, its capacity's worker."""

    spec: LaunchSpec
    now: float
    request: TaskRequest
    reservation: types_pb2.Reservation
    launched: list[types_pb2.Task] = field(default_factory=list)
    revision: int = 0
    done: asyncio.Future[LaunchResult] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )
    # StartTask: the named instances that have no task of this launch yet.
    instance_ids: list[str] | None = field(init=False)

    def __post_init__(self) -> None:
        self.instance_ids = list(self.spec.instance_ids) if self.spec.instance_ids is not None else None

    @property
    def alone(self) -> bool:
        return self.spec.extra_ops is not None or self.spec.instance_ids is not None


def _consume(done: asyncio.Future[LaunchResult]) -> None:
    if not done.cancelled():
        done.exception()


def _next_group(queue: list[_Job]) -> list[_Job]:
    """Take the next launches to place together off `queue`: the first one, and when it may go
    with others, the queued launches into the same cluster that may too (at most `_GROUP`)."""
    first = queue[0]
    group = [first]
    if not first.alone:
        key = first.spec.cluster.key
        group += [j for j in queue[1:] if not j.alone and j.spec.cluster.key == key][: _GROUP - 1]
    taken = set(map(id, group))
    queue[:] = [j for j in queue if id(j) not in taken]
    return group


class Launcher:
    def __init__(
        self, store: EtcdStore, state: State, arn_factory: arns.ArnFactory, rng: random.Random | None = None
    ) -> None:
        self.store = store
        self.state = state
        self.arns = arn_factory
        self.rng = rng or random.Random()
        self._queues: defaultdict[str, list[_Job]] = defaultdict(list)  # per capacity
        self._workers: dict[str, asyncio.Task[None]] = {}

    def request(self, spec: LaunchSpec) -> TaskRequest:
        r = reservation_for(spec.task_definition, spec.overrides)
        constraints = [
            *spec.constraints,
            *(Constraint(c.type, c.expression) for c in spec.task_definition.placement_constraints),
        ]
        return TaskRequest(
            cpu=r.cpu,
            memory=r.memory,
            ports_tcp=frozenset(r.ports_tcp),
            ports_udp=frozenset(r.ports_udp),
            group=spec.group,
            constraints=constraints,
            strategies=list(spec.strategies),
            requires_attributes={a.name: (a.value or None) for a in spec.task_definition.requires_attributes},
        )

    async def launch(self, spec: LaunchSpec, now: float) -> LaunchResult:
        """Place and commit `spec.count` tasks, in as many transactions as etcd's op limit needs.

        Launches onto one capacity queue in this replica; one worker takes them in turn and
        places several queued launches of the same cluster in one go, each on the state the one
        before it left, committing their tasks together (`_run`). A launch with extra ops
        (RunTask's clientToken record) or on named instances (StartTask) goes alone.
        """
        capacity = spec.capacity or spec.cluster.value.cluster_name
        # RunTask's clientToken record (extra_ops) must commit with its tasks: such launches are
        # small (<= 10 tasks) and go in one transaction. StartTask's (<= 10) fit one anyway.
        if (
            spec.extra_ops is not None
            and launch_ops(spec.count, spec.count) + _EXTRA_OPS_ALLOWANCE > MAX_TXN_OPS
        ):
            raise ValueError(f"a launch of {spec.count} tasks with extra ops does not fit one transaction")
        job = _Job(spec, now, self.request(spec), reservation_for(spec.task_definition, spec.overrides))
        queue = self._queues[capacity]
        queue.append(job)
        if capacity not in self._workers:
            self._workers[capacity] = asyncio.get_running_loop().create_task(self._work(capacity))
        try:
            return await asyncio.shield(job.done)
        except asyncio.CancelledError:
            if job in queue:
                queue.remove(job)  # never started
            else:  # going through: its outcome arrives unheard
                job.done.add_done_callback(_consume)
            raise

    async def _work(self, capacity: str) -> None:
        queue = self._queues[capacity]
        group: list[_Job] = []
        try:
            while queue:
                group = _next_group(queue)
                try:
                    await self._run(capacity, group)
                except Exception as e:  # what did commit is on the jobs; they all get the error
                    for job in group:
                        if not job.done.done():
                            job.done.set_exception(e)
        except BaseException:
            for job in [*group, *queue]:
                job.done.cancel()
            queue.clear()
            raise
        finally:
            del self._workers[capacity]

    async def _run(self, capacity: str, jobs: list[_Job]) -> None:
        """Place and commit `jobs` (launches into one cluster): each ends with its result.

        Every copy is placed once; the placement then commits in transactions of whole
        instances (`batches`), each CAS-guarded on its own, several at once when they touch
        different instances (`waves`; an instance split over two commits them in turn, its
        allocation read from the state the first left). A lost race re-places only what is not
        committed yet. Tasks of batches already committed stay launched when a later batch
        cannot place; the failures say why the rest did not.
        """
        spec = jobs[0].spec
        cluster = spec.cluster.value.cluster_name
        atomic = spec.extra_ops is not None  # such a job goes alone (`_next_group`)
        attempt = 0
        while True:  # one placement, committed batch by batch; again after a lost race
            views = self.state.instance_views(capacity)
            arns_by_id = {v.id: v.arn for v in views}
            placements: list[Placement] = []
            owners: defaultdict[str, list[_Job]] = defaultdict(list)  # instance id -> a job per copy
            for job in jobs:
                if job.instance_ids is not None:
                    placement = self._place_on(job.request, views, job.instance_ids)
                else:
                    placement = place(job.request, views, job.spec.count - len(job.launched), self.rng)
                if len(jobs) > 1:
                    views = booked(views, job.request, placement.chosen)
                placements.append(placement)
                for ident in placement.chosen:
                    owners[ident].append(job)
            chosen = [ident for ident, owned in owners.items() for _ in owned]
            parts = [chosen] if atomic else batches(chosen, MAX_TXN_OPS - 1)
            # Which job each copy of each part belongs to, in order.
            taken = {ident: iter(owned) for ident, owned in owners.items()}
            part_jobs = [[next(taken[ident]) for ident in part] for part in parts]
            lost = False
            for wave in waves(parts, _WAVE_WIDTH):
                written = await asyncio.gather(
                    *(
                        self._commit_part(spec, cluster, capacity, parts[n], part_jobs[n], arns_by_id)
                        for n in wave
                    ),
                    return_exceptions=True,
                )
                for outcome in written:
                    if isinstance(outcome, Conflict):
                        lost = True
                    elif not isinstance(outcome, BaseException):
                        for job, task, revision in outcome:
                            job.launched.append(task)
                            job.revision = max(job.revision, revision)
                            if job.instance_ids is not None:
                                placed = instance_id(task.container_instance_arn)
                                job.instance_ids = [i for i in job.instance_ids if i != placed]
                errors = [e for e in written if isinstance(e, BaseException) and not isinstance(e, Conflict)]
                if errors:  # after what did commit is counted
                    raise errors[0]
                if lost:
                    break
            if not lost:  # all committed: what did not place, failed
                for job, placement in zip(jobs, placements, strict=True):
                    failures = [self._failure(job.spec, f) for f in placement.failures]
                    count_placement_failures(cluster, failures)
                    job.done.set_result(LaunchResult(job.launched, failures, job.revision))
                return
            attempt += 1
            if attempt >= _ATTEMPTS:
                raise Conflict(f"cluster {cluster!r} is too busy to place tasks right now; retry")
            if attempt % 10 == 0:
                log.info("launch_contended", cluster=cluster, attempt=attempt)
            fresh = await self._refresh(spec)
            for job in jobs:
                job.spec.cluster = fresh
            await asyncio.sleep(self.rng.uniform(0, 0.002 * min(attempt + 1, 10)))

    async def _commit_part(
        self,
        spec: LaunchSpec,
        cluster: str,
        capacity: str,
        chosen: Sequence[str],
        owners: Sequence[_Job],
        arns_by_id: Mapping[str, str],
    ) -> list[tuple[_Job, types_pb2.Task, int]]:
        """Commit the tasks placed on `chosen` (of `owners`, copy by copy) in one transaction."""
        tasks = [
            self._new_task(
                job.spec,
                cluster,
                capacity,
                instance_arn=arns_by_id[i],
                now=job.now,
                reservation=job.reservation,
            )
            for i, job in zip(chosen, owners, strict=True)
        ]
        # Nothing placed: nothing to write, but RunTask's clientToken record still is.
        if not tasks and spec.extra_ops is None:
            return []
        ops = self._launch_ops(spec, capacity, tasks)
        revision = await self.store.commit(*ops)
        self.state.note_commit(ops, revision)
        return [(job, task, revision) for job, task in zip(owners, tasks, strict=True)]

    def _launch_ops(self, spec: LaunchSpec, capacity: str, tasks: list[types_pb2.Task]) -> list[Put | Check]:
        """One transaction: the cluster record pinned, extra writes, the tasks, and per instance its
        record pinned and its allocation (CAS on its revision) grown by the tasks placed on it."""
        cluster = spec.cluster.value.cluster_name
        ops: list[Put | Check] = [Check(spec.cluster.key, spec.cluster.mod_revision)]
        if spec.extra_ops is not None:
            ops.extend(spec.extra_ops(tasks))
        by_instance: defaultdict[str, list[types_pb2.Task]] = defaultdict(list)
        for task in tasks:
            by_instance[instance_id(task.container_instance_arn)].append(task)
            ops.append(Put(keys.task(cluster, task.task_arn.rsplit("/", 1)[1]), task, 0))
        for ident, placed in by_instance.items():
            ops.append(self._instance_check(capacity, ident))
            ops.append(self._allocation_put(capacity, ident, placed))
        return ops

    async def _refresh(self, spec: LaunchSpec) -> Versioned[types_pb2.Cluster]:
        """After a lost race: re-read the cluster's state and its record from etcd."""
        await self.state.refresh_cluster(spec.capacity or spec.cluster.value.cluster_name)
        current = await self.store.get(spec.cluster.key, types_pb2.Cluster)
        if current is None or current.value.status != "ACTIVE":
            raise FailedPrecondition(
                f"cluster {spec.cluster.value.cluster_name!r} is no longer ACTIVE",
                ecs_type="ClusterNotFoundException",
            )
        return current

    def _place_on(
        self, request: TaskRequest, views: Sequence[Instance], instance_ids: Sequence[str]
    ) -> Placement:
        """StartTask: one copy on each named instance, which must still pass every filter."""
        chosen: list[str] = []
        failures: list[PlacementFailure] = []
        by_id = {v.id: v for v in views}
        for ident in instance_ids:
            view = by_id.get(ident)
            if view is None:
                failures.append(
                    PlacementFailure(
                        reason="MISSING",
                        closest=f"container instance {ident} is not registered in this cluster",
                    )
                )
                continue
            one = place(request, [view], 1, self.rng)
            chosen.extend(one.chosen)
            failures.extend(one.failures)
        return Placement(chosen, failures)

    def _instance_check(self, cluster: str, ident: str) -> Check:
        record = self.state.instances.items.get(keys.instance(cluster, ident))
        return Check(keys.instance(cluster, ident), record.mod_revision if record else 0)

    def _allocation_put(self, cluster: str, ident: str, tasks: list[types_pb2.Task]) -> Put:
        key = keys.allocation(cluster, ident)
        current = self.state.allocations.items.get(key)
        alloc = store_pb2.InstanceAllocation()
        if current is not None:
            alloc.CopyFrom(current.value)
        for task in tasks:
            alloc.tasks[task.task_arn.rsplit("/", 1)[1]].CopyFrom(task.reservation)
        return Put(key, alloc, current.mod_revision if current else 0)

    def _new_task(
        self,
        spec: LaunchSpec,
        cluster: str,
        capacity: str,
        *,
        instance_arn: str,
        now: float,
        reservation: types_pb2.Reservation,
    ) -> types_pb2.Task:
        td = spec.task_definition
        task_id = arns.new_id()
        task_arn = self.arns.task(cluster, task_id)
        instance = self.state.instances.get(keys.instance(capacity, instance_id(instance_arn)))
        zone = (
            next((a.value for a in instance.attributes if a.name == "ecs.availability-zone"), "")
            if instance
            else ""
        )
        overrides = {o.name: o for o in spec.overrides.container_overrides}
        task = types_pb2.Task(
            task_arn=task_arn,
            cluster_arn=spec.cluster.value.cluster_arn,
            task_definition_arn=td.task_definition_arn,
            container_instance_arn=instance_arn,
            overrides=spec.overrides,
            last_status="PROVISIONING",
            desired_status="RUNNING",
            created_at=now,
            started_by=spec.started_by,
            group=spec.group,
            launch_type=spec.launch_type,
            cpu=spec.overrides.cpu or td.cpu or str(reservation.cpu),
            memory=spec.overrides.memory or td.memory or str(reservation.memory),
            availability_zone=zone,
            tags=spec.tags,
            service_name=spec.service_name,
            reservation=reservation,
            version=1,
            health_status="UNKNOWN",
            capacity_provider_name=spec.capacity_provider,
            enable_execute_command=spec.enable_execute_command,
        )
        if spec.launch_type == "FARGATE":
            task.platform_version, task.platform_family = "1.4.0", "Linux"
        for c in td.container_definitions:
            o = overrides.get(c.name)
            container = task.containers.add(
                container_arn=self.arns.container(cluster, task_id, arns.new_id()),
                task_arn=task_arn,
                name=c.name,
                image=c.image,
                last_status="PENDING",
                health_status="UNKNOWN",
            )
            cpu = o.cpu if o is not None and o.HasField("cpu") else c.cpu
            container.cpu = str(cpu)
            if (o is not None and o.HasField("memory")) or c.HasField("memory"):
                container.memory = str(o.memory if o is not None and o.HasField("memory") else c.memory)
            if (o is not None and o.HasField("memory_reservation")) or c.HasField("memory_reservation"):
                container.memory_reservation = str(
                    o.memory_reservation
                    if o is not None and o.HasField("memory_reservation")
                    else c.memory_reservation
                )
        return task

    @staticmethod
    def _failure(spec: LaunchSpec, failure: PlacementFailure) -> types_pb2.Failure:
        arn = failure.closest_arn or spec.cluster.value.cluster_arn
        return types_pb2.Failure(arn=arn, reason=failure.reason, detail=failure.closest)


POOL_STRATEGIES = (Strategy("spread", "instanceId"),)


def _with_earlier(
    extra: Callable[[list[types_pb2.Task]], Sequence[Put | Check]], earlier: list[types_pb2.Task]
) -> Callable[[list[types_pb2.Task]], Sequence[Put | Check]]:
    return lambda tasks: extra(earlier + tasks)


def for_provider(spec: LaunchSpec, provider: str, count: int) -> LaunchSpec:
    """The spec for `count` tasks on one capacity provider: FARGATE goes to the hidden pool (spread
    over its hosts), any other provider to the cluster's own instances."""
    if is_pool(provider):
        return replace(
            spec,
            count=count,
            capacity=keys.FARGATE_POOL,
            capacity_provider=provider,
            launch_type="FARGATE",
            constraints=(),
            strategies=POOL_STRATEGIES,
        )
    return replace(spec, count=count, capacity="", capacity_provider=provider, launch_type="EC2")


async def launch_on_providers(
    launcher: Launcher,
    spec: LaunchSpec,
    items: Sequence[ProviderItem],
    existing: Mapping[str, int],
    now: float,
) -> LaunchResult:
    """Launch `spec.count` tasks split over a capacity provider strategy (base first, then weight,
    counting the tasks each provider already holds)."""
    per_provider = Counter(assign(items, existing, spec.count))
    result = LaunchResult([], [])
    remember = spec.extra_ops
    for n, (provider, count) in enumerate(per_provider.items()):
        part_spec = for_provider(spec, provider, count)
        # Extra writes (RunTask's clientToken record) go with the last part, naming every task.
        part_spec.extra_ops = None
        if remember is not None and n == len(per_provider) - 1:
            part_spec.extra_ops = _with_earlier(remember, list(result.tasks))
        part = await launcher.launch(part_spec, now)
        result.tasks.extend(part.tasks)
        result.failures.extend(part.failures)
        result.revision = max(result.revision, part.revision)
    return result
