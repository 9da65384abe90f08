"""compute_service_plan(): one table or scenario per rule, driven through the simulator in `sim`.

Every `World.reconcile()` also checks that the input record is not modified, that no task is stopped
twice, that a second plan on the applied state is empty and that deployment statuses and rollout
states only move forward.
"""

from __future__ import annotations

import itertools
import random

import pytest

from berth.v1 import types_pb2
from controlplane.reconcile import (
    HEALTH_CHECK_REASON,
    PlanSettings,
    ServicePlan,
    backoff_delay,
    circuit_breaker_threshold,
    compute_service_plan,
    deployment_limits,
    is_failed_task,
    record_launch_shortfall,
)
from controlplane.scheduler import Instance
from tests.unit.reconcile.sim import (
    T0,
    World,
    by_instance,
    deployment,
    instance,
    service,
    short,
    steady_world,
    task,
    td,
    world,
)

SETTINGS = PlanSettings()


def plan_for(
    svc: types_pb2.Service,
    tasks: list[types_pb2.Task],
    instance_ids: tuple[str, ...] = ("i1", "i2", "i3"),
    *,
    now: float = T0,
    targets: frozenset[str] = frozenset(),
    instances: list[Instance] | None = None,
    health_checked: frozenset[str] | None = None,
    seed: int = 1,
) -> ServicePlan:
    return compute_service_plan(
        svc,
        tasks,
        instances if instances is not None else [instance(i) for i in instance_ids],
        targets,
        now,
        SETTINGS,
        random.Random(seed),
        lambda: "ecs-svc/new",
        health_checked=health_checked,
    )


# --- the numbers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("desired", "maximum", "minimum", "cap", "floor"),
    [
        pytest.param(4, 150, 50, 6, 2, id="issue-example"),
        pytest.param(4, 200, 100, 8, 4, id="defaults"),
        pytest.param(3, 100, 0, 3, 0, id="stop-first"),
        pytest.param(3, 100, 100, 4, 3, id="min-eq-max-surges-one"),
        pytest.param(1, 150, 100, 2, 1, id="one-task-max-150-surges-one"),
        pytest.param(5, 120, 50, 6, 3, id="rounding"),
        pytest.param(0, 200, 100, 0, 0, id="zero"),
        pytest.param(3, 50, 100, 4, 3, id="max-below-100-never-below-desired"),
    ],
)
def test_deployment_limits(desired: int, maximum: int, minimum: int, cap: int, floor: int) -> None:
    assert deployment_limits(desired, maximum, minimum) == (cap, floor)


@pytest.mark.parametrize(
    ("desired", "threshold"),
    [
        pytest.param(0, 3, id="zero"),
        pytest.param(1, 3, id="min-3"),
        pytest.param(6, 3, id="six"),
        pytest.param(7, 4, id="ceil"),
        pytest.param(25, 13, id="25"),
        pytest.param(1000, 200, id="max-200"),
    ],
)
def test_circuit_breaker_threshold(desired: int, threshold: int) -> None:
    assert circuit_breaker_threshold(desired) == threshold


def test_backoff_delay_doubles_up_to_the_maximum() -> None:
    assert [backoff_delay(n, SETTINGS) for n in range(5)] == [0.0, 2.0, 4.0, 8.0, 16.0]
    assert backoff_delay(10, SETTINGS) == 900.0
    assert backoff_delay(10_000, SETTINGS) == 900.0


@pytest.mark.parametrize(
    ("kwargs", "failed"),
    [
        pytest.param({"stop_code": "TaskFailedToStart"}, True, id="failed-to-start"),
        pytest.param(
            {"stop_code": "EssentialContainerExited", "started_at": 0.0}, True, id="exited-before-running"
        ),
        pytest.param(
            {
                "stop_code": "EssentialContainerExited",
                "created_at": T0,
                "started_at": T0 + 1,
                "stopped_at": T0 + 3,
            },
            True,
            id="crashed-within-settle",
        ),
        pytest.param(
            {
                "stop_code": "EssentialContainerExited",
                "created_at": T0,
                "started_at": T0 + 1,
                "stopped_at": T0 + 600,
            },
            False,
            id="crashed-after-running-a-while",
        ),
        pytest.param(
            {"stop_code": "ServiceSchedulerInitiated", "stopped_reason": HEALTH_CHECK_REASON},
            True,
            id="failed-health-checks",
        ),
        pytest.param(
            {"stop_code": "ServiceSchedulerInitiated", "started_at": 0.0}, False, id="scaled-in-while-pending"
        ),
        pytest.param({"stop_code": "UserInitiated", "started_at": 0.0}, False, id="user-stop"),
        pytest.param(
            {"stop_code": "InfrastructureHealth", "started_at": 0.0}, False, id="instance-deregistered"
        ),
    ],
)
def test_is_failed_task(kwargs: dict[str, object], failed: bool) -> None:
    t = task("t1", last="STOPPED", desired="STOPPED", **kwargs)  # type: ignore[arg-type]
    assert is_failed_task(t, SETTINGS) is failed
    assert not is_failed_task(task("t2"), SETTINGS)


