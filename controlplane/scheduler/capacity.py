"""Capacity provider strategies: which provider each new task goes to.

berth knows two kinds of capacity: `FARGATE` (and `FARGATE_SPOT`, the same pool here), the hidden
pool of hosts the operator runs, and any other provider name, which means the cluster's own
container instances (so an ECS strategy naming an Auto Scaling group provider works unchanged).
ECS's rules: the provider with `base` gets that many tasks first; the rest is split by `weight`
ratio; weight-0 providers get nothing beyond their base; at most one item may set `base`.
`capacity_strategy` and `check_launch` apply these rules to a request (RunTask, CreateService).
Pure functions, no I/O.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from berth.errors import FieldViolation, InvalidArgument
from berth.units import parse_cpu, parse_memory
from berth.v1 import types_pb2
from controlplane.scheduler.placement import Constraint, Strategy
from controlplane.validation.fargate import valid_fargate_pair

FARGATE = "FARGATE"
POOL_PROVIDERS = ("FARGATE", "FARGATE_SPOT")
MAX_ITEMS = 20
LAUNCH_TYPES = ("EC2", "EXTERNAL", "FARGATE")


@dataclass(frozen=True)
class ProviderItem:
    provider: str
    base: int = 0
    weight: int = 0

    @classmethod
    def of(cls, item: types_pb2.CapacityProviderStrategyItem) -> ProviderItem:
        return cls(
            item.capacity_provider,
            item.base if item.HasField("base") else 0,
            item.weight if item.HasField("weight") else 0,
        )


def is_pool(provider: str) -> bool:
    return provider in POOL_PROVIDERS


def validate_strategy(
    items: Sequence[ProviderItem], field: str = "capacityProviderStrategy"
) -> list[FieldViolation]:
    problems: list[FieldViolation] = []
    if len(items) > MAX_ITEMS:
        problems.append(FieldViolation(field, f"at most {MAX_ITEMS} items"))
    seen: set[str] = set()
    for i, item in enumerate(items):
        path = f"{field}[{i}]"
        if not item.provider:
            problems.append(FieldViolation(f"{path}.capacityProvider", "is required"))
        elif item.provider in seen:
            problems.append(FieldViolation(f"{path}.capacityProvider", f"{item.provider!r} is given twice"))
        seen.add(item.provider)
        if not 0 <= item.base <= 100_000:
            problems.append(FieldViolation(f"{path}.base", f"{item.base} is out of range 0 to 100000"))
        if not 0 <= item.weight <= 1000:
            problems.append(FieldViolation(f"{path}.weight", f"{item.weight} is out of range 0 to 1000"))
    if sum(1 for item in items if item.base) > 1:
        problems.append(FieldViolation(field, "only one capacity provider may set a base"))
    if items and not any(item.weight for item in items) and not any(item.base for item in items):
        problems.append(FieldViolation(field, "at least one capacity provider needs a weight above 0"))
    return problems


def targets(items: Sequence[ProviderItem], total: int) -> dict[str, int]:
    """How many of `total` tasks each provider should hold: base first, the rest by weight.

    Rounding gives the leftover tasks to the providers with the largest remainders (ties: the order
    of the strategy), so the counts always add up to `total` when any weight is positive.
    """
    out = {item.provider: 0 for item in items}
    remaining = total
    for item in items:
        if item.base:
            out[item.provider] = min(item.base, remaining)
            remaining -= out[item.provider]
    weights = {item.provider: item.weight for item in items if item.weight > 0}
    if remaining <= 0 or not weights:
        return out
    whole = sum(weights.values())
    shares = {p: remaining * w / whole for p, w in weights.items()}
    floors = {p: int(s) for p, s in shares.items()}
    leftover = remaining - sum(floors.values())
    order = sorted(weights, key=lambda p: (-(shares[p] - floors[p]), list(weights).index(p)))
    for p in order[:leftover]:
        floors[p] += 1
    for p, n in floors.items():
        out[p] += n
    return out


def assign(items: Sequence[ProviderItem], existing: Mapping[str, int], new: int) -> list[str]:
    """Providers for `new` more tasks, given how many each provider already holds: fill the
    providers furthest below their target for the new total first."""
    counts: Counter[str] = Counter({p: existing.get(p, 0) for p in (i.provider for i in items)})
    goal = targets(items, sum(counts.values()) + new)
    out: list[str] = []
    for _ in range(new):
        provider = max(goal, key=lambda p: (goal[p] - counts[p], -[i.provider for i in items].index(p)))
        out.append(provider)
        counts[provider] += 1
    return out


def capacity_strategy(
    launch_type: str, strategy: Sequence[types_pb2.CapacityProviderStrategyItem], cluster: types_pb2.Cluster
) -> list[ProviderItem]:
    """Where tasks go: [] for the cluster's own instances (launchType EC2/EXTERNAL or nothing given),
    [FARGATE] for launchType FARGATE, else the request's (or the cluster's default) provider strategy."""
    if launch_type and launch_type not in LAUNCH_TYPES:
        raise InvalidArgument.field("launchType", f"{launch_type!r} is not EC2, EXTERNAL or FARGATE")
    if launch_type and strategy:
        raise InvalidArgument.field(
            "capacityProviderStrategy", "give launchType or capacityProviderStrategy, not both"
        )
    if launch_type == "FARGATE":
        return [ProviderItem("FARGATE", weight=1)]
    if launch_type:
        return []
    chosen = list(strategy) or list(cluster.default_capacity_provider_strategy)
    items = [ProviderItem.of(i) for i in chosen]
    problems = validate_strategy(items)
    if problems:
        raise InvalidArgument(problems)
    return items


def check_launch(
    td: types_pb2.TaskDefinition,
    launch_type: str,
    items: Sequence[ProviderItem],
    overrides: types_pb2.TaskOverride,
    constraints: Sequence[Constraint],
    strategies: Sequence[Strategy],
) -> None:
    """What FARGATE refuses at launch time (the definition itself was checked when registered)."""
    if not any(is_pool(i.provider) for i in items):
        return
    problems = []
    if "FARGATE" not in td.requires_compatibilities:
        problems.append(
            FieldViolation(
                "taskDefinition",
                f"{td.family}:{td.revision} cannot run on FARGATE: "
                "its requiresCompatibilities does not include FARGATE",
            )
        )
    if constraints:
        problems.append(
            FieldViolation("placementConstraints", "placement constraints are not supported on FARGATE")
        )
    if strategies:
        problems.append(
            FieldViolation("placementStrategy", "placement strategies are not supported on FARGATE")
        )
    if overrides.cpu or overrides.memory:
        cpu = parse_cpu(overrides.cpu or td.cpu) or 0
        memory = parse_memory(overrides.memory or td.memory) or 0
        if not valid_fargate_pair(cpu, memory):
            problems.append(
                FieldViolation(
                    "overrides.cpu" if overrides.cpu else "overrides.memory",
                    f"cpu {cpu} with memory {memory} MiB is not a valid FARGATE size",
                )
            )
    if problems:
        raise InvalidArgument(problems)
