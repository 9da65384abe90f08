"""Task roles against a real etcd, control plane, agent and dockerd (issue #10, item 4).

A task with a `taskRoleArn` gets temporary credentials from its agent's credentials endpoint;
calls made with them (gRPC with the session token, SigV4 with X-Amz-Security-Token) are the
role's, allowed and denied by its policy. They are refused once the task is STOPPED or they
expired, and the janitor removes their records. Only the agent of the task's instance gets them.
The acceptance test: boto3 inside a task container, with nothing but the injected variables,
can DescribeTasks of its cluster when the role allows it and is denied otherwise.
"""

from __future__ import annotations

import json
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from berth import Client, tls
from berth.errors import ApiError
from berth.v1 import agent_pb2, agent_pb2_grpc, ecs_messages_pb2, store_pb2
from controlplane.iam import sessions
from controlplane.reconcile.janitor import Janitor
from controlplane.store import Put, keys
from tests.support import fakeagent
from tests.support.agents import wait_for, wait_task

pytestmark = [pytest.mark.etcd, pytest.mark.docker]

IMAGE = "berth/busybox:latest"
ACCOUNT = "000000000000"


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def make_role(client: Client, *statements: dict[str, Any]) -> str:
    name = unique("role")
    role = client.iam("CreateRole", roleName=name).role  # type: ignore[attr-defined]
    if statements:
        client.iam(  # type: ignore[attr-defined]
            "PutRolePolicy",
            roleName=name,
            policyName="task",
            policyDocument=json.dumps({"Version": "2012-10-17", "Statement": list(statements)}),
        )
    return str(role.arn)


def reads_tasks_of(cluster: str) -> dict[str, Any]:
    return {
        "Effect": "Allow",
        "Action": ["ecs:DescribeTasks", "ecs:ListTasks"],
        "Resource": "*",
        "Condition": {"StringEquals": {"ecs:cluster": f"arn:berth:ecs:local:{ACCOUNT}:cluster/{cluster}"}},
    }


def sleeper(client: Client, role: str | None, **extra: Any) -> str:
    definition: dict[str, Any] = {
        "family": unique("roles"),
        "containerDefinitions": [{"name": "c", "image": IMAGE, "memory": 16, "command": ["sleep", "600"]}],
        **extra,
    }
    if role:
        definition["taskRoleArn"] = role
    return str(client.register_task_definition(definition).task_definition.task_definition_arn)


def container_of(docker: Any, task_arn: str, name: str = "c") -> Any:
    found = docker.containers.list(
        all=True, filters={"label": [f"berth.task-arn={task_arn}", f"berth.container-name={name}"]}
    )
    assert found, f"no container {name} of {task_arn}"
    return found[0]


def env_of(container: Any) -> dict[str, str]:
    return dict(item.split("=", 1) for item in container.attrs["Config"]["Env"])


def fetch_in_container(container: Any) -> dict[str, Any]:
    """What an SDK in the container reads: the endpoint, as the container reaches it (bridge)."""
    code, out = container.exec_run(["sh", "-c", "wget -qO- $AWS_CONTAINER_CREDENTIALS_FULL_URI"])
    assert code == 0, out
    return json.loads(out)  # type: ignore[no-any-return]


def role_client(controlplane: Any, creds: dict[str, Any], *, token: bool = True) -> Client:
    return Client(
        controlplane.endpoint,
        f"{creds['AccessKeyId']}.{creds['SecretAccessKey']}",
        ca_file=controlplane.ca_file,
        session_token=creds["Token"] if token else None,
        timeout=10,
    )


def ecs_with(controlplane: Any, creds: dict[str, Any]) -> Any:
    return boto3.client(
        "ecs",
        endpoint_url=controlplane.http,
        verify=str(controlplane.ca_file),
        region_name="local",
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["Token"],
        config=Config(retries={"max_attempts": 1}),
    )


def code_of(call: Any) -> tuple[str, str]:
    with pytest.raises(ApiError) as e:
        call()
    return e.value.code, str(e.value)


def stored_credentials(controlplane: Any, task_arn: str) -> list[store_pb2.TaskCredentials]:
    records, _ = controlplane.run(
        controlplane.cp.store.snapshot(keys.TASK_CREDENTIALS, store_pb2.TaskCredentials)
    )
    return [r.value for r in records if r.value.task_arn == task_arn]


