"""Properties of place() and choose_to_stop() for arbitrary instances, tasks and strategies.

A naive reference replays every decision: each chosen instance must pass every filter given the
copies placed before it, must rank best by the strategies among the instances that did, and a call
gives up only when no instance fits at all. The reference is O(instances) per copy, which is what
the real scheduler's ranking tree avoids; comparing the two checks the tree.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence

from hypothesis import given, settings
from hypothesis import strategies as st

from controlplane.scheduler import (
    Constraint,
    Instance,
    RunningTask,
    Strategy,
    Subject,
    TaskRequest,
    choose_to_stop,
    parse,
    place,
)

GROUPS = ("service:web", "service:db")
ZONES = ("us-east-1a", "us-east-1b", "us-east-1c", None)
TYPES = ("t3.large", "m5.large", "g2.xlarge")
EXPRESSIONS = (
    "attribute:ecs.instance-type =~ t3.*",
    "attribute:ecs.availability-zone in [us-east-1a, us-east-1b]",
    "not(task:group == service:web)",
    "runningTasksCount < 4",
    "task:group !exists or attribute:ecs.instance-type != g2.xlarge",
)
STRATEGIES = (
    Strategy("binpack", "cpu"),
    Strategy("binpack", "memory"),
    Strategy("spread", "instanceId"),
    Strategy("spread", "host"),
    Strategy("spread", "attribute:ecs.availability-zone"),
    Strategy("spread", "attribute:ecs.instance-type"),
    Strategy("random"),
)


# Strategies are built once: building them inside every draw costs more than the test itself.
_ZONE = st.sampled_from(ZONES)
_TYPE = st.sampled_from(TYPES)
_STATUS = st.sampled_from(("ACTIVE", "ACTIVE", "ACTIVE", "DRAINING"))
_CONNECTED = st.sampled_from((True, True, True, False))
_TASKS_OF_GROUP = st.integers(0, 2)
_CPU = st.integers(0, 2048)
_MEMORY = st.integers(0, 4096)
_USED_TCP = st.frozensets(st.sampled_from((22, 80, 443)))
_USED_UDP = st.frozensets(st.sampled_from((53, 123)))
_HOST = st.sampled_from(("h1", "h2", ""))


@st.composite
def instances(draw: st.DrawFn, max_size: int = 8) -> list[Instance]:
    result = []
    for n in range(draw(st.integers(0, max_size))):
        zone = draw(_ZONE)
        attributes: dict[str, str | None] = {"ecs.instance-type": draw(_TYPE)}
        if zone is not None:
            attributes["ecs.availability-zone"] = zone
        groups = {g: draw(_TASKS_OF_GROUP) for g in GROUPS}
        result.append(
            Instance(
                id=f"i{n}",
                arn=f"arn:i{n}",
                status=draw(_STATUS),
                agent_connected=draw(_CONNECTED),
                attributes=attributes,
                remaining_cpu=draw(_CPU),
                remaining_memory=draw(_MEMORY),
                used_ports_tcp=draw(_USED_TCP),
                used_ports_udp=draw(_USED_UDP),
                running_tasks_count=sum(groups.values()),
                registered_at=0.0,
                task_groups=groups,
                ec2_instance_id=draw(_HOST),
            )
        )
    return result


_DISTINCT = st.booleans()
_MEMBER_OF = st.lists(st.sampled_from(EXPRESSIONS), max_size=2)
_TASK_CPU = st.integers(0, 1024)
_TASK_MEMORY = st.integers(1, 2048)
_PORTS_TCP = st.frozensets(st.sampled_from((80, 8080)), max_size=1)
_PORTS_UDP = st.frozensets(st.sampled_from((53, 5353)), max_size=1)
_GROUP = st.sampled_from(GROUPS)
_STRATEGY_LISTS = st.lists(st.sampled_from(STRATEGIES), max_size=3)


@st.composite
def tasks(draw: st.DrawFn) -> TaskRequest:
    constraints = [Constraint("memberOf", expression) for expression in draw(_MEMBER_OF)]
    if draw(_DISTINCT):
        constraints.insert(draw(st.integers(0, len(constraints))), Constraint("distinctInstance"))
    return TaskRequest(
        cpu=draw(_TASK_CPU),
        memory=draw(_TASK_MEMORY),
        ports_tcp=draw(_PORTS_TCP),
        ports_udp=draw(_PORTS_UDP),
        group=draw(_GROUP),
        constraints=tuple(constraints),
        strategies=tuple(draw(_STRATEGY_LISTS)),
    )


class Reference:
    """The cluster as the copies are placed, checked the slow, obvious way."""

    def __init__(self, task: TaskRequest, instances: Sequence[Instance]) -> None:
        self.task = task
        self.instances = {i.id: i for i in instances}
        self.placed: Counter[str] = Counter()

    def fits(self, instance: Instance) -> bool:
        task, n = self.task, self.placed[instance.id]
        groups = {g for g, count in instance.task_groups.items() if count} | ({task.group} if n else set())
        subject = Subject(
            instance_id=instance.id,
            attributes=instance.attributes,
            agent_connected=instance.agent_connected,
            running_tasks_count=instance.running_tasks_count + n,
            task_groups=groups,
        )
        return (
            instance.status == "ACTIVE"
            and instance.agent_connected
            and instance.remaining_cpu - n * task.cpu >= task.cpu
            and instance.remaining_memory - n * task.memory >= task.memory
            and not (task.ports_tcp and (n or task.ports_tcp & instance.used_ports_tcp))
            and not (task.ports_udp and (n or task.ports_udp & instance.used_ports_udp))
            and all(
                parse(c.expression).evaluate(subject)
                if c.type == "memberOf"
                else instance.task_groups.get(task.group, 0) + n == 0
                for c in task.constraints
            )
        )

    def group_count(self, instance: Instance) -> int:
        return instance.task_groups.get(self.task.group, 0) + self.placed[instance.id]

    def rank(self, instance: Instance) -> tuple[object, ...]:
        """The strategies' keys for `instance`, lowest best, up to the first random."""
        keys: list[object] = []
        for strategy in self.task.strategies:
            if strategy.type == "random":
                break
            if strategy.field in ("cpu", "memory"):
                per_copy = self.task.cpu if strategy.field == "cpu" else self.task.memory
                left = instance.remaining_cpu if strategy.field == "cpu" else instance.remaining_memory
                keys.append(left - self.placed[instance.id] * per_copy)
            elif strategy.field == "instanceId":
                keys.append(self.group_count(instance))
            else:
                bucket = _bucket(instance, strategy.field)
                keys.append(
                    sum(
                        self.group_count(other)
                        for other in self.instances.values()
                        if other.status == "ACTIVE" and _bucket(other, strategy.field) == bucket
                    )
                )
        return tuple(keys)


