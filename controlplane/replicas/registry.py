"""Each replica's gRPC address in etcd, on a lease it keeps alive: gone soon after it dies."""

from __future__ import annotations

import asyncio
import time

import structlog

from berth.errors import BerthError, Conflict
from berth.v1 import store_pb2
from controlplane.store import EtcdStore, Put, keys

log = structlog.get_logger("berth.replicas")

TTL_SECONDS = 10


class ReplicaRegistry:
    def __init__(
        self, store: EtcdStore, replica: str, endpoint: str, ttl: int = TTL_SECONDS, agent_endpoint: str = ""
    ) -> None:
        self.store = store
        self.replica = replica
        self.endpoint = endpoint
        self.agent_endpoint = agent_endpoint
        self.ttl = ttl
        self._lease = 0

    async def run(self) -> None:
        """Publish this replica's address and keep its lease alive (re-publishing if it lapsed)."""
        while True:
            try:
                if not self._lease or await self.store.refresh_lease(self._lease) <= 0:
                    await self._publish()
            except BerthError as e:  # etcd away for a moment: try again next round
                log.info("replica_registry_retry", error=e.message)
                self._lease = 0
            await asyncio.sleep(self.ttl / 3)

    async def leave(self) -> None:
        """Take this replica's record out now (a clean stop) rather than when its lease lapses."""
        lease, self._lease = self._lease, 0
        if lease:
            try:
                await asyncio.wait_for(self.store.revoke_lease(lease), timeout=2.0)
            except (BerthError, TimeoutError) as e:  # it lapses by itself within the TTL
                log.info("replica_leave_failed", error=str(e))

    async def _publish(self) -> None:
        self._lease = await self.store.grant_lease(self.ttl)
        key = keys.replica(self.replica)
        record = store_pb2.ReplicaRecord(
            replica=self.replica,
            grpc_endpoint=self.endpoint,
            started_at=time.time(),
            agent_endpoint=self.agent_endpoint,
        )
        for _ in range(10):
            try:
                await self.store.commit(
                    Put(key, record, await self.store.revision_of(key), lease=self._lease)
                )
                return
            except Conflict:
                continue
        raise Conflict(f"could not publish replica {self.replica}")

    async def endpoint_of(self, replica: str) -> str | None:
        """The gRPC address of a live replica, or None when it is gone."""
        record = await self.store.get(keys.replica(replica), store_pb2.ReplicaRecord)
        return record.value.grpc_endpoint if record is not None else None

    async def agent_endpoints(self) -> list[str]:
        """Where agents hold their sessions: this replica's agent port first, then the other live
        replicas' (TLS clusters; empty on an insecure one)."""
        if not self.agent_endpoint:
            return []
        records, _more = await self.store.list(keys.REPLICAS, store_pb2.ReplicaRecord)
        others = sorted(r.value.agent_endpoint for r in records if r.value.agent_endpoint)
        return list(dict.fromkeys([self.agent_endpoint, *others]))
