"""deploy/install-agent.sh end to end against a real control plane, etcd and dockerd.

No systemd runs here, so the script installs under a scratch root (`--root`) and drives a stand-in
`systemctl` (tests/support/fake_systemctl.py) that starts the agent exactly as the unit's
ExecStart says, from the venv the script made. The host joins; a crashed agent restarted by the
service keeps its tasks; a second run changes nothing; an upgrade to a newer wheel swaps the venv
and restarts the agent with the tasks still running; uninstall leaves no file behind. The units in
deploy/systemd pass `systemd-analyze verify`.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from berth import Client
from tests.conftest import REPO
from tests.support import fake_systemctl
from tests.support.agents import task_status, wait_for, wait_task
from tests.support.infra import missing

pytestmark = [pytest.mark.etcd, pytest.mark.docker, pytest.mark.e2e]

SCRIPT = REPO / "deploy" / "install-agent.sh"
UNITS = REPO / "deploy" / "systemd"
IMAGE = "berth/busybox:latest"


def systemd_analyze() -> str:
    path = shutil.which("systemd-analyze")
    if path is None:
        missing("systemd-analyze")
    return str(path)


def verify(unit: Path) -> None:
    out = subprocess.run([systemd_analyze(), "verify", str(unit)], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and unit.name not in out.stderr, out.stderr


def test_the_shipped_units_verify(tmp_path: Path) -> None:
    # The units name /opt/berth/venv/bin/...: verify checks that ExecStart exists, so point them at
    # stand-ins under a scratch prefix (etcd's /usr/bin/etcd is the real one).
    prefix = tmp_path / "opt" / "berth"
    (prefix / "venv" / "bin").mkdir(parents=True)
    for name in ("berth-agent", "berth-controlplane"):
        stub = prefix / "venv" / "bin" / name
        stub.write_text("#!/bin/sh\n")
        stub.chmod(0o755)
    units = sorted(UNITS.glob("*.service"))
    assert {u.name for u in units} == {
        "berth-agent.service",
        "berth-controlplane.service",
        "berth-etcd.service",
    }
    for unit in units:
        text = unit.read_text().replace("/opt/berth/", f"{prefix}/")
        if "ExecStart=/usr/bin/etcd" in text and not Path("/usr/bin/etcd").exists():
            missing("/usr/bin/etcd")
        copy = tmp_path / unit.name
        copy.write_text(text)
        verify(copy)


def build_wheel(tmp: Path, version: str) -> Path:
    """A wheel of this source tree with the given version, built from a copy (the tree stays clean)."""
    src = tmp / f"src-{version}"
    src.mkdir()
    for name in ("berth", "controlplane", "agent"):
        shutil.copytree(REPO / name, src / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    shutil.copy(REPO / "README.md", src)
    pyproject = (REPO / "pyproject.toml").read_text()
    (src / "pyproject.toml").write_text(re.sub(r'(?m)^version = ".*"$', f'version = "{version}"', pyproject))
    out = tmp / f"wheels-{version}"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(out), str(src)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = out.glob("berth-*.whl")
    return wheel


def bumped(version: str) -> str:
    parts = [int(p) for p in re.findall(r"\d+", version)[:3]]
    return f"{parts[0]}.{parts[1]}.{parts[2] + 1}"


class Host:
    """A scratch root the script installs into, and the stand-in systemctl it calls."""

    def __init__(self, tmp: Path) -> None:
        self.root = tmp / "root"
        self.root.mkdir()
        self.state = tmp / "systemd"
        bin_dir = tmp / "bin"
        bin_dir.mkdir()
        self.units = self.root / "etc" / "systemd" / "system"
        self.systemctl = fake_systemctl.write_wrapper(bin_dir, self.units, self.state)
        self.instance_arns: set[str] = set()

    def install(self, *args: str) -> subprocess.CompletedProcess[str]:
        calls = self.state / "calls"
        calls.unlink(missing_ok=True)
        env = dict(os.environ, SYSTEMCTL=str(self.systemctl))
        out = subprocess.run(
            ["bash", str(SCRIPT), "--root", str(self.root), "--no-docker", "--python", sys.executable, *args],
            capture_output=True,
            text=True,
            env=env,
            timeout=600,
        )
        assert out.returncode == 0, out.stdout + out.stderr
        return out

    def calls(self) -> list[str]:
        path = self.state / "calls"
        return path.read_text().splitlines() if path.exists() else []

    @property
    def pid(self) -> int:
        return fake_systemctl.main_pid("berth-agent.service")

    def files(self) -> list[str]:
        return sorted(str(p.relative_to(self.root)) for p in self.root.rglob("*") if not p.is_dir())

    def log(self) -> str:
        path = self.state / "berth-agent.service.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""


@pytest.fixture
def host(tmp_path: Path, docker: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Host]:
    h = Host(tmp_path)
    monkeypatch.setenv("FAKE_SYSTEMD_STATE", str(h.state))  # for fake_systemctl.main_pid here
    yield h
    pid = h.pid
    if pid:
        os.kill(pid, signal.SIGKILL)
    for arn in h.instance_arns:
        for c in docker.containers.list(all=True, filters={"label": f"berth.instance-arn={arn}"}):
            c.remove(force=True, v=True)


def instances(client: Client, cluster: str) -> list[Any]:
    arns = client.list_container_instances(cluster=cluster).container_instance_arns
    if not arns:
        return []
    return list(
        client.describe_container_instances(cluster=cluster, containerInstances=arns).container_instances
    )


def joined(client: Client, cluster: str, version: str, host: Host) -> Any:
    def check() -> Any:
        live = [i for i in instances(client, cluster) if i.agent_connected]
        return live[0] if len(live) == 1 and live[0].version_info.agent_version == version else None

    return wait_for(check, timeout=60, message=f"no agent {version} connected:\n{host.log()}")


def test_install_restart_upgrade_uninstall(
    tmp_path: Path, host: Host, controlplane: Any, client: Client, cluster: str, unique: str, docker: Any
) -> None:
    version = str(
        subprocess.run(
            [sys.executable, "-c", "from importlib.metadata import version; print(version('berth'))"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    )
    old_wheel, new_wheel = build_wheel(tmp_path, version), build_wheel(tmp_path, bumped(version))
    settings = [
        "--endpoint", controlplane.endpoint,
        "--join-token-file", str(controlplane.data_dir / "join-token"),
        "--cluster", cluster,
        "--attribute", "rack=r7",
        "--drain-on-stop",
        "--agent-arg=--http-addr=127.0.0.1:0",
        "--agent-arg=--heartbeat=1",
        "--agent-arg=--image-pull-behavior=prefer-cached",
    ]  # fmt: skip

    # Install: the host joins the cluster with its attribute, as the version of the wheel.
    host.install(*settings, "--from-wheel", str(old_wheel))
    assert host.calls() == [
        "daemon-reload",
        "enable --quiet berth-agent.service",
        "is-active --quiet berth-agent.service",
        "restart berth-agent.service",
    ]
    unit = host.units / "berth-agent.service"
    verify(unit)  # the unit as installed, ExecStart in the new venv
    assert (host.root / "etc/berth/join-token").stat().st_mode & 0o777 == 0o600
    assert (host.root / "opt/berth/venv").is_symlink()
    instance = joined(client, cluster, version, host)
    arn = instance.container_instance_arn
    host.instance_arns = {arn}
    assert {a.name: a.value for a in instance.attributes}["rack"] == "r7"

    # A service task and a standalone task run on it.
    td = client.register_task_definition(
        {
            "family": f"installed-{unique}",
            "containerDefinitions": [
                {"name": "app", "image": IMAGE, "memory": 16, "command": ["sleep", "3600"], "stopTimeout": 2}
            ],
        }
    ).task_definition.task_definition_arn
    client.create_service(cluster=cluster, serviceName="web", taskDefinition=td, desiredCount=1)
    standalone = client.run_task(cluster=cluster, taskDefinition=td).tasks[0].task_arn
    service_task = wait_for(
        lambda: client.list_tasks(cluster=cluster, serviceName="web").task_arns, timeout=30
    )[0]
    running = {
        arn: wait_task(client, cluster, arn, "RUNNING").containers[0].runtime_id
        for arn in (service_task, standalone)
    }

    def still_running() -> None:
        for task_arn, docker_id in running.items():
            task = task_status(client, cluster, task_arn)
            assert task.last_status == "RUNNING" and task.containers[0].runtime_id == docker_id
            assert docker.containers.get(docker_id).status == "running"

    # The same run again: nothing changes, nothing restarts.
    pid = host.pid
    out = host.install(*settings, "--from-wheel", str(old_wheel))
    assert "up to date" in out.stdout
    assert host.calls() == ["enable --quiet berth-agent.service", "is-active --quiet berth-agent.service"]
    assert host.pid == pid

    # The agent crashes and the service starts it again (Restart=on-failure): it adopts its tasks.
    os.kill(pid, signal.SIGKILL)
    wait_for(lambda: not host.pid, timeout=10)
    subprocess.run([str(host.systemctl), "start", "berth-agent.service"], check=True)
    joined(client, cluster, version, host)
    still_running()

    # Upgrade in place: only the package is given, the settings stay; the tasks keep running.
    before = host.files()
    pid = host.pid
    host.install("--from-wheel", str(new_wheel))
    assert "kill --kill-whom=main --signal=SIGUSR1 berth-agent.service" in host.calls()
    assert host.pid != pid
    upgraded = joined(client, cluster, bumped(version), host)
    assert upgraded.container_instance_arn == arn and upgraded.status == "ACTIVE"
    still_running()
    assert len(list((host.root / "opt/berth/venvs").iterdir())) == 1  # the old venv is gone
    assert {f for f in host.files() if "/venvs/" not in f} == {f for f in before if "/venvs/" not in f}

    # Uninstall with --purge: the agent stops (draining: nothing left to move once the service is
    # gone), its containers go, and no file is left.
    client.delete_service(cluster=cluster, service="web", force=True)
    wait_task(client, cluster, service_task, "STOPPED", timeout=60)
    host.install("--uninstall", "--purge")
    assert "disable --now berth-agent.service" in host.calls()
    assert not host.pid
    assert host.files() == []
    assert docker.containers.list(all=True, filters={"label": f"berth.instance-arn={arn}"}) == []
    client.deregister_container_instance(cluster=cluster, containerInstance=arn, force=True)


GIVEN = ["--endpoint", "cp:7410", "--join-token-file", "TOKEN"]


@pytest.mark.parametrize(
    "args, message",
    [
        (["--join-token-file", "TOKEN"], "--endpoint HOST:PORT is needed"),
        (["--endpoint", "cp"], "--endpoint 'cp': expected HOST:PORT"),
        (["--endpoint", "cp:7410"], "--join-token-file FILE is needed"),
        (["--endpoint", "cp:7410", "--join-token-file", "/nonexistent"], "--join-token-file '/nonexistent'"),
        ([*GIVEN, "--cluster", "a b"], "--cluster 'a b'"),
        ([*GIVEN, "--attribute", "=x"], "--attribute '=x': expected KEY=VALUE"),
        ([*GIVEN, "--agent-arg", "--name=a b"], "'--name=a b': spaces"),
        ([*GIVEN, "--drain-timeout", "soon"], "--drain-timeout 'soon': expected seconds"),
        ([*GIVEN, "--from-wheel", "TOKEN"], "not a wheel file"),
        (["--purge"], "--purge goes with --uninstall"),
        (["--bogus"], "unknown argument: --bogus"),
    ],
    ids=[
        "no-endpoint",
        "bad-endpoint",
        "no-token",
        "unreadable-token",
        "bad-cluster",
        "bad-attribute",
        "spaces",
        "bad-timeout",
        "not-a-wheel",
        "purge-alone",
        "unknown",
    ],
)
def test_bad_arguments_are_refused_and_nothing_is_written(
    tmp_path: Path, args: list[str], message: str
) -> None:
    token = tmp_path / "token"
    token.write_text("bjt_x\n")
    root = tmp_path / "root"
    root.mkdir()
    out = subprocess.run(
        ["bash", str(SCRIPT), "--root", str(root), "--no-systemd", "--no-docker"]
        + [str(token) if a == "TOKEN" else a for a in args],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 2 and message in out.stderr, out.stderr
    assert list(root.iterdir()) == []
