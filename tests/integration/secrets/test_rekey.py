"""Replacing the secrets key with `berth-controlplane --rekey-secrets`, against a real etcd and
real control plane processes: refused while a replica runs; afterwards the secrets and the
cluster CA open with the new key only; an interrupted run is finished by running it again."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from berth import Client
from berth.v1 import secretsmanager_pb2 as pb
from controlplane.secrets.crypto import key_check, load_or_create_key
from controlplane.store import EtcdStore, Put, keys
from tests.support.infra import ControlPlaneProcess, secrets_key_file

pytestmark = pytest.mark.etcd


def controlplane_main(etcd: str, prefix: str, *flags: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "controlplane.main",
            "--etcd-endpoints",
            etcd,
            "--etcd-prefix",
            prefix,
            *flags,
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )


def refused_start(etcd: str, prefix: str, tmp_path: Path, key: Path) -> str:
    """What a replica started with `key` says as it refuses to start."""
    out = controlplane_main(
        etcd,
        prefix,
        "--data-dir",
        str(tmp_path / "refused"),
        "--secrets-key-file",
        str(key),
        "--etcd-wait",
        "5",
    )
    assert out.returncode != 0, out.stdout
    return out.stderr


def test_rekey_moves_secrets_and_the_ca_to_the_new_key(etcd_endpoint: str, tmp_path: Path) -> None:
    prefix = f"/berth-rekey-{uuid.uuid4().hex[:8]}/"
    old_key, new_key = secrets_key_file(prefix), tmp_path / "new.key"
    cp = ControlPlaneProcess(etcd_endpoint, tmp_path / "cp", prefix=prefix).start()
    with Client(config_path=cp.config_path, timeout=10) as c:
        arn = c.secretsmanager("CreateSecret", name="db", secretString="one").arn
        c.secretsmanager("PutSecretValue", secretId="db", secretString="two")
    rekey = ("--secrets-key-file", str(old_key), "--rekey-secrets", str(new_key))

    running = controlplane_main(etcd_endpoint, prefix, *rekey)
    assert running.returncode != 0 and "stop every control plane replica first; running:" in running.stderr
    assert not new_key.exists() or new_key.stat().st_size == 32

    cp.stop()  # a clean stop takes the replica out of the registry at once
    done = controlplane_main(etcd_endpoint, prefix, *rekey)
    assert done.returncode == 0, done.stderr
    assert "re-sealed 2 secret versions and 1 cluster CA key with" in done.stdout
    assert new_key.stat().st_mode & 0o777 == 0o600

    assert "is not the one this cluster's secrets are sealed with" in refused_start(
        etcd_endpoint, prefix, tmp_path, old_key
    )
    cp.extra = ("--secrets-key-file", str(new_key))
    cp.start()  # TLS: the cluster CA's key opens with the new key
    with Client(config_path=cp.config_path, timeout=10) as c:
        assert c.secretsmanager("GetSecretValue", secretId=arn).secret_string == "two"
        previous = c.secretsmanager("GetSecretValue", secretId="db", versionStage="AWSPREVIOUS")
        assert previous.secret_string == "one"
        c.secretsmanager("PutSecretValue", secretId="db", secretString="three")  # sealed with the new key
    cp.stop()

    # A run interrupted after its first step: replicas refuse to start, running it again finishes.
    newer_key = tmp_path / "newer.key"
    asyncio.run(
        begin_rekey(
            etcd_endpoint, prefix, key_check(new_key.read_bytes()), key_check(load_or_create_key(newer_key))
        )
    )
    assert "did not finish" in refused_start(etcd_endpoint, prefix, tmp_path, new_key)
    other = controlplane_main(
        etcd_endpoint,
        prefix,
        "--secrets-key-file",
        str(new_key),
        "--rekey-secrets",
        str(tmp_path / "other.key"),
    )
    assert (
        other.returncode != 0 and "an earlier --rekey-secrets to another key did not finish" in other.stderr
    )
    finished = controlplane_main(
        etcd_endpoint, prefix, "--secrets-key-file", str(new_key), "--rekey-secrets", str(newer_key)
    )
    assert finished.returncode == 0, finished.stderr
    assert "re-sealed 3 secret versions and 1 cluster CA key with" in finished.stdout
    repeated = controlplane_main(
        etcd_endpoint, prefix, "--secrets-key-file", str(new_key), "--rekey-secrets", str(newer_key)
    )
    assert repeated.returncode == 0 and "nothing to do" in repeated.stdout
    cp.extra = ("--secrets-key-file", str(newer_key))
    cp.start()
    try:
        with Client(config_path=cp.config_path, timeout=10) as c:
            assert c.secretsmanager("GetSecretValue", secretId=arn).secret_string == "three"
    finally:
        cp.stop()


async def begin_rekey(etcd: str, prefix: str, old_check: str, new_check: str) -> None:
    """The state a --rekey-secrets between the keys of these checks leaves when killed after its
    first step."""
    store = EtcdStore([etcd], prefix=prefix)
    await store.start()
    try:
        check = await store.get(keys.SECRETS_KEY_CHECK, pb.SecretsKeyCheck)
        assert check is not None and check.value.hmac_sha256 == old_check
        begun = pb.SecretsKeyCheck(hmac_sha256=check.value.hmac_sha256, next_hmac_sha256=new_check)
        await store.commit(Put(keys.SECRETS_KEY_CHECK, begun, check.mod_revision))
    finally:
        await store.close()
