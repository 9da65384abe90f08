"""`berth status`: one screen of a cluster's health.

The cluster's counts; each service with desired/running/pending and its deployment's rollout
state; each container instance with its connection and free CPU/memory; and what went wrong in
the last hour (tasks that failed to start, exited with an error or failed health checks, and
FAILED deployments), newest first. `--output json` gives the same summary as one JSON object.
The summary is built by pure functions from described objects, so it is tested without a cluster.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import asdict, dataclass
from typing import Any

from berth.cli import client_from, command
from berth.cli.output import table
from berth.cli.pool import resource
from berth.cli.ps import age, list_tasks
from berth.cli.services import list_services

RECENT_SECONDS = 3600.0
MAX_FAILURES = 8


@dataclass(frozen=True)
class Failure:
    at: float  # epoch seconds
    what: str  # "task 3f2a9c01d4e5 (web:3)", "service web"
    reason: str


def task_failure(task: Any) -> str | None:
    """Why a stopped task counts as a failure, or None when it stopped as asked or did its job."""
    exits = [
        f"{c.name} exited {c.exit_code}" + (f" ({c.reason})" if c.reason else "")
        for c in task.containers
        if c.HasField("exit_code") and c.exit_code != 0
    ]
    reason = task.stopped_reason
    if task.stop_code == "TaskFailedToStart" or "health" in reason.lower():
        return "; ".join([reason or task.stop_code, *exits])
    if task.stop_code in ("EssentialContainerExited", "InfrastructureHealth") and (
        exits or task.stop_code == "InfrastructureHealth"
    ):
        return "; ".join([reason, *exits] if reason else exits)
    return None


def recent_failures(services: list[Any], stopped: list[Any], now: float) -> list[Failure]:
    """Failed tasks and deployments of the last RECENT_SECONDS, newest first, at most MAX_FAILURES."""
    found: list[Failure] = []
    for t in stopped:
        reason = task_failure(t)
        at = t.stopped_at or t.stopping_at or t.created_at
        if reason is not None and now - at <= RECENT_SECONDS:
            what = f"task {t.task_arn.rsplit('/', 1)[-1][:12]} ({t.task_definition_arn.rsplit('/', 1)[-1]})"
            found.append(Failure(at, what, reason))
    for s in services:
        for d in s.deployments:
            at = d.updated_at or d.created_at
            if d.rollout_state == "FAILED" and now - at <= RECENT_SECONDS:
                what = f"service {s.service_name} deployment {d.task_definition.rsplit('/', 1)[-1]}"
                found.append(Failure(at, what, d.rollout_state_reason or "FAILED"))
    return sorted(found, key=lambda f: f.at, reverse=True)[:MAX_FAILURES]


def deployment_state(service: Any) -> str:
    active = [d for d in service.deployments if d.status != "INACTIVE"]
    primary = next((d for d in active if d.status == "PRIMARY"), None)
    if primary is None:
        return "-"
    state = f"{primary.rollout_state or '-'} {primary.task_definition.rsplit('/', 1)[-1]}"
    if len(active) > 1:
        state += f" (+{len(active) - 1} draining)"
    return state


def summary(
    cluster: Any, services: list[Any], instances: list[Any], stopped: list[Any], now: float
) -> dict[str, Any]:
    """The status screen as plain data (what --output json prints)."""
    return {
        "cluster": {
            "clusterName": cluster.cluster_name,
            "status": cluster.status,
            "activeServicesCount": cluster.active_services_count,
            "runningTasksCount": cluster.running_tasks_count,
            "pendingTasksCount": cluster.pending_tasks_count,
            "registeredContainerInstancesCount": cluster.registered_container_instances_count,
        },
        "services": [
            {
                "serviceName": s.service_name,
                "status": s.status,
                "desiredCount": s.desired_count,
                "runningCount": s.running_count,
                "pendingCount": s.pending_count,
                "deployment": deployment_state(s),
            }
            for s in sorted(services, key=lambda s: s.service_name)
        ],
        "containerInstances": [
            {
                "host": i.ec2_instance_id,
                "status": i.status,
                "agentConnected": i.agent_connected,
                "freeCpu": resource(i, "CPU"),
                "cpu": resource(i, "CPU", "registered_resources"),
                "freeMemory": resource(i, "MEMORY"),
                "memory": resource(i, "MEMORY", "registered_resources"),
                "runningTasksCount": i.running_tasks_count,
            }
            for i in sorted(instances, key=lambda i: i.ec2_instance_id)
        ],
        "recentFailures": [asdict(f) for f in recent_failures(services, stopped, now)],
    }


def render(data: dict[str, Any], now: float) -> str:
    c = data["cluster"]
    connected = sum(1 for i in data["containerInstances"] if i["agentConnected"])
    lines = [
        f"cluster {c['clusterName']} ({c['status']}): {c['activeServicesCount']} services, "
        f"{c['runningTasksCount']} tasks running, {c['pendingTasksCount']} pending; "
        f"{connected}/{len(data['containerInstances'])} instances connected",
        "",
    ]
    if data["services"]:
        rows = [
            [
                s["serviceName"],
                s["status"],
                str(s["desiredCount"]),
                str(s["runningCount"]),
                str(s["pendingCount"]),
                s["deployment"],
            ]
            for s in data["services"]
        ]
        lines += [table(rows, ["SERVICE", "STATUS", "DESIRED", "RUNNING", "PENDING", "DEPLOYMENT"]), ""]
    else:
        lines += ["no services", ""]
    if data["containerInstances"]:
        rows = [
            [
                i["host"],
                i["status"],
                "yes" if i["agentConnected"] else "NO",
                f"{i['freeCpu']}/{i['cpu']}",
                f"{i['freeMemory']}/{i['memory']}",
                str(i["runningTasksCount"]),
            ]
            for i in data["containerInstances"]
        ]
        lines += [table(rows, ["INSTANCE", "STATUS", "CONNECTED", "FREE CPU", "FREE MIB", "TASKS"]), ""]
    else:
        lines += ["no container instances (start an agent, or `berth up`)", ""]
    if data["recentFailures"]:
        lines.append("recent failures (last hour, newest first):")
        lines += [f"  {age(now - f['at'])} ago  {f['what']}: {f['reason']}" for f in data["recentFailures"]]
    else:
        lines.append("no failures in the last hour")
    return "\n".join(lines)


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("--cluster", default="", help="cluster name or ARN (default: default)")


def run(args: argparse.Namespace) -> int:
    with client_from(args) as client:
        described = client.describe_clusters(clusters=[args.cluster or "default"])
        if not described.clusters:
            print(f"berth: cluster {args.cluster or 'default'!r} not found", file=sys.stderr)
            return 1
        services = list_services(client, args.cluster)
        arns = client.list_all("ListContainerInstances", "container_instance_arns", cluster=args.cluster)
        instances = []
        for i in range(0, len(arns), 100):
            instances += client.describe_container_instances(
                cluster=args.cluster, containerInstances=arns[i : i + 100]
            ).container_instances
        stopped = list_tasks(client, args.cluster, "", ["STOPPED"])
    now = time.time()
    data = summary(described.clusters[0], services, instances, stopped, now)
    if args.output == "json":
        print(json.dumps(data, indent=2))
    else:
        print(render(data, now))
    return 0


command("status", "one screen of cluster health: services, instances, recent failures")((configure, run))
