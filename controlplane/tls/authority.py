"""The cluster CA's decisions, free of I/O: making the CA, server certificates for a replica's
addresses, and agents' client certificates from their certificate requests.

An agent certificate names its container instance in a URI SAN,
`urn:berth:agent:<cluster>:<instance id>:<generation>`; the generation is the instance's
registration (controlplane stores it on the agent identity), so registering the instance again or
deregistering it makes every earlier certificate worthless even before it expires.
"""

from __future__ import annotations

import datetime
import ipaddress
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from berth.errors import InvalidArgument
from berth.tls import SERVER_NAME, der_fingerprint, private_key_pem

AGENT_URI = "urn:berth:agent:"
CA_YEARS = 10
SERVER_DAYS = 365


@dataclass(frozen=True)
class AgentName:
    cluster: str
    ident: str
    generation: str

    @property
    def uri(self) -> str:
        return f"{AGENT_URI}{self.cluster}:{self.ident}:{self.generation}"


def _utc(now: float) -> datetime.datetime:
    return datetime.datetime.fromtimestamp(now, datetime.UTC)


def _pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


@dataclass(frozen=True)
class Authority:
    cert: x509.Certificate
    key: ec.EllipticCurvePrivateKey

    @staticmethod
    def new(now: float, name: str = "berth cluster CA") -> Authority:
        key = ec.generate_private_key(ec.SECP256R1())
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
        cert = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(_utc(now - 300))
            .not_valid_after(_utc(now + CA_YEARS * 365 * 86400))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    key_cert_sign=True,
                    crl_sign=True,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(key, hashes.SHA256())
        )
        return Authority(cert, key)

    @staticmethod
    def load(cert_pem: bytes, key_pem: bytes) -> Authority:
        key = serialization.load_pem_private_key(key_pem, password=None)
        if not isinstance(key, ec.EllipticCurvePrivateKey):
            raise ValueError("the cluster CA key must be an EC key")
        return Authority(x509.load_pem_x509_certificate(cert_pem), key)

    @property
    def cert_pem(self) -> bytes:
        return _pem(self.cert)

    @property
    def key_pem(self) -> bytes:
        return private_key_pem(self.key)

    @property
    def fingerprint(self) -> str:
        return der_fingerprint(self.cert.public_bytes(serialization.Encoding.DER))

    def _leaf(
        self,
        public_key: ec.EllipticCurvePublicKey | rsa.RSAPublicKey,
        common_name: str,
        names: list[x509.GeneralName],
        usage: x509.ObjectIdentifier,
        now: float,
        ttl: float,
    ) -> x509.Certificate:
        return (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name[:64])]))
            .issuer_name(self.cert.subject)
            .public_key(public_key)
            .serial_number(x509.random_serial_number())
            .not_valid_before(_utc(now - 60))
            .not_valid_after(_utc(now + ttl))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
            .add_extension(x509.SubjectAlternativeName(names), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(self.key.public_key()), critical=False
            )
            .sign(self.key, hashes.SHA256())
        )

    def server_certificate(
        self, hosts: list[str], now: float, ttl: float = SERVER_DAYS * 86400
    ) -> tuple[bytes, bytes]:
        """(certificate PEM, key PEM) for a replica reachable at `hosts` (names or IPs)."""
        key = ec.generate_private_key(ec.SECP256R1())
        names: list[x509.GeneralName] = []
        for host in dict.fromkeys([SERVER_NAME, *hosts]):
            try:
                names.append(x509.IPAddress(ipaddress.ip_address(host.strip("[]"))))
            except ValueError:
                names.append(x509.DNSName(host))
        cert = self._leaf(key.public_key(), SERVER_NAME, names, ExtendedKeyUsageOID.SERVER_AUTH, now, ttl)
        return _pem(cert), private_key_pem(key)

    def sign_agent(self, csr_pem: str, name: AgentName, now: float, ttl: float) -> bytes:
        """The client certificate for an agent, from its certificate request (INVALID_ARGUMENT
        naming `csrPem` when the request is unusable)."""
        cert = self._leaf(
            check_csr(csr_pem),
            f"agent {name.cluster}/{name.ident}",
            [x509.UniformResourceIdentifier(name.uri)],
            ExtendedKeyUsageOID.CLIENT_AUTH,
            now,
            ttl,
        )
        return _pem(cert)


def check_csr(csr_pem: str) -> ec.EllipticCurvePublicKey | rsa.RSAPublicKey:
    """The key of a usable certificate signing request; INVALID_ARGUMENT naming `csrPem` otherwise."""
    try:
        csr = x509.load_pem_x509_csr(csr_pem.encode())
    except ValueError as e:
        raise InvalidArgument.field("csrPem", f"not a PEM certificate signing request ({e})") from None
    if not csr.is_signature_valid:
        raise InvalidArgument.field("csrPem", "the request's signature does not match its key")
    public_key = csr.public_key()
    if isinstance(public_key, rsa.RSAPublicKey):
        if public_key.key_size < 2048:
            raise InvalidArgument.field(
                "csrPem", f"an RSA key of {public_key.key_size} bits is too small (2048 or more)"
            )
        return public_key
    if not isinstance(public_key, ec.EllipticCurvePublicKey) or public_key.key_size < 256:
        raise InvalidArgument.field(
            "csrPem", "the key must be EC (P-256 or larger) or RSA (2048 bits or more)"
        )
    return public_key


def agent_name(cert_pem: bytes) -> AgentName | None:
    """The agent a (verified) client certificate names; None when it names no agent."""
    try:
        cert = x509.load_pem_x509_certificate(cert_pem)
        uris = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value.get_values_for_type(
            x509.UniformResourceIdentifier
        )
    except (ValueError, x509.ExtensionNotFound):
        return None
    for uri in uris:
        if uri.startswith(AGENT_URI):
            parts = uri[len(AGENT_URI) :].split(":")
            if len(parts) == 3 and all(parts):
                return AgentName(*parts)
    return None
