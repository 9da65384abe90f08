"""Task placement: which container instances get the copies of a task, and which tasks a scale-in stops.

`place()` follows ECS. Every ACTIVE instance goes through the filters in order (agent connected,
CPU, memory, static TCP ports, static UDP ports, required attributes, then each placement constraint);
the first one it fails is its reason. The survivors are ranked by the placement strategies in order,
each breaking the ties of the ones before it and the injected `random.Random` breaking what is left:
binpack prefers the least remaining cpu|memory, spread the fewest tasks of the task's group on the
instance (instanceId) or in the instance's host / attribute value, random anything. Copies are placed
one at a time on a local view that books cpu, memory, ports and groups, so nothing is overcommitted.
When nothing fits, every missing copy gets a `PlacementFailure` with the reason of the instance that
got furthest through the filters, the "closest match" ECS names in its service events.

`choose_to_stop()` is the inverse for a service scale-in: spread stops tasks where there are most,
binpack where the most resource is free (that instance empties first), random anywhere.

Speed matters (thousands of copies on thousands of instances per call), hence:
- queries are compiled once (`query.parse` is cached); a constraint that does not look at the tasks on
  an instance is evaluated at most once per instance per call;
- candidates live in a tree with one level per strategy (`_Ranker`): each node keeps its children
  (keys, or buckets such as availability zones) in a heap by the best rank beneath them, and the
  instances tied on every strategy share a leaf where `rng` picks one;
- after placing a copy only that instance is filtered and ranked again; what else changes is a
  spread count, which only grows during a call, so heap entries are refreshed lazily when they reach
  the top. A copy costs O(levels^2 * log n), not O(n).

Pure: no I/O, no clock, randomness only from the `rng` argument.
"""

from __future__ import annotations

import enum
import itertools
from collections import Counter
from collections.abc import Callable, Collection, Hashable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from heapq import heappop, heappush, heapreplace
from random import Random
from typing import cast

from controlplane.scheduler import query

__all__ = [
    "RUN_TASK_DEFAULT_STRATEGIES",
    "SERVICE_DEFAULT_STRATEGIES",
    "Constraint",
    "Instance",
    "Placement",
    "PlacementFailure",
    "Reason",
    "RunningTask",
    "Strategy",
    "TaskRequest",
    "choose_to_stop",
    "place",
    "validate_placement",
]

MAX_CONSTRAINTS = 10  # ECS: placementConstraints per task or service
MAX_STRATEGIES = 5  # ECS: placementStrategy per task or service


# --- inputs and outputs --------------------------------------------------------------------------


@dataclass(frozen=True)
class Instance:
    """A container instance as placement sees it: what is left of it, and what runs there."""

    id: str  # container instance id (last part of its ARN)
    arn: str
    status: str  # ACTIVE | DRAINING | ...; only ACTIVE instances get placements
    agent_connected: bool
    attributes: Mapping[str, str | None]  # None for value-less attributes; includes ecs.* built-ins
    remaining_cpu: int  # CPU units left
    remaining_memory: int  # MiB left
    used_ports_tcp: frozenset[int]  # reserved and statically bound host ports
    used_ports_udp: frozenset[int]
    running_tasks_count: int
    registered_at: float  # epoch seconds
    task_groups: Mapping[str, int]  # task group -> live tasks of that group on this instance
    ec2_instance_id: str = ""  # the host name the agent reports
    agent_version: str = ""


@dataclass(frozen=True)
class Constraint:
    type: str  # distinctInstance | memberOf
    expression: str = ""  # cluster query language, memberOf only


@dataclass(frozen=True)
class Strategy:
    type: str  # binpack | spread | random
    field: str = ""  # binpack: cpu|memory; spread: instanceId|host|attribute:<name>


@dataclass(frozen=True)
class TaskRequest:
    """What one copy of the task needs."""

    cpu: int
    memory: int  # memoryReservation, else memory
    ports_tcp: frozenset[int]  # static host ports the task binds
    ports_udp: frozenset[int]
    group: str  # family:<name> or service:<name>
    constraints: Sequence[Constraint] = ()
    strategies: Sequence[Strategy] = ()  # empty: random, RunTask's default
    # The task definition's requiresAttributes: name -> value, None when any value will do.
    requires_attributes: Mapping[str, str | None] = field(default_factory=dict)


