"""ExecRelay: the control plane's end of exec sessions, without an agent."""

from __future__ import annotations

import asyncio

import pytest

from berth.errors import FailedPrecondition, NotFound
from berth.v1 import agent_pb2
from controlplane.api.execrelay import STDIN_CHUNK, WINDOW, ExecRelay, RelayedExec

INSTANCE = "arn:berth:ecs:local:000000000000:container-instance/c1/i1"


def relay() -> tuple[ExecRelay, list[agent_pb2.ServerMessage]]:
    sent: list[agent_pb2.ServerMessage] = []
    return ExecRelay(sent.append, INSTANCE), sent


async def opened(r: ExecRelay, sent: list[agent_pb2.ServerMessage]) -> RelayedExec:
    opening = asyncio.ensure_future(r.open(agent_pb2.ExecRequest(task_arn="t", container_name="web")))
    await asyncio.sleep(0)
    request = sent[-1].exec_request
    assert request.session_id and request.window == WINDOW
    r.deliver(agent_pb2.ExecOutput(session_id=request.session_id, started=True))
    return await opening


def inputs(sent: list[agent_pb2.ServerMessage]) -> list[agent_pb2.ExecInput]:
    return [m.exec_input for m in sent if m.WhichOneof("body") == "exec_input"]


async def test_output_is_relayed_with_a_credit_each_until_the_exit() -> None:
    r, sent = relay()
    s = await opened(r, sent)
    r.deliver(agent_pb2.ExecOutput(session_id=s.session_id, stdout=b"hi"))
    r.deliver(agent_pb2.ExecOutput(session_id=s.session_id, exited=True, exit_code=3))
    got = [o async for o in s.outputs()]
    assert [(o.stdout, o.exited, o.exit_code) for o in got] == [(b"hi", False, 0), (b"", True, 3)]
    assert [i.credits for i in inputs(sent)] == [1]
    s.close()
    assert not any(i.cancel for i in inputs(sent))  # it exited: nothing to kill
    assert r.open_sessions == 0


async def test_stdin_waits_for_the_agents_credits() -> None:
    r, sent = relay()
    s = await opened(r, sent)
    writing = asyncio.ensure_future(s.write(b"x" * (STDIN_CHUNK * (WINDOW + 2))))
    await asyncio.sleep(0.01)
    assert len(inputs(sent)) == WINDOW and not writing.done()
    r.deliver(agent_pb2.ExecOutput(session_id=s.session_id, stdin_credits=2))
    await asyncio.wait_for(writing, 1)
    assert sum(len(i.stdin) for i in inputs(sent)) == STDIN_CHUNK * (WINDOW + 2)
    s.close_stdin()
    s.close_stdin()
    s.resize(40, 132)
    assert [(i.stdin_closed, i.rows, i.cols) for i in inputs(sent)[-2:]] == [(True, 0, 0), (False, 40, 132)]


async def test_closing_a_running_session_cancels_it() -> None:
    r, sent = relay()
    s = await opened(r, sent)
    s.close()
    s.close()
    assert [i.cancel for i in inputs(sent)] == [True]
    r.deliver(agent_pb2.ExecOutput(session_id=s.session_id, stdout=b"late"))  # dropped


@pytest.mark.parametrize(
    ("error", "expected", "text"),
    [
        ("missing: container 'web' of task t is not on its host", NotFound, "container 'web'"),
        ("container 'web' of task t is not running", FailedPrecondition, "could not run the command"),
    ],
)
async def test_the_agent_refusing_to_start(error: str, expected: type[Exception], text: str) -> None:
    r, sent = relay()
    opening = asyncio.ensure_future(r.open(agent_pb2.ExecRequest(task_arn="t")))
    await asyncio.sleep(0)
    r.deliver(agent_pb2.ExecOutput(session_id=sent[0].exec_request.session_id, exited=True, error=error))
    with pytest.raises(expected, match=text):
        await opening
    assert not inputs(sent) and r.open_sessions == 0


async def test_the_agent_session_ending_fails_open_sessions() -> None:
    r, sent = relay()
    s = await opened(r, sent)
    r.close("replaced by a new session")
    with pytest.raises(FailedPrecondition, match="disconnected \\(replaced by a new session\\)"):
        [o async for o in s.outputs()]
    with pytest.raises(FailedPrecondition, match="disconnected"):
        await r.open(agent_pb2.ExecRequest(task_arn="t"))


async def test_an_agent_that_never_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    from controlplane.api import execrelay

    monkeypatch.setattr(execrelay, "ANSWER_SECONDS", 0.01)
    r, sent = relay()
    with pytest.raises(FailedPrecondition, match="did not start the command"):
        await r.open(agent_pb2.ExecRequest(task_arn="t"))
    assert [i.cancel for i in inputs(sent)] == [True]
