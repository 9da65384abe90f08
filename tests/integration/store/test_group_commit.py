"""Group commit against a real etcd: concurrent transactions share requests, yet each one is
applied all or nothing on its own compares, and a cancelled queued one is never written."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from berth.errors import Conflict
from berth.v1 import store_pb2
from controlplane.store import EtcdStore
from controlplane.store.etcd import Put

pytestmark = pytest.mark.etcd


@pytest_asyncio.fixture
async def store(etcd_endpoint: str) -> AsyncIterator[EtcdStore]:
    store = EtcdStore([etcd_endpoint], prefix=f"/group-{uuid.uuid4().hex[:6]}/")
    await store.start()
    yield store
    await store.close()


def _family(name: str, n: int = 0) -> store_pb2.TaskDefinitionFamily:
    return store_pb2.TaskDefinitionFamily(family=name, last_revision=n)


async def test_concurrent_units_share_requests_and_each_is_all_or_nothing(store: EtcdStore) -> None:
    async def unit(i: int) -> int:
        ops = [Put(f"a/{i}", _family("a", i), 0), Put(f"b/{i}", _family("b", i), 0)]
        if i % 5 == 0:  # the third op's compare fails: none of the unit may be written
            ops.append(Put(f"missing/{i}", _family("m", i), 12345))
        return await store.commit_grouped(*ops)

    requests_before = store._group.requests
    results = await asyncio.gather(*(unit(i) for i in range(200)), return_exceptions=True)
    requests = store._group.requests - requests_before

    failed = [i for i, r in enumerate(results) if isinstance(r, Conflict)]
    assert failed == [i for i in range(200) if i % 5 == 0]
    assert all(isinstance(r, int) for i, r in enumerate(results) if i % 5)
    assert requests < 50, f"{requests} etcd requests for 200 concurrent units"
    written = {r.key for r in (await store.list("a/", store_pb2.TaskDefinitionFamily))[0]}
    written |= {r.key for r in (await store.list("b/", store_pb2.TaskDefinitionFamily))[0]}
    expect = {f"{p}/{i}" for p in "ab" for i in range(200) if i % 5}
    assert written == expect
    assert await store.count("missing/") == 0


async def test_writers_of_one_key_go_in_turn_and_exactly_one_wins_each_round(store: EtcdStore) -> None:
    revision = await store.commit(Put("counter", _family("c"), 0))
    outcomes = await asyncio.gather(
        *(store.commit_grouped(Put("counter", _family("c", i), revision)) for i in range(20)),
        return_exceptions=True,
    )
    assert sum(isinstance(o, int) for o in outcomes) == 1
    assert sum(isinstance(o, Conflict) for o in outcomes) == 19


async def test_a_cancelled_queued_unit_is_never_written(store: EtcdStore) -> None:
    # Two requests in flight fill the group; the third caller queues and is cancelled.
    first = [asyncio.create_task(store.commit_grouped(Put(f"k{i}", _family("k"), 0))) for i in range(2)]
    queued = asyncio.create_task(store.commit_grouped(Put("cancelled", _family("x"), 0)))
    await asyncio.sleep(0)
    queued.cancel()
    await asyncio.gather(*first)
    with pytest.raises(asyncio.CancelledError):
        await queued
    await store.commit_grouped(Put("after", _family("y"), 0))  # the group still works
    assert await store.get("cancelled", store_pb2.TaskDefinitionFamily) is None
    assert await store.get("after", store_pb2.TaskDefinitionFamily) is not None


async def test_too_many_ops_is_refused_before_anything_is_sent(store: EtcdStore) -> None:
    with pytest.raises(ValueError, match="129 ops"):
        await store.commit_grouped(*(Put(f"k{i}", _family("k"), 0) for i in range(129)))
    assert await store.count("") == 0
