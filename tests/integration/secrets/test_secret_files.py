"""Secrets as files, rewritten in place (issue #10, item 5), against a real control plane, etcd,
agent and dockerd.

A `secrets[]` entry named by an absolute path is a read-only file in the container; a new value
(PutSecretValue, RotateSecret) reaches the running container without a restart, in the same inode,
read from inside the container with `docker exec`; the host keeps the files in a tmpfs only while
the task runs, and a restarted agent catches up with a change it missed and sweeps what it does
not run. No value shows in DescribeTasks, events, logs, metrics or etcd.
"""

from __future__ import annotations

import json
import urllib.request
import uuid
from pathlib import Path
from typing import Any

import pytest
from prometheus_client import REGISTRY, generate_latest

from agent.secretfiles import host_path
from agent.secretfiles.layout import filesystem_type
from agent.settings import DEFAULT_SECRETS_DIR
from berth import Client
from tests.integration.secrets.test_secrets import role_reading, unique, wait_status
from tests.support.agents import wait_for

pytestmark = [pytest.mark.etcd, pytest.mark.docker]

IMAGE = "berth/busybox:latest"
PATH = "/run/secrets/db-password"


def file_task(client: Client, role: str, secret_arn: str) -> str:
    """Two containers reading the secret as a file: one as root, one as uid 1000 (which must be
    able to read it too)."""
    secrets = [{"name": PATH, "valueFrom": secret_arn}]
    definition = {
        "family": unique("files"),
        "executionRoleArn": role,
        "containerDefinitions": [
            {"name": "app", "image": IMAGE, "memory": 32, "command": ["sleep", "300"], "secrets": secrets},
            {
                "name": "side",
                "image": IMAGE,
                "memory": 32,
                "user": "1000:1000",
                "command": ["sleep", "300"],
                "secrets": secrets,
            },
        ],
    }
    return str(client.register_task_definition(definition).task_definition.task_definition_arn)


def in_container(docker: Any, container_id: str, *argv: str) -> tuple[int, str]:
    result = docker.containers.get(container_id).exec_run(list(argv))
    return int(result.exit_code), result.output.decode()


def read(docker: Any, container_id: str) -> tuple[str, str]:
    """The file's content and inode, as the container sees them."""
    code, content = in_container(docker, container_id, "cat", PATH)
    assert code == 0, content
    _, inode = in_container(docker, container_id, "stat", "-c", "%i", PATH)
    return content, inode.strip()


def wait_content(docker: Any, container_id: str, value: str, timeout: float = 20) -> str:
    return str(
        wait_for(
            lambda: read(docker, container_id)[1] if read(docker, container_id)[0] == value else None,
            timeout=timeout,
            interval=0.2,
            message=f"the container did not see the new value of {PATH}",
        )
    )


def task_dir(agent: Any, task_arn: str) -> Path:
    return DEFAULT_SECRETS_DIR / agent.instance_arn.rsplit("/", 1)[-1] / task_arn.rsplit("/", 1)[-1]


def test_a_file_secret_is_rewritten_in_place(
    controlplane: Any, client: Client, cluster: str, agents: Any, docker: Any, capfd: Any
) -> None:
    agent = agents(name="filehost")
    agent.wait_connected(client)
    first, second, third = (f"{n}-{uuid.uuid4().hex}" for n in ("first", "second", "third"))
    db = client.secretsmanager("CreateSecret", name=unique("db"), secretString=first)
    td = file_task(client, role_reading(client, db.arn), db.arn)
    task = client.run_task(cluster=cluster, taskDefinition=td).tasks[0]
    running = wait_status(client, cluster, task.task_arn, "RUNNING")
    ids = {c.name: c.runtime_id for c in running.containers}
    started = {n: docker.containers.get(i).attrs["State"]["StartedAt"] for n, i in ids.items()}

    content, inode = read(docker, ids["app"])
    assert content == first
    assert read(docker, ids["side"])[0] == first  # uid 1000 reads it too
    code, _ = in_container(docker, ids["app"], "sh", "-c", f"echo x > {PATH}")
    assert code != 0, "the secret file is writable from the container"
    # On the host: in a tmpfs, in directories only root can enter.
    host = host_path(
        DEFAULT_SECRETS_DIR / agent.instance_arn.rsplit("/", 1)[-1],
        running.task_arn.rsplit("/", 1)[-1],
        "app",
        PATH,
    )
    assert filesystem_type(Path("/proc/self/mountinfo").read_text(), str(host)) == "tmpfs"
    assert host.stat().st_mode & 0o777 == 0o400 and host.parent.stat().st_mode & 0o777 == 0o700
    side = host_path(host.parent.parent.parent, host.parent.parent.name, "side", PATH)
    assert (side.stat().st_uid, side.stat().st_gid) == (1000, 1000)

    client.secretsmanager("PutSecretValue", secretId=db.arn, secretString=second)
    assert wait_content(docker, ids["app"], second) == inode  # the same inode: no new mount
    wait_content(docker, ids["side"], second)
    client.secretsmanager("RotateSecret", secretId=db.arn, secretString=third)
    assert wait_content(docker, ids["app"], third) == inode

    # Not restarted: the same containers, started once, and the task still RUNNING.
    now = client.describe_tasks(cluster=cluster, tasks=[task.task_arn]).tasks[0]
    assert now.last_status == "RUNNING" and {c.name: c.runtime_id for c in now.containers} == ids
    assert {n: docker.containers.get(i).attrs["State"]["StartedAt"] for n, i in ids.items()} == started

    # Nowhere else: DescribeTasks, the task definition, events, the logs, metrics, etcd.
    values = [first, second, third]
    agent_metrics = agent_metrics_text(client, cluster, agent.instance_arn)
    events = list(client.watch_events(cluster=cluster, fromOldest=True, follow=False))
    stored = controlplane.run(controlplane.cp.store.raw())
    output = "".join(capfd.readouterr())
    assert "task_secrets_given" in output and "secrets_changed_sent" in output  # the capture works
    assert "secret_files_refreshed" in agent.log_path.read_text()
    places = {
        "DescribeTasks": str(now),
        "the task definition": str(client.describe_task_definition(taskDefinition=td)),
        "events": str(events),
        "the agent's log": agent.log_path.read_text(),
        "the agent's metrics": agent_metrics,
        "the control plane's metrics": (
            generate_latest(REGISTRY) + generate_latest(controlplane.cp.registry)
        ).decode(),
        "etcd": "\n".join(f"{k} {v!r}" for k, v in stored),
        "the control plane's log": output,
    }
    for where, text in places.items():
        assert not [v for v in values if v in text], f"a secret value is in {where}"

    client.stop_task(cluster=cluster, task=task.task_arn)
    wait_status(client, cluster, task.task_arn, "STOPPED")
    assert not task_dir(agent, task.task_arn).exists()


