"""IAM users and policies against a real control plane: the policy matrix of issue #10.

A user allowed RunTask and Describe* on cluster A only is denied on cluster B, on DeleteService, on
the logs of B; an explicit Deny beats an Allow; tags in conditions; a malformed policy is refused
naming its JSON path; the simulator explains; the ECS JSON endpoint (SigV4, boto3) decides the same.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from berth import Client
from berth.errors import ApiError

pytestmark = pytest.mark.etcd

ACCOUNT = "000000000000"


def doc(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


@pytest.fixture
def clusters(client: Any) -> tuple[str, str]:
    a, b = f"iam-a-{uuid.uuid4().hex[:6]}", f"iam-b-{uuid.uuid4().hex[:6]}"
    for name in (a, b):
        client.call("CreateCluster", clusterName=name)
    client.call(
        "TagResource",
        resourceArn=f"arn:berth:ecs:local:{ACCOUNT}:cluster/{a}",
        tags=[{"key": "team", "value": "web"}],
    )
    return a, b


def make_user(client: Any, policy: str | None = None) -> tuple[str, dict[str, Any]]:
    name = f"u-{uuid.uuid4().hex[:8]}"
    client.iam("CreateUser", userName=name)
    if policy is not None:
        client.iam("PutUserPolicy", userName=name, policyName="work", policyDocument=policy)
    key = client.iam("CreateAccessKey", userName=name).access_key
    return name, {"id": key.access_key_id, "secret": key.secret_access_key}


@pytest.fixture
def user_client(controlplane: Any) -> Iterator[Any]:
    made: list[Client] = []

    def connect(key: dict[str, Any]) -> Client:
        c = Client(
            controlplane.endpoint, f"{key['id']}.{key['secret']}", ca_file=controlplane.ca_file, timeout=10
        )
        made.append(c)
        return c

    yield connect
    for c in made:
        c.close()


def arn(kind: str, rest: str) -> str:
    return f"arn:berth:ecs:local:{ACCOUNT}:{kind}/{rest}"


def denied(call: Any) -> str:
    with pytest.raises(ApiError) as e:
        call()
    assert e.value.code == "PERMISSION_DENIED", e.value
    return str(e.value)


def test_policy_matrix(client: Any, clusters: tuple[str, str], user_client: Any) -> None:
    a, b = clusters
    _, key = make_user(
        client,
        doc(
            {
                "Effect": "Allow",
                "Action": ["ecs:RunTask", "ecs:Describe*", "ecs:List*", "ecs:GetTaskLogs"],
                "Resource": "*",
                "Condition": {"StringEquals": {"ecs:cluster": arn("cluster", a)}},
            },
        ),
    )
    ann = user_client(key)
    assert ann.call("DescribeClusters", clusters=[a]).clusters[0].cluster_name == a
    assert ann.call("ListTasks", cluster=a) is not None
    message = denied(lambda: ann.call("ListTasks", cluster=b))
    assert (
        "ecs:ListTasks" in message and arn("cluster", b) in message and "no identity-based policy" in message
    )
    denied(lambda: ann.call("DescribeClusters", clusters=[a, b]))  # every resource must be allowed
    denied(lambda: ann.call("DeleteService", cluster=a, service="web"))
    denied(
        lambda: (
            list(ann.task_logs(cluster=b, task="0" * 32))
            if hasattr(ann, "task_logs")
            else ann.call("StopTask", cluster=b, task="0" * 32)
        )
    )
    denied(lambda: ann.call("ListClusters"))  # resource "*" with no cluster: the condition does not hold
    denied(lambda: ann.iam("ListUsers"))
    # Not denied: refused for what it is once allowed (no such task definition).
    with pytest.raises(ApiError) as e:
        ann.call("RunTask", cluster=a, taskDefinition="nope-family")
    assert e.value.code != "PERMISSION_DENIED"


def test_explicit_deny_beats_allow_and_tags_in_conditions(
    client: Any, clusters: tuple[str, str], user_client: Any
) -> None:
    a, b = clusters
    _, key = make_user(
        client,
        doc(
            {"Effect": "Allow", "Action": "ecs:*", "Resource": "*"},
            {
                "Sid": "OnlyWebTeam",
                "Effect": "Deny",
                "Action": "ecs:DescribeClusters",
                "Resource": "*",
                "Condition": {"StringNotEquals": {"aws:ResourceTag/team": "web"}},
            },
        ),
    )
    bob = user_client(key)
    assert bob.call("DescribeClusters", clusters=[a]).clusters[0].cluster_name == a  # tagged team=web
    message = denied(lambda: bob.call("DescribeClusters", clusters=[b]))
    assert "explicit deny" in message and "OnlyWebTeam" in message
    assert bob.call("ListTasks", cluster=b) is not None


def test_a_user_with_no_policy_may_do_nothing(
    client: Any, clusters: tuple[str, str], user_client: Any
) -> None:
    _, key = make_user(client)
    nobody = user_client(key)
    denied(lambda: nobody.call("ListClusters"))
    denied(lambda: nobody.call("DescribeClusters", clusters=[clusters[0]]))


def test_managed_policies_and_detach(client: Any, clusters: tuple[str, str], user_client: Any) -> None:
    name, key = make_user(client)
    carol = user_client(key)
    client.iam("AttachUserPolicy", userName=name, policyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
    assert carol.call("ListClusters") is not None
    denied(lambda: carol.call("CreateCluster", clusterName="nope"))
    local = client.iam(
        "CreatePolicy",
        policyName=f"make-{uuid.uuid4().hex[:6]}",
        policyDocument=doc({"Effect": "Allow", "Action": "ecs:CreateCluster", "Resource": "*"}),
    ).policy
    client.iam("AttachUserPolicy", userName=name, policyArn=local.arn)
    with pytest.raises(ApiError) as e:
        client.iam("DeletePolicy", policyArn=local.arn)
    assert "DeleteConflict" in repr(e.value) or e.value.code == "FAILED_PRECONDITION"
    made = f"iam-c-{uuid.uuid4().hex[:6]}"
    assert carol.call("CreateCluster", clusterName=made).cluster.cluster_name == made
    client.iam("DetachUserPolicy", userName=name, policyArn=local.arn)
    denied(lambda: carol.call("CreateCluster", clusterName=made + "x"))
    client.iam("DeletePolicy", policyArn=local.arn)


def test_malformed_policy_names_the_path(client: Any) -> None:
    name, _ = make_user(client)
    with pytest.raises(ApiError) as e:
        client.iam(
            "PutUserPolicy",
            userName=name,
            policyName="bad",
            policyDocument=doc(
                {"Effect": "Allow", "Action": "ecs:RunTask", "Resource": "*"}, {"Effect": "allow"}
            ),
        )
    assert e.value.code == "INVALID_ARGUMENT"
    fields = {v.field for v in e.value.violations}
    assert "Statement[1].Effect" in fields and "Statement[1].Action" in fields
    assert client.iam("ListUserPolicies", userName=name).policy_names == []  # nothing written


def test_delete_user_refused_while_it_has_keys_and_revoked_key(
    client: Any, clusters: tuple[str, str], user_client: Any
) -> None:
    name, key = make_user(client, doc({"Effect": "Allow", "Action": "ecs:List*", "Resource": "*"}))
    dave = user_client(key)
    assert dave.call("ListClusters") is not None
    with pytest.raises(ApiError) as e:
        client.iam("DeleteUser", userName=name)
    assert e.value.code == "FAILED_PRECONDITION"
    client.iam("DeleteAccessKey", userName=name, accessKeyId=key["id"])
    with pytest.raises(ApiError) as e2:
        dave.call("ListClusters")
    assert e2.value.code == "UNAUTHENTICATED"
    client.iam("DeleteUserPolicy", userName=name, policyName="work")
    client.iam("DeleteUser", userName=name)
    with pytest.raises(ApiError) as e3:
        client.iam("GetUser", userName=name)
    assert e3.value.code == "NOT_FOUND"


def test_simulator_explains(client: Any, clusters: tuple[str, str]) -> None:
    a, b = clusters
    name, _ = make_user(
        client,
        doc(
            {"Sid": "Run", "Effect": "Allow", "Action": "ecs:RunTask", "Resource": "*"},
            {
                "Sid": "NotB",
                "Effect": "Deny",
                "Action": "*",
                "Resource": "*",
                "Condition": {"StringEquals": {"ecs:cluster": arn("cluster", b)}},
            },
        ),
    )
    results = client.iam(
        "SimulatePrincipalPolicy",
        policySourceArn=f"arn:aws:iam::{ACCOUNT}:user/{name}",
        actionNames=["ecs:RunTask", "ecs:DeleteCluster"],
        contextEntries=[{"contextKeyName": "ecs:cluster", "contextKeyValues": [arn("cluster", a)]}],
    ).evaluation_results
    assert [r.eval_decision for r in results] == ["allowed", "implicitDeny"]
    assert "Run" in results[0].matched_statements[0]
    results = client.iam(
        "SimulatePrincipalPolicy",
        policySourceArn=name,
        actionNames=["ecs:RunTask"],
        contextEntries=[{"contextKeyName": "ecs:cluster", "contextKeyValues": [arn("cluster", b)]}],
    ).evaluation_results
    assert results[0].eval_decision == "explicitDeny" and "NotB" in results[0].explanation


def test_the_json_endpoint_decides_the_same(
    controlplane: Any, client: Any, clusters: tuple[str, str]
) -> None:
    a, b = clusters
    _, key = make_user(
        client,
        doc(
            {
                "Effect": "Allow",
                "Action": "ecs:ListTasks",
                "Resource": "*",
                "Condition": {"StringEquals": {"ecs:cluster": arn("cluster", a)}},
            }
        ),
    )
    region = json.loads(controlplane.config_path.read_text())["region"]
    ecs = boto3.session.Session().client(
        "ecs",
        endpoint_url=controlplane.http,
        verify=str(controlplane.ca_file),
        region_name=region,
        aws_access_key_id=key["id"],
        aws_secret_access_key=key["secret"],
        config=Config(retries={"total_max_attempts": 1}),
    )
    assert ecs.list_tasks(cluster=a)["taskArns"] == []
    with pytest.raises(ClientError) as e:
        ecs.list_tasks(cluster=b)
    assert e.value.response["Error"]["Code"] == "AccessDeniedException"
    assert "ecs:ListTasks" in e.value.response["Error"]["Message"]


def test_roles_hold_policies_and_simulate(client: Any) -> None:
    name = f"r-{uuid.uuid4().hex[:8]}"
    role = client.iam("CreateRole", roleName=name, description="what the web tasks may do").role
    assert (
        role.arn == f"arn:aws:iam::{ACCOUNT}:role/{name}" and "ecs-tasks" in role.assume_role_policy_document
    )
    client.iam(
        "PutRolePolicy",
        roleName=name,
        policyName="read",
        policyDocument=doc({"Effect": "Allow", "Action": "ecs:DescribeTasks", "Resource": "*"}),
    )
    client.iam("AttachRolePolicy", roleName=name, policyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
    results = client.iam(
        "SimulatePrincipalPolicy", policySourceArn=role.arn, actionNames=["ecs:DescribeTasks", "ecs:RunTask"]
    ).evaluation_results
    assert [r.eval_decision for r in results] == ["allowed", "implicitDeny"]
    with pytest.raises(ApiError) as e:
        client.iam("DeleteRole", roleName=name)
    assert e.value.code == "FAILED_PRECONDITION"
    client.iam("DetachRolePolicy", roleName=name, policyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
    client.iam("DeleteRolePolicy", roleName=name, policyName="read")
    client.iam("DeleteRole", roleName=name)


def test_exec_is_authorized_on_the_cluster_of_its_start_message(
    client: Any, clusters: tuple[str, str], user_client: Any
) -> None:
    from berth.v1 import berth_pb2

    a, b = clusters
    _, key = make_user(
        client,
        doc(
            {
                "Effect": "Allow",
                "Action": "ecs:ExecuteCommand",
                "Resource": "*",
                "Condition": {"StringEquals": {"ecs:cluster": arn("cluster", a)}},
            }
        ),
    )
    eve = user_client(key)

    def start(cluster: str) -> ApiError:
        first = berth_pb2.ExecuteCommandStreamRequest(
            start=berth_pb2.ExecStart(cluster=cluster, task="0" * 32, command="sh")
        )
        with pytest.raises(ApiError) as e:
            list(eve.execute_command_stream([first], timeout=10))
        return e.value

    assert start(b).code == "PERMISSION_DENIED"
    allowed = start(a)  # past the authorizer: refused for what it is (no such task)
    assert allowed.code != "PERMISSION_DENIED", allowed
