"""Janitor: the leader's housekeeping, so etcd does not grow without bound.

- STOPPED tasks are deleted once they have been stopped longer than the retention (ECS keeps them
  describable for at least an hour), releasing any allocation entry they still hold;
- INACTIVE services and RunTask clientToken records older than the retention are deleted;
- task role credentials (controlplane.iam.sessions) are deleted once their task is STOPPED or gone
  (they are refused from that moment anyway) or they expired (their lease would soon do it);
- DELETE_IN_PROGRESS task definition revisions that no task or service uses any more are deleted
  (the family record keeps the revision counter, so revisions are still never reused);
- etcd is compacted to the revision it had `history_seconds` ago (default 10 minutes), keeping
  that much history for watchers that reconnect and for WatchEvents streams that resume.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque

import structlog

from berth import arn
from berth.errors import BerthError, Conflict
from berth.v1 import store_pb2, types_pb2
from controlplane.iam import sessions
from controlplane.state.cluster_state import State
from controlplane.store import Delete, EtcdStore, Put, keys

log = structlog.get_logger("berth.janitor")

CREDENTIALS_GRACE_SECONDS = 60.0


class Janitor:
    def __init__(
        self,
        store: EtcdStore,
        state: State,
        *,
        retention_seconds: float = 3600.0,
        interval_seconds: float = 60.0,
        compact: bool = True,
        history_seconds: float = 600.0,
    ) -> None:
        self.store = store
        self.state = state
        self.retention = retention_seconds
        self.interval = interval_seconds
        self.compact = compact
        self.history = history_seconds
        self._seen: deque[tuple[float, int]] = deque()  # (time, etcd revision) at past passes
        self._compacted = 0

    async def run(self) -> None:
        while True:
            with contextlib.suppress(BerthError):
                await self.tick(time.time())
            await asyncio.sleep(self.interval)

    async def tick(self, now: float) -> dict[str, int]:
        removed = {
            "tasks": await self._old_tasks(now),
            "services": await self._old_services(now),
            "tokens": await self._old_tokens(now),
            "task_credentials": await self._revoked_credentials(now),
            "task_definitions": await self._deleted_task_definitions(),
        }
        if self.compact:
            await self._compact(now)
        if any(removed.values()):
            log.info("janitor_removed", **removed)
        return removed

    async def _old_tasks(self, now: float) -> int:
        count = 0
        for record in list(self.state.tasks.items.values()):
            task = record.value
            if task.last_status != "STOPPED" or now - (task.stopped_at or task.created_at) < self.retention:
                continue
            cluster, task_id = keys.split(record.key)
            ops: list[Put | Delete] = [Delete(record.key, record.mod_revision)]
            instance_cluster, ident = arn.scoped_id(task.container_instance_arn, "container-instance", "task")
            alloc_key = keys.allocation(instance_cluster or cluster, ident)
            alloc = self.state.allocations.items.get(alloc_key)
            if alloc is not None and task_id in alloc.value.tasks:
                kept = store_pb2.InstanceAllocation()
                kept.CopyFrom(alloc.value)
                del kept.tasks[task_id]
                ops.append(Put(alloc_key, kept, alloc.mod_revision))
            revision = await self._commit(ops)
            if revision:
                self.state.note_commit(ops, revision)
                count += 1
        return count

    async def _old_services(self, now: float) -> int:
        count = 0
        for record in list(self.state.services.items.values()):
            service = record.value
            updated = max([service.created_at, *(d.updated_at for d in service.deployments)])
            if service.status == "INACTIVE" and now - updated >= self.retention:
                count += bool(await self._commit([Delete(record.key, record.mod_revision)]))
        return count

    async def _old_tokens(self, now: float) -> int:
        records, _ = await self.store.snapshot(keys.IDEMPOTENCY, store_pb2.IdempotencyRecord)
        count = 0
        for record in records:
            if now - record.value.created_at >= max(self.retention, 24 * 3600):
                count += bool(await self._commit([Delete(record.key, record.mod_revision)]))
        return count

    async def _revoked_credentials(self, now: float) -> int:
        records, _ = await self.store.snapshot(keys.TASK_CREDENTIALS, store_pb2.TaskCredentials)
        count = 0
        for record in records:
            cred = record.value
            cluster, task_id = arn.scoped_id(cred.task_arn, "task", "taskArn")
            task = self.state.tasks.get(keys.task(cluster or "", task_id))
            # A task missing from the mirror may be one it has not seen yet: only trust its absence
            # once the credentials are older than any such lag.
            gone = task is None and now - cred.issued_at > CREDENTIALS_GRACE_SECONDS
            stopped = task is not None and task.last_status == "STOPPED"
            if gone or stopped or sessions.expired(cred, now):
                count += bool(await self._commit([Delete(record.key, record.mod_revision)]))
        return count

    async def _deleted_task_definitions(self) -> int:
        doomed, _ = await self.store.snapshot(keys.TASK_DEFINITIONS, types_pb2.TaskDefinition)
        doomed = [r for r in doomed if r.value.status == "DELETE_IN_PROGRESS"]
        if not doomed:
            return 0
        in_use = {t.value.task_definition_arn for t in self.state.tasks.items.values()}
        for s in self.state.services.items.values():
            in_use.update(d.task_definition for d in s.value.deployments)
        count = 0
        for record in doomed:
            if record.value.task_definition_arn not in in_use:
                count += bool(await self._commit([Delete(record.key, record.mod_revision)]))
        return count

    async def _compact(self, now: float) -> None:
        self._seen.append((now, await self.store.ping()))
        target = compaction_target(self._seen, now, self.history)
        if target > self._compacted:
            with contextlib.suppress(BerthError):
                await self.store.compact(target)
                self._compacted = target

    async def _commit(self, ops: list[Put | Delete]) -> int:
        try:
            return await self.store.commit(*ops)
        except Conflict:
            return 0


def compaction_target(seen: deque[tuple[float, int]], now: float, history: float) -> int:
    """The newest revision seen at least `history` seconds before `now` (0: none yet). Drops the
    entries it passes, so `seen` only holds the window still to be kept."""
    target = 0
    while seen and seen[0][0] <= now - history:
        target = seen.popleft()[1]
    return target
