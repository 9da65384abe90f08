"""Secrets against a real control plane, etcd, agent and dockerd (issue #10, item 5).

The Secrets Manager API (versions and staging labels, errors); etcd holds no value in plain text;
a task gets its secrets as environment variables and environment files at start, through its agent,
when its execution role allows them; a missing or forbidden secret fails the task with
ResourceInitializationError naming it; a value never shows in DescribeTasks, events or logs;
RotateSecret --restart-services gives the readers a new deployment that starts with the new value.
"""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from typing import Any

import pytest

from berth import Client
from berth.errors import ApiError
from tests.support.agents import wait_for

pytestmark = [pytest.mark.etcd, pytest.mark.docker]

IMAGE = "berth/busybox:latest"


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def role_reading(client: Client, *secret_arns: str) -> str:
    name = unique("exec")
    role = client.iam("CreateRole", roleName=name).role
    statement = {"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": list(secret_arns)}
    client.iam(
        "PutRolePolicy",
        roleName=name,
        policyName="secrets",
        policyDocument=json.dumps({"Version": "2012-10-17", "Statement": [statement]}),
    )
    return str(role.arn)


def test_api_versions_and_errors(client: Client) -> None:
    name = unique("db")
    created = client.secretsmanager("CreateSecret", name=name, secretString="one", description="the db")
    assert created.arn.startswith("arn:aws:secretsmanager:") and f":secret:{name}-" in created.arn
    put = client.secretsmanager("PutSecretValue", secretId=name, secretString="two")
    assert list(put.version_stages) == ["AWSCURRENT"]
    assert client.secretsmanager("GetSecretValue", secretId=created.arn).secret_string == "two"
    previous = client.secretsmanager("GetSecretValue", secretId=name, versionStage="AWSPREVIOUS")
    assert previous.secret_string == "one" and previous.version_id == created.version_id
    described = client.secretsmanager("DescribeSecret", secretId=name)
    assert {k: list(v.stages) for k, v in described.version_ids_to_stages.items()} == {
        created.version_id: ["AWSPREVIOUS"],
        put.version_id: ["AWSCURRENT"],
    }
    listed = client.secretsmanager("ListSecrets", maxResults=100)
    assert name in [s.name for s in listed.secret_list] or listed.next_token
    with pytest.raises(ApiError) as e:
        client.secretsmanager("CreateSecret", name=name, secretString="again")
    assert "ResourceExistsException" in repr(e.value) or "already exists" in str(e.value)
    with pytest.raises(ApiError) as e2:
        client.secretsmanager("GetSecretValue", secretId=unique("missing"))
    assert e2.value.code == "NOT_FOUND"
    with pytest.raises(ApiError) as e3:
        client.secretsmanager("PutSecretValue", secretId=name, secretString="x" * 70000)
    assert e3.value.code == "INVALID_ARGUMENT" and "secretString" in str(e3.value)
    client.secretsmanager("DeleteSecret", secretId=name, forceDeleteWithoutRecovery=True)
    with pytest.raises(ApiError):
        client.secretsmanager("DescribeSecret", secretId=name)


def test_etcd_holds_no_value_in_plain_text(controlplane: Any, client: Client) -> None:
    marker = f"plain-{uuid.uuid4().hex}"
    rotated = f"rotated-{uuid.uuid4().hex}"
    client.secretsmanager("CreateSecret", name=unique("scan"), secretString=marker)
    client.secretsmanager(
        "CreateSecret", name=unique("scan-json"), secretString=json.dumps({"password": marker})
    )
    # Registry credentials, and new values put and rotated in (as file secrets get them).
    registry = client.secretsmanager(
        "CreateSecret",
        name=unique("scan-registry"),
        secretString=json.dumps({"username": "u", "password": marker}),
    )
    client.secretsmanager("PutSecretValue", secretId=registry.arn, secretString=rotated)
    client.secretsmanager("RotateSecret", secretId=registry.arn, secretString=rotated + "-2")
    stored = controlplane.run(controlplane.cp.store.raw())
    assert stored, "nothing read from etcd"
    for plain in (marker, rotated):
        assert not [key for key, value in stored if plain.encode() in value or plain.encode() in key.encode()]


def secret_task(
    client: Client,
    family: str,
    role: str | None,
    secrets: list[dict[str, str]],
    env_files: list[str],
    check: str,
) -> str:
    definition: dict[str, Any] = {
        "family": family,
        "containerDefinitions": [
            {
                "name": "app",
                "image": IMAGE,
                "memory": 32,
                # Stays up only when the values arrived: the test never needs to read them.
                "command": ["sh", "-c", f"{check} && exec sleep 300"],
                "secrets": secrets,
                "environmentFiles": [{"value": v, "type": "s3"} for v in env_files],
            }
        ],
    }
    if role:
        definition["executionRoleArn"] = role
    return str(client.register_task_definition(definition).task_definition.task_definition_arn)


def wait_status(client: Client, cluster: str, task_arn: str, status: str) -> Any:
    def check() -> Any:
        task = client.describe_tasks(cluster=cluster, tasks=[task_arn]).tasks[0]
        return task if task.last_status == status else None

    return wait_for(check, timeout=60, interval=0.3, message=f"{task_arn} not {status}")


