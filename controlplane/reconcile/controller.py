"""ServiceController: runs on the leader and makes every service what its record says.

Driven by the watch-fed State: a change to a service, to one of its tasks, or to the cluster's
instances or agent liveness marks the service dirty; dirty services are reconciled (bursts
coalesce, like SwarmKit's orchestrators), each one serially, several in parallel. A reconcile
computes a pure plan (`compute_service_plan`) and applies it: stop tasks (CAS on each task),
launch tasks (the Launcher places them and commits with CAS), then write the service record
(deployments, counts, events) with CAS. Time-based changes (settle times, backoff, health grace)
are picked up at the plan's `next_wakeup`, and a slow periodic pass catches anything else.

Load balancers come in through two injected callables (the ELB catalog's, wired by the server):
`drain_seconds(service)` is the deregistration delay of the service's target groups, which the
stops of this controller honour (a RUNNING task goes DEACTIVATING until its targets drained), and
`target_health(task_arn)` the state of a task's target ("initial", "healthy", "unhealthy",
"draining"; None when it is in no target group), which gates the plan's health. The catalog calls
`target_health_changed()` when a target's state changes. Without them: no load balancers.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
import uuid
from collections import Counter
from collections.abc import Sequence

import structlog

from berth import arn as arns
from berth import taskstatus
from berth.errors import BerthError, Conflict
from berth.v1 import types_pb2
from controlplane import metrics
from controlplane.launch import Launcher, LaunchSpec, launch_on_providers
from controlplane.reconcile.service_plan import (
    Launch,
    PlanSettings,
    ServicePlan,
    compute_service_plan,
    record_launch_shortfall,
)
from controlplane.scheduler import (
    SERVICE_DEFAULT_STRATEGIES,
    Constraint,
    Instance,
    Strategy,
    TaskRequest,
    place,
)
from controlplane.scheduler.capacity import capacity_strategy
from controlplane.state.cluster_state import State
from controlplane.store import EtcdStore, Put, Versioned, chunked, keys
from controlplane.taskstate import (
    DrainSeconds,
    TargetHealth,
    drain_for,
    no_drain,
    no_target,
    request_stop,
)

log = structlog.get_logger("berth.services")

MAX_EVENTS = 100
PERIODIC_SECONDS = 15.0
CONCURRENCY = 8
# Tasks one pass over a service launches at most; a bigger launch goes on in the next pass, right
# after the service record shows the progress (and other services had their turn).
LAUNCH_PER_PASS = 1000
# A service whose tasks keep changing (a big launch converging) is planned again at the earliest
# MIN_PASS_SECONDS, or PASS_COST_FACTOR times the time its last plan took, after its last pass (so a
# service of 10,000 tasks does not take the whole event loop); after a change of its cluster's
# instances or agents (a host lost), MIN_PASS_SECONDS; a change of the service itself at once.
MIN_PASS_SECONDS = 0.25
PASS_COST_FACTOR = 10.0
EVENT_TASKS = 10
STOPS_AT_ONCE = 64  # task ids a "has started N tasks" event names


def event(message: str, now: float) -> types_pb2.ServiceEvent:
    return types_pb2.ServiceEvent(id=str(uuid.uuid4()), created_at=now, message=message)


class ServiceController:
    def __init__(
        self,
        store: EtcdStore,
        state: State,
        launcher: Launcher,
        arn_factory: arns.ArnFactory,
        *,
        settings: PlanSettings | None = None,
        rng: random.Random | None = None,
        drain_seconds: DrainSeconds | None = None,
        target_health: TargetHealth | None = None,
    ) -> None:
        self.store = store
        self.state = state
        self.launcher = launcher
        self.arns = arn_factory
        self.settings = settings or PlanSettings()
        self.rng = rng or random.Random()
        self.drain_seconds = drain_seconds or no_drain
        self.target_health = target_health or no_target
        self._dirty: set[str] = set()
        self._urgent: set[str] = set()  # dirty by a change of the service record itself
        self._soon: set[str] = set()  # dirty by a change of its cluster's instances or agents
        self._planned: dict[str, tuple[float, float]] = {}  # monotonic start and duration of each last plan
        self._wakeups: dict[str, float] = {}
        self._wake = asyncio.Event()
        self._task_definitions: dict[str, types_pb2.TaskDefinition] = {}
        self._semaphore = asyncio.Semaphore(CONCURRENCY)

    # -- what makes a service dirty --------------------------------------------------------------

    def _mark(self, key: str) -> None:
        self._dirty.add(key)
        self._wake.set()

    def _mark_cluster(self, cluster: str) -> None:
        prefix = keys.services_of(cluster)
        for key in self.state.services.items:
            if key.startswith(prefix):
                self._dirty.add(key)
                self._soon.add(key)
        self._wake.set()

    def _on_service(self, key: str, old: object, new: object) -> None:
        self._urgent.add(key)
        self._mark(key)

    def _on_task(self, key: str, old: types_pb2.Task | None, new: types_pb2.Task | None) -> None:
        task = new or old
        if task is not None and task.service_name:
            self._mark(keys.service(key.split("/", 2)[1], task.service_name))

    def _on_cluster_change(self, key: str, old: object, new: object) -> None:
        self._mark_cluster(key.split("/", 2)[1])

    def target_health_changed(self, cluster: str, service_name: str) -> None:
        """A target of the service changed state (the ELB catalog says so): plan it again."""
        self._mark(keys.service(cluster, service_name))

    # -- the loop --------------------------------------------------------------------------------

    async def run(self) -> None:
        unsubscribe = [
            self.state.services.subscribe(self._on_service),
            self.state.tasks.subscribe(self._on_task),
            self.state.instances.subscribe(self._on_cluster_change),
            self.state.liveness.subscribe(self._on_cluster_change),
        ]
        try:
            self._dirty.update(self.state.services.items)
            next_periodic = time.monotonic() + PERIODIC_SECONDS
            while True:
                now = time.time()
                due = [k for k, t in self._wakeups.items() if t <= now]
                for k in due:
                    del self._wakeups[k]
                    self._dirty.add(k)
                if time.monotonic() >= next_periodic:
                    self._dirty.update(self.state.services.items)
                    next_periodic = time.monotonic() + PERIODIC_SECONDS
                if not self._dirty:
                    timeout = min(
                        [t - now for t in self._wakeups.values()] + [next_periodic - time.monotonic()]
                    )
                    self._wake.clear()
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._wake.wait(), max(0.01, timeout))
                    continue
                batch, self._dirty = self._paced(self._dirty), set()
                if not batch:
                    continue
                await asyncio.gather(*(self._limited(k) for k in sorted(batch)))
        finally:
            for u in unsubscribe:
                u()

    def _paced(self, dirty: set[str]) -> set[str]:
        """The dirty services to plan now: those changed themselves or not planned for
        MIN_PASS_SECONDS; the others wait (as wakeups) until that much time has passed."""
        now, clock = time.time(), time.monotonic()
        ready = set()
        for key in dirty:
            started, took = self._planned.get(key, (-MIN_PASS_SECONDS, 0.0))
            pause = MIN_PASS_SECONDS if key in self._soon else max(MIN_PASS_SECONDS, PASS_COST_FACTOR * took)
            wait = started + pause - clock
            if key in self._urgent or wait <= 0:
                ready.add(key)
            else:
                self._wakeups[key] = min(self._wakeups.get(key, now + wait), now + wait)
        self._urgent -= ready
        self._soon -= ready
        return ready

    async def _limited(self, key: str) -> None:
        async with self._semaphore:
            await self.reconcile(key)

    async def reconcile(self, key: str) -> ServicePlan | None:
        """One pass over one service; errors are logged and the service retried shortly."""
        try:
            return await self._reconcile(key)
        except (Conflict, BerthError) as e:
            log.info("service_reconcile_retry", service=key, error=str(e))
            self._wakeups[key] = time.time() + 0.5
        except Exception:
            log.exception("service_reconcile_failed", service=key)
            self._wakeups[key] = time.time() + 2.0
        return None

    async def _reconcile(self, key: str) -> ServicePlan | None:
        record = self.state.services.items.get(key)
        if record is None or record.value.status == "INACTIVE":
            return None
        service = record.value
        cluster = key.split("/", 2)[1]
        now = time.time()
        planning = time.monotonic()
        tasks = self.state.service_tasks(cluster, service.service_name)
        views = self.state.instance_views(cluster)
        targets = (
            await self._daemon_targets(cluster, service, views, tasks)
            if service.scheduling_strategy == "DAEMON"
            else frozenset()
        )
        health_checked = {
            d.task_definition for d in service.deployments if await self._has_health_check(d.task_definition)
        }
        target_health = self._target_health(tasks)
        plan = compute_service_plan(
            service,
            tasks,
            views,
            targets,
            now,
            self.settings,
            self.rng,
            arns.new_deployment_id,
            health_checked=health_checked,
            target_health=target_health,
        )
        took = time.monotonic() - planning  # CPU-bound: the next pass waits a multiple of it
        metrics.SERVICE_PLAN.labels(cluster).observe(took)
        self._planned[key] = (planning, took)
        new_events = [event(m, now) for m in plan.events]
        # Stops are independent CAS writes: many at once (a lost host's tasks, a scale-in).
        drain = drain_for(self.drain_seconds, service) if plan.stops else 0.0
        draining = 0
        for part in chunked(plan.stops, STOPS_AT_ONCE):
            done = await asyncio.gather(
                *(self._stop(cluster, stop.task_arn, stop.reason, drain) for stop in part)
            )
            draining += sum(done)
        if draining:
            new_events.append(
                event(
                    f"(service {service.service_name}) has begun draining connections on {draining} tasks.",
                    now,
                )
            )
        updated = types_pb2.Service()
        updated.CopyFrom(plan.service)
        for launch in plan.launches:
            new_events.extend(await self._launch(cluster, record, updated, launch, now))
        if plan.next_wakeup is not None:
            self._wakeups[key] = min(plan.next_wakeup, self._wakeups.get(key, plan.next_wakeup))
        if new_events:
            merged = list(reversed(new_events)) + list(updated.events)
            del updated.events[:]
            updated.events.extend(merged[:MAX_EVENTS])
        if updated != service:
            try:
                revision = await self.store.commit(Put(key, updated, record.mod_revision))
                self.state.note_commit([Put(key, updated, record.mod_revision)], revision)
                self._urgent.discard(key)  # our own write: planned again, but paced
            except Conflict:
                self._mark(key)  # the user changed it meanwhile: plan again
        return plan

    def _target_health(self, tasks: Sequence[types_pb2.Task]) -> dict[str, str]:
        """The target state of each of the service's tasks that is a load balancer target."""
        if self.target_health is no_target:
            return {}
        out: dict[str, str] = {}
        for task in tasks:
            if task.last_status == "STOPPED":
                continue
            try:
                state = self.target_health(task.task_arn)
            except Exception:
                # The catalog's bug must not crash the controller; meanwhile the task neither counts
                # healthy (a deployment would stop old targets too early) nor gets replaced.
                log.exception("target_health_failed", task=task.task_arn)
                state = "initial"
            if state is not None:
                out[task.task_arn] = state
        return out

    async def _stop(self, cluster: str, task_arn: str, reason: str, drain: float = 0.0) -> bool:
        """Ask for a task to stop; True when it went DEACTIVATING (its targets drain first)."""
        key = keys.task(cluster, task_arn.rsplit("/", 1)[-1])
        for attempt in range(10):
            record = await self.state.editable(self.state.tasks, key, fresh=attempt > 0)
            if record is None:
                return False
            task = record.value
            if not request_stop(
                task,
                stop_code=taskstatus.SERVICE_SCHEDULER_INITIATED,
                reason=reason,
                now=time.time(),
                drain_seconds=drain,
            ):
                return False
            try:
                op = Put(key, task, record.mod_revision)
                self.state.note_commit([op], await self.store.commit_grouped(op))
                return task.last_status == "DEACTIVATING"
            except Conflict:
                continue
        return False

    async def _task_definition(self, td_arn: str) -> types_pb2.TaskDefinition:
        td = self._task_definitions.get(td_arn)
        if td is None:
            family, revision = arns.task_definition_ref(td_arn)
            record = await self.store.get(
                keys.task_definition(family, revision or 0), types_pb2.TaskDefinition
            )
            if record is None:
                raise Conflict(f"task definition {td_arn} is gone")
            td = self._task_definitions[td_arn] = record.value
        return td

    async def _has_health_check(self, td_arn: str) -> bool:
        td = await self._task_definition(td_arn)
        return any(
            c.HasField("health_check") and c.health_check.command
            for c in td.container_definitions
            if not c.HasField("essential") or c.essential
        )

    async def _launch(
        self,
        cluster: str,
        record: Versioned[types_pb2.Service],
        service: types_pb2.Service,
        launch: Launch,
        now: float,
    ) -> list[types_pb2.ServiceEvent]:
        """Launch what the plan asks; returns the events. `service` (the record to write) gets the
        launched count, and its pending counts are corrected when placement came up short."""
        deployment = next((d for d in service.deployments if d.id == launch.deployment_id), None)
        if deployment is None:
            return []
        cluster_record = await self.store.get(keys.cluster(cluster), types_pb2.Cluster)
        if cluster_record is None or cluster_record.value.status != "ACTIVE":
            return []
        td = await self._task_definition(deployment.task_definition)
        name = service.service_name
        count = min(launch.count, LAUNCH_PER_PASS)
        if count < launch.count:
            self._wakeups[record.key] = now  # the rest in the next pass
        spec = LaunchSpec(
            cluster=cluster_record,
            task_definition=td,
            count=count,
            group=f"service:{name}",
            started_by=deployment.id,
            launch_type=service.launch_type or "EC2",
            service_name=name,
            enable_execute_command=service.enable_execute_command,
            constraints=[Constraint(c.type, c.expression) for c in service.placement_constraints],
            strategies=[Strategy(s.type, s.field) for s in service.placement_strategy]
            or list(SERVICE_DEFAULT_STRATEGIES),
            instance_ids=list(launch.instance_ids[:count]) if launch.instance_ids else None,
        )
        if service.propagate_tags == "SERVICE":
            spec.tags = list(service.tags)
        items = capacity_strategy(
            service.launch_type, service.capacity_provider_strategy, cluster_record.value
        )
        if items:
            held = Counter(
                t.capacity_provider_name
                for t in self.state.service_tasks(cluster, name)
                if t.desired_status == "RUNNING" and t.last_status != "STOPPED"
            )
            result = await launch_on_providers(self.launcher, spec, items, held, now)
        else:
            result = await self.launcher.launch(spec, now)
        deployment.launched_tasks += len(result.tasks)
        if len(result.tasks) < launch.count:
            service.CopyFrom(
                record_launch_shortfall(service, deployment.id, launch.count - len(result.tasks))
            )
        out = []
        if result.tasks:
            started = " ".join(f"(task {t.task_arn.rsplit('/', 1)[-1]})" for t in result.tasks[:EVENT_TASKS])
            out.append(event(f"(service {name}) has started {len(result.tasks)} tasks: {started}.", now))
        if result.failures:
            failure = result.failures[0]
            detail = (
                failure.detail if failure.detail.startswith("The closest") else f"Reason: {failure.detail}"
            )
            message = (
                f"(service {name}) was unable to place a task because no container instance met all of "
                f"its requirements. {detail}"
            )
            if not service.events or service.events[0].message != message:
                out.append(event(message, now))
            self._wakeups[record.key] = now + 5.0  # capacity may come back; look again soon
        return out

    async def _daemon_targets(
        self,
        cluster: str,
        service: types_pb2.Service,
        views: Sequence[Instance],
        tasks: Sequence[types_pb2.Task],
    ) -> frozenset[str]:
        """Instances that should run the daemon: ACTIVE, connected, passing its constraints, with room
        (an instance already running it has room by definition)."""
        primary = next((d for d in service.deployments if d.status == "PRIMARY"), None)
        if primary is None:
            return frozenset()
        td = await self._task_definition(primary.task_definition)
        request = self.launcher.request(
            LaunchSpec(
                cluster=Versioned("", types_pb2.Cluster(), 0, 0),
                task_definition=td,
                count=1,
                group=f"service:{service.service_name}",
                constraints=[Constraint(c.type, c.expression) for c in service.placement_constraints],
            )
        )
        running_on = {
            t.container_instance_arn
            for t in tasks
            if t.desired_status == "RUNNING" and t.last_status != "STOPPED"
        }
        targets = set()
        for view in views:
            if view.status != "ACTIVE" or not view.agent_connected:
                continue
            if view.arn in running_on or place(_without_group(request), [view], 1, self.rng).chosen:
                targets.add(view.id)
        return frozenset(targets)


def _without_group(request: TaskRequest) -> TaskRequest:
    """A daemon's own copies never block it (distinctInstance is implied by one per instance)."""
    return TaskRequest(
        cpu=request.cpu,
        memory=request.memory,
        ports_tcp=request.ports_tcp,
        ports_udp=request.ports_udp,
        group="",
        constraints=request.constraints,
        requires_attributes=request.requires_attributes,
    )