@dataclass(frozen=True)
class RunningTask:
    task_id: str
    instance_id: str
    started_at: float  # epoch seconds; math.inf for a task not running yet, so it is stopped first
    group: str
    cpu: int = 0  # its reservation, given back to the instance when it stops (binpack scale-in)
    memory: int = 0


class Reason(enum.StrEnum):
    """ECS's reason codes for RunTask `failures[].reason`."""

    CPU = "RESOURCE:CPU"
    MEMORY = "RESOURCE:MEMORY"
    PORTS_TCP = "RESOURCE:PORTS_TCP"
    PORTS_UDP = "RESOURCE:PORTS_UDP"
    ATTRIBUTE = "ATTRIBUTE"  # requiresAttributes, memberOf and distinctInstance alike
    AGENT = "AGENT"
    NO_ACTIVE_INSTANCES = "NO ACTIVE INSTANCES"


@dataclass(frozen=True)
class PlacementFailure:
    """Why a copy could not be placed.

    `reason` is that of the closest match, the instance that got furthest through the filters;
    `closest` says it the way ECS service events do ("The closest matching container-instance 3f2a
    has insufficient memory available."); `per_instance` gives every ACTIVE instance's reason.
    """

    reason: str
    closest: str
    per_instance: dict[str, str] = field(default_factory=dict)
    closest_instance_id: str = ""
    closest_arn: str = ""  # for RunTask's failures[].arn


@dataclass(frozen=True)
class Placement:
    chosen: list[str]  # instance ids, one per placed copy
    failures: list[PlacementFailure]  # one per copy that did not fit


RUN_TASK_DEFAULT_STRATEGIES: tuple[Strategy, ...] = (Strategy("random"),)
SERVICE_DEFAULT_STRATEGIES: tuple[Strategy, ...] = (
    Strategy("spread", "attribute:ecs.availability-zone"),
    Strategy("spread", "instanceId"),
)


# --- place ---------------------------------------------------------------------------------------


def place(task: TaskRequest, instances: Sequence[Instance], count: int, rng: Random) -> Placement:
    """Place `count` copies of `task` one after another; see the module docstring."""
    if count < 0:
        raise ValueError(f"count must be >= 0, not {count}")
    if count == 0:
        return Placement([], [])
    active = [i for i, instance in enumerate(instances) if instance.status == "ACTIVE"]
    if not active:
        return Placement([], [_no_active_instances(instances)] * count)

    # The local view books every copy placed by this call.
    view = _View(task, instances)
    # 1. Filters, in ECS's order: the first one an instance fails is its reason.
    filters = _filters(task, view)
    # 2. Strategies, as levels of the ranking tree; bucket counts span all ACTIVE instances.
    ranker = _Ranker(_placement_levels(task, view, active), rng)
    for i in active:
        if _rejection(filters, i) is None:
            ranker.add(i)

    # 3. One copy at a time on the best candidate; only that instance changed, so only it is
    #    filtered and ranked again.
    chosen: list[str] = []
    while len(chosen) < count:
        best = ranker.best()
        if best is None:
            break
        chosen.append(instances[best].id)
        view.book(best)
        ranker.record(best, +1)
        ranker.discard(best)
        if _rejection(filters, best) is None:
            ranker.add(best)

    missing = count - len(chosen)
    failures = [_closest_match(filters, view, active)] * missing if missing else []
    return Placement(chosen, failures)


def booked(instances: Sequence[Instance], task: TaskRequest, chosen: Sequence[str]) -> list[Instance]:
    """`instances` as they are after the copies of `task` in `chosen` (one instance id per copy)
    were placed on them, so that the next `place` of another task sees them taken."""
    per_instance = Counter(chosen)
    out = list(instances)
    if not per_instance:
        return out
    for k, instance in enumerate(out):
        n = per_instance.get(instance.id, 0)
        if n:
            groups = dict(instance.task_groups)
            groups[task.group] = groups.get(task.group, 0) + n
            out[k] = replace(
                instance,
                remaining_cpu=instance.remaining_cpu - n * task.cpu,
                remaining_memory=instance.remaining_memory - n * task.memory,
                used_ports_tcp=instance.used_ports_tcp | task.ports_tcp,
                used_ports_udp=instance.used_ports_udp | task.ports_udp,
                running_tasks_count=instance.running_tasks_count + n,
                task_groups=groups,
            )
    return out


