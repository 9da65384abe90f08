"""The chaos harness: a whole berth of real processes, broken in rounds, checked after each.

The world: a three-member etcd cluster, three control plane replicas (one leads), an API-only
"edge" replica, two agents given every replica's endpoint and one agent ("edge") that reaches the
control plane only through the edge replica, so that dropping the edge replica's port on the
loopback (iptables) partitions exactly that agent. It runs a service (spread over the three
agents), two standalone tasks (kept on the two stable agents by an attribute constraint) and a
writer that registers task definition revisions and sets a tag, recording what was acknowledged.

Rounds: kill -9 an agent, kill -9 the leader replica, kill -9 an etcd member (each restarted at
once), and partition the edge agent until its service tasks are replaced, then heal it. After each
round: the service's desired count is met with no container running twice and no copy left running
of a task that was replaced; the standalone tasks still run; every acknowledged write is there.
`tests/e2e/test_chaos.py` runs one round of each; `make chaos` (bench/chaos_bench.py) runs many.
"""

from __future__ import annotations

import contextlib
import json
import random
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from berth import ApiError, Client
from tests.support.agents import AgentProcess, wait_for
from tests.support.infra import ControlPlaneProcess, docker_client, free_port, http_ok
from tests.support.scrape import config_token, metrics_text

IMAGE = "berth/busybox:latest"
SERVICE_TASKS = 4
GRACE = 6  # the agent grace of the replicas: a partitioned agent's tasks move after this


@dataclass
class EtcdMember:
    name: str
    client_port: int
    peer_port: int
    data_dir: Path
    initial_cluster: str
    token: str
    proc: subprocess.Popen[bytes] | None = None

    @property
    def endpoint(self) -> str:
        return f"127.0.0.1:{self.client_port}"

    def start(self) -> None:
        etcd = shutil.which("etcd")
        assert etcd is not None, "etcd is not installed"
        log = open(self.data_dir.parent / f"{self.name}.log", "ab")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [
                etcd,
                "--name", self.name,
                "--data-dir", str(self.data_dir),
                "--listen-client-urls", f"http://{self.endpoint}",
                "--advertise-client-urls", f"http://{self.endpoint}",
                "--listen-peer-urls", f"http://127.0.0.1:{self.peer_port}",
                "--initial-advertise-peer-urls", f"http://127.0.0.1:{self.peer_port}",
                "--initial-cluster", self.initial_cluster,
                "--initial-cluster-state", "new",
                "--initial-cluster-token", self.token,
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )  # fmt: skip

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)


class Writer:
    """Writes all the time and remembers what was acknowledged: task definition revisions (each
    carrying its sequence number) and the latest value of a tag."""

    def __init__(self, client: Client, family: str, tagged: str) -> None:
        self.client = client
        self.family = family
        self.tagged = tagged
        self.revisions: dict[int, int] = {}  # revision -> sequence number acknowledged
        self.tag = 0  # the last acknowledged tag value
        self.failures = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="chaos-writer", daemon=True)

    def start(self) -> Writer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(30)

    def _run(self) -> None:
        n = 0
        while not self._stop.wait(0.1):
            n += 1
            try:
                td = self.client.register_task_definition(
                    {
                        "family": self.family,
                        "containerDefinitions": [
                            {
                                "name": "c",
                                "image": IMAGE,
                                "memory": 8,
                                "environment": [{"name": "N", "value": str(n)}],
                            }
                        ],
                    }
                ).task_definition
                self.revisions[td.revision] = n
                self.client.tag_resource(resourceArn=self.tagged, tags=[{"key": "counter", "value": str(n)}])
                self.tag = n
            except ApiError:
                self.failures += 1

    def lost(self) -> list[str]:
        """Acknowledged writes that are not there (empty when none was lost)."""
        missing = []
        for revision, n in sorted(self.revisions.items()):
            td = self.client.describe_task_definition(
                taskDefinition=f"{self.family}:{revision}"
            ).task_definition
            held = td.container_definitions[0].environment[0].value
            if held != str(n):
                missing.append(f"{self.family}:{revision} holds {held}, not {n}")
        tags = {t.key: t.value for t in self.client.list_tags_for_resource(resourceArn=self.tagged).tags}
        if int(tags.get("counter", "0")) < self.tag:
            missing.append(f"tag counter is {tags.get('counter')}, acknowledged {self.tag}")
        return missing


