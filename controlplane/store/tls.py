"""How the store reaches an etcd that serves TLS (etcd's `--cert-file`/`--key-file`), and one
that asks for client certificates too (`--client-cert-auth`): the flags etcdctl has (`--cacert`,
`--cert`, `--key`), read and checked once, at start."""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from pathlib import Path


class EtcdTlsError(ValueError):
    """A flag names a file that is missing, not PEM, or a certificate that does not go with its key."""


@dataclass(frozen=True)
class EtcdTls:
    ca_pem: bytes  # the CA bundle etcd's server certificate is verified with
    cert_pem: bytes | None = None  # the client certificate chain, when etcd asks for one
    key_pem: bytes | None = None
    # The name to verify the server certificate against (None: the endpoint's address). Needed
    # with several endpoints: gRPC then has no single host name to check.
    server_name: str | None = None


def _read(flag: str, path: Path) -> bytes:
    try:
        data = path.read_bytes()
    except OSError as e:
        raise EtcdTlsError(f"{flag} {path}: cannot read it ({e.strerror})") from None
    if b"-----BEGIN " not in data:
        raise EtcdTlsError(f"{flag} {path}: not a PEM file")
    return data


def load(
    ca_file: Path | None,
    cert_file: Path | None = None,
    key_file: Path | None = None,
    server_name: str | None = None,
) -> EtcdTls | None:
    """The TLS settings the flags name (None: none given, etcd is dialled in plaintext)."""
    if ca_file is None:
        if cert_file is not None or key_file is not None or server_name:
            given = "--etcd-cert" if cert_file else "--etcd-key" if key_file else "--etcd-server-name"
            raise EtcdTlsError(f"{given} needs --etcd-cacert (the CA etcd's certificate is verified with)")
        return None
    if (cert_file is None) != (key_file is None):
        raise EtcdTlsError("--etcd-cert and --etcd-key go together")
    ca = _read("--etcd-cacert", ca_file)
    try:
        ssl.create_default_context(cadata=ca.decode("ascii", "replace"))
    except ssl.SSLError as e:
        raise EtcdTlsError(f"--etcd-cacert {ca_file}: not a CA certificate bundle ({e.reason})") from None
    if cert_file is None or key_file is None:
        return EtcdTls(ca, server_name=server_name or None)
    cert, key = _read("--etcd-cert", cert_file), _read("--etcd-key", key_file)
    try:
        ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT).load_cert_chain(cert_file, key_file)
    except ssl.SSLError as e:
        raise EtcdTlsError(
            f"--etcd-cert {cert_file} and --etcd-key {key_file} do not go together ({e.reason})"
        ) from None
    return EtcdTls(ca, cert, key, server_name or None)
