"""`berth secrets <command>`: the Secrets Manager stand-in. Short forms for the everyday work:

    berth secrets put NAME --value V      (or --value file://path; creates the secret or adds a version)
    berth secrets get NAME [--stage AWSPREVIOUS | --version-id ID]
    berth secrets list
    berth secrets delete NAME
    berth secrets rotate NAME --value V [--restart-services]

and one subcommand per RPC of berth.v1.SecretsManager, as `aws secretsmanager` has them
(`create-secret`, `put-secret-value`, `get-secret-value`, `describe-secret`, ...).
"""

from __future__ import annotations

import argparse

from berth.cli import client_from, command, output, rpc
from berth.errors import ApiError
from berth.v1 import secretsmanager_pb2

SERVICE = secretsmanager_pb2.DESCRIPTOR.services_by_name["SecretsManager"]


def configure(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="secrets_command", metavar="COMMAND", required=True, parser_class=type(p))
    put = sub.add_parser("put", help="create a secret or give it a new current value")
    put.add_argument("name")
    put.add_argument("--value", required=True, type=rpc.read_value, help="the value (or file://path)")
    put.add_argument("--description", default="")
    get = sub.add_parser("get", help="print a secret's value (the current one by default)")
    get.add_argument("name")
    get.add_argument("--stage", default="", help="a staging label such as AWSPREVIOUS")
    get.add_argument("--version-id", default="")
    sub.add_parser("list", help="the secrets (names and dates, never values)")
    delete = sub.add_parser("delete", help="delete a secret and every version of it")
    delete.add_argument("name")
    rotate = sub.add_parser(
        "rotate", help="a new value; --restart-services redeploys the services that read it"
    )
    rotate.add_argument("name")
    rotate.add_argument("--value", required=True, type=rpc.read_value)
    rotate.add_argument("--restart-services", action="store_true")
    for name in ("put", "get", "list", "delete", "rotate"):
        sub.choices[name].set_defaults(rpc=f"short:{name}")
    for method in SERVICE.methods:
        rpc.add_rpc_command(sub, method, service=SERVICE.full_name)


def _short(client: object, args: argparse.Namespace) -> object:
    call = client.secretsmanager  # type: ignore[attr-defined]
    what = args.rpc.split(":", 1)[1]
    if what == "put":
        try:
            return call("PutSecretValue", secretId=args.name, secretString=args.value)
        except ApiError as e:
            if e.code != "NOT_FOUND":
                raise
            return call("CreateSecret", name=args.name, secretString=args.value, description=args.description)
    if what == "get":
        response = call(
            "GetSecretValue", secretId=args.name, versionStage=args.stage, versionId=args.version_id
        )
        return response
    if what == "list":
        return call("ListSecrets")
    if what == "delete":
        return call("DeleteSecret", secretId=args.name, forceDeleteWithoutRecovery=True)
    return call(
        "RotateSecret", secretId=args.name, secretString=args.value, restartServices=args.restart_services
    )


def run(args: argparse.Namespace) -> int:
    with client_from(args) as client:
        if args.rpc.startswith("short:"):
            response = _short(client, args)
            if args.rpc == "short:get" and not args.output:
                print(response.secret_string)  # type: ignore[attr-defined]
                return 0
        else:
            response = client.secretsmanager(args.rpc, rpc.request_from_args(args))
    output.print_response(response, args.output or "json")  # type: ignore[arg-type]
    return 0


command("secrets", "secrets (aws secretsmanager): put, get, list, delete, rotate, sealed at rest")(
    (configure, run)
)
