"""`berth logs TASK`: a task's container output, like `docker logs`, from wherever the task runs.

Lines print in order; with several containers each line starts with its container's name. The
containers' stderr goes to stderr and their stdout to stdout (flushed at every switch, so a
terminal shows them in order). `--since` takes a duration back from now (`30s`, `10m`, `2h`,
`1h30m`), epoch seconds, or an ISO 8601 time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
import time
from collections.abc import Iterable
from typing import Any, TextIO

from berth.cli import client_from, command, scope

_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h|d)")
_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}


def parse_since(text: str, now: float) -> float:
    """`--since` as epoch seconds: a duration before `now`, epoch seconds, or an ISO 8601 time
    (local time when it names no zone). ValueError says what is accepted."""
    value = text.strip()
    if re.fullmatch(r"(\d+(?:\.\d+)?(?:ms|s|m|h|d))+", value):
        return now - sum(float(n) * _UNITS[u] for n, u in _DURATION.findall(value))
    if re.fullmatch(r"\d+(?:\.\d+)?", value):
        return float(value)
    try:
        return dt.datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    except ValueError:
        raise ValueError(
            f"--since {text!r}: give a duration (30s, 10m, 2h, 1h30m), epoch seconds or an ISO "
            "8601 time (2024-05-01T12:00:00Z)"
        ) from None


def _since_arg(text: str) -> float:
    try:
        return parse_since(text, time.time())
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def stamp(seconds: float) -> str:
    """RFC 3339 in UTC with microseconds, as `docker logs -t` shows (to the microsecond)."""
    moment = dt.datetime.fromtimestamp(seconds, dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def format_line(event: Any, *, prefix_width: int, timestamps: bool) -> str:
    parts = []
    if prefix_width:
        parts.append(f"{event.container_name.ljust(prefix_width)} | ")
    if timestamps:
        parts.append(f"{stamp(event.timestamp)} ")
    parts.append(event.message)
    return "".join(parts) + "\n"


class Printer:
    """Writes lines to stdout or stderr by their stream, keeping their order on a terminal."""

    def __init__(self, out: TextIO, err: TextIO, *, prefix_width: int, timestamps: bool) -> None:
        self.out, self.err = out, err
        self.prefix_width, self.timestamps = prefix_width, timestamps
        self._last: TextIO | None = None

    def write(self, events: Iterable[Any]) -> None:
        pending: list[str] = []
        target: TextIO | None = None
        for event in events:
            stream = self.err if event.stream == "stderr" else self.out
            if stream is not target and pending:
                self._emit(target, pending)
                pending = []
            target = stream
            pending.append(format_line(event, prefix_width=self.prefix_width, timestamps=self.timestamps))
        if pending:
            self._emit(target, pending)

    def _emit(self, stream: TextIO | None, lines: list[str]) -> None:
        assert stream is not None
        if self._last is not None and self._last is not stream:
            self._last.flush()
        stream.write("".join(lines))
        self._last = stream

    def flush(self) -> None:
        if self._last is not None:
            self._last.flush()


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("task", help="task id or ARN")
    p.add_argument("--cluster", default="", help="cluster name or ARN (default: default)")
    p.add_argument("--container", default="", help="only this container (default: all of the task's)")
    p.add_argument("-f", "--follow", action="store_true", help="keep printing new lines")
    p.add_argument(
        "--since",
        type=_since_arg,
        default=0.0,
        metavar="WHEN",
        help="only lines since then: 30s, 10m, 2h, 1h30m ago, epoch seconds, or an ISO 8601 time",
    )
    p.add_argument("--tail", type=int, default=0, metavar="N", help="only the last N lines (default: all)")
    p.add_argument("-t", "--timestamps", action="store_true", help="show each line's time (UTC)")


def run(args: argparse.Namespace) -> int:
    if args.tail < 0:
        print("berth: --tail must be 0 or more", file=sys.stderr)
        return 2
    args.cluster = scope.cluster_for(args.cluster, [("TASK", args.task)])
    with client_from(args) as client:
        width = 0
        if not args.container:
            task = client.describe_tasks(cluster=args.cluster, tasks=[args.task])
            names = [c.name for t in task.tasks for c in t.containers]
            width = max((len(n) for n in names), default=0) if len(names) > 1 else 0
        printer = Printer(sys.stdout, sys.stderr, prefix_width=width, timestamps=args.timestamps)
        try:
            for batch in client.get_task_logs(
                cluster=args.cluster,
                task=args.task,
                containerName=args.container,
                since=args.since,
                tail=args.tail,
                follow=args.follow,
            ):
                printer.write(batch.events)
                printer.flush()
        except BrokenPipeError:  # `berth logs ... | head`
            sys.stderr.close()
            return 0
    return 0


command("logs", "print a task's container output (stdout and stderr), like docker logs")((configure, run))
