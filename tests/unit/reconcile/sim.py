"""A small world for the service reconciler's tests: a service record, its tasks and the instances.

`World.reconcile()` computes a plan, checks what must hold of every plan (no task stopped twice or
already desired STOPPED, a second plan on the applied state is empty, deployment statuses and rollout
states only move forward) and applies it the way the service controller does: launches become
PROVISIONING tasks (on the named instances for DAEMON, else on the connected ACTIVE instance with
the fewest tasks of the service), stops set desiredStatus STOPPED with ServiceSchedulerInitiated.
`World.step()` moves time on and every task one state forward: PROVISIONING -> PENDING -> RUNNING
(or STOPPED with TaskFailedToStart for a "bad" task definition), a health-checked task becomes
HEALTHY (or UNHEALTHY) one step after RUNNING, and a task desired STOPPED becomes STOPPED. Tasks on
disconnected instances are frozen, as their agent cannot report.

With `lb=True` every task is a load balancer target: its target is "initial" when the task gets
RUNNING, "healthy" one step later ("unhealthy" for a task definition in `lb_unhealthy`), and
"draining" once the task is asked to stop. With `drain_seconds`, a stop of a RUNNING task makes it
DEACTIVATING until now + drain_seconds, and only a step after that deadline makes it STOPPED.
"""

from __future__ import annotations

import dataclasses
import itertools
import random
from collections.abc import Iterable, Mapping, Sequence

from berth.v1 import types_pb2
from controlplane.reconcile import (
    Launch,
    PlanSettings,
    ServicePlan,
    compute_service_plan,
    deployment_limits,
    record_launch_shortfall,
)
from controlplane.scheduler import Instance

CLUSTER = "default"
ARN = "arn:berth:ecs:local:000000000000"
ZONES = ("us-east-1a", "us-east-1b", "us-east-1c")
T0 = 1_700_000_000.0

_DEPLOYMENT_ORDER = {"PRIMARY": 0, "ACTIVE": 1, "INACTIVE": 2}
_ROLLOUT_ORDER = {"": 0, "IN_PROGRESS": 0, "COMPLETED": 1, "FAILED": 1}


def td(revision: int, family: str = "web") -> str:
    return f"{ARN}:task-definition/{family}:{revision}"


def instance(
    ident: str,
    *,
    status: str = "ACTIVE",
    connected: bool = True,
    zone: str | None = None,
    memory: int = 8192,
    cpu: int = 4096,
) -> Instance:
    attributes: dict[str, str | None] = {"ecs.os-type": "linux"}
    attributes["ecs.availability-zone"] = zone or ZONES[sum(map(ord, ident)) % len(ZONES)]
    return Instance(
        id=ident,
        arn=f"{ARN}:container-instance/{CLUSTER}/{ident}",
        status=status,
        agent_connected=connected,
        attributes=attributes,
        remaining_cpu=cpu,
        remaining_memory=memory,
        used_ports_tcp=frozenset(),
        used_ports_udp=frozenset(),
        running_tasks_count=0,
        registered_at=T0,
        task_groups={},
    )


def deployment(
    ident: str,
    task_definition: str,
    *,
    desired: int,
    status: str = "PRIMARY",
    rollout: str = "IN_PROGRESS",
    created_at: float = T0,
) -> types_pb2.Deployment:
    return types_pb2.Deployment(
        id=ident,
        status=status,
        task_definition=task_definition,
        desired_count=desired,
        pending_count=0,
        running_count=0,
        failed_tasks=0,
        created_at=created_at,
        updated_at=created_at,
        rollout_state=rollout,
        rollout_state_reason="ECS deployment in progress.",
    )


def service(
    *,
    desired: int = 3,
    task_definition: str = td(1),
    daemon: bool = False,
    maximum: int | None = None,
    minimum: int | None = None,
    breaker: bool = False,
    rollback: bool = False,
    grace: int | None = None,
    strategies: Sequence[tuple[str, str]] = (),
    deployments: Iterable[types_pb2.Deployment] | None = None,
) -> types_pb2.Service:
    config = types_pb2.DeploymentConfiguration()
    if maximum is not None:
        config.maximum_percent = maximum
    if minimum is not None:
        config.minimum_healthy_percent = minimum
    if breaker:
        config.deployment_circuit_breaker.enable = True
        config.deployment_circuit_breaker.rollback = rollback
    svc = types_pb2.Service(
        service_arn=f"{ARN}:service/{CLUSTER}/web",
        service_name="web",
        cluster_arn=f"{ARN}:cluster/{CLUSTER}",
        status="ACTIVE",
        desired_count=desired,
        task_definition=task_definition,
        deployment_configuration=config,
        scheduling_strategy="DAEMON" if daemon else "REPLICA",
        placement_strategy=[types_pb2.PlacementStrategy(type=t, field=f) for t, f in strategies],
    )
    if grace is not None:
        svc.health_check_grace_period_seconds = grace
    if deployments is None:
        deployments = [deployment("ecs-svc/1", task_definition, desired=desired)]
    svc.deployments.extend(deployments)
    return svc


