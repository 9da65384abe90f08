"""LogRelay: the GetTaskLogs streams open through one agent session.

The control plane sends a LogRequest down the session and relays the agent's LogChunks to its
caller. The agent answers at once with an empty chunk (silence means an agent that cannot serve
logs). Flow control is by credit: the agent sends at most `WINDOW` chunks ahead, and each chunk
the caller has taken returns one credit, so a slow reader holds the agent's Docker read back
instead of filling the control plane's memory. When the caller hangs up, a LogCancel stops the
agent's read; when the session ends, every open stream fails with a clear error.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable

from berth.errors import FailedPrecondition, NotFound
from berth.v1 import agent_pb2

WINDOW = 8
# How long the agent may take to acknowledge a request (with an empty chunk).
ANSWER_SECONDS = 15.0
# An agent that ignores its window is cut off once this many chunks wait for the caller.
_OVERRUN = WINDOW * 4
# LogChunk.error texts that start with this mean "nothing to read there" (NotFound).
MISSING = "missing:"


class LogRelay:
    def __init__(self, send: Callable[[agent_pb2.ServerMessage], None], instance_arn: str) -> None:
        self._send = send
        self._ident = instance_arn.rsplit("/", 1)[-1]
        self._streams: dict[str, asyncio.Queue[agent_pb2.LogChunk | None]] = {}
        self._closed: str | None = None

    @property
    def open_streams(self) -> int:
        return len(self._streams)

    async def stream(self, request: agent_pb2.LogRequest) -> AsyncIterator[agent_pb2.LogChunk]:
        """The agent's chunks for `request` (its request_id and window are filled in here)."""
        if self._closed is not None:
            raise self._lost()
        request.request_id = request.request_id or uuid.uuid4().hex
        request.window = WINDOW
        rid = request.request_id
        queue: asyncio.Queue[agent_pb2.LogChunk | None] = asyncio.Queue()
        self._streams[rid] = queue
        finished = False
        try:
            self._send(agent_pb2.ServerMessage(log_request=request))
            try:
                chunk = await asyncio.wait_for(queue.get(), ANSWER_SECONDS)
            except TimeoutError:
                raise FailedPrecondition(
                    f"the agent of container instance {self._ident} did not answer the log request "
                    f"within {ANSWER_SECONDS:g} s (an agent older than this control plane?)"
                ) from None
            while True:
                if chunk is None:
                    raise self._lost()
                if chunk.error:
                    finished = True
                    if chunk.error.startswith(MISSING):
                        raise NotFound(chunk.error[len(MISSING) :].strip())
                    raise FailedPrecondition(f"the agent could not read the logs: {chunk.error}")
                yield chunk
                if chunk.end:
                    finished = True
                    return
                self._send(agent_pb2.ServerMessage(log_credit=agent_pb2.LogCredit(request_id=rid, chunks=1)))
                chunk = await queue.get()
        finally:
            self._streams.pop(rid, None)
            if not finished and self._closed is None:
                self._cancel(rid)

    def deliver(self, chunk: agent_pb2.LogChunk) -> None:
        """A chunk from the agent (chunks of streams already gone are dropped)."""
        queue = self._streams.get(chunk.request_id)
        if queue is None:
            return
        if queue.qsize() >= _OVERRUN:
            self._streams.pop(chunk.request_id, None)
            queue.put_nowait(
                agent_pb2.LogChunk(request_id=chunk.request_id, end=True, error="overran its window")
            )
            self._cancel(chunk.request_id)
            return
        queue.put_nowait(chunk)

    def close(self, reason: str) -> None:
        """The session ended: every open stream fails."""
        self._closed = reason
        for queue in self._streams.values():
            queue.put_nowait(None)

    def _cancel(self, rid: str) -> None:
        self._send(agent_pb2.ServerMessage(log_cancel=agent_pb2.LogCancel(request_id=rid)))

    def _lost(self) -> FailedPrecondition:
        return FailedPrecondition(
            f"the agent of container instance {self._ident} disconnected ({self._closed}); its "
            "containers' logs stay on the host: retry once it is back"
        )
