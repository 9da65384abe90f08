"""Scale: 1,000 simulated agents, a service of 10,000 tasks and a DAEMON service, then 100 agents lost.

Everything the control plane sees is real (bench.simagents: the agent's own session code over
gRPC, one process, no containers). A private etcd is started so that its size and write rate are
this run's alone. Measured: registration of the fleet, time for the service to have all tasks
RUNNING (and the DAEMON service one per agent), placements per second end to end, API latency
(DescribeServices, ListTasks page) during convergence, control plane RSS and CPU, etcd DB size
and writes per second; then kill -9 of 100 agents and the time until their service tasks are
RUNNING elsewhere. The baseline in the same run: the pure scheduler placing the same tasks.

Sizes come from the environment for quick runs: BERTH_SCALE_AGENTS (1000), BERTH_SCALE_TASKS
(10000), BERTH_SCALE_KILL (100).
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

from bench.common import percentile, report, rss_mib
from bench.simagents import FleetProcess
from berth import Client
from tests.support.infra import ControlPlaneProcess, start_private_etcd
from tests.support.scrape import config_token, metrics_text

AGENTS = int(os.environ.get("BERTH_SCALE_AGENTS", "1000"))
TASKS = int(os.environ.get("BERTH_SCALE_TASKS", "10000"))
KILL = int(os.environ.get("BERTH_SCALE_KILL", "100"))
CLUSTER = "scale"
TD = {
    "family": "scale-web",
    "containerDefinitions": [
        {
            "name": "web",
            "image": "berth/busybox:latest",
            "command": ["sleep", "3600"],
            "cpu": 64,
            "memory": 64,
        }
    ],
}
DAEMON_TD = {
    "family": "scale-daemon",
    "containerDefinitions": [
        {"name": "d", "image": "berth/busybox:latest", "command": ["sleep", "3600"], "cpu": 16, "memory": 16}
    ],
}


class Sampler(threading.Thread):
    """Control plane CPU and RSS, API latency and etcd size/revision, every `every` seconds."""

    def __init__(self, cp: ControlPlaneProcess, etcd_http: str, every: float = 0.5) -> None:
        super().__init__(daemon=True)
        self.cp, self.etcd_http, self.every = cp, etcd_http, every
        self.stop = threading.Event()
        self.latency: dict[str, list[float]] = {"DescribeServices": [], "ListTasks": []}
        self.rss: list[float] = []
        self.cpu: list[tuple[float, float]] = []  # (wall, cpu seconds)
        self.timeline: list[tuple[float, int, int]] = []  # (seconds, running, pending) of the service

    def run(self) -> None:
        assert self.cp.proc is not None
        pid = self.cp.proc.pid
        with Client(config_path=self.cp.config_path) as client:
            while not self.stop.wait(self.every):
                t = time.perf_counter()
                svc = client.describe_services(cluster=CLUSTER, services=["web"]).services
                self.latency["DescribeServices"].append(time.perf_counter() - t)
                if svc:
                    self.timeline.append((time.monotonic(), svc[0].running_count, svc[0].pending_count))
                t = time.perf_counter()
                client.list_tasks(cluster=CLUSTER, maxResults=100)
                self.latency["ListTasks"].append(time.perf_counter() - t)
                self.rss.append(rss_mib(pid))
                self.cpu.append((time.monotonic(), cpu_seconds(pid)))

    def cpu_cores(self) -> float:
        if len(self.cpu) < 2:
            return float("nan")
        (w0, c0), (w1, c1) = self.cpu[0], self.cpu[-1]
        return (c1 - c0) / (w1 - w0)


def plan_seconds(cp: ControlPlaneProcess) -> tuple[int, float]:
    """(passes, mean seconds) of the service controller's plans in the scale cluster so far."""
    text = metrics_text(cp.http, config_token(cp.config_path), cp.ca_file)
    values = {}
    for line in text.splitlines():
        for kind in ("sum", "count"):
            if line.startswith(f'berth_service_plan_duration_seconds_{kind}{{cluster="{CLUSTER}"}}'):
                values[kind] = float(line.rsplit(" ", 1)[1])
    count = int(values.get("count", 0))
    return count, values.get("sum", 0.0) / count if count else float("nan")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def etcd_status(etcd_http: str) -> tuple[int, int]:
    """(DB size in bytes, current revision) of the private etcd."""
    body = json.dumps({}).encode()
    req = urllib.request.Request(f"{etcd_http}/v3/maintenance/status", data=body, method="POST")
    with urllib.request.urlopen(req, timeout=5) as resp:
        status = json.loads(resp.read())
    return int(status["dbSize"]), int(status["header"]["revision"])


def service_counts(client: Client, name: str) -> tuple[int, int, int]:
    svc = client.describe_services(cluster=CLUSTER, services=[name]).services[0]
    return svc.desired_count, svc.running_count, svc.pending_count


def wait_running(client: Client, name: str, want: int, timeout: float) -> float:
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        _, running, _ = service_counts(client, name)
        if running >= want:
            return time.monotonic() - start
        time.sleep(0.2)
    raise TimeoutError(f"{name}: {service_counts(client, name)} after {timeout} s, want {want} running")


