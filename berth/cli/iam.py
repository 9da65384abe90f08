"""`berth iam <command>`: users, access keys and policies, as `aws iam` has them
(`create-user --user-name ann`, `create-access-key`, `put-user-policy --policy-document
file://p.json`, `attach-user-policy --policy-arn arn:aws:iam::aws:policy/ReadOnlyAccess`, ...), one
subcommand per RPC of berth.v1.IAM. `berth iam simulate --user ann --action ecs:RunTask --resource
ARN` explains, for each action and resource, what the authorizer decides and which statement
decided it.
"""

from __future__ import annotations

import argparse

from berth.cli import client_from, command, output, rpc
from berth.v1 import iam_pb2

SERVICE = iam_pb2.DESCRIPTOR.services_by_name["IAM"]


def configure(p: argparse.ArgumentParser) -> None:
    # type(p): the parser class that gives every command the global options, so they go anywhere.
    sub = p.add_subparsers(dest="iam_command", metavar="COMMAND", required=True, parser_class=type(p))
    for method in SERVICE.methods:
        rpc.add_rpc_command(sub, method, service=SERVICE.full_name)
    simulate = sub.add_parser("simulate", help="explain the authorizer's decisions for a user")
    simulate.add_argument("--user", required=True, help="the user's name or ARN")
    simulate.add_argument("--action", required=True, nargs="+", help="actions such as ecs:RunTask")
    simulate.add_argument("--resource", nargs="+", default=["*"], help="resource ARNs (default *)")
    simulate.add_argument(
        "--context", nargs="+", default=[], metavar="KEY=VALUE", help="condition keys, e.g. ecs:cluster=ARN"
    )
    simulate.set_defaults(rpc="simulate")


def _context(entries: list[str]) -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    for entry in entries:
        key, sep, value = entry.partition("=")
        if not sep or not key:
            raise SystemExit(f"berth iam simulate: --context {entry!r} must be KEY=VALUE")
        out.append({"contextKeyName": key, "contextKeyValues": value.split(",")})
    return out


def run(args: argparse.Namespace) -> int:
    if args.rpc == "simulate":
        request = {
            "policySourceArn": args.user,
            "actionNames": args.action,
            "resourceArns": args.resource,
            "contextEntries": _context(args.context),
        }
        with client_from(args) as client:
            response = client.iam("SimulatePrincipalPolicy", request)
        if (args.output or "text") == "json":
            output.print_response(response, "json")
        else:
            for result in response.evaluation_results:
                print(f"{result.eval_decision:13} {result.explanation}")
        return 0 if all(r.eval_decision == "allowed" for r in response.evaluation_results) else 1
    with client_from(args) as client:
        response = client.iam(args.rpc, rpc.request_from_args(args))
    output.print_response(response, args.output or "json")
    return 0


command("iam", "users, access keys and IAM policies (aws iam), and the policy simulator")((configure, run))