def _bucket(instance: Instance, target: str) -> object:
    if target == "host":
        return instance.ec2_instance_id or instance.id
    return instance.attributes.get(target.removeprefix("attribute:"), "<missing>")


@settings(max_examples=400, deadline=None)
@given(instances=instances(), task=tasks(), count=st.integers(0, 12), seed=st.integers(0, 2**16))
def test_placement_matches_the_reference(
    instances: list[Instance], task: TaskRequest, count: int, seed: int
) -> None:
    result = place(task, instances, count, random.Random(seed))
    assert len(result.chosen) + len(result.failures) == count

    reference = Reference(task, instances)
    for chosen in result.chosen:
        fitting = [i for i in instances if reference.fits(i)]
        # every chosen instance passes every filter, given the copies placed before it ...
        assert chosen in {i.id for i in fitting}
        # ... and ranks best by the strategies among those that do
        assert reference.rank(reference.instances[chosen]) == min(reference.rank(i) for i in fitting)
        reference.placed[chosen] += 1

    for instance in instances:  # never overcommitted
        n = reference.placed[instance.id]
        if n:
            assert n * task.cpu <= instance.remaining_cpu
            assert n * task.memory <= instance.remaining_memory
            if task.ports_tcp:
                assert n == 1 and not task.ports_tcp & instance.used_ports_tcp
            if task.ports_udp:
                assert n == 1 and not task.ports_udp & instance.used_ports_udp
            if any(c.type == "distinctInstance" for c in task.constraints):
                assert n == 1 and not instance.task_groups.get(task.group)

    if result.failures:  # it gave up only when nothing fits any more
        assert not any(reference.fits(i) for i in instances)
        failure = result.failures[0]
        active = {i.id for i in instances if i.status == "ACTIVE"}
        assert set(failure.per_instance) == active
        if active:
            assert failure.reason == failure.per_instance[failure.closest_instance_id]
            assert failure.closest_instance_id in failure.closest
        else:
            assert failure.reason == "NO ACTIVE INSTANCES"