class _View:
    """The instances as this call sees them: their numbers minus the copies placed so far."""

    def __init__(self, task: TaskRequest, instances: Sequence[Instance]) -> None:
        self.task = task
        self.instances = instances
        self.cpu = [instance.remaining_cpu for instance in instances]
        self.memory = [instance.remaining_memory for instance in instances]
        self.group = [instance.task_groups.get(task.group, 0) for instance in instances]
        self.running = [instance.running_tasks_count for instance in instances]
        self.placed = [0] * len(instances)

    def book(self, i: int) -> None:
        self.cpu[i] -= self.task.cpu
        self.memory[i] -= self.task.memory
        self.group[i] += 1
        self.running[i] += 1
        self.placed[i] += 1  # its static ports are now taken too

    def subject(self, i: int) -> _Subject:
        return _Subject(self.instances[i], self.running[i], self.task.group if self.placed[i] else None)


class _Subject:
    """An instance as the query language sees it, with the copies placed so far."""

    __slots__ = ("_extra_group", "_instance", "running_tasks_count")

    def __init__(self, instance: Instance, running_tasks_count: int, extra_group: str | None) -> None:
        self._instance = instance
        self._extra_group = extra_group
        self.running_tasks_count = running_tasks_count

    @property
    def instance_id(self) -> str:
        return self._instance.id

    @property
    def attributes(self) -> Mapping[str, str | None]:
        return self._instance.attributes

    @property
    def agent_connected(self) -> bool:
        return self._instance.agent_connected

    @property
    def agent_version(self) -> str:
        return self._instance.agent_version

    @property
    def ec2_instance_id(self) -> str:
        return self._instance.ec2_instance_id

    @property
    def registered_at(self) -> float:
        return self._instance.registered_at

    @property
    def task_groups(self) -> Collection[str]:
        groups = {group for group, n in self._instance.task_groups.items() if n > 0}
        if self._extra_group is not None:
            groups.add(self._extra_group)
        return groups


# --- filters -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Rejection:
    stage: int  # how far through the filters the instance got: higher is a closer match
    reason: Reason
    message: str  # completes "The closest matching container-instance <id> ..."


_AGENT = _Rejection(1, Reason.AGENT, "has its agent disconnected.")
_CPU = _Rejection(2, Reason.CPU, "has insufficient CPU units available.")
_MEMORY = _Rejection(3, Reason.MEMORY, "has insufficient memory available.")
_PORTS_TCP = _Rejection(4, Reason.PORTS_TCP, "is already using a port required by your task.")
_PORTS_UDP = _Rejection(5, Reason.PORTS_UDP, "is already using a port required by your task.")
_ATTRIBUTES = _Rejection(6, Reason.ATTRIBUTE, "is missing an attribute required by your task.")
_CONSTRAINT_STAGE = 7  # + the constraint's index
_MESSAGES = {
    "memberOf": 'encountered error "MemberOf placement constraint unsatisfied".',
    "distinctInstance": 'encountered error "DistinctInstance placement constraint unsatisfied".',
}

_Filter = Callable[[int], _Rejection | None]


def _rejection(filters: Sequence[_Filter], i: int) -> _Rejection | None:
    for check in filters:
        rejection = check(i)
        if rejection is not None:
            return rejection
    return None


