"""`berth execute-command`: run a command in a task's container (ECS Exec), like `docker exec`.

    berth execute-command --cluster prod --task 3f2a... --container web --interactive --command sh

With `--interactive` and a terminal, the terminal is put in raw mode and the command gets a TTY
of the same size (kept in step on SIGWINCH); everything typed goes to it, Ctrl-C included.
Otherwise stdin is forwarded when it is not a terminal (`echo hi | berth execute-command ...
--command cat`), or with `--interactive`, and the command's stdout and stderr come out on ours.
The exit status is the command's. The command is one string split into words as a shell would,
without running a shell: `--command "sh -c 'echo hi; exit 3'"` for pipes and variables.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import queue
import shutil
import signal
import sys
import termios
import threading
import tty
from collections.abc import Callable, Iterator
from types import FrameType

from berth.cli import client_from, command, scope
from berth.v1 import berth_pb2

Request = berth_pb2.ExecuteCommandStreamRequest
STDIN_CHUNK = 32 * 1024
STDIN_AHEAD = 8  # chunks read from stdin before the stream has taken them


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("--cluster", default="", help="the task's cluster (default: default)")
    p.add_argument("--task", required=True, help="task id or ARN")
    p.add_argument("--container", default="", help="container name (needed when the task has several)")
    p.add_argument("--command", required=True, help='the command, one string: "sh", "ls -l /"')
    p.add_argument(
        "--interactive",
        action="store_true",
        help="forward stdin; with a terminal, give the command a TTY (raw mode, resizes follow)",
    )


def terminal_size(fd: int) -> berth_pb2.TerminalSize:
    try:
        size = os.get_terminal_size(fd)
    except OSError:
        size = shutil.get_terminal_size()
    return berth_pb2.TerminalSize(rows=size.lines, cols=size.columns)


def exit_status(code: int) -> int:
    """The command's exit code as ours (Docker says -1 when it does not know)."""
    return code if 0 <= code <= 255 else 1


class Outbox:
    """What goes to the stream, in order: an unbounded queue for control messages (a resize from
    a signal handler must never wait), at most STDIN_AHEAD stdin chunks ahead of the stream."""

    def __init__(self) -> None:
        self._queue: queue.Queue[Request | None] = queue.Queue()
        self._stdin_room = threading.Semaphore(STDIN_AHEAD)

    def put(self, request: Request) -> None:
        self._queue.put(request)

    def put_stdin(self, data: bytes) -> None:
        self._stdin_room.acquire()
        self._queue.put(Request(stdin=data))

    def end(self) -> None:
        self._queue.put(None)

    def requests(self) -> Iterator[Request]:
        while True:
            item = self._queue.get()
            if item is None:
                return
            if item.WhichOneof("body") == "stdin":
                self._stdin_room.release()
            yield item


def pump_stdin(fd: int, outbox: Outbox) -> None:
    """Our stdin to the command until its end (a thread: reads block)."""
    while True:
        try:
            data = os.read(fd, STDIN_CHUNK)
        except OSError:
            data = b""
        if not data:
            outbox.put(Request(stdin_closed=True))
            return
        outbox.put_stdin(data)


@contextlib.contextmanager
def raw_terminal(fd: int) -> Iterator[None]:
    saved = termios.tcgetattr(fd)
    tty.setraw(fd, termios.TCSANOW)  # (not TCSAFLUSH: keep what was typed ahead)
    try:
        yield
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)


def run(args: argparse.Namespace) -> int:
    stdin_fd = sys.stdin.fileno()
    use_tty = args.interactive and os.isatty(stdin_fd)
    forward = args.interactive or not os.isatty(stdin_fd)
    start = berth_pb2.ExecStart(
        cluster=scope.cluster_for(args.cluster, [("--task", args.task)]),
        task=args.task,
        container=args.container,
        command=args.command,
        interactive=args.interactive,
        tty=use_tty,
        size=terminal_size(stdin_fd) if use_tty else None,
    )
    outbox = Outbox()
    outbox.put(Request(start=start))
    if not forward:
        outbox.put(Request(stdin_closed=True))
    out, err = sys.stdout.buffer, sys.stderr.buffer
    code = 1
    with contextlib.ExitStack() as stack:
        stack.callback(outbox.end)
        client = stack.enter_context(client_from(args))
        responses = client.execute_command_stream(outbox.requests())
        stack.callback(responses.close)
        for response in responses:
            kind = response.WhichOneof("body")
            if kind == "session":
                if use_tty:
                    stack.enter_context(raw_terminal(stdin_fd))
                    stack.enter_context(
                        _on_resize(lambda: outbox.put(Request(resize=terminal_size(stdin_fd))))
                    )
                if forward:
                    threading.Thread(target=pump_stdin, args=(stdin_fd, outbox), daemon=True).start()
            elif kind in ("stdout", "stderr"):
                stream = out if kind == "stdout" else err
                stream.write(getattr(response, kind))
                stream.flush()
            elif kind == "exit":
                code = exit_status(response.exit.exit_code)
    return code


@contextlib.contextmanager
def _on_resize(send: Callable[[], None]) -> Iterator[None]:
    def handler(_signum: int, _frame: FrameType | None) -> None:
        send()

    previous = signal.signal(signal.SIGWINCH, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGWINCH, previous)


command("execute-command", "run a command in a task's container (ECS Exec); --interactive for a shell")(
    (configure, run)
)
