"""Lease keep-alives over one shared stream.

etcd keeps a lease alive only through its bidirectional LeaseKeepAlive stream. Opening a stream
per refresh (one per agent heartbeat: 1,000 agents every 3 s) costs far more than the refresh
itself, so every refresh of a replica goes over one long-lived stream: a request carries the lease
ID, etcd answers each in order with the ID and its remaining TTL, and the answer goes to the
oldest caller waiting for that ID. When the stream breaks, every waiting caller gets the error and
the next refresh opens a new stream.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict, deque
from collections.abc import AsyncIterator, Callable
from typing import Any

from etcd3aio._protobuf import LeaseKeepAliveRequest

# Opens LeaseKeepAlive with the given request stream (the current etcd connection's stub).
Opener = Callable[[AsyncIterator[LeaseKeepAliveRequest]], Any]


class StreamClosed(ConnectionError):
    """etcd ended the keep-alive stream."""


class SharedKeepAlive:
    def __init__(self, open_stream: Opener) -> None:
        self._open = open_stream
        self._requests: asyncio.Queue[LeaseKeepAliveRequest | None] = asyncio.Queue()
        self._waiting: defaultdict[int, deque[asyncio.Future[int]]] = defaultdict(deque)
        self._reader: asyncio.Task[None] | None = None

    async def refresh(self, lease_id: int, timeout: float) -> int:
        """Keep `lease_id` alive once; its remaining TTL (<= 0: it has expired)."""
        if self._reader is None or self._reader.done():
            self._start()
        answer: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self._waiting[lease_id].append(answer)
        self._requests.put_nowait(LeaseKeepAliveRequest(ID=lease_id))
        try:
            return await asyncio.wait_for(asyncio.shield(answer), timeout)
        finally:
            waiting = self._waiting.get(lease_id)
            if waiting is not None and answer in waiting:
                waiting.remove(answer)
                if not waiting:
                    del self._waiting[lease_id]

    def _start(self) -> None:
        # Callers waiting on the last stream were told it broke; their requests are not resent.
        requests: asyncio.Queue[LeaseKeepAliveRequest | None] = asyncio.Queue()
        self._requests = requests

        async def outgoing() -> AsyncIterator[LeaseKeepAliveRequest]:
            while (request := await requests.get()) is not None:
                yield request

        self._reader = asyncio.create_task(
            self._read(self._open(outgoing()), requests), name="lease-keepalive"
        )

    async def _read(self, call: Any, requests: asyncio.Queue[LeaseKeepAliveRequest | None]) -> None:
        failure: BaseException = StreamClosed("etcd closed the lease keep-alive stream")
        try:
            async for response in call:
                waiting = self._waiting.get(int(response.ID))
                while waiting:
                    answer = waiting.popleft()
                    if not answer.done():
                        answer.set_result(int(response.TTL))
                        break
        except asyncio.CancelledError:
            failure = StreamClosed("the lease keep-alive stream was closed")
            raise
        except Exception as e:  # the stream broke: every caller still waiting gets the error
            failure = e
        finally:
            requests.put_nowait(None)
            call.cancel()
            for waiting in self._waiting.values():
                for answer in waiting:
                    if not answer.done():
                        answer.set_exception(failure)
            self._waiting.clear()

    async def close(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
            await asyncio.gather(self._reader, return_exceptions=True)
