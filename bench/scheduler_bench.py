"""Placement throughput of the pure scheduler (`controlplane.scheduler.place`).

10,000 copies of a 128 cpu / 256 MiB task onto 1,000 instances of 4096 cpu / 16384 MiB spread over
three availability zones and a few instance types, with (a) binpack(memory) and (b) spread(AZ) then
spread(instanceId) under a memberOf constraint. Each is timed as one call of count=10,000 and as
100 calls of count=100, the instances being updated with the placements between calls (outside the
timer), which shows the per-call overhead. Figures are placements per second; the baseline, measured
in the same run, is the obvious scheduler that scans every instance for every copy (1,000 copies),
and the ratio is the single call's speed over it.

Run: `.venv/bin/python -m bench.scheduler_bench`.
"""

from __future__ import annotations

import dataclasses
import random
import time
from collections import Counter
from collections.abc import Sequence

from controlplane.scheduler import Constraint, Instance, Strategy, Subject, TaskRequest, parse, place

INSTANCES = 1_000
TASKS = 10_000
BATCH = 100
ZONES = ("us-east-1a", "us-east-1b", "us-east-1c")
TYPES = ("t3.xlarge", "t3.2xlarge", "m5.xlarge", "c5.2xlarge")


def _instances() -> list[Instance]:
    return [
        Instance(
            id=f"{n:032x}",
            arn=f"arn:berth:ecs:local:000000000000:container-instance/default/{n:032x}",
            status="ACTIVE",
            agent_connected=True,
            attributes={
                "ecs.availability-zone": ZONES[n % len(ZONES)],
                "ecs.instance-type": TYPES[n % len(TYPES)],
                "ecs.os-type": "linux",
                "ecs.cpu-architecture": "x86_64",
            },
            remaining_cpu=4096,
            remaining_memory=16384,
            used_ports_tcp=frozenset({22, 2375, 2376, 51678, 51679}),
            used_ports_udp=frozenset(),
            running_tasks_count=0,
            registered_at=1_700_000_000.0 + n,
            task_groups={},
            ec2_instance_id=f"host-{n}",
        )
        for n in range(INSTANCES)
    ]


SCENARIOS: dict[str, TaskRequest] = {
    "binpack_memory": TaskRequest(
        cpu=128,
        memory=256,
        ports_tcp=frozenset(),
        ports_udp=frozenset(),
        group="service:web",
        strategies=(Strategy("binpack", "memory"),),
    ),
    "spread_az_instance_memberof": TaskRequest(
        cpu=128,
        memory=256,
        ports_tcp=frozenset(),
        ports_udp=frozenset(),
        group="service:web",
        constraints=(Constraint("memberOf", "attribute:ecs.instance-type =~ t3.*"),),
        strategies=(
            Strategy("spread", "attribute:ecs.availability-zone"),
            Strategy("spread", "instanceId"),
        ),
    ),
}


def _apply(instances: Sequence[Instance], chosen: Sequence[str], task: TaskRequest) -> list[Instance]:
    """The instances after the placed copies start: what the caller writes back between calls."""
    placed = Counter(chosen)
    updated = []
    for instance in instances:
        n = placed.get(instance.id, 0)
        if n:
            groups = dict(instance.task_groups)
            groups[task.group] = groups.get(task.group, 0) + n
            instance = dataclasses.replace(
                instance,
                remaining_cpu=instance.remaining_cpu - n * task.cpu,
                remaining_memory=instance.remaining_memory - n * task.memory,
                running_tasks_count=instance.running_tasks_count + n,
                task_groups=groups,
            )
        updated.append(instance)
    return updated


def _one_call(task: TaskRequest) -> float:
    instances = _instances()
    rng = random.Random(1)
    started = time.perf_counter()
    result = place(task, instances, TASKS, rng)
    elapsed = time.perf_counter() - started
    assert len(result.chosen) == TASKS, (len(result.chosen), result.failures[:1])
    return TASKS / elapsed


def _batched(task: TaskRequest) -> float:
    instances = _instances()
    rng = random.Random(1)
    elapsed = 0.0
    for _ in range(TASKS // BATCH):
        started = time.perf_counter()
        result = place(task, instances, BATCH, rng)
        elapsed += time.perf_counter() - started
        assert len(result.chosen) == BATCH, result.failures[:1]
        instances = _apply(instances, result.chosen, task)
    return TASKS / elapsed


def _naive(task: TaskRequest, copies: int = 1_000) -> float:
    """The baseline: per copy, filter and rank every instance (same filters and strategies)."""
    instances = _instances()
    expression = parse(task.constraints[0].expression) if task.constraints else None
    fits = [
        expression is None or expression.evaluate(Subject(i.id, attributes=i.attributes)) for i in instances
    ]
    cpu = [i.remaining_cpu for i in instances]
    memory = [i.remaining_memory for i in instances]
    group = [0] * len(instances)
    zone = [str(i.attributes["ecs.availability-zone"]) for i in instances]
    rng = random.Random(1)
    started = time.perf_counter()
    for _ in range(copies):
        per_zone = Counter[str]()
        for n, z in enumerate(zone):
            per_zone[z] += group[n]
        best: tuple[object, ...] | None = None
        chosen = -1
        for n in range(len(instances)):
            if not (fits[n] and cpu[n] >= task.cpu and memory[n] >= task.memory):
                continue
            if task.strategies[0].type == "binpack":
                key: tuple[object, ...] = (memory[n], rng.random())
            else:
                key = (per_zone[zone[n]], group[n], rng.random())
            if best is None or key < best:
                best, chosen = key, n
        cpu[chosen] -= task.cpu
        memory[chosen] -= task.memory
        group[chosen] += 1
    return copies / (time.perf_counter() - started)


def run() -> dict[str, float]:
    """Measure every scenario both ways and the baseline; print and return the figures."""
    figures: dict[str, float] = {}
    rows: list[tuple[str, str]] = []
    for name, task in SCENARIOS.items():
        single = _one_call(task)
        batched = _batched(task)
        baseline = _naive(task)
        figures[f"scheduler.{name}.1x{TASKS}_placements_per_s"] = single
        figures[f"scheduler.{name}.{TASKS // BATCH}x{BATCH}_placements_per_s"] = batched
        figures[f"scheduler.{name}.naive_baseline_placements_per_s"] = baseline
        figures[f"scheduler.{name}.speedup_over_naive"] = single / baseline
        rows += [
            (f"{name}: 1 call x {TASKS:,}", f"{single:>10,.0f} placements/s"),
            (f"{name}: {TASKS // BATCH} calls x {BATCH}", f"{batched:>10,.0f} placements/s"),
            (f"{name}: naive scan (baseline)", f"{baseline:>10,.0f} placements/s"),
            (f"{name}: ratio to baseline", f"{single / baseline:>10,.1f}x"),
        ]
    print(f"\n== scheduler: {TASKS:,} copies onto {INSTANCES:,} instances")
    width = max(len(key) for key, _ in rows)
    for key, value in rows:
        print(f"  {key.ljust(width)}  {value}")
    return figures


if __name__ == "__main__":
    run()
