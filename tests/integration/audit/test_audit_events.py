"""The audit trail on the event stream, against a real control plane and etcd: an allowed, a denied
and an unauthenticated mutating call each become an "AWS API Call via CloudTrail" event that
WatchEvents sends to a watcher asking for type "audit" (and only to one allowed
berth:WatchAuditEvents), with no secret value in the events or in etcd's audit keys; the batches
expire with their lease."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest

from berth import ApiError, Client
from berth.v1 import berth_pb2
from controlplane.audit import AuditTrail
from controlplane.store import EtcdStore, keys
from tests.support.agents import wait_for
from tests.support.users import iam_user

pytestmark = pytest.mark.etcd

ACCOUNT = "000000000000"
WATCHER = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": ["ecs:WatchEvents"], "Resource": "*"}],
}


def audit_events(client: Any, cluster: str = "") -> list[berth_pb2.Event]:
    return list(
        client.watch_events(cluster=cluster, types=["audit"], fromOldest=True, follow=False, timeout=20)
    )


def find(client: Any, match: Any, cluster: str = "") -> berth_pb2.Event:
    return wait_for(  # type: ignore[no-any-return]
        lambda: next((e for e in audit_events(client, cluster) if match(e.audit)), None),
        timeout=10,
        interval=0.2,
        message="the audit event did not arrive",
    )


def test_allowed_denied_and_unauthenticated_calls_are_audit_events(
    client: Any, cluster: str, controlplane: Any
) -> None:
    cluster_arn = f"arn:berth:ecs:local:{ACCOUNT}:cluster/{cluster}"
    # Allowed.
    client.call("TagResource", resourceArn=cluster_arn, tags=[{"key": "team", "value": "audit"}])
    created = find(client, lambda r: r.action == "ecs:TagResource" and cluster_arn in r.resources, cluster)
    assert created.detail_type == "AWS API Call via CloudTrail" and created.source == "berth.ecs"
    assert created.type == "audit" and created.cluster == cluster and created.id
    assert (created.account, created.region) == (ACCOUNT, "local")
    r = created.audit
    assert (r.principal, r.outcome, r.error_code, r.cluster) == (
        "arn:berth:iam::user/admin",
        "Success",
        "",
        cluster,
    )
    assert r.access_key_id.startswith("BKIA") and r.request_id and r.replica
    assert r.source_address.startswith("127.0.0.1:") and r.time > 0

    # Denied: a user with no policy; and an unknown credential.
    with iam_user(client, None, "nobody") as (name, token):
        with Client(controlplane.endpoint, token, ca_file=controlplane.ca_file, timeout=10) as nobody:
            with pytest.raises(ApiError) as e:
                nobody.delete_cluster(cluster=cluster)
            assert e.value.code == "PERMISSION_DENIED"
        denied = find(client, lambda r: r.action == "ecs:DeleteCluster" and r.principal.endswith(f"/{name}"))
        assert (denied.audit.outcome, denied.audit.error_code) == ("Denied", "PERMISSION_DENIED")
        assert list(denied.audit.resources) == [cluster_arn] and denied.cluster == cluster
        assert denied.summary.startswith(f"ecs:DeleteCluster by arn:berth:iam::user/{name}: Denied")
    marker = f"stranger-{uuid.uuid4().hex[:8]}"
    with Client(
        controlplane.endpoint, f"BKIA{marker}.not-a-secret", ca_file=controlplane.ca_file, timeout=10
    ) as stranger:
        with pytest.raises(ApiError) as e:
            stranger.delete_cluster(cluster=marker)
        assert e.value.code == "UNAUTHENTICATED"
    unknown = find(client, lambda r: r.action == "ecs:DeleteCluster" and r.cluster == marker, marker)
    assert unknown.audit.error_code == "UNAUTHENTICATED"
    assert (unknown.audit.principal, unknown.audit.access_key_id, unknown.audit.outcome) == ("", "", "Denied")

    # Reads are not audited; the default stream has no audit events.
    assert not [e for e in audit_events(client, cluster) if e.audit.action.startswith("ecs:Describe")]
    client.describe_clusters(clusters=[cluster])
    plain = list(client.watch_events(cluster=cluster, fromOldest=True, follow=False, timeout=20))
    assert not [e for e in plain if e.type == "audit"]


def test_no_secret_value_reaches_the_events_or_etcd(client: Any, controlplane: Any) -> None:
    value = f"hunter2-{uuid.uuid4().hex}"
    name = f"audit-{uuid.uuid4().hex[:8]}"
    client.secretsmanager("CreateSecret", name=name, secretString=value)
    try:
        client.secretsmanager("PutSecretValue", secretId=name, secretString=value + "-2")
        with iam_user(client, None, "keyed") as (_, token):
            key_secret = token.partition(".")[2]
            find(client, lambda r: r.action == "secretsmanager:PutSecretValue")
            find(client, lambda r: r.action == "iam:CreateAccessKey")
            events = b"".join(e.SerializeToString() for e in audit_events(client))
            stored = controlplane.run(controlplane.cp.store.raw(keys.AUDIT))
            assert stored and all(k.startswith(keys.AUDIT) for k, _ in stored)
            for blob in (events, b"".join(v for _, v in stored)):
                assert value.encode() not in blob
                assert key_secret.encode() not in blob
    finally:
        client.secretsmanager("DeleteSecret", secretId=name, forceDeleteWithoutRecovery=True)


def test_reading_the_audit_trail_needs_its_own_action(client: Any, controlplane: Any) -> None:
    with (
        iam_user(client, WATCHER, "watcher") as (_, token),
        Client(controlplane.endpoint, token, ca_file=controlplane.ca_file, timeout=10) as w,
    ):
        list(w.watch_events(fromOldest=False, follow=False, timeout=10))  # state changes: fine
        with pytest.raises(ApiError) as e:
            list(w.watch_events(types=["audit"], follow=False, timeout=10))
        assert e.value.code == "PERMISSION_DENIED"
        assert "berth:WatchAuditEvents" in str(e.value)
    with pytest.raises(ApiError) as e:
        list(client.watch_events(types=["audits"], follow=False, timeout=10))
    assert e.value.code == "INVALID_ARGUMENT" and "audit" in str(e.value)


def test_a_batch_is_one_key_on_a_lease_that_expires(etcd_endpoint: str) -> None:
    async def scenario() -> tuple[int, int, int]:
        store = EtcdStore([etcd_endpoint], prefix=f"/berth-test-audit-{uuid.uuid4().hex[:8]}/")
        await store.start()
        try:
            trail = AuditTrail(store, "cp-test", ttl_seconds=1, renew_seconds=1)
            for i in range(50):
                trail.record(berth_pb2.AuditRecord(request_id=str(i), action="ecs:RunTask"))
            assert await trail.flush()
            stored = await store.raw(keys.AUDIT)
            records = sum(len(berth_pb2.AuditBatch.FromString(v).records) for _, v in stored)
            await asyncio.sleep(4)  # the lease: ttl + renew = 2 s (etcd expires leases within ~1 s more)
            return len(stored), records, len(await store.raw(keys.AUDIT))
        finally:
            await store.close()

    keys_written, records, left = asyncio.run(scenario())
    assert (keys_written, records, left) == (1, 50, 0)