def task(
    ident: str,
    *,
    deployment_id: str = "ecs-svc/1",
    instance_id: str = "i1",
    last: str = "RUNNING",
    desired: str = "RUNNING",
    health: str = "UNKNOWN",
    started_at: float | None = None,
    created_at: float = T0 - 100,
    stopped_at: float = 0.0,
    stop_code: str = "",
    stopped_reason: str = "",
    task_definition: str = td(1),
) -> types_pb2.Task:
    if started_at is None:
        started_at = (
            created_at + 1 if last in ("RUNNING", "STOPPED") and stop_code != "TaskFailedToStart" else 0.0
        )
    return types_pb2.Task(
        task_arn=f"{ARN}:task/{CLUSTER}/{ident}",
        cluster_arn=f"{ARN}:cluster/{CLUSTER}",
        container_instance_arn=f"{ARN}:container-instance/{CLUSTER}/{instance_id}",
        task_definition_arn=task_definition,
        started_by=deployment_id,
        group="service:web",
        service_name="web",
        last_status=last,
        desired_status=desired,
        health_status=health,
        containers=[types_pb2.Container(name="app", health_status=health, last_status=last)],
        created_at=created_at,
        started_at=started_at,
        stopped_at=(stopped_at or created_at + 2) if last == "STOPPED" else 0.0,
        stop_code=stop_code,
        stopped_reason=stopped_reason,
        reservation=types_pb2.Reservation(cpu=256, memory=512),
    )


def short(arn: str) -> str:
    return arn.rsplit("/", 1)[-1]


