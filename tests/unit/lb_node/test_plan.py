"""The command planner: slot assignment, runtime API commands, and that a plan, once applied,
leaves nothing to do."""

from __future__ import annotations

import re
from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from agent.lb.plan import DRAIN, MAINT, READY, ServerState, Want, admin_state, assign, plan_backend, wanted
from berth.v1 import elb_pb2

B = "tg-app"


def free(n: int) -> ServerState:
    return ServerState(n, "0.0.0.0", 0, MAINT)


def slots(*states: ServerState, size: int = 4) -> list[ServerState]:
    have = {s.slot: s for s in states}
    return [have.get(n, free(n)) for n in range(1, size + 1)]


def w(ip: str, port: int = 80, *, draining: bool = False) -> Want:
    return Want(ip, ip, port, draining)


def test_a_new_target_takes_the_first_free_slot_and_is_checked_before_traffic() -> None:
    plan = plan_backend(B, slots(), [w("10.0.0.1")], 4, checks=True)
    assert plan.commands == [
        "set server tg-app/srv1 addr 10.0.0.1 port 80",
        "set server tg-app/srv1 state drain",
        "set server tg-app/srv1 health down",
        "set server tg-app/srv1 state ready",
    ]
    assert plan.owners == {1: w("10.0.0.1")}


def test_without_checks_a_new_target_is_not_marked_down() -> None:
    plan = plan_backend(B, slots(), [w("10.0.0.1")], 4, checks=False)
    assert "set server tg-app/srv1 health down" not in plan.commands


def test_targets_keep_their_slots_and_nothing_is_sent_when_nothing_changed() -> None:
    current = slots(ServerState(3, "10.0.0.1", 80, READY), ServerState(1, "10.0.0.2", 80, READY))
    plan = plan_backend(B, current, [w("10.0.0.1"), w("10.0.0.2")], 4, checks=True)
    assert plan.commands == []
    assert plan.owners == {3: w("10.0.0.1"), 1: w("10.0.0.2")}


def test_a_removed_target_goes_to_maint_and_its_address_is_cleared() -> None:
    current = slots(ServerState(1, "10.0.0.1", 80, READY), ServerState(2, "10.0.0.2", 80, READY))
    plan = plan_backend(B, current, [w("10.0.0.2")], 4, checks=True)
    assert plan.commands == [
        "set server tg-app/srv1 state maint",
        "set server tg-app/srv1 addr 0.0.0.0 port 0",
    ]


def test_a_draining_target_is_set_to_drain_at_once() -> None:
    current = slots(ServerState(1, "10.0.0.1", 80, READY))
    plan = plan_backend(B, current, [w("10.0.0.1", draining=True)], 4, checks=True)
    assert plan.commands == ["set server tg-app/srv1 state drain"]
    back = plan_backend(B, slots(ServerState(1, "10.0.0.1", 80, DRAIN)), [w("10.0.0.1")], 4, checks=True)
    assert back.commands == ["set server tg-app/srv1 state ready"]


def test_a_full_backend_reuses_a_leftover_slot_through_maint() -> None:
    current = [ServerState(1, "10.0.0.1", 80, READY), ServerState(2, "10.0.0.2", 80, READY)]
    plan = plan_backend(B, current, [w("10.0.0.2"), w("10.0.0.3")], 2, checks=True)
    assert plan.commands == [
        "set server tg-app/srv1 state maint",
        "set server tg-app/srv1 addr 10.0.0.3 port 80",
        "set server tg-app/srv1 state drain",
        "set server tg-app/srv1 health down",
        "set server tg-app/srv1 state ready",
    ]


def test_a_changed_weight_is_restored() -> None:
    current = slots(ServerState(1, "10.0.0.1", 80, READY, weight=1))
    assert plan_backend(B, current, [w("10.0.0.1")], 4, checks=True).commands == [
        "set server tg-app/srv1 weight 100"
    ]


def test_slots_for_a_reload_keep_state_only_where_the_target_stays() -> None:
    current = slots(ServerState(1, "10.0.0.1", 80, READY), size=2)
    plan = plan_backend(B, current, [w("10.0.0.1"), w("10.0.0.2"), w("10.0.0.3")], 4, checks=True)
    assert [(s.address, s.enabled) for s in plan.slots] == [
        ("10.0.0.1", True),
        ("10.0.0.2", False),
        ("10.0.0.3", False),
        ("0.0.0.0", True),
    ]