# --- creating and scaling ------------------------------------------------------------------------


def test_fresh_service_launches_desired_then_completes_and_is_steady() -> None:
    w = world(service(desired=3))
    plan = w.reconcile()
    assert [(launch.deployment_id, launch.count) for launch in plan.launches] == [("ecs-svc/1", 3)]
    assert plan.service.pending_count == 3 and plan.service.deployments[0].pending_count == 3
    assert plan.events == []
    for _ in range(4):
        w.step()
        w.reconcile()
    assert w.events == [
        "(service web) (deployment ecs-svc/1) deployment completed.",
        "(service web) has reached a steady state.",
    ]
    assert by_instance(w.live()) == {"i1": 1, "i2": 1, "i3": 1}
    svc = w.service
    assert svc.running_count == 3 and svc.pending_count == 0 and svc.steady_since == w.now
    assert svc.last_completed.id == "ecs-svc/1" and svc.last_completed.rollout_state == "COMPLETED"
    assert svc.deployments[0].completed_at == w.now
    assert svc.deployments[0].rollout_state_reason == "ECS deployment ecs-svc/1 completed."
    # Steady: nothing more to say, nothing to do.
    w.step()
    assert w.plan().empty


def test_steady_state_is_said_again_only_after_leaving_it() -> None:
    w = steady_world()
    w.events.clear()
    w.kill(w.live()[0].task_arn, code="EssentialContainerExited")
    w.tasks[next(iter(w.tasks))].started_at = T0  # ran long: not a failure
    plan = w.reconcile()
    assert plan.service.steady_since == 0 and [launch.count for launch in plan.launches] == [1]
    w.run(4)
    assert w.events.count("(service web) has reached a steady state.") == 1
    assert not any("deployment completed" in e for e in w.events)


def test_scale_out_launches_the_difference() -> None:
    w = steady_world()
    w.update(desired=5)
    plan = w.reconcile()
    assert [(launch.deployment_id, launch.count) for launch in plan.launches] == [("ecs-svc/1", 2)]
    assert plan.service.steady_since == 0
    w.run(4)
    assert len(w.live()) == 5 and w.service.running_count == 5


@pytest.mark.parametrize(
    ("strategies", "layout", "expected_from"),
    [
        pytest.param((), {"i1": 2, "i2": 1, "i3": 1}, "i1", id="default-spread-most-loaded"),
        pytest.param((("spread", "instanceId"),), {"i1": 1, "i2": 3, "i3": 1}, "i2", id="spread-instance"),
        pytest.param((("binpack", "memory"),), {"i1": 2, "i2": 1, "i3": 1}, "i3", id="binpack-emptiest"),
    ],
)
def test_scale_in_follows_the_inverse_of_the_placement_strategy(
    strategies: tuple[tuple[str, str], ...], layout: dict[str, int], expected_from: str
) -> None:
    tasks = []
    n = 0
    for ident, count in layout.items():
        for _ in range(count):
            n += 1
            tasks.append(task(f"t{n}", instance_id=ident))
    desired = len(tasks) - 1
    memory = {"i1": 1000, "i2": 2000, "i3": 6000}  # binpack: i3 has the most memory free
    instances = [instance(i, zone="us-east-1a", memory=memory[i]) for i in layout]
    plan = plan_for(service(desired=desired, strategies=strategies), tasks, instances=instances)
    assert plan.launches == []
    assert len(plan.stops) == 1
    stopped = next(t for t in tasks if t.task_arn == plan.stops[0].task_arn)
    assert short(stopped.container_instance_arn) == expected_from
    assert plan.stops[0].reason == "Scaling activity initiated by (deployment ecs-svc/1)"
    assert plan.events[0] == f"(service web) has stopped 1 running tasks: (task {short(stopped.task_arn)})."


