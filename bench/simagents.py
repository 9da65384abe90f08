"""Simulated agents: N berth agents in one process that run no containers.

`python -m bench.simagents --endpoint HOST:PORT --join-token-file F --cluster C --count 1000`

Each simulated agent is the real agent's session (agent.session.Session: registration with the
join token, Hello, heartbeats, sequence-numbered state changes kept until acknowledged, manifests,
reconnects with backoff) over real gRPC; only the Docker layer is replaced by timers: an assigned
task reports PENDING after `--pull-delay`, RUNNING after `--start-delay` (each with jitter),
and STOPPED `--stop-delay` after the control plane asks it to stop. The control plane cannot tell
them from real hosts. Sessions share one gRPC connection per `--per-channel` agents.

Commands on stdin, one per line, answered with one JSON line on stdout:
  status          {"agents": n, "connected": c, "tasks": t, "running": r}
  kill N          kill -9 of N agents (sessions cut, no Goodbye): {"killed": [instance ARNs]}
  quit            exit (also on end of input)
The first line printed is {"ready": n} once every agent has registered and holds a session.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import random
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc

from agent.runtime.model import RuntimeInfo
from agent.session import CHANNEL_OPTIONS, Session
from agent.settings import AgentSettings
from berth import logs, tls
from berth.endpoints import grpc_target
from berth.v1 import agent_pb2, types_pb2

RUNTIME = RuntimeInfo(
    docker_version="simulated",
    api_version="1.41",
    cpus=4,
    memory_mib=16384,
    os_type="linux",
    architecture="x86_64",
    storage_driver="overlay2",
    cgroup_driver="cgroupfs",
    cgroup_version="1",
    kernel_version="simulated",
)


@dataclass(frozen=True)
class Delays:
    pull: float = 0.05
    start: float = 0.3
    stop: float = 0.1
    jitter: float = 0.3

    def of(self, seconds: float) -> float:
        return max(0.0, seconds * random.uniform(1 - self.jitter, 1 + self.jitter))


@dataclass
class SimTask:
    assigned: agent_pb2.AssignedTask
    status: str = "PROVISIONING"
    timers: list[asyncio.TimerHandle] = field(default_factory=list)
    started_at: float = 0.0

    def cancel(self) -> None:
        for t in self.timers:
            t.cancel()
        self.timers.clear()


class SimAgent:
    """One simulated host: the real session, and tasks that are timers."""

    def __init__(self, settings: AgentSettings, channel: grpc.aio.Channel | None, delays: Delays) -> None:
        # On a TLS cluster each agent has its own channel (its client certificate is its
        # identity); on an insecure one, sessions share a few channels.
        self.session = Session(settings, channel=channel)
        self.delays = delays
        self.tasks: dict[str, SimTask] = {}
        self.runner: asyncio.Task[None] | None = None
        self.renewer: asyncio.Task[None] | None = None

    @property
    def arn(self) -> str:
        return self.session.identity.container_instance_arn

    async def register(self) -> None:
        await self.session.register(RUNTIME, metrics_endpoint="", host_address="127.0.0.1")

    def start(self) -> None:
        self.runner = asyncio.create_task(self.session.run(self.on_manifest), name=f"sim-{self.arn}")
        if self.session.tls:
            self.renewer = asyncio.create_task(self.session.keep_certificate(), name=f"renew-{self.arn}")

    async def kill(self) -> None:
        """As kill -9: the stream is cut with no Goodbye, nothing more is reported."""
        for task in self.tasks.values():
            task.cancel()
        for task in (self.runner, self.renewer):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
        if self.session.tls:
            await self.session.close()

    async def on_manifest(self, manifest: agent_pb2.TaskManifest) -> None:
        assigned = {a.task.task_arn: a for a in manifest.tasks}
        for arn, entry in assigned.items():
            known = self.tasks.get(arn)
            if known is None:
                if entry.task.last_status != "STOPPED":
                    self._launch(entry)
            else:
                known.assigned = entry
                if entry.task.desired_status == "STOPPED":
                    self._stop(known, "Task stopped by the control plane")
        if manifest.complete:
            for arn in [a for a in self.tasks if a not in assigned]:
                self.tasks.pop(arn).cancel()
        for arn in manifest.removed:
            if arn in self.tasks:
                self._stop(self.tasks[arn], "the task is no longer assigned to this instance")

    def _launch(self, entry: agent_pb2.AssignedTask) -> None:
        task = SimTask(entry)
        self.tasks[entry.task.task_arn] = task
        if entry.task.desired_status == "STOPPED":
            self._report(task, "STOPPED", reason="Task stopped before it started")
            return
        loop = asyncio.get_running_loop()
        pull = self.delays.of(self.delays.pull)
        task.timers = [
            loop.call_later(pull, self._report, task, "PENDING"),
            loop.call_later(pull + self.delays.of(self.delays.start), self._report, task, "RUNNING"),
        ]

    def _stop(self, task: SimTask, reason: str) -> None:
        if task.status in ("STOPPING", "STOPPED"):
            return
        task.cancel()
        task.status = "STOPPING"
        loop = asyncio.get_running_loop()
        task.timers = [
            loop.call_later(self.delays.of(self.delays.stop), self._report, task, "STOPPED", reason)
        ]

    def _report(self, task: SimTask, status: str, reason: str = "") -> None:
        now = time.time()
        task.status = status
        change = agent_pb2.TaskStateChange(task_arn=task.assigned.task.task_arn, last_status=status)
        definitions = task.assigned.task_definition.container_definitions
        for c in definitions:
            container = types_pb2.Container(name=c.name, image=c.image, last_status=status)
            if status == "STOPPED":
                container.exit_code = 137 if reason else 0
            change.containers.append(container)
        if status in ("PENDING", "RUNNING", "STOPPED"):
            change.pull_started_at = now
            change.pull_stopped_at = now
        if status == "RUNNING":
            task.started_at = now
        if task.started_at:
            change.started_at = task.started_at
        if status == "STOPPED":
            change.stop_code = "TaskFailedToStart" if not task.started_at else "EssentialContainerExited"
            change.stopped_reason = reason or "Essential container in task exited"
            change.stopping_at = change.execution_stopped_at = change.stopped_at = now
        self.session.report(change)


class Fleet:
    """N simulated agents of one cluster."""

    def __init__(
        self,
        endpoint: str,
        join_token: str,
        cluster: str,
        count: int,
        *,
        data_dir: Path,
        cpu: int = 4096,
        memory: int = 16384,
        per_channel: int = 50,
        heartbeat: float = 3.0,
        delays: Delays = Delays(),
        attributes: dict[str, str] | None = None,
    ) -> None:
        self.channels: list[grpc.aio.Channel] = []
        self.agents: list[SimAgent] = []
        ca_file = None
        fingerprint = tls.split_join_token(join_token)[1]
        if fingerprint:
            # A TLS cluster: trust its CA once for the whole fleet (what each agent would do).
            ca_file = data_dir / "server-ca.pem"
            data_dir.mkdir(parents=True, exist_ok=True)
            ca_file.write_bytes(tls.bootstrap_ca([e for e in endpoint.split(",") if e], fingerprint))
        for i in range(count):
            if ca_file is None and i % per_channel == 0:
                options = [*CHANNEL_OPTIONS, ("grpc.use_local_subchannel_pool", 1), ("sim.channel", i)]
                self.channels.append(grpc.aio.insecure_channel(grpc_target(endpoint), options=options))
            settings = AgentSettings(
                endpoint=endpoint,
                data_dir=data_dir / f"agent-{i:05d}",
                cluster=cluster,
                join_token=join_token,
                name=f"sim-{i:05d}",
                cpu_units=cpu,
                memory_mib=memory,
                availability_zone=f"sim-{chr(ord('a') + i % 3)}",
                heartbeat_seconds=heartbeat,
                attributes=dict(attributes or {}),
                ca_file=ca_file,
            )
            self.agents.append(SimAgent(settings, self.channels[-1] if ca_file is None else None, delays))
        self.killed: list[SimAgent] = []

    async def start(self, concurrency: int = 32) -> None:
        """Register every agent (at most `concurrency` at a time) and open their sessions."""
        gate = asyncio.Semaphore(concurrency)

        async def one(agent: SimAgent) -> None:
            async with gate:
                await agent.register()
            agent.start()

        await asyncio.gather(*(one(a) for a in self.agents))

    async def wait_connected(self, timeout: float = 120.0) -> int:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            connected = sum(1 for a in self.alive if a.session.connected)
            if connected == len(self.alive):
                return connected
            await asyncio.sleep(0.1)
        raise TimeoutError(f"{sum(a.session.connected for a in self.alive)} of {len(self.alive)} connected")

    @property
    def alive(self) -> list[SimAgent]:
        return [a for a in self.agents if a not in self.killed]

    async def kill(self, count: int) -> list[str]:
        """kill -9 of `count` agents, those with the most tasks first (the worst case)."""
        victims = sorted(self.alive, key=lambda a: -len(a.tasks))[:count]
        self.killed.extend(victims)
        await asyncio.gather(*(a.kill() for a in victims))
        return [a.arn for a in victims]

    def status(self) -> dict[str, int]:
        alive = self.alive
        return {
            "agents": len(alive),
            "connected": sum(1 for a in alive if a.session.connected),
            "tasks": sum(len(a.tasks) for a in alive),
            "running": sum(1 for a in alive for t in a.tasks.values() if t.status == "RUNNING"),
            "unacknowledged": sum(a.session.unacknowledged for a in alive),
            "renewals": sum(a.session.renewals for a in alive),
        }

    async def close(self) -> None:
        await asyncio.gather(*(a.kill() for a in self.alive))
        await asyncio.gather(*(c.close() for c in self.channels))


class FleetProcess:
    """`python -m bench.simagents` in a child process, driven over its stdin and stdout."""

    def __init__(
        self, endpoint: str, join_token_file: Path, cluster: str, count: int, data_dir: Path, *extra: str
    ) -> None:
        self.log = open(data_dir / "simagents.log", "wb")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "bench.simagents",
                "--endpoint",
                endpoint,
                "--join-token-file",
                str(join_token_file),
                "--cluster",
                cluster,
                "--count",
                str(count),
                "--data-dir",
                str(data_dir / "simagents"),
                *extra,
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.log,
            text=True,
        )

    def read(self) -> dict[str, Any]:
        """The next answer (the first is {"ready": n})."""
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"simagents exited ({self.proc.poll()}); see {self.log.name}")
        answer: dict[str, Any] = json.loads(line)
        return answer

    def command(self, text: str) -> dict[str, Any]:
        assert self.proc.stdin is not None
        self.proc.stdin.write(text + "\n")
        self.proc.stdin.flush()
        return self.read()

    def close(self) -> None:
        if self.proc.poll() is None:
            assert self.proc.stdin is not None
            self.proc.stdin.close()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


async def serve(args: argparse.Namespace, token: str) -> None:
    data_dir = Path(args.data_dir or tempfile.mkdtemp(prefix="berth-simagents-"))
    fleet = Fleet(
        args.endpoint,
        token,
        args.cluster,
        args.count,
        data_dir=data_dir,
        cpu=args.cpu,
        memory=args.memory,
        per_channel=args.per_channel,
        heartbeat=args.heartbeat,
        delays=Delays(args.pull_delay, args.start_delay, args.stop_delay),
        attributes=dict(a.split("=", 1) for a in args.attribute),
    )
    await fleet.start()
    print(json.dumps({"ready": await fleet.wait_connected()}), flush=True)
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    try:
        while line := (await reader.readline()).decode().split():
            if line[0] == "status":
                print(json.dumps(fleet.status()), flush=True)
            elif line[0] == "kill" and len(line) == 2 and line[1].isdigit():
                print(json.dumps({"killed": await fleet.kill(int(line[1]))}), flush=True)
            elif line[0] == "quit":
                break
            else:
                print(json.dumps({"error": f"unknown command {' '.join(line)!r}"}), flush=True)
    finally:
        await fleet.close()


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m bench.simagents", description=__doc__.split("\n\n")[0])
    p.add_argument("--endpoint", required=True, help="control plane gRPC address (or IP:PORT,IP:PORT)")
    p.add_argument("--join-token", default="")
    p.add_argument("--join-token-file", default="")
    p.add_argument("--cluster", default="default")
    p.add_argument("--count", type=int, default=100)
    p.add_argument("--cpu", type=int, default=4096, help="CPU units each agent offers")
    p.add_argument("--memory", type=int, default=16384, help="MiB each agent offers")
    p.add_argument("--attribute", action="append", default=[], metavar="KEY=VALUE")
    p.add_argument("--per-channel", type=int, default=50, help="sessions sharing one gRPC connection")
    p.add_argument("--heartbeat", type=float, default=3.0)
    p.add_argument("--pull-delay", type=float, default=0.05)
    p.add_argument("--start-delay", type=float, default=0.3)
    p.add_argument("--stop-delay", type=float, default=0.1)
    p.add_argument("--data-dir", default="", help="identities of the agents (default: a temporary dir)")
    p.add_argument("--log-level", default="warning", help="of the sessions' logs, on stderr")
    args = p.parse_args(argv)
    logs.configure(json=True, level=args.log_level)
    if not (args.join_token or args.join_token_file):
        p.error("--join-token or --join-token-file is needed")
    asyncio.run(serve(args, args.join_token or Path(args.join_token_file).read_text().strip()))


if __name__ == "__main__":
    main()
