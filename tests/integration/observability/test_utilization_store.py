"""UtilizationStore on a real etcd: an agent's report is stored on its session lease (gone with it),
written at most once per interval, taken over from another replica's write, and only for the
instance's own RUNNING tasks."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator

import pytest

from berth.v1 import agent_pb2, types_pb2
from controlplane.state.cluster_state import State
from controlplane.store import EtcdStore, Put, keys
from controlplane.utilization import UtilizationStore

pytestmark = [pytest.mark.etcd]

ARN = "arn:berth:ecs:local:000000000000"
ME = f"{ARN}:container-instance/prod/me"


@pytest.fixture
async def store(etcd_endpoint: str) -> AsyncIterator[EtcdStore]:
    s = EtcdStore([etcd_endpoint], prefix=f"/berth-test-util-{uuid.uuid4().hex[:8]}/")
    await s.start()
    yield s
    await s.close()


def running(task_id: str, service: str, instance: str = ME) -> types_pb2.Task:
    return types_pb2.Task(
        task_arn=f"{ARN}:task/prod/{task_id}",
        container_instance_arn=instance,
        service_name=service,
        last_status="RUNNING",
        reservation=types_pb2.Reservation(cpu=512, memory=128),
    )


def report(*task_ids: str, cores: float = 0.25) -> agent_pb2.TaskStatsReport:
    r = agent_pb2.TaskStatsReport(sampled_at=time.time())
    for t in task_ids:
        r.tasks.add(task_arn=f"{ARN}:task/prod/{t}", cpu_cores=cores, memory_bytes=32 * 1024 * 1024)
    return r


async def test_reports_live_on_the_session_lease(store: EtcdStore) -> None:
    state = State(store)
    ops = [
        Put(keys.task("prod", "t1"), running("t1", "web"), 0),
        Put(
            keys.task("prod", "t2"), running("t2", "web", instance=f"{ARN}:container-instance/prod/other"), 0
        ),
    ]
    await store.commit(*ops)
    running_state = asyncio.create_task(state.run())
    utilization = UtilizationStore(store, state, min_interval=0.5)
    mirroring = asyncio.create_task(utilization.run())
    try:
        await asyncio.wait_for(state.ready(), 10)
        await asyncio.wait_for(utilization.reports.ready.wait(), 10)
        lease = await store.grant_lease(2)
        assert await utilization.record("prod", "me", ME, report("t1", "t2", "t3"), lease)
        assert not await utilization.record("prod", "me", ME, report("t1"), lease)  # too soon
        samples = utilization.samples()
        assert [s.task_arn.rsplit("/", 1)[1] for s in samples] == ["t1"]  # t2 is not ours, t3 unknown
        web = utilization.by_service()[("prod", "web")]
        assert web.cpu_percent == pytest.approx(50.0)
        assert web.memory_percent == pytest.approx(25.0)

        # Another replica held the session before: its write is taken over.
        other = UtilizationStore(store, state, min_interval=0.0)
        await asyncio.sleep(0.5)
        assert await other.record("prod", "me", ME, report("t1", cores=0.5), lease)
        await asyncio.sleep(0.1)
        assert await utilization.record("prod", "me", ME, report("t1", cores=0.125), lease)

        # The agent goes away: its lease expires and the report goes with it, on every replica.
        gone = asyncio.Event()
        utilization.reports.subscribe(lambda key, old, new: gone.set() if new is None else None)
        await asyncio.wait_for(gone.wait(), 10)
        assert not utilization.reports.items
        assert utilization.by_service() == {}
        assert not await other.record("prod", "me", ME, report("t1"), lease)  # the lease is gone
    finally:
        for t in (running_state, mirroring):
            t.cancel()
        await asyncio.gather(running_state, mirroring, return_exceptions=True)