def test_scale_in_stops_pending_tasks_first() -> None:
    tasks = [task("t1"), task("t2", instance_id="i2"), task("t3", instance_id="i3", last="PENDING")]
    plan = plan_for(service(desired=2), tasks)
    assert [short(s.task_arn) for s in plan.stops] == ["t3"]


def test_scale_in_prefers_a_task_that_is_not_healthy_yet() -> None:
    tasks = [
        task("t1", started_at=T0 - 500),
        task("t2", instance_id="i2", started_at=T0 - 500),
        task("t3", instance_id="i3", started_at=T0 - 2),  # RUNNING, not settled
    ]
    plan = plan_for(service(desired=2), tasks)
    assert [short(s.task_arn) for s in plan.stops] == ["t3"]


def test_scale_to_zero_stops_everything_with_default_min() -> None:
    w = steady_world()
    w.update(desired=0)
    plan = w.reconcile()
    assert len(plan.stops) == 3 and plan.launches == []
    w.run(2)
    assert w.holding() == 0 and w.service.running_count == 0


# --- self-healing --------------------------------------------------------------------------------


def test_a_crashed_task_is_replaced_at_once() -> None:
    w = steady_world()
    victim = w.live()[0]
    victim.started_at = w.now - 3600  # ran an hour: a crash, not a failure to start
    w.kill(victim.task_arn)
    plan = w.reconcile()
    assert [(launch.deployment_id, launch.count) for launch in plan.launches] == [("ecs-svc/1", 1)]
    assert plan.next_wakeup is None and plan.service.deployments[0].failed_tasks == 0


def test_a_task_stopped_by_a_user_is_replaced() -> None:
    w = steady_world()
    w.kill(w.live()[0].task_arn, code="UserInitiated")
    plan = w.reconcile()
    assert [launch.count for launch in plan.launches] == [1]
    assert plan.service.deployments[0].failed_tasks == 0


def test_a_task_that_is_stopping_on_its_own_is_replaced_already() -> None:
    w = steady_world()
    dying = w.live()[0]
    dying.last_status = "STOPPING"
    plan = w.reconcile()
    assert [launch.count for launch in plan.launches] == [1] and plan.stops == []


# --- lost hosts and draining ---------------------------------------------------------------------


def test_lost_host_tasks_are_stopped_and_replaced_elsewhere_at_once() -> None:
    w = steady_world(desired=3, instance_ids=("i1", "i2", "i3"))
    on_i1 = [t for t in w.live() if short(t.container_instance_arn) == "i1"]
    w.set_instance("i1", agent_connected=False)
    plan = w.reconcile()
    assert sorted(s.task_arn for s in plan.stops) == sorted(t.task_arn for t in on_i1)
    assert plan.stops[0].reason == "Task replaced: container instance i1 is disconnected"
    assert [launch.count for launch in plan.launches] == [len(on_i1)]
    assert plan.service.running_count == 2  # the lost one no longer counts
    w.run(4)
    assert w.healthy() == 3 and all(short(t.container_instance_arn) != "i1" for t in w.live())
    # The agent comes back: its stale copy is desired STOPPED already, and stops.
    w.set_instance("i1", agent_connected=True)
    stale = w.tasks[on_i1[0].task_arn]
    assert stale.desired_status == "STOPPED" and stale.last_status == "RUNNING"
    assert w.holding() == 4  # for as long as the reconnection takes
    plan = w.reconcile()
    assert plan.launches == [] and plan.stops == []
    w.step()
    assert stale.last_status == "STOPPED" and w.holding() == 3
    w.reconcile()
    assert w.service.running_count == 3