def test_role_credentials_act_as_the_role_until_the_task_stops(
    controlplane: Any, client: Client, cluster: str, agents: Any, docker: Any
) -> None:
    agents().wait_connected(client)
    role = make_role(client, reads_tasks_of(cluster))
    other = unique("other")
    client.create_cluster(clusterName=other)
    task_arn = client.run_task(cluster=cluster, taskDefinition=sleeper(client, role)).tasks[0].task_arn
    wait_task(client, cluster, task_arn, "RUNNING")

    container = container_of(docker, task_arn)
    env = env_of(container)
    url = env["AWS_CONTAINER_CREDENTIALS_FULL_URI"]
    assert url.startswith("http://169.254.170.2:") and "/v2/credentials/" in url
    assert "AWS_ACCESS_KEY_ID" not in env and "AWS_SECRET_ACCESS_KEY" not in env
    creds = fetch_in_container(container)
    assert creds["AccessKeyId"].startswith("ASIA") and creds["RoleArn"] == role
    expiration = time.mktime(time.strptime(creds["Expiration"], "%Y-%m-%dT%H:%M:%SZ")) - time.timezone
    assert 3500 < expiration - time.time() <= 3600

    session_arn = f"arn:aws:sts::{ACCOUNT}:assumed-role/{role.rsplit('/', 1)[1]}/{task_arn.rsplit('/', 1)[1]}"
    with role_client(controlplane, creds) as as_role:
        # gRPC: allowed by the role's policy, denied elsewhere, named as the assumed role.
        assert as_role.describe_tasks(cluster=cluster, tasks=[task_arn]).tasks[0].task_arn == task_arn
        code, message = code_of(lambda: as_role.list_tasks(cluster=other))
        assert code == "PERMISSION_DENIED" and session_arn in message and "ecs:ListTasks" in message
        code, message = code_of(lambda: as_role.call("ListClusters"))
        assert code == "PERMISSION_DENIED" and session_arn in message
    with role_client(controlplane, creds, token=False) as tokenless:
        code, message = code_of(lambda: tokenless.describe_tasks(cluster=cluster, tasks=[task_arn]))
        assert code == "UNAUTHENTICATED" and "x-amz-security-token" in message

    # SigV4 with X-Amz-Security-Token, as boto3 signs with container credentials.
    ecs = ecs_with(controlplane, creds)
    assert ecs.describe_tasks(cluster=cluster, tasks=[task_arn])["tasks"][0]["taskArn"] == task_arn
    with pytest.raises(ClientError) as denied:
        ecs.delete_cluster(cluster=other)
    assert denied.value.response["Error"]["Code"] == "AccessDeniedException"
    assert session_arn in denied.value.response["Error"]["Message"]
    forged = dict(creds, Token=creds["Token"][:-2] + "xx")
    with pytest.raises(ClientError) as bad_token:
        ecs_with(controlplane, forged).describe_tasks(cluster=cluster, tasks=[task_arn])
    assert bad_token.value.response["Error"]["Code"] == "InvalidClientTokenId"

    # The host reaches the endpoint too; unknown ids say nothing.
    with urllib.request.urlopen(url, timeout=5) as r:
        assert json.loads(r.read())["AccessKeyId"] == creds["AccessKeyId"]
    with pytest.raises(urllib.error.HTTPError) as missing:
        urllib.request.urlopen(url.rsplit("/", 1)[0] + "/" + "0" * 32, timeout=5)
    assert missing.value.code == 404
    assert [c.access_key_id for c in stored_credentials(controlplane, task_arn)] == [creds["AccessKeyId"]]

    client.stop_task(cluster=cluster, task=task_arn, reason="revoke")
    wait_task(client, cluster, task_arn, "STOPPED")
    with role_client(controlplane, creds) as as_role:
        code, message = code_of(lambda: as_role.describe_tasks(cluster=cluster, tasks=[task_arn]))
    assert code == "UNAUTHENTICATED" and "STOPPED" in message and role in message
    with pytest.raises(ClientError) as revoked:
        ecs.describe_tasks(cluster=cluster, tasks=[task_arn])
    assert revoked.value.response["Error"]["Code"] == "ExpiredTokenException"
    with pytest.raises(urllib.error.HTTPError) as forgotten:
        urllib.request.urlopen(url, timeout=5)
    assert forgotten.value.code == 404

    # Housekeeping removes the record: nothing accumulates.
    janitor = Janitor(controlplane.cp.store, controlplane.cp.state, compact=False)
    controlplane.run(janitor.tick(time.time()))  # (the leader's own janitor may have been first)
    assert stored_credentials(controlplane, task_arn) == []


