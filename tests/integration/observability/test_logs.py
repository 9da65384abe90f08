"""`berth logs` against real agents and dockerd: tail, follow, stderr, stopped tasks, lost agents."""

from __future__ import annotations

import calendar
import json
import queue
import subprocess
import sys
import threading
import time
import urllib.request
from typing import Any

import pytest

from berth import ApiError, Client
from tests.support.agents import wait_for, wait_task

pytestmark = [pytest.mark.etcd, pytest.mark.docker]

IMAGE = "berth/busybox:latest"


def berth(cp: Any, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "berth.cli", "--config", str(cp.config_path), *args],
        capture_output=True,
        text=True,
        timeout=60,
    )


def run_task(client: Client, cluster: str, family: str, containers: list[dict[str, Any]]) -> str:
    client.register_task_definition({"family": family, "containerDefinitions": containers})
    resp = client.run_task(cluster=cluster, taskDefinition=family)
    assert not resp.failures, resp.failures
    return resp.tasks[0].task_arn


def logs(client: Client, cluster: str, task: str, **kw: Any) -> list[Any]:
    return [e for batch in client.get_task_logs(cluster=cluster, task=task, **kw) for e in batch.events]


def test_tail_of_ten_thousand_lines_stderr_and_several_containers(
    controlplane: Any, client: Client, cluster: str, agents: Any, unique: str
) -> None:
    agents().wait_connected(client)
    task = run_task(
        client,
        cluster,
        f"chatty-{unique}",
        [
            {
                "name": "app",
                "image": IMAGE,
                "memory": 32,
                "command": [
                    "sh",
                    "-c",
                    "i=0; while [ $i -lt 10000 ]; do echo line $i; i=$((i+1)); done; sleep 3600",
                ],
            },
            {
                "name": "err",
                "image": IMAGE,
                "memory": 16,
                "essential": False,
                "command": ["sh", "-c", "sleep 0.5; echo warning one >&2; echo warning two >&2; sleep 3600"],
            },
        ],
    )
    wait_task(client, cluster, task, "RUNNING")
    wait_for(
        lambda: (
            [e.message for e in logs(client, cluster, task, containerName="app", tail=1)] == ["line 9999"]
            and len(logs(client, cluster, task, containerName="err")) == 2
        ),
        timeout=30,
        message="the container did not print its 10,000 lines",
    )

    out = berth(controlplane, "logs", task, "--cluster", cluster, "--container", "app", "--tail", "100")
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == [f"line {i}" for i in range(9900, 10000)]

    everything = logs(client, cluster, task, containerName="app")
    assert [e.message for e in everything] == [f"line {i}" for i in range(10000)]
    assert all(e.stream == "stdout" and e.container_name == "app" for e in everything)
    times = [e.timestamp for e in everything]
    assert times == sorted(times) and abs(times[-1] - time.time()) < 60

    # stderr lines go to stderr; with several containers each line names its container
    out = berth(controlplane, "logs", task, "--cluster", cluster, "--tail", "3")
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == ["app | line 9999"]
    assert out.stderr.splitlines() == ["err | warning one", "err | warning two"]

    out = berth(controlplane, "logs", task, "--cluster", cluster, "--container", "nope")
    assert out.returncode == 1 and "containerName" in out.stderr and "app, err" in out.stderr


def test_follow_shows_new_lines_within_a_second(
    controlplane: Any, client: Client, cluster: str, agents: Any, unique: str
) -> None:
    instance = agents().wait_connected(client)
    endpoint = client.describe_container_instances(cluster=cluster, containerInstances=[instance])
    metadata_url = f"http://{endpoint.container_instances[0].metrics_endpoint}/v1/metadata"

    def log_streams() -> int:
        with urllib.request.urlopen(metadata_url, timeout=5) as resp:
            return int(json.load(resp)["logStreams"])

    task = run_task(
        client,
        cluster,
        f"ticker-{unique}",
        [
            {
                "name": "tick",
                "image": IMAGE,
                "memory": 16,
                "command": ["sh", "-c", "i=0; while true; do echo tick $i; i=$((i+1)); sleep 0.2; done"],
            }
        ],
    )
    wait_task(client, cluster, task, "RUNNING")
    proc = subprocess.Popen(
        [
            *(sys.executable, "-m", "berth.cli", "--config", str(controlplane.config_path)),
            *("logs", task, "--cluster", cluster, "-f", "--tail", "1", "--timestamps"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: queue.Queue[tuple[float, str]] = queue.Queue()

    def read() -> None:
        assert proc.stdout is not None
        for text in proc.stdout:
            lines.put((time.time(), text.rstrip("\n")))

    threading.Thread(target=read, daemon=True).start()
    try:
        seen = []
        deadline = time.monotonic() + 30
        while len(seen) < 8 and time.monotonic() < deadline:
            try:
                seen.append(lines.get(timeout=1.0))  # every new line comes within a second
            except queue.Empty:
                raise AssertionError(f"no new line within a second; got {seen}, {proc.stderr}") from None
        numbers = [int(text.rsplit(" ", 1)[-1]) for _, text in seen]
        assert numbers == list(range(numbers[0], numbers[0] + len(numbers)))  # in order, none missing
        for received, text in seen[1:]:  # lines printed after the call: delay from the container's time
            stamp = text.split(" ", 1)[0]
            written = calendar.timegm(time.strptime(stamp[:19], "%Y-%m-%dT%H:%M:%S")) + float(
                "0" + stamp[19:-1]
            )
            assert received - written < 1.0
        assert log_streams() == 1
    finally:
        proc.terminate()
        proc.wait(10)
    # The caller hung up: the control plane cancelled the agent's read of the container's logs.
    wait_for(lambda: log_streams() == 0, timeout=10, message="the agent still reads the logs")


def test_stopped_tasks_keep_their_logs_and_a_lost_agent_says_so(
    controlplane: Any, client: Client, cluster: str, agents: Any, unique: str
) -> None:
    agent = agents()
    instance = agent.wait_connected(client)
    task = run_task(
        client,
        cluster,
        f"brief-{unique}",
        [{"name": "once", "image": IMAGE, "memory": 16, "command": ["sh", "-c", "echo hello; echo bye >&2"]}],
    )
    wait_task(client, cluster, task, "STOPPED")
    out = berth(controlplane, "logs", task, "--cluster", cluster)
    assert out.returncode == 0, out.stderr
    assert out.stdout == "hello\n" and out.stderr == "bye\n"
    assert logs(client, cluster, task, since=time.time() + 3600) == []
    out = berth(controlplane, "logs", task, "--cluster", cluster, "-f")  # follow of a stopped one ends
    assert out.returncode == 0 and out.stdout == "hello\n"

    agent.stop()
    wait_for(lambda: instance not in controlplane.cp.agents.sessions, timeout=15)
    with pytest.raises(ApiError) as caught:
        logs(client, cluster, task)
    assert caught.value.code == "FAILED_PRECONDITION" and "not connected" in caught.value.message
