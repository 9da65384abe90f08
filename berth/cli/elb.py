"""`berth elb ...`: the Elastic Load Balancing (v2) stand-in, one subcommand per RPC, as `aws elbv2`
has them:

    berth elb create-load-balancer --name web
    berth elb create-target-group --name web --protocol HTTP --port 80 --health-check-path /healthz
    berth elb create-listener --load-balancer-arn ARN --port 8080 \\
        --default-actions Type=forward,TargetGroupArn=ARN
    berth elb register-targets --target-group-arn ARN --targets Id=10.0.0.5,Port=8080
    berth elb modify-target-group-attributes --target-group-arn ARN \\
        --attributes Key=deregistration_delay.timeout_seconds,Value=5
    berth elb describe-target-health --target-group-arn ARN --output table

Structures take aws-cli's shorthand (`Key=Value,Key=Value`, several after one flag for a list) or
JSON (or `file://path`); `--cli-input-json` gives the whole request.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from berth.cli import client_from, command, output, rpc
from berth.v1 import elb_pb2

SERVICE = elb_pb2.DESCRIPTOR.services_by_name["ElasticLoadBalancing"]

output.COLUMNS.setdefault(
    "ElbLoadBalancer", ["loadBalancerName", "type", "scheme", "state", "nodeId", "loadBalancerArn"]
)
output.COLUMNS.setdefault(
    "TargetGroup", ["targetGroupName", "protocol", "port", "targetType", "healthCheckPath", "targetGroupArn"]
)
output.COLUMNS.setdefault("Listener", ["port", "protocol", "defaultActions", "listenerArn"])
output.COLUMNS.setdefault("TargetGroupAttribute", ["key", "value"])


def shorthand(flag: str) -> Any:
    """aws-cli's shorthand `Type=forward,TargetGroupArn=arn:...` (names in any case) or JSON."""

    def parse(value: str) -> Any:
        text = rpc.read_value(value).strip()
        if text.startswith(("{", "[")):
            try:
                return json.loads(text)
            except json.JSONDecodeError as e:
                raise argparse.ArgumentTypeError(
                    f"{flag}: not valid JSON ({e.msg} at position {e.pos})"
                ) from None
        out: dict[str, str] = {}
        for part in text.split(","):
            key, sep, item = part.partition("=")
            if not sep or not key.strip():
                raise argparse.ArgumentTypeError(
                    f"{flag}: {part!r} is not Key=Value (give Key=Value,Key=Value or JSON)"
                )
            key = key.strip()
            out[key[0].lower() + key[1:]] = item.strip()
        return out

    return parse


def configure(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="elb_command", metavar="COMMAND", required=True, parser_class=type(p))
    for method in SERVICE.methods:
        cmd = rpc.add_rpc_command(sub, method, service=SERVICE.full_name)
        repeated = set()
        for field in method.input_type.fields:
            if field.message_type is None:
                continue
            dest = f"field__{field.json_name}"
            for action in cmd._actions:
                if action.dest == dest:
                    action.type = shorthand(action.option_strings[0])
                    action.metavar = "SHORTHAND|JSON"
                    if field.is_repeated:
                        action.nargs = "+"
                        repeated.add(field.json_name)
        cmd.set_defaults(repeated_fields=repeated)


def request_from(args: argparse.Namespace) -> dict[str, Any]:
    request = rpc.request_from_args(args)
    for name in getattr(args, "repeated_fields", ()):
        value = request.get(name)
        if isinstance(value, list) and getattr(args, f"field__{name}", None) is not None:
            flat: list[Any] = []
            for item in value:
                flat.extend(item if isinstance(item, list) else [item])
            request[name] = flat
    return request


def health_table(response: elb_pb2.DescribeTargetHealthResponse) -> str:
    rows = [
        [
            d.target.id,
            str(d.target.port),
            d.target_health.state,
            d.target_health.reason or "-",
            d.task_arn.rsplit("/", 1)[-1] or "-",
        ]
        for d in response.target_health_descriptions
    ]
    return output.table(rows, ["ID", "PORT", "STATE", "REASON", "TASK"])


def run(args: argparse.Namespace) -> int:
    with client_from(args) as client:
        response = client.elb(args.rpc, request_from(args))
    if args.output == "table" and isinstance(response, elb_pb2.DescribeTargetHealthResponse):
        print(health_table(response))
    else:
        output.print_response(response, args.output or "json")
    return 0


command("elb", "load balancers (aws elbv2): load balancers, target groups, listeners, targets, health")(
    (configure, run)
)
