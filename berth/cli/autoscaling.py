"""`berth autoscaling <command>`: the Application Auto Scaling API, as `aws application-autoscaling`
has it (`register-scalable-target`, `put-scaling-policy`, `describe-scaling-activities`, ...).

One subcommand per RPC of berth.v1.ApplicationAutoScaling, flags named after the AWS fields
(`--resource-id service/prod/web --min-capacity 1 --max-capacity 6`); structures as JSON or
`file://path`, `--cli-input-json` for the whole request. `--service-namespace` defaults to `ecs` and
`--scalable-dimension` to `ecs:service:DesiredCount`, the only ones berth scales.
"""

from __future__ import annotations

import argparse
import re

from berth.cli import client_from, command, output, rpc
from berth.v1 import autoscaling_pb2

SERVICE = autoscaling_pb2.DESCRIPTOR.services_by_name["ApplicationAutoScaling"]
DEFAULTS = {"ServiceNamespace": "ecs", "ScalableDimension": "ecs:service:DesiredCount"}


def flag_name(name: str) -> str:
    """AWS CLI style: RoleARN -> role-arn, ScalableTargetAction -> scalable-target-action."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "-", name).lower()


def configure(p: argparse.ArgumentParser) -> None:
    # type(p): the parser class that gives every command the global options, so they go anywhere.
    sub = p.add_subparsers(dest="autoscaling_command", metavar="COMMAND", required=True, parser_class=type(p))
    for method in SERVICE.methods:
        rpc.add_rpc_command(sub, method, service=SERVICE.full_name, namer=flag_name)


def run(args: argparse.Namespace) -> int:
    request = rpc.request_from_args(args)
    for name, value in DEFAULTS.items():
        if name in args.request_fields and not request.get(name):
            request[name] = value
    with client_from(args) as client:
        response = client.autoscaling(args.rpc, request)
    output.print_response(response, args.output or "json")
    return 0


command("autoscaling", "service autoscaling (aws application-autoscaling): targets, policies, activities")(
    (configure, run)
)
