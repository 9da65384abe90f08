"""AuditTrail against a real etcd: a batch that an earlier, timed-out attempt did write is not
written twice; with etcd unreachable nothing raises and the records wait for the next write."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from berth.v1 import berth_pb2
from controlplane.audit import AuditTrail
from controlplane.store import EtcdStore, Put, keys
from tests.support.infra import free_port

pytestmark = pytest.mark.etcd


def rec(i: int) -> berth_pb2.AuditRecord:
    return berth_pb2.AuditRecord(request_id=str(i), action="ecs:StopTask")


def test_a_batch_already_written_by_a_timed_out_attempt_is_not_written_twice(etcd_endpoint: str) -> None:
    async def scenario() -> list[tuple[str, bytes]]:
        store = EtcdStore([etcd_endpoint], prefix=f"/berth-test-audit-{uuid.uuid4().hex[:8]}/")
        await store.start()
        try:
            trail = AuditTrail(store, "cp-test", ttl_seconds=60)
            trail.record(rec(1))
            # What the first attempt's write left behind when its answer was lost.
            key = keys.audit_batch("cp-test", trail._run, 1)
            await store.commit(Put(key, berth_pb2.AuditBatch(records=[rec(1)]), 0))
            assert await trail.flush()  # its create-if-absent compare fails: taken as written
            trail.record(rec(2))
            assert await trail.flush()
            return await store.raw(keys.AUDIT)
        finally:
            await store.close()

    stored = asyncio.run(scenario())
    batches = [[r.request_id for r in berth_pb2.AuditBatch.FromString(v).records] for _, v in stored]
    assert batches == [["1"], ["2"]]


def test_with_etcd_unreachable_records_wait_and_nothing_raises() -> None:
    async def scenario() -> tuple[bool, int, bool]:
        store = EtcdStore([f"127.0.0.1:{free_port()}"], timeout=0.3)
        await store.start()
        try:
            trail = AuditTrail(store, "cp-test", ttl_seconds=60, retry_seconds=0.05)
            for i in range(5):
                trail.record(rec(i))
            flushed = await trail.flush()
            runner = asyncio.create_task(trail.run())
            await asyncio.sleep(0.5)  # it keeps retrying without crashing
            alive = not runner.done()
            runner.cancel()
            await asyncio.gather(runner, return_exceptions=True)
            assert trail._unwritten is not None
            return flushed, len(trail._unwritten[1].records) + len(trail.buffer), alive
        finally:
            await store.close()

    assert asyncio.run(scenario()) == (False, 5, True)
