"""The agent's LogService against a fake runtime: merge, tail, chunks, credits, follow, cancel."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from agent.logs import CHUNK_LINES, LogService, chunks, merge_by_time, merge_sources
from agent.runtime.model import LABEL_TASK_ARN, ContainerState, LogEntry
from berth.v1 import agent_pb2

TASK = "arn:berth:ecs:local:000000000000:task/c1/t1"


def entry(t: float, text: str, stream: str = "stdout") -> LogEntry:
    return LogEntry(stream, t, text, round(t * 1e9))


@dataclass
class FakeSource:
    batches: list[list[LogEntry]]
    live: asyncio.Queue[list[LogEntry] | None] | None = None
    closed: bool = False

    def __aiter__(self) -> AsyncIterator[list[LogEntry]]:
        return self._gen()

    async def _gen(self) -> AsyncIterator[list[LogEntry]]:
        for batch in self.batches:
            yield batch
        if self.live is not None:
            while (item := await self.live.get()) is not None:
                yield item

    async def aclose(self) -> None:
        self.closed = True
        if self.live is not None:
            self.live.put_nowait(None)


@dataclass
class FakeRuntime:
    logs_of: dict[str, list[LogEntry]]
    live: dict[str, asyncio.Queue[list[LogEntry] | None]] = field(default_factory=dict)
    calls: list[dict[str, Any]] = field(default_factory=list)
    sources: list[FakeSource] = field(default_factory=list)

    async def inspect(self, name: str) -> ContainerState | None:
        cid = name.rsplit("-", 1)[-1]
        if cid not in self.logs_of:
            return None
        return ContainerState(
            id=cid,
            name=name,
            labels={LABEL_TASK_ARN: TASK},
            status="running",
            running=True,
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

    def logs(
        self, cid: str, *, since_ns: int = 0, until_ns: int = 0, tail: int | None = None, follow: bool = False
    ) -> FakeSource:
        self.calls.append({"cid": cid, "since": since_ns, "until": until_ns, "tail": tail, "follow": follow})
        if follow:
            source = FakeSource([], self.live.setdefault(cid, asyncio.Queue()))
        else:
            lines = self.logs_of[cid]
            lines = lines[-tail:] if tail else lines
            source = FakeSource([lines[i : i + 3] for i in range(0, len(lines), 3)])
        self.sources.append(source)
        return source


def request(*containers: str, **kw: Any) -> agent_pb2.ServerMessage:
    return agent_pb2.ServerMessage(
        log_request=agent_pb2.LogRequest(request_id="r1", task_arn=TASK, containers=containers, **kw)
    )


async def drain(sent: list[agent_pb2.LogChunk], service: LogService) -> None:
    for _ in range(200):
        if sent and sent[-1].end:
            return
        await asyncio.sleep(0.005)
    raise AssertionError(f"no end chunk: {sent}")


def lines_of(sent: list[agent_pb2.LogChunk]) -> list[tuple[str, str]]:
    return [(line.container_name, line.message) for c in sent for line in c.lines]


def test_pure_helpers() -> None:
    a = [("a", entry(1, "a1")), ("a", entry(3, "a3"))]
    b = [("b", entry(2, "b2")), ("b", entry(3, "b3"))]
    assert [e.message for _, e in merge_by_time([a, b])] == ["a1", "b2", "a3", "b3"]  # ties: stable
    many = [("a", entry(i, "x")) for i in range(CHUNK_LINES + 1)]
    assert [len(c) for c in chunks(many)] == [CHUNK_LINES, 1]
    big = [("a", entry(i, "y" * 100_000)) for i in range(5)]
    assert [len(c) for c in chunks(big)] == [2, 2, 1]


async def test_sources_are_merged_as_they_are_read() -> None:
    a = FakeSource([[entry(1, "a1"), entry(4, "a4")], [entry(9, "a9")]])
    b = FakeSource([[entry(2, "b2")], [entry(3, "b3"), entry(5, "b5")], [entry(6, "b6")]])
    c = FakeSource([])
    batches = [batch async for batch in merge_sources([("a", a), ("b", b), ("c", c)])]
    assert [e.message for batch in batches for _, e in batch] == ["a1", "b2", "b3", "a4", "b5", "b6", "a9"]
    assert len(batches) > 1  # streamed, not collected first


async def test_several_containers_merged_by_time_with_one_tail_for_all() -> None:
    runtime = FakeRuntime(
        {
            "web": [entry(i, f"web {i}") for i in range(0, 10, 2)],
            "side": [entry(i, f"side {i}") for i in range(1, 10, 2)],
        }
    )
    sent: list[agent_pb2.LogChunk] = []
    service = LogService(runtime, sent.append, clock_ns=lambda: 42)  # type: ignore[arg-type]
    service.handle(request("web", "side", "gone", tail=4))
    await drain(sent, service)
    assert lines_of(sent) == [("web", "web 6"), ("side", "side 7"), ("web", "web 8"), ("side", "side 9")]
    assert all(c["tail"] == 4 and c["until"] == 0 for c in runtime.calls)  # no follow: no until
    assert sent[-1].end and not sent[-1].error
    assert all(s.closed for s in runtime.sources)


async def test_no_container_on_the_host_is_a_missing_error() -> None:
    sent: list[agent_pb2.LogChunk] = []
    service = LogService(FakeRuntime({}), sent.append)  # type: ignore[arg-type]
    service.handle(request("web"))
    await drain(sent, service)
    assert sent[-1].error.startswith("missing:") and "t1" in sent[-1].error


async def test_credits_hold_the_stream_back() -> None:
    runtime = FakeRuntime({"web": [entry(i, f"l{i}") for i in range(CHUNK_LINES * 5)]})
    sent: list[agent_pb2.LogChunk] = []
    service = LogService(runtime, sent.append)  # type: ignore[arg-type]
    service.handle(request("web", window=2))
    await asyncio.sleep(0.05)
    assert len(sent) == 2 and not sent[-1].end  # the acknowledgement and one chunk use the window
    service.handle(agent_pb2.ServerMessage(log_credit=agent_pb2.LogCredit(request_id="r1", chunks=4)))
    await drain(sent, service)
    assert len(sent) == 7 and len(lines_of(sent)) == CHUNK_LINES * 5  # acknowledgement, 5 chunks, end


async def test_follow_resumes_where_the_backlog_read_stopped_then_streams_until_cancelled() -> None:
    # "late" is stamped before the request (t=4) but reaches the log file after the backlog was
    # read: the follow starts at the last line read, so it is not skipped, and "old" is not sent twice.
    runtime = FakeRuntime({"web": [entry(1, "old")]})
    sent: list[agent_pb2.LogChunk] = []
    service = LogService(runtime, sent.append, clock_ns=lambda: 5 * 10**9)  # type: ignore[arg-type]
    service.handle(request("web", follow=True, since=0.000001))
    for _ in range(100):
        if "web" in runtime.live:
            break
        await asyncio.sleep(0.005)
    backlog, live = runtime.calls
    assert backlog["until"] == 5 * 10**9 and backlog["since"] == 1_000 and not backlog["follow"]
    assert live["since"] == 10**9 and live["follow"]
    runtime.live["web"].put_nowait([entry(1, "old"), entry(4, "late"), entry(6, "new")])
    await asyncio.sleep(0.02)
    assert lines_of(sent) == [("web", "old"), ("web", "late"), ("web", "new")]
    service.handle(agent_pb2.ServerMessage(log_cancel=agent_pb2.LogCancel(request_id="r1")))
    await asyncio.sleep(0.02)
    assert service.active == 0 and all(s.closed for s in runtime.sources)
    assert not any(c.end for c in sent)  # a cancelled stream sends nothing more


async def test_follow_drops_only_the_lines_already_read_of_a_shared_nanosecond() -> None:
    runtime = FakeRuntime({"web": [entry(1, "a"), entry(2, "b"), entry(2, "c")]})
    sent: list[agent_pb2.LogChunk] = []
    service = LogService(runtime, sent.append, clock_ns=lambda: 3 * 10**9)  # type: ignore[arg-type]
    service.handle(request("web", follow=True))
    for _ in range(100):
        if "web" in runtime.live:
            break
        await asyncio.sleep(0.005)
    assert runtime.calls[1]["since"] == 2 * 10**9
    # Docker's since is inclusive: the follow repeats "b" and "c" (both at t=2); "d" shares it too.
    runtime.live["web"].put_nowait([entry(2, "b"), entry(2, "c"), entry(2, "d"), entry(5, "e")])
    await asyncio.sleep(0.02)
    assert lines_of(sent) == [("web", m) for m in "abcde"]
    service.handle(agent_pb2.ServerMessage(log_cancel=agent_pb2.LogCancel(request_id="r1")))


async def test_follow_ends_when_every_container_stopped() -> None:
    runtime = FakeRuntime({"web": [], "side": []})
    sent: list[agent_pb2.LogChunk] = []
    service = LogService(runtime, sent.append)  # type: ignore[arg-type]
    service.handle(request("web", "side", follow=True))
    for _ in range(100):
        if len(runtime.live) == 2:
            break
        await asyncio.sleep(0.005)
    runtime.live["web"].put_nowait(None)
    await asyncio.sleep(0.02)
    assert not lines_of(sent) and not sent[-1].end
    runtime.live["side"].put_nowait([entry(9, "last")])
    runtime.live["side"].put_nowait(None)
    await drain(sent, service)
    assert lines_of(sent) == [("side", "last")]
