"""Lease refreshes share one keep-alive stream: concurrent callers each get their own lease's TTL,
an expired lease says so, and after etcd restarts the next refresh opens a new stream."""

from __future__ import annotations

import asyncio

import pytest

from berth.errors import Unavailable
from controlplane.store import EtcdStore
from tests.support.infra import start_private_etcd

pytestmark = pytest.mark.etcd


async def test_many_leases_refreshed_at_once_over_one_stream(etcd_endpoint: str) -> None:
    store = EtcdStore([etcd_endpoint], prefix="/keepalive/")
    await store.start()
    try:
        short = [await store.grant_lease(5) for _ in range(20)]
        long = [await store.grant_lease(60) for _ in range(20)]
        ttls = await asyncio.gather(*(store.refresh_lease(lease) for lease in short + long * 3))
        assert all(0 < t <= 5 for t in ttls[:20])
        assert all(50 < t <= 60 for t in ttls[20:])
        await store.revoke_lease(short[0])
        assert await store.refresh_lease(short[0]) <= 0  # gone: the caller must reconnect
        assert await store.refresh_lease(short[1]) > 0  # the stream still serves the others
    finally:
        await store.close()


async def test_a_refresh_after_an_etcd_restart_opens_a_new_stream() -> None:
    server = start_private_etcd()
    store = EtcdStore([server.endpoint], prefix="/keepalive/")
    await store.start()
    try:
        lease = await store.grant_lease(30)
        assert await store.refresh_lease(lease) > 0
        await asyncio.to_thread(server.stop)
        with pytest.raises(Unavailable):
            await store.refresh_lease(lease)
        await asyncio.to_thread(server.start)
        for _ in range(50):  # the client reconnects on its own; the lease survived the restart
            try:
                assert await store.refresh_lease(lease) > 0
                break
            except Unavailable:
                await asyncio.sleep(0.2)
        else:
            pytest.fail("the lease could not be refreshed after etcd came back")
    finally:
        await store.close()
        server.stop()
