"""GroupCommit with a fake sender: a lone caller goes at once, a crowd shares few requests, and a
failed request reaches every caller in it."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from controlplane.store.group import GroupCommit
from controlplane.store.txn import Unit


def _describe(ops: Sequence[str]) -> Unit:
    return Unit(frozenset(ops), len(ops), 10)


class Sender:
    def __init__(self, fail: bool = False) -> None:
        self.batches: list[list[Sequence[str]]] = []
        self.in_flight = 0
        self.most_in_flight = 0
        self.fail = fail

    async def __call__(self, units: list[Sequence[str]]) -> list[int | None]:
        self.batches.append(units)
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        await asyncio.sleep(0.01)
        self.in_flight -= 1
        if self.fail:
            raise ConnectionError("etcd went away")
        return [None if "bad" in u else len(self.batches) for u in units]


async def test_a_lone_caller_goes_at_once() -> None:
    sender = Sender()
    group: GroupCommit[str] = GroupCommit(sender, _describe)
    assert await group.commit(["a"]) == 1
    assert sender.batches == [[["a"]]]


async def test_a_crowd_shares_requests_and_each_gets_its_own_outcome() -> None:
    sender = Sender()
    group: GroupCommit[str] = GroupCommit(sender, _describe, max_in_flight=2)
    units = [[f"k{i}"] if i % 7 else [f"k{i}", "bad"] for i in range(100)]
    results = await asyncio.gather(*(group.commit(u) for u in units))
    assert sender.most_in_flight == 2
    # "bad" is in 15 units: they cannot share a request, so they go one per request, in order; the
    # 85 others ride along with them.
    assert len(sender.batches) <= 18
    assert [r is None for r in results] == [i % 7 == 0 for i in range(100)]


async def test_a_failed_request_fails_every_caller_in_it() -> None:
    group: GroupCommit[str] = GroupCommit(Sender(fail=True), _describe)
    results = await asyncio.gather(*(group.commit([f"k{i}"]) for i in range(10)), return_exceptions=True)
    assert all(isinstance(r, ConnectionError) for r in results)


async def test_close_cancels_the_queued() -> None:
    group: GroupCommit[str] = GroupCommit(Sender(), _describe, max_in_flight=1)
    first = asyncio.create_task(group.commit(["a"]))
    queued = asyncio.create_task(group.commit(["b"]))
    await asyncio.sleep(0)
    await group.close()
    assert await first == 1
    with pytest.raises(asyncio.CancelledError):
        await queued
