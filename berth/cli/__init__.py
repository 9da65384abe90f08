"""The `berth` command: aws-ecs-style subcommands for every API call, plus commands for people
(`berth up`, `berth ps`, ...). JSON output has the ECS response shape; `--output table` is for
reading. Errors print one line naming the field and exit with status 1 (2 for usage errors)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

from berth.cli import output, rpc, scope
from berth.errors import ApiError
from berth.v1 import ecs_pb2

# People-facing commands register themselves here: name -> (configure parser, run).
Command = tuple[Callable[[argparse.ArgumentParser], None], Callable[[argparse.Namespace], int]]
COMMANDS: dict[str, tuple[str, Command]] = {}


def command(name: str, help_text: str) -> Callable[[Command], Command]:
    def register(cmd: Command) -> Command:
        COMMANDS[name] = (help_text, cmd)
        return cmd

    return register


def build_parser() -> argparse.ArgumentParser:
    from berth.cli import (  # noqa: F401  (they register their commands)
        autoscaling,
        configure_aws,
        elb,
        events,
        execute,
        iam,
        jointoken,
        logs,
        pool,
        ps,
        secrets,
        servicediscovery,
        services,
        status,
        up,
        wait,
    )

    parser = argparse.ArgumentParser(prog="berth", description="Drive a berth cluster (ECS-compatible).")
    add_global_options(parser, default=None)
    # As `aws ecs`, global options go anywhere on the line: every command takes them too, and a
    # value given after the command wins (SUPPRESS: an option not given there leaves the one before).
    options = argparse.ArgumentParser(add_help=False)
    add_global_options(options.add_argument_group("global options"), default=argparse.SUPPRESS)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_parser_with([options]))
    for name, (help_text, (configure, run)) in sorted(COMMANDS.items()):
        p = sub.add_parser(name, help=help_text, description=help_text)
        configure(p)
        p.set_defaults(run=run)
    for method in ecs_pb2.DESCRIPTOR.services_by_name["ECS"].methods:
        if not method.server_streaming and rpc.kebab(method.name) not in COMMANDS:
            rpc.add_rpc_command(sub, method)
    return parser


def add_global_options(group: Any, *, default: Any) -> None:
    group.add_argument(
        "--endpoint", default=default, help="control plane gRPC address (default: from the config file)"
    )
    group.add_argument("--token", default=default, help="bearer token (default: from the config file)")
    group.add_argument(
        "--config", default=default, help="client config file (default: $BERTH_CONFIG or ~/.berth/config)"
    )
    group.add_argument("--output", choices=("json", "table"), default=default, help="output format")


def _parser_with(parents: list[argparse.ArgumentParser]) -> type[argparse.ArgumentParser]:
    class CommandParser(argparse.ArgumentParser):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs["parents"] = parents
            super().__init__(*args, **kwargs)

    return CommandParser


def client_from(args: argparse.Namespace) -> Any:
    from berth.client import Client

    return Client(args.endpoint, args.token, config_path=args.config)


def fail(error: ApiError | str, endpoint: str = "") -> int:
    if isinstance(error, ApiError):
        if error.code in ("UNAVAILABLE", "DEADLINE_EXCEEDED") and "etcd" not in error.message:
            line = f"cannot reach the berth control plane at {endpoint or '?'} ({error.code}); is it running?"
        else:
            kind = error.ecs_type or error.code
            line = f"{kind}: {error.message}"
            if error.request_id:
                line += f" (request id {error.request_id})"
    else:
        line = error
    print(f"berth: {' '.join(line.split())}", file=sys.stderr)
    return 1


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    client = None
    try:
        if hasattr(args, "run"):
            return int(args.run(args))
        client = client_from(args)
        request = rpc.request_from_args(args)
        if "cluster" in args.request_fields:
            request["cluster"] = scope.request_cluster(request)
        response = client.call(args.rpc, request)
        output.print_response(response, args.output or "json")
        return 0
    except ApiError as e:
        return fail(e, getattr(client, "endpoint", ""))
    except (OSError, ValueError) as e:
        return fail(str(e))
    except KeyboardInterrupt:
        return 130
    finally:
        if client is not None:
            client.close()


if __name__ == "__main__":
    sys.exit(main())