def test_draining_instance_replacement_starts_first_then_stops_within_limits() -> None:
    w = steady_world(desired=3, instance_ids=("i1", "i2", "i3", "i4"))
    target = next(i for i, n in by_instance(w.live()).items() if n)
    moving = [t.task_arn for t in w.live() if short(t.container_instance_arn) == target]
    w.set_instance(target, status="DRAINING")
    cap, floor = w.limits()
    plan = w.reconcile()
    assert [launch.count for launch in plan.launches] == [len(moving)] and plan.stops == []
    for _ in range(6):
        w.step()
        w.reconcile()
        assert w.healthy() >= floor and w.holding() <= cap
    assert all(w.tasks[arn].desired_status == "STOPPED" for arn in moving)
    assert w.tasks[moving[0]].stopped_reason == f"Container instance {target} is DRAINING"
    assert len(w.live()) == 3 and target not in by_instance(w.live())


def test_pending_task_on_draining_instance_is_stopped_at_once() -> None:
    tasks = [task("t1"), task("t2", instance_id="i2", last="PENDING")]
    instances = [instance("i1"), instance("i2", status="DRAINING"), instance("i3")]
    plan = plan_for(service(desired=2), tasks, instances=instances)
    assert [short(s.task_arn) for s in plan.stops] == ["t2"]
    assert [launch.count for launch in plan.launches] == [1]


def test_tasks_on_unknown_instances_count_as_connected() -> None:
    """FARGATE pool instances are not in the cluster's instance list: their tasks are fine."""
    tasks = [task("t1", instance_id="pool-1"), task("t2", instance_id="pool-2")]
    plan = plan_for(service(desired=2), tasks, instances=[])
    assert plan.launches == [] and plan.stops == []


# --- rolling deployments -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("minimum", "maximum", "checked"),
    [
        pytest.param(50, 150, False, id="min50-max150"),
        pytest.param(50, 150, True, id="min50-max150-health-checked"),
        pytest.param(100, 200, False, id="min100-max200"),
        pytest.param(0, 100, False, id="min0-max100-stop-first"),
        pytest.param(100, 100, False, id="min100-max100-no-deadlock"),
        pytest.param(75, 125, True, id="min75-max125"),
    ],
)
def test_rolling_update_respects_limits_at_every_step(minimum: int, maximum: int, checked: bool) -> None:
    w = steady_world(desired=4, instance_ids=("i1", "i2", "i3"), minimum=minimum, maximum=maximum)
    if checked:
        w.health_checked.add(td(2))
    new = w.update(td(2))
    cap, floor = w.limits()
    assert (cap, floor) == deployment_limits(4, maximum, minimum)
    samples = []
    for _ in range(30):
        w.reconcile()
        samples.append((w.healthy(), w.holding()))
        w.step()
        samples.append((w.healthy(), w.holding()))
        if w.primary().rollout_state == "COMPLETED" and w.holding() == 4:
            break
    assert min(h for h, _ in samples) >= floor, samples
    assert max(n for _, n in samples) <= cap, samples
    assert w.primary().id == new and w.primary().rollout_state == "COMPLETED"
    assert len(w.live(new)) == 4 and w.healthy(new) == 4
    assert all(t.task_definition_arn == td(2) for t in w.live())
    assert [d.status for d in w.service.deployments] == ["PRIMARY", "INACTIVE"]
    assert "(service web) has reached a steady state." in w.events


def test_issue_example_min50_max150_step_by_step() -> None:
    """desired 4: start 2 new and stop 2 old, then the other 2 once the new ones are healthy."""
    w = steady_world(desired=4, minimum=50, maximum=150)
    new = w.update(td(2))
    plan = w.reconcile()
    assert [(launch.deployment_id, launch.count) for launch in plan.launches] == [(new, 2)]
    assert len(plan.stops) == 2
    old = plan.service.deployments[1]
    assert (old.status, old.running_count, old.desired_count) == ("ACTIVE", 2, 2)
    assert plan.service.deployments[0].pending_count == 2
    w.step()  # the 2 old ones stop
    plan = w.reconcile()
    assert [launch.count for launch in plan.launches] == [2] and plan.stops == []
    assert w.holding() == 6


def test_old_deployment_goes_inactive_and_only_a_few_inactive_are_kept() -> None:
    w = steady_world(desired=1, instance_ids=("i1",))
    for revision in range(2, 10):
        w.update(td(revision))
        w.run(6)
    statuses = [d.status for d in w.service.deployments]
    assert statuses.count("PRIMARY") == 1 and statuses.count("ACTIVE") == 0
    assert statuses.count("INACTIVE") == SETTINGS.max_inactive_deployments
    # The newest INACTIVE ones are the ones kept.
    kept = sorted(d.created_at for d in w.service.deployments if d.status == "INACTIVE")
    assert kept[-1] == max(d.created_at for d in w.service.deployments if d.status != "PRIMARY")


