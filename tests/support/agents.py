"""berth-agent processes for tests, started the way a user starts them, and cleaned up afterwards
(containers, volumes and cgroups carrying the agent's instance label are removed)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agent.settings import DEFAULT_SECRETS_DIR
from berth import Client


@dataclass
class AgentProcess:
    endpoint: str
    join_token: str
    cluster: str
    name: str
    attributes: dict[str, str] = field(default_factory=dict)
    extra: list[str] = field(default_factory=list)
    data_dir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="berth-agent-")))
    proc: subprocess.Popen[bytes] | None = None
    instance_arns: set[str] = field(default_factory=set)

    @property
    def log_path(self) -> Path:
        return self.data_dir / "agent.log"

    def start(self) -> AgentProcess:
        args = [
            sys.executable,
            "-m",
            "agent.main",
            "--endpoint",
            self.endpoint,
            "--cluster",
            self.cluster,
            "--join-token",
            self.join_token,
            "--data-dir",
            str(self.data_dir),
            "--name",
            self.name,
            "--http-addr",
            "127.0.0.1:0",
            # Many agents share this machine: each serves task role credentials on a port of its own.
            "--credentials-addr",
            "169.254.170.2:0",
            "--heartbeat",
            "1",
            "--image-pull-behavior",
            "prefer-cached",
            "--stop-timeout",
            "10",
            "--log-json",
            *self.extra,
        ]
        for k, v in self.attributes.items():
            args += ["--attribute", f"{k}={v}"]
        log = open(self.log_path, "ab")  # noqa: SIM115
        self.proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)
        return self

    @property
    def instance_arn(self) -> str:
        try:
            arn = str(json.loads((self.data_dir / "identity.json").read_text())["container_instance_arn"])
        except (FileNotFoundError, KeyError, json.JSONDecodeError):
            return ""
        self.instance_arns.add(arn)
        return arn

    def wait_connected(self, client: Client, timeout: float = 30) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                raise AssertionError(f"agent {self.name} exited:\n{self.log_tail()}")
            arn = self.instance_arn
            if arn and self.connected(client, arn):
                return arn
            time.sleep(0.1)
        raise AssertionError(f"agent {self.name} did not connect:\n{self.log_tail()}")

    def connected(self, client: Client, arn: str) -> bool:
        if "--pool" in self.extra:
            return any(
                i.container_instance_arn == arn and i.agent_connected
                for i in client.describe_pool().container_instances
            )
        resp = client.describe_container_instances(cluster=self.cluster, containerInstances=[arn])
        return bool(resp.container_instances and resp.container_instances[0].agent_connected)

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def signal(self, sig: int) -> None:
        assert self.proc is not None
        os.kill(self.proc.pid, sig)

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGCONT)
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()

    def cleanup(self, docker: Any) -> None:
        self.stop()
        arn = self.instance_arn
        for instance in self.instance_arns | ({arn} if arn else set()):
            for c in docker.containers.list(all=True, filters={"label": f"berth.instance-arn={instance}"}):
                try:
                    c.remove(force=True, v=True)
                except Exception:
                    pass
            for v in docker.volumes.list(filters={"label": f"berth.instance-arn={instance}"}):
                try:
                    v.remove(force=True)
                except Exception:
                    pass
            # Secret files of tasks the test left running (agent.secretfiles).
            shutil.rmtree(DEFAULT_SECRETS_DIR / instance.rsplit("/", 1)[-1], ignore_errors=True)


def wait_for(predicate: Any, timeout: float = 30, interval: float = 0.1, message: str = "") -> Any:
    """Poll `predicate` until it returns something truthy; AssertionError after `timeout`."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = predicate()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(message or f"condition not met within {timeout} s (last: {last!r})")


def task_status(client: Client, cluster: str, task_arn: str) -> Any:
    return client.describe_tasks(cluster=cluster, tasks=[task_arn]).tasks[0]


def wait_task(client: Client, cluster: str, task_arn: str, status: str, timeout: float = 60) -> Any:
    from berth import taskstatus

    def reached() -> Any:
        t = task_status(client, cluster, task_arn)
        return t if taskstatus.rank(t.last_status) >= taskstatus.rank(status) else None

    task = wait_for(reached, timeout, message=f"task {task_arn} did not reach {status}")
    return task
