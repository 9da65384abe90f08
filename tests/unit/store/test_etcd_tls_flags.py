"""berth-controlplane's --etcd-cacert/--etcd-cert/--etcd-key/--etcd-server-name: read and checked
at start, a bad one refused naming the flag and the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from controlplane import main
from tests.support.etcdtls import write_pki


@pytest.fixture(autouse=True)
def keep_logging(monkeypatch: pytest.MonkeyPatch) -> None:
    """parse_args configures logging onto the (captured) stderr: not here, it outlives the test."""
    monkeypatch.setattr(main.logs, "configure", lambda **_: None)


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_pki(tmp_path_factory.mktemp("pki"))


def test_without_flags_etcd_is_dialled_in_plaintext() -> None:
    assert main.parse_args([]).etcd_tls is None


def test_the_files_are_read_once_at_start(pki: Path) -> None:
    settings = main.parse_args(
        [
            *("--etcd-cacert", str(pki / "ca.pem"), "--etcd-cert", str(pki / "client.pem")),
            *("--etcd-key", str(pki / "client-key.pem"), "--etcd-server-name", "etcd.internal"),
        ]
    )
    tls = settings.etcd_tls
    assert tls is not None and tls.server_name == "etcd.internal"
    assert (
        tls.ca_pem == (pki / "ca.pem").read_bytes() and tls.key_pem == (pki / "client-key.pem").read_bytes()
    )


def test_a_ca_alone_verifies_etcd_without_a_client_certificate(pki: Path) -> None:
    tls = main.parse_args(["--etcd-cacert", str(pki / "ca.pem")]).etcd_tls
    assert tls is not None and tls.cert_pem is None and tls.server_name is None


@pytest.mark.parametrize(
    "flags, message",
    [
        (
            ["--etcd-cert", "{pki}/client.pem", "--etcd-key", "{pki}/client-key.pem"],
            "--etcd-cert needs --etcd-cacert",
        ),
        (["--etcd-server-name", "x"], "--etcd-server-name needs --etcd-cacert"),
        (
            ["--etcd-cacert", "{pki}/ca.pem", "--etcd-cert", "{pki}/client.pem"],
            "--etcd-cert and --etcd-key go together",
        ),
        (
            ["--etcd-cacert", "{pki}/nope.pem"],
            "--etcd-cacert {pki}/nope.pem: cannot read it (No such file or directory)",
        ),
        (["--etcd-cacert", "{pki}/../garbage"], "--etcd-cacert {pki}/../garbage: not a PEM file"),
        (
            ["--etcd-cacert", "{pki}/client-key.pem"],
            "--etcd-cacert {pki}/client-key.pem: not a CA certificate bundle",
        ),
        (
            [
                "--etcd-cacert",
                "{pki}/ca.pem",
                "--etcd-cert",
                "{pki}/client.pem",
                "--etcd-key",
                "{pki}/server-key.pem",
            ],
            "--etcd-cert {pki}/client.pem and --etcd-key {pki}/server-key.pem do not go together",
        ),
    ],
    ids=[
        "cert-without-ca",
        "name-without-ca",
        "cert-without-key",
        "missing",
        "not-pem",
        "not-a-ca",
        "wrong-key",
    ],
)
def test_bad_etcd_tls_flags_are_refused_naming_the_flag(
    pki: Path, flags: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    (pki.parent / "garbage").write_text("hello\n")
    with pytest.raises(SystemExit) as e:
        main.parse_args([f.format(pki=pki) for f in flags])
    assert e.value.code == 2
    assert message.format(pki=pki) in capsys.readouterr().err
