"""Leader election on an etcd lease: one replica runs the controllers (services, GC).

A replica becomes leader by creating the `leader` key attached to its own lease (create-if-absent,
so only one can hold it) and stays leader while it keeps the lease alive. If it cannot refresh
the lease for its TTL, it stops its controllers; the key vanishes with the lease and another
replica takes over. Leadership is only a hint: every controller write is a CAS, so two replicas
that briefly both think they lead cannot corrupt anything, only duplicate work.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from collections.abc import Callable, Coroutine
from typing import Any

import structlog

from berth.errors import Conflict, Unavailable
from berth.v1 import store_pb2
from controlplane import metrics
from controlplane.store import EtcdStore, Put

log = structlog.get_logger("berth.leader")

LEADER_KEY = "leader"


class Leadership:
    def __init__(self, store: EtcdStore, replica: str, *, ttl: int = 3) -> None:
        self.store = store
        self.replica = replica
        self.ttl = ttl
        self.is_leader = False

    async def run(self, lead: Callable[[], Coroutine[Any, Any, None]]) -> None:
        """Forever: campaign; while leader, run `lead()` (cancelled when leadership is lost)."""
        while True:
            try:
                lease = await self._campaign()
            except Unavailable as e:
                log.warning("leader_campaign_failed", error=str(e))
                await asyncio.sleep(1)
                continue
            if lease is None:
                await asyncio.sleep(max(1.0, self.ttl / 3))
                continue
            self.is_leader = True
            metrics.LEADER.set(1)
            log.info("became_leader", replica=self.replica)
            leading = asyncio.create_task(lead(), name="controllers")
            try:
                await self._hold(lease, leading)
            finally:
                self.is_leader = False
                metrics.LEADER.set(0)
                leading.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await leading
                with contextlib.suppress(Unavailable):
                    await self.store.revoke_lease(lease)
                log.info("leadership_ended", replica=self.replica)

    async def _campaign(self) -> int | None:
        """Try to take the leader key; the lease id if we did."""
        lease = await self.store.grant_lease(self.ttl)
        record = store_pb2.Leader(replica=self.replica, since=time.time())
        try:
            await self.store.commit(Put(LEADER_KEY, record, 0, lease=lease))
            return lease
        except Conflict:
            with contextlib.suppress(Unavailable):
                await self.store.revoke_lease(lease)
            return None

    async def _hold(self, lease: int, leading: asyncio.Task[None]) -> None:
        """Refresh the lease every ttl/3 until it cannot be refreshed or `leading` ends."""
        last_ok = time.monotonic()
        while not leading.done():
            await asyncio.wait({leading}, timeout=self.ttl / 3)
            if leading.done():
                if leading.exception() is not None:
                    log.error("controllers_crashed", error=repr(leading.exception()))
                return
            try:
                if await self.store.refresh_lease(lease) <= 0:
                    return
                last_ok = time.monotonic()
            except Unavailable as e:
                if time.monotonic() - last_ok > self.ttl:
                    log.warning("leader_lease_lost", error=str(e))
                    return


def replica_name() -> str:
    return f"{os.uname().nodename}:{os.getpid()}"
