"""Cost of one service reconcile decision (`controlplane.reconcile.compute_service_plan`).

Scenarios on 1,000 instances: (a) a steady REPLICA service of 5,000 tasks (plus 5,000 STOPPED ones
still stored), the plan the controller computes on every periodic tick; (b) the same service halfway
through a rolling deployment (2,500 old healthy, 2,500 new settling, scale-in of old tasks by the
placement strategy's inverse); (c) a DAEMON service on all 1,000 instances during a deployment.
Figures are milliseconds per plan (median of several runs). The baseline, measured in the same run,
is the least any reconciler must do: copy the service record and classify every task once (live,
running); the ratio says how much the decision adds on top of reading its input.

Run: `.venv/bin/python -m bench.reconcile_bench`.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable

from berth.v1 import types_pb2
from controlplane.reconcile import PlanSettings, compute_service_plan
from controlplane.scheduler import Instance

INSTANCES = 1_000
TASKS = 5_000
STOPPED = 5_000
RUNS = 7
NOW = 1_700_000_000.0
ARN = "arn:berth:ecs:local:000000000000"
ZONES = ("us-east-1a", "us-east-1b", "us-east-1c")


def _instances() -> list[Instance]:
    return [
        Instance(
            id=f"{n:032x}",
            arn=f"{ARN}:container-instance/default/{n:032x}",
            status="ACTIVE",
            agent_connected=True,
            attributes={"ecs.availability-zone": ZONES[n % 3], "ecs.os-type": "linux"},
            remaining_cpu=4096,
            remaining_memory=16384,
            used_ports_tcp=frozenset({22}),
            used_ports_udp=frozenset(),
            running_tasks_count=5,
            registered_at=NOW - 86_400,
            task_groups={"service:web": 5},
        )
        for n in range(INSTANCES)
    ]


def _deployment(ident: str, revision: int, status: str, rollout: str, desired: int) -> types_pb2.Deployment:
    return types_pb2.Deployment(
        id=ident,
        status=status,
        task_definition=f"{ARN}:task-definition/web:{revision}",
        desired_count=desired,
        running_count=0,
        pending_count=0,
        failed_tasks=0,
        created_at=NOW - 3600 * revision,
        rollout_state=rollout,
    )


def _service(daemon: bool, deployments: list[types_pb2.Deployment]) -> types_pb2.Service:
    svc = types_pb2.Service(
        service_name="web",
        status="ACTIVE",
        desired_count=TASKS,
        scheduling_strategy="DAEMON" if daemon else "REPLICA",
        deployments=deployments,
    )
    svc.deployment_configuration.maximum_percent = 100 if daemon else 150
    svc.deployment_configuration.minimum_healthy_percent = 50
    return svc


def _task(
    n: int, deployment: str, revision: int, instance: int, *, started: float, stopped: bool = False
) -> types_pb2.Task:
    return types_pb2.Task(
        task_arn=f"{ARN}:task/default/{n:032x}",
        container_instance_arn=f"{ARN}:container-instance/default/{instance:032x}",
        task_definition_arn=f"{ARN}:task-definition/web:{revision}",
        started_by=deployment,
        group="service:web",
        last_status="STOPPED" if stopped else "RUNNING",
        desired_status="STOPPED" if stopped else "RUNNING",
        health_status="UNKNOWN",
        created_at=started - 2,
        started_at=started,
        stopped_at=started + 60 if stopped else 0.0,
        stop_code="ServiceSchedulerInitiated" if stopped else "",
        reservation=types_pb2.Reservation(cpu=128, memory=256),
    )


def _steady() -> tuple[types_pb2.Service, list[types_pb2.Task]]:
    svc = _service(False, [_deployment("ecs-svc/2", 2, "PRIMARY", "COMPLETED", TASKS)])
    tasks = [_task(n, "ecs-svc/2", 2, n % INSTANCES, started=NOW - 600) for n in range(TASKS)]
    tasks += [
        _task(TASKS + n, "ecs-svc/1", 1, n % INSTANCES, started=NOW - 3000, stopped=True)
        for n in range(STOPPED)
    ]
    return svc, tasks


def _rolling() -> tuple[types_pb2.Service, list[types_pb2.Task]]:
    svc = _service(
        False,
        [
            _deployment("ecs-svc/3", 3, "PRIMARY", "IN_PROGRESS", TASKS),
            _deployment("ecs-svc/2", 2, "ACTIVE", "COMPLETED", TASKS // 2),
        ],
    )
    half = TASKS // 2
    tasks = [_task(n, "ecs-svc/2", 2, n % INSTANCES, started=NOW - 600) for n in range(half)]
    tasks += [_task(half + n, "ecs-svc/3", 3, n % INSTANCES, started=NOW - 5) for n in range(half)]
    tasks += [
        _task(TASKS + n, "ecs-svc/2", 2, n % INSTANCES, started=NOW - 900, stopped=True)
        for n in range(STOPPED)
    ]
    return svc, tasks


def _daemon() -> tuple[types_pb2.Service, list[types_pb2.Task]]:
    svc = _service(
        True,
        [
            _deployment("ecs-svc/3", 3, "PRIMARY", "IN_PROGRESS", INSTANCES),
            _deployment("ecs-svc/2", 2, "ACTIVE", "COMPLETED", INSTANCES),
        ],
    )
    tasks = [
        _task(n, "ecs-svc/3" if n % 2 else "ecs-svc/2", 3 if n % 2 else 2, n, started=NOW - 600)
        for n in range(INSTANCES)
    ]
    return svc, tasks


def _baseline(svc: types_pb2.Service, tasks: list[types_pb2.Task]) -> int:
    copy = types_pb2.Service()
    copy.CopyFrom(svc)
    live = [t for t in tasks if t.desired_status == "RUNNING" and t.last_status != "STOPPED"]
    return sum(1 for t in live if t.last_status == "RUNNING")


def _time(fn: Callable[[], object]) -> float:
    samples = []
    for _ in range(RUNS):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1000


def run() -> dict[str, float]:
    instances = _instances()
    targets = frozenset(i.id for i in instances)
    settings = PlanSettings()
    figures: dict[str, float] = {}
    rng = random.Random(1)
    for name, build, daemon in (
        ("steady", _steady, False),
        ("rolling", _rolling, False),
        ("daemon", _daemon, True),
    ):
        svc, tasks = build()

        def plan(
            svc: types_pb2.Service = svc, tasks: list[types_pb2.Task] = tasks, daemon: bool = daemon
        ) -> object:
            return compute_service_plan(
                svc,
                tasks,
                instances,
                targets if daemon else frozenset(),
                NOW,
                settings,
                rng,
                lambda: "ecs-svc/new",
            )

        def base(svc: types_pb2.Service = svc, tasks: list[types_pb2.Task] = tasks) -> object:
            return _baseline(svc, tasks)

        figures[f"{name}_ms"] = _time(plan)
        figures[f"{name}_baseline_ms"] = _time(base)
        figures[f"{name}_ratio"] = figures[f"{name}_ms"] / figures[f"{name}_baseline_ms"]
    print(f"\n== reconcile: one plan, {TASKS:,} tasks (+{STOPPED:,} stopped) on {INSTANCES:,} instances")
    width = max(len(k) for k in figures)
    for key, value in figures.items():
        print(f"  {key.ljust(width)}  {value:.2f}")
    return figures


if __name__ == "__main__":
    run()
