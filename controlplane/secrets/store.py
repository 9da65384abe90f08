"""Secrets in etcd: records by name (`keys.secret`), values sealed (`controlplane.secrets.crypto`).

`SecretStore` is what both the Secrets Manager API and the agents' GetTaskSecrets use: find a secret
by name or ARN, add a version (moving AWSCURRENT and AWSPREVIOUS as Secrets Manager does), open
the version a reference asks for.
"""

from __future__ import annotations

import asyncio
import secrets
import string
import uuid
from pathlib import Path

from berth.errors import Conflict, FailedPrecondition, InvalidArgument, NotFound, shown
from berth.v1 import secretsmanager_pb2 as pb
from controlplane.secrets.crypto import Sealer, SealError, load_or_create_key
from controlplane.secrets.refs import CURRENT, PREVIOUS, Ref
from controlplane.store import EtcdStore, Put, Versioned, keys

MAX_VALUE_BYTES = 65536  # Secrets Manager's limit
MAX_VERSIONS = 20
_SUFFIX_CHARS = string.ascii_letters + string.digits


def not_found(ident: str) -> NotFound:
    return NotFound(
        f"Secrets Manager can't find the specified secret: {shown(ident)}",
        ecs_type="ResourceNotFoundException",
    )


class SecretStore:
    """`sealer` may come later (`open_key`): the key file is read or made once etcd says whether
    the cluster has a key already."""

    def __init__(self, store: EtcdStore, sealer: Sealer | None, region: str, account: str) -> None:
        self.store = store
        self._sealer = sealer
        self.region = region
        self.account = account

    @property
    def sealer(self) -> Sealer:
        if self._sealer is None:
            raise FailedPrecondition("the secret store is not open yet")
        return self._sealer

    async def open_key(self, path: Path) -> None:
        """Read the key file; make it only for a cluster that has no key yet (a replica joining a
        cluster must be given a copy, not a new key); then check it against the cluster's."""
        sealed = await self.store.get(keys.SECRETS_KEY_CHECK, pb.SecretsKeyCheck) is not None
        if sealed and not await asyncio.to_thread(path.exists):
            raise SystemExit(
                f"berth-controlplane: {path} does not exist, and this cluster's secrets are sealed with a "
                "key: copy the key file from a replica of this cluster (--secrets-key-file)"
            )
        try:
            self._sealer = Sealer(await asyncio.to_thread(load_or_create_key, path))
        except ValueError as e:
            raise SystemExit(f"berth-controlplane: {e}") from None
        await self.check_key()

    async def check_key(self) -> None:
        """Record the key's check value on first start; refuse a key that is not the cluster's."""
        record = pb.SecretsKeyCheck(hmac_sha256=self.sealer.check)
        existing = await self.store.get(keys.SECRETS_KEY_CHECK, pb.SecretsKeyCheck)
        if existing is None:
            try:
                await self.store.commit(Put(keys.SECRETS_KEY_CHECK, record, 0))
                return
            except Conflict:
                existing = await self.store.get(keys.SECRETS_KEY_CHECK, pb.SecretsKeyCheck)
        if existing is not None and existing.value.next_hmac_sha256:
            raise SystemExit(
                "berth-controlplane: a re-key of the secrets (--rekey-secrets) began and did not finish; "
                "run `berth-controlplane --rekey-secrets NEW_KEY_FILE` again with the same files"
            )
        if existing is not None and existing.value.hmac_sha256 != self.sealer.check:
            raise SystemExit(
                "berth-controlplane: the secrets key is not the one this cluster's secrets are sealed with; "
                "give every replica a copy of the first replica's key file (--secrets-key-file)"
            )

    def new_arn(self, name: str) -> str:
        suffix = "".join(secrets.choice(_SUFFIX_CHARS) for _ in range(6))
        return f"arn:aws:secretsmanager:{self.region}:{self.account}:secret:{name}-{suffix}"

    async def find(self, ref: Ref) -> Versioned[pb.SecretRecord]:
        record = await self.store.get(keys.secret(ref.name), pb.SecretRecord)
        if record is None and ref.arn:
            # A partial ARN (no random suffix) names the secret as its name does.
            record = await self.store.get(keys.secret(ref.arn.rsplit(":", 1)[-1]), pb.SecretRecord)
        if record is None or (ref.arn and not record.value.arn.startswith(ref.arn)):
            raise not_found(ref.shown)
        return record

    def seal(
        self, record: pb.SecretRecord, value: str, version_id: str, stages: list[str], now: float
    ) -> None:
        """Add a version to `record` (in place): it takes `stages`; AWSCURRENT moving away leaves
        AWSPREVIOUS on the version that had it. Old versions without a stage go past MAX_VERSIONS."""
        if len(value.encode()) > MAX_VALUE_BYTES:
            raise InvalidArgument.field(
                "secretString", f"is {len(value.encode())} bytes; at most {MAX_VALUE_BYTES}"
            )
        if any(v.version_id == version_id for v in record.versions):
            raise FailedPrecondition(
                f"version {shown(version_id)} of {record.name} exists already",
                ecs_type="ResourceExistsException",
            )
        for version in record.versions:
            if CURRENT in stages and CURRENT in version.version_stages:
                kept = [s for s in version.version_stages if s not in (CURRENT, PREVIOUS)]
                for other in record.versions:
                    if PREVIOUS in other.version_stages:
                        other.version_stages.remove(PREVIOUS)
                version.version_stages[:] = [*kept, PREVIOUS]
            else:
                version.version_stages[:] = [s for s in version.version_stages if s not in stages]
        sealed = pb.SealedVersion(
            version_id=version_id,
            version_stages=stages,
            created_date=now,
            sealed=self.sealer.seal(value, secret_arn=record.arn, version_id=version_id),
        )
        versions = [sealed, *record.versions]
        staged = [v for v in versions if v.version_stages]
        unstaged = [v for v in versions if not v.version_stages][: max(0, MAX_VERSIONS - len(staged))]
        keep = {v.version_id for v in staged + unstaged}
        del record.versions[:]
        record.versions.extend(v for v in versions if v.version_id in keep)
        record.last_changed_date = now

    def open(
        self, record: pb.SecretRecord, *, version_id: str = "", version_stage: str = ""
    ) -> tuple[pb.SealedVersion, str]:
        """The version asked for (AWSCURRENT by default) and its value."""
        stage = version_stage or ("" if version_id else CURRENT)
        for version in record.versions:
            if (not version_id or version.version_id == version_id) and (
                not stage or stage in version.version_stages
            ):
                try:
                    return version, self.sealer.open(
                        version.sealed, secret_arn=record.arn, version_id=version.version_id
                    )
                except SealError as e:
                    raise FailedPrecondition(str(e), ecs_type="DecryptionFailure") from None
        wanted = f"version {version_id}" if version_id else f"stage {stage}"
        raise NotFound(
            f"Secrets Manager can't find the specified secret value for {wanted} of {record.name}",
            ecs_type="ResourceNotFoundException",
        )


def new_version_id(token: str) -> str:
    if not token:
        return str(uuid.uuid4())
    if not 32 <= len(token) <= 64 or not all(c.isalnum() or c == "-" for c in token):
        raise InvalidArgument.field("clientRequestToken", "must be 32 to 64 letters, digits or '-'")
    return token