def wait_below(client: Client, name: str, want: int, timeout: float) -> float:
    """Seconds until the service shows fewer than `want` tasks RUNNING (lost ones noticed)."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if service_counts(client, name)[1] < want:
            return time.monotonic() - start
        time.sleep(0.1)
    raise TimeoutError(f"{name}: the lost tasks were not noticed in {timeout} s")


def scheduler_baseline(tasks: int) -> float:
    """Placements per second of the pure scheduler alone (no I/O): the service's default strategy
    (spread over zones, then instances), `tasks` copies onto 1,000 instances in one call."""
    import random

    from bench.scheduler_bench import _instances
    from controlplane.scheduler import Strategy, TaskRequest, place

    request = TaskRequest(
        cpu=64,
        memory=64,
        ports_tcp=frozenset(),
        ports_udp=frozenset(),
        group="service:web",
        strategies=(Strategy("spread", "attribute:ecs.availability-zone"), Strategy("spread", "instanceId")),
    )
    started = time.perf_counter()
    place(request, _instances(), tasks, random.Random(1))
    return tasks / (time.perf_counter() - started)


def run() -> None:
    etcd = start_private_etcd()
    etcd_http = f"http://{etcd.endpoint}"
    data_dir = Path(tempfile.mkdtemp(prefix="berth-scale-"))
    cp = ControlPlaneProcess(etcd.endpoint, data_dir, extra=("--log-level", "warning")).start()
    fleet: FleetProcess | None = None
    try:
        with Client(config_path=cp.config_path) as client:
            client.create_cluster(clusterName=CLUSTER)
            t0 = time.monotonic()
            fleet = FleetProcess(cp.endpoint, cp.data_dir / "join-token", CLUSTER, AGENTS, cp.data_dir)
            ready = fleet.read()["ready"]
            joined = time.monotonic() - t0
            client.register_task_definition(**TD)
            client.register_task_definition(**DAEMON_TD)
            rss_idle = rss_mib(cp.proc.pid)  # type: ignore[union-attr]
            size0, rev0 = etcd_status(etcd_http)
            sampler = Sampler(cp, etcd_http)
            sampler.start()
            t0 = time.monotonic()
            client.create_service(
                cluster=CLUSTER, serviceName="web", taskDefinition="scale-web", desiredCount=TASKS
            )
            client.create_service(
                cluster=CLUSTER,
                serviceName="daemon",
                taskDefinition="scale-daemon",
                schedulingStrategy="DAEMON",
            )
            converge = wait_running(client, "web", TASKS, 600)
            daemon = wait_running(client, "daemon", ready, 600)
            sampler.stop.set()
            sampler.join()
            size1, rev1 = etcd_status(etcd_http)
            passes, plan_mean = plan_seconds(cp)
            timeline = [(round(t - t0, 2), r, p) for t, r, p in sampler.timeline]
            (data_dir / "timeline.json").write_text(json.dumps(timeline))
            both = max(converge, daemon)
            rss_peak = max(sampler.rss, default=float("nan"))

            before = fleet.command("status")
            after_kill = Sampler(cp, etcd_http, every=0.25)
            after_kill.start()
            t0 = time.monotonic()
            killed = fleet.command(f"kill {KILL}")["killed"]
            lost_tasks = before["running"] - fleet.command("status")["running"]
            noticed = wait_below(client, "web", TASKS, 120)
            recover = wait_running(client, "web", TASKS, 300) + noticed
            after_kill.stop.set()
            after_kill.join()
            timeline = [(round(t - t0, 2), r, p) for t, r, p in after_kill.timeline]
            (data_dir / "timeline-kill.json").write_text(json.dumps(timeline))
            size2, _ = etcd_status(etcd_http)
        rows = [
            ("simulated agents joined", f"{ready} in {joined:.1f} s"),
            (
                f"service of {TASKS} tasks RUNNING",
                f"{converge:.1f} s ({TASKS / converge:.0f} tasks/s end to end)",
            ),
            (f"DAEMON service, {ready} tasks RUNNING", f"{daemon:.1f} s"),
            (
                "all RUNNING",
                f"{both:.1f} s; pure scheduler, same shape: {scheduler_baseline(TASKS):,.0f} placements/s",
            ),
            *(
                (
                    f"{name} during convergence",
                    f"p50 {percentile(v, 50) * 1000:.0f} ms, p99 {percentile(v, 99) * 1000:.0f} ms",
                )
                for name, v in sampler.latency.items()
            ),
            (
                "service controller passes until then",
                f"{passes}, planning {plan_mean * 1000:.0f} ms each on average",
            ),
            ("control plane RSS idle / peak", f"{rss_idle:.0f} / {rss_peak:.0f} MiB"),
            ("control plane CPU during convergence", f"{sampler.cpu_cores():.2f} cores"),
            (
                "etcd DB size before / after / after kill",
                f"{size0 / 2**20:.1f} / {size1 / 2**20:.1f} / {size2 / 2**20:.1f} MiB",
            ),
            ("etcd writes during convergence", f"{rev1 - rev0} revisions, {(rev1 - rev0) / both:.0f}/s"),
            (
                f"kill -9 of {len(killed)} agents ({lost_tasks} tasks)",
                f"noticed after {noticed:.1f} s (agent grace 10 s), "
                f"their service tasks RUNNING elsewhere after {recover:.1f} s",
            ),
        ]
        report(f"scale: {AGENTS} simulated agents, {TASKS} tasks", rows)
    finally:
        if fleet is not None:
            fleet.close()
        cp.stop()
        etcd.stop()


if __name__ == "__main__":
    run()
