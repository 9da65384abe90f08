"""TLS as berth's clients and agents use it: CA bundles and fingerprints, join tokens that name the
CA, agents' keys and certificate requests, and gRPC channel credentials.

A cluster's control plane serves gRPC and HTTP over TLS with certificates from the cluster CA
(controlplane.tls). Clients trust that CA's bundle (`caFile` in the client config). An agent that
has only a join token learns the CA the way SwarmKit's nodes do: the token names the CA
certificate's SHA-256 fingerprint, the agent reads the certificate chain the control plane presents
(without trusting it yet) and keeps the certificate whose fingerprint is the token's; from then on
every connection is verified against it.
"""

from __future__ import annotations

import _ssl
import hashlib
import socket
import ssl
from pathlib import Path
from typing import Any

import grpc
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

# Every server certificate the cluster CA issues carries this DNS name, so that berth's own clients
# (agents, replicas, clients with several endpoints) can verify a replica whatever address they dial.
SERVER_NAME = "berth-controlplane"
FINGERPRINT_PREFIX = "sha256:"


class TlsError(Exception):
    """A certificate, key or bundle that cannot be used, with what is wrong with it."""


class UntrustedServer(TlsError):
    """The control plane answered, but with no certificate the join token names: retrying
    will not help (a token from another cluster, or a server that is not the control plane)."""


def certificates(bundle_pem: bytes | str) -> list[x509.Certificate]:
    data = bundle_pem.encode() if isinstance(bundle_pem, str) else bundle_pem
    try:
        certs = x509.load_pem_x509_certificates(data)
    except ValueError as e:
        raise TlsError(f"not a PEM certificate bundle ({e})") from None
    return certs


def der_fingerprint(der: bytes) -> str:
    return FINGERPRINT_PREFIX + hashlib.sha256(der).hexdigest()


def fingerprint(cert_pem: bytes | str) -> str:
    """`sha256:<hex>` of the (first) certificate's DER encoding."""
    cert = certificates(cert_pem)[0]
    return der_fingerprint(cert.public_bytes(serialization.Encoding.DER))


def join_token(secret: str, ca_fingerprint: str) -> str:
    """The join token as operators pass it to agents: the secret, then the CA's fingerprint
    (`bjt_<secret>.<sha256 hex>`); the secret alone on an insecure cluster."""
    if not ca_fingerprint:
        return secret
    return f"{secret}.{ca_fingerprint.removeprefix(FINGERPRINT_PREFIX)}"


def split_join_token(token: str) -> tuple[str, str]:
    """(secret, `sha256:<hex>` or "") of a join token."""
    secret, dot, digest = token.strip().rpartition(".")
    if not dot:
        return token.strip(), ""
    if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
        raise TlsError("the join token's CA fingerprint is not 64 lower-case hex digits")
    return secret, FINGERPRINT_PREFIX + digest


def private_key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    """The key as PEM (PKCS#8, unencrypted: keep the file mode 0600)."""
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def new_private_key() -> bytes:
    """A fresh P-256 key, PEM (see private_key_pem)."""
    return private_key_pem(ec.generate_private_key(ec.SECP256R1()))


def new_csr(key_pem: bytes, common_name: str) -> bytes:
    """A certificate signing request for `key_pem`. The control plane decides the identity the
    certificate names; the subject here is only informative."""
    key = serialization.load_pem_private_key(key_pem, password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise TlsError("the agent key must be an EC key")
    csr = (
        x509.CertificateSigningRequestBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name[:64] or "agent")]))
        .sign(key, hashes.SHA256())
    )
    return csr.public_bytes(serialization.Encoding.PEM)


def validity(cert_pem: bytes | str) -> tuple[float, float]:
    """(not before, not after) of a certificate, epoch seconds."""
    cert = certificates(cert_pem)[0]
    return cert.not_valid_before_utc.timestamp(), cert.not_valid_after_utc.timestamp()


def fetch_chain(address: str, timeout: float = 5.0) -> list[bytes]:
    """The certificates a TLS server at HOST:PORT presents, unverified (DER), for bootstrapping
    trust from a fingerprint. Nothing is sent over the connection."""
    host, _, port = address.rpartition(":")
    host = host.strip("[]")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    context.set_alpn_protocols(["h2", "http/1.1"])
    with (
        socket.create_connection((host, int(port)), timeout=timeout) as raw,
        context.wrap_socket(raw, server_hostname=SERVER_NAME) as tls,
    ):
        # Python 3.13 has SSLSocket.get_unverified_chain(); 3.11's lives on the SSL object.
        sslobj: Any = getattr(tls, "_sslobj", tls)
        getter = getattr(tls, "get_unverified_chain", None) or sslobj.get_unverified_chain
        chain = getter() or []
        return [c if isinstance(c, bytes) else c.public_bytes(_ssl.ENCODING_DER) for c in chain]


def bootstrap_ca(endpoints: list[str], ca_fingerprint: str, timeout: float = 5.0) -> bytes:
    """The CA certificate (PEM) whose fingerprint the join token names, read from the chain the
    first answering endpoint presents. TlsError when none presents it."""
    problems = []
    answered = False
    for address in endpoints:
        try:
            chain = fetch_chain(address, timeout)
        except (OSError, ssl.SSLError) as e:
            problems.append(f"{address}: {e}")
            continue
        answered = True
        for der in chain:
            if der_fingerprint(der) == ca_fingerprint:
                return x509.load_der_x509_certificate(der).public_bytes(serialization.Encoding.PEM)
        problems.append(f"{address}: no certificate in its chain has fingerprint {ca_fingerprint}")
    raise (UntrustedServer if answered else TlsError)(
        "cannot establish trust in the control plane: "
        + "; ".join(problems)
        + " (is the join token from this cluster? with your own server certificate, pass --ca-file)"
    )


def channel_credentials(
    ca_pem: bytes, key_pem: bytes | None = None, cert_pem: bytes | None = None
) -> grpc.ChannelCredentials:
    return grpc.ssl_channel_credentials(
        root_certificates=ca_pem, private_key=key_pem, certificate_chain=cert_pem
    )


def server_name_options(override: str) -> list[tuple[str, str]]:
    """Channel options that make gRPC verify the server certificate for `override` rather than the
    dialled host (berth's internal clients dial replicas by address; every cluster certificate
    names SERVER_NAME)."""
    return [("grpc.ssl_target_name_override", override)] if override else []


def read_bundle(path: str | Path) -> bytes:
    """A CA bundle file, checked to hold at least one certificate."""
    try:
        data = Path(path).expanduser().read_bytes()
    except OSError as e:
        raise TlsError(f"cannot read the CA bundle {path}: {e.strerror}") from None
    if not certificates(data):
        raise TlsError(f"{path} holds no PEM certificate")
    return data
