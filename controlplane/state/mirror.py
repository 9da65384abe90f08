"""Mirror: a watch-fed copy of every record under one etcd prefix.

`run()` lists the prefix at one revision, then watches from the next revision; after a compaction
or an outage it lists again. A replica applies its own commits at once (`apply_local`) and, after
losing a race, re-reads what it needs (`merge`), so it never waits on the watch for its own writes
(a watch on a quiet prefix would give no sign of having caught up). Listeners are called
synchronously, in etcd order, with (key, old, new) for every change (new is None for a delete), so
they must be quick and not block.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

import structlog
from google.protobuf.message import Message

from berth.errors import Unavailable
from controlplane.store import Check, Delete, EtcdStore, Put, Versioned, WatchCompacted, WatchEvent

M = TypeVar("M", bound=Message)

log = structlog.get_logger("berth.mirror")

RESYNC_SECONDS = 300.0


class Mirror(Generic[M]):
    def __init__(self, store: EtcdStore, prefix: str, cls: type[M]) -> None:
        self.store = store
        self.prefix = prefix
        self.cls = cls
        self.items: dict[str, Versioned[M]] = {}
        self.revision = 0
        self.ready = asyncio.Event()
        self._listeners: list[Callable[[str, M | None, M | None], None]] = []

    def subscribe(self, listener: Callable[[str, M | None, M | None], None]) -> Callable[[], None]:
        """Call `listener` on every change from now on; returns the function that unsubscribes."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def get(self, key: str) -> M | None:
        item = self.items.get(key)
        return item.value if item else None

    def values(self, prefix: str = "") -> list[M]:
        full = self.prefix + prefix if prefix and not prefix.startswith(self.prefix) else prefix
        return [v.value for k, v in self.items.items() if not full or k.startswith(full)]

    def apply_local(self, key: str, value: M | None, revision: int) -> None:
        """Our own committed write at `revision`: apply it now instead of waiting for the watch."""
        current = self.items.get(key)
        if current is not None and current.mod_revision >= revision:
            return
        if value is None:
            if current is not None:
                del self.items[key]
                self._notify(key, current.value, None)
            return
        create = current.create_revision if current else revision
        self.items[key] = Versioned(key, value, revision, create)
        self._notify(key, current.value if current else None, value)

    def merge(self, prefix: str, records: list[Versioned[M]], revision: int) -> None:
        """A fresh read of `prefix` at `revision` (after a lost race): take what is newer than ours."""
        fresh = {r.key: r for r in records}
        for key in [k for k in self.items if k.startswith(prefix) and k not in fresh]:
            if self.items[key].mod_revision <= revision:
                old = self.items.pop(key)
                self._notify(key, old.value, None)
        for key, record in fresh.items():
            current = self.items.get(key)
            if current is None or current.mod_revision < record.mod_revision:
                self.items[key] = record
                self._notify(key, current.value if current else None, record.value)

    def _notify(self, key: str, old: M | None, new: M | None) -> None:
        for listener in self._listeners:
            try:
                listener(key, old, new)
            except Exception:
                log.exception("mirror_listener_failed", prefix=self.prefix, key=key)

    async def _resync(self) -> None:
        records, revision = await self.store.snapshot(self.prefix, self.cls)
        fresh = {r.key: r for r in records}
        for key in set(self.items) - set(fresh):
            old = self.items.pop(key)
            self._notify(key, old.value, None)
        for key, record in fresh.items():
            old_record = self.items.get(key)
            self.items[key] = record
            if old_record is None or old_record.mod_revision != record.mod_revision:
                self._notify(key, old_record.value if old_record else None, record.value)
        self.revision = max(self.revision, revision)
        self.ready.set()

    def _apply(self, event: WatchEvent) -> None:
        old_record = self.items.get(event.key)
        if old_record is not None and old_record.mod_revision >= event.mod_revision:
            return  # already applied locally (our own write) or from a fresher read
        new: M | None = None
        if event.kind == "delete":
            self.items.pop(event.key, None)
        else:
            new = self.cls.FromString(event.value)
            create = old_record.create_revision if old_record else event.mod_revision
            self.items[event.key] = Versioned(event.key, new, event.mod_revision, create)
        self._notify(event.key, old_record.value if old_record else None, new)

    async def run(self) -> None:
        delay = 0.2
        while True:
            try:
                await self._resync()
                # The store's watch resumes a broken stream from the last event it delivered
                # (tests/integration/store/test_watch_resume.py); a full re-read now and then is
                # only a second line of defence.
                async with asyncio.timeout(RESYNC_SECONDS):
                    async for events in self.store.watch(self.prefix, self.revision + 1):
                        for event in events:
                            self._apply(event)
                        self.revision = max(self.revision, events[-1].mod_revision)
                        delay = 0.2
            except TimeoutError:
                pass
            except WatchCompacted:
                log.info("mirror_resync", prefix=self.prefix, reason="compacted")
            except Unavailable as e:
                log.warning("mirror_unavailable", prefix=self.prefix, error=str(e))
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)


class MirrorSet:
    """Several mirrors run, awaited and told of our own commits together (`self.mirrors`)."""

    mirrors: list[Mirror]  # type: ignore[type-arg]

    async def run(self) -> None:
        async with asyncio.TaskGroup() as tg:
            for mirror in self.mirrors:
                tg.create_task(mirror.run())

    async def ready(self) -> None:
        for mirror in self.mirrors:
            await mirror.ready.wait()

    def note_commit(self, ops: Sequence[Put | Delete | Check], revision: int) -> None:
        """Apply the writes of our own transaction (committed at `revision`) to the mirrors."""
        for op in ops:
            if isinstance(op, Check):
                continue
            for mirror in self.mirrors:
                if op.key.startswith(mirror.prefix):
                    mirror.apply_local(op.key, op.value if isinstance(op, Put) else None, revision)