def test_a_task_starts_with_its_secrets(client: Client, cluster: str, agents: Any) -> None:
    agent = agents(name="secrethost")
    agent.wait_connected(client)
    password = f"pw-{uuid.uuid4().hex[:8]}"
    db = client.secretsmanager(
        "CreateSecret", name=unique("db"), secretString=json.dumps({"password": password})
    )
    env = client.secretsmanager(
        "CreateSecret", name=unique("env"), secretString="# app settings\nMODE=prod\nLEVEL=3\n"
    )
    role = role_reading(client, db.arn, env.arn)
    digest = hashlib.sha256(password.encode()).hexdigest()
    td = secret_task(
        client,
        unique("sec"),
        role,
        [{"name": "DB_PASSWORD", "valueFrom": f"{db.arn}:password::"}],
        [env.arn],
        # The command compares digests: the password itself must not be in the task definition.
        f'test "$(printf %s "$DB_PASSWORD" | sha256sum | cut -c1-64)" = {digest}'
        ' && test "$MODE" = prod && test "$LEVEL" = 3',
    )
    task = client.run_task(cluster=cluster, taskDefinition=td).tasks[0]
    running = wait_status(client, cluster, task.task_arn, "RUNNING")
    time.sleep(2)  # a wrong value would have ended the container by now
    assert client.describe_tasks(cluster=cluster, tasks=[task.task_arn]).tasks[0].last_status == "RUNNING"
    # Nowhere but in the container: not in the task, its definition, the events or the agent's log.
    assert password not in str(running) and password not in str(
        client.describe_task_definition(taskDefinition=td)
    )
    events = list(client.get_task_logs(cluster=cluster, task=task.task_arn))
    assert password not in str(events)
    assert password not in agent.log_path.read_text()
    client.stop_task(cluster=cluster, task=task.task_arn)


def test_missing_or_forbidden_secrets_fail_the_task_naming_them(
    client: Client, cluster: str, agents: Any
) -> None:
    agent = agents(name="secrethost2")
    agent.wait_connected(client)
    missing = unique("missing")
    allowed = client.secretsmanager("CreateSecret", name=unique("ok"), secretString="v")
    forbidden = client.secretsmanager("CreateSecret", name=unique("forbidden"), secretString="v")
    role = role_reading(client, allowed.arn)
    cases = [
        ([{"name": "A", "valueFrom": missing}], f"secret {missing}"),
        (
            [{"name": "A", "valueFrom": forbidden.arn}],
            f"not authorized to perform secretsmanager:GetSecretValue on secret {forbidden.arn}",
        ),
        ([{"name": "A", "valueFrom": "arn:aws:ssm:local:000000000000:parameter/x"}], "SSM parameter"),
    ]
    for secrets, words in cases:
        td = secret_task(client, unique("bad"), role, secrets, [], "true")
        task = client.run_task(cluster=cluster, taskDefinition=td).tasks[0]
        stopped = wait_status(client, cluster, task.task_arn, "STOPPED")
        assert stopped.stopped_reason.startswith("ResourceInitializationError"), stopped.stopped_reason
        assert words in stopped.stopped_reason, stopped.stopped_reason
        assert stopped.stop_code == "TaskFailedToStart"


def test_a_definition_with_secrets_needs_an_execution_role(client: Client) -> None:
    with pytest.raises(ApiError) as e:
        client.register_task_definition(
            {
                "family": unique("norole"),
                "containerDefinitions": [
                    {
                        "name": "app",
                        "image": IMAGE,
                        "memory": 32,
                        "secrets": [{"name": "A", "valueFrom": "x"}],
                    }
                ],
            }
        )
    assert e.value.code == "INVALID_ARGUMENT" and "executionRoleArn" in str(e.value)


def test_rotation_restarts_the_readers(client: Client, cluster: str, agents: Any) -> None:
    agent = agents(name="secrethost3")
    agent.wait_connected(client)
    token = client.secretsmanager("CreateSecret", name=unique("token"), secretString="old-value")
    role = role_reading(client, token.arn)
    td = secret_task(
        client, unique("rot"), role, [{"name": "TOKEN", "valueFrom": token.arn}], [], 'test -n "$TOKEN"'
    )
    service = unique("reader")
    client.create_service(cluster=cluster, serviceName=service, taskDefinition=td, desiredCount=1)

    def running() -> list[str] | None:
        arns = list(
            client.list_tasks(cluster=cluster, serviceName=service, desiredStatus="RUNNING").task_arns
        )
        tasks = client.describe_tasks(cluster=cluster, tasks=arns).tasks if arns else []
        up = [t.task_arn for t in tasks if t.last_status == "RUNNING"]
        return up or None

    first = wait_for(running, timeout=60, interval=0.3, message="the reader did not start")
    rotated = client.secretsmanager(
        "RotateSecret", secretId=token.arn, secretString="new-value", restartServices=True
    )
    assert list(rotated.restarted_services) and rotated.restarted_services[0].endswith(f"/{service}")

    def replaced() -> list[str] | None:
        now = running()
        return now if now and not set(now) & set(first) else None

    wait_for(replaced, timeout=90, interval=0.5, message="the reader was not replaced after the rotation")
    client.update_service(cluster=cluster, service=service, desiredCount=0)


def test_cli_put_get_rotate(controlplane: Any) -> None:
    from berth.cli import main

    name = unique("cli")

    def run(*argv: str) -> tuple[int, str]:
        import contextlib
        import io

        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            code = main(["--config", str(controlplane.config_path), "secrets", *argv])
        return code, out.getvalue()

    assert run("put", name, "--value", "first")[0] == 0
    assert run("put", name, "--value", "second")[0] == 0
    assert run("get", name) == (0, "second\n")
    assert run("get", name, "--stage", "AWSPREVIOUS") == (0, "first\n")
    code, listed = run("list")
    assert code == 0 and name in listed and "second" not in listed
    assert run("rotate", name, "--value", "third")[0] == 0
    assert run("get", name) == (0, "third\n")
    assert run("delete", name)[0] == 0
