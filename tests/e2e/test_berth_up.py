"""`berth up` as a user runs it: everything starts, state survives a restart, Ctrl-C stops it all."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import EXAMPLES
from tests.support.infra import free_port

pytestmark = [pytest.mark.etcd, pytest.mark.docker, pytest.mark.e2e]


def start_up(data: Path, ports: tuple[int, int, int], *extra: str) -> subprocess.Popen[str]:
    grpc_port, http_port, etcd_port = ports
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "berth.cli",
            "up",
            "--data-dir",
            str(data),
            "--grpc-addr",
            f"127.0.0.1:{grpc_port}",
            "--http-addr",
            f"127.0.0.1:{http_port}",
            "--etcd-port",
            str(etcd_port),
            "--agent-addr",  # the agents' mutual-TLS port: a free one (replica i adds 100 * i)
            f"127.0.0.1:{free_port()}",
            *extra,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert proc.stdout is not None
    deadline = time.monotonic() + 60
    lines = []
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        lines.append(line)
        if line.startswith("berth is up"):
            return proc
        if not line and proc.poll() is not None:
            break
    proc.kill()
    raise AssertionError("berth up did not come up:\n" + "".join(lines))


def cli(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, BERTH_CONFIG=str(data / "config"))
    return subprocess.run(
        [sys.executable, "-m", "berth.cli", *args], capture_output=True, text=True, env=env, timeout=60
    )


def stop(proc: subprocess.Popen[str]) -> None:
    proc.send_signal(signal.SIGINT)
    assert proc.wait(30) == 0


def test_up_serves_keeps_state_and_stops_cleanly(tmp_path: Path) -> None:
    data = tmp_path / "berth"
    ports = (free_port(), free_port(), free_port())
    proc = start_up(data, ports, "--no-agent")
    try:
        config = json.loads((data / "config").read_text())
        assert config["endpoint"] == f"127.0.0.1:{ports[0]}" and config["token"]
        assert oct((data / "config").stat().st_mode & 0o777) == "0o600"
        assert (data / "join-token").read_text().strip()
        assert cli(data, "create-cluster", "--cluster-name", "kept").returncode == 0
    finally:
        stop(proc)
    # Nothing is left running: the etcd port is free again.
    out = subprocess.run(["pgrep", "-f", f"{data}/etcd"], capture_output=True, text=True)
    assert out.stdout.strip() == ""

    proc = start_up(data, ports, "--agent-http-addr", "127.0.0.1:0", "--pool-agent-http-addr", "127.0.0.1:0")
    try:
        out = cli(data, "describe-clusters", "--clusters", "kept")
        assert out.returncode == 0, out.stderr
        assert json.loads(out.stdout)["clusters"][0]["status"] == "ACTIVE"
        second = start_up_fails(data, ports)
        assert "already running" in second
        # The local agent joined the default cluster: a task runs on it.
        td = EXAMPLES / "webapp.json"
        assert cli(data, "register-task-definition", "--cli-input-json", f"file://{td}").returncode == 0
        out = cli(data, "run-task", "--task-definition", "webapp")
        assert out.returncode == 0, out.stderr
        task = json.loads(out.stdout)["tasks"][0]["taskArn"]
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            described = json.loads(cli(data, "describe-tasks", "--tasks", task).stdout)["tasks"][0]
            if described["lastStatus"] in ("RUNNING", "STOPPED"):
                break
            time.sleep(0.5)
        assert described["lastStatus"] == "RUNNING", described
        table = cli(data, "--output", "table", "ps")
        assert task.rsplit("/", 1)[1][:12] in table.stdout and "RUNNING" in table.stdout
        assert cli(data, "stop-task", "--task", task).returncode == 0
    finally:
        stop(proc)
        remove_agent_containers(data)


def remove_agent_containers(data: Path) -> None:
    """Containers outlive their agent by design; the test removes the ones its agents started."""
    for name in ("agent", "pool-agent"):
        identity = data / name / "identity.json"
        if not identity.exists():
            continue
        arn = json.loads(identity.read_text())["container_instance_arn"]
        ids = subprocess.run(
            ["docker", "ps", "-aq", "--filter", f"label=berth.instance-arn={arn}"],
            capture_output=True,
            text=True,
        ).stdout.split()
        if ids:
            subprocess.run(["docker", "rm", "-f", *ids], capture_output=True)


def start_up_fails(data: Path, ports: tuple[int, int, int]) -> str:
    out = subprocess.run(
        [sys.executable, "-m", "berth.cli", "up", "--data-dir", str(data), "--no-agent"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert out.returncode == 1
    return out.stderr


def registered(instance: dict[str, Any]) -> dict[str, int]:
    return {r["name"]: r["integerValue"] for r in instance["registeredResources"] if "integerValue" in r}


def test_up_splits_the_machine_between_its_two_agents(tmp_path: Path) -> None:
    data = tmp_path / "berth"
    ports = (free_port(), free_port(), free_port())
    agent_http, pool_http = f"127.0.0.1:{free_port()}", f"127.0.0.1:{free_port()}"
    proc = start_up(
        data,
        ports,
        "--agent-http-addr",
        agent_http,
        "--pool-agent-http-addr",
        pool_http,
        "--agent-memory",
        "700",
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            arns = json.loads(cli(data, "list-container-instances").stdout or "{}").get(
                "containerInstanceArns"
            )
            pool = json.loads(cli(data, "pool", "--output", "json").stdout or "{}").get("containerInstances")
            if arns and pool:
                break
            time.sleep(0.5)
        else:
            raise AssertionError("the agents of berth up did not register")
        out = cli(data, "describe-container-instances", "--container-instances", *arns)
        agent = registered(json.loads(out.stdout)["containerInstances"][0])
        pooled = registered(pool[0])
        cores = os.cpu_count() or 1
        assert agent["CPU"] + pooled["CPU"] == 1024 * cores
        assert agent["CPU"] == 1024 * cores - 1024 * cores // 2
        assert agent["MEMORY"] == 700
        assert pooled["MEMORY"] > 0
    finally:
        stop(proc)


def test_up_with_replicas_goes_on_when_one_dies(tmp_path: Path) -> None:
    data = tmp_path / "berth"
    ports = (free_port(), free_port(), free_port())
    proc = start_up(
        data,
        ports,
        "--replicas",
        "2",
        "--agent-http-addr",
        "127.0.0.1:0",
        "--pool-agent-http-addr",
        "127.0.0.1:0",
    )
    try:
        config = json.loads((data / "config").read_text())
        first, second = f"127.0.0.1:{ports[0]}", f"127.0.0.1:{ports[0] + 100}"
        assert config["endpoint"] == f"{first},{second}"
        # kill -9 the first replica: berth up says so and goes on; the CLI and the agent fail over.
        pid = subprocess.run(
            ["pgrep", "-f", f"controlplane.main .*--grpc-addr {first}"], capture_output=True, text=True
        ).stdout.split()
        assert len(pid) == 1, pid
        os.kill(int(pid[0]), signal.SIGKILL)
        td = EXAMPLES / "webapp.json"
        assert cli(data, "register-task-definition", "--cli-input-json", f"file://{td}").returncode == 0
        out = cli(data, "run-task", "--task-definition", "webapp")
        assert out.returncode == 0, out.stderr
        task = json.loads(out.stdout)["tasks"][0]["taskArn"]
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            described = json.loads(cli(data, "describe-tasks", "--tasks", task).stdout)["tasks"][0]
            if described["lastStatus"] in ("RUNNING", "STOPPED"):
                break
            time.sleep(0.5)
        assert described["lastStatus"] == "RUNNING", described
        assert cli(data, "stop-task", "--task", task).returncode == 0
        assert proc.poll() is None, "berth up stopped when one of its replicas died"
    finally:
        stop(proc)
        remove_agent_containers(data)