_RUNNING = st.lists(
    st.tuples(st.integers(0, 8), st.integers(0, 5), st.integers(0, 512), st.integers(0, 512)), max_size=15
)


@settings(max_examples=250, deadline=None)
@given(
    instances=instances(),
    data=st.data(),
    strategies=_STRATEGY_LISTS,
    seed=st.integers(0, 2**16),
)
def test_scale_in_matches_the_reference(
    instances: list[Instance], data: st.DataObject, strategies: list[Strategy], seed: int
) -> None:
    ids = [i.id for i in instances] + ["gone"]
    running = [
        RunningTask(f"t{n}", ids[index % len(ids)], started_at, "service:web", cpu, memory)
        for n, (index, started_at, cpu, memory) in enumerate(data.draw(_RUNNING))
    ]
    count = data.draw(st.integers(0, 18))
    stopped = choose_to_stop(running, instances, strategies, count, random.Random(seed))
    assert len(stopped) == len(set(stopped)) == min(count, len(running))

    by_id = {i.id: i for i in instances}
    left = {t.task_id: t for t in running}
    freed: Counter[str] = Counter()  # (cpu or memory) given back per instance, per resource
    for task_id in stopped:
        task = left[task_id]

        def rank(instance_id: str) -> tuple[object, ...]:
            instance = by_id.get(instance_id)
            healthy = instance is not None and instance.status == "ACTIVE" and instance.agent_connected
            keys: list[object] = [int(not healthy)]
            for strategy in strategies:
                if strategy.type == "random":
                    break
                if strategy.field in ("cpu", "memory"):
                    base = 0 if instance is None else getattr(instance, f"remaining_{strategy.field}")
                    keys.append(base + freed[f"{instance_id}/{strategy.field}"])
                elif strategy.field == "instanceId":
                    keys.append(sum(1 for t in left.values() if t.instance_id == instance_id))
                else:

                    def bucket(iid: str, target: str = strategy.field) -> object:
                        other = by_id.get(iid)
                        if other is None:
                            return iid if target == "host" else "<missing>"
                        return _bucket(other, target)

                    mine = bucket(instance_id)
                    keys.append(sum(1 for t in left.values() if bucket(t.instance_id) == mine))
            return tuple(keys)

        # the stopped task's instance ranks highest (most loaded / most free / unhealthy first) ...
        assert rank(task.instance_id) == max(rank(t.instance_id) for t in left.values())
        # ... and it is the newest task there
        newest = max((t.started_at, t.task_id) for t in left.values() if t.instance_id == task.instance_id)
        assert (task.started_at, task.task_id) == newest
        del left[task_id]
        freed[f"{task.instance_id}/cpu"] += task.cpu
        freed[f"{task.instance_id}/memory"] += task.memory
