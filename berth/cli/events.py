"""`berth events`: the cluster's state changes (tasks, services, deployments, container instances)
as ECS sends them to EventBridge, one line each; `-f` keeps following. `--type audit` shows the
audit trail instead (every mutating call, allowed or denied: who, what, on what, the outcome),
which the caller must be allowed to read (berth:WatchAuditEvents).

Without `--since-id` it starts at the oldest event the control plane still has (about ten
minutes, `--event-history`); with it, right after that event, so a script that keeps the last id
it printed misses nothing when it starts again. `--output json` prints each event as one JSON line
in EventBridge's shape (`detail-type`, `source`, `detail`, ...).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from typing import Any

from berth import jsonmsg
from berth.cli import client_from, command

TYPES = ("task", "service", "deployment", "instance", "exec", "autoscaling", "audit")


def iso(seconds: float) -> str:
    return dt.datetime.fromtimestamp(seconds, dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def eventbridge(event: Any) -> dict[str, Any]:
    """An Event as EventBridge delivers ECS events (`detail` in ECS JSON)."""
    kind = event.WhichOneof("detail")
    return {
        "version": "0",
        "id": event.id,
        "detail-type": event.detail_type,
        "source": event.source,
        "account": event.account,
        "time": iso(event.time),
        "region": event.region,
        "resources": list(event.resources),
        "detail": jsonmsg.to_dict(getattr(event, kind)) if kind else {},
    }


def line(event: Any) -> str:
    return f"{iso(event.time)}  {event.type:<10}  {event.summary}  #{event.id}"


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("-f", "--follow", action="store_true", help="keep printing events as they happen")
    p.add_argument("--cluster", default="", help="only this cluster (default: every cluster)")
    p.add_argument(
        "--service", action="append", default=[], help="only this service and its tasks (repeatable)"
    )
    p.add_argument(
        "--type",
        action="append",
        default=[],
        choices=TYPES,
        help="only these kinds (repeatable; audit: the audit trail, only shown when named)",
    )
    p.add_argument("--since-id", default="", metavar="ID", help="start right after this event id")


def run(args: argparse.Namespace) -> int:
    as_json = args.output == "json"
    with client_from(args) as client:
        stream = client.watch_events(
            cluster=args.cluster,
            services=args.service,
            types=args.type,
            afterId=args.since_id,
            fromOldest=not args.since_id,
            follow=args.follow,
        )
        try:
            for event in stream:
                text = json.dumps(eventbridge(event), separators=(",", ":")) if as_json else line(event)
                sys.stdout.write(text + "\n")
                sys.stdout.flush()
        except BrokenPipeError:
            sys.stderr.close()
    return 0


command("events", "print state changes of tasks, services and hosts (EventBridge-shaped); -f follows")(
    (configure, run)
)
