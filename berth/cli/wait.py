"""`berth wait tasks-running | tasks-stopped | services-stable | services-inactive`: the AWS CLI's
ECS waiters, with progress.

Each polls Describe* (every `--interval` seconds, 1 by default where AWS polls every 6) until the
state is reached (exit 0), cannot be reached any more (exit 1: a task stopped while waiting for
RUNNING, a service that is missing or being deleted), or `--timeout` passes (exit 2). The count of
tasks or services in each state goes to stderr whenever it changes; the outcome to stdout (with
`--output json`, the last Describe* answer and no progress). The verdicts are pure functions.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from berth import jsonmsg
from berth.cli import client_from, command, scope
from berth.taskstatus import TASK_ORDER


@dataclass(frozen=True)
class Verdict:
    done: bool
    failed: str = ""  # why the wanted state cannot come any more
    progress: str = ""


def _missing(failures: Sequence[Any], what: str) -> str:
    missing = [f.arn for f in failures if f.reason == "MISSING"]
    return f"{what} not found: {', '.join(missing)}" if missing else ""


def _counts(statuses: Sequence[str]) -> str:
    counts = Counter(statuses)
    known = [s for s in TASK_ORDER if s in counts] + sorted(s for s in counts if s not in TASK_ORDER)
    return ", ".join(f"{counts[s]} {s}" for s in known)


def tasks_verdict(want: str, tasks: Sequence[Any], failures: Sequence[Any]) -> Verdict:
    """`want` RUNNING or STOPPED, over DescribeTasks' answer."""
    missing = _missing(failures, "tasks")
    progress = f"{sum(t.last_status == want for t in tasks)} of {len(tasks) + len(failures)} tasks {want}"
    if tasks:
        progress += f" ({_counts([t.last_status for t in tasks])})"
    if missing:
        return Verdict(False, missing, progress)
    if want == "RUNNING":
        stopped = next((t for t in tasks if t.last_status == "STOPPED"), None)
        if stopped is not None:
            reason = stopped.stopped_reason or stopped.stop_code or "no reason given"
            return Verdict(False, f"task {stopped.task_arn} stopped: {reason}", progress)
    return Verdict(all(t.last_status == want for t in tasks), "", progress)


def _active_deployments(s: Any) -> int:
    return sum(1 for d in s.deployments if d.status != "INACTIVE")


def _service_line(s: Any) -> str:
    deployments = _active_deployments(s)
    plural = "s" if deployments != 1 else ""
    return f"{s.service_name} {s.running_count}/{s.desired_count} running, {deployments} deployment{plural}"


def services_verdict(want: str, services: Sequence[Any], failures: Sequence[Any]) -> Verdict:
    """`want` STABLE (one deployment, runningCount == desiredCount, as the AWS waiter) or INACTIVE
    (deleted: INACTIVE or gone), over DescribeServices' answer."""
    if want == "INACTIVE":
        left = [s for s in services if s.status != "INACTIVE"]
        progress = "; ".join(f"{s.service_name} {s.status}" for s in left) or "all services INACTIVE"
        return Verdict(not left, "", progress)
    progress = "; ".join(_service_line(s) for s in services)
    missing = _missing(failures, "services")
    if missing:
        return Verdict(False, missing, progress)
    gone = next((s for s in services if s.status in ("DRAINING", "INACTIVE")), None)
    if gone is not None:
        return Verdict(False, f"service {gone.service_name} is {gone.status}", progress)
    stable = all(_active_deployments(s) == 1 and s.running_count == s.desired_count for s in services)
    return Verdict(stable, "", progress)


# waiter -> (the request field with the names, Describe* batch size, wanted state)
WAITERS = {
    "tasks-running": ("tasks", 100, "RUNNING"),
    "tasks-stopped": ("tasks", 100, "STOPPED"),
    "services-stable": ("services", 10, "STABLE"),
    "services-inactive": ("services", 10, "INACTIVE"),
}


def configure(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="waiter", metavar="WAITER", required=True)
    for name, (field, _, want) in WAITERS.items():
        w = sub.add_parser(name, help=f"until the {field} are {want}")
        w.add_argument(f"--{field}", nargs="+", required=True, help=f"{field[:-1]} names, ids or ARNs")
        w.add_argument("--cluster", default="", help="cluster name or ARN (default: default)")
        w.add_argument("--timeout", type=float, default=600.0, help="seconds before giving up (default 600)")
        w.add_argument("--interval", type=float, default=1.0, help="seconds between polls (default 1)")


def run(args: argparse.Namespace) -> int:
    field, batch, want = WAITERS[args.waiter]
    names: list[str] = getattr(args, field)
    args.cluster = scope.cluster_for(args.cluster, [(f"--{field}", n) for n in names])
    quiet = args.output == "json"
    with client_from(args) as client:

        def describe() -> tuple[list[Any], list[Any]]:
            found: list[Any] = []
            failures: list[Any] = []
            call: Callable[..., Any] = client.describe_tasks if field == "tasks" else client.describe_services
            for i in range(0, len(names), batch):
                answer = call(cluster=args.cluster, **{field: names[i : i + batch]})
                found += getattr(answer, field)
                failures += answer.failures
            return found, failures

        verdict_of = tasks_verdict if field == "tasks" else services_verdict
        deadline = time.monotonic() + args.timeout
        last = ""
        while True:
            found, failures = describe()
            verdict = verdict_of(want, found, failures)
            if verdict.progress != last and not quiet:
                print(verdict.progress, file=sys.stderr, flush=True)
                last = verdict.progress
            if verdict.done or verdict.failed or time.monotonic() >= deadline:
                break
            time.sleep(min(args.interval, max(0.0, deadline - time.monotonic())))
    if quiet:
        print(
            json.dumps(
                {
                    field: [jsonmsg.to_dict(x) for x in found],
                    "failures": [jsonmsg.to_dict(f) for f in failures],
                },
                indent=2,
            )
        )
    if verdict.done:
        if not quiet:
            print(f"{len(found)} {field} {want}")
        return 0
    if verdict.failed:
        print(f"berth: waiter {args.waiter} failed: {verdict.failed}", file=sys.stderr)
        return 1
    print(
        f"berth: waiter {args.waiter} gave up after {args.timeout:g} s: {verdict.progress}", file=sys.stderr
    )
    return 2


command("wait", "wait until tasks are RUNNING/STOPPED or services stable/inactive, as aws ecs wait")(
    (configure, run)
)
