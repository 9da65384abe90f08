"""Printing responses: JSON in the ECS response shape for scripts, tables for people."""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Sequence
from typing import Any

from google.protobuf.message import Message

from berth import jsonmsg

# The columns a table shows for each kind of object (ECS JSON names).
COLUMNS: dict[str, list[str]] = {
    "Cluster": [
        "clusterName",
        "status",
        "registeredContainerInstancesCount",
        "runningTasksCount",
        "pendingTasksCount",
        "activeServicesCount",
    ],
    "TaskDefinition": [
        "family",
        "revision",
        "status",
        "networkMode",
        "cpu",
        "memory",
        "compatibilities",
        "registeredAt",
    ],
    "Failure": ["arn", "reason", "detail"],
    "Tag": ["key", "value"],
}
_TIME_FIELDS = ("At", "registeredAt", "createdAt", "updatedAt")


def progress(args: Any, message: str) -> None:
    """A progress line of a long action, on stderr so that stdout stays the result; none with
    --output json, where a script reads the result."""
    if getattr(args, "output", None) != "json":
        print(message, file=sys.stderr, flush=True)


def print_response(response: Message, output: str) -> None:
    if output == "json":
        print(json.dumps(jsonmsg.to_dict(response), indent=2))
    else:
        print(render_table(response))


def render_table(response: Message) -> str:
    data = jsonmsg.to_dict(response)
    blocks: list[str] = []
    for field in response.DESCRIPTOR.fields:
        name = field.json_name
        if name not in data:
            continue
        value = data[name]
        kind = field.message_type.name if field.message_type else ""
        if (
            field.is_repeated
            and field.message_type is not None
            and not field.message_type.GetOptions().map_entry
        ):
            columns = COLUMNS.get(kind) or _first_scalars(value)
            blocks.append(table([[cell(item.get(c)) for c in columns] for item in value], columns))
        elif field.is_repeated:
            blocks.append("\n".join(str(v) for v in value))
        elif kind:
            blocks.append(table([[k, cell(v, k)] for k, v in value.items()], ["FIELD", "VALUE"]))
        else:
            blocks.append(f"{name}: {value}")
    return "\n\n".join(b for b in blocks if b) or "(empty)"


def _first_scalars(items: list[dict[str, Any]]) -> list[str]:
    if not items:
        return []
    return [k for k, v in items[0].items() if not isinstance(v, (dict, list))][:8]


def cell(value: Any, name: str = "") -> str:
    if value is None:
        return "-"
    if isinstance(value, float) and name.endswith(_TIME_FIELDS):
        return dt.datetime.fromtimestamp(value, dt.UTC).strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, list):
        if value and isinstance(value[0], dict):
            return f"[{len(value)}]"
        return ",".join(str(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, separators=(",", ":"))[:60]
    return str(value)


def table(rows: Sequence[Sequence[str]], headers: Sequence[str]) -> str:
    if not rows:
        return "(none)"
    heads = [h if h.isupper() else _upper_snake(h) for h in headers]
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(heads)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(heads, widths, strict=True)).rstrip()]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    return "\n".join(lines)


def _upper_snake(name: str) -> str:
    out = "".join(f"_{c}" if c.isupper() else c for c in name)
    return out.upper().lstrip("_")
