"""What a replica listens with: its server certificate (issued by the cluster CA at each start for
the addresses it serves, or the operator's own), the bundle clients trust, and the credentials of
the user port (server TLS), the agent port (mutual TLS: only certificates of the cluster CA) and
the HTTP port."""

from __future__ import annotations

import socket
import ssl
import time
from dataclasses import dataclass
from pathlib import Path

import grpc

from berth.tls import TlsError, certificates, read_bundle
from controlplane.tls.authority import Authority


@dataclass(frozen=True)
class ServerTls:
    authority: Authority
    chain_pem: bytes  # the server certificate chain
    key_pem: bytes
    bundle_pem: bytes  # what clients verify the server with (the cluster CA, or the operator's CA)
    agent_chain_pem: bytes  # the agent port's chain: always from the cluster CA
    agent_key_pem: bytes
    trusted_pem: bytes  # the cluster CAs trusted now (two during a rotation), the signing one first

    def user_configuration(self) -> grpc.ServerCertificateConfiguration:
        return grpc.ssl_server_certificate_configuration([(self.key_pem, self.chain_pem)])

    def agent_configuration(self) -> grpc.ServerCertificateConfiguration:
        # Agents verify the server with the cluster CA; the server requires and verifies their
        # client certificates against the trusted cluster CAs. The agent port uses the cluster
        # CA's own certificate so that agents trust it even when the user port has the operator's.
        return grpc.ssl_server_certificate_configuration(
            [(self.agent_key_pem, self.agent_chain_pem)], root_certificates=self.trusted_pem
        )

    def load_into(self, context: ssl.SSLContext) -> None:
        """Make `context` present this certificate (to new connections)."""
        _load_chain(context, self.chain_pem, self.key_pem)


def _load_chain(context: ssl.SSLContext, chain_pem: bytes, key_pem: bytes) -> None:
    # ssl wants files; a private temporary directory keeps the key out of reach of others.
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        cert, key = Path(tmp) / "chain.pem", Path(tmp) / "key.pem"
        cert.write_bytes(chain_pem)
        key.touch(0o600)
        key.write_bytes(key_pem)
        context.load_cert_chain(cert, key)


def local_names(addresses: list[str], extra: list[str]) -> list[str]:
    """What a replica's certificate names: the hosts of its listen and advertise addresses
    (a wildcard listen address stands for this host's names and addresses), localhost, the host
    name, and the operator's --tls-san names."""
    names = ["localhost", "127.0.0.1", "::1"]
    hostname = socket.gethostname()
    names += [hostname, socket.getfqdn()]
    for address in addresses:
        host = address.rpartition(":")[0].strip("[]")
        if host in ("", "0.0.0.0", "::"):
            try:
                names += [str(info[4][0]) for info in socket.getaddrinfo(hostname, None)]
            except OSError:
                pass
        elif host:
            names.append(host)
    return list(dict.fromkeys([*names, *extra]))


def server_tls(
    authority: Authority,
    addresses: list[str],
    *,
    trusted: bytes = b"",
    extra_names: tuple[str, ...] = (),
    cert_file: Path | None = None,
    key_file: Path | None = None,
    ca_file: Path | None = None,
) -> ServerTls:
    """The replica's TLS material. With the operator's certificate (`cert_file`, `key_file`), the
    user and HTTP ports present it and clients are given `ca_file` (or, without one, nothing but
    the system's trust); the agent port always presents a cluster-CA certificate."""
    names = local_names(addresses, list(extra_names))
    trusted = trusted or authority.cert_pem
    leaf, own_key = authority.server_certificate(names, time.time())
    # The chain carries every trusted cluster CA: a join token naming any of them bootstraps.
    own_chain = leaf + trusted
    if cert_file is None:
        return ServerTls(authority, own_chain, own_key, trusted, own_chain, own_key, trusted)
    if key_file is None:
        raise TlsError("--tls-cert needs --tls-key")
    try:
        chain, key = cert_file.read_bytes(), key_file.read_bytes()
    except OSError as e:
        raise TlsError(f"cannot read {e.filename}: {e.strerror}") from None
    certificates(chain)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    try:
        _load_chain(context, chain, key)
    except ssl.SSLError as e:
        raise TlsError(f"--tls-cert {cert_file} and --tls-key {key_file} do not go together ({e})") from None
    bundle = read_bundle(ca_file) if ca_file is not None else b""
    return ServerTls(authority, chain, key, bundle, own_chain, own_key, trusted)