def _filters(task: TaskRequest, view: _View) -> list[_Filter]:
    """The filters for this task, in order; each says why instance i cannot take one more copy."""
    instances, cpu, memory, placed = view.instances, view.cpu, view.memory, view.placed
    need_cpu, need_memory = task.cpu, task.memory
    filters: list[_Filter] = [
        lambda i: None if instances[i].agent_connected else _AGENT,
        lambda i: _CPU if cpu[i] < need_cpu else None,
        lambda i: _MEMORY if memory[i] < need_memory else None,
    ]
    if task.ports_tcp:
        tcp = task.ports_tcp
        filters.append(
            lambda i: _PORTS_TCP if placed[i] or not tcp.isdisjoint(instances[i].used_ports_tcp) else None
        )
    if task.ports_udp:
        udp = task.ports_udp
        filters.append(
            lambda i: _PORTS_UDP if placed[i] or not udp.isdisjoint(instances[i].used_ports_udp) else None
        )
    if task.requires_attributes:
        filters.append(_requires_attributes(task.requires_attributes, instances))
    for n, constraint in enumerate(task.constraints):
        kind = _constraint_type(constraint)
        rejection = _Rejection(_CONSTRAINT_STAGE + n, Reason.ATTRIBUTE, _MESSAGES[kind])
        if kind == "distinctInstance":
            filters.append(_distinct_instance(view, rejection))
        else:
            filters.append(_member_of(view, query.parse(constraint.expression), rejection))
    return filters


def _requires_attributes(required: Mapping[str, str | None], instances: Sequence[Instance]) -> _Filter:
    wanted = tuple(required.items())

    def check(i: int) -> _Rejection | None:
        attributes = instances[i].attributes
        for name, value in wanted:
            if name not in attributes or (value is not None and attributes[name] != value):
                return _ATTRIBUTES
        return None

    return check


def _distinct_instance(view: _View, rejection: _Rejection) -> _Filter:
    group = view.group  # live tasks of the task's group, booked copies included
    return lambda i: rejection if group[i] else None


def _member_of(view: _View, expression: query.Expr, rejection: _Rejection) -> _Filter:
    if expression.dynamic:  # task:group or runningTasksCount: may change with every copy placed
        return lambda i: None if expression.evaluate(view.subject(i)) else rejection
    answers: list[bool | None] = [None] * len(view.instances)

    def check(i: int) -> _Rejection | None:
        answer = answers[i]
        if answer is None:
            answer = answers[i] = expression.evaluate(view.subject(i))
        return None if answer else rejection

    return check


def _closest_match(filters: Sequence[_Filter], view: _View, active: Sequence[int]) -> PlacementFailure:
    per_instance: dict[str, str] = {}
    closest: tuple[_Rejection, Instance] | None = None
    for i in active:
        rejection = _rejection(filters, i)
        if rejection is None:  # pragma: no cover - nothing fits only when every instance fails
            continue
        instance = view.instances[i]
        per_instance[instance.id] = rejection.reason.value
        if closest is None or rejection.stage > closest[0].stage:
            closest = (rejection, instance)
    assert closest is not None
    rejection, instance = closest
    return PlacementFailure(
        reason=rejection.reason.value,
        closest=f"The closest matching container-instance {instance.id} {rejection.message}",
        per_instance=per_instance,
        closest_instance_id=instance.id,
        closest_arn=instance.arn,
    )


def _no_active_instances(instances: Sequence[Instance]) -> PlacementFailure:
    if instances:
        closest = "No ACTIVE Container Instances were found in your cluster."
    else:
        closest = "No Container Instances were found in your cluster."
    return PlacementFailure(reason=Reason.NO_ACTIVE_INSTANCES.value, closest=closest)


# --- strategies ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _KeyLevel:
    """A strategy ranking instances by a number of their own, lowest first."""

    key: Callable[[int], int]


@dataclass(frozen=True, slots=True)
class _BucketLevel:
    """A strategy ranking instances by a count shared with their bucket (host or attribute value).

    `counts` may only move in one direction during a call (up when placing, down when stopping):
    the ranker relies on it to refresh bucket keys lazily.
    """

    bucket: Sequence[Hashable]  # per instance index
    counts: dict[Hashable, int]
    sign: int  # +1: fewest first (placing), -1: most first (stopping)


_Level = _KeyLevel | _BucketLevel
_MISSING = object()  # the bucket of instances without the spread attribute