def get_credentials(
    channel: Any, metadata: tuple[tuple[str, str], ...], task_arn: str
) -> agent_pb2.GetTaskCredentialsResponse:
    response: agent_pb2.GetTaskCredentialsResponse = agent_pb2_grpc.AgentStub(channel).GetTaskCredentials(  # type: ignore[no-untyped-call]
        agent_pb2.GetTaskCredentialsRequest(task_arn=task_arn), metadata=metadata, timeout=10
    )
    return response


def bearer(token: str) -> tuple[tuple[str, str], ...]:
    return (("authorization", f"Bearer {token}"),)


def grpc_error(call: Any) -> tuple[str, str]:
    import grpc

    with pytest.raises(grpc.RpcError) as e:
        call()
    return e.value.code().name, str(e.value.details())


def test_only_the_tasks_own_agent_gets_its_credentials(
    controlplane: Any, client: Client, cluster: str, agents: Any
) -> None:
    agent = agents()
    agent.wait_connected(client)
    role = make_role(client, reads_tasks_of(cluster))
    task_arn = client.run_task(cluster=cluster, taskDefinition=sleeper(client, role)).tasks[0].task_arn
    wait_task(client, cluster, task_arn, "RUNNING")

    # The agent's own credential: its client certificate on the agent port (TLS clusters).
    as_agent, agent_md = fakeagent.real_agent_channel(agent.data_dir, controlplane.endpoint)
    own = get_credentials(as_agent, agent_md, task_arn)
    assert own.role_arn == role and own.access_key_id.startswith("ASIA") and own.session_token
    assert 3590 < own.expiration - time.time() <= 3600

    # Another instance's agent (joined with the join token) is refused, naming the task.
    join = tls.split_join_token(fakeagent.join_token(controlplane))[0]
    with fakeagent.register(
        controlplane, ecs_messages_pb2.RegisterContainerInstanceRequest(cluster=cluster, name="liar")
    ) as liar:
        code, message = grpc_error(lambda: get_credentials(liar.channel, liar.metadata, task_arn))
    assert code == "PERMISSION_DENIED" and task_arn in message
    # Users (the admin key included) and the join token are refused too.
    code, _ = grpc_error(lambda: get_credentials(client._channel, bearer(client.token), task_arn))
    assert code == "PERMISSION_DENIED"
    code, _ = grpc_error(lambda: get_credentials(client._channel, bearer(join), task_arn))
    assert code == "PERMISSION_DENIED"

    # A task without a role gets none, saying so.
    plain = client.run_task(cluster=cluster, taskDefinition=sleeper(client, None)).tasks[0].task_arn
    code, message = grpc_error(lambda: get_credentials(as_agent, agent_md, plain))
    assert code == "FAILED_PRECONDITION" and plain in message and "no task role" in message
    client.stop_task(cluster=cluster, task=plain)
    client.stop_task(cluster=cluster, task=task_arn)
    wait_task(client, cluster, task_arn, "STOPPED")
    code, message = grpc_error(lambda: get_credentials(as_agent, agent_md, task_arn))
    assert code == "FAILED_PRECONDITION" and "STOPPED" in message
    as_agent.close()


def test_a_task_whose_role_does_not_exist_fails_to_start_naming_it(
    client: Client, cluster: str, agents: Any
) -> None:
    agents().wait_connected(client)
    missing = f"arn:aws:iam::{ACCOUNT}:role/{unique('nosuch')}"
    task_arn = client.run_task(cluster=cluster, taskDefinition=sleeper(client, missing)).tasks[0].task_arn
    stopped = wait_task(client, cluster, task_arn, "STOPPED")
    assert "ResourceInitializationError" in stopped.stopped_reason and missing in stopped.stopped_reason


