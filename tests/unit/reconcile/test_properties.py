"""Properties of compute_service_plan() over random histories driven by the simulator in `sim`.

1. After a plan is applied, a second plan at the same `now` is empty (checked by `World.reconcile`
   after every plan whose launches could all be placed).
2. During a rolling deployment the tasks holding resources never exceed the cap, and the healthy ones
   never drop below the floor once it was reached (no task crashes on its own here).
3. No task is ever stopped twice, nor stopped when already desired STOPPED (`World._check`).
4. Deployment statuses only move PRIMARY -> ACTIVE -> INACTIVE and rollout states only
   IN_PROGRESS -> COMPLETED | FAILED (`World._check`).
"""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.unit.reconcile.sim import World, instance, service, steady_world, td, world

_PERCENTS_MIN = st.sampled_from((0, 25, 50, 75, 100))
_PERCENTS_MAX = st.sampled_from((100, 125, 150, 200))
_DT = st.sampled_from((1.0, 3.0, 5.0, 12.0))


@settings(max_examples=150, deadline=None)
@given(
    desired=st.integers(1, 6),
    minimum=_PERCENTS_MIN,
    maximum=_PERCENTS_MAX,
    instances=st.integers(1, 4),
    checked=st.booleans(),
    daemon=st.booleans(),
    dt=_DT,
    seed=st.integers(0, 2**16),
    second_update_at=st.one_of(st.none(), st.integers(0, 10)),
)
def test_rolling_deployment_stays_within_cap_and_floor(
    desired: int,
    minimum: int,
    maximum: int,
    instances: int,
    checked: bool,
    daemon: bool,
    dt: float,
    seed: int,
    second_update_at: int | None,
) -> None:
    ids = tuple(f"i{n}" for n in range(1, instances + 1))
    if daemon:
        maximum = 100  # the API allows nothing else for DAEMON
    w = steady_world(
        desired=desired, instance_ids=ids, rounds=8, minimum=minimum, maximum=maximum, daemon=daemon
    )
    if checked:
        w.health_checked.update({td(2), td(3)})
    w.chaos = random.Random(seed)
    w.update(td(2))
    cap, floor = w.limits()
    target = len(ids) if daemon else desired
    reached = w.healthy() >= floor
    assert reached  # it was steady

    def check(where: str) -> None:
        assert w.holding() <= cap, (where, w.holding(), cap)
        assert w.healthy() >= floor, (where, w.healthy(), floor)

    for n in range(300):
        if n == second_update_at:
            w.update(td(3))
        w.reconcile()
        check("after plan")
        w.step(dt)
        check("after step")
        if w.primary().rollout_state == "COMPLETED" and w.holding() == target:
            break
    final = td(3) if second_update_at is not None and second_update_at < n else td(2)
    assert w.primary().rollout_state == "COMPLETED", w.events
    assert w.primary().task_definition == final
    assert len(w.live()) == target and all(t.task_definition_arn == final for t in w.live())
    assert w.healthy() == target


_OPS = st.sampled_from(
    (
        "step",
        "step",
        "step",
        "long-step",
        "deploy",
        "deploy-bad",
        "scale",
        "drain",
        "activate",
        "disconnect",
        "reconnect",
        "kill",
        "kill-early",
        "user-stop",
        "add-instance",
        "delete",
    )
)


@settings(max_examples=300, deadline=None)
@given(
    desired=st.integers(0, 5),
    minimum=_PERCENTS_MIN,
    maximum=_PERCENTS_MAX,
    instances=st.integers(1, 4),
    daemon=st.booleans(),
    breaker=st.booleans(),
    rollback=st.booleans(),
    checked=st.booleans(),
    hint=st.booleans(),
    grace=st.sampled_from((None, 0, 20)),
    ops=st.lists(st.tuples(_OPS, st.integers(0, 2**16)), max_size=40),
)
def test_random_histories_keep_the_invariants(
    desired: int,
    minimum: int,
    maximum: int,
    instances: int,
    daemon: bool,
    breaker: bool,
    rollback: bool,
    checked: bool,
    hint: bool,
    grace: int | None,
    ops: list[tuple[str, int]],
) -> None:
    """Properties 1, 3 and 4 (checked inside `World.reconcile`) through anything that can happen."""
    if daemon:
        maximum = 100
    svc = service(
        desired=desired,
        daemon=daemon,
        minimum=minimum,
        maximum=maximum,
        breaker=breaker,
        rollback=rollback,
        grace=grace,
    )
    w = world(svc, tuple(f"i{n}" for n in range(1, instances + 1)))
    w.pass_health_checked = hint
    revision = 1
    if checked:
        w.health_checked.add(td(1))
    w.reconcile()
    for op, pick in ops:
        _do(w, op, pick, revision)
        if op.startswith("deploy"):
            revision += 1
            if checked:
                w.health_checked.add(td(revision))
            if op == "deploy-bad":
                w.bad.add(td(revision))
            w.update(td(revision))
        plan = w.reconcile()
        if w.service.status == "INACTIVE":
            break
        _check_counts(w)
        if plan.launches and not daemon:
            # Launches only ever use room under the cap (holding may exceed it on its own: a
            # scale-in in progress, or a lost agent coming back with its stale copies).
            cap, _ = w.limits()
            assert w.holding() <= cap


def _do(w: World, op: str, pick: int, revision: int) -> None:
    live = [t for t in w.live()]
    ids = sorted(w.instances)
    chosen = ids[pick % len(ids)]
    if op == "step":
        w.step(1.0 + pick % 6)
    elif op == "long-step":
        w.step(60.0 + pick % 900)
    elif op == "scale":
        w.update(desired=pick % 6)
    elif op == "drain":
        w.set_instance(chosen, status="DRAINING")
    elif op == "activate":
        w.set_instance(chosen, status="ACTIVE")
    elif op == "disconnect":
        w.set_instance(chosen, agent_connected=False)
    elif op == "reconnect":
        w.set_instance(chosen, agent_connected=True)
    elif op in ("kill", "kill-early", "user-stop") and live:
        victim = live[pick % len(live)]
        if op == "kill-early":
            victim.started_at = 0.0
        w.kill(victim.task_arn, code="UserInitiated" if op == "user-stop" else "EssentialContainerExited")
    elif op == "add-instance":
        ident = f"i{len(ids) + 1}"
        w.instances[ident] = instance(ident)
    elif op == "delete":
        w.delete()


def _check_counts(w: World) -> None:
    """The record's counts are those of the applied plan."""
    svc = w.service
    live = w.live()
    assert svc.running_count == sum(1 for t in live if t.last_status == "RUNNING")
    assert svc.pending_count == sum(1 for t in live if t.last_status != "RUNNING")
    primaries = [d for d in svc.deployments if d.status == "PRIMARY"]
    assert len(primaries) <= 1
    if svc.steady_since:
        assert len([d for d in svc.deployments if d.status != "INACTIVE"]) == 1
        assert svc.running_count == svc.desired_count
