"""People-facing service commands: `berth services` (a table) and `berth deploy` (roll a service to
a task definition and follow the deployment live on stderr until it is steady, FAILED or rolled
back; the outcome on stdout)."""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from typing import Any

from berth import jsonmsg
from berth.cli import client_from, command, scope
from berth.cli.output import table
from berth.errors import ApiError


def list_services(client: Any, cluster: str) -> list[Any]:
    arns = client.list_all("ListServices", "service_arns", cluster=cluster)
    services = []
    for i in range(0, len(arns), 10):
        services += client.describe_services(cluster=cluster, services=arns[i : i + 10]).services
    return services


def configure_services(p: argparse.ArgumentParser) -> None:
    p.add_argument("--cluster", default="", help="cluster name or ARN (default: default)")


def run_services(args: argparse.Namespace) -> int:
    with client_from(args) as client:
        services = list_services(client, args.cluster)
    if args.output == "json":
        print(json.dumps({"services": [jsonmsg.to_dict(s) for s in services]}, indent=2))
        return 0
    rows = []
    for s in sorted(services, key=lambda s: s.service_name):
        primary = next((d for d in s.deployments if d.status == "PRIMARY"), None)
        rows.append(
            [
                s.service_name,
                s.status,
                f"{s.desired_count}/{s.running_count}/{s.pending_count}",
                str(sum(1 for d in s.deployments if d.status != "INACTIVE")),
                primary.rollout_state if primary else "-",
                s.task_definition.rsplit("/", 1)[-1],
            ]
        )
    print(table(rows, ["NAME", "STATUS", "DESIRED/RUNNING/PENDING", "DEPLOYMENTS", "ROLLOUT", "DEFINITION"]))
    return 0


def configure_deploy(p: argparse.ArgumentParser) -> None:
    p.add_argument("service", help="service name or ARN")
    p.add_argument("--cluster", default="", help="cluster name or ARN (default: default)")
    p.add_argument("--task-definition", default="", help="family, family:revision or ARN to deploy")
    p.add_argument("--desired-count", type=int, default=None)
    p.add_argument(
        "--force-new-deployment", action="store_true", help="replace the tasks even with no change"
    )
    p.add_argument("--timeout", type=float, default=900.0, help="seconds to follow before giving up")


def _progress(service: Any) -> str:
    parts = []
    for d in service.deployments:
        if d.status == "INACTIVE":
            continue
        parts.append(
            f"{d.status.lower()} {d.task_definition.rsplit('/', 1)[-1]}: "
            f"{d.running_count}/{d.desired_count} running, {d.pending_count} pending"
            + (f", {d.failed_tasks} failed" if d.failed_tasks else "")
            + f" [{d.rollout_state}]"
        )
    return "; ".join(parts)


def run_deploy(args: argparse.Namespace) -> int:
    """Progress (the deployment's counts and the service's events) goes to stderr, the outcome to
    stdout: a sentence, or with --output json the service as DescribeServices returns it."""
    quiet = args.output == "json"
    note = sys.stderr
    live = note.isatty() and not quiet
    lock = threading.Lock()

    def progress(line: str, *, redraw: bool = False) -> None:
        if quiet:
            return
        with lock:
            if live:
                print("\r\033[K" + line, end="" if redraw else "\n", file=note, flush=True)
            else:
                print(line, file=note, flush=True)

    args.cluster = scope.cluster_for(args.cluster, [("SERVICE", args.service)])
    with client_from(args) as client:
        fields: dict[str, Any] = {"cluster": args.cluster, "service": args.service}
        if args.task_definition:
            fields["taskDefinition"] = args.task_definition
        if args.desired_count is not None:
            fields["desiredCount"] = args.desired_count
        if args.force_new_deployment:
            fields["forceNewDeployment"] = True
        service = client.update_service(**fields).service
        ours = next(d for d in service.deployments if d.status == "PRIMARY")
        progress(
            f"deploying {ours.task_definition.rsplit('/', 1)[-1]} to {service.service_name} "
            f"(deployment {ours.id})"
        )
        stop = threading.Event()

        def follow_events() -> None:
            try:
                for message in client.watch_service_events(
                    cluster=args.cluster, services=[service.service_name], timeout=args.timeout
                ):
                    if stop.is_set():
                        return
                    progress(message.event.message)
            except ApiError:
                return

        def outcome(code: int, sentence: str) -> int:
            if live:
                print(file=note)
            if quiet:
                print(json.dumps({"service": jsonmsg.to_dict(service)}, indent=2))
            else:
                print(sentence, flush=True)
            return code

        threading.Thread(target=follow_events, daemon=True).start()
        deadline = time.monotonic() + args.timeout
        last = ""
        try:
            while time.monotonic() < deadline:
                service = client.describe_services(
                    cluster=args.cluster, services=[service.service_arn]
                ).services[0]
                line = _progress(service)
                if line != last:
                    progress(line, redraw=True)
                    last = line
                mine = next((d for d in service.deployments if d.id == ours.id), None)
                rollback = next((d for d in service.deployments if d.rollback_from == ours.id), None)
                if rollback is not None and rollback.rollout_state == "COMPLETED":
                    return outcome(
                        1,
                        f"deployment {ours.id} FAILED and was rolled back to "
                        f"{rollback.task_definition.rsplit('/', 1)[-1]}",
                    )
                if mine is not None and mine.rollout_state == "FAILED" and rollback is None:
                    return outcome(1, f"deployment {ours.id} FAILED: {mine.rollout_state_reason}")
                active = [d for d in service.deployments if d.status != "INACTIVE"]
                if (
                    mine is not None
                    and mine.rollout_state == "COMPLETED"
                    and len(active) == 1
                    and service.running_count == service.desired_count
                ):
                    return outcome(
                        0,
                        f"{service.service_name} has reached a steady state on "
                        f"{mine.task_definition.rsplit('/', 1)[-1]}",
                    )
                time.sleep(1)
            return outcome(2, f"gave up following after {args.timeout:.0f} s")
        finally:
            stop.set()


command("services", "list the services of a cluster as a table")((configure_services, run_services))
command("deploy", "deploy a task definition to a service and follow it live")((configure_deploy, run_deploy))