def test_wanted_drops_expired_drains_and_duplicates() -> None:
    group = elb_pb2.NodeTargetGroup(
        targets=[
            elb_pb2.NodeTarget(id="a", address="10.0.0.1", port=80, draining=True, drain_deadline=100),
            elb_pb2.NodeTarget(id="b", address="10.0.0.2", port=80, draining=True, drain_deadline=200),
            elb_pb2.NodeTarget(id="b", address="10.0.0.2", port=80),
            elb_pb2.NodeTarget(id="c", address="10.0.0.3", port=80, draining=True, drain_deadline=200),
        ]
    )
    got = wanted(group, now=150)
    assert [(x.target_id, x.draining) for x in got] == [("b", False), ("c", True)]


def test_wanted_leaves_out_what_haproxy_cannot_connect_to() -> None:
    group = elb_pb2.NodeTargetGroup(
        targets=[
            elb_pb2.NodeTarget(id="ok", address="10.0.0.1", port=80),
            elb_pb2.NodeTarget(id="no-address", address="", port=80),
            elb_pb2.NodeTarget(id="v6", address="fd00::1", port=80),
            elb_pb2.NodeTarget(id="no-port", address="10.0.0.2", port=0),
            elb_pb2.NodeTarget(id="any", address="0.0.0.0", port=80),
        ]
    )
    assert [x.target_id for x in wanted(group, now=0)] == ["ok"]


def test_admin_state_from_show_stat_status() -> None:
    assert [admin_state(s) for s in ("UP", "DOWN 1/2", "MAINT", "MAINT (resolution)", "DRAIN", "NOLB")] == [
        READY,
        READY,
        MAINT,
        MAINT,
        DRAIN,
        READY,
    ]


def apply(current: list[ServerState], commands: list[str]) -> list[ServerState]:
    """What HAProxy does with the commands the planner sends (the subset it uses)."""
    by_slot = {s.slot: s for s in current}
    for cmd in commands:
        m = re.fullmatch(r"set server tg-app/srv(\d+) (.*)", cmd)
        assert m, cmd
        n, rest = int(m.group(1)), m.group(2)
        s = by_slot[n]
        if a := re.fullmatch(r"addr (\S+) port (\d+)", rest):
            s = replace(s, address=a.group(1), port=int(a.group(2)))
        elif a := re.fullmatch(r"state (ready|drain|maint)", rest):
            s = replace(s, admin=a.group(1))
        elif a := re.fullmatch(r"weight (\d+)", rest):
            s = replace(s, weight=int(a.group(1)))
        else:
            assert rest == "health down", cmd
        by_slot[n] = s
    return [by_slot[n] for n in sorted(by_slot)]


endpoints = st.tuples(
    st.sampled_from(["10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4"]), st.sampled_from([80, 81])
)
wants = st.lists(st.tuples(endpoints, st.booleans()), max_size=8, unique_by=lambda x: x[0]).map(
    lambda xs: [Want(ip, ip, port, draining) for (ip, port), draining in xs]
)


@settings(max_examples=200, deadline=None)
@given(first=wants, second=wants)
def test_a_plan_applied_leaves_nothing_to_do_and_targets_never_move(
    first: list[Want], second: list[Want]
) -> None:
    state = slots(size=8)
    state = apply(state, plan_backend(B, state, first, 8, checks=True).commands)
    again = plan_backend(B, state, first, 8, checks=True)
    assert again.commands == []
    served = {(s.address, s.port): s for s in state if not s.free}
    assert set(served) == {x.endpoint for x in first}
    assert all(served[x.endpoint].admin == (DRAIN if x.draining else READY) for x in first)
    placed = again.owners
    after = plan_backend(B, state, second, 8, checks=True)
    for slot, want in after.owners.items():
        before = [n for n, x in placed.items() if x.endpoint == want.endpoint]
        assert before in ([], [slot])  # a target that stays keeps its slot
    state = apply(state, after.commands)
    assert plan_backend(B, state, second, 8, checks=True).commands == []


def test_assign_refuses_more_targets_than_slots() -> None:
    import pytest

    with pytest.raises(ValueError, match="3 targets do not fit in 2 slots"):
        assign([], [w("10.0.0.1"), w("10.0.0.2"), w("10.0.0.3")], 2)
