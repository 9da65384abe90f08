"""Autoscaling (issue #11): how fast a service under a CPU target tracking policy reacts, and how
fast the pure decision is.

- reaction: a service of real CPU burners (busybox loops, one core each, cpu 256 units reserved,
  so one burner shows ~400 % against a 50 % target) starts at 1 task, MinCapacity 1, MaxCapacity 2
  (two burners are all two cores can take). Timed from the benchmark's own polling (every 0.25 s):
  load start (first burner RUNNING) -> CPU utilisation visible above the target (GetServiceUtilization)
  -> desiredCount raised -> the new task RUNNING; then load end (every burner stops at one
  wall-clock time) -> desiredCount back at 1. Twice: with berth's default intervals (agent stats
  every 10 s, stored at most every 9 s, policies evaluated every 5 s) and with fast ones (1 s, 0.5 s,
  1 s). Cooldowns: scale-out 5 s, scale-in 10 s (AWS's default is 300 s for both). AWS's figure for
  the same trigger is 86-363 s (containers-roadmap #2113).
- decide(): calls per second of the pure decision over a 10-sample history, for one target
  tracking policy and for three policies (target tracking, a second one, step scaling).
"""

from __future__ import annotations

import time
import uuid

from bench.common import agent_process, controlplane_process, report
from berth import Client
from controlplane.autoscale.decide import (
    CPU,
    MEMORY,
    Capacity,
    LastScaling,
    Sample,
    Step,
    StepScaling,
    TargetTracking,
    decide,
)
from tests.support.autoscale import Timeline, burn_and_scale

DECIDE_CALLS = 50_000


def decide_rate() -> list[tuple[str, str]]:
    now = 10_000.0
    hist = [Sample(now - 5 * (9 - i), 30.0 + i, 4) for i in range(10)]
    one = [TargetTracking("cpu", CPU, 50.0)]
    three = [
        *one,
        TargetTracking("mem", MEMORY, 70.0),
        StepScaling("q", 100.0, (Step(None, 0.0, -1), Step(0.0, None, 2))),
    ]
    histories = {"cpu": hist, "mem": hist, "q": [Sample(now, 80.0)]}
    rows = []
    for label, policies in (("1 policy", one), ("3 policies", three)):
        capacity = Capacity(1, 10, 4, 4)
        start = time.perf_counter()
        for _ in range(DECIDE_CALLS):
            decide(histories, policies, capacity, LastScaling(), now)
        elapsed = time.perf_counter() - start
        rows.append(
            (
                f"decide(), {label}",
                f"{DECIDE_CALLS / elapsed:,.0f} calls/s ({elapsed / DECIDE_CALLS * 1e6:.1f} µs each)",
            )
        )
    return rows


def reaction(
    label: str, cp_extra: tuple[str, ...], agent_extra: tuple[str, ...], burn: float
) -> list[tuple[str, str]]:
    prefix = f"/berth-bench-autoscale-{uuid.uuid4().hex[:8]}/"
    cluster = f"bench-as-{uuid.uuid4().hex[:6]}"
    with (
        controlplane_process(prefix, "--settle-seconds", "1", *cp_extra) as cp,
        agent_process(cp, cluster, *agent_extra),
        Client(config_path=cp.config_path) as client,
    ):
        tl = burn_and_scale(
            client,
            cluster,
            f"bench-burn-{uuid.uuid4().hex[:6]}",
            burn_seconds=burn,
            max_capacity=2,
            timeout=burn + 150,
        )
    return rows_of(label, tl)


def rows_of(label: str, tl: Timeline) -> list[tuple[str, str]]:
    def span(a: float, b: float) -> str:
        return f"{b - a:.1f} s" if a and b else "not reached"

    return [
        (f"{label}: load start -> metric above target", span(tl.loaded_at, tl.crossed_at)),
        (f"{label}: metric above target -> desiredCount up", span(tl.crossed_at, tl.scaled_out_at)),
        (f"{label}: metric above target -> new task RUNNING", span(tl.crossed_at, tl.running_at)),
        (f"{label}: load start -> new task RUNNING", span(tl.loaded_at, tl.running_at)),
        (f"{label}: load end -> desiredCount back to min", span(tl.load_stopped_at, tl.scaled_in_at)),
        (f"{label}: desiredCount seen", " -> ".join(map(str, tl.desired_counts))),
    ]


def run() -> None:
    report("autoscale: pure decision", decide_rate())
    rows = reaction(
        "fast intervals",
        ("--autoscale-interval", "1", "--stats-min-interval", "0.5"),
        ("--stats-interval", "1"),
        burn=30,
    )
    rows += reaction("default intervals", (), (), burn=50)
    rows.append(("AWS (containers-roadmap #2113)", "86-363 s from metric to scaling trigger"))
    report("autoscale: CPU burners, target tracking at 50 % (max 2 tasks)", rows)
