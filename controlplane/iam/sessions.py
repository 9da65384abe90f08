"""Task role sessions: the temporary credentials a task's containers act with. Pure.

A task whose definition (or RunTask override) names a `taskRoleArn` gets credentials from the
agent of its instance, which asks the control plane (Agent/GetTaskCredentials). Each issue is a
record (`store_pb2.TaskCredentials`): an ASIA key id, a secret and a session token, bound to the
task and the role, valid until `expiration`. A call made with them is the role's, decided by the
role's policies, under the assumed-role ARN `arn:aws:sts::<account>:assumed-role/<role>/<task-id>`.

They are refused once expired or once the task is STOPPED (or gone), worded as STS words it
(`ExpiredToken`). Nothing here does I/O or reads the clock: callers pass `now` and the task's
status.
"""

from __future__ import annotations

import secrets

from berth.errors import FailedPrecondition, Unauthenticated
from berth.v1 import store_pb2, types_pb2

KEY_PREFIX = "ASIA"  # as STS's temporary keys
DEFAULT_TTL_SECONDS = 3600.0
MIN_TTL_SECONDS = 10.0
MAX_TTL_SECONDS = 12 * 3600.0
# etcd keeps a record this long past its expiration (so a late call is told "expired", not
# "unknown"), then deletes it with its lease.
LEASE_SLACK_SECONDS = 300.0
EXPIRED_TYPE = "ExpiredTokenException"


def is_session_key(access_key_id: str) -> bool:
    return access_key_id.startswith(KEY_PREFIX)


def role_of(task: types_pb2.Task, definition: types_pb2.TaskDefinition) -> str:
    """The task's role ARN: RunTask's override, else the task definition's ("" when none)."""
    return task.overrides.task_role_arn or definition.task_role_arn


def check_ttl(seconds: float) -> float:
    if not MIN_TTL_SECONDS <= seconds <= MAX_TTL_SECONDS:
        raise ValueError(
            f"{seconds:g} is out of range: task credentials live {MIN_TTL_SECONDS:g} to {MAX_TTL_SECONDS:g} s"
        )
    return seconds


def issue(task_arn: str, role_arn: str, *, now: float, ttl: float) -> store_pb2.TaskCredentials:
    """New credentials for `task_arn` acting as `role_arn`, valid for `ttl` seconds from `now`."""
    return store_pb2.TaskCredentials(
        access_key_id=KEY_PREFIX + secrets.token_hex(8).upper(),
        secret_access_key=secrets.token_urlsafe(30),
        session_token=secrets.token_urlsafe(48),
        task_arn=task_arn,
        role_arn=role_arn,
        issued_at=now,
        expiration=now + ttl,
    )


def lease_seconds(record: store_pb2.TaskCredentials, now: float) -> int:
    """The etcd lease the record lives on: until a little after it expires."""
    return max(1, round(record.expiration - now + LEASE_SLACK_SECONDS))


def task_id(task_arn: str) -> str:
    return task_arn.rsplit("/", 1)[-1]


def role_name(role_arn: str) -> str:
    return role_arn.rsplit("/", 1)[-1]


def account_of(role_arn: str) -> str:
    """The account of `arn:aws:iam::<account>:role/<name>` ("" when the ARN has none)."""
    parts = role_arn.split(":")
    return parts[4] if len(parts) > 5 else ""


def assumed_role_arn(role_arn: str, task_arn: str) -> str:
    """The principal ARN a task's calls carry (`aws:PrincipalArn`, error messages), as STS names
    an assumed role's session: the role's name and the task's id as the session name."""
    return f"arn:aws:sts::{account_of(role_arn)}:assumed-role/{role_name(role_arn)}/{task_id(task_arn)}"


def check_usable(
    record: store_pb2.TaskCredentials | None,
    *,
    access_key_id: str,
    session_token: str | None,
    task_status: str | None,
    now: float,
) -> store_pb2.TaskCredentials:
    """The record, if a call may be made with it: the session token matches, it has not
    expired, and its task is known and not STOPPED. `task_status` is the task's lastStatus
    (None: no such task). The secret is checked by the caller (bearer compare or SigV4)."""
    if record is None:
        raise Unauthenticated(
            f"the security token included in the request is invalid: temporary access key "
            f"{access_key_id!r} is unknown (revoked or never issued)",
            ecs_type="UnrecognizedClientException",
        )
    if not session_token:
        raise Unauthenticated(
            f"temporary access key {access_key_id!r} needs its session token (gRPC metadata "
            "'x-amz-security-token', or SigV4's X-Amz-Security-Token header)",
            ecs_type="InvalidClientTokenId",
        )
    if not secrets.compare_digest(record.session_token.encode(), session_token.encode()):
        raise Unauthenticated(
            f"the security token included in the request is invalid for access key {access_key_id!r}",
            ecs_type="InvalidClientTokenId",
        )
    if now >= record.expiration:
        raise Unauthenticated(
            f"the security token included in the request is expired: the credentials of task "
            f"{record.task_arn} (role {record.role_arn}) expired {now - record.expiration:.0f} s ago",
            ecs_type=EXPIRED_TYPE,
        )
    if task_status is None or task_status == "STOPPED":
        state = "is STOPPED" if task_status == "STOPPED" else "no longer exists"
        raise Unauthenticated(
            f"the security token included in the request is expired: task {record.task_arn} {state}, "
            f"so its role {record.role_arn} credentials are revoked",
            ecs_type=EXPIRED_TYPE,
        )
    return record


def check_issuable(task: types_pb2.Task, role_arn: str, role_exists: bool) -> None:
    """Whether credentials may be issued for `task` with role `role_arn` (FailedPrecondition,
    naming the task and the role, when not)."""
    if task.last_status == "STOPPED":
        raise FailedPrecondition(f"task {task.task_arn} is STOPPED: its role credentials are not given out")
    if not role_arn:
        raise FailedPrecondition(f"task {task.task_arn} has no task role (taskRoleArn)")
    if not role_exists:
        raise FailedPrecondition(
            f"the task role {role_arn} of task {task.task_arn} does not exist (iam CreateRole first)"
        )


def expired(record: store_pb2.TaskCredentials, now: float) -> bool:
    return now >= record.expiration