def _placement_levels(task: TaskRequest, view: _View, active: Sequence[int]) -> list[_Level]:
    levels: list[_Level] = []
    for strategy in task.strategies:
        kind, target = _strategy(strategy)
        if kind == "random":  # ranks everything at random: later strategies cannot break ties
            break
        if kind == "binpack":
            levels.append(_KeyLevel((view.cpu if target == "cpu" else view.memory).__getitem__))
        elif target == "instanceId":
            levels.append(_KeyLevel(view.group.__getitem__))
        else:
            buckets = [_bucket(instance, target) for instance in view.instances]
            levels.append(_spread_level(buckets, active, view.group, +1))
    return levels


def _spread_level(buckets: Sequence[Hashable], members: Sequence[int], tasks: list[int], sign: int) -> _Level:
    """spread(host | attribute:X) over `members`, whose group task counts are `tasks` (kept current).

    When every bucket holds one instance (one agent per host, as usual), a bucket's count is its
    instance's own, and a key level ranks the same way without ever gathering tied buckets.
    """
    if len({buckets[i] for i in members}) == len(members):
        return _KeyLevel(tasks.__getitem__ if sign > 0 else _most_first(tasks))
    counts: dict[Hashable, int] = {}
    for i in members:
        counts[buckets[i]] = counts.get(buckets[i], 0) + tasks[i]
    return _BucketLevel(buckets, counts, sign)


def _bucket(instance: Instance, target: str) -> Hashable:
    if target == "host":
        return instance.ec2_instance_id or instance.id
    return instance.attributes.get(target.removeprefix("attribute:"), _MISSING)


def _strategy(strategy: Strategy) -> tuple[str, str]:
    """(type, field) in canonical spelling; ValueError when ECS would reject the strategy."""
    kind, target = strategy.type, strategy.field
    if kind == "random":
        return kind, ""
    if kind == "binpack" and target.lower() in ("cpu", "memory"):
        return kind, target.lower()
    if kind == "spread":
        if target.lower() in ("instanceid", "host"):
            return kind, "instanceId" if target.lower() == "instanceid" else "host"
        if target[:10].lower() == "attribute:" and len(target) > 10:
            return kind, "attribute:" + target[10:]
    if kind not in ("binpack", "spread"):
        raise ValueError(f"unknown placement strategy type {kind!r} (expected binpack, spread or random)")
    expected = "cpu or memory" if kind == "binpack" else "instanceId, host or attribute:<name>"
    raise ValueError(f"invalid field {target!r} for {kind} (expected {expected})")


def _constraint_type(constraint: Constraint) -> str:
    if constraint.type == "distinctInstance":
        if constraint.expression:
            raise ValueError("distinctInstance takes no expression")
        return constraint.type
    if constraint.type == "memberOf":
        if not constraint.expression:
            raise ValueError("memberOf needs an expression")
        return constraint.type
    raise ValueError(
        f"unknown placement constraint type {constraint.type!r} (expected distinctInstance or memberOf)"
    )


def validate_placement(
    constraints: Sequence[Constraint], strategies: Sequence[Strategy]
) -> list[tuple[str, str]]:
    """Every problem `place()` would raise about, as (field path, description) pairs for the API's
    field violations; empty when both lists are valid."""
    violations: list[tuple[str, str]] = []
    if len(constraints) > MAX_CONSTRAINTS:
        violations.append(("placementConstraints", f"at most {MAX_CONSTRAINTS} allowed"))
    if len(strategies) > MAX_STRATEGIES:
        violations.append(("placementStrategy", f"at most {MAX_STRATEGIES} allowed"))
    for n, constraint in enumerate(constraints):
        try:
            if _constraint_type(constraint) == "memberOf":
                query.validate(constraint.expression)
        except query.QueryError as e:
            violations.append((f"placementConstraints[{n}].expression", str(e)))
        except ValueError as e:
            violations.append((f"placementConstraints[{n}]", str(e)))
    for n, strategy in enumerate(strategies):
        try:
            _strategy(strategy)
        except ValueError as e:
            violations.append((f"placementStrategy[{n}]", str(e)))
    return violations


# --- ranking tree --------------------------------------------------------------------------------


