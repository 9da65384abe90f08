"""`berth execute-command`: its exit status and the order and bound of what it sends."""

from __future__ import annotations

import threading

import pytest

from berth.cli import build_parser
from berth.cli.execute import STDIN_AHEAD, Outbox, Request, exit_status
from berth.v1 import berth_pb2


@pytest.mark.parametrize(("code", "status"), [(0, 0), (3, 3), (255, 255), (-1, 1), (300, 1)])
def test_exit_status(code: int, status: int) -> None:
    assert exit_status(code) == status


def test_stdin_is_held_back_but_resizes_never_wait() -> None:
    outbox = Outbox()
    outbox.put(Request(start=berth_pb2.ExecStart(task="t", command="sh")))
    reader = threading.Thread(target=lambda: [outbox.put_stdin(b"%d" % i) for i in range(STDIN_AHEAD + 2)])
    reader.start()
    reader.join(0.2)
    assert reader.is_alive()  # STDIN_AHEAD chunks in, the rest waits for the stream
    outbox.put(Request(resize=berth_pb2.TerminalSize(rows=1, cols=2)))  # from a signal handler: at once
    requests = outbox.requests()
    kinds = [next(requests).WhichOneof("body") for _ in range(STDIN_AHEAD + 1)]
    reader.join(5)
    assert not reader.is_alive()
    outbox.end()
    kinds += [r.WhichOneof("body") for r in requests]
    assert kinds[0] == "start" and kinds.count("stdin") == STDIN_AHEAD + 2 and kinds.count("resize") == 1


def test_the_command_is_registered_with_ecs_flags() -> None:
    args = build_parser().parse_args(
        [
            "execute-command",
            "--cluster",
            "c",
            "--task",
            "t",
            "--container",
            "web",
            "--interactive",
            "--command",
            "sh",
        ]
    )
    assert (args.cluster, args.task, args.container, args.interactive, args.command) == (
        "c",
        "t",
        "web",
        True,
        "sh",
    )
