"""The cluster CA in etcd: made once by the first replica to start (create-if-absent, so replicas
starting together agree), its key sealed with the secrets key (which is not in etcd), so etcd
alone does not give the CA away."""

from __future__ import annotations

import time

from berth.errors import AlreadyExists, Conflict
from berth.v1 import store_pb2
from controlplane.secrets.crypto import Sealer, SealError
from controlplane.store import EtcdStore, Put, keys
from controlplane.tls.authority import Authority

_SEAL_NAME = "berth:tls:ca"  # what the sealed key is bound to (the AEAD's associated data)


async def ensure_authority(store: EtcdStore, sealer: Sealer) -> Authority:
    existing = await store.get(keys.TLS_CA, store_pb2.ClusterCa)
    if existing is None:
        made = Authority.new(time.time())
        record = store_pb2.ClusterCa(
            certificate_pem=made.cert_pem.decode(),
            sealed_key=sealer.seal(made.key_pem.decode(), secret_arn=_SEAL_NAME, version_id="1"),
            created_at=time.time(),
        )
        try:
            await store.commit(Put(keys.TLS_CA, record, 0))
            return made
        except (Conflict, AlreadyExists):
            existing = await store.get(keys.TLS_CA, store_pb2.ClusterCa)
            assert existing is not None
    try:
        key_pem = sealer.open(existing.value.sealed_key, secret_arn=_SEAL_NAME, version_id="1")
    except SealError:
        raise SystemExit(
            "berth-controlplane: the cluster CA key does not open with this replica's secrets key "
            "(--secrets-key-file): every replica needs the same key file"
        ) from None
    return Authority.load(existing.value.certificate_pem.encode(), key_pem.encode())
