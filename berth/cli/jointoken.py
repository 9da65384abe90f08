"""`berth join-token` and `berth rotate-join-token`: the token agents join with; `berth
describe-ca` and `berth rotate-ca`: the cluster CA."""

from __future__ import annotations

import argparse
import json
import time
from typing import Any

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


def show_ca(response: Any, output: str) -> int:
    if output == "json":
        print(json.dumps(jsonmsg.to_dict(response), indent=2))
        return 0
    print(f"phase     {response.phase}")
    print(f"signing   {response.ca_fingerprint}")
    for fp in response.trusted_fingerprints:
        print(f"trusted   {fp}")
    if response.next_phase_at:
        left = max(0.0, response.next_phase_at - time.time())
        print(f"next step in about {left:.0f} s (agents move over as they renew their certificates)")
    return 0


def run_describe_ca(args: argparse.Namespace) -> int:
    with client_from(args) as client:
        return show_ca(client.describe_ca(), args.output)


def run_rotate_ca(args: argparse.Namespace) -> int:
    with client_from(args) as client:
        return show_ca(client.rotate_ca(), args.output)


command("describe-ca", "show the cluster CA: its fingerprint, the CAs trusted, a rotation's phase")(
    (configure, run_describe_ca)
)
command(
    "rotate-ca",
    "replace the cluster CA: trusted at once, signing once agents have renewed, the old one dropped after",
)((configure, run_rotate_ca))
command("join-token", "print the token agents join with (it names the cluster CA's fingerprint)")(
    (configure, run_get)
)
command(
    "rotate-join-token",
    "replace the agent join token: the old one stops working at once (joined agents keep theirs)",
)((configure, run_rotate))
