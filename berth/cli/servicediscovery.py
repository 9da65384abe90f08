"""`berth servicediscovery ...`: the Cloud Map stand-in, one subcommand per RPC, as `aws
servicediscovery` has them (`create-private-dns-namespace --name prod.local`, `create-service`,
`discover-instances --namespace-name prod.local --service-name web`, ...)."""

from __future__ import annotations

import argparse

from berth.cli import client_from, command, output, rpc
from berth.v1 import servicediscovery_pb2

SERVICE = servicediscovery_pb2.DESCRIPTOR.services_by_name["ServiceDiscovery"]


def configure(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="discovery_command", metavar="COMMAND")
    for method in SERVICE.methods:
        rpc.add_rpc_command(sub, method)
        sub.choices[rpc.kebab(method.name)].description = f"Call berth.v1.ServiceDiscovery/{method.name}."
    p.set_defaults(rpc=None, print_help=p.print_help)


def run(args: argparse.Namespace) -> int:
    if not args.rpc:
        args.print_help()
        return 2
    with client_from(args) as client:
        response = client.servicediscovery(args.rpc, rpc.request_from_args(args))
    output.print_response(response, args.output or "json")
    return 0


command("servicediscovery", "service discovery (the Cloud Map stand-in): namespaces, services, instances")(
    (configure, run)
)