def test_expired_credentials_are_refused(
    controlplane: Any, client: Client, cluster: str, agents: Any
) -> None:
    agents().wait_connected(client)
    role = make_role(client, reads_tasks_of(cluster))
    task_arn = client.run_task(cluster=cluster, taskDefinition=sleeper(client, role)).tasks[0].task_arn
    wait_task(client, cluster, task_arn, "RUNNING")
    # Credentials of this running task, issued two hours ago for one hour, stored as issued ones are.
    old = sessions.issue(task_arn, role, now=time.time() - 7200, ttl=3600)
    controlplane.run(controlplane.cp.store.commit(Put(keys.task_credentials(old.access_key_id), old, 0)))
    creds = {
        "AccessKeyId": old.access_key_id,
        "SecretAccessKey": old.secret_access_key,
        "Token": old.session_token,
    }
    with role_client(controlplane, creds) as as_role:
        code, message = code_of(lambda: as_role.describe_tasks(cluster=cluster, tasks=[task_arn]))
    assert code == "UNAUTHENTICATED" and "expired" in message and task_arn in message
    with pytest.raises(ClientError) as e:
        ecs_with(controlplane, creds).describe_tasks(cluster=cluster, tasks=[task_arn])
    assert e.value.response["Error"]["Code"] == "ExpiredTokenException"
    janitor = Janitor(controlplane.cp.store, controlplane.cp.state, compact=False)
    controlplane.run(janitor.tick(time.time()))
    assert old.access_key_id not in {c.access_key_id for c in stored_credentials(controlplane, task_arn)}


# -- the acceptance test: boto3 inside a task container ---------------------------------------

PROBE = """
import json, os, sys
import boto3
from botocore.exceptions import ClientError
ecs = boto3.client("ecs", endpoint_url=os.environ["ECS_ENDPOINT"], region_name="local")
cluster = os.environ["CLUSTER"]
try:
    arns = ecs.list_tasks(cluster=cluster)["taskArns"]
    tasks = ecs.describe_tasks(cluster=cluster, tasks=arns)["tasks"]
    print(json.dumps({"ok": True, "tasks": [t["taskArn"] for t in tasks]}))
except ClientError as e:
    error = e.response["Error"]
    print(json.dumps({"ok": False, "code": error["Code"], "message": error["Message"]}))
"""


def python_mounts() -> list[str]:
    """Host paths that hold this Python and its boto3, mounted read-only at the same place: the
    system libraries, the interpreter's prefix and the venv's (nested ones dropped)."""
    paths = {
        Path(p).resolve() for p in ("/usr", "/lib", "/lib64", sys.base_prefix, sys.prefix) if Path(p).exists()
    }
    mounts = []
    for p in sorted(paths):
        if not any(p != q and p.is_relative_to(q) for q in paths):
            mounts.append(str(p))
    # /lib and /lib64 are links into /usr on merged-/usr systems: mount them where the loader looks.
    return sorted({*mounts, *(p for p in ("/lib", "/lib64") if Path(p).exists())})


def probe_definition(role: str, cluster: str, endpoint: str, ca_file: Path | None) -> dict[str, Any]:
    mounts = python_mounts()
    env = {"ECS_ENDPOINT": endpoint, "CLUSTER": cluster, "HOME": "/tmp"}
    if ca_file is not None:
        # boto3 verifies the control plane's TLS with its CA bundle, mounted at the same path.
        mounts.append(str(ca_file))
        env["AWS_CA_BUNDLE"] = str(ca_file)
    return {
        "family": unique("probe"),
        "taskRoleArn": role,
        "networkMode": "host",  # the control plane's HTTP port listens on the host's 127.0.0.1
        "volumes": [{"name": f"m{i}", "host": {"sourcePath": p}} for i, p in enumerate(mounts)],
        "containerDefinitions": [
            {
                "name": "probe",
                "image": IMAGE,
                "memory": 256,
                "essential": True,
                "command": [str(Path(sys.executable).absolute()), "-c", PROBE],
                "environment": [{"name": k, "value": v} for k, v in env.items()],
                "mountPoints": [
                    {"sourceVolume": f"m{i}", "containerPath": p, "readOnly": True}
                    for i, p in enumerate(mounts)
                ],
            }
        ],
    }


