"""The cluster CA's decisions (controlplane.tls.authority), the join token's CA fingerprint and an
agent's renewal schedule: pure, no network."""

from __future__ import annotations

import ipaddress
import random
import time

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from agent.certs import renewal
from berth import tls
from berth.errors import InvalidArgument
from controlplane.tls.authority import AgentName, Authority, agent_name

NOW = 1_800_000_000.0


@pytest.fixture(scope="module")
def ca() -> Authority:
    return Authority.new(NOW)


def test_a_server_certificate_names_the_replica_and_is_issued_by_the_ca(ca: Authority) -> None:
    cert, _key = ca.server_certificate(["10.0.0.5", "cp1.internal"], NOW)
    [leaf] = tls.certificates(cert)
    [root] = tls.certificates(ca.cert_pem)
    names = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert tls.SERVER_NAME in names.get_values_for_type(x509.DNSName)
    assert "cp1.internal" in names.get_values_for_type(x509.DNSName)
    assert ipaddress.ip_address("10.0.0.5") in names.get_values_for_type(x509.IPAddress)
    assert leaf.issuer == root.subject
    assert tls.der_fingerprint(root.public_bytes(serialization.Encoding.DER)) == ca.fingerprint
    leaf.verify_directly_issued_by(root)


def test_an_agent_certificate_names_its_instance_and_generation_and_expires(ca: Authority) -> None:
    key = tls.new_private_key()
    name = AgentName("prod", "abc123", "g1")
    cert = ca.sign_agent(tls.new_csr(key, "whatever the agent asks").decode(), name, NOW, 600)
    assert agent_name(cert) == name
    _before, after = tls.validity(cert)
    assert after == pytest.approx(NOW + 600, abs=1)
    parsed = x509.load_pem_x509_certificate(cert)
    # The identity is the control plane's decision, not the request's subject.
    assert parsed.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "agent prod/abc123"


@pytest.mark.parametrize(
    ("csr", "wording"),
    [
        ("not a csr", "not a PEM certificate signing request"),
        ("", "not a PEM certificate signing request"),
    ],
)
def test_an_unusable_request_is_refused_naming_the_field(ca: Authority, csr: str, wording: str) -> None:
    with pytest.raises(InvalidArgument) as e:
        ca.sign_agent(csr, AgentName("c", "i", "g"), NOW, 60)
    assert e.value.violations[0].field == "csrPem" and wording in e.value.violations[0].description


def test_a_small_rsa_key_is_refused(ca: Authority) -> None:
    weak = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    csr = (
        x509.CertificateSigningRequestBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "x")]))
        .sign(weak, hashes.SHA256())
    )
    with pytest.raises(InvalidArgument) as e:
        ca.sign_agent(
            csr.public_bytes(serialization.Encoding.PEM).decode(), AgentName("c", "i", "g"), NOW, 60
        )
    assert "1024 bits is too small" in e.value.violations[0].description


def test_a_certificate_without_an_agent_uri_names_no_agent(ca: Authority) -> None:
    chain, _ = ca.server_certificate([], NOW)
    assert agent_name(chain) is None
    assert agent_name(b"garbage") is None


def test_the_ca_round_trips_through_its_pem(ca: Authority) -> None:
    again = Authority.load(ca.cert_pem, ca.key_pem)
    assert again.fingerprint == ca.fingerprint


def test_the_join_token_carries_the_ca_fingerprint(ca: Authority) -> None:
    token = tls.join_token("bjt_s3cr-et_x", ca.fingerprint)
    assert tls.split_join_token(token) == ("bjt_s3cr-et_x", ca.fingerprint)
    assert tls.split_join_token("bjt_plain") == ("bjt_plain", "")  # an --insecure cluster's
    assert tls.join_token("bjt_plain", "") == "bjt_plain"
    with pytest.raises(tls.TlsError, match="64 lower-case hex"):
        tls.split_join_token("bjt_x.deadbeef")


def test_an_agent_renews_halfway_with_jitter_and_retries_before_expiry() -> None:
    rnd = random.Random(7)
    times = [renewal.renew_at(1000.0, 1000.0 + 86400, rnd=rnd) for _ in range(200)]
    assert all(1000 + 0.4 * 86400 <= t <= 1000 + 0.6 * 86400 for t in times)
    assert max(times) - min(times) > 0.1 * 86400  # spread: agents started together renew apart
    assert renewal.retry_after(time.time(), time.time() + 3600, 1) == 2.0
    assert renewal.retry_after(time.time(), time.time() + 3600, 20) == 60.0  # capped
    assert renewal.retry_after(100.0, 110.0, 5) == 1.0  # a tenth of the 10 s left


def test_an_agent_dials_a_loopback_agent_port_on_the_host_it_joined_through() -> None:
    from agent.certs.files import reachable

    assert reachable(["127.0.0.1:7409"], "cp.example:7410") == ("cp.example:7409",)
    assert reachable(["10.0.0.1:7409", "127.0.0.1:7509"], "10.0.0.1:7410,10.0.0.2:7510") == (
        "10.0.0.1:7409",
        "10.0.0.1:7509",
        "10.0.0.2:7509",
    )
    assert reachable(["127.0.0.1:7409"], "127.0.0.1:7410") == ("127.0.0.1:7409",)  # one machine
