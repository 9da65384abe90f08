"""repositoryCredentials against a real registry (issue #10, item 5): Debian's docker-registry on
127.0.0.1 with htpasswd auth holds a locally built busybox pushed by the test (and removed from
the local cache, so only a pull brings it back). A task whose repositoryCredentials name a secret
with the right username and password pulls and runs it; without credentials, with a wrong
password, or with a secret that is not credentials, the task stops with a clear stoppedReason. The
password shows in no log or task record."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from berth import Client
from tests.integration.secrets.test_secrets import role_reading, unique, wait_status
from tests.support.registry import Registry, untag

pytestmark = [pytest.mark.etcd, pytest.mark.docker]

LOCAL_IMAGE = "berth/busybox:latest"


@pytest.fixture(scope="module")
def registry() -> Iterator[Registry]:
    r = Registry().start()
    yield r
    r.stop()


def private_task(client: Client, image: str, credentials: str | None, role: str) -> str:
    container: dict[str, Any] = {"name": "app", "image": image, "memory": 32, "command": ["sleep", "300"]}
    if credentials is not None:
        container["repositoryCredentials"] = {"credentialsParameter": credentials}
    definition = {"family": unique("private"), "executionRoleArn": role, "containerDefinitions": [container]}
    return str(client.register_task_definition(definition).task_definition.task_definition_arn)


def run(client: Client, cluster: str, td: str, status: str) -> Any:
    task = client.run_task(cluster=cluster, taskDefinition=td).tasks[0]
    return wait_status(client, cluster, task.task_arn, status)


def test_a_private_image_is_pulled_with_the_task_s_registry_credentials(
    client: Client, cluster: str, agents: Any, docker: Any, registry: Registry
) -> None:
    agent = agents(name="registryhost")
    agent.wait_connected(client)
    good = client.secretsmanager(
        "CreateSecret", name=unique("registry"), secretString=json.dumps(registry.auth)
    )
    wrong = client.secretsmanager(
        "CreateSecret",
        name=unique("registry-wrong"),
        secretString=json.dumps({"username": registry.username, "password": "not-the-password"}),
    )
    not_json = client.secretsmanager("CreateSecret", name=unique("registry-plain"), secretString="user:pw")
    role = role_reading(client, good.arn, wrong.arn, not_json.arn)
    image = registry.push(docker, LOCAL_IMAGE, f"berth-test/{unique('busybox')}")
    try:
        for credentials, words in (
            (None, "no basic auth credentials"),
            (wrong.arn, "unauthorized"),
        ):
            stopped = run(client, cluster, private_task(client, image, credentials, role), "STOPPED")
            assert stopped.stopped_reason.startswith("CannotPullContainerError"), stopped.stopped_reason
            assert words in stopped.stopped_reason and image in stopped.stopped_reason, stopped.stopped_reason
            assert stopped.stop_code == "TaskFailedToStart"
        stopped = run(client, cluster, private_task(client, image, not_json.arn, role), "STOPPED")
        assert stopped.stopped_reason.startswith(
            "ResourceInitializationError: unable to pull secrets or registry auth: "
        ), stopped.stopped_reason
        assert not_json.arn in stopped.stopped_reason and "user:pw" not in stopped.stopped_reason
        assert "repositoryCredentials.credentialsParameter" in stopped.stopped_reason

        running = run(client, cluster, private_task(client, image, good.arn, role), "RUNNING")
        assert running.containers[0].image == image and running.containers[0].image_digest.startswith(
            "sha256:"
        )
        assert docker.containers.get(running.containers[0].runtime_id).attrs["Config"]["Image"] == image
        assert registry.password not in agent.log_path.read_text() and registry.password not in str(running)
        client.stop_task(cluster=cluster, task=running.task_arn)
        wait_status(client, cluster, running.task_arn, "STOPPED")
    finally:
        untag(docker, image)