class _Leaf:
    """Instances tied on every strategy; one is picked at random. O(1) add, remove and pick."""

    __slots__ = ("index", "members")

    def __init__(self) -> None:
        self.members: list[int] = []
        self.index: dict[int, int] = {}

    def add(self, i: int) -> None:
        self.index[i] = len(self.members)
        self.members.append(i)

    def remove(self, i: int) -> None:
        position = self.index.pop(i)
        last = self.members.pop()
        if last != i:
            self.members[position] = last
            self.index[last] = position


# (best key tuple beneath the child, random tiebreak, sequence number, child key)
_Entry = tuple[tuple[int, ...], float, int, Hashable]


class _Node:
    """One strategy level: children by key (or bucket), in a heap by the best key tuple beneath them.

    `live` holds each child's current heap entry; any other entry for it is superseded and dropped
    when it surfaces.
    """

    __slots__ = ("children", "depth", "heap", "live")

    def __init__(self, depth: int) -> None:
        self.depth = depth
        self.children: dict[Hashable, _Node | _Leaf] = {}
        self.heap: list[_Entry] = []
        self.live: dict[Hashable, _Entry] = {}


class _Ranker:
    """Candidates ordered by a list of strategy levels, best first, ties broken by `rng`.

    An instance's rank is the tuple of its keys, one per level (a bucket level's key is its bucket's
    count); the best instance has the smallest tuple, so a later strategy breaks the ties of the
    earlier ones even across buckets. Each node's heap orders its children by the smallest tuple
    beneath them. Entries go stale in one direction only: a bucket count only grows while placing
    (only shrinks, with sign -1, while stopping) and an instance leaving a subtree only worsens it,
    so a stale entry underestimates and is refreshed when it reaches the top. The one instance
    whose own keys change is discarded and added again, which re-pushes its ancestors' entries.
    """

    def __init__(self, levels: Sequence[_Level], rng: Random) -> None:
        self._levels = levels
        self._buckets = [level for level in levels if isinstance(level, _BucketLevel)]
        self._rng = rng
        self._seq = itertools.count()
        self._root: _Node | _Leaf = _Node(0) if levels else _Leaf()
        self._paths: dict[int, tuple[_Leaf, list[tuple[_Node, Hashable]]]] = {}

    def add(self, i: int) -> None:
        """Rank instance i by its current keys."""
        node = self._root
        path: list[tuple[_Node, Hashable]] = []
        last = len(self._levels) - 1
        for depth, level in enumerate(self._levels):
            assert isinstance(node, _Node)
            key = level.key(i) if isinstance(level, _KeyLevel) else level.bucket[i]
            child = node.children.get(key)
            if child is None:
                child = node.children[key] = _Leaf() if depth == last else _Node(depth + 1)
            path.append((node, key))
            node = child
        assert isinstance(node, _Leaf)
        node.add(i)
        self._paths[i] = (node, path)
        for parent, key in reversed(path):  # the best beneath each ancestor may have improved
            rank = self._rank(parent, key)
            live = parent.live.get(key)
            if live is None or live[0] != rank:
                self._push(parent, key, rank)

    def discard(self, i: int) -> None:
        """Forget instance i (before its keys change, or when it no longer fits)."""
        leaf, path = self._paths.pop(i)
        leaf.remove(i)
        if leaf.members:
            return
        for node, key in reversed(path):  # prune the branches left empty
            del node.children[key]
            del node.live[key]
            if node.children:
                return

    def record(self, i: int, delta: int) -> None:
        """A task of the group was added to (or removed from) instance i: move its bucket counts."""
        for level in self._buckets:
            level.counts[level.bucket[i]] += delta

    def best(self) -> int | None:
        node = self._root
        if isinstance(node, _Node) and self._top(node) is None:
            return None
        while isinstance(node, _Node):  # _top() checked the whole best path, down to a leaf
            node = node.children[node.heap[0][3]]
        members = node.members
        if len(members) > 1:
            return members[self._rng.randrange(len(members))]
        return members[0] if members else None

    def _top(self, node: _Node) -> _Entry | None:
        """The node's best live entry, its rank checked against the current keys."""
        heap, live = node.heap, node.live
        while heap:
            entry = heap[0]
            key = entry[3]
            if live.get(key) is not entry:  # superseded, or the child is gone
                heappop(heap)
                continue
            rank = self._rank(node, key)
            if rank == entry[0]:
                return entry
            self._push(node, key, rank, replace_top=True)
        return None

    def _rank(self, node: _Node, key: Hashable) -> tuple[int, ...]:
        """The best key tuple beneath `node`'s child `key`, from the node's level down."""
        level = self._levels[node.depth]
        head = cast(int, key) if isinstance(level, _KeyLevel) else level.sign * level.counts[key]
        child = node.children[key]
        if isinstance(child, _Leaf):
            return (head,)
        top = self._top(child)
        assert top is not None  # empty children are pruned
        return (head, *top[0])

    def _push(self, node: _Node, key: Hashable, rank: tuple[int, ...], *, replace_top: bool = False) -> None:
        # rng breaks ties between equal children; seq keeps the child keys from being compared.
        entry = (rank, self._rng.random(), next(self._seq), key)
        node.live[key] = entry
        if replace_top:
            heapreplace(node.heap, entry)
        else:
            heappush(node.heap, entry)