def test_update_during_a_deployment_drains_both_older_ones() -> None:
    w = steady_world(desired=2, instance_ids=("i1", "i2"))
    w.update(td(2))
    w.reconcile()
    w.step()
    third = w.update(td(3))
    w.run(12)
    assert w.primary().id == third and w.primary().rollout_state == "COMPLETED"
    assert [d.status for d in w.service.deployments] == ["PRIMARY", "INACTIVE", "INACTIVE"]
    assert all(t.task_definition_arn == td(3) for t in w.live())


def test_updated_at_moves_only_on_change() -> None:
    w = steady_world()
    stamp = w.primary().updated_at
    w.step(100)
    w.reconcile()
    assert w.primary().updated_at == stamp
    w.kill(w.live()[0].task_arn, code="UserInitiated")
    w.reconcile()
    assert w.primary().updated_at == w.now


# --- health --------------------------------------------------------------------------------------


def test_task_without_health_check_is_healthy_after_settle_time() -> None:
    svc = service(desired=1)
    running = task("t1", created_at=T0 - 2, started_at=T0 - 1)
    plan = plan_for(svc, [running])
    assert plan.service.deployments[0].rollout_state == "IN_PROGRESS"
    assert plan.next_wakeup == T0 - 1 + SETTINGS.settle_seconds
    later = plan_for(svc, [running], now=T0 + 20)
    assert later.service.deployments[0].rollout_state == "COMPLETED"
    assert later.next_wakeup is None


def test_health_checked_task_waits_for_healthy_not_for_settle() -> None:
    svc = service(desired=1)
    unknown = task("t1", started_at=T0 - 100)
    assert plan_for(svc, [unknown], health_checked=frozenset({td(1)})).service.deployments[
        0
    ].rollout_state == ("IN_PROGRESS")
    # Without the hint, an UNKNOWN task looks unchecked and counts after the settle time.
    assert plan_for(svc, [unknown]).service.deployments[0].rollout_state == "COMPLETED"
    healthy = task("t1", started_at=T0 - 1, health="HEALTHY")
    assert plan_for(svc, [healthy], health_checked=frozenset({td(1)})).service.deployments[
        0
    ].rollout_state == ("COMPLETED")


@pytest.mark.parametrize(
    ("grace", "started_ago", "stopped"),
    [
        pytest.param(None, 1, True, id="no-grace"),
        pytest.param(60, 30, False, id="within-grace"),
        pytest.param(60, 61, True, id="after-grace"),
    ],
)
def test_unhealthy_task_is_replaced_after_the_grace_period(
    grace: int | None, started_ago: float, stopped: bool
) -> None:
    svc = service(desired=1, grace=grace)
    sick = task("t1", started_at=T0 - started_ago, health="UNHEALTHY")
    plan = plan_for(svc, [sick])
    if stopped:
        assert [(short(s.task_arn), s.reason) for s in plan.stops] == [("t1", HEALTH_CHECK_REASON)]
        assert [launch.count for launch in plan.launches] == [1]
        assert plan.events[0] == "(service web) (task t1) failed container health checks."
    else:
        assert plan.stops == [] and plan.launches == []
        assert plan.next_wakeup == T0 - started_ago + 60


def test_unhealthy_tasks_count_as_failures_for_the_breaker() -> None:
    w = world(service(desired=2, breaker=True), instance_ids=("i1", "i2"))
    w.health_checked.add(td(1))
    w.unhealthy.add(td(1))
    w.run(20)
    assert w.primary().rollout_state == "FAILED"
    assert any("failed container health checks" in e for e in w.events)


# --- failures: backoff and the circuit breaker ---------------------------------------------------


