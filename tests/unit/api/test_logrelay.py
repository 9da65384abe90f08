"""LogRelay: the control plane's end of GetTaskLogs streams, without an agent."""

from __future__ import annotations

import asyncio

import pytest

from berth.errors import FailedPrecondition, NotFound
from berth.v1 import agent_pb2
from controlplane.api import logrelay
from controlplane.api.logrelay import WINDOW, LogRelay

INSTANCE = "arn:berth:ecs:local:000000000000:container-instance/c1/i1"


def relay() -> tuple[LogRelay, list[agent_pb2.ServerMessage]]:
    sent: list[agent_pb2.ServerMessage] = []
    return LogRelay(sent.append, INSTANCE), sent


def chunk(rid: str, *lines: str, end: bool = False, error: str = "") -> agent_pb2.LogChunk:
    return agent_pb2.LogChunk(
        request_id=rid, lines=[agent_pb2.LogLine(message=m) for m in lines], end=end, error=error
    )


async def test_chunks_are_relayed_and_each_returns_a_credit() -> None:
    r, sent = relay()
    stream = r.stream(agent_pb2.LogRequest(task_arn="t", containers=["a"]))
    first = asyncio.ensure_future(anext(stream))
    await asyncio.sleep(0)
    (request,) = sent
    rid = request.log_request.request_id
    assert rid and request.log_request.window == WINDOW
    r.deliver(chunk(rid, "one"))
    assert [line.message for line in (await first).lines] == ["one"]
    r.deliver(chunk(rid, "two", end=True))
    assert [line.message for line in (await anext(stream)).lines] == ["two"]
    assert [m.WhichOneof("body") for m in sent] == ["log_request", "log_credit"]
    with pytest.raises(StopAsyncIteration):
        await anext(stream)
    assert r.open_streams == 0


async def test_a_caller_that_hangs_up_cancels_the_agent_read() -> None:
    r, sent = relay()
    stream = r.stream(agent_pb2.LogRequest(task_arn="t"))
    task = asyncio.ensure_future(anext(stream))
    await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert sent[-1].WhichOneof("body") == "log_cancel"
    assert sent[-1].log_cancel.request_id == sent[0].log_request.request_id
    assert r.open_streams == 0


async def test_agent_errors_and_a_lost_session() -> None:
    r, sent = relay()
    stream = r.stream(agent_pb2.LogRequest(task_arn="t"))
    task = asyncio.ensure_future(anext(stream))
    await asyncio.sleep(0)
    r.deliver(chunk(sent[0].log_request.request_id, end=True, error="missing: no container of task t"))
    with pytest.raises(NotFound, match="no container of task t"):
        await task

    stream = r.stream(agent_pb2.LogRequest(task_arn="t"))
    task = asyncio.ensure_future(anext(stream))
    await asyncio.sleep(0)
    r.close("stream closed")
    with pytest.raises(FailedPrecondition, match="instance i1 disconnected"):
        await task
    with pytest.raises(FailedPrecondition):
        await anext(r.stream(agent_pb2.LogRequest(task_arn="t")))


async def test_an_agent_that_does_not_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(logrelay, "ANSWER_SECONDS", 0.05)
    r, sent = relay()
    with pytest.raises(FailedPrecondition, match="did not answer"):
        await anext(r.stream(agent_pb2.LogRequest(task_arn="t")))
    assert sent[-1].WhichOneof("body") == "log_cancel"