@dataclasses.dataclass
class World:
    service: types_pb2.Service
    instances: dict[str, Instance]
    now: float = T0
    settings: PlanSettings = dataclasses.field(default_factory=PlanSettings)
    tasks: dict[str, types_pb2.Task] = dataclasses.field(default_factory=dict)
    bad: set[str] = dataclasses.field(default_factory=set)  # task definitions whose tasks never start
    health_checked: set[str] = dataclasses.field(default_factory=set)  # task definitions with a check
    unhealthy: set[str] = dataclasses.field(default_factory=set)  # checked, and they fail the check
    daemon_targets: frozenset[str] | None = None  # None: every ACTIVE connected instance
    pass_health_checked: bool = True
    rng: random.Random = dataclasses.field(default_factory=lambda: random.Random(7))
    events: list[str] = dataclasses.field(default_factory=list)
    plans: list[ServicePlan] = dataclasses.field(default_factory=list)
    launched: int = 0
    check_second_plan: bool = True
    chaos: random.Random | None = None  # when set, each task advances at a step only half the time
    lb: bool = False  # every task is a load balancer target
    lb_unhealthy: set[str] = dataclasses.field(default_factory=set)  # task definitions failing ELB checks
    drain_seconds: float = 0.0
    target_health: dict[str, str] = dataclasses.field(default_factory=dict)

    def __post_init__(self) -> None:
        self._ids = itertools.count(1)
        self._deployments = itertools.count(100)
        self.stopped_once: set[str] = set()

    # --- what the tests look at ------------------------------------------------------------------

    def live(self, deployment_id: str | None = None) -> list[types_pb2.Task]:
        return [
            t
            for t in self.tasks.values()
            if t.desired_status == "RUNNING"
            and t.last_status != "STOPPED"
            and self._connected(t)
            and (deployment_id is None or t.started_by == deployment_id)
        ]

    def holding(self) -> int:
        return sum(1 for t in self.tasks.values() if t.last_status != "STOPPED" and self._connected(t))

    def healthy(self, deployment_id: str | None = None) -> int:
        return sum(1 for t in self.live(deployment_id) if self.is_healthy(t))

    def is_healthy(self, t: types_pb2.Task) -> bool:
        if t.last_status != "RUNNING" or t.desired_status != "RUNNING" or not self._connected(t):
            return False
        if self.lb:
            target = self.target_health.get(t.task_arn)
            checked = t.task_definition_arn in self.health_checked
            return target == "healthy" and (t.health_status == "HEALTHY" or not checked)
        if t.health_status == "HEALTHY":
            return True
        if t.task_definition_arn in self.health_checked:
            return False
        return self.now - t.started_at >= self.settings.settle_seconds

    def primary(self) -> types_pb2.Deployment:
        return next(d for d in self.service.deployments if d.status == "PRIMARY")

    def limits(self) -> tuple[int, int]:
        config = self.service.deployment_configuration
        daemon = self.service.scheduling_strategy == "DAEMON"
        desired = len(self._targets()) if daemon else self.service.desired_count
        maximum = config.maximum_percent if config.HasField("maximum_percent") else (100 if daemon else 200)
        minimum = (
            config.minimum_healthy_percent
            if config.HasField("minimum_healthy_percent")
            else (0 if daemon else 100)
        )
        return deployment_limits(desired, maximum, minimum)

    def _connected(self, t: types_pb2.Task) -> bool:
        inst = self.instances.get(short(t.container_instance_arn))
        return inst is None or inst.agent_connected

    def _targets(self) -> frozenset[str]:
        if self.daemon_targets is not None:
            return self.daemon_targets
        return frozenset(i.id for i in self.instances.values() if i.status == "ACTIVE" and i.agent_connected)

    # --- planning and applying -------------------------------------------------------------------

    def plan(self, *, now: float | None = None) -> ServicePlan:
        return compute_service_plan(
            self.service,
            list(self.tasks.values()),
            list(self.instances.values()),
            self._targets(),
            self.now if now is None else now,
            self.settings,
            self.rng,
            lambda: f"ecs-svc/{next(self._deployments)}",
            health_checked=self.health_checked if self.pass_health_checked else None,
            target_health=dict(self.target_health) if self.lb else None,
        )

    def reconcile(self) -> ServicePlan:
        before = types_pb2.Service()
        before.CopyFrom(self.service)
        plan = self.plan()
        assert self.service == before, "the input record was modified"
        self._check(plan)
        placed_all = self.apply(plan)
        if self.check_second_plan and placed_all:
            again = self.plan()
            assert again.empty, f"second plan not empty: {again.launches} {again.stops} {again.events}"
        self.plans.append(plan)
        return plan

    def _check(self, plan: ServicePlan) -> None:
        arns = [s.task_arn for s in plan.stops]
        assert len(arns) == len(set(arns)), "a task stopped twice in one plan"
        for arn in arns:
            assert self.tasks[arn].desired_status == "RUNNING", f"{short(arn)} is already desired STOPPED"
            assert arn not in self.stopped_once, f"{short(arn)} stopped twice"
            self.stopped_once.add(arn)
        old = {d.id: d for d in self.service.deployments}
        for d in plan.service.deployments:
            if d.id in old:
                assert _DEPLOYMENT_ORDER[d.status] >= _DEPLOYMENT_ORDER[old[d.id].status], (
                    f"{d.id} went from {old[d.id].status} to {d.status}"
                )
                was = old[d.id].rollout_state
                assert _ROLLOUT_ORDER[d.rollout_state] >= _ROLLOUT_ORDER[was], (
                    f"{d.id}: {was} -> {d.rollout_state}"
                )
                if _ROLLOUT_ORDER[was] == 1:
                    assert d.rollout_state == was
            else:
                assert d.status == "PRIMARY" and d.rollout_state == "IN_PROGRESS"

    def apply(self, plan: ServicePlan) -> bool:
        """Apply a plan; False when some launch could not be placed (no instance at all)."""
        for stop in plan.stops:
            t = self.tasks[stop.task_arn]
            t.desired_status = "STOPPED"
            t.stop_code = t.stop_code or "ServiceSchedulerInitiated"
            t.stopped_reason = t.stopped_reason or stop.reason
            if self.drain_seconds > 0 and t.last_status == "RUNNING":
                t.last_status = "DEACTIVATING"
                t.deactivate_until = self.now + self.drain_seconds
            if t.task_arn in self.target_health:
                self.target_health[t.task_arn] = "draining"
        self.service = plan.service
        placed_all = True
        for launch in plan.launches:
            missing = self._launch(launch)
            if missing:
                self.service = record_launch_shortfall(self.service, launch.deployment_id, missing)
                placed_all = False
        self.events.extend(plan.events)
        return placed_all

    def _launch(self, launch: Launch) -> int:
        d = next(d for d in self.service.deployments if d.id == launch.deployment_id)
        if launch.instance_ids:
            assert len(launch.instance_ids) == launch.count
            where = list(launch.instance_ids)
        else:
            where = []
            for _ in range(launch.count):
                load = {
                    i.id: sum(
                        1
                        for t in self.tasks.values()
                        if t.last_status != "STOPPED" and short(t.container_instance_arn) == i.id
                    )
                    + where.count(i.id)
                    for i in self.instances.values()
                    if i.status == "ACTIVE" and i.agent_connected
                }
                if not load:
                    break
                where.append(min(sorted(load), key=lambda k: load[k]))
        for ident in where:
            n = next(self._ids)
            t = task(
                f"t{n:04d}",
                deployment_id=d.id,
                instance_id=ident,
                last="PROVISIONING",
                created_at=self.now,
                started_at=0.0,
                task_definition=d.task_definition,
            )
            self.tasks[t.task_arn] = t
            self.launched += 1
        return launch.count - len(where)

    def step(self, dt: float = 5.0) -> None:
        self.now += dt
        for t in self.tasks.values():
            if t.last_status == "STOPPED" or not self._connected(t):
                continue
            if self.chaos is not None and self.chaos.random() < 0.5:
                continue
            if t.desired_status == "STOPPED":
                if t.last_status == "DEACTIVATING" and self.now < t.deactivate_until:
                    continue  # its targets drain
                self._stopped(t)
            elif t.last_status == "PROVISIONING":
                t.last_status = "PENDING"
            elif t.last_status == "PENDING":
                if t.task_definition_arn in self.bad:
                    t.stop_code = "TaskFailedToStart"
                    t.stopped_reason = "CannotPullContainerError: image not found"
                    self._stopped(t)
                else:
                    t.last_status = "RUNNING"
                    t.started_at = self.now
                    if self.lb:
                        self.target_health[t.task_arn] = "initial"
            elif self.lb and self.target_health.get(t.task_arn) == "initial":
                bad = t.task_definition_arn in self.lb_unhealthy
                self.target_health[t.task_arn] = "unhealthy" if bad else "healthy"
                if t.task_definition_arn in self.health_checked and t.health_status == "UNKNOWN":
                    t.health_status = "UNHEALTHY" if t.task_definition_arn in self.unhealthy else "HEALTHY"
                    t.containers[0].health_status = t.health_status
            elif (
                t.last_status == "RUNNING"
                and t.task_definition_arn in self.health_checked
                and t.health_status == "UNKNOWN"
            ):
                t.health_status = "UNHEALTHY" if t.task_definition_arn in self.unhealthy else "HEALTHY"
                t.containers[0].health_status = t.health_status

    def _stopped(self, t: types_pb2.Task) -> None:
        self.target_health.pop(t.task_arn, None)
        t.last_status = "STOPPED"
        t.stopped_at = self.now
        t.desired_status = "STOPPED"
        t.containers[0].last_status = "STOPPED"

    # --- what users and the API do ---------------------------------------------------------------

    def update(self, task_definition: str | None = None, *, desired: int | None = None) -> str:
        """UpdateService as the API does it; returns the PRIMARY deployment id."""
        svc = self.service
        if desired is not None:
            svc.desired_count = desired
        if task_definition is not None:
            for d in svc.deployments:
                if d.status == "PRIMARY":
                    d.status = "ACTIVE"
                    d.updated_at = self.now
            new = deployment(
                f"ecs-svc/{next(self._deployments)}",
                task_definition,
                desired=svc.desired_count,
                created_at=self.now,
            )
            svc.deployments.insert(0, new)
            svc.task_definition = task_definition
            svc.steady_since = 0
        for d in svc.deployments:
            if d.status == "PRIMARY":
                d.desired_count = svc.desired_count
        return self.primary().id

    def delete(self) -> None:
        self.service.status = "DRAINING"
        self.service.desired_count = 0
        for d in self.service.deployments:
            d.desired_count = 0

    def set_instance(self, ident: str, **changes: object) -> None:
        self.instances[ident] = dataclasses.replace(self.instances[ident], **changes)  # type: ignore[arg-type]

    def kill(self, arn: str, *, code: str = "EssentialContainerExited") -> None:
        t = self.tasks[arn]
        t.stop_code = code
        t.stopped_reason = "Essential container in task exited"
        self._stopped(t)

    def run(self, rounds: int, *, dt: float = 5.0, each: object = None) -> None:
        for _ in range(rounds):
            self.reconcile()
            if callable(each):
                each(self)
            self.step(dt)


def world(
    svc: types_pb2.Service,
    instance_ids: Iterable[str] = ("i1", "i2", "i3"),
    **kwargs: object,
) -> World:
    return World(svc, {i: instance(i) for i in instance_ids}, **kwargs)  # type: ignore[arg-type]


def steady_world(
    *,
    desired: int = 3,
    instance_ids: Iterable[str] = ("i1", "i2", "i3"),
    rounds: int = 6,
    **service_args: object,
) -> World:
    """A service brought to a steady state on td(1) through the simulator."""
    w = world(service(desired=desired, **service_args), instance_ids)  # type: ignore[arg-type]
    w.run(rounds)
    w.reconcile()
    assert w.primary().rollout_state == "COMPLETED", w.events
    return w


def by_instance(tasks: Iterable[types_pb2.Task]) -> Mapping[str, int]:
    out: dict[str, int] = {}
    for t in tasks:
        out[short(t.container_instance_arn)] = out.get(short(t.container_instance_arn), 0) + 1
    return out