def probe(controlplane: Any, client: Client, docker: Any, cluster: str, role: str) -> dict[str, Any]:
    td = client.register_task_definition(
        probe_definition(role, cluster, controlplane.http, controlplane.ca_file)
    )
    task_arn = (
        client.run_task(cluster=cluster, taskDefinition=td.task_definition.task_definition_arn)
        .tasks[0]
        .task_arn
    )
    stopped = wait_task(client, cluster, task_arn, "STOPPED", timeout=90)
    logs = container_of(docker, task_arn, "probe").logs().decode()
    assert stopped.containers[0].exit_code == 0, f"{stopped.stopped_reason}\n{logs}"
    line = [x for x in logs.splitlines() if x.startswith("{")]
    assert line, logs
    result: dict[str, Any] = json.loads(line[-1])
    result["task"] = task_arn
    return result


def test_boto3_in_a_task_container_acts_with_its_role(
    controlplane: Any, client: Client, cluster: str, agents: Any, docker: Any
) -> None:
    agents().wait_connected(client)
    allowed = probe(controlplane, client, docker, cluster, make_role(client, reads_tasks_of(cluster)))
    assert allowed["ok"], allowed
    # ListTasks lists RUNNING tasks: the probe sees itself.
    assert allowed["task"] in allowed["tasks"]

    lister = make_role(client, {"Effect": "Allow", "Action": "ecs:ListClusters", "Resource": "*"})
    denied = probe(controlplane, client, docker, cluster, lister)
    assert not denied["ok"] and denied["code"] == "AccessDeniedException", denied
    assert "assumed-role/" in denied["message"] and "ecs:ListTasks" in denied["message"]


def test_a_fargate_task_in_its_own_sandbox_gets_its_credentials(
    controlplane: Any, client: Client, cluster: str, agents: Any, docker: Any
) -> None:
    """FARGATE tasks live in their own network namespace (a pause container on Docker's bridge):
    they reach the endpoint through their gateway, as bridge containers do."""
    pool = agents(name="pool", extra=["--pool", "fargate", "--warm-sandboxes", "1"])
    wait_for(lambda: pool.instance_arn and pool.connected(client, pool.instance_arn), timeout=30)
    role = make_role(client, reads_tasks_of(cluster))
    td = sleeper(
        client, role, networkMode="awsvpc", requiresCompatibilities=["FARGATE"], cpu="256", memory="512"
    )
    task_arn = client.run_task(cluster=cluster, taskDefinition=td, launchType="FARGATE").tasks[0].task_arn
    wait_task(client, cluster, task_arn, "RUNNING")
    container = container_of(docker, task_arn)
    assert container.attrs["HostConfig"]["NetworkMode"].startswith("container:")
    creds = fetch_in_container(container)
    assert creds["RoleArn"] == role
    assert ecs_with(controlplane, creds).describe_tasks(cluster=cluster, tasks=[task_arn])["tasks"]
    client.stop_task(cluster=cluster, task=task_arn)
    wait_task(client, cluster, task_arn, "STOPPED")


def test_a_restarted_agent_serves_an_adopted_task_at_the_same_uri(
    client: Client, cluster: str, agents: Any, docker: Any
) -> None:
    agent = agents()
    agent.wait_connected(client)
    role = make_role(client, reads_tasks_of(cluster))
    task_arn = client.run_task(cluster=cluster, taskDefinition=sleeper(client, role)).tasks[0].task_arn
    wait_task(client, cluster, task_arn, "RUNNING")
    container = container_of(docker, task_arn)
    before = fetch_in_container(container)

    agent.kill()  # SIGKILL: the container keeps running, knowing its URI
    agent.start()
    agent.wait_connected(client)
    after = wait_for(lambda: _try_fetch(container), timeout=30, message="the URI answers again")
    assert after["RoleArn"] == role and after["AccessKeyId"] != before["AccessKeyId"]
    assert wait_task(client, cluster, task_arn, "RUNNING").task_arn == task_arn


def _try_fetch(container: Any) -> dict[str, Any] | None:
    code, out = container.exec_run(["sh", "-c", "wget -qO- $AWS_CONTAINER_CREDENTIALS_FULL_URI"])
    return json.loads(out) if code == 0 else None  # type: ignore[no-any-return]