def test_launch_backoff_after_failures_before_running() -> None:
    w = world(service(desired=1), instance_ids=("i1",))
    w.bad.add(td(1))
    launches_at: list[float] = []
    for _ in range(200):
        plan = w.reconcile()
        if plan.launches:
            launches_at.append(w.now)
        if plan.next_wakeup is not None and not plan.launches and w.holding() == 0:
            # Nothing happens until the backoff runs out: a plan just before it is empty.
            assert w.plan(now=plan.next_wakeup - 0.001).launches == []
            w.now = plan.next_wakeup - 1.0
        w.step(1.0)
        if w.now > T0 + 600:
            break
    gaps = [b - a for a, b in itertools.pairwise(launches_at)]
    # Each attempt takes 2 s to fail (PROVISIONING -> PENDING -> STOPPED); then the wait doubles.
    waits = [g - 2 for g in gaps]
    assert waits[:6] == [2.0, 4.0, 8.0, 16.0, 32.0, 64.0], gaps
    assert len(launches_at) < 12  # no hot loop
    assert w.events.count("(service web) is unable to consistently start tasks successfully.") >= 3
    assert w.primary().failed_tasks == len(launches_at) - (1 if w.holding() else 0)


def test_backoff_is_capped_and_next_wakeup_says_when() -> None:
    failures = [
        task(
            f"t{n}", last="STOPPED", desired="STOPPED", stop_code="TaskFailedToStart", created_at=T0 + 100 * n
        )
        for n in range(12)
    ]
    last = max(t.stopped_at for t in failures)
    plan = plan_for(service(desired=1), failures, now=last + 10)
    assert plan.launches == [] and plan.next_wakeup == last + SETTINGS.backoff_max_seconds
    assert plan_for(service(desired=1), failures, now=last + 900).launches


def test_a_burst_of_failures_together_is_one_round() -> None:
    failures = [
        task(
            f"t{n}",
            last="STOPPED",
            desired="STOPPED",
            stop_code="TaskFailedToStart",
            created_at=T0,
            stopped_at=T0 + 5,
        )
        for n in range(10)
    ]
    plan = plan_for(service(desired=10), failures, now=T0 + 6)
    assert plan.launches == [] and plan.next_wakeup == T0 + 5 + 2.0
    assert plan.service.deployments[0].failed_tasks == 10


def test_a_healthy_task_resets_the_failure_count() -> None:
    svc = service(desired=2)
    svc.deployments[0].failed_tasks = 2
    tasks = [
        task("f1", last="STOPPED", desired="STOPPED", stop_code="TaskFailedToStart", created_at=T0 - 50),
        task("ok", created_at=T0 - 40, started_at=T0 - 30),
    ]
    plan = plan_for(svc, tasks)
    d = plan.service.deployments[0]
    assert d.failed_tasks == 0 and d.last_healthy_at == T0 - 30 + SETTINGS.settle_seconds
    assert [launch.count for launch in plan.launches] == [1]


def test_circuit_breaker_without_rollback_fails_and_stops_launching() -> None:
    w = steady_world(desired=4, breaker=True)
    w.bad.add(td(2))
    failed = w.update(td(2))
    w.run(40)
    d = next(d for d in w.service.deployments if d.id == failed)
    assert (d.status, d.rollout_state) == ("PRIMARY", "FAILED")
    assert d.rollout_state_reason == "ECS deployment circuit breaker: tasks failed to start."
    assert d.failed_tasks >= circuit_breaker_threshold(4)
    assert f"(service web) (deployment {failed}) deployment failed: tasks failed to start." in w.events
    launched = w.launched
    w.run(20)
    assert w.launched == launched  # FAILED launches nothing more
    # The old tasks that nothing would replace are kept.
    assert w.healthy("ecs-svc/1") == 4 and w.service.running_count == 4


def test_circuit_breaker_with_rollback_restores_the_last_completed_deployment() -> None:
    w = steady_world(desired=4, breaker=True, rollback=True)
    launched_before = w.launched
    w.bad.add(td(2))
    failed = w.update(td(2))
    w.run(40)
    rollback = w.primary()
    assert rollback.id != failed and rollback.rollback_from == failed
    assert rollback.task_definition == td(1) and w.service.task_definition == td(1)
    assert rollback.rollout_state == "COMPLETED"
    old = next(d for d in w.service.deployments if d.id == failed)
    assert (old.status, old.rollout_state) == ("INACTIVE", "FAILED")
    assert w.healthy(rollback.id) == 4 and len(w.live()) == 4
    assert "(service web) rolling back to deployment ecs-svc/1." in w.events
    assert w.events.index(
        f"(service web) (deployment {failed}) deployment failed: tasks failed to start."
    ) < (w.events.index(f"(service web) (deployment {rollback.id}) deployment completed."))
    assert w.service.last_completed.id == rollback.id
    # No hot loop: the failed deployment launched a handful of tasks, the rollback 4.
    assert w.launched - launched_before <= circuit_breaker_threshold(4) + 4 + 4


