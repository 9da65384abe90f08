"""ECS Exec against a real agent and real busybox containers: output and exit codes, stdin, a TTY
with resizes, refusals, hang-ups and stopped tasks, the event record, and the CLI end to end."""

from __future__ import annotations

import fcntl
import os
import pty
import queue
import select
import struct
import subprocess
import sys
import termios
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from berth import ApiError, Client
from berth.v1 import berth_pb2
from tests.support.agents import wait_for, wait_task

pytestmark = [pytest.mark.etcd, pytest.mark.docker]

IMAGE = "berth/busybox:latest"
BERTH = Path(__file__).resolve().parents[3] / ".venv" / "bin" / "berth"
Request = berth_pb2.ExecuteCommandStreamRequest


def start_task(client: Client, cluster: str, family: str, *, enable: bool = True) -> str:
    client.register_task_definition(
        {
            "family": family,
            "containerDefinitions": [
                {"name": "web", "image": IMAGE, "memory": 32, "stopTimeout": 2, "command": ["sleep", "3600"]},
                {
                    "name": "side",
                    "image": IMAGE,
                    "memory": 16,
                    "essential": False,
                    "command": ["sleep", "3600"],
                },
            ],
        }
    )
    resp = client.run_task(cluster=cluster, taskDefinition=family, enableExecuteCommand=enable)
    assert not resp.failures, resp.failures
    task = resp.tasks[0].task_arn
    wait_task(client, cluster, task, "RUNNING")
    return task


def start(cluster: str, task: str, command: str, **kw: Any) -> Request:
    return Request(
        start=berth_pb2.ExecStart(cluster=cluster, task=task, container="web", command=command, **kw)
    )


def run(client: Client, *requests: Request) -> tuple[bytes, bytes, int | None]:
    out, err, code = b"", b"", None
    for response in client.execute_command_stream(list(requests)):
        kind = response.WhichOneof("body")
        if kind == "stdout":
            out += response.stdout
        elif kind == "stderr":
            err += response.stderr
        elif kind == "exit":
            code = response.exit.exit_code
    return out, err, code


class Interactive:
    """A session driven step by step: responses are read on a thread."""

    def __init__(self, client: Client, first: Request) -> None:
        self._outbox: queue.Queue[Request | None] = queue.Queue()
        self._outbox.put(first)
        self.output = b""
        self.exit_code: int | None = None
        self.error: ApiError | None = None
        self.started = threading.Event()
        self.done = threading.Event()
        self._responses = client.execute_command_stream(self._requests())
        threading.Thread(target=self._read, daemon=True).start()

    def _requests(self) -> Any:
        while (item := self._outbox.get()) is not None:
            yield item

    def _read(self) -> None:
        try:
            for response in self._responses:
                kind = response.WhichOneof("body")
                if kind == "session":
                    self.started.set()
                elif kind in ("stdout", "stderr"):
                    self.output += getattr(response, kind)
                elif kind == "exit":
                    self.exit_code = response.exit.exit_code
        except ApiError as e:
            self.error = e
        finally:
            self.done.set()

    def send(self, **body: Any) -> None:
        self._outbox.put(Request(**body))

    def wait_output(self, text: bytes, timeout: float = 30) -> None:
        wait_for(lambda: text in self.output, timeout, message=f"no {text!r} in {self.output[-300:]!r}")

    def finish(self, timeout: float = 60) -> None:
        assert self.done.wait(timeout), "the session did not end"
        self._outbox.put(None)


def sleeps_in_web(docker: Any, task: str) -> list[str]:
    """The `sleep` processes in the task's web container (its own and any exec'd)."""
    labels = [f"berth.task-arn={task}", "berth.container-name=web"]
    [container] = docker.containers.list(filters={"label": labels})
    return [p[-1] for p in container.top()["Processes"] if "sleep" in p[-1]]


def test_output_stderr_exit_code_and_the_event(
    client: Client, cluster: str, agents: Any, unique: str
) -> None:
    agents().wait_connected(client)
    task = start_task(client, cluster, f"exec-{unique}")
    out, err, code = run(client, start(cluster, task, "sh -c 'echo hi; echo oops >&2; exit 3'"))
    assert (out, err, code) == (b"hi\n", b"oops\n", 3)

    def recorded() -> list[Any]:
        events = client.watch_events(cluster=cluster, types=["exec"], fromOldest=True, follow=False)
        return [e for e in events if e.exec_session.status == "STOPPED"]

    [event] = wait_for(recorded, 30, message="no exec event")
    detail = event.exec_session
    assert event.detail_type == "ECS Exec Session"
    assert (detail.task_arn, detail.container_name, detail.exit_code) == (task, "web", 3)
    assert detail.command == "sh -c 'echo hi; echo oops >&2; exit 3'"
    assert detail.principal and detail.principal in event.summary
    assert "exited 3" in event.summary


