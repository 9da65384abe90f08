"""A full ARN names its cluster: `berth` commands given one need no --cluster (and refuse a wrong one)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from berth import Client
from tests.integration.observability.test_logs import IMAGE, berth, run_task
from tests.support.agents import wait_for, wait_task

pytestmark = [pytest.mark.etcd, pytest.mark.docker]


def test_task_arn_of_another_cluster_needs_no_cluster_flag(
    controlplane: Any, client: Client, cluster: str, agents: Any, unique: str
) -> None:
    agents().wait_connected(client)
    task = run_task(
        client,
        cluster,
        f"arnscope-{unique}",
        [{"name": "app", "image": IMAGE, "memory": 16, "command": ["sh", "-c", "echo hello; sleep 3600"]}],
    )
    wait_task(client, cluster, task, "RUNNING")
    wait_for(
        lambda: berth(controlplane, "logs", task).stdout == "hello\n", timeout=30, message="no logs by ARN"
    )
    described = berth(controlplane, "describe-tasks", "--tasks", task)
    assert described.returncode == 0, described.stderr
    assert [t["taskArn"] for t in json.loads(described.stdout)["tasks"]] == [task]

    wrong = berth(controlplane, "logs", task, "--cluster", "default")
    assert wrong.returncode == 1 and wrong.stdout == ""
    assert f"--cluster 'default' contradicts TASK {task}, which is in cluster '{cluster}'" in wrong.stderr
    wrong = berth(controlplane, "stop-task", "--cluster", "default", "--task", task)
    assert wrong.returncode == 1 and "contradicts --task" in wrong.stderr

    stopped = berth(controlplane, "stop-task", "--task", task, "--reason", "by ARN")
    assert stopped.returncode == 0, stopped.stderr
    assert json.loads(stopped.stdout)["task"]["desiredStatus"] == "STOPPED"
