"""Replacing the secrets key: `berth-controlplane --rekey-secrets NEW_KEY_FILE`, run while every
replica is stopped, re-seals every secret version and the cluster CA's keys with the new key.

It is done in etcd in steps a crash may interrupt and a second run finishes:

1. the key check record names the new key as `next` (replicas refuse to start from here on);
2. each secret record, then the CA record, is re-sealed by a compare-and-swap; a value that
   already opens with the new key is left as it is;
3. the check record names the new key alone.

`reseal_secret` and `reseal_ca` decide, with no I/O; `rekey` walks etcd.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from berth.errors import Conflict
from berth.v1 import secretsmanager_pb2 as pb
from berth.v1 import store_pb2
from controlplane.secrets.crypto import Sealer, SealError, load_or_create_key, reseal
from controlplane.store import EtcdStore, Put, keys
from controlplane.tls.store import reseal_ca

_PAGE = 200


class RekeyError(Exception):
    """Why the re-key cannot go on (said to the operator as it is)."""


def reseal_secret(record: pb.SecretRecord, old: Sealer, new: Sealer) -> tuple[pb.SecretRecord, int] | None:
    """The record with every version sealed under the new key, and how many were re-sealed (None:
    nothing to do)."""
    out = pb.SecretRecord()
    out.CopyFrom(record)
    count = 0
    for version in out.versions:
        try:
            again = reseal(
                version.sealed, secret_arn=record.arn, version_id=version.version_id, old=old, new=new
            )
        except SealError as e:
            raise RekeyError(str(e)) from None
        if again is not None:
            version.sealed = again
            count += 1
    return (out, count) if count else None


@dataclass
class Rekeyed:
    secret_versions: int = 0
    ca_keys: int = 0
    already: bool = False  # the cluster was on the new key already: nothing was done


def _sealer(path: Path, *, create: bool) -> Sealer:
    if not create and not path.exists():
        raise RekeyError(f"{path} does not exist")
    try:
        return Sealer(load_or_create_key(path))
    except ValueError as e:
        raise RekeyError(str(e)) from None


async def rekey(store: EtcdStore, old_key: Path, new_key: Path) -> Rekeyed:
    """Re-seal the cluster's secrets and CA keys from `old_key` to `new_key` (made, 0600, if the
    file does not exist). RekeyError when a replica is running or the keys are not the cluster's."""
    old, new = _sealer(old_key, create=False), _sealer(new_key, create=True)
    if old.check == new.check:
        raise RekeyError(f"{new_key} holds the same key as {old_key}")
    await _none_running(store, "stop every control plane replica first")
    check = await store.get(keys.SECRETS_KEY_CHECK, pb.SecretsKeyCheck)
    if check is None:
        raise RekeyError("no secrets key check in etcd: no control plane has started on this --etcd-prefix")
    if check.value.hmac_sha256 == new.check and not check.value.next_hmac_sha256:
        return Rekeyed(already=True)
    if check.value.hmac_sha256 != old.check:
        raise RekeyError(f"{old_key} is not the key this cluster's secrets are sealed with")
    if check.value.next_hmac_sha256 not in ("", new.check):
        raise RekeyError(
            "an earlier --rekey-secrets to another key did not finish: run it again with that key file"
        )
    begun = pb.SecretsKeyCheck(hmac_sha256=old.check, next_hmac_sha256=new.check)
    await store.commit(Put(keys.SECRETS_KEY_CHECK, begun, check.mod_revision))
    done = Rekeyed()
    after = ""
    while True:
        page, more = await store.list(keys.SECRETS, pb.SecretRecord, start_after=after, limit=_PAGE)
        for record in page:
            done.secret_versions += await _reseal_one(store, record.key, old, new)
        if not more or not page:
            break
        after = page[-1].key
    ca = await store.get(keys.TLS_CA, store_pb2.ClusterCa)
    if ca is not None:
        try:
            resealed = reseal_ca(ca.value, old, new)
        except SealError:
            raise RekeyError("the cluster CA's key opens with neither key") from None
        if resealed is not None:
            await store.commit(Put(keys.TLS_CA, resealed[0], ca.mod_revision))
            done.ca_keys = resealed[1]
    # A replica started meanwhile (before step 1) may have sealed with the old key: run again.
    await _none_running(store, "a replica started during the re-key; stop it and run this again")
    current = await store.get(keys.SECRETS_KEY_CHECK, pb.SecretsKeyCheck)
    assert current is not None
    await store.commit(
        Put(keys.SECRETS_KEY_CHECK, pb.SecretsKeyCheck(hmac_sha256=new.check), current.mod_revision)
    )
    return done


async def _none_running(store: EtcdStore, why: str) -> None:
    running, _ = await store.list(keys.REPLICAS, store_pb2.ReplicaRecord)
    if running:
        names = ", ".join(r.key.removeprefix(keys.REPLICAS) for r in running)
        raise RekeyError(f"{why}; running: {names}")


async def _reseal_one(store: EtcdStore, key: str, old: Sealer, new: Sealer) -> int:
    """Re-seal one secret record (read again after a lost race; no replica runs, but be safe)."""
    while True:
        record = await store.get(key, pb.SecretRecord)
        if record is None:
            return 0
        resealed = reseal_secret(record.value, old, new)
        if resealed is None:
            return 0
        try:
            await store.commit(Put(key, resealed[0], record.mod_revision))
            return resealed[1]
        except Conflict:
            continue
