"""The cluster CA in etcd: made once by the first replica to start (create-if-absent, so replicas
starting together agree), its key sealed with the secrets key (which is not in etcd), so etcd
alone does not give the CA away; rotated through the phases of controlplane.tls.rotation, each
step a compare-and-swap (any replica may take it; one does)."""

from __future__ import annotations

import time

from berth.errors import AlreadyExists, Conflict, FailedPrecondition
from berth.v1 import store_pb2
from controlplane.secrets.crypto import Sealer, SealError, reseal
from controlplane.store import EtcdStore, Put, Versioned, keys
from controlplane.tls import rotation
from controlplane.tls.authority import Authority

_SEAL_NAME = "berth:tls:ca"  # what the sealed key is bound to (the AEAD's associated data)


def _seal(sealer: Sealer, authority: Authority) -> bytes:
    return sealer.seal(authority.key_pem.decode(), secret_arn=_SEAL_NAME, version_id="1")


def signing_authority(record: store_pb2.ClusterCa, sealer: Sealer) -> Authority:
    try:
        key_pem = sealer.open(record.sealed_key, secret_arn=_SEAL_NAME, version_id="1")
    except SealError:
        raise SystemExit(
            "berth-controlplane: the cluster CA key does not open with this replica's secrets key "
            "(--secrets-key-file): every replica needs the same key file"
        ) from None
    return Authority.load(record.certificate_pem.encode(), key_pem.encode())


def reseal_ca(
    record: store_pb2.ClusterCa, old: Sealer, new: Sealer
) -> tuple[store_pb2.ClusterCa, int] | None:
    """The record with its CA keys (the signing one, a rotation's next one) sealed under `new`,
    and how many were re-sealed (None: nothing to do); SealError if one opens with neither key."""
    out = store_pb2.ClusterCa()
    out.CopyFrom(record)
    count = 0
    for field in ("sealed_key", "next_sealed_key"):
        sealed = getattr(record, field)
        again = reseal(sealed, secret_arn=_SEAL_NAME, version_id="1", old=old, new=new) if sealed else None
        if again is not None:
            setattr(out, field, again)
            count += 1
    return (out, count) if count else None


async def ensure_record(store: EtcdStore, sealer: Sealer) -> Versioned[store_pb2.ClusterCa]:
    """The CA record, made on the cluster's first start."""
    existing = await store.get(keys.TLS_CA, store_pb2.ClusterCa)
    if existing is not None:
        return existing
    made = Authority.new(time.time())
    record = store_pb2.ClusterCa(
        certificate_pem=made.cert_pem.decode(), sealed_key=_seal(sealer, made), created_at=time.time()
    )
    try:
        await store.commit(Put(keys.TLS_CA, record, 0))
    except (Conflict, AlreadyExists):
        pass
    again = await store.get(keys.TLS_CA, store_pb2.ClusterCa)
    assert again is not None
    return again


async def ensure_authority(store: EtcdStore, sealer: Sealer) -> Authority:
    return signing_authority((await ensure_record(store, sealer)).value, sealer)


async def start_rotation(store: EtcdStore, sealer: Sealer) -> store_pb2.ClusterCa:
    """Begin a rotation: a new CA, trusted from now on, signing once agents trust it."""
    current = await ensure_record(store, sealer)
    made = Authority.new(time.time())
    try:
        record = rotation.start(current.value, made.cert_pem.decode(), _seal(sealer, made), time.time())
    except ValueError as e:
        raise FailedPrecondition(str(e)) from None
    try:
        await store.commit(Put(keys.TLS_CA, record, current.mod_revision))
    except Conflict:
        raise FailedPrecondition("the cluster CA changed meanwhile; try again") from None
    return record


async def advance_if_due(
    store: EtcdStore, record: Versioned[store_pb2.ClusterCa], agent_cert_ttl: float
) -> bool:
    """Take the rotation one phase on when its time has come (False when not due, or another
    replica took the step first)."""
    now = time.time()
    if not rotation.due(record.value, now, agent_cert_ttl):
        return False
    try:
        await store.commit(Put(keys.TLS_CA, rotation.advance(record.value, now), record.mod_revision))
        return True
    except Conflict:
        return False
