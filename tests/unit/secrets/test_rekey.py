"""Re-sealing with a new secrets key, as decisions on records (controlplane.secrets.rekey,
controlplane.tls.store.reseal_ca): every value moves, a value already moved is left, one that
opens with neither key is named."""

from __future__ import annotations

import secrets

import pytest

from berth.v1 import secretsmanager_pb2 as pb
from berth.v1 import store_pb2
from controlplane.secrets.crypto import Sealer, SealError
from controlplane.secrets.rekey import RekeyError, reseal_secret
from controlplane.tls.store import reseal_ca

ARN = "arn:berth:secretsmanager:local:000000000000:secret:db-AbCdEf"
OLD, NEW, OTHER = (Sealer(secrets.token_bytes(32)) for _ in range(3))


def record(sealer: Sealer, *values: str) -> pb.SecretRecord:
    out = pb.SecretRecord(arn=ARN, name="db")
    for i, value in enumerate(values):
        out.versions.add(version_id=f"v{i}", sealed=sealer.seal(value, secret_arn=ARN, version_id=f"v{i}"))
    return out


def values(r: pb.SecretRecord, sealer: Sealer) -> list[str]:
    return [sealer.open(v.sealed, secret_arn=ARN, version_id=v.version_id) for v in r.versions]


def test_every_version_is_resealed_under_the_new_key() -> None:
    resealed = reseal_secret(record(OLD, "one", "two"), OLD, NEW)
    assert resealed is not None
    again, count = resealed
    assert count == 2 and values(again, NEW) == ["one", "two"]
    with pytest.raises(SealError):
        values(again, OLD)


def test_a_record_moved_already_is_left_and_a_half_moved_one_is_finished() -> None:
    assert reseal_secret(record(NEW, "one"), OLD, NEW) is None
    half = record(OLD, "one", "two")
    half.versions[0].sealed = NEW.seal("one", secret_arn=ARN, version_id="v0")
    resealed = reseal_secret(half, OLD, NEW)
    assert resealed is not None and resealed[1] == 1 and values(resealed[0], NEW) == ["one", "two"]


def test_a_value_that_opens_with_neither_key_is_named() -> None:
    with pytest.raises(RekeyError, match=f"{ARN} version v0 does not open with this key"):
        reseal_secret(record(OTHER, "one"), OLD, NEW)


def test_the_ca_keys_are_resealed_the_signing_and_a_rotations_next() -> None:
    def sealed(sealer: Sealer, pem: str) -> bytes:
        return sealer.seal(pem, secret_arn="berth:tls:ca", version_id="1")

    ca = store_pb2.ClusterCa(sealed_key=sealed(OLD, "key-1"), next_sealed_key=sealed(OLD, "key-2"))
    resealed = reseal_ca(ca, OLD, NEW)
    assert resealed is not None and resealed[1] == 2
    out = resealed[0]
    assert NEW.open(out.sealed_key, secret_arn="berth:tls:ca", version_id="1") == "key-1"
    assert NEW.open(out.next_sealed_key, secret_arn="berth:tls:ca", version_id="1") == "key-2"
    assert reseal_ca(out, OLD, NEW) is None
    steady = reseal_ca(store_pb2.ClusterCa(sealed_key=sealed(OLD, "key-1")), OLD, NEW)
    assert steady is not None and steady[1] == 1 and not steady[0].next_sealed_key
