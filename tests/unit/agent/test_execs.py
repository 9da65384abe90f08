"""ExecService: the agent's end of exec sessions, over a fake runtime."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from agent.execs import DEFAULT_WINDOW, MISSING, ExecService
from agent.runtime.errors import ContainerRuntimeError
from agent.runtime.model import LABEL_TASK_ARN, ContainerState
from berth.v1 import agent_pb2

TASK = "arn:berth:ecs:local:000000000000:task/c1/abc"


@dataclass
class FakeProcess:
    output: asyncio.Queue[list[tuple[str, bytes]] | None] = field(default_factory=asyncio.Queue)
    log: list[Any] = field(default_factory=list)
    exit_code: int = 0
    closed: bool = False

    def __aiter__(self) -> AsyncIterator[list[tuple[str, bytes]]]:
        return self._gen()

    async def _gen(self) -> AsyncIterator[list[tuple[str, bytes]]]:
        while (batch := await self.output.get()) is not None:
            yield batch

    async def write(self, data: bytes) -> None:
        self.log.append(("stdin", data))

    async def close_stdin(self) -> None:
        self.log.append("eof")

    async def resize(self, rows: int, cols: int) -> None:
        self.log.append(("resize", rows, cols))

    async def wait(self) -> int:
        return self.exit_code

    async def aclose(self) -> None:
        self.closed = True


@dataclass
class FakeRuntime:
    status: str = "running"
    process: FakeProcess = field(default_factory=FakeProcess)
    execs: list[Any] = field(default_factory=list)

    async def inspect(self, name: str) -> ContainerState | None:
        if not name.endswith("-web"):
            return None
        return ContainerState(
            id="cid",
            name=name,
            labels={LABEL_TASK_ARN: TASK},
            status=self.status,
            running=self.status == "running",
            exit_code=None,
            oom_killed=False,
            error="",
            started_at=None,
            finished_at=None,
            health="UNKNOWN",
            network_bindings=(),
            ip_address="",
            image_id="",
        )

    async def exec(
        self, cid: str, command: Sequence[str], *, tty: bool, rows: int = 0, cols: int = 0
    ) -> FakeProcess:
        self.execs.append((cid, list(command), tty, rows, cols))
        return self.process


def service(runtime: FakeRuntime) -> tuple[ExecService, list[agent_pb2.ExecOutput]]:
    sent: list[agent_pb2.ExecOutput] = []
    return ExecService(runtime, sent.append), sent  # type: ignore[arg-type]


def request(container: str = "web", **kw: Any) -> agent_pb2.ServerMessage:
    return agent_pb2.ServerMessage(
        exec_request=agent_pb2.ExecRequest(session_id="s1", task_arn=TASK, container_name=container, **kw)
    )


def feed(**kw: Any) -> agent_pb2.ServerMessage:
    return agent_pb2.ServerMessage(exec_input=agent_pb2.ExecInput(session_id="s1", **kw))


async def settle() -> None:
    for _ in range(10):
        await asyncio.sleep(0)


async def test_a_session_from_start_to_exit() -> None:
    runtime = FakeRuntime()
    svc, sent = service(runtime)
    svc.handle(request(command=["sh"], tty=True, rows=24, cols=80))
    await settle()
    assert runtime.execs == [("cid", ["sh"], True, 24, 80)]
    assert sent[0].started
    svc.handle(feed(stdin=b"ls\n"))
    svc.handle(feed(rows=40, cols=132))
    svc.handle(feed(stdin_closed=True))
    await settle()
    assert runtime.process.log == [("stdin", b"ls\n"), ("resize", 40, 132), "eof"]
    assert [o.stdin_credits for o in sent[1:]] == [1]
    runtime.process.exit_code = 7
    await runtime.process.output.put([("stdout", b"a"), ("stdout", b"b"), ("stderr", b"c")])
    await runtime.process.output.put(None)
    await settle()
    assert [(o.stdout, o.stderr) for o in sent[2:4]] == [(b"ab", b""), (b"", b"c")]
    assert (sent[-1].exited, sent[-1].exit_code) == (True, 7)
    assert runtime.process.closed and svc.active == 0


async def test_output_waits_for_credits() -> None:
    runtime = FakeRuntime()
    svc, sent = service(runtime)
    svc.handle(request(command=["yes"]))
    await settle()
    for i in range(DEFAULT_WINDOW + 3):
        await runtime.process.output.put([("stdout" if i % 2 else "stderr", b"y")])
    await settle()
    assert len([o for o in sent if o.stdout or o.stderr]) == DEFAULT_WINDOW
    svc.handle(feed(credits=3))
    await settle()
    assert len([o for o in sent if o.stdout or o.stderr]) == DEFAULT_WINDOW + 3


async def test_cancel_and_the_end_of_the_session_kill_the_command() -> None:
    runtime = FakeRuntime()
    svc, sent = service(runtime)
    svc.handle(request(command=["sleep", "1000"]))
    await settle()
    svc.handle(feed(cancel=True))
    await settle()
    assert runtime.process.closed and svc.active == 0
    assert not any(o.exited for o in sent)  # nobody is listening any more

    runtime.process = FakeProcess()
    svc.handle(request(command=["sleep", "1000"]))
    await settle()
    svc.cancel_all()
    await settle()
    assert runtime.process.closed and svc.active == 0


async def test_unknown_and_stopped_containers() -> None:
    runtime = FakeRuntime()
    svc, sent = service(runtime)
    svc.handle(request(container="db", command=["sh"]))
    await settle()
    assert sent[-1].exited and sent[-1].error.startswith(MISSING) and "'db'" in sent[-1].error
    runtime.status = "exited"
    svc.handle(request(command=["sh"]))
    await settle()
    assert "is not running (Docker status exited)" in sent[-1].error
    assert runtime.execs == []


async def test_an_exec_docker_refuses() -> None:
    runtime = FakeRuntime()

    async def refuse(*_: Any, **__: Any) -> FakeProcess:
        raise ContainerRuntimeError('OCI runtime exec failed: exec: "bash": executable file not found')

    runtime.exec = refuse  # type: ignore[method-assign]
    svc, sent = service(runtime)
    svc.handle(request(command=["bash"]))
    await settle()
    assert sent[-1].exited and "executable file not found" in sent[-1].error
