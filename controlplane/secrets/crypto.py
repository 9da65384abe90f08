"""Sealing secret values at rest: AES-256-GCM with a key that lives in a file, never in etcd.

Every value is sealed with a fresh 96-bit nonce and bound (as associated data) to its secret's ARN
and version id, so a sealed value copied to another secret or version does not open. The key file
(`--secrets-key-file`, `<data-dir>/secrets.key` by default) is made on first start with mode 0600;
replicas must share it. etcd keeps a check value of the key (an HMAC of a fixed text), so a replica
started with another key refuses to start instead of failing on every read.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

KEY_BYTES = 32
NONCE_BYTES = 12
_CHECK_TEXT = b"berth secrets key check v1"


class SealError(Exception):
    """A sealed value does not open with this key (wrong key, or the bytes were changed)."""


def load_or_create_key(path: Path) -> bytes:
    """The key in `path`, made (0600, exclusively) when the file does not exist yet."""
    try:
        key = path.read_bytes()
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        key = secrets.token_bytes(KEY_BYTES)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # made by a replica starting at the same moment
            return load_or_create_key(path)
        with os.fdopen(fd, "wb") as f:
            f.write(key)
        return key
    if len(key) != KEY_BYTES:
        raise ValueError(f"{path}: a secrets key is {KEY_BYTES} bytes, this file has {len(key)}")
    return key


def key_check(key: bytes) -> str:
    """What etcd keeps to tell whether a replica has the cluster's key (reveals nothing of it)."""
    return hmac.new(key, _CHECK_TEXT, hashlib.sha256).hexdigest()


class Sealer:
    def __init__(self, key: bytes) -> None:
        self._aead = AESGCM(key)
        self.check = key_check(key)

    @staticmethod
    def _aad(secret_arn: str, version_id: str) -> bytes:
        return f"{secret_arn}\n{version_id}".encode()

    def seal(self, value: str, *, secret_arn: str, version_id: str) -> bytes:
        nonce = secrets.token_bytes(NONCE_BYTES)
        return nonce + self._aead.encrypt(nonce, value.encode(), self._aad(secret_arn, version_id))

    def open(self, sealed: bytes, *, secret_arn: str, version_id: str) -> str:
        if len(sealed) < NONCE_BYTES + 16:
            raise SealError("sealed value is too short")
        try:
            plain = self._aead.decrypt(
                sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], self._aad(secret_arn, version_id)
            )
        except InvalidTag:
            raise SealError(f"{secret_arn} version {version_id} does not open with this key") from None
        return plain.decode()


def reseal(sealed: bytes, *, secret_arn: str, version_id: str, old: Sealer, new: Sealer) -> bytes | None:
    """`sealed` (under `old` or `new`) sealed under `new`; None when it is already. SealError when
    it opens with neither."""
    try:
        new.open(sealed, secret_arn=secret_arn, version_id=version_id)
        return None
    except SealError:
        pass
    return new.seal(
        old.open(sealed, secret_arn=secret_arn, version_id=version_id),
        secret_arn=secret_arn,
        version_id=version_id,
    )
