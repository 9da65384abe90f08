"""AuditTrail: the replica's pending audit records, written to etcd in the background.

`record()` only queues (no I/O, never raises), so a call is neither slowed nor failed by its
audit. `run()` writes what `AuditBuffer` says is due as one key (`audit/<replica>/<run>-<seq>`,
an `AuditBatch`) in one etcd request: at most ~10 writes a second per replica however many calls
it serves. The event feed derives one "AWS API Call via CloudTrail" event per record from that
key's creation, so a watcher on any replica sees them (controlplane.events.derive).

Keys live on a lease that outlives the event history (`ttl_seconds`, the janitor's compaction
window) by `renew_seconds`: a new lease is granted every `renew_seconds`, so nothing has to keep
it alive and the trail in etcd stays as long as the history. A write that failed is retried with
the same key (a timed-out write that did commit then fails its create-if-absent compare, and is
not written twice); records that come meanwhile wait in the buffer, up to its bound.
"""

from __future__ import annotations

import asyncio
import math
import time
import uuid
from collections.abc import Callable

import structlog

from berth.errors import BerthError, Conflict
from berth.v1 import berth_pb2
from controlplane import metrics
from controlplane.audit.buffer import AuditBuffer
from controlplane.store import EtcdStore, Put, keys

log = structlog.get_logger("berth.audit")


class AuditTrail:
    def __init__(
        self,
        store: EtcdStore,
        replica: str,
        *,
        ttl_seconds: float,
        renew_seconds: float = 60.0,
        interval: float = 0.1,
        max_batch: int = 1000,
        max_pending: int = 20_000,
        retry_seconds: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.store = store
        self.replica = replica
        self.ttl_seconds = ttl_seconds
        self.renew_seconds = renew_seconds
        self.retry_seconds = retry_seconds
        self.clock = clock
        self.buffer = AuditBuffer(interval=interval, max_batch=max_batch, max_pending=max_pending)
        self._run = uuid.uuid4().hex[:8]
        self._seq = 0
        self._wake = asyncio.Event()
        self._lease = (0, -math.inf)  # (lease id, when granted)
        self._unwritten: tuple[str, berth_pb2.AuditBatch] | None = None

    def record(self, record: berth_pb2.AuditRecord) -> None:
        """Queue one record for the next write (dropped and counted when the buffer is full)."""
        if self.buffer.add(record, self.clock()):
            self._wake.set()
            return
        metrics.AUDIT_RECORDS.labels("dropped").inc()
        if self.buffer.dropped in (1, 10, 100) or self.buffer.dropped % 1000 == 0:
            log.warning("audit_records_dropped", dropped=self.buffer.dropped, pending=len(self.buffer))

    async def run(self) -> None:
        while True:
            if self._unwritten is None:
                delay = self.buffer.due_in(self.clock())
                if delay is None:
                    self._wake.clear()
                    await self._wake.wait()
                    continue
                if delay > 0:
                    await asyncio.sleep(delay)
                    continue
                self._unwritten = self._next_batch()
            if not await self._write():
                await asyncio.sleep(self.retry_seconds)

    async def flush(self) -> bool:
        """Write everything pending now (at shutdown; tests). False if a write failed."""
        while self._unwritten is not None or len(self.buffer):
            if self._unwritten is None:
                self._unwritten = self._next_batch()
            if not await self._write():
                return False
        return True

    def _next_batch(self) -> tuple[str, berth_pb2.AuditBatch]:
        self._seq += 1
        key = keys.audit_batch(self.replica, self._run, self._seq)
        return key, berth_pb2.AuditBatch(records=self.buffer.take(self.clock()))

    async def _write(self) -> bool:
        assert self._unwritten is not None
        key, batch = self._unwritten
        try:
            await self.store.commit(Put(key, batch, 0, lease=await self._current_lease()))
        except Conflict:
            pass  # an earlier attempt that timed out did write it
        except BerthError as e:
            self._lease = (0, -math.inf)  # it may be the lease that is gone (etcd restored)
            log.warning(
                "audit_write_failed", error=str(e), records=len(batch.records), pending=len(self.buffer)
            )
            return False
        metrics.AUDIT_RECORDS.labels("written").inc(len(batch.records))
        self._unwritten = None
        return True

    async def _current_lease(self) -> int:
        lease_id, granted = self._lease
        now = self.clock()
        if now - granted >= self.renew_seconds:
            lease_id = await self.store.grant_lease(math.ceil(self.ttl_seconds + self.renew_seconds))
            self._lease = (lease_id, now)
        return lease_id