def test_a_failed_rollback_is_not_rolled_back_again() -> None:
    svc = service(desired=1, breaker=True, rollback=True, task_definition=td(1))
    svc.deployments[0].rollback_from = "ecs-svc/0"
    svc.last_completed.CopyFrom(deployment("ecs-svc/0", td(1), desired=1, rollout="COMPLETED"))
    failures = [
        task(
            f"t{n}",
            last="STOPPED",
            desired="STOPPED",
            stop_code="TaskFailedToStart",
            created_at=T0 - 100 + 10 * n,
        )
        for n in range(3)
    ]
    plan = plan_for(svc, failures)
    assert [d.rollout_state for d in plan.service.deployments] == ["FAILED"]
    assert plan.launches == [] and len(plan.service.deployments) == 1


def test_breaker_ignores_a_completed_deployment() -> None:
    w = steady_world(desired=1, instance_ids=("i1",), breaker=True)
    w.bad.add(td(1))  # the image disappeared after the deployment completed
    w.kill(w.live()[0].task_arn, code="UserInitiated")
    w.run(30)
    assert w.primary().rollout_state == "COMPLETED"  # self-healing keeps trying, with backoff
    assert w.launched < 3 + 10


# --- DAEMON --------------------------------------------------------------------------------------


def daemon_world(instance_ids: tuple[str, ...] = ("i1", "i2", "i3"), **kwargs: object) -> World:
    w = world(service(daemon=True, desired=0, **kwargs), instance_ids)  # type: ignore[arg-type]
    w.run(5)
    w.reconcile()
    assert w.primary().rollout_state == "COMPLETED", w.events
    return w


def test_daemon_runs_one_task_on_every_target() -> None:
    w = world(service(daemon=True, desired=0), ("i1", "i2", "i3"))
    plan = w.reconcile()
    assert plan.launches[0].instance_ids == ("i1", "i2", "i3") and plan.launches[0].count == 3
    assert plan.service.desired_count == 3 and plan.service.deployments[0].desired_count == 3
    w.run(5)
    assert by_instance(w.live()) == {"i1": 1, "i2": 1, "i3": 1}
    assert "(service web) has reached a steady state." in w.events


def test_daemon_new_instance_gets_its_task() -> None:
    w = daemon_world()
    w.instances["i4"] = instance("i4")
    plan = w.reconcile()
    assert [launch.instance_ids for launch in plan.launches] == [("i4",)]
    assert plan.service.desired_count == 4


def test_daemon_draining_instance_loses_its_task() -> None:
    w = daemon_world()
    w.set_instance("i2", status="DRAINING")
    plan = w.reconcile()
    assert [short(w.tasks[s.task_arn].container_instance_arn) for s in plan.stops] == ["i2"]
    assert plan.stops[0].reason == "Container instance i2 is DRAINING for daemon service web"
    assert plan.launches == [] and plan.service.desired_count == 2


def test_daemon_task_on_a_disconnected_instance_is_left_alone() -> None:
    w = daemon_world()
    w.set_instance("i3", agent_connected=False)
    plan = w.reconcile()
    assert plan.stops == [] and plan.launches == []
    assert plan.service.desired_count == 2 and plan.service.running_count == 2
    w.set_instance("i3", agent_connected=True)
    plan = w.reconcile()
    assert plan.stops == [] and plan.launches == [] and plan.service.running_count == 3


def test_daemon_stops_duplicates_and_tasks_off_target() -> None:
    tasks = [
        task("a", instance_id="i1"),
        task("b", instance_id="i1", created_at=T0 - 10),
        task("c", instance_id="i2"),
        task("d", instance_id="i3"),
    ]
    plan = plan_for(service(daemon=True, desired=0), tasks, targets=frozenset({"i1", "i2"}))
    assert sorted(short(s.task_arn) for s in plan.stops) == ["b", "d"]
    assert plan.launches == []