def test_stdin_piped_to_cat(client: Client, cluster: str, agents: Any, unique: str) -> None:
    agents().wait_connected(client)
    task = start_task(client, cluster, f"exec-{unique}")
    data = b"".join(b"line %d\n" % i for i in range(40_000))  # ~400 KiB: more than the windows hold
    chunks = [Request(stdin=data[i : i + 10_000]) for i in range(0, len(data), 10_000)]
    out, err, code = run(client, start(cluster, task, "cat"), *chunks, Request(stdin_closed=True))
    assert (len(out), err, code) == (len(data), b"", 0)
    assert out == data


def test_tty_with_resize(client: Client, cluster: str, agents: Any, unique: str) -> None:
    agents().wait_connected(client)
    task = start_task(client, cluster, f"exec-{unique}")
    size = berth_pb2.TerminalSize(rows=24, cols=80)
    session = Interactive(client, start(cluster, task, "sh", interactive=True, tty=True, size=size))
    session.send(stdin=b"stty size\n")
    session.wait_output(b"24 80")
    session.send(resize=berth_pb2.TerminalSize(rows=40, cols=132))
    session.send(stdin=b"stty size; exit 7\n")
    session.finish()
    assert session.error is None
    assert b"40 132" in session.output
    assert session.exit_code == 7


def test_refused_without_enable_execute_command(
    client: Client, cluster: str, agents: Any, unique: str
) -> None:
    agents().wait_connected(client)
    task = start_task(client, cluster, f"exec-{unique}", enable=False)
    with pytest.raises(ApiError) as e:
        run(client, start(cluster, task, "sh"))
    assert e.value.code == "FAILED_PRECONDITION"
    assert e.value.ecs_type == "InvalidParameterException"
    assert "execute command was not enabled when the task was run" in e.value.message
    with pytest.raises(ApiError) as unary:
        client.call(
            "ExecuteCommand", cluster=cluster, task=task, container="web", command="sh", interactive=True
        )
    assert unary.value.ecs_type == "InvalidParameterException"


def test_unknown_container_and_the_unary_call(client: Client, cluster: str, agents: Any, unique: str) -> None:
    agents().wait_connected(client)
    task = start_task(client, cluster, f"exec-{unique}")
    with pytest.raises(ApiError) as e:
        run(
            client,
            Request(start=berth_pb2.ExecStart(cluster=cluster, task=task, container="nope", command="sh")),
        )
    assert e.value.code == "INVALID_ARGUMENT"
    assert [v.field for v in e.value.violations] == ["container"]
    assert "'nope'" in e.value.message and "web, side" in e.value.message
    with pytest.raises(ApiError) as several:
        run(client, Request(start=berth_pb2.ExecStart(cluster=cluster, task=task, command="sh")))
    assert "name one" in several.value.message
    with pytest.raises(ApiError) as unary:
        client.call(
            "ExecuteCommand", cluster=cluster, task=task, container="web", command="sh", interactive=True
        )
    assert unary.value.code == "FAILED_PRECONDITION"
    assert "ExecuteCommandStream" in unary.value.message


def test_hanging_up_kills_the_command(
    controlplane: Any, client: Client, cluster: str, agents: Any, unique: str, docker: Any
) -> None:
    agents().wait_connected(client)
    task = start_task(client, cluster, f"exec-{unique}")
    caller = Client(config_path=controlplane.config_path)
    session = Interactive(caller, start(cluster, task, "sh -c 'sleep 1234 & sleep 4321'"))
    assert session.started.wait(30)
    wait_for(lambda: len(sleeps_in_web(docker, task)) == 3, 30, message="the command is not running")
    caller.close()  # hangs up
    wait_for(
        lambda: sleeps_in_web(docker, task) == ["sleep 3600"], 30, message="the command outlived its caller"
    )


