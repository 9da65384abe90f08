"""One audit record, from what the call chain knows about a call. Pure.

A record says who (principal ARN and access key id, never a secret), what (the action and the
resource ARNs the request names), where (the cluster, the caller's address, the replica) and how
it ended (Success, Denied, Failed, with the gRPC code name). It never holds the request body or
the error message: both may echo values the caller sent (a secret's value, a password in an
environment variable).
"""

from __future__ import annotations

from collections.abc import Sequence

from berth import arn as arns
from berth.v1 import berth_pb2

# Reading the audit trail: WatchEvents asking for type "audit" is also authorized as this action.
WATCH_AUDIT_EVENTS = "berth:WatchAuditEvents"
SUCCESS, DENIED, FAILED = "Success", "Denied", "Failed"
_DENIED_CODES = frozenset({"PERMISSION_DENIED", "UNAUTHENTICATED"})


def outcome(code: str) -> str:
    """Success, Denied (the caller was not authenticated or not authorized) or Failed."""
    if code == "OK":
        return SUCCESS
    return DENIED if code in _DENIED_CODES else FAILED


def source_address(peer: str) -> str:
    """A caller's address as `ip:port` from gRPC's peer string (`ipv4:127.0.0.1:5000`,
    `ipv6:[::1]:5000`) or an HTTP remote address; "" when unknown (`unix:`, empty)."""
    kind, sep, rest = peer.partition(":")
    if sep and kind in ("ipv4", "ipv6"):
        return rest
    if kind == "unix" or not peer:
        return ""
    return peer


def audit_record(
    *,
    request_id: str,
    time: float,
    principal: str,
    access_key_id: str,
    action: str,
    resources: Sequence[tuple[str, str]],
    code: str,
    source: str,
    replica: str,
    via: str = "",
) -> berth_pb2.AuditRecord:
    """`resources`: (resource ARN, its cluster ARN or "") for each resource the request names;
    `code`: the call's gRPC code name ("OK" on success)."""
    cluster = next((arns.parse(c) for _, c in resources if c), None)
    return berth_pb2.AuditRecord(
        request_id=request_id,
        time=time,
        principal=principal,
        access_key_id=access_key_id,
        action=action,
        resources=[r for r, _ in resources],
        cluster=cluster.resource if cluster is not None else "",
        outcome=outcome(code),
        error_code="" if code == "OK" else code,
        source_address=source_address(source),
        replica=replica,
        via=via,
    )