@pytest.mark.parametrize(
    ("minimum", "maximum"),
    [
        pytest.param(None, None, id="defaults-min0-max100"),
        pytest.param(50, 100, id="min50"),
        pytest.param(100, 100, id="min100"),
    ],
)
def test_daemon_deployment_replaces_per_instance(minimum: int | None, maximum: int | None) -> None:
    w = daemon_world(minimum=minimum, maximum=maximum)
    new = w.update(td(2))
    cap, _ = w.limits()
    for _ in range(20):
        w.reconcile()
        per_instance = by_instance(t for t in w.tasks.values() if t.last_status != "STOPPED")
        if (maximum or 100) == 100 and cap == 3:
            assert max(per_instance.values()) == 1, per_instance  # stop the old copy, then start the new
        assert w.holding() <= cap
        w.step()
    assert w.primary().id == new and w.primary().rollout_state == "COMPLETED"
    assert by_instance(w.live(new)) == {"i1": 1, "i2": 1, "i3": 1}
    assert len(w.live()) == 3


def test_daemon_new_copies_go_to_empty_instances_first() -> None:
    svc = service(daemon=True, desired=0, minimum=100, maximum=100, task_definition=td(2))
    svc.deployments.insert(0, deployment("ecs-svc/2", td(2), desired=3, created_at=T0 + 1))
    svc.deployments[1].status = "ACTIVE"
    tasks = [task("a", instance_id="i1"), task("b", instance_id="i2")]
    plan = plan_for(svc, tasks, targets=frozenset({"i1", "i2", "i3"}))
    # cap 4 (one surge), 2 holding: the new instance first, then one next to an old copy.
    assert [launch.instance_ids for launch in plan.launches] == [("i3", "i1")]
    assert plan.stops == []


def test_daemon_min100_keeps_every_instance_served() -> None:
    w = daemon_world(minimum=100, maximum=100)
    w.update(td(2))
    for _ in range(25):
        w.reconcile()
        served = {short(t.container_instance_arn) for t in w.live() if w.is_healthy(t)}
        assert len(served) >= 3 - 0, served
        w.step()
    assert w.primary().rollout_state == "COMPLETED"


# --- deleting ------------------------------------------------------------------------------------


def test_draining_service_stops_everything_then_goes_inactive() -> None:
    w = steady_world()
    w.delete()
    plan = w.reconcile()
    assert len(plan.stops) == 3 and plan.launches == []
    assert plan.stops[0].reason == "Service web is being deleted"
    assert plan.service.status == "DRAINING"  # until the tasks have stopped
    assert not any("steady" in e for e in plan.events)
    w.step()
    plan = w.reconcile()
    assert plan.service.status == "INACTIVE"
    assert {d.status for d in plan.service.deployments} == {"INACTIVE"}
    assert plan.service.running_count == 0
    assert w.plan().empty


def test_draining_service_with_a_lost_task_does_not_wait_for_it() -> None:
    w = steady_world(instance_ids=("i1", "i2", "i3"))
    w.set_instance("i1", agent_connected=False)
    w.delete()
    w.reconcile()
    w.step()
    assert w.reconcile().service.status == "INACTIVE"


# --- the record ----------------------------------------------------------------------------------


def test_record_launch_shortfall_corrects_pending_counts() -> None:
    plan = plan_for(service(desired=3), [])
    fixed = record_launch_shortfall(plan.service, "ecs-svc/1", 2)
    assert fixed.pending_count == 1 and fixed.deployments[0].pending_count == 1
    assert plan.service.pending_count == 3  # the plan's record is untouched


def test_input_is_never_modified() -> None:
    svc = service(desired=2, breaker=True, rollback=True)
    svc.last_completed.CopyFrom(deployment("ecs-svc/0", td(0), desired=2, rollout="COMPLETED"))
    tasks = [
        task(
            f"t{n}",
            last="STOPPED",
            desired="STOPPED",
            stop_code="TaskFailedToStart",
            created_at=T0 - 100 + 10 * n,
        )
        for n in range(3)
    ]
    copies = [types_pb2.Task(), types_pb2.Task(), types_pb2.Task()]
    for c, t in zip(copies, tasks, strict=True):
        c.CopyFrom(t)
    before = types_pb2.Service()
    before.CopyFrom(svc)
    plan = plan_for(svc, tasks)
    assert svc == before and tasks == copies
    assert plan.service.deployments[0].id == "ecs-svc/new"  # rolled back, in a new message
