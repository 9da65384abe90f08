"""An audit record from what the call chain knows: outcome, cluster, source address; no secrets."""

from __future__ import annotations

import pytest

from controlplane.audit import audit_record
from controlplane.audit.record import outcome, source_address

CLUSTER = "arn:berth:ecs:local:000000000000:cluster/prod"
TASK = "arn:berth:ecs:local:000000000000:task/prod/abc"


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("OK", "Success"),
        ("PERMISSION_DENIED", "Denied"),
        ("UNAUTHENTICATED", "Denied"),
        ("NOT_FOUND", "Failed"),
        ("INVALID_ARGUMENT", "Failed"),
        ("INTERNAL", "Failed"),
    ],
)
def test_outcome(code: str, expected: str) -> None:
    assert outcome(code) == expected


@pytest.mark.parametrize(
    ("peer", "address"),
    [
        ("ipv4:127.0.0.1:50123", "127.0.0.1:50123"),
        ("ipv6:[::1]:50123", "[::1]:50123"),
        ("unix:/run/berth.sock", ""),
        ("", ""),
        ("10.0.0.7", "10.0.0.7"),  # an HTTP remote address
    ],
)
def test_source_address(peer: str, address: str) -> None:
    assert source_address(peer) == address


def test_a_denied_call_names_who_what_where_and_the_code() -> None:
    r = audit_record(
        request_id="r1",
        time=1700000000.5,
        principal="arn:berth:iam::user/ann",
        access_key_id="BKIA0123",
        action="ecs:StopTask",
        resources=[(TASK, CLUSTER)],
        code="PERMISSION_DENIED",
        source="ipv4:10.0.0.7:4000",
        replica="cp-1",
    )
    assert (r.principal, r.access_key_id, r.action, list(r.resources)) == (
        "arn:berth:iam::user/ann",
        "BKIA0123",
        "ecs:StopTask",
        [TASK],
    )
    assert (r.cluster, r.outcome, r.error_code, r.source_address, r.replica, r.via) == (
        "prod",
        "Denied",
        "PERMISSION_DENIED",
        "10.0.0.7:4000",
        "cp-1",
        "",
    )
    assert r.request_id == "r1" and r.time == 1700000000.5


def test_a_call_with_no_resource_has_no_cluster_and_success_has_no_code() -> None:
    r = audit_record(
        request_id="r2",
        time=1.0,
        principal="arn:berth:iam::user/admin",
        access_key_id="BKIA1",
        action="ecs:RegisterTaskDefinition",
        resources=[("*", "")],
        code="OK",
        source="",
        replica="cp-1",
    )
    assert (list(r.resources), r.cluster, r.outcome, r.error_code) == (["*"], "", "Success", "")


def test_a_record_has_no_field_for_a_body_a_secret_or_a_message() -> None:
    """What a record can hold is fixed by its message: nothing a caller sends beyond names."""
    from berth.v1 import berth_pb2

    fields = set(berth_pb2.AuditRecord.DESCRIPTOR.fields_by_name)
    assert fields == {
        "request_id",
        "time",
        "principal",
        "access_key_id",
        "action",
        "resources",
        "cluster",
        "outcome",
        "error_code",
        "source_address",
        "replica",
        "via",
    }
