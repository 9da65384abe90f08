"""place() and choose_to_stop(): every filter's reason, the closest match, each strategy, scale-in."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Mapping, Sequence

import pytest

from controlplane.scheduler import (
    SERVICE_DEFAULT_STRATEGIES,
    Constraint,
    Instance,
    Placement,
    Reason,
    RunningTask,
    Strategy,
    TaskRequest,
    booked,
    choose_to_stop,
    place,
    validate_placement,
)

ZONES = ("us-east-1a", "us-east-1b", "us-east-1c")


def instance(
    id: str,
    *,
    cpu: int = 4096,
    memory: int = 8192,
    status: str = "ACTIVE",
    connected: bool = True,
    zone: str | None = "us-east-1a",
    attributes: Mapping[str, str | None] | None = None,
    tcp: Sequence[int] = (22,),
    udp: Sequence[int] = (),
    groups: Mapping[str, int] | None = None,
    host: str = "",
) -> Instance:
    attrs: dict[str, str | None] = {"ecs.os-type": "linux", "ecs.instance-type": "t3.large"}
    if zone is not None:
        attrs["ecs.availability-zone"] = zone
    attrs.update(attributes or {})
    return Instance(
        id=id,
        arn=f"arn:berth:ecs:local:000000000000:container-instance/default/{id}",
        status=status,
        agent_connected=connected,
        attributes=attrs,
        remaining_cpu=cpu,
        remaining_memory=memory,
        used_ports_tcp=frozenset(tcp),
        used_ports_udp=frozenset(udp),
        running_tasks_count=sum((groups or {}).values()),
        registered_at=1_700_000_000.0,
        task_groups=dict(groups or {}),
        ec2_instance_id=host,
    )


def task(
    *,
    cpu: int = 256,
    memory: int = 512,
    tcp: Sequence[int] = (),
    udp: Sequence[int] = (),
    group: str = "service:web",
    constraints: Sequence[Constraint] = (),
    strategies: Sequence[Strategy] = (),
    requires: Mapping[str, str | None] | None = None,
) -> TaskRequest:
    return TaskRequest(
        cpu=cpu,
        memory=memory,
        ports_tcp=frozenset(tcp),
        ports_udp=frozenset(udp),
        group=group,
        constraints=tuple(constraints),
        strategies=tuple(strategies),
        requires_attributes=dict(requires or {}),
    )


def run(t: TaskRequest, instances: Sequence[Instance], count: int = 1, seed: int = 0) -> Placement:
    return place(t, instances, count, random.Random(seed))


# --- filters -------------------------------------------------------------------------------------

FILTERS = [
    ("agent", task(), [instance("a", connected=False)], Reason.AGENT, "has its agent disconnected."),
    ("cpu", task(cpu=5000), [instance("a")], Reason.CPU, "has insufficient CPU units available."),
    ("memory", task(memory=9000), [instance("a")], Reason.MEMORY, "has insufficient memory available."),
    (
        "ports-tcp",
        task(tcp=[80]),
        [instance("a", tcp=[22, 80])],
        Reason.PORTS_TCP,
        "is already using a port required by your task.",
    ),
    (
        "ports-udp",
        task(udp=[53]),
        [instance("a", udp=[53])],
        Reason.PORTS_UDP,
        "is already using a port required by your task.",
    ),
    (
        "tcp-port-free-on-udp",
        task(udp=[22]),
        [instance("a", tcp=[22], udp=[22])],
        Reason.PORTS_UDP,
        "is already using a port required by your task.",
    ),
    (
        "requires-attributes",
        task(requires={"com.amazonaws.ecs.capability.docker-remote-api.1.19": None}),
        [instance("a")],
        Reason.ATTRIBUTE,
        "is missing an attribute required by your task.",
    ),
    (
        "requires-attribute-value",
        task(requires={"ecs.os-type": "windows"}),
        [instance("a")],
        Reason.ATTRIBUTE,
        "is missing an attribute required by your task.",
    ),
    (
        "member-of",
        task(constraints=[Constraint("memberOf", "attribute:ecs.instance-type =~ g2.*")]),
        [instance("a")],
        Reason.ATTRIBUTE,
        'encountered error "MemberOf placement constraint unsatisfied".',
    ),
    (
        "distinct-instance",
        task(constraints=[Constraint("distinctInstance")]),
        [instance("a", groups={"service:web": 1})],
        Reason.ATTRIBUTE,
        'encountered error "DistinctInstance placement constraint unsatisfied".',
    ),
]


@pytest.mark.parametrize(
    ("t", "instances", "reason", "message"), [pytest.param(*case[1:], id=case[0]) for case in FILTERS]
)
def test_each_filter_gives_its_reason(
    t: TaskRequest, instances: list[Instance], reason: Reason, message: str
) -> None:
    result = run(t, instances, count=2)
    assert result.chosen == []
    assert len(result.failures) == 2
    failure = result.failures[0]
    assert failure.reason == reason
    assert failure.per_instance == {"a": reason}
    assert failure.closest == f"The closest matching container-instance a {message}"
    assert failure.closest_instance_id == "a"
    assert failure.closest_arn == instances[0].arn


def test_reason_is_the_closest_match_the_one_furthest_through_the_filters() -> None:
    t = task(memory=1024, tcp=[80], constraints=[Constraint("memberOf", "attribute:stack == prod")])
    instances = [
        instance("disconnected", connected=False),
        instance("small", memory=512),
        instance("port-taken", tcp=[80]),
        instance("wrong-stack", attributes={"stack": "dev"}),
        instance("draining", status="DRAINING", attributes={"stack": "prod"}),
    ]
    failure = run(t, instances).failures[0]
    assert failure.reason == "ATTRIBUTE"
    assert failure.closest_instance_id == "wrong-stack"
    assert failure.per_instance == {
        "disconnected": "AGENT",
        "small": "RESOURCE:MEMORY",
        "port-taken": "RESOURCE:PORTS_TCP",
        "wrong-stack": "ATTRIBUTE",
    }


def test_later_constraints_are_closer_matches_than_earlier_ones() -> None:
    t = task(
        constraints=[
            Constraint("memberOf", "attribute:ecs.os-type == linux"),
            Constraint("distinctInstance"),
        ]
    )
    instances = [
        instance("windows", attributes={"ecs.os-type": "windows"}),
        instance("busy", groups={"service:web": 1}),
    ]
    failure = run(t, instances).failures[0]
    assert failure.closest_instance_id == "busy"
    assert "DistinctInstance" in failure.closest


@pytest.mark.parametrize(
    ("instances", "closest"),
    [
        pytest.param([], "No Container Instances were found in your cluster.", id="none"),
        pytest.param(
            [instance("a", status="DRAINING"), instance("b", status="REGISTERING")],
            "No ACTIVE Container Instances were found in your cluster.",
            id="none-active",
        ),
    ],
)
def test_no_active_instances(instances: list[Instance], closest: str) -> None:
    result = run(task(), instances, count=3)
    assert result.chosen == []
    assert [f.reason for f in result.failures] == ["NO ACTIVE INSTANCES"] * 3
    assert result.failures[0].closest == closest
    assert result.failures[0].per_instance == {}


def test_only_active_instances_get_placements() -> None:
    instances = [instance("draining", status="DRAINING"), instance("active")]
    assert run(task(), instances, count=5).chosen == ["active"] * 5


def test_copies_are_booked_so_nothing_is_overcommitted() -> None:
    result = run(task(cpu=1024, memory=1024), [instance("a", cpu=4096, memory=3072)], count=5)
    assert result.chosen == ["a"] * 3  # memory runs out first
    assert [f.reason for f in result.failures] == ["RESOURCE:MEMORY"] * 2


def test_a_static_port_fits_once_per_instance() -> None:
    result = run(task(tcp=[8080]), [instance("a"), instance("b")], count=3)
    assert sorted(result.chosen) == ["a", "b"]
    assert result.failures[0].reason == "RESOURCE:PORTS_TCP"
    assert result.failures[0].per_instance == {"a": "RESOURCE:PORTS_TCP", "b": "RESOURCE:PORTS_TCP"}


def test_zero_copies_and_negative_count() -> None:
    assert run(task(), [instance("a")], count=0) == Placement([], [])
    assert run(task(), [], count=0) == Placement([], [])
    with pytest.raises(ValueError, match="count"):
        run(task(), [instance("a")], count=-1)


# --- constraints ---------------------------------------------------------------------------------


def test_member_of_restricts_to_matching_instances() -> None:
    t = task(
        constraints=[Constraint("memberOf", "attribute:ecs.availability-zone in [us-east-1b, us-east-1c]")]
    )
    instances = [instance(f"i{n}", zone=ZONES[n % 3]) for n in range(9)]
    result = run(t, instances, count=20)
    assert {c for c in result.chosen} <= {"i1", "i2", "i4", "i5", "i7", "i8"}
    assert len(result.chosen) == 20


def test_distinct_instance_places_one_per_instance() -> None:
    t = task(constraints=[Constraint("distinctInstance")])
    instances = [instance("a"), instance("b", groups={"service:web": 1}), instance("c"), instance("d")]
    result = run(t, instances, count=4)
    assert sorted(result.chosen) == ["a", "c", "d"]
    assert len(result.failures) == 1
    assert result.failures[0].reason == "ATTRIBUTE"


def test_distinct_instance_ignores_other_groups() -> None:
    t = task(constraints=[Constraint("distinctInstance")])
    assert run(t, [instance("a", groups={"service:other": 3})]).chosen == ["a"]


def test_member_of_on_task_group_sees_the_copies_placed_by_the_same_call() -> None:
    t = task(constraints=[Constraint("memberOf", "not(task:group == service:web)")])
    result = run(t, [instance("a"), instance("b")], count=3)
    assert sorted(result.chosen) == ["a", "b"]
    assert "MemberOf" in result.failures[0].closest


def test_member_of_on_running_tasks_count_is_updated_per_copy() -> None:
    t = task(constraints=[Constraint("memberOf", "runningTasksCount < 3")])
    result = run(t, [instance("a", groups={"family:x": 1}), instance("b")], count=6)
    assert Counter(result.chosen) == {"a": 2, "b": 3}
    assert len(result.failures) == 1


def test_member_of_avoids_a_group_already_on_the_instance() -> None:
    t = task(constraints=[Constraint("memberOf", "not(task:group == service:database)")])
    instances = [instance("db", groups={"service:database": 1}), instance("free")]
    assert run(t, instances, count=4).chosen == ["free"] * 4


# --- strategies ----------------------------------------------------------------------------------


@pytest.mark.parametrize("resource", ["cpu", "memory"])
def test_binpack_fills_one_instance_first(resource: str) -> None:
    t = task(cpu=1024, memory=2048, strategies=[Strategy("binpack", resource)])
    instances = [instance(f"i{n}") for n in range(5)]
    result = run(t, instances, count=8, seed=7)
    first = result.chosen[0]
    assert result.chosen[:4] == [first] * 4  # 4096 cpu, 8192 MiB: four copies fill it
    assert len(set(result.chosen[4:])) == 1 and result.chosen[4] != first


def test_binpack_prefers_the_least_remaining() -> None:
    t = task(strategies=[Strategy("binpack", "memory")])
    instances = [instance("roomy", memory=8192), instance("tight", memory=1024), instance("mid", memory=4096)]
    assert run(t, instances, count=3).chosen == ["tight", "tight", "mid"]


def test_binpack_cpu_ignores_memory() -> None:
    t = task(strategies=[Strategy("binpack", "cpu")])
    instances = [instance("low-cpu", cpu=512, memory=8192), instance("low-memory", cpu=4096, memory=1024)]
    assert run(t, instances, count=2).chosen == ["low-cpu", "low-cpu"]


def test_spread_instance_id_evens_out() -> None:
    t = task(strategies=[Strategy("spread", "instanceId")])
    instances = [
        instance("a", groups={"service:web": 2}),
        instance("b"),
        instance("c", groups={"service:other": 5}),
    ]
    result = run(t, instances, count=7)
    assert Counter(result.chosen) == {"a": 1, "b": 3, "c": 3}
    assert set(result.chosen[:4]) == {"b", "c"}  # the task's own group counts, not others


def test_spread_by_attribute_balances_zones() -> None:
    t = task(strategies=SERVICE_DEFAULT_STRATEGIES)
    # Four instances in 1a, one in 1b, two in 1c; 1b already runs two tasks of the service.
    zones = ["us-east-1a"] * 4 + ["us-east-1b"] + ["us-east-1c"] * 2
    instances = [
        instance(f"i{n}", zone=zone, groups={"service:web": 2} if zone == "us-east-1b" else None)
        for n, zone in enumerate(zones)
    ]
    result = run(t, instances, count=10)
    by_zone = Counter(instances[int(c[1:])].attributes["ecs.availability-zone"] for c in result.chosen)
    assert by_zone == {"us-east-1a": 4, "us-east-1b": 2, "us-east-1c": 4}  # 4 + 4 + (2 + 2)
    in_1a = Counter(c for c in result.chosen if c in {"i0", "i1", "i2", "i3"})
    assert set(in_1a.values()) == {1}  # then spread by instance inside the zone


def test_instances_missing_the_spread_attribute_are_a_bucket_of_their_own() -> None:
    t = task(strategies=[Strategy("spread", "attribute:rack")])
    instances = [
        instance("r1", attributes={"rack": "1"}),
        instance("r2", attributes={"rack": "2"}),
        instance("none-1"),
        instance("none-2"),
    ]
    result = run(t, instances, count=6)
    buckets = Counter("none" if c.startswith("none") else c for c in result.chosen)
    assert buckets == {"r1": 2, "r2": 2, "none": 2}


def test_spread_by_host() -> None:
    t = task(strategies=[Strategy("spread", "host")])
    instances = [instance("a", host="h1"), instance("b", host="h1"), instance("c", host="h2")]
    result = run(t, instances, count=4)
    hosts = Counter("h1" if c in "ab" else "h2" for c in result.chosen)
    assert hosts == {"h1": 2, "h2": 2}


def test_strategies_apply_in_order_spread_then_binpack() -> None:
    t = task(
        strategies=[Strategy("spread", "attribute:ecs.availability-zone"), Strategy("binpack", "memory")]
    )
    instances = [
        instance("a-roomy", zone="us-east-1a", memory=8192),
        instance("a-tight", zone="us-east-1a", memory=2048),
        instance("b-roomy", zone="us-east-1b", memory=8192),
        instance("b-tight", zone="us-east-1b", memory=4096),
    ]
    result = run(t, instances, count=4)
    assert Counter(result.chosen) == {"a-tight": 2, "b-tight": 2}


@pytest.mark.parametrize(
    "strategies",
    [
        pytest.param((), id="default"),
        pytest.param((Strategy("random"),), id="random"),
        pytest.param((Strategy("random"), Strategy("binpack", "memory")), id="random-first"),
    ],
)
def test_random_uses_the_injected_rng(strategies: tuple[Strategy, ...]) -> None:
    t = task(strategies=strategies)
    instances = [instance(f"i{n}") for n in range(10)]
    first = run(t, instances, count=12, seed=42)
    assert first == run(t, instances, count=12, seed=42)  # reproducible from the seed
    assert len(set(first.chosen)) > 3  # and not stuck on one instance
    assert first != run(t, instances, count=12, seed=43)


@pytest.mark.parametrize(
    ("strategy", "message"),
    [
        pytest.param(Strategy("binpack", "disk"), "invalid field 'disk' for binpack", id="binpack-field"),
        pytest.param(Strategy("spread", "zone"), "invalid field 'zone' for spread", id="spread-field"),
        pytest.param(Strategy("spread", "attribute:"), "invalid field", id="spread-no-attribute"),
        pytest.param(Strategy("pack", "cpu"), "unknown placement strategy type 'pack'", id="type"),
    ],
)
def test_invalid_strategies_are_refused(strategy: Strategy, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        run(task(strategies=[strategy]), [instance("a")])
    assert validate_placement([], [strategy])[0][0] == "placementStrategy[0]"


def test_strategy_fields_are_case_insensitive() -> None:
    t = task(strategies=[Strategy("binpack", "MEMORY"), Strategy("spread", "instanceid")])
    assert run(t, [instance("a")]).chosen == ["a"]


def test_validate_placement_names_fields() -> None:
    violations = validate_placement(
        [
            Constraint("memberOf", "attribute:x =="),
            Constraint("distinctInstance", "attribute:x == 1"),
            Constraint("sameHost"),
            Constraint("memberOf"),
        ],
        [Strategy("spread", "instanceId")] * 6,
    )
    fields = [f for f, _ in violations]
    assert fields == [
        "placementStrategy",
        "placementConstraints[0].expression",
        "placementConstraints[1]",
        "placementConstraints[2]",
        "placementConstraints[3]",
    ]
    assert "at position 14" in violations[1][1]
    assert validate_placement([Constraint("distinctInstance")], SERVICE_DEFAULT_STRATEGIES) == []


def test_invalid_expression_raises_query_error() -> None:
    with pytest.raises(ValueError, match="unknown subject"):
        run(task(constraints=[Constraint("memberOf", "color == red")]), [instance("a")])


# --- choose_to_stop ------------------------------------------------------------------------------


def web(
    task_id: str, instance_id: str, started_at: float = 0.0, cpu: int = 0, memory: int = 0
) -> RunningTask:
    return RunningTask(task_id, instance_id, started_at, "service:web", cpu, memory)


def test_scale_in_spread_keeps_zones_balanced() -> None:
    instances = [
        instance("a1", zone="us-east-1a"),
        instance("a2", zone="us-east-1a"),
        instance("b1", zone="us-east-1b"),
    ]
    tasks = (
        [web(f"a1-{n}", "a1") for n in range(3)]
        + [web("a2-0", "a2")]
        + [web(f"b1-{n}", "b1") for n in range(2)]
    )
    stopped = choose_to_stop(tasks, instances, SERVICE_DEFAULT_STRATEGIES, 2, random.Random(0))
    # 1a has 4 and 1b 2: both come out of 1a, from its most loaded instance.
    assert stopped == ["a1-2", "a1-1"]
    left = Counter(t.instance_id for t in tasks if t.task_id not in stopped)
    assert left == {"a1": 1, "a2": 1, "b1": 2}


def test_scale_in_spread_by_instance_takes_from_the_most_loaded() -> None:
    instances = [instance("a"), instance("b"), instance("c")]
    tasks = [web(f"a{n}", "a") for n in range(4)] + [web(f"b{n}", "b") for n in range(2)] + [web("c0", "c")]
    stopped = choose_to_stop(tasks, instances, [Strategy("spread", "instanceId")], 3, random.Random(0))
    left = Counter(t.instance_id for t in tasks if t.task_id not in stopped)
    assert stopped[:2] == ["a3", "a2"]  # a has 4: down to 2, then a or b at random
    assert left in ({"a": 1, "b": 2, "c": 1}, {"a": 2, "b": 1, "c": 1})


def test_scale_in_binpack_empties_the_emptiest_instance() -> None:
    instances = [instance("full", memory=512), instance("half", memory=4096)]
    tasks = [web(f"full-{n}", "full", memory=512) for n in range(4)] + [
        web(f"half-{n}", "half", memory=512) for n in range(2)
    ]
    stopped = choose_to_stop(tasks, instances, [Strategy("binpack", "memory")], 3, random.Random(0))
    assert stopped == ["half-1", "half-0", "full-3"]


def test_scale_in_stops_the_newest_task_on_an_instance_first() -> None:
    tasks = [web("old", "a", 100.0), web("new", "a", 300.0), web("mid", "a", 200.0)]
    assert choose_to_stop(tasks, [instance("a")], [], 2, random.Random(0)) == ["new", "mid"]


def test_scale_in_prefers_tasks_on_unhealthy_or_unknown_instances() -> None:
    instances = [
        instance("ok"),
        instance("draining", status="DRAINING"),
        instance("lost", connected=False),
    ]
    tasks = [web("ok-0", "ok"), web("ok-1", "ok"), web("d", "draining"), web("l", "lost"), web("g", "gone")]
    stopped = choose_to_stop(tasks, instances, SERVICE_DEFAULT_STRATEGIES, 3, random.Random(0))
    assert sorted(stopped) == ["d", "g", "l"]


def test_scale_in_random_is_reproducible() -> None:
    instances = [instance(f"i{n}") for n in range(5)]
    tasks = [web(f"t{n}", f"i{n % 5}", started_at=n) for n in range(20)]
    first = choose_to_stop(tasks, instances, [Strategy("random")], 8, random.Random(5))
    assert first == choose_to_stop(tasks, instances, [Strategy("random")], 8, random.Random(5))
    assert len(first) == len(set(first)) == 8


def test_scale_in_count_larger_than_tasks_and_zero() -> None:
    tasks = [web("t0", "a"), web("t1", "b")]
    assert sorted(choose_to_stop(tasks, [instance("a")], [], 5, random.Random(0))) == ["t0", "t1"]
    assert choose_to_stop(tasks, [instance("a")], [], 0, random.Random(0)) == []
    assert choose_to_stop([], [instance("a")], [], 3, random.Random(0)) == []


# -- booked: placing several tasks one after another on the same views --------------------------


def test_booked_takes_what_the_copies_use() -> None:
    views = [instance("a", cpu=1000, memory=1000), instance("b", cpu=1000, memory=1000)]
    web = TaskRequest(
        cpu=300, memory=200, ports_tcp=frozenset({80}), ports_udp=frozenset(), group="family:web"
    )
    after = booked(views, web, ["a", "a", "b"])
    assert (after[0].remaining_cpu, after[0].remaining_memory, after[0].running_tasks_count) == (400, 600, 2)
    assert after[0].task_groups == {"family:web": 2} and 80 in after[0].used_ports_tcp
    assert (after[1].remaining_cpu, after[1].task_groups) == (700, {"family:web": 1})
    assert views[0].remaining_cpu == 1000  # the input is left as it was
    assert booked(views, web, []) == views


def test_placements_on_booked_views_never_overcommit() -> None:
    views = [instance(f"i{k}", cpu=1024, memory=1024, tcp=()) for k in range(5)]
    rng = random.Random(7)
    used: Counter[str] = Counter()
    for n in range(12):  # 12 launches of 2 copies, 512 CPU each: 10 fit on 5 x 1024
        task = TaskRequest(cpu=512, memory=64, ports_tcp=frozenset(), ports_udp=frozenset(), group=f"g{n}")
        placement = place(task, views, 2, rng)
        used.update(placement.chosen)
        views = booked(views, task, placement.chosen)
    assert sum(used.values()) == 10 and max(used.values()) == 2
