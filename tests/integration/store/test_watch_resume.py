"""A watch broken mid-flight resumes from the last event it delivered: nothing skipped, nothing twice.

etcd3aio resumes a broken watch by itself, but from the revision in the last response's header,
which is the store's current revision, not the last event delivered: a watcher catching up on
history (etcd sends it in batches) that loses its stream after the first batch would skip the
rest. The store adapter resumes from the last delivered event instead; this test breaks the stream
exactly there, by restarting etcd, and counts every revision.
"""

from __future__ import annotations

import asyncio
import contextlib

import pytest

from berth.v1 import store_pb2
from controlplane.store import EtcdStore, Put
from controlplane.store.etcd import WatchCompacted
from tests.support.infra import start_private_etcd

pytestmark = pytest.mark.etcd

HISTORY = 3000  # more revisions than etcd sends in one watch response
VALUE = store_pb2.TagSet(resource_arn="x" * 2000)  # big enough that the history does not fit in buffers


async def _write(store: EtcdStore, first: int, count: int) -> list[int]:
    revisions = []
    for n in range(first, first + count):
        revisions.append(await store.commit(Put(f"k/{n:06d}", VALUE, 0)))
    return revisions


async def test_a_watch_resumes_after_an_etcd_restart_without_skipping() -> None:
    server = start_private_etcd()
    store = EtcdStore([server.endpoint], prefix="/watch-resume/")
    await store.start()
    try:
        written = await _write(store, 0, HISTORY)
        seen: list[int] = []
        restarted = False

        async def consume() -> None:
            nonlocal restarted
            async for batch in store.watch("k/", written[0]):
                seen.extend(e.mod_revision for e in batch)
                if not restarted:
                    restarted = True
                    await asyncio.to_thread(server.stop)
                    await asyncio.to_thread(server.start)
                    written.extend(await _write(store, HISTORY, 20))
                if len(seen) >= len(written):
                    return

        with contextlib.suppress(TimeoutError):  # what was missed is counted below
            await asyncio.wait_for(consume(), 30)
        assert restarted
        assert seen == written, f"{len(set(written) - set(seen))} revisions skipped"
    finally:
        await store.close()
        server.stop()


async def test_a_watch_from_a_compacted_revision_says_so() -> None:
    server = start_private_etcd()
    store = EtcdStore([server.endpoint], prefix="/watch-compacted/")
    await store.start()
    try:
        written = await _write(store, 0, 5)
        await store.compact(written[-1])
        with pytest.raises(WatchCompacted):
            await asyncio.wait_for(anext(aiter(store.watch("k/", written[0]))), 10)
    finally:
        await store.close()
        server.stop()
