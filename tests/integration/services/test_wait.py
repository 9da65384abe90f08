"""`berth wait` against a real control plane and agent: tasks-running, tasks-stopped,
services-stable and services-inactive succeed with progress on stderr; a task that stops while
waited for RUNNING fails the waiter with its reason; a timeout says what it last saw."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest

from berth import Client
from tests.integration.services.test_services import sleeper

pytestmark = [pytest.mark.etcd, pytest.mark.docker]


def wait(cp: Any, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "berth.cli", "--config", str(cp.config_path), "wait", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_waiters_follow_tasks_and_services(
    controlplane: Any, client: Client, cluster: str, agents: Any, unique: str
) -> None:
    agents().wait_connected(client)
    family = sleeper(client, f"wait-{unique}")
    (task,) = client.run_task(cluster=cluster, taskDefinition=family).tasks
    out = wait(controlplane, "tasks-running", "--tasks", task.task_arn)  # the ARN names the cluster
    assert out.returncode == 0, out.stderr
    assert out.stdout == "1 tasks RUNNING\n" and "1 of 1 tasks RUNNING" in out.stderr
    client.stop_task(cluster=cluster, task=task.task_arn)
    out = wait(
        controlplane, "tasks-stopped", "--cluster", cluster, "--tasks", task.task_arn, "--output", "json"
    )
    assert out.returncode == 0 and out.stderr == "", out.stderr
    assert '"lastStatus": "STOPPED"' in out.stdout

    family_bad = sleeper(client, f"nopull-{unique}", image="registry.invalid/berth/nothing:1")
    (quitter,) = client.run_task(cluster=cluster, taskDefinition=family_bad).tasks
    out = wait(controlplane, "tasks-running", "--cluster", cluster, "--tasks", quitter.task_arn)
    assert out.returncode == 1 and "waiter tasks-running failed" in out.stderr
    assert f"task {quitter.task_arn} stopped: CannotPullContainerError" in out.stderr, out.stderr

    client.create_service(cluster=cluster, serviceName="waited", taskDefinition=family, desiredCount=2)
    out = wait(controlplane, "services-stable", "--cluster", cluster, "--services", "waited")
    assert out.returncode == 0, out.stderr
    assert "waited 2/2 running, 1 deployment" in out.stderr and out.stdout == "1 services STABLE\n"
    out = wait(controlplane, "services-stable", "--cluster", cluster, "--services", "nope")
    assert out.returncode == 1 and "services not found: arn:" in out.stderr and "/nope" in out.stderr
    client.delete_service(cluster=cluster, service="waited", force=True)
    out = wait(controlplane, "services-inactive", "--cluster", cluster, "--services", "waited")
    assert out.returncode == 0, out.stderr

    (sleeping,) = client.run_task(cluster=cluster, taskDefinition=family).tasks
    out = wait(
        controlplane, "tasks-stopped", "--cluster", cluster, "--tasks", sleeping.task_arn, "--timeout", "1"
    )
    assert out.returncode == 2 and "gave up after 1 s: 0 of 1 tasks STOPPED" in out.stderr
    client.stop_task(cluster=cluster, task=sleeping.task_arn)
