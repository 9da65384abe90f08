"""Task role sessions: the credential records, their expiry and revocation, the assumed-role ARN."""

from __future__ import annotations

import pytest

from berth.errors import FailedPrecondition, Unauthenticated
from berth.v1 import types_pb2
from controlplane.auth import Authorizer, Principal, decode_principal, encode_principal, principal_of_session
from controlplane.iam import sessions

ROLE = "arn:aws:iam::000000000000:role/reader"
TASK = "arn:berth:ecs:local:000000000000:task/prod/0123abcd"
NOW = 1_800_000_000.0


def issued() -> object:
    return sessions.issue(TASK, ROLE, now=NOW, ttl=3600)


def test_issue_binds_the_task_and_role_with_an_expiry() -> None:
    a, b = sessions.issue(TASK, ROLE, now=NOW, ttl=3600), sessions.issue(TASK, ROLE, now=NOW, ttl=3600)
    assert a.access_key_id.startswith("ASIA") and sessions.is_session_key(a.access_key_id)
    assert (a.task_arn, a.role_arn, a.issued_at, a.expiration) == (TASK, ROLE, NOW, NOW + 3600)
    assert len(a.secret_access_key) >= 30 and len(a.session_token) >= 48
    assert a.access_key_id != b.access_key_id and a.secret_access_key != b.secret_access_key
    assert a.session_token != b.session_token
    assert not sessions.is_session_key("BKIA0123")


def test_the_lease_outlives_the_expiry_a_little() -> None:
    record = sessions.issue(TASK, ROLE, now=NOW, ttl=60)
    assert sessions.lease_seconds(record, NOW) == 60 + sessions.LEASE_SLACK_SECONDS
    assert sessions.lease_seconds(record, NOW + 10_000) == 1


@pytest.mark.parametrize("ttl", [0, 9.9, 43_201, -1])
def test_ttl_out_of_range_is_refused_naming_the_value(ttl: float) -> None:
    with pytest.raises(ValueError, match=f"{ttl:g}"):
        sessions.check_ttl(ttl)


def test_ttl_in_range() -> None:
    assert sessions.check_ttl(3600) == 3600


def test_assumed_role_arn() -> None:
    assert sessions.assumed_role_arn(ROLE, TASK) == "arn:aws:sts::000000000000:assumed-role/reader/0123abcd"


def usable(record: object, **kw: object) -> object:
    args: dict[str, object] = {
        "access_key_id": "ASIAX",
        "session_token": record.session_token if record is not None else "t",  # type: ignore[attr-defined]
        "task_status": "RUNNING",
        "now": NOW + 10,
    } | kw
    return sessions.check_usable(record, **args)  # type: ignore[arg-type]


def test_usable_while_the_task_runs_and_before_expiry() -> None:
    record = issued()
    assert usable(record) is record
    assert usable(record, task_status="PENDING") is record


@pytest.mark.parametrize(
    ("change", "ecs_type", "words"),
    [
        ({"now": NOW + 3600}, "ExpiredTokenException", "expired"),
        ({"task_status": "STOPPED"}, "ExpiredTokenException", f"task {TASK} is STOPPED"),
        ({"task_status": None}, "ExpiredTokenException", "no longer exists"),
        ({"session_token": ""}, "InvalidClientTokenId", "x-amz-security-token"),
        ({"session_token": "wrong"}, "InvalidClientTokenId", "invalid"),
    ],
    ids=["expired", "stopped", "task-gone", "no-token", "wrong-token"],
)
def test_refused(change: dict[str, object], ecs_type: str, words: str) -> None:
    with pytest.raises(Unauthenticated) as e:
        usable(issued(), **change)
    assert e.value.ecs_type == ecs_type and words in e.value.message


def test_unknown_key_is_refused_naming_it() -> None:
    with pytest.raises(Unauthenticated, match="ASIAX"):
        usable(None)


def task(**kw: object) -> types_pb2.Task:
    return types_pb2.Task(**({"task_arn": TASK, "last_status": "RUNNING"} | kw))  # type: ignore[arg-type]


def test_role_of_prefers_the_override() -> None:
    td = types_pb2.TaskDefinition(task_role_arn=ROLE)
    assert sessions.role_of(task(), td) == ROLE
    other = "arn:aws:iam::000000000000:role/other"
    assert sessions.role_of(task(overrides=types_pb2.TaskOverride(task_role_arn=other)), td) == other
    assert sessions.role_of(task(), types_pb2.TaskDefinition()) == ""


@pytest.mark.parametrize(
    ("t", "role", "exists", "words"),
    [
        (task(last_status="STOPPED"), ROLE, True, "is STOPPED"),
        (task(), "", False, "has no task role"),
        (task(), ROLE, False, f"task role {ROLE} of task {TASK} does not exist"),
    ],
    ids=["stopped", "no-role", "missing-role"],
)
def test_not_issuable(t: types_pb2.Task, role: str, exists: bool, words: str) -> None:
    with pytest.raises(FailedPrecondition, match=words):
        sessions.check_issuable(t, role, exists)


def test_issuable() -> None:
    sessions.check_issuable(task(), ROLE, True)


def test_the_principal_of_a_session_is_the_assumed_role() -> None:
    p = principal_of_session(issued())  # type: ignore[arg-type]
    assert p.kind == "role" and p.role_arn == ROLE and p.task_arn == TASK
    assert p.arn == "arn:aws:sts::000000000000:assumed-role/reader/0123abcd"
    assert Authorizer().principal_arn(p) == p.arn
    # A call forwarded between replicas keeps it.
    again = decode_principal(encode_principal(p), "r2")
    assert (again.kind, again.name, again.role_arn, again.task_arn) == ("role", p.name, ROLE, TASK)


def test_role_principals_are_decided_by_policies_only_with_a_directory() -> None:
    role = Principal("x", kind="role", role_arn=ROLE)
    assert not Authorizer().decides_on_resources(role)