@dataclass
class World:
    base: Path
    members: list[EtcdMember] = field(default_factory=list)
    replicas: list[ControlPlaneProcess] = field(default_factory=list)
    edge: ControlPlaneProcess | None = None
    agents: dict[str, AgentProcess] = field(default_factory=dict)
    client: Client | None = None
    cluster: str = ""
    standalone: list[str] = field(default_factory=list)
    writer: Writer | None = None
    rng: random.Random = field(default_factory=random.Random)
    _rules: list[list[str]] = field(default_factory=list)

    # -- bringing it up --------------------------------------------------------------------------

    @classmethod
    def create(cls) -> World:
        world = cls(Path(tempfile.mkdtemp(prefix="berth-chaos-")))
        try:
            world._start()
        except BaseException:
            world.close()
            raise
        return world

    def _start(self) -> None:
        token = uuid.uuid4().hex[:8]
        ports = [(free_port(), free_port()) for _ in range(3)]
        initial = ",".join(f"e{i}=http://127.0.0.1:{p[1]}" for i, p in enumerate(ports))
        for i, (client_port, peer_port) in enumerate(ports):
            member = EtcdMember(f"e{i}", client_port, peer_port, self.base / f"e{i}", initial, token)
            member.start()
            self.members.append(member)
        wait_for(lambda: all(http_ok(f"http://{m.endpoint}/health") for m in self.members), timeout=30)
        etcd = ",".join(m.endpoint for m in self.members)
        flags = ("--agent-grace", str(GRACE), "--settle-seconds", "1")
        for i in range(3):
            self.replicas.append(ControlPlaneProcess(etcd, self.base / f"cp{i}", extra=flags).start())
        self.edge = ControlPlaneProcess(etcd, self.base / "edge", extra=(*flags, "--no-controllers")).start()
        cfg = json.loads(self.replicas[0].config_path.read_text())
        endpoints = ",".join(cp.endpoint for cp in self.replicas)
        self.client = Client(endpoints, cfg["token"], ca_file=self.replicas[0].ca_file, timeout=10)
        self.cluster = f"chaos-{token}"
        self.client.create_cluster(clusterName=self.cluster)
        join = (self.replicas[0].data_dir / "join-token").read_text().strip()
        for name, endpoint, role in (
            ("a", endpoints, "stable"),
            ("b", endpoints, "stable"),
            ("edge", self.edge.endpoint, "edge"),
        ):
            # The edge agent holds its session on the edge replica's agent port only, so that dropping
            # that replica's two ports cuts it off (the others get every replica's agent port).
            pin = ["--agent-endpoint", f"127.0.0.1:{self.edge.agent_port}"] if role == "edge" else []
            agent = AgentProcess(
                endpoint, join, self.cluster, f"{self.cluster}-{name}", {"role": role}, pin
            ).start()
            agent.wait_connected(self.client)
            self.agents[name] = agent
        self.client.register_task_definition(
            {
                "family": self.cluster,
                "containerDefinitions": [
                    {
                        "name": "app",
                        "image": IMAGE,
                        "memory": 8,
                        "stopTimeout": 1,
                        "command": ["sleep", "3600"],
                    }
                ],
            }
        )
        self.client.create_service(
            cluster=self.cluster,
            serviceName="web",
            taskDefinition=self.cluster,
            desiredCount=SERVICE_TASKS,
            placementStrategy=[{"type": "spread", "field": "instanceId"}],
        )
        for _ in range(2):
            (task,) = self.client.run_task(
                cluster=self.cluster,
                taskDefinition=self.cluster,
                placementConstraints=[{"type": "memberOf", "expression": "attribute:role == stable"}],
            ).tasks
            self.standalone.append(task.task_arn)
        cluster_arn = self.client.describe_clusters(clusters=[self.cluster]).clusters[0].cluster_arn
        self.writer = Writer(self.client, f"{self.cluster}-counter", cluster_arn).start()
        self.check("start")

    def close(self) -> None:
        for rule in self._rules:
            subprocess.run(["iptables", "-D", *rule], capture_output=True)
        self._rules.clear()
        if self.writer is not None:
            self.writer.stop()
        docker = None
        with contextlib.suppress(Exception):
            docker = docker_client()
        for agent in self.agents.values():
            if docker is not None:
                agent.cleanup(docker)
            else:
                agent.stop()
        for cp in [*self.replicas, *([self.edge] if self.edge else [])]:
            cp.kill()
        for m in self.members:
            m.kill()
        if self.client is not None:
            self.client.close()
        shutil.rmtree(self.base, ignore_errors=True)

    # -- the rounds ------------------------------------------------------------------------------

    def kill_agent(self) -> str:
        name = self.rng.choice(["a", "b"])
        agent = self.agents[name]
        agent.kill()
        time.sleep(self.rng.uniform(0, 1.5))
        agent.start()
        return f"agent {name}"

    def kill_leader(self) -> str:
        leader = wait_for(self._leader, timeout=20, interval=0.1, message="no leader")
        assert leader.proc is not None
        leader.proc.send_signal(signal.SIGKILL)
        # While no replica leads, a service container dies: the next leader must replace it.
        victims = [c for c in self._running_containers() if c.labels.get("berth.service") == "web"]
        if victims:
            self.rng.choice(victims).kill()
        leader.proc.wait(10)
        leader.start()
        return f"leader replica :{leader.grpc_port} (and a service container)"

    def kill_etcd_member(self) -> str:
        member = self.rng.choice(self.members)
        member.kill()
        time.sleep(self.rng.uniform(0.5, 2))
        member.start()
        wait_for(lambda: http_ok(f"http://{member.endpoint}/health"), timeout=30, message="etcd member back")
        return f"etcd member {member.name}"

    def partition_edge(self) -> str:
        """Cut the edge agent off until the service has replaced its tasks, then heal."""
        assert self.edge is not None and self.client is not None
        edge_arn = self.agents["edge"].instance_arn
        if not any(t.container_instance_arn == edge_arn for t in self._service_tasks()):
            # An earlier partition moved its tasks away: spread them over every host again.
            self.client.update_service(cluster=self.cluster, service="web", forceNewDeployment=True)
            wait_for(
                lambda: (
                    self._steady()
                    and any(t.container_instance_arn == edge_arn for t in self._service_tasks())
                ),
                timeout=90,
                interval=0.5,
                message="the redeployed service put no task on the edge agent",
            )
        for port in (str(self.edge.grpc_port), str(self.edge.agent_port)):
            for direction in ("--dport", "--sport"):
                rule = ["INPUT", "-i", "lo", "-p", "tcp", direction, port, "-j", "DROP"]
                subprocess.run(["iptables", "-I", *rule], check=True, capture_output=True)
                self._rules.append(rule)

        def replaced() -> bool:
            tasks = self._service_tasks()
            on_others = [
                t for t in tasks if t.container_instance_arn != edge_arn and t.last_status == "RUNNING"
            ]
            return len(on_others) == SERVICE_TASKS

        try:
            wait_for(
                replaced, timeout=GRACE + 60, interval=0.5, message="the edge agent's tasks were not replaced"
            )
        finally:
            for rule in self._rules:
                subprocess.run(["iptables", "-D", *rule], capture_output=True)
            self._rules.clear()
        wait_for(
            lambda: self._connected(edge_arn), timeout=60, interval=0.5, message="the edge agent is back"
        )
        return "partition of the edge agent"

    # -- what must hold after every round ----------------------------------------------------------

    def check(self, what: str, timeout: float = 90) -> float:
        """Wait until everything holds again; the seconds it took. AssertionError naming what did not."""
        assert self.client is not None and self.writer is not None
        t0 = time.monotonic()
        for instance in (a.instance_arn for a in self.agents.values()):
            wait_for(lambda i=instance: self._connected(i), timeout=timeout, interval=0.5,
                     message=f"after {what}: instance {instance} is not connected")  # fmt: skip
        wait_for(
            self._steady, timeout=timeout, interval=0.5, message=f"after {what}: the service is not steady"
        )
        wait_for(self._no_stale_containers, timeout=timeout, interval=0.5,
                 message=f"after {what}: containers of stopped tasks still run")  # fmt: skip
        duplicates = self._duplicate_containers()
        assert not duplicates, f"after {what}: containers running twice: {duplicates}"
        standalone = self.client.describe_tasks(cluster=self.cluster, tasks=self.standalone).tasks
        stopped = [t.task_arn for t in standalone if t.last_status != "RUNNING"]
        assert not stopped, f"after {what}: standalone tasks no longer run: {stopped}"
        lost = self._retry(self.writer.lost)
        assert not lost, f"after {what}: acknowledged writes lost: {lost}"
        return time.monotonic() - t0

    def _retry(self, fn: Callable[[], Any], attempts: int = 10) -> Any:
        for i in range(attempts):
            try:
                return fn()
            except ApiError:
                if i == attempts - 1:
                    raise
                time.sleep(0.5)
        return None

    def _service_tasks(self) -> list[Any]:
        assert self.client is not None
        arns = self.client.list_tasks(cluster=self.cluster, serviceName="web").task_arns
        return list(self.client.describe_tasks(cluster=self.cluster, tasks=arns).tasks) if arns else []

    def _steady(self) -> bool:
        assert self.client is not None
        try:
            service = self.client.describe_services(cluster=self.cluster, services=["web"]).services[0]
            tasks = self._service_tasks()
        except ApiError:
            return False
        running = [t for t in tasks if t.last_status == "RUNNING"]
        return service.running_count == SERVICE_TASKS and len(running) == len(tasks) == SERVICE_TASKS

    def _connected(self, instance_arn: str) -> bool:
        assert self.client is not None
        try:
            found = self.client.describe_container_instances(
                cluster=self.cluster, containerInstances=[instance_arn]
            )
        except ApiError:
            return False
        return bool(found.container_instances) and found.container_instances[0].agent_connected

    def _running_containers(self) -> list[Any]:
        return docker_client().containers.list(filters={"label": f"berth.cluster={self.cluster}"})

    def _duplicate_containers(self) -> list[str]:
        counts = Counter(
            (c.labels.get("berth.task-arn"), c.labels.get("berth.container-name"))
            for c in self._running_containers()
        )
        return [f"{task} {name} x{n}" for (task, name), n in counts.items() if n > 1]

    def _no_stale_containers(self) -> bool:
        """Every running container belongs to a task that is meant to run."""
        assert self.client is not None
        arns = sorted({c.labels.get("berth.task-arn", "") for c in self._running_containers()})
        try:
            tasks = self.client.describe_tasks(cluster=self.cluster, tasks=arns).tasks if arns else []
        except ApiError:
            return False
        return all(t.desired_status == "RUNNING" for t in tasks) and len(tasks) == len(arns)

    def _leader(self) -> ControlPlaneProcess | None:
        for cp in self.replicas:
            if cp.proc is None or cp.proc.poll() is not None:
                continue
            try:
                text = metrics_text(cp.http, config_token(cp.config_path), cp.ca_file, 1)
                if "berth_controlplane_leader 1.0" in text:
                    return cp
            except OSError:
                continue
        return None


ROUNDS: dict[str, Callable[[World], str]] = {
    "kill -9 an agent": World.kill_agent,
    "kill -9 the leader replica": World.kill_leader,
    "kill -9 an etcd member (of 3)": World.kill_etcd_member,
    "partition an agent": World.partition_edge,
}


def play(world: World, counts: dict[str, int]) -> list[tuple[str, int, int, float]]:
    """Run the rounds (`counts` per kind); (kind, rounds, survived, worst recovery seconds) each.
    Stops at the first round whose checks fail, raising AssertionError with what broke."""
    table = []
    for kind, count in counts.items():
        worst = 0.0
        for i in range(count):
            what = ROUNDS[kind](world)
            worst = max(worst, world.check(f"{kind} round {i + 1} ({what})"))
        table.append((kind, count, count, worst))
    return table