# --- scale-in ------------------------------------------------------------------------------------


def choose_to_stop(
    tasks: Sequence[RunningTask],
    instances: Sequence[Instance],
    strategies: Sequence[Strategy],
    count: int,
    rng: Random,
) -> list[str]:
    """Pick up to `count` of `tasks` (one service's) to stop on scale-in, undoing `strategies`.

    Tasks on instances that are unknown, not ACTIVE or disconnected go first. Then, level by level:
    spread stops where the service has most tasks (per attribute value, host or instance), binpack
    where the most cpu|memory is free (so that instance empties first), random anywhere; `rng`
    breaks ties between instances, and on an instance the most recently started task goes first.
    Returns task ids in the order chosen.
    """
    if count <= 0 or not tasks:
        return []
    by_id = {instance.id: instance for instance in instances}
    hosts: dict[str, int] = {}
    on_host: list[list[RunningTask]] = []
    for task in tasks:
        h = hosts.setdefault(task.instance_id, len(hosts))
        if h == len(on_host):
            on_host.append([])
        on_host[h].append(task)
    for host_tasks in on_host:
        host_tasks.sort(key=lambda t: (t.started_at, t.task_id))  # pop() takes the newest
    known = [by_id.get(instance_id) for instance_id in hosts]
    loaded = [len(host_tasks) for host_tasks in on_host]
    free_cpu = [instance.remaining_cpu if instance else 0 for instance in known]
    free_memory = [instance.remaining_memory if instance else 0 for instance in known]
    healthy = [
        int(instance is not None and instance.status == "ACTIVE" and instance.agent_connected)
        for instance in known
    ]

    levels: list[_Level] = [_KeyLevel(healthy.__getitem__)]
    for strategy in strategies:
        kind, target = _strategy(strategy)
        if kind == "random":
            break
        if kind == "binpack":
            levels.append(_KeyLevel(_most_first(free_cpu if target == "cpu" else free_memory)))
        elif target == "instanceId":
            levels.append(_KeyLevel(_most_first(loaded)))
        else:
            buckets = [
                _bucket(instance, target) if instance else (instance_id if target == "host" else _MISSING)
                for instance_id, instance in zip(hosts, known, strict=True)
            ]
            levels.append(_spread_level(buckets, range(len(buckets)), loaded, -1))

    ranker = _Ranker(levels, rng)
    for h in range(len(on_host)):
        ranker.add(h)
    stopped: list[str] = []
    while len(stopped) < count:
        best = ranker.best()
        if best is None:
            break
        task = on_host[best].pop()
        stopped.append(task.task_id)
        ranker.record(best, -1)
        ranker.discard(best)
        loaded[best] -= 1
        free_cpu[best] += task.cpu
        free_memory[best] += task.memory
        if on_host[best]:
            ranker.add(best)
    return stopped


def _most_first(values: list[int]) -> Callable[[int], int]:
    return lambda i: -values[i]
