"""compute_service_plan() with load balancers: target health gates a task's health, an unhealthy
target past the grace period replaces the task (and counts toward the circuit breaker), a rolling
deployment stops old targets only once new ones are healthy, and DEACTIVATING (draining) tasks are
not running but still hold their place."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from berth.v1 import types_pb2
from controlplane.reconcile import (
    ELB_HEALTH_CHECK_REASON,
    PlanSettings,
    ServicePlan,
    compute_service_plan,
    is_failed_task,
)
from tests.unit.reconcile.sim import T0, World, deployment, instance, service, short, task, td, world

SETTINGS = PlanSettings()


def plan_for(
    svc: types_pb2.Service,
    tasks: list[types_pb2.Task],
    target_health: dict[str, str] | None,
    *,
    now: float = T0,
    health_checked: frozenset[str] | None = frozenset(),
) -> ServicePlan:
    return compute_service_plan(
        svc,
        tasks,
        [instance(i) for i in ("i1", "i2", "i3")],
        frozenset(),
        now,
        SETTINGS,
        random.Random(1),
        lambda: "ecs-svc/new",
        health_checked=health_checked,
        target_health=target_health,
    )


def arn(ident: str) -> str:
    return task(ident).task_arn


# --- one task's health ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "container", "checked", "started_ago", "healthy"),
    [
        pytest.param(None, "UNKNOWN", False, 60, True, id="no-target-settled"),
        pytest.param(None, "UNKNOWN", False, 5, False, id="no-target-settling"),
        pytest.param("healthy", "UNKNOWN", False, 1, True, id="healthy-target-no-settle-time"),
        pytest.param("initial", "UNKNOWN", False, 600, False, id="initial-target-never-settles"),
        pytest.param("draining", "UNKNOWN", False, 600, False, id="draining-target"),
        pytest.param("unhealthy", "UNKNOWN", False, 600, False, id="unhealthy-target"),
        pytest.param("healthy", "UNKNOWN", True, 600, False, id="healthy-target-check-not-passed"),
        pytest.param("healthy", "HEALTHY", True, 600, True, id="healthy-target-and-check"),
        pytest.param("initial", "HEALTHY", True, 600, False, id="healthy-check-initial-target"),
    ],
)
def test_target_health_gates_task_health(
    target: str | None, container: str, checked: bool, started_ago: float, healthy: bool
) -> None:
    # A deployment with one task: COMPLETED exactly when that task counts healthy.
    svc = service(desired=1, grace=0)
    t = task("a", health=container, started_at=T0 - started_ago)
    plan = plan_for(
        svc,
        [t],
        {t.task_arn: target} if target else {},
        health_checked=frozenset({td(1)}) if checked else frozenset(),
    )
    assert (plan.service.deployments[0].rollout_state == "COMPLETED") is healthy
    if target != "unhealthy":
        assert plan.stops == []


def test_unhealthy_target_is_replaced_after_the_grace_period() -> None:
    svc = service(desired=1, grace=60)
    t = task("a", started_at=T0 - 30)
    within = plan_for(svc, [t], {t.task_arn: "unhealthy"})
    assert within.stops == [] and within.launches == []
    assert within.next_wakeup == T0 - 30 + 60  # look again when the grace period ends
    after = plan_for(svc, [t], {t.task_arn: "unhealthy"}, now=T0 + 31)
    assert [(short(s.task_arn), s.reason) for s in after.stops] == [("a", ELB_HEALTH_CHECK_REASON)]
    assert "(service web) (task a) failed ELB health checks." in after.events
    assert [lc.count for lc in after.launches] == [1]  # replaced at once


def test_container_check_failure_wins_over_the_target() -> None:
    svc = service(desired=1, grace=0)
    t = task("a", health="UNHEALTHY")
    plan = plan_for(svc, [t], {t.task_arn: "unhealthy"}, health_checked=frozenset({td(1)}))
    assert [s.reason for s in plan.stops] == ["Task failed container health checks"]


def test_elb_failure_counts_for_the_circuit_breaker() -> None:
    failed = task(
        "f", last="STOPPED", stop_code="ServiceSchedulerInitiated", stopped_reason=ELB_HEALTH_CHECK_REASON
    )
    assert is_failed_task(failed, SETTINGS)
    scaled_in = task(
        "s", last="STOPPED", stop_code="ServiceSchedulerInitiated", stopped_reason="Scaling activity"
    )
    assert not is_failed_task(scaled_in, SETTINGS)


def test_no_mapping_changes_nothing() -> None:
    svc = service(desired=2)
    tasks = [task("a", started_at=T0 - 60), task("b", started_at=T0 - 2)]
    assert plan_for(svc, tasks, None) == plan_for(svc, tasks, {})


# --- draining tasks ------------------------------------------------------------------------------


def draining(ident: str, until: float, **kwargs: object) -> types_pb2.Task:
    t = task(ident, last="DEACTIVATING", desired="STOPPED", stop_code="UserInitiated", **kwargs)  # type: ignore[arg-type]
    t.deactivate_until = until
    return t


def test_draining_task_is_replaced_but_holds_its_place() -> None:
    svc = service(desired=3)
    tasks = [task("a", started_at=T0 - 60), task("b", started_at=T0 - 60), draining("c", T0 + 30)]
    plan = plan_for(svc, tasks, {})
    assert [lc.count for lc in plan.launches] == [1]  # it is leaving: replaced at once
    assert (plan.service.running_count, plan.service.pending_count) == (2, 1)
    assert plan.next_wakeup == T0 + 30  # when its drain ends
    assert plan.stops == []


def test_draining_task_counts_against_the_cap() -> None:
    # maximumPercent 100 and minimumHealthy 0: cap 3, so the replacement waits for the drain.
    svc = service(desired=3, maximum=100, minimum=0)
    tasks = [task("a", started_at=T0 - 60), task("b", started_at=T0 - 60), draining("c", T0 + 30)]
    plan = plan_for(svc, tasks, {})
    assert plan.launches == []
    assert plan.service.running_count == 2
    done = draining("c", T0 + 30)
    done.last_status = "STOPPED"
    assert [lc.count for lc in plan_for(svc, [*tasks[:2], done], {}).launches] == [1]


# --- through the simulator -----------------------------------------------------------------------


def lb_world() -> World:
    w = world(service(desired=3), lb=True, drain_seconds=20.0)
    w.run(8)
    w.reconcile()
    assert w.primary().rollout_state == "COMPLETED", w.events
    return w


def test_rolling_deployment_drains_old_targets_only_after_new_ones_are_healthy() -> None:
    w = lb_world()
    new = w.update(td(2))
    old_stopped_while_new_unhealthy = []
    for _ in range(30):
        w.reconcile()
        healthy_targets = [t for t in w.live() if w.target_health.get(t.task_arn) == "healthy"]
        assert len(healthy_targets) >= 3  # minimumHealthyPercent 100: never below 3 healthy targets
        new_healthy = sum(1 for t in healthy_targets if t.started_by == new)
        old_leaving = [t for t in w.tasks.values() if t.started_by != new and t.desired_status == "STOPPED"]
        if len(old_leaving) > new_healthy:
            old_stopped_while_new_unhealthy.append(len(old_leaving))
        w.step(5.0)
    assert old_stopped_while_new_unhealthy == []
    assert w.primary().id == new and w.primary().rollout_state == "COMPLETED"
    tasks = list(w.tasks.values())
    assert {t.task_definition_arn for t in tasks if t.last_status != "STOPPED"} == {td(2)}
    old = [t for t in tasks if t.task_definition_arn == td(1)]
    # Every old task drained: DEACTIVATING for the drain, then stopped.
    assert all(t.last_status == "STOPPED" and t.deactivate_until > 0 for t in old)
    assert all(t.stopped_at >= t.deactivate_until for t in old)


def test_deployment_whose_targets_fail_trips_the_breaker_and_rolls_back() -> None:
    w = world(service(desired=3, breaker=True, rollback=True, grace=0), lb=True, lb_unhealthy={td(2)})
    w.run(8)
    w.reconcile()
    assert w.primary().rollout_state == "COMPLETED"
    failed = w.update(td(2))
    w.run(20)
    by_id = {d.id: d for d in w.service.deployments}
    assert by_id[failed].rollout_state == "FAILED"
    assert any("failed ELB health checks" in e for e in w.events)
    assert w.primary().rollback_from == failed and w.primary().task_definition == td(1)
    # Old targets stayed healthy the whole time: the floor held (no healthy old task was given up
    # for a new one that never became healthy).
    assert sum(1 for t in w.live() if w.target_health.get(t.task_arn) == "healthy") >= 3


def test_scale_in_drains_the_stopped_targets() -> None:
    w = lb_world()
    w.update(desired=1)
    plan = w.reconcile()
    assert len(plan.stops) == 2
    leaving = [w.tasks[s.task_arn] for s in plan.stops]
    assert all(t.last_status == "DEACTIVATING" for t in leaving)
    assert plan.service.running_count == 1
    assert plan.next_wakeup is None  # the drain deadline is the wake-up of the *next* plan
    assert w.plan().next_wakeup == leaving[0].deactivate_until


def test_deployment_never_completes_while_new_targets_are_initial() -> None:
    svc = service(
        desired=2,
        task_definition=td(2),
        deployments=[
            deployment("ecs-svc/2", td(2), desired=2),
            deployment("ecs-svc/1", td(1), desired=0, status="ACTIVE", rollout="COMPLETED"),
        ],
    )
    new = [
        task(n, deployment_id="ecs-svc/2", task_definition=td(2), started_at=T0 - 600) for n in ("n1", "n2")
    ]
    old = [task(o, started_at=T0 - 900) for o in ("o1", "o2")]
    plan = plan_for(
        svc, new + old, {t.task_arn: "initial" for t in new} | {t.task_arn: "healthy" for t in old}
    )
    assert plan.stops == []  # no old target drains before a new one is healthy
    assert plan.service.deployments[0].rollout_state == "IN_PROGRESS"
    one = {new[0].task_arn: "healthy", new[1].task_arn: "initial"} | {t.task_arn: "healthy" for t in old}
    assert len(plan_for(svc, new + old, one).stops) == 1


# --- properties ----------------------------------------------------------------------------------


@settings(max_examples=100, deadline=None)
@given(
    desired=st.integers(1, 5),
    minimum=st.sampled_from((0, 50, 100)),
    maximum=st.sampled_from((100, 150, 200)),
    instances=st.integers(1, 3),
    checked=st.booleans(),
    drain=st.sampled_from((0.0, 4.0, 30.0)),
    dt=st.sampled_from((1.0, 5.0, 12.0)),
    seed=st.integers(0, 2**16),
)
def test_rolling_deployment_behind_a_load_balancer_keeps_cap_and_healthy_targets(
    desired: int,
    minimum: int,
    maximum: int,
    instances: int,
    checked: bool,
    drain: float,
    dt: float,
    seed: int,
) -> None:
    ids = tuple(f"i{n}" for n in range(1, instances + 1))
    svc = service(desired=desired, minimum=minimum, maximum=maximum)
    w = world(svc, ids, lb=True, drain_seconds=drain)
    if checked:
        w.health_checked.update({td(1), td(2)})
    w.run(10)
    w.reconcile()
    assert w.primary().rollout_state == "COMPLETED", w.events
    w.chaos = random.Random(seed)
    w.update(td(2))
    cap, floor = w.limits()

    def check(where: str) -> None:
        # Draining tasks hold their place: never more than the cap, DEACTIVATING ones included.
        assert w.holding() <= cap, (where, w.holding(), cap)
        # w.healthy() counts only tasks whose target is healthy: the floor is of healthy targets.
        assert w.healthy() >= floor, (where, w.healthy(), floor)

    for _ in range(400):
        w.reconcile()
        check("after plan")
        w.step(dt)
        check("after step")
        if w.primary().rollout_state == "COMPLETED" and w.holding() == desired:
            break
    assert w.primary().rollout_state == "COMPLETED", w.events
    assert len(w.live()) == desired and all(t.task_definition_arn == td(2) for t in w.live())