def agent_metrics_text(client: Client, cluster: str, instance_arn: str) -> str:
    described = client.describe_container_instances(cluster=cluster, containerInstances=[instance_arn])
    endpoint = described.container_instances[0].metrics_endpoint
    with urllib.request.urlopen(f"http://{endpoint}/metrics", timeout=5) as r:  # the agent's own port
        return str(r.read().decode())


def test_a_restarted_agent_catches_up_and_leaves_nothing_behind(
    client: Client, cluster: str, agents: Any, docker: Any
) -> None:
    agent = agents(name="filehost2")
    agent.wait_connected(client)
    db = client.secretsmanager("CreateSecret", name=unique("db"), secretString="before")
    td = file_task(client, role_reading(client, db.arn), db.arn)
    task = client.run_task(cluster=cluster, taskDefinition=td).tasks[0]
    running = wait_status(client, cluster, task.task_arn, "RUNNING")
    app = next(c.runtime_id for c in running.containers if c.name == "app")
    _, inode = read(docker, app)
    # Left by a task this agent does not run (an agent killed before it could clean up).
    stray = DEFAULT_SECRETS_DIR / agent.instance_arn.rsplit("/", 1)[-1] / uuid.uuid4().hex / "app"
    stray.mkdir(parents=True)
    (stray / "x").write_text("old")

    # A change while the agent is down reaches the container when it is back.
    agent.kill()
    client.secretsmanager("PutSecretValue", secretId=db.arn, secretString="while-away")
    agent.start()
    agent.wait_connected(client)
    assert wait_content(docker, app, "while-away") == inode
    wait_for(lambda: not stray.parent.exists(), timeout=10, message="the stray task directory was kept")

    # The task stops while the agent is down: its files go when the agent is back.
    agent.kill()
    client.stop_task(cluster=cluster, task=task.task_arn)
    agent.start()
    wait_status(client, cluster, task.task_arn, "STOPPED")
    assert not task_dir(agent, task.task_arn).exists()
    assert json.dumps(sorted(p.name for p in task_dir(agent, task.task_arn).parent.iterdir())) == "[]"


def test_a_change_made_through_another_replica_reaches_the_agent(
    controlplane: Any, client: Client, cluster: str, agents: Any, docker: Any
) -> None:
    """The agent's session is held by one replica; the new value is put through another, which
    holds no session: the first learns of it from etcd and tells its agent."""
    from tests.support.controlplane import InProcessControlPlane

    agent = agents(name="filehost3")
    agent.wait_connected(client)
    db = client.secretsmanager("CreateSecret", name=unique("db"), secretString="one")
    td = file_task(client, role_reading(client, db.arn), db.arn)
    task = client.run_task(cluster=cluster, taskDefinition=td).tasks[0]
    running = wait_status(client, cluster, task.task_arn, "RUNNING")
    app = next(c.runtime_id for c in running.containers if c.name == "app")
    other = InProcessControlPlane(
        controlplane.settings.etcd_endpoints,
        prefix=controlplane.settings.etcd_prefix,
        controllers=False,
        dns_addr="127.0.0.1:0",
        dns_upstream="",
    ).start()
    try:
        with Client(config_path=other.config_path) as elsewhere:
            assert not other.cp.agents.sessions  # it holds no agent's session
            elsewhere.secretsmanager("PutSecretValue", secretId=db.arn, secretString="two")
        wait_content(docker, app, "two")
    finally:
        other.stop()
    client.stop_task(cluster=cluster, task=task.task_arn)
    wait_status(client, cluster, task.task_arn, "STOPPED")
