"""LogService: the agent's side of GetTaskLogs.

For each LogRequest from the control plane it reads the named containers of the task (found by
their deterministic Docker names, so a stopped task's containers are found until the cleanup wait
removes them, and after an agent restart too) and sends LogChunks back through the session:

- the lines already written, up to the moment of the request, merged across containers by
  timestamp as they are read (streamed: nothing is held but what the merge needs), with `tail`
  applied to them all together (each container gives at most its last N, so at most N x
  containers are held);
- with `follow`, then every new line as it arrives, until every container has stopped. Each
  container's follow resumes at the exact timestamp of the last line its backlog read (dropping
  the lines of that nanosecond already read), not at the moment of the request: Docker stamps a
  line before its log file holds it, so a line stamped just before that moment may not have been
  readable yet, and starting after the moment would skip it.

Chunks hold at most `CHUNK_LINES` lines or `CHUNK_BYTES` of text; at most `window` chunks go out
ahead of the control plane's credits (LogCredit), so a slow reader holds the Docker reads back.
A LogCancel (the caller hung up) or the end of the session stops the read.
"""

from __future__ import annotations

import asyncio
import heapq
import math
import time
from collections import deque
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Sequence

import structlog

from agent.runtime.errors import ContainerRuntimeError
from agent.runtime.model import ContainerRuntime, LogEntry, LogSource
from agent.runtime.spec import container_name
from berth.v1 import agent_pb2

log = structlog.get_logger("berth.agent.logs")

CHUNK_LINES = 500
CHUNK_BYTES = 256 * 1024
DEFAULT_WINDOW = 8
MISSING = "missing:"  # an error the control plane reports as NotFound


Named = tuple[str, LogEntry]  # (container name, line)


def merge_by_time(streams: Sequence[Sequence[Named]]) -> list[Named]:
    """Lines of several containers (each already in order) in one time order (stable)."""
    return list(heapq.merge(*streams, key=lambda n: n[1].time))


async def merge_sources(sources: Sequence[tuple[str, LogSource]]) -> AsyncIterator[list[Named]]:
    """The lines of finite sources (each in time order) merged into one time order, streamed: a
    line goes out once every source still open has shown a line at least as late."""
    if len(sources) == 1:
        name, source = sources[0]
        async for batch in source:
            yield [(name, e) for e in batch]
        return
    iters = [aiter(source) for _, source in sources]
    buffers: list[deque[Named]] = [deque() for _ in sources]
    open_ = set(range(len(sources)))
    while open_ or any(buffers):
        for i in sorted(open_):
            while not buffers[i] and i in open_:
                try:
                    buffers[i].extend((sources[i][0], e) for e in await anext(iters[i]))
                except StopAsyncIteration:
                    open_.discard(i)
        horizon = min((buffers[i][-1][1].time for i in open_), default=math.inf)
        ready: list[list[Named]] = []
        for buffer in buffers:
            taken: list[Named] = []
            while buffer and buffer[0][1].time <= horizon:
                taken.append(buffer.popleft())
            ready.append(taken)
        merged = merge_by_time(ready)
        if merged:
            yield merged


class _End:
    """Where one container's backlog read stopped: the timestamp of the last line read (epoch
    nanoseconds) and how many of the lines read had it (lines can share a nanosecond). Its follow
    starts at that timestamp (Docker's `since` is inclusive) and drops those lines again. (Docker
    stamps each line on its own, so a shared nanosecond is rare; if `tail` cut inside one, a line
    of it may come twice, never not at all.)"""

    def __init__(self, since: int) -> None:
        self.ns = since
        self.read_at_ns = 0

    async def track(self, source: LogSource) -> AsyncGenerator[list[LogEntry], None]:
        async for batch in source:
            for e in batch:
                if e.ns > self.ns:
                    self.ns, self.read_at_ns = e.ns, 1
                elif e.ns == self.ns:
                    self.read_at_ns += 1
            yield batch

    def fresh(self, batch: list[LogEntry]) -> list[LogEntry]:
        """The lines of a follow batch that the backlog did not send."""
        if not self.read_at_ns:
            return batch
        out = []
        for e in batch:
            if self.read_at_ns and e.ns <= self.ns:
                self.read_at_ns -= 1
            else:
                self.read_at_ns = 0
                out.append(e)
        return out


def chunks(lines: Sequence[Named]) -> list[list[Named]]:
    """Lines cut into chunks of at most CHUNK_LINES lines and about CHUNK_BYTES of text."""
    out: list[list[Named]] = []
    current: list[Named] = []
    size = 0
    for item in lines:
        if current and (len(current) >= CHUNK_LINES or size + len(item[1].message) > CHUNK_BYTES):
            out.append(current)
            current, size = [], 0
        current.append(item)
        size += len(item[1].message)
    if current:
        out.append(current)
    return out


def to_line(name: str, entry: LogEntry) -> agent_pb2.LogLine:
    return agent_pb2.LogLine(
        container_name=name, stream=entry.stream, timestamp=entry.time, message=entry.message
    )