def test_an_agent_that_stops_ends_its_sessions_and_their_commands(
    client: Client, cluster: str, agents: Any, unique: str, docker: Any
) -> None:
    agent = agents()
    agent.wait_connected(client)
    task = start_task(client, cluster, f"exec-{unique}")
    session = Interactive(client, start(cluster, task, "sleep 4321"))
    assert session.started.wait(30)
    wait_for(lambda: len(sleeps_in_web(docker, task)) == 2, 30, message="the command is not running")
    agent.stop()  # the containers stay (a restarted agent adopts them); the command does not
    session.finish()
    assert session.error is not None and session.error.code == "FAILED_PRECONDITION"
    assert "disconnected" in session.error.message
    # Killed as the agent shuts down; under load the kernel may take a moment to reap it.
    wait_for(
        lambda: sleeps_in_web(docker, task) == ["sleep 3600"], 10, message="the command outlived its agent"
    )


def test_the_session_ends_when_the_task_stops(client: Client, cluster: str, agents: Any, unique: str) -> None:
    agents().wait_connected(client)
    task = start_task(client, cluster, f"exec-{unique}")
    session = Interactive(client, start(cluster, task, "sleep 3600"))
    assert session.started.wait(30)
    client.stop_task(cluster=cluster, task=task)
    session.finish()
    assert session.error is not None or session.exit_code not in (None, 0)
    with pytest.raises(ApiError) as e:
        run(client, start(cluster, task, "sh"))
    assert e.value.code == "FAILED_PRECONDITION"
    assert "RUNNING" in e.value.message


def berth_cli(controlplane: Any, *args: str, **kw: Any) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [str(BERTH), "--config", str(controlplane.config_path), "execute-command", *args],
        capture_output=True,
        timeout=60,
        **kw,
    )


def test_cli_piped_and_exit_status(
    controlplane: Any, client: Client, cluster: str, agents: Any, unique: str
) -> None:
    agents().wait_connected(client)
    task = start_task(client, cluster, f"exec-{unique}")
    args = ["--cluster", cluster, "--task", task.rsplit("/", 1)[-1], "--container", "web"]
    done = berth_cli(controlplane, *args, "--command", "sh -c 'cat; echo bye >&2; exit 4'", input=b"piped\n")
    assert (done.stdout, done.stderr, done.returncode) == (b"piped\n", b"bye\n", 4)
    refused = berth_cli(controlplane, *args[:4], "--container", "nope", "--command", "sh")
    assert refused.returncode == 1
    assert b"nope" in refused.stderr


def _set_size(fd: int, rows: int, cols: int) -> None:
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))


def test_cli_interactive_in_a_terminal(
    controlplane: Any, client: Client, cluster: str, agents: Any, unique: str
) -> None:
    agents().wait_connected(client)
    task = start_task(client, cluster, f"exec-{unique}")
    master, slave = pty.openpty()
    _set_size(slave, 30, 100)

    # The CLI's own process takes the terminal as its controlling one (so that resizing it sends
    # SIGWINCH) in a small exec'd prelude: nothing may run between fork and exec in this process.
    prelude = (
        "import fcntl, os, sys, termios; fcntl.ioctl(0, termios.TIOCSCTTY, 0); "
        "os.execv(sys.argv[1], sys.argv[1:])"
    )
    cli = [str(BERTH), "--config", str(controlplane.config_path), "execute-command", "--cluster", cluster]
    args = ["--task", task, "--container", "web", "--interactive", "--command", "sh"]
    proc = subprocess.Popen(
        [sys.executable, "-c", prelude, *cli, *args],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        start_new_session=True,
    )
    os.close(slave)
    seen = b""

    def read_until(text: bytes, timeout: float = 30) -> None:
        nonlocal seen
        deadline = time.monotonic() + timeout
        while text not in seen:
            left = deadline - time.monotonic()
            assert left > 0, f"no {text!r} in {seen[-300:]!r}"
            if select.select([master], [], [], left)[0]:
                try:
                    seen += os.read(master, 4096)
                except OSError:  # the CLI exited and closed the terminal
                    break

    try:
        read_until(b"/ # ")  # the shell's prompt: the session runs
        os.write(master, b"stty size\r")
        read_until(b"30 100")
        _set_size(master, 50, 120)  # the kernel sends the CLI SIGWINCH
        os.write(master, b"stty size\r")
        read_until(b"50 120")
        os.write(master, b"exit 5\r")
        code = proc.wait(30)
        assert code == 5, seen[-500:]
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(master)
