"""Group commit: concurrent small transactions share one etcd request.

While `max_in_flight` requests are out, new transactions queue; when one comes back, the queue
leaves as one etcd transaction holding each caller's transaction nested inside it, so each still
succeeds or fails on its own compares (all of it or none of it), and all that succeed share one
revision. A lone caller never waits: with nothing in flight its transaction goes at once, as it
would without grouping. What goes together is decided by `txn.take` (pure).

This is how many writers (agents reporting state changes, the service controller's stops,
RegisterTaskDefinition under load) cost etcd a few requests and revisions instead of one each.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from controlplane.store.txn import Unit, take

Op = TypeVar("Op")

# Applies transactions together: per transaction, its revision, or None when its compares failed.
Send = Callable[[list[Sequence[Op]]], Awaitable[list[int | None]]]


@dataclass
class _Waiting(Generic[Op]):
    ops: Sequence[Op]
    unit: Unit
    done: asyncio.Future[int | None] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )


class GroupCommit(Generic[Op]):
    def __init__(
        self, send: Send[Op], describe: Callable[[Sequence[Op]], Unit], *, max_in_flight: int = 2
    ) -> None:
        self._send = send
        self._describe = describe
        self._max_in_flight = max_in_flight
        self._queue: list[_Waiting[Op]] = []
        self._in_flight = 0
        self._tasks: set[asyncio.Task[None]] = set()
        self.requests = 0  # etcd requests sent (for tests and figures)

    async def commit(self, ops: Sequence[Op]) -> int | None:
        """The revision `ops` committed at, or None if their compares failed (nothing written).

        Raises what sending raised (the outcome is then unknown, as with a lone transaction).
        Cancelled while queued, the transaction is never sent.
        """
        waiting = _Waiting(ops, self._describe(ops))
        self._queue.append(waiting)
        self._dispatch()
        try:
            return await asyncio.shield(waiting.done)
        except asyncio.CancelledError:
            if waiting in self._queue:
                self._queue.remove(waiting)
            else:  # already sent: its outcome arrives unheard
                waiting.done.add_done_callback(_consume)
            raise

    def _dispatch(self) -> None:
        while self._queue and self._in_flight < self._max_in_flight:
            chosen = take([w.unit for w in self._queue])
            batch = [self._queue[i] for i in chosen]
            picked = set(chosen)
            self._queue = [w for i, w in enumerate(self._queue) if i not in picked]
            self._in_flight += 1
            self.requests += 1
            task = asyncio.get_running_loop().create_task(self._run(batch))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _run(self, batch: list[_Waiting[Op]]) -> None:
        try:
            results = await self._send([w.ops for w in batch])
        except asyncio.CancelledError:
            for w in batch:
                w.done.cancel()
            raise
        except Exception as e:  # every caller of the batch gets the outcome
            for w in batch:
                if not w.done.done():
                    w.done.set_exception(e)
        else:
            for w, revision in zip(batch, results, strict=True):
                if not w.done.done():
                    w.done.set_result(revision)
        finally:
            self._in_flight -= 1
            self._dispatch()

    async def close(self) -> None:
        for w in self._queue:
            w.done.cancel()
        self._queue.clear()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)


def _consume(done: asyncio.Future[int | None]) -> None:
    if not done.cancelled():
        done.exception()
