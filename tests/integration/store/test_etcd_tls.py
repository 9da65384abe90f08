"""The control plane on an etcd that serves TLS and asks for client certificates
(`--client-cert-auth`), as an operator who does not keep etcd on 127.0.0.1 runs it: a real etcd,
certificates made for it, and a real `berth-controlplane` with `--etcd-cacert/--etcd-cert/--etcd-key`."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from berth import Client
from berth.errors import Unavailable
from berth.v1 import store_pb2
from controlplane.store import EtcdStore, Put
from controlplane.store import tls as store_tls
from tests.support.etcdtls import SERVER_NAME, write_pki
from tests.support.infra import ControlPlaneProcess, EtcdServer, start_private_etcd

pytestmark = pytest.mark.etcd


@pytest.fixture(scope="module")
def etcd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[EtcdServer, Path]]:
    pki = write_pki(tmp_path_factory.mktemp("etcd-pki"))
    server = start_private_etcd(pki)
    try:
        yield server, pki
    finally:
        server.stop()


def client_tls(pki: Path, **overrides: object) -> store_tls.EtcdTls | None:
    files = {"ca_file": pki / "ca.pem", "cert_file": pki / "client.pem", "key_file": pki / "client-key.pem"}
    return store_tls.load(**{**files, **overrides})  # type: ignore[arg-type]


async def test_the_store_writes_reads_and_watches_over_mutual_tls(etcd: tuple[EtcdServer, Path]) -> None:
    server, pki = etcd
    store = EtcdStore([server.endpoint], prefix=f"/tls-{uuid.uuid4().hex[:6]}/", tls=client_tls(pki))
    await store.start()
    try:
        seen: list[str] = []

        async def watch() -> None:
            async for batch in store.watch("k/", start_revision=1):
                seen.extend(e.key for e in batch)
                if seen:
                    return

        watcher = asyncio.create_task(watch())
        await store.commit(Put("k/1", store_pb2.TagSet(resource_arn="arn:x"), 0))
        got = await store.get("k/1", store_pb2.TagSet)
        assert got is not None and got.value.resource_arn == "arn:x"
        await asyncio.wait_for(watcher, 10)
        assert seen == ["k/1"]
    finally:
        await store.close()


@pytest.mark.parametrize(
    "case",
    ["no client certificate", "another CA", "plaintext", "a wrong server name"],
)
async def test_etcd_is_unreachable_without_the_right_certificates(
    etcd: tuple[EtcdServer, Path], tmp_path: Path, case: str
) -> None:
    server, pki = etcd
    other = write_pki(tmp_path / "other", "another CA")
    tls = {
        "no client certificate": client_tls(pki, cert_file=None, key_file=None),
        "another CA": client_tls(pki, ca_file=other / "ca.pem"),
        "plaintext": None,
        "a wrong server name": client_tls(pki, server_name="wrong.internal"),
    }[case]
    store = EtcdStore([server.endpoint], timeout=2, tls=tls)
    await store.start()
    try:
        with pytest.raises(Unavailable):
            await store.ping()
    finally:
        await store.close()


async def test_the_server_name_is_checked_against_the_certificate(etcd: tuple[EtcdServer, Path]) -> None:
    server, pki = etcd
    store = EtcdStore([server.endpoint], timeout=5, tls=client_tls(pki, server_name=SERVER_NAME))
    await store.start()
    try:
        assert await store.ping() > 0
    finally:
        await store.close()


def test_a_control_plane_serves_from_an_etcd_that_asks_for_client_certificates(
    etcd: tuple[EtcdServer, Path], tmp_path: Path
) -> None:
    server, pki = etcd
    flags = ("--etcd-cacert", str(pki / "ca.pem"), "--etcd-cert", str(pki / "client.pem"))
    cp = ControlPlaneProcess(
        server.endpoint,
        tmp_path / "cp",
        prefix=f"/berth-tls-{uuid.uuid4().hex[:6]}/",
        extra=(*flags, "--etcd-key", str(pki / "client-key.pem")),
    ).start()
    try:
        with Client(config_path=cp.config_path, timeout=10) as c:
            c.create_cluster(clusterName="over-tls")
            assert [x.cluster_name for x in c.describe_clusters(clusters=["over-tls"]).clusters] == [
                "over-tls"
            ]
    finally:
        cp.stop()
