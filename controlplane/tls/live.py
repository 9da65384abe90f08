"""A replica's TLS, kept current with the cluster CA's record in etcd.

The gRPC ports take their certificate from a fetcher gRPC calls at every new handshake, and the
HTTP port's SSL context is reloaded in place, so a CA rotation (controlplane.tls.rotation) reaches
every port without a restart; connections already open keep the certificate they started with.
Every replica checks the record every `interval` seconds and takes a due rotation step (a
compare-and-swap: one replica wins, the others see the result on their next check).
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Awaitable, Callable
from pathlib import Path

import grpc
import structlog

from berth.errors import BerthError
from berth.tls import fingerprint
from berth.v1 import berth_pb2, store_pb2
from controlplane.secrets.crypto import Sealer
from controlplane.store import EtcdStore, Versioned, keys
from controlplane.tls import rotation
from controlplane.tls.serving import ServerTls, server_tls
from controlplane.tls.store import advance_if_due, ensure_record, signing_authority, start_rotation

log = structlog.get_logger("berth.tls")


class LiveTls:
    def __init__(
        self,
        store: EtcdStore,
        sealer: Sealer,
        addresses: list[str],
        *,
        agent_cert_ttl: float,
        extra_names: tuple[str, ...] = (),
        cert_file: Path | None = None,
        key_file: Path | None = None,
        ca_file: Path | None = None,
        interval: float = 2.0,
    ) -> None:
        self.store, self.sealer, self.addresses = store, sealer, addresses
        self.agent_cert_ttl = agent_cert_ttl
        self._options = {
            "extra_names": extra_names,
            "cert_file": cert_file,
            "key_file": key_file,
            "ca_file": ca_file,
        }
        self.interval = interval
        self.record: Versioned[store_pb2.ClusterCa] | None = None
        self.current: ServerTls | None = None
        self.version = 0  # bumps with every new certificate
        self._served = {"user": 0, "agent": 0}
        self._context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self._context.minimum_version = ssl.TLSVersion.TLSv1_2
        # Called with the new material after a change (the control plane rewrites ca.pem, the
        # join token file, the forwarder's roots).
        self.on_change: Callable[[ServerTls], Awaitable[None]] | None = None
        self._told = 0  # the record revision on_change was last called for

    @property
    def tls(self) -> ServerTls:
        assert self.current is not None, "LiveTls.start() first"
        return self.current

    async def start(self) -> None:
        record = await ensure_record(self.store, self.sealer)
        self._apply(record)
        self._told = record.mod_revision  # what start hands out, the control plane writes itself

    def _apply(self, record: Versioned[store_pb2.ClusterCa]) -> None:
        authority = signing_authority(record.value, self.sealer)
        trusted = "".join(rotation.trusted(record.value)).encode()
        self.current = server_tls(authority, self.addresses, trusted=trusted, **self._options)  # type: ignore[arg-type]
        self.current.load_into(self._context)
        self.record = record
        self.version += 1

    # -- what the servers listen with ------------------------------------------------------------

    def _fetcher(
        self, port: str, build: Callable[[ServerTls], grpc.ServerCertificateConfiguration]
    ) -> Callable[[], grpc.ServerCertificateConfiguration | None]:
        def fetch() -> grpc.ServerCertificateConfiguration | None:
            if self._served[port] == self.version:
                return None  # unchanged: gRPC keeps the one it has
            self._served[port] = self.version
            return build(self.tls)

        return fetch

    def user_credentials(self) -> grpc.ServerCredentials:
        self._served["user"] = self.version
        return grpc.dynamic_ssl_server_credentials(
            self.tls.user_configuration(), self._fetcher("user", ServerTls.user_configuration)
        )

    def agent_credentials(self) -> grpc.ServerCredentials:
        self._served["agent"] = self.version
        return grpc.dynamic_ssl_server_credentials(
            self.tls.agent_configuration(),
            self._fetcher("agent", ServerTls.agent_configuration),
            require_client_authentication=True,
        )

    def ssl_context(self) -> ssl.SSLContext:
        return self._context

    # -- keeping current -------------------------------------------------------------------------

    async def run(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            try:
                await self.refresh()
            except BerthError as e:  # etcd away for a moment: the certificates in hand stay
                log.info("tls_refresh_retry", error=e.message)

    async def refresh(self) -> None:
        record = await self.store.get(keys.TLS_CA, store_pb2.ClusterCa)
        if record is None:
            return
        if await advance_if_due(self.store, record, self.agent_cert_ttl):
            record = await self.store.get(keys.TLS_CA, store_pb2.ClusterCa) or record
            log.info("ca_rotation_advanced", phase=rotation.phase(record.value))
        if self.record is None or record.mod_revision != self.record.mod_revision:
            self._apply(record)
            log.info(
                "tls_certificates_renewed",
                phase=rotation.phase(record.value),
                ca=self.tls.authority.fingerprint,
            )
        if self.on_change is not None and self._told != record.mod_revision:
            await self.on_change(self.tls)  # an etcd error here: tried again at the next refresh
            self._told = record.mod_revision

    async def rotate(self) -> berth_pb2.CaStatus:
        await start_rotation(self.store, self.sealer)
        await self.refresh()
        return self.status()

    def status(self) -> berth_pb2.CaStatus:
        assert self.record is not None
        record = self.record.value
        return berth_pb2.CaStatus(
            phase=rotation.phase(record),
            ca_fingerprint=self.tls.authority.fingerprint,
            trusted_fingerprints=[fingerprint(p) for p in rotation.trusted(record)],
            next_phase_at=rotation.next_phase_at(record, self.agent_cert_ttl),
        )
