"""Sealing, references, versions and environment files of the Secrets Manager stand-in (pure)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from berth.errors import FieldViolation
from berth.v1 import secretsmanager_pb2 as pb
from controlplane.secrets import refs
from controlplane.secrets.crypto import Sealer, SealError, key_check, load_or_create_key
from controlplane.secrets.store import MAX_VERSIONS, SecretStore

ARN = "arn:aws:secretsmanager:local:000000000000:secret:db-AbC123"


def test_seal_opens_only_where_it_was_sealed() -> None:
    sealer = Sealer(os.urandom(32))
    sealed = sealer.seal("s3cret", secret_arn=ARN, version_id="v1")
    assert b"s3cret" not in sealed
    assert sealer.open(sealed, secret_arn=ARN, version_id="v1") == "s3cret"
    with pytest.raises(SealError):
        sealer.open(sealed, secret_arn=ARN, version_id="v2")  # moved to another version
    with pytest.raises(SealError):
        sealer.open(sealed, secret_arn=ARN + "x", version_id="v1")  # or another secret
    with pytest.raises(SealError):
        Sealer(os.urandom(32)).open(sealed, secret_arn=ARN, version_id="v1")  # another key
    tampered = sealed[:-1] + bytes([sealed[-1] ^ 1])
    with pytest.raises(SealError):
        sealer.open(tampered, secret_arn=ARN, version_id="v1")
    assert sealer.seal("s3cret", secret_arn=ARN, version_id="v1") != sealed  # fresh nonce


def test_key_file_is_made_once_with_mode_600(tmp_path: Path) -> None:
    path = tmp_path / "d" / "secrets.key"
    key = load_or_create_key(path)
    assert len(key) == 32 and path.stat().st_mode & 0o777 == 0o600
    assert load_or_create_key(path) == key
    assert key_check(key) != key_check(os.urandom(32)) and key.hex() not in key_check(key)
    path.write_bytes(b"short")
    with pytest.raises(ValueError, match="32 bytes"):
        load_or_create_key(path)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("db", refs.Ref("db")),
        ("team/db-password", refs.Ref("team/db-password")),
        (ARN, refs.Ref("db", arn=ARN)),
        (f"{ARN}:password::", refs.Ref("db", arn=ARN, json_key="password")),
        (f"{ARN}::AWSPREVIOUS:", refs.Ref("db", arn=ARN, version_stage="AWSPREVIOUS")),
        (f"{ARN}:::0123", refs.Ref("db", arn=ARN, version_id="0123")),
        (
            "arn:aws:secretsmanager:local:000000000000:secret:db",
            refs.Ref("db", arn="arn:aws:secretsmanager:local:000000000000:secret:db"),
        ),
    ],
)
def test_references(value: str, expected: refs.Ref) -> None:
    assert refs.parse(value, "f") == expected


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("arn:aws:ssm:local:0:parameter/db", "SSM parameter"),
        ("arn:aws:s3:::bucket/file.env", "not a secret ARN"),
        (f"{ARN}:a:b:c:d", "more than"),
        ("has space", "neither"),
    ],
)
def test_bad_references_name_the_field(value: str, words: str) -> None:
    found = refs.parse(value, "containerDefinitions[0].secrets[0].valueFrom")
    assert isinstance(found, FieldViolation) and words in found.description
    assert found.field == "containerDefinitions[0].secrets[0].valueFrom"


def test_json_keys_and_env_files() -> None:
    ref = refs.Ref("db", json_key="password")
    assert refs.select('{"password": "p", "port": 5432}', ref) == "p"
    assert refs.select('{"port": 5432}', refs.Ref("db", json_key="port")) == "5432"
    with pytest.raises(LookupError, match="no JSON key"):
        refs.select('{"user": "u"}', ref)
    with pytest.raises(LookupError, match="not JSON"):
        refs.select("plain", ref)
    assert refs.env_file("# comment\n\nA=1\nB = two=2\nnot a pair\n") == [("A", "1"), ("B", " two=2")]


def store() -> SecretStore:
    return SecretStore(None, Sealer(os.urandom(32)), "local", "000000000000")  # type: ignore[arg-type]


def test_versions_move_current_and_previous() -> None:
    s = store()
    record = pb.SecretRecord(arn=ARN, name="db")
    s.seal(record, "one", "v1", ["AWSCURRENT"], 1.0)
    s.seal(record, "two", "v2", ["AWSCURRENT"], 2.0)
    s.seal(record, "three", "v3", ["AWSCURRENT"], 3.0)
    stages = {v.version_id: list(v.version_stages) for v in record.versions}
    assert stages == {"v3": ["AWSCURRENT"], "v2": ["AWSPREVIOUS"], "v1": []}
    assert s.open(record)[1] == "three"
    assert s.open(record, version_stage="AWSPREVIOUS")[1] == "two"
    assert s.open(record, version_id="v1")[1] == "one"
    s.seal(record, "staged", "v4", ["TEST"], 4.0)  # another label leaves the current one alone
    assert s.open(record)[1] == "three" and s.open(record, version_stage="TEST")[1] == "staged"
    for n in range(5, 40):
        s.seal(record, str(n), f"v{n}", ["AWSCURRENT"], float(n))
    assert len(record.versions) == MAX_VERSIONS
    assert s.open(record, version_stage="TEST")[1] == "staged"  # a staged version is always kept
