"""CLI commands generated from the API: one subcommand per ECS RPC, flags as aws-cli has them.

`berth describe-task-definition --task-definition web:3` calls DescribeTaskDefinition. Each field of
the request is a `--kebab-case` flag: strings and numbers as they are, lists of strings as several
values, booleans as `--force/--no-force`, structures as JSON (aws-cli style). Any value may be
`file://path`. `--cli-input-json` gives the whole request as JSON; flags override its fields.
"""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from google.protobuf.descriptor import FieldDescriptor, MethodDescriptor

from berth.errors import ApiError, FieldViolation

_SCALARS = {
    FieldDescriptor.TYPE_STRING: str,
    FieldDescriptor.TYPE_INT32: int,
    FieldDescriptor.TYPE_INT64: int,
    FieldDescriptor.TYPE_DOUBLE: float,
}


def kebab(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "-", name).lower().replace("--", "-")


def read_value(value: str) -> str:
    """aws-cli's `file://` convention: the value is read from the file."""
    if value.startswith("file://"):
        return Path(value[len("file://") :]).expanduser().read_text()
    return value


def _json_value(flag: str) -> Any:
    def parse(value: str) -> Any:
        text = read_value(value)
        try:
            return json.loads(text)
        except json.JSONDecodeError as e:
            raise argparse.ArgumentTypeError(
                f"{flag}: not valid JSON ({e.msg} at position {e.pos})"
            ) from None

    return parse


def add_rpc_command(
    sub: Any, method: MethodDescriptor, service: str = "berth.v1.ECS", namer: Callable[[str], str] = kebab
) -> Any:
    name = namer(method.name)
    p = sub.add_parser(name, help=f"call {method.name}", description=f"Call {service}/{method.name}.")
    p.set_defaults(rpc=method.name, request_fields={f.json_name for f in method.input_type.fields})
    p.add_argument(
        "--cli-input-json", type=_json_value("--cli-input-json"), help="the request as JSON (or file://path)"
    )
    for field in method.input_type.fields:
        flag = "--" + namer(field.json_name)
        dest = f"field__{field.json_name}"
        is_map = field.message_type is not None and field.message_type.GetOptions().map_entry
        if field.message_type is not None or is_map:
            p.add_argument(flag, dest=dest, type=_json_value(flag), metavar="JSON")
        elif field.type == FieldDescriptor.TYPE_BOOL:
            p.add_argument(flag, dest=dest, action=argparse.BooleanOptionalAction, default=None)
        elif field.is_repeated:
            p.add_argument(flag, dest=dest, nargs="+", type=lambda v: read_value(v))
        else:
            conv = _SCALARS.get(field.type, str)
            p.add_argument(flag, dest=dest, type=lambda v, c=conv: c(read_value(v)))
    return p


def request_from_args(args: argparse.Namespace) -> dict[str, Any]:
    base = args.cli_input_json or {}
    if not isinstance(base, dict):
        raise ApiError(
            "INVALID_ARGUMENT",
            "--cli-input-json must be a JSON object",
            "InvalidParameterException",
            [FieldViolation("--cli-input-json", "must be a JSON object")],
        )
    data = dict(base)
    for key, value in vars(args).items():
        if key.startswith("field__") and value is not None:
            data[key[len("field__") :]] = value
    return data
