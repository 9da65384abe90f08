"""`berth join-token` and `berth rotate-join-token`: the token agents join with."""

from __future__ import annotations

import argparse
import json

from berth import jsonmsg
from berth.cli import client_from, command


def configure(p: argparse.ArgumentParser) -> None:
    pass


def show(response: object, output: str) -> int:
    if output == "json":
        print(json.dumps(jsonmsg.to_dict(response), indent=2))  # type: ignore[arg-type]
    else:
        print(response.join_token)  # type: ignore[attr-defined]
    return 0


def run_get(args: argparse.Namespace) -> int:
    with client_from(args) as client:
        return show(client.get_join_token(), args.output)


def run_rotate(args: argparse.Namespace) -> int:
    with client_from(args) as client:
        return show(client.rotate_join_token(), args.output)


command("join-token", "print the token agents join with (it names the cluster CA's fingerprint)")(
    (configure, run_get)
)
command(
    "rotate-join-token",
    "replace the agent join token: the old one stops working at once (joined agents keep theirs)",
)((configure, run_rotate))
