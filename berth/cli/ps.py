"""`berth ps`: the tasks of a cluster as a table (id, family:revision, status, host, ports, age)."""

from __future__ import annotations

import argparse
import json
import time
from typing import Any

from berth import jsonmsg
from berth.cli import client_from, command
from berth.cli.output import table


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("--cluster", default="", help="cluster name or ARN (default: default)")
    p.add_argument("-a", "--all", action="store_true", help="include stopped tasks")
    p.add_argument("--service", default="", help="only the tasks of this service")


def age(seconds: float) -> str:
    if seconds < 120:
        return f"{int(seconds)}s"
    if seconds < 7200:
        return f"{int(seconds // 60)}m"
    if seconds < 172800:
        return f"{int(seconds // 3600)}h"
    return f"{int(seconds // 86400)}d"


def list_tasks(client: Any, cluster: str, service: str, statuses: list[str]) -> list[Any]:
    arns: list[str] = []
    for desired in statuses:
        arns += client.list_all(
            "ListTasks", "task_arns", cluster=cluster, desiredStatus=desired, serviceName=service
        )
    tasks = []
    for i in range(0, len(arns), 100):
        tasks += client.describe_tasks(cluster=cluster, tasks=arns[i : i + 100]).tasks
    return sorted(tasks, key=lambda t: t.created_at)


def host_names(client: Any, cluster: str, tasks: list[Any]) -> dict[str, str]:
    arns = sorted({t.container_instance_arn for t in tasks if t.container_instance_arn})
    names: dict[str, str] = {}
    for i in range(0, len(arns), 100):
        for inst in client.describe_container_instances(
            cluster=cluster, containerInstances=arns[i : i + 100]
        ).container_instances:
            names[inst.container_instance_arn] = inst.ec2_instance_id
    return names


def ports(task: Any) -> str:
    out = []
    for c in task.containers:
        for b in c.network_bindings:
            out.append(f"{b.host_port}->{b.container_port}/{b.protocol or 'tcp'}")
    for a in task.attachments:
        for d in a.details:
            if d.name == "privateIPv4Address" and d.value:
                out.append(d.value)
    return ",".join(out) or "-"


def run(args: argparse.Namespace) -> int:
    with client_from(args) as client:
        tasks = list_tasks(
            client, args.cluster, args.service, ["RUNNING", "STOPPED"] if args.all else ["RUNNING"]
        )
        names = host_names(client, args.cluster, tasks)
    if args.output == "json":
        print(json.dumps({"tasks": [jsonmsg.to_dict(t) for t in tasks]}, indent=2))
        return 0
    now = time.time()
    rows = []
    for t in tasks:
        family_rev = t.task_definition_arn.rsplit("/", 1)[-1]
        status = (
            t.last_status
            if t.desired_status == "RUNNING" or t.last_status == "STOPPED"
            else f"{t.last_status}->STOPPED"
        )
        rows.append(
            [
                t.task_arn.rsplit("/", 1)[-1][:12],
                family_rev,
                status,
                names.get(t.container_instance_arn, t.container_instance_arn.rsplit("/", 1)[-1][:12]),
                ports(t),
                age(now - t.created_at),
            ]
        )
    print(table(rows, ["TASK", "DEFINITION", "STATUS", "HOST", "PORTS", "AGE"]))
    return 0


command("ps", "list the tasks of a cluster as a table")((configure, run))
