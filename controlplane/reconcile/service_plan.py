"""The pure service reconciler: what one service needs started and stopped right now, and its new record.

`compute_service_plan()` looks at one service, every stored task of it (STOPPED ones included), the
cluster's container instances and the clock, and returns a `ServicePlan`: tasks to launch (per
deployment; for DAEMON, on exactly which instances), tasks to stop (with a stoppedReason), the
updated service record and the ECS service event messages of this decision. The service controller
applies it: launches through the scheduler, desiredStatus STOPPED (stopCode ServiceSchedulerInitiated)
on the stops, then the record with compare-and-swap. No I/O, no clock, randomness only from `rng`,
deployment ids only from `new_id`. Applying a plan and planning again at the same `now` gives an
`empty` plan (nothing to launch, stop or say, record unchanged).

Task states, as this module sees them:
- *holding*: not STOPPED and not *lost*: it holds (or will hold) resources on its instance. A task
  desired STOPPED that is still stopping holds too.
- *lost*: not STOPPED, on an instance whose agent is disconnected (the caller says so only after the
  liveness grace). Not live, not healthy, replaced at once, and (REPLICA) stopped, so that its agent,
  if it comes back, stops the stale copy. Until then it does not count against the cap: while an
  agent reconnects, its stale copies may briefly take the service above maximumPercent.
- *live*: holding, desired RUNNING, not yet past RUNNING (a task DEACTIVATING or STOPPING on its own
  will not come back, so it is replaced already). *running* / *pending* (PROVISIONING, PENDING,
  ACTIVATING) split the live ones, as ECS's runningCount and pendingCount do.
- *healthy*: running and either HEALTHY, or without a health check and RUNNING for
  `settle_seconds`. "Without a health check" means: task definition not in `health_checked`; or, when
  the caller passes no such set, task and containers all UNKNOWN (a judgement call the caller can
  avoid: a checked task whose first check has not run yet then counts healthy after the settle time).
- UNHEALTHY is ignored for healthCheckGracePeriodSeconds after startedAt; after that the task is
  stopped ("Task failed container health checks") and thereby replaced.
- Load balancers: `target_health` maps the tasks that are targets of a load balancer to their
  target's state ("initial", "healthy", "unhealthy", "draining"); a task missing from it is in none.
  A target task is healthy only once its target is "healthy" (and, with a container health check,
  its containers are HEALTHY too): no settle time, as with a health check, so a rolling deployment
  stops old tasks (whose targets then drain) only once new targets are healthy. A target
  "unhealthy" past the grace period gets the task stopped ("Task failed ELB health checks"), which
  counts toward the circuit breaker like a failed container health check.
- Draining: a task asked to stop while it is a target goes DEACTIVATING until its deactivate_until
  (the agent then stops it). It is holding but not live: it no longer counts toward desiredCount
  (it is leaving, so it is replaced at once) but keeps its resources and counts against the cap.
  The plan wakes up at its deactivate_until.
- Tasks on instances the caller did not pass (FARGATE pool instances, say) count as connected and
  ACTIVE. Tasks on a DRAINING (or otherwise not ACTIVE) instance are live, and replaced like tasks of
  an old deployment. Tasks whose startedBy names no current deployment count as an old deployment's.

REPLICA (desired D, maximumPercent default 200, minimumHealthyPercent default 100):
- floor = min(D, ceil(D x min / 100)); cap = max(floor(D x max / 100), D, floor + 1) when D > 0.
  Judgement call: ECS deadlocks when no task fits between floor and cap (min = max = 100, or desired
  1 with max 150); berth lets one task surge above maximumPercent instead, since one extra task for a
  while is cheaper than a deployment or a drain that never ends. The cap never falls below D.
- Every holding task counts against the cap, so non-STOPPED tasks never exceed it.
- Launch PRIMARY tasks: min(D - keepers, cap - holding); keepers are the PRIMARY's live tasks on
  ACTIVE instances that this plan does not stop.
- Stop tasks of old deployments, tasks on draining instances (old deployments' first) and surplus
  PRIMARY tasks: those not healthy at once (stopping them costs no healthy task), healthy ones while
  healthy - stopped >= floor, ordered by the inverse of the placement strategy (`choose_to_stop`) so
  what remains stays balanced. Like ECS, old tasks go down to the floor as soon as it allows, not
  only once their replacements are up (start-before-stop whenever maximumPercent leaves room).
- Scale-in (more keepers than D): pending keepers first (newest first), then running ones not healthy
  yet, then healthy ones by `choose_to_stop` (placement strategy's inverse; default
  SERVICE_DEFAULT_STRATEGIES).
- The PRIMARY is COMPLETED (completedAt, service.last_completed = a copy) once it has D healthy
  keepers and no other deployment has a live task. A non-PRIMARY deployment with no live task left
  is INACTIVE (at once, even while its last tasks are still stopping); until then its desiredCount
  follows its live tasks down. The newest `max_inactive_deployments` INACTIVE deployments stay in the
  record and older ones are dropped, so it does not grow with every deploy (ECS hides INACTIVE ones;
  DescribeServices should too, or the ServicesStable waiter never sees one deployment).
- Steady state: exactly one deployment that is not INACTIVE, COMPLETED, and runningCount == D. Said
  on the transition only; steady_since records when (0 when not steady).

DAEMON: one task per instance in `daemon_targets` (the caller's: ACTIVE, connected, constraints met,
room; an instance already running the daemon must stay a target). N = len(targets) plays D's part
(service and PRIMARY desiredCount are set to N); defaults max 100 / min 0. Live tasks on instances
outside the targets (DRAINING ones included) are stopped at once, and so are extra PRIMARY copies on
one instance. A DAEMON task on a disconnected instance is not stopped: nothing replaces it elsewhere,
and stopping it would only restart it when the agent is back; it just stops counting. Launches go to
targets without a live PRIMARY task, empty instances first; an instance where an old copy still
holds gets its new one only from cap room beyond what holding tasks use (with max 100: stop the old
copy, then start the new one there). The floor counts instances with a healthy task, so stopping an
old copy next to a healthy new one is free.

Failures, backoff and the circuit breaker (PRIMARY only):
- A failed task is a STOPPED task that was stopped for failing its health checks, or has stopCode
  TaskFailedToStart, or stopped on its own (stopCode none of ServiceSchedulerInitiated,
  UserInitiated, InfrastructureHealth, SpotInterruption, TerminationNotice) before RUNNING or within
  `settle_seconds` of it. The "within settle_seconds" part is berth's: ECS does not count a container
  that exits right after starting, so such a deployment loops forever there.
- Only failures after the deployment's last_healthy_at count (ECS resetOnHealthyTask). last_healthy_at
  is when its newest healthy task became healthy: startedAt + settle without a health check,
  startedAt with one (the true moment is not recorded: resets come slightly late, never early).
  failed_tasks only grows until a reset, even once stopped tasks are deleted.
- Backoff (no hot loop): failures are grouped in rounds, a failure starting a new round when its task
  was created after the current round's first failure stopped (a burst of tasks failing together is
  one round, not n). After n rounds the PRIMARY launches nothing until the last failure's stoppedAt
  + min(backoff_base x 2^(n-1), backoff_max). From `unstable_event_rounds` rounds on, each newly seen
  failure says "is unable to consistently start tasks successfully".
- Circuit breaker (deploymentCircuitBreaker.enable), IN_PROGRESS PRIMARY only: at
  clamp(ceil(0.5 x D), 3, 200) failed tasks the deployment is FAILED and launches nothing more. With
  rollback and a service.last_completed, a new PRIMARY copied from it is put first in the list (new
  id, rollback_from = the failed id, IN_PROGRESS, service.task_definition restored) and launched in
  the same plan; the failed one becomes ACTIVE and drains. The rollback starts fresh tasks, as ECS
  does: the last completed deployment's tasks are replaced like any old deployment's. A failed
  rollback is not rolled back again (no ping-pong). A COMPLETED PRIMARY never fails: it self-heals
  with backoff.
- A FAILED PRIMARY without rollback launches nothing (ECS). Judgement call: its old deployments'
  tasks are then kept (only what exceeds D goes), since nothing would replace them; draining
  instances are still drained within the floor.

A service that is not ACTIVE (DRAINING after DeleteService with force, or INACTIVE) has every live
task stopped and launches nothing; it becomes INACTIVE, with all its deployments, once none of its
tasks holds resources any more (all STOPPED or lost), not merely once none is desired RUNNING.

Events, in this order, ECS's wording: "(service S) (task T) failed container health checks.",
"(service S) (deployment D) deployment failed: tasks failed to start.", "(service S) rolling back to
deployment D." (D: the last completed deployment, the one restored), "(service S) is unable to
consistently start tasks successfully.", "(service S) has stopped N running tasks: (task T) ...."
(the first 10 listed), "(service S) (deployment D) deployment completed.", "(service S) has reached
a steady state.". Each is tied to a change of the record or to a stop, so a repeated plan says
nothing. "has started N tasks" and "unable to place" are the caller's, after launching.

Record: counts are those after the plan is applied (planned launches count as pending, planned stops
no longer count): that is what makes the second plan empty. If the scheduler places fewer tasks than
asked, `record_launch_shortfall()` corrects the pending counts. launched_tasks is left to the caller
(it knows what was placed). updatedAt is set on every deployment that changed. `next_wakeup` is the
earliest time at which the plan would change with no event at all (a settle time, a health grace
period or a backoff running out).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from random import Random

from berth import taskstatus
from berth.v1 import types_pb2
from controlplane.scheduler import SERVICE_DEFAULT_STRATEGIES, Instance, RunningTask, Strategy, choose_to_stop

__all__ = [
    "ELB_HEALTH_CHECK_REASON",
    "HEALTH_CHECK_REASON",
    "Launch",
    "PlanSettings",
    "ServicePlan",
    "Stop",
    "backoff_delay",
    "circuit_breaker_threshold",
    "compute_service_plan",
    "deployment_limits",
    "is_failed_task",
    "record_launch_shortfall",
]

# Deployment statuses and rollout states (ECS).
PRIMARY, ACTIVE, INACTIVE = "PRIMARY", "ACTIVE", "INACTIVE"
IN_PROGRESS, COMPLETED, FAILED = "IN_PROGRESS", "COMPLETED", "FAILED"
DRAINING = "DRAINING"
DAEMON = "DAEMON"

HEALTH_CHECK_REASON = "Task failed container health checks"
# ECS adds "in (target-group <arn>)"; the plan only knows that some target of the task is unhealthy.
ELB_HEALTH_CHECK_REASON = "Task failed ELB health checks"
CIRCUIT_BREAKER_REASON = "ECS deployment circuit breaker: tasks failed to start."

# Stops somebody asked for: not failures of the task.
_REQUESTED_STOP_CODES = frozenset(
    {
        taskstatus.SERVICE_SCHEDULER_INITIATED,
        taskstatus.USER_INITIATED,
        taskstatus.INFRASTRUCTURE_HEALTH,
        "SpotInterruption",
        "TerminationNotice",
    }
)
_RUNNING_RANK = taskstatus.rank("RUNNING")
_EVALUATED = frozenset({"HEALTHY", "UNHEALTHY"})


# --- inputs and outputs --------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanSettings:
    settle_seconds: float = 10.0  # a task without a health check counts healthy after RUNNING this long
    backoff_base_seconds: float = 2.0
    backoff_max_seconds: float = 900.0
    unstable_event_rounds: int = 3  # failed launch rounds before "unable to consistently start tasks"
    max_inactive_deployments: int = 5  # INACTIVE deployments kept in the record, newest first


@dataclass(frozen=True)
class Launch:
    deployment_id: str
    count: int
    instance_ids: tuple[str, ...] = ()  # DAEMON: one task on each of exactly these instances


@dataclass(frozen=True)
class Stop:
    task_arn: str
    reason: str  # the stoppedReason; the stopCode is ServiceSchedulerInitiated


@dataclass(frozen=True)
class ServicePlan:
    launches: list[Launch]
    stops: list[Stop]
    service: types_pb2.Service  # the record to write (a new message; the input is never modified)
    events: list[str]
    next_wakeup: float | None = None  # plan again at this time even if nothing happens
    changed: bool = False  # `service` differs from the input record

    @property
    def empty(self) -> bool:
        """Nothing to launch, nothing to stop, nothing to say, and the record is unchanged."""
        return not self.launches and not self.stops and not self.events and not self.changed


def deployment_limits(desired: int, maximum_percent: int, minimum_healthy_percent: int) -> tuple[int, int]:
    """(cap, floor): the most tasks that may hold resources, the fewest healthy ones to keep.

    cap never falls below desired, and leaves room for one task above the floor, so a deployment or a
    drain can always make progress (ECS deadlocks when min = max = 100).
    """
    if desired <= 0:
        return 0, 0
    floor = min(desired, math.ceil(desired * minimum_healthy_percent / 100))
    cap = max(desired * maximum_percent // 100, desired, floor + 1)
    return cap, floor


def circuit_breaker_threshold(desired: int) -> int:
    """Failed tasks that fail a deployment: clamp(ceil(0.5 x desired), 3, 200)."""
    return min(max(math.ceil(0.5 * desired), 3), 200)


def backoff_delay(rounds: int, settings: PlanSettings) -> float:
    """Seconds to wait after the last failure when `rounds` launch rounds in a row have failed."""
    if rounds <= 0:
        return 0.0
    if rounds > 64:  # 2**64 x base is past any sensible maximum; avoid huge floats
        return settings.backoff_max_seconds
    return min(settings.backoff_base_seconds * 2.0 ** (rounds - 1), settings.backoff_max_seconds)


def is_failed_task(task: types_pb2.Task, settings: PlanSettings) -> bool:
    """Whether a STOPPED task counts as a failure for the circuit breaker and the launch backoff."""
    if task.last_status != "STOPPED":
        return False
    if task.stopped_reason.startswith((HEALTH_CHECK_REASON, ELB_HEALTH_CHECK_REASON)):
        return True
    if task.stop_code == taskstatus.TASK_FAILED_TO_START:
        return True
    if task.stop_code in _REQUESTED_STOP_CODES:
        return False
    return task.started_at <= 0 or _stop_time(task) - task.started_at < settings.settle_seconds


def record_launch_shortfall(
    service: types_pb2.Service, deployment_id: str, missing: int
) -> types_pb2.Service:
    """A copy of a plan's record for when `missing` of the tasks planned for `deployment_id` could
    not be placed: they no longer count as pending."""
    out = types_pb2.Service()
    out.CopyFrom(service)
    if missing <= 0:
        return out
    for deployment in out.deployments:
        if deployment.id == deployment_id:
            deployment.pending_count = max(0, deployment.pending_count - missing)
    out.pending_count = max(0, out.pending_count - missing)
    return out


# --- the plan ------------------------------------------------------------------------------------


def compute_service_plan(
    service: types_pb2.Service,
    tasks: Sequence[types_pb2.Task],
    instances: Sequence[Instance],
    daemon_targets: frozenset[str],
    now: float,
    settings: PlanSettings,
    rng: Random,
    new_id: Callable[[], str],
    *,
    health_checked: Collection[str] | None = None,
    target_health: Mapping[str, str] | None = None,
) -> ServicePlan:
    """Decide what `service` needs now; see the module docstring for the rules.

    `tasks`: every stored task of the service, STOPPED ones included. `instances`: the cluster's
    container instances. `daemon_targets`: DAEMON only, the ids of the instances that should run a
    task. `health_checked`: task definition ARNs whose essential containers have a health check
    (None: guess from the reported health, see the module docstring). `target_health`: task ARN ->
    the state of its load balancer target, for the tasks that are targets (None: no load balancer).
    """
    return _Planner(
        service,
        tasks,
        instances,
        daemon_targets,
        now,
        settings,
        rng,
        new_id,
        health_checked,
        target_health or {},
    ).plan()


@dataclass(eq=False, slots=True)
class _Task:
    """One task, classified once (fields read from the message once: they are slow to read)."""

    pb: types_pb2.Task
    arn: str
    deployment: str  # startedBy
    instance_id: str
    holding: bool = False
    lost: bool = False
    live: bool = False
    running: bool = False
    pending: bool = False
    healthy: bool = False
    healthy_since: float = 0.0  # when it became healthy (healthy tasks only)
    failed_health: bool = False  # UNHEALTHY past the grace period
    failed_elb: bool = False  # its load balancer target unhealthy past the grace period
    on_draining: bool = False  # on a known instance that is not ACTIVE
    stopping: bool = False  # this plan stops it

    @property
    def short_id(self) -> str:
        return self.pb.task_arn.rsplit("/", 1)[-1]


class _Planner:
    def __init__(
        self,
        service: types_pb2.Service,
        tasks: Sequence[types_pb2.Task],
        instances: Sequence[Instance],
        daemon_targets: frozenset[str],
        now: float,
        settings: PlanSettings,
        rng: Random,
        new_id: Callable[[], str],
        health_checked: Collection[str] | None,
        target_health: Mapping[str, str],
    ) -> None:
        self.original = service
        self.svc = types_pb2.Service()
        self.svc.CopyFrom(service)
        self.name = service.service_name
        self.daemon = service.scheduling_strategy == DAEMON
        self.active = service.status in ("ACTIVE", "")
        self.targets = daemon_targets if self.daemon else frozenset()
        self.instances = instances
        self.now = now
        self.settings = settings
        self.rng = rng
        self.new_id = new_id
        self.health_checked = health_checked
        self.target_health = target_health
        self.grace = float(service.health_check_grace_period_seconds)
        self.by_arn = {instance.arn: instance for instance in instances}
        self.by_id = {instance.id: instance for instance in instances}

        self.launches: list[Launch] = []
        self.stops: list[Stop] = []
        # Events in the order they are told: failures and the breaker, then the stops, then outcomes.
        self.early_events: list[str] = []
        self.late_events: list[str] = []
        self.wakeups: list[float] = []
        seen: set[str] = set()
        self.tasks: list[_Task] = []
        for task in tasks:
            view = self._classify(task)
            if view.arn not in seen:  # defensive: one record per task
                seen.add(view.arn)
                self.tasks.append(view)

    # --- classification ------------------------------------------------------------------------

    def _classify(self, task: types_pb2.Task) -> _Task:
        instance_arn = task.container_instance_arn
        instance = self.by_arn.get(instance_arn)
        if instance is None:
            ident = instance_arn.rsplit("/", 1)[-1]
            instance = self.by_id.get(ident)
        if instance is not None:
            ident = instance.id
        view = _Task(pb=task, arn=task.task_arn, deployment=task.started_by, instance_id=ident)
        last = task.last_status
        if last == "STOPPED":
            return view
        view.on_draining = instance is not None and instance.status != "ACTIVE"
        if instance is not None and not instance.agent_connected:
            view.lost = True
            return view
        view.holding = True
        if last == "DEACTIVATING" and task.deactivate_until > self.now:
            self.wakeups.append(task.deactivate_until)  # its drain ends: the agent stops it
        if task.desired_status != "RUNNING" or taskstatus.rank(last) > _RUNNING_RANK:
            return view
        view.live = True
        if last != "RUNNING":
            view.pending = True
            return view
        view.running = True
        started = task.started_at or task.created_at
        health = task.health_status
        target = self.target_health.get(task.task_arn)
        if health == "UNHEALTHY" or target == "unhealthy":
            if self.now - started < self.grace:
                self.wakeups.append(started + self.grace)
            elif health == "UNHEALTHY":
                view.failed_health = True
            else:
                view.failed_elb = True
        elif target is not None:
            # A target counts healthy once the load balancer says so (and its health check passed).
            if target == "healthy" and (health == "HEALTHY" or not self._health_checked(task)):
                view.healthy, view.healthy_since = True, started
        elif health == "HEALTHY":
            view.healthy, view.healthy_since = True, started
        elif not self._health_checked(task):
            view.healthy_since = started + self.settings.settle_seconds
            if self.now >= view.healthy_since:
                view.healthy = True
            else:
                self.wakeups.append(view.healthy_since)
        return view

    def _health_checked(self, task: types_pb2.Task) -> bool:
        if self.health_checked is not None:
            return task.task_definition_arn in self.health_checked
        if task.health_status in _EVALUATED:
            return True
        return any(c.health_status in _EVALUATED for c in task.containers)

    # --- the decision --------------------------------------------------------------------------

    def plan(self) -> ServicePlan:
        before = {d.id: d.SerializeToString(deterministic=True) for d in self.svc.deployments}
        primary = self._primary()
        desired = self._desired()
        if self.active:
            if self.daemon:
                self.svc.desired_count = desired
            if primary is not None:
                primary.desired_count = desired

        self._stop_unconditionally()
        backoff_until: float | None = None
        if self.active and primary is not None:
            primary, backoff_until = self._failures(primary, desired)
        maximum, minimum = self._percents()
        cap, floor = deployment_limits(desired, maximum, minimum)
        if self.active:
            if self.daemon:
                self._daemon(primary, cap, floor, backoff_until)
            else:
                self._replica(primary, desired, cap, floor, backoff_until)
        self._record(primary, desired, before)

        events = list(self.early_events)
        if self.stops:
            listed = " ".join(f"(task {stop.task_arn.rsplit('/', 1)[-1]})" for stop in self.stops[:10])
            events.append(f"(service {self.name}) has stopped {len(self.stops)} running tasks: {listed}.")
        events.extend(self.late_events)
        future = [w for w in self.wakeups if w > self.now]
        return ServicePlan(
            launches=self.launches,
            stops=self.stops,
            service=self.svc,
            events=events,
            next_wakeup=min(future) if future else None,
            changed=self.svc != self.original,
        )

    def _primary(self) -> types_pb2.Deployment | None:
        """The newest PRIMARY deployment; any older one marked PRIMARY is demoted to ACTIVE."""
        primaries = sorted(
            (d for d in self.svc.deployments if d.status == PRIMARY), key=lambda d: d.created_at, reverse=True
        )
        for extra in primaries[1:]:
            extra.status = ACTIVE
        return primaries[0] if primaries else None

    def _desired(self) -> int:
        if not self.active:
            return 0
        if self.daemon:
            return len(self.targets)
        return max(0, self.svc.desired_count)

    def _percents(self) -> tuple[int, int]:
        config = self.svc.deployment_configuration
        maximum = (
            config.maximum_percent if config.HasField("maximum_percent") else (100 if self.daemon else 200)
        )
        minimum = (
            config.minimum_healthy_percent
            if config.HasField("minimum_healthy_percent")
            else (0 if self.daemon else 100)
        )
        return maximum, minimum

    def _stop(self, task: _Task, reason: str) -> None:
        if task.stopping or task.pb.desired_status == "STOPPED":
            return
        task.stopping = True
        self.stops.append(Stop(task.arn, reason))

    def _stop_unconditionally(self) -> None:
        """Lost tasks, tasks failing health checks, a winding-down service, DAEMON misfits."""
        for task in self.tasks:
            if task.lost and task.pb.desired_status == "RUNNING":
                # A DAEMON copy has no replacement elsewhere: when its agent is back it carries on.
                if not self.daemon or not self.active:
                    self._stop(task, f"Task replaced: container instance {task.instance_id} is disconnected")
            elif not task.live:
                continue
            elif not self.active:
                self._stop(task, f"Service {self.name} is being deleted")
            elif task.failed_health:
                self._stop(task, HEALTH_CHECK_REASON)
                self.early_events.append(
                    f"(service {self.name}) (task {task.short_id}) failed container health checks."
                )
            elif task.failed_elb:
                self._stop(task, ELB_HEALTH_CHECK_REASON)
                self.early_events.append(
                    f"(service {self.name}) (task {task.short_id}) failed ELB health checks."
                )
            elif self.daemon and task.instance_id not in self.targets:
                why = "is DRAINING" if task.on_draining else "is not eligible"
                self._stop(
                    task, f"Container instance {task.instance_id} {why} for daemon service {self.name}"
                )

    # --- failures, backoff, circuit breaker ------------------------------------------------------

    def _failures(
        self, primary: types_pb2.Deployment, desired: int
    ) -> tuple[types_pb2.Deployment, float | None]:
        """Update the PRIMARY's failure bookkeeping; trip the breaker. Returns the (possibly new)
        PRIMARY and, when a launch backoff is running, the time it ends."""
        mine = [t for t in self.tasks if t.deployment == primary.id]
        newest_healthy = max((t.healthy_since for t in mine if t.healthy), default=0.0)
        reset = newest_healthy > primary.last_healthy_at
        if reset:
            primary.last_healthy_at = newest_healthy
        failures = sorted(
            (
                t.pb
                for t in mine
                if is_failed_task(t.pb, self.settings) and _stop_time(t.pb) > primary.last_healthy_at
            ),
            key=_stop_time,
        )
        recorded = primary.failed_tasks
        failed = len(failures) if reset else max(recorded, len(failures))
        primary.failed_tasks = failed
        breaker = self.svc.deployment_configuration.deployment_circuit_breaker
        if (
            breaker.enable
            and primary.rollout_state in (IN_PROGRESS, "")
            and failed >= circuit_breaker_threshold(desired)
        ):
            return self._trip(primary, desired, rollback=breaker.rollback), None
        if primary.rollout_state == FAILED or not failures:
            return primary, None
        rounds = _rounds(failures)
        if failed > recorded and rounds >= self.settings.unstable_event_rounds:
            self.early_events.append(
                f"(service {self.name}) is unable to consistently start tasks successfully."
            )
        until = _stop_time(failures[-1]) + backoff_delay(rounds, self.settings)
        return primary, until if self.now < until else None

    def _trip(self, failed: types_pb2.Deployment, desired: int, *, rollback: bool) -> types_pb2.Deployment:
        failed.rollout_state = FAILED
        failed.rollout_state_reason = CIRCUIT_BREAKER_REASON
        self.early_events.append(
            f"(service {self.name}) (deployment {failed.id}) deployment failed: tasks failed to start."
        )
        target = self.svc.last_completed
        if (
            not rollback
            or not self.svc.HasField("last_completed")
            or failed.rollback_from
            or target.id == failed.id
        ):
            return failed
        new = types_pb2.Deployment()
        new.CopyFrom(target)
        new.id = self.new_id()
        new.status = PRIMARY
        new.desired_count = desired
        new.pending_count = 0
        new.running_count = 0
        new.failed_tasks = 0
        new.created_at = self.now
        new.updated_at = self.now
        new.rollout_state = IN_PROGRESS
        new.rollout_state_reason = (
            f"ECS deployment circuit breaker: rolling back to deploymentId {target.id}."
        )
        new.last_healthy_at = 0
        new.rollback_from = failed.id
        new.completed_at = 0
        new.launched_tasks = 0
        failed.status = ACTIVE
        self.svc.deployments.insert(0, new)  # newest first, as the API (and ECS) list them
        self.svc.task_definition = new.task_definition
        self.early_events.append(f"(service {self.name}) rolling back to deployment {target.id}.")
        return self.svc.deployments[0]

    # --- REPLICA ---------------------------------------------------------------------------------

    def _replica(
        self,
        primary: types_pb2.Deployment | None,
        desired: int,
        cap: int,
        floor: int,
        backoff_until: float | None,
    ) -> None:
        progressing = primary is not None and primary.rollout_state != FAILED
        live = [t for t in self.tasks if t.live and not t.stopping]
        keepers = [
            t for t in live if primary is not None and t.deployment == primary.id and not t.on_draining
        ]
        holding = sum(1 for t in self.tasks if t.holding)

        wanted = desired - len(keepers)
        if primary is not None and progressing and wanted > 0:
            if backoff_until is not None:
                self.wakeups.append(backoff_until)
            else:
                count = min(wanted, cap - holding)
                if count > 0:
                    self.launches.append(Launch(primary.id, count))

        # What is to be replaced or removed, in the order healthy ones are given up: tasks on draining
        # instances (old deployments' first), tasks of old deployments, then the scale-in surplus.
        draining = sorted(
            (t for t in live if t.on_draining),
            key=lambda t: primary is not None and t.deployment == primary.id,
        )
        old = [t for t in live if not t.on_draining and (primary is None or t.deployment != primary.id)]
        if not progressing:
            # Nothing replaces them: only what exceeds the desired count goes, least healthy first.
            excess = max(0, len(keepers) + len(old) - desired)
            old = sorted(old, key=lambda t: t.healthy)[:excess]
        surplus = self._surplus(keepers, len(keepers) - desired)
        scaling = f"Scaling activity initiated by (deployment {primary.id if primary else 'none'})"

        budget = sum(1 for t in live if t.healthy) - floor
        for group in (draining, old, surplus):
            # Tasks that are not healthy cost no healthy task: they go at once.
            for task in group:
                if not task.healthy:
                    self._stop(task, self._draining_reason(task) if task.on_draining else scaling)
            healthy = [t for t in group if t.healthy]
            for task in self._inverse_order(healthy, min(budget, len(healthy))):
                self._stop(task, self._draining_reason(task) if task.on_draining else scaling)
                budget -= 1

    @staticmethod
    def _draining_reason(task: _Task) -> str:
        return f"Container instance {task.instance_id} is DRAINING"

    def _surplus(self, keepers: list[_Task], count: int) -> list[_Task]:
        """Which `count` keepers a scale-in stops: pending ones, newest first; then running ones not
        healthy yet; then healthy ones by the inverse of the placement strategy."""
        if count <= 0:
            return []
        pending = sorted((t for t in keepers if t.pending), key=lambda t: (-t.pb.created_at, t.arn))
        settling = sorted(
            (t for t in keepers if t.running and not t.healthy), key=lambda t: (-t.pb.started_at, t.arn)
        )
        chosen = [*pending, *settling][:count]
        rest = count - len(chosen)
        if rest > 0:
            chosen.extend(self._inverse_order([t for t in keepers if t.healthy], rest))
        return chosen

    def _inverse_order(self, candidates: list[_Task], count: int) -> list[_Task]:
        """Up to `count` of `candidates`, in the order a scale-in would stop them."""
        if count <= 0 or not candidates:
            return []
        by_arn = {t.arn: t for t in candidates}
        running = [
            RunningTask(
                task_id=t.arn,
                instance_id=t.instance_id,
                started_at=t.pb.started_at if t.running else math.inf,
                group=t.pb.group or f"service:{self.name}",
                cpu=t.pb.reservation.cpu,
                memory=t.pb.reservation.memory,
            )
            for t in sorted(candidates, key=lambda t: t.arn)
        ]
        try:
            chosen = choose_to_stop(running, self.instances, self._strategies(), count, self.rng)
        except ValueError:  # a strategy the API should have refused: fall back to the default
            chosen = choose_to_stop(running, self.instances, SERVICE_DEFAULT_STRATEGIES, count, self.rng)
        return [by_arn[arn] for arn in chosen]

    def _strategies(self) -> Sequence[Strategy]:
        given = [Strategy(s.type, s.field) for s in self.svc.placement_strategy]
        return given or SERVICE_DEFAULT_STRATEGIES

    # --- DAEMON ----------------------------------------------------------------------------------

    def _daemon(
        self, primary: types_pb2.Deployment | None, cap: int, floor: int, backoff_until: float | None
    ) -> None:
        progressing = primary is not None and primary.rollout_state != FAILED
        reason = f"Scaling activity initiated by (deployment {primary.id if primary else 'none'})"
        on: defaultdict[str, list[_Task]] = defaultdict(list)
        for task in self.tasks:
            if task.live and not task.stopping:
                on[task.instance_id].append(task)
        holding_on = Counter(t.instance_id for t in self.tasks if t.holding and t.instance_id in self.targets)

        # One PRIMARY copy per instance: keep the best, stop the others.
        kept: dict[str, _Task] = {}
        for ident in sorted(self.targets):
            copies = [t for t in on[ident] if primary is not None and t.deployment == primary.id]
            if not copies:
                continue
            copies.sort(key=lambda t: (not t.healthy, not t.running, t.pb.created_at, t.arn))
            kept[ident] = copies[0]
            for extra in copies[1:]:
                self._stop(
                    extra, f"Duplicate task of daemon service {self.name} on container instance {ident}"
                )

        missing = [ident for ident in sorted(self.targets) if ident not in kept]
        if primary is not None and progressing and missing:
            if backoff_until is not None:
                self.wakeups.append(backoff_until)
            else:
                room = cap - sum(holding_on.values())
                # Empty instances first; one where an old copy still holds only with surge room.
                order = [i for i in missing if not holding_on[i]] + [i for i in missing if holding_on[i]]
                chosen = tuple(order[: max(0, room)])
                if chosen:
                    self.launches.append(Launch(primary.id, len(chosen), chosen))

        healthy_on = Counter(t.instance_id for ts in on.values() for t in ts if t.healthy and not t.stopping)
        budget = sum(1 for ident in self.targets if healthy_on[ident]) - floor
        old = [
            t
            for ident in sorted(self.targets)
            for t in on[ident]
            if not t.stopping and (primary is None or t.deployment != primary.id)
        ]
        # Copies whose instance keeps another healthy task cost nothing: they go first.
        old.sort(key=lambda t: (t.healthy and healthy_on[t.instance_id] <= 1, t.arn))
        for task in old:
            others_healthy = healthy_on[task.instance_id] - (1 if task.healthy else 0)
            if not progressing and not others_healthy:
                continue  # nothing will replace it
            costs = task.healthy and not others_healthy
            if costs and budget <= 0:
                continue
            self._stop(task, reason)
            if task.healthy:
                healthy_on[task.instance_id] -= 1
            if costs:
                budget -= 1

    # --- the record ------------------------------------------------------------------------------

    def _record(self, primary: types_pb2.Deployment | None, desired: int, before: dict[str, bytes]) -> None:
        svc = self.svc
        after = [t for t in self.tasks if t.live and not t.stopping]
        running = Counter(t.deployment for t in after if t.running)
        pending = Counter(t.deployment for t in after if t.pending)
        launched = Counter[str]()
        for launch in self.launches:
            launched[launch.deployment_id] += launch.count
        for deployment in svc.deployments:
            r, p = running[deployment.id], pending[deployment.id] + launched[deployment.id]
            deployment.running_count = r
            deployment.pending_count = p
            # launched_tasks is left to the caller, which knows how many tasks were placed.
            is_primary = primary is not None and deployment.id == primary.id
            if not is_primary and deployment.status != INACTIVE:
                deployment.status = ACTIVE
                deployment.desired_count = r + p
                if r + p == 0:
                    deployment.status = INACTIVE
        svc.running_count = sum(running.values())
        svc.pending_count = sum(pending.values()) + sum(launched.values())

        if self.active and primary is not None and primary.rollout_state in (IN_PROGRESS, ""):
            others = any(t.deployment != primary.id for t in after)
            mine = [t for t in after if t.deployment == primary.id and t.healthy]
            if self.daemon:
                healthy = len({t.instance_id for t in mine if t.instance_id in self.targets})
            else:
                healthy = sum(1 for t in mine if not t.on_draining)
            if not others and healthy >= desired:
                primary.rollout_state = COMPLETED
                primary.rollout_state_reason = f"ECS deployment {primary.id} completed."
                primary.completed_at = self.now
                primary.updated_at = self.now
                svc.last_completed.CopyFrom(primary)
                self.late_events.append(
                    f"(service {self.name}) (deployment {primary.id}) deployment completed."
                )

        if svc.status == DRAINING and not any(t.holding for t in self.tasks):
            svc.status = INACTIVE
            for deployment in svc.deployments:
                deployment.status = INACTIVE

        current = [d for d in svc.deployments if d.status != INACTIVE]
        steady = (
            self.active
            and len(current) == 1
            and primary is not None
            and current[0].id == primary.id
            and primary.rollout_state == COMPLETED
            and svc.running_count == desired
        )
        if steady and not svc.steady_since:
            svc.steady_since = self.now
            self.late_events.append(f"(service {self.name}) has reached a steady state.")
        elif not steady:
            svc.steady_since = 0

        inactive = sorted(
            (i for i, d in enumerate(svc.deployments) if d.status == INACTIVE),
            key=lambda i: svc.deployments[i].created_at,
        )
        drop = inactive[: max(0, len(inactive) - max(0, self.settings.max_inactive_deployments))]
        for i in sorted(drop, reverse=True):
            del svc.deployments[i]
        for deployment in svc.deployments:
            if (
                deployment.id in before
                and deployment.SerializeToString(deterministic=True) != before[deployment.id]
            ):
                deployment.updated_at = self.now


# --- helpers -------------------------------------------------------------------------------------


def _stop_time(task: types_pb2.Task) -> float:
    return task.stopped_at or task.execution_stopped_at or task.created_at


def _rounds(failures: Iterable[types_pb2.Task]) -> int:
    """Launch rounds that failed, `failures` in stop order: a failure starts a new round when its task
    was created after the current round's first failure stopped (it was a relaunch)."""
    rounds = 0
    boundary = 0.0
    for task in failures:
        if rounds == 0 or task.created_at >= boundary:
            rounds += 1
            boundary = _stop_time(task)
    return rounds
