"""EventFeed: etcd's history under berth's prefix, turned into a stream of events.

Each call watches the whole prefix from its start revision with prev_kv, so every change arrives
with the value it replaced, in etcd's order, and `derive` makes the events of it. Positions count
every change of a revision (whatever the filter), so an event has the same id in every stream.

Where a stream starts:
- after an event id `R-P-I`: the watch starts at R-1, which etcd refuses when R was compacted away
  (R-1 < compaction), so resuming never silently skips; events up to and including the id are
  dropped. Starting one revision early also guarantees etcd still has every previous value at R.
- from the oldest event kept: at the compaction revision + 1 (found by asking for revision 1);
- now: at the current revision + 1.

Without `follow` the stream ends once it has passed the revision current at the start: at the
first batch past it, or, once the newest key under the prefix is behind it (a trailing delete
leaves no key to read), when nothing more arrives for a moment (`idle`).

History is as long as the janitor lets it be (`--event-history`, default 10 minutes).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncGenerator, AsyncIterator, Callable
from typing import cast

from berth.errors import FailedPrecondition, InvalidArgument, Unavailable
from berth.v1 import berth_pb2
from controlplane.events.derive import EventFilter, EventId, InstanceView, derive
from controlplane.store import EtcdStore, WatchCompacted, WatchEvent

EXPIRED = "EventsExpiredException"


class EventFeed:
    def __init__(
        self,
        store: EtcdStore,
        view: InstanceView,
        *,
        account: str,
        region: str,
        history_seconds: float = 600.0,
        idle: float = 0.25,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.view = view
        self.account = account
        self.region = region
        self.history_seconds = history_seconds
        self.idle = idle
        self.clock = clock

    async def events(
        self,
        flt: EventFilter,
        *,
        after: EventId | None = None,
        from_oldest: bool = False,
        follow: bool = True,
    ) -> AsyncIterator[berth_pb2.Event]:
        if follow:
            fence, current = 0, await self.store.ping()
        else:  # the newest key under the prefix: once past it, only a trailing delete may follow
            fence, current = await self.store.last_modified("")
        if after is not None:
            if after.revision > current:
                raise InvalidArgument.field(
                    "afterId", f"{after} is ahead of this store (revision {current}): not an id from here"
                )
            start = max(1, after.revision - 1)
        else:
            start = 1 if from_oldest else current + 1
        delivered = False
        while True:
            try:
                async for event in self._events(flt, start, after, follow, end=current, fence=fence):
                    delivered = True
                    yield event
                return
            except WatchCompacted as e:
                if after is None and from_oldest and not delivered and e.compact_revision >= start:
                    start = e.compact_revision + 1  # the oldest revision with its previous values
                    continue
                if not e.compact_revision:
                    raise Unavailable("etcd cancelled the event watch; reconnect") from None
                where = f"event {after}" if after is not None else f"revision {start}"
                raise FailedPrecondition(
                    f"{where} is no longer in the history (etcd was compacted at revision "
                    f"{e.compact_revision}; the control plane keeps about "
                    f"{self.history_seconds:g} s, --event-history): start again without a "
                    "resume id and re-read the current state",
                    ecs_type=EXPIRED,
                ) from None

    async def _events(
        self,
        flt: EventFilter,
        start: int,
        after: EventId | None,
        follow: bool,
        *,
        end: int,
        fence: int,
    ) -> AsyncIterator[berth_pb2.Event]:
        revision, position = 0, -1
        async for batch in self._batches(start, follow, end=end, fence=fence):
            for change in batch:
                if change.mod_revision != revision:
                    revision, position = change.mod_revision, 0
                else:
                    position += 1
                if after is not None and revision < after.revision:
                    continue  # only there to prove R is still in the history
                if not follow and revision > end:
                    return
                if not flt.wants_key(change.key):
                    continue
                new = None if change.kind == "delete" else change.value
                for index, event in enumerate(derive(change.key, change.prev_value, new, self.view)):
                    event_id = EventId(revision, position, index)
                    if (after is not None and event_id <= after) or not flt.matches(event):
                        continue
                    event.id = str(event_id)
                    event.account = self.account
                    event.region = self.region
                    event.time = event.time or self.clock()
                    yield event

    async def _batches(
        self, start: int, follow: bool, *, end: int, fence: int
    ) -> AsyncIterator[list[WatchEvent]]:
        if not follow and start > end:
            return
        # EtcdStore.watch is an async generator: closing it ends the etcd watch.
        watch = cast(AsyncGenerator[list[WatchEvent], None], self.store.watch("", start, prev_kv=True))
        seen = start - 1
        try:
            while True:
                if follow:
                    batch = await anext(watch)
                else:
                    if seen >= end:
                        return
                    try:
                        batch = await asyncio.wait_for(anext(watch), self.idle if seen >= fence else None)
                    except TimeoutError:
                        return
                seen = batch[-1].mod_revision
                yield batch
        except StopAsyncIteration:
            return
        finally:
            await watch.aclose()
