"""`berth pool`: the hidden FARGATE pool as its operator sees it (hosts, free capacity, warm
sandboxes, connection)."""

from __future__ import annotations

import argparse
import json

from berth import jsonmsg
from berth.cli import client_from, command
from berth.cli.output import table


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("--pool", default="fargate", help="which pool (default: fargate)")


def resource(instance: object, name: str, field: str = "remaining_resources") -> int:
    for r in getattr(instance, field):
        if r.name == name:
            return int(r.integer_value)
    return 0


def run(args: argparse.Namespace) -> int:
    with client_from(args) as client:
        instances = client.describe_pool(pool=args.pool).container_instances
    if args.output == "json":
        print(json.dumps({"containerInstances": [jsonmsg.to_dict(i) for i in instances]}, indent=2))
        return 0
    rows = [
        [
            i.ec2_instance_id,
            i.container_instance_arn.rsplit("/", 1)[-1][:12],
            i.status,
            "yes" if i.agent_connected else "NO",
            f"{resource(i, 'CPU')}/{resource(i, 'CPU', 'registered_resources')}",
            f"{resource(i, 'MEMORY')}/{resource(i, 'MEMORY', 'registered_resources')}",
            str(i.running_tasks_count),
            str(i.warm_sandboxes),
        ]
        for i in instances
    ]
    print(table(rows, ["HOST", "INSTANCE", "STATUS", "CONNECTED", "FREE CPU", "FREE MIB", "TASKS", "WARM"]))
    return 0


command("pool", "show the hidden FARGATE pool: hosts, free capacity, warm sandboxes")((configure, run))