class LogService:
    def __init__(
        self,
        runtime: ContainerRuntime,
        send: Callable[[agent_pb2.LogChunk], None],
        *,
        clock_ns: Callable[[], int] = time.time_ns,
    ) -> None:
        self.runtime = runtime
        self.send = send
        self.clock_ns = clock_ns
        self._requests: dict[str, tuple[asyncio.Task[None], asyncio.Semaphore]] = {}

    @property
    def active(self) -> int:
        return len(self._requests)

    def handle(self, message: agent_pb2.ServerMessage) -> None:
        """A log_request, log_cancel or log_credit from the control plane."""
        kind = message.WhichOneof("body")
        if kind == "log_request":
            request = message.log_request
            credits = asyncio.Semaphore(request.window or DEFAULT_WINDOW)
            task = asyncio.create_task(self._serve(request, credits), name=f"logs-{request.request_id}")
            self._requests[request.request_id] = (task, credits)
            task.add_done_callback(lambda _: self._requests.pop(request.request_id, None))
        elif kind == "log_cancel":
            entry = self._requests.pop(message.log_cancel.request_id, None)
            if entry is not None:
                entry[0].cancel()
        elif kind == "log_credit":
            entry = self._requests.get(message.log_credit.request_id)
            if entry is not None:
                for _ in range(max(1, message.log_credit.chunks)):
                    entry[1].release()

    def cancel_all(self) -> None:
        """The session ended: the control plane has forgotten every request."""
        for task, _ in self._requests.values():
            task.cancel()
        self._requests.clear()

    async def close(self) -> None:
        tasks = [t for t, _ in self._requests.values()]
        self.cancel_all()
        await asyncio.gather(*tasks, return_exceptions=True)

    # -- one request -----------------------------------------------------------------------------

    async def _serve(self, request: agent_pb2.LogRequest, credits: asyncio.Semaphore) -> None:
        rid = request.request_id
        try:
            await self._send(rid, [], credits)  # accepted: the control plane waits for this
            containers = await self._containers(request)
            if not containers:
                task_id = request.task_arn.rsplit("/", 1)[-1]
                self.send(
                    agent_pb2.LogChunk(
                        request_id=rid,
                        end=True,
                        error=f"{MISSING} no container of task {task_id} is on its host any more "
                        "(not created yet, or removed after the cleanup wait)",
                    )
                )
                return
            now = self.clock_ns()
            since = int(request.since * 1e9) if request.since else 0
            # The backlog is read as fast as Docker gives it: send it in full chunks.
            pending: list[Named] = []
            ends = [_End(since) for _ in containers]
            async for batch in self._backlog(
                containers, since, now if request.follow else 0, request.tail, ends
            ):
                parts = chunks([*pending, *batch])
                pending = parts.pop() if parts else []
                for chunk in parts:
                    await self._send(rid, chunk, credits)
            if pending:
                await self._send(rid, pending, credits)
            if request.follow:
                async for batch in self._follow(containers, ends):
                    for chunk in chunks(batch):
                        await self._send(rid, chunk, credits)
            self.send(agent_pb2.LogChunk(request_id=rid, end=True))
        except ContainerRuntimeError as e:
            self.send(agent_pb2.LogChunk(request_id=rid, end=True, error=str(e)))
        except asyncio.CancelledError:
            raise
        except Exception as e:
            log.exception("logs_failed", task=request.task_arn)
            self.send(agent_pb2.LogChunk(request_id=rid, end=True, error=f"internal error: {e}"))

    async def _send(self, rid: str, chunk: list[Named], credits: asyncio.Semaphore) -> None:
        await credits.acquire()
        self.send(agent_pb2.LogChunk(request_id=rid, lines=[to_line(n, e) for n, e in chunk]))

    async def _containers(self, request: agent_pb2.LogRequest) -> list[tuple[str, str]]:
        """(container name, Docker id) of the requested containers that exist, in request order."""
        task_id = request.task_arn.rsplit("/", 1)[-1]
        found = []
        for name in request.containers:
            state = await self.runtime.inspect(container_name(task_id, name))
            if state is not None and state.task_arn == request.task_arn:
                found.append((name, state.id))
        return found

    async def _backlog(
        self, containers: list[tuple[str, str]], since: int, until: int, tail: int, ends: list[_End]
    ) -> AsyncIterator[list[Named]]:
        """The lines written so far, merged by time; with `tail`, the last `tail` of them all (each
        container gives at most its last `tail`, so at most that many per container are held).
        `ends` learns where each container's read stopped."""
        opened = [
            self.runtime.logs(cid, since_ns=since, until_ns=until, tail=tail or None) for _, cid in containers
        ]
        sources: list[tuple[str, LogSource]] = [
            (name, ends[i].track(source))
            for i, ((name, _), source) in enumerate(zip(containers, opened, strict=True))
        ]
        try:
            if tail:
                kept: deque[Named] = deque(maxlen=tail)
                async for batch in merge_sources(sources):
                    kept.extend(batch)
                if kept:
                    yield list(kept)
            else:
                async for batch in merge_sources(sources):
                    yield batch
        finally:
            for source in opened:
                await source.aclose()

    async def _follow(
        self, containers: list[tuple[str, str]], ends: list[_End]
    ) -> AsyncIterator[list[Named]]:
        """New lines of every container as they come (after where its backlog ended), until all
        of them stopped."""
        queue: asyncio.Queue[list[Named] | Exception | None] = asyncio.Queue(maxsize=16)
        sources: list[LogSource] = [
            self.runtime.logs(cid, since_ns=end.ns, follow=True)
            for (_, cid), end in zip(containers, ends, strict=True)
        ]

        async def pump(name: str, source: LogSource, end: _End) -> None:
            try:
                async for batch in source:
                    if fresh := end.fresh(batch):
                        await queue.put([(name, e) for e in fresh])
            except Exception as e:  # ends the whole stream with this error
                await queue.put(e)
                return
            await queue.put(None)

        pumps = [
            asyncio.create_task(pump(name, source, end))
            for (name, _), source, end in zip(containers, sources, ends, strict=True)
        ]
        try:
            running = len(pumps)
            while running:
                item = await queue.get()
                if item is None:
                    running -= 1
                elif isinstance(item, Exception):
                    raise item
                else:
                    yield item
        finally:
            for p in pumps:
                p.cancel()
            for source in sources:
                await source.aclose()
            await asyncio.gather(*pumps, return_exceptions=True)
