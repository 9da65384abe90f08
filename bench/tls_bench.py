"""TLS and policies against plaintext and the admin key, and agents renewing certificates (#10).

1. Two control planes on one private etcd (their own key prefixes), each with 100 simulated
   agents: one `--insecure`, called over plaintext with the admin key (AdministratorAccess: no
   policy is evaluated), and one with TLS (the default), called over TLS by an IAM user whose ten
   inline policies decide every call (RunTask and DescribeTasks on the cluster only, by an
   `ecs:cluster` condition; nine other policies for other clusters). RunTask and DescribeTasks
   per second at 32 clients, the two measured in turn, several rounds; the ratio of their times.
2. A TLS control plane with short agent certificates (`--agent-cert-ttl`) and 1,000 simulated
   agents holding real sessions over mutual TLS, each renewing its certificate halfway through its
   life and moving its session to the new one: renewals handled, their latency (the control
   plane's histogram), agents connected throughout, and the control plane's CPU.
"""

from __future__ import annotations

import asyncio
import json
import tempfile
import time
from pathlib import Path
from typing import Any

import grpc

from bench.api_bench import rate as api_rate
from bench.common import report
from bench.simagents import FleetProcess
from berth import Client, tls
from berth.v1 import ecs_messages_pb2 as ecs
from tests.support.infra import ControlPlaneProcess, start_private_etcd, urlopen

CLUSTER = "tls-bench"
TINY = {
    "family": "tls-bench-tiny",
    "containerDefinitions": [
        {"name": "t", "image": "berth/busybox:latest", "command": ["sleep", "3600"], "cpu": 1, "memory": 6}
    ],
}
CHANNELS = 4
CHANNEL_OPTIONS = [("grpc.use_local_subchannel_pool", 1)]
ROUNDS = 4
SECONDS = 3.0
CLIENTS = 32


def policy(cluster_arn: str, actions: list[str]) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": actions,
                    "Resource": "*",
                    "Condition": {"StringEquals": {"ecs:cluster": cluster_arn}},
                }
            ],
        }
    )


def bench_user(client: Client, account: str, region: str) -> str:
    """An IAM user whose policies allow the benchmark's calls on its cluster only; its token."""
    client.iam("CreateUser", userName="bench")
    arn = f"arn:berth:ecs:{region}:{account}:cluster/"
    for i in range(9):
        client.iam(
            "PutUserPolicy",
            userName="bench",
            policyName=f"other-{i}",
            policyDocument=policy(arn + f"other-{i}", ["ecs:*"]),
        )
    client.iam(
        "PutUserPolicy",
        userName="bench",
        policyName="bench",
        policyDocument=policy(arn + CLUSTER, ["ecs:RunTask", "ecs:DescribeTasks"]),
    )
    key = client.iam("CreateAccessKey", userName="bench").access_key
    return f"{key.access_key_id}.{key.secret_access_key}"


def channels(cp: ControlPlaneProcess) -> list[grpc.aio.Channel]:
    if cp.ca_file is None:
        return [grpc.aio.insecure_channel(cp.endpoint, options=CHANNEL_OPTIONS) for _ in range(CHANNELS)]
    creds = tls.channel_credentials(cp.ca_file.read_bytes())
    return [grpc.aio.secure_channel(cp.endpoint, creds, options=CHANNEL_OPTIONS) for _ in range(CHANNELS)]


async def rate(op: Any) -> float:
    return await api_rate(CLIENTS, op, SECONDS)


async def measure(cp: ControlPlaneProcess, token: str) -> dict[str, float]:
    metadata = (("authorization", f"Bearer {token}"),)
    chans = channels(cp)
    run = [c.unary_unary("/berth.v1.ECS/RunTask") for c in chans]
    describe = [c.unary_unary("/berth.v1.ECS/DescribeTasks") for c in chans]
    body = ecs.RunTaskRequest(cluster=CLUSTER, task_definition=TINY["family"]).SerializeToString()
    arns: list[str] = []
    failures = 0

    async def one_run(i: int) -> None:
        nonlocal failures
        resp = ecs.RunTaskResponse.FromString(await run[i % CHANNELS](body, metadata=metadata))
        arns.extend(t.task_arn for t in resp.tasks)
        failures += len(resp.failures)

    out = {"runtask": await rate(one_run), "runtask_failures": float(failures)}
    bodies = [
        ecs.DescribeTasksRequest(cluster=CLUSTER, tasks=arns[i : i + 10]).SerializeToString()
        for i in range(0, min(len(arns), 1000), 10)
    ]

    async def one_describe(i: int) -> None:
        await describe[i % CHANNELS](bodies[i % len(bodies)], metadata=metadata)

    out["describe"] = await rate(one_describe)
    for c in chans:
        await c.close()
    return out


def stop_all(client: Client) -> None:
    """Stop the tasks RunTask made, so every round places onto the same free fleet."""
    for arn in client.list_all("ListTasks", "task_arns", cluster=CLUSTER):
        client.stop_task(cluster=CLUSTER, task=arn)


def throughput(etcd: str, root: Path) -> list[tuple[str, str]]:
    plain = ControlPlaneProcess(
        etcd, root / "plain", prefix="/tls-bench-plain/", extra=("--insecure", "--log-level", "warning")
    )
    secure = ControlPlaneProcess(
        etcd, root / "tls", prefix="/tls-bench-tls/", extra=("--log-level", "warning")
    )
    fleets: list[FleetProcess] = []
    try:
        tokens: dict[str, str] = {}
        for name, cp in (("plain", plain), ("tls", secure)):
            cp.start()
            cfg = json.loads(cp.config_path.read_text())
            with Client(config_path=cp.config_path) as client:
                client.create_cluster(clusterName=CLUSTER)
                client.register_task_definition(**TINY)
                tokens[name] = (
                    cfg["token"] if name == "plain" else bench_user(client, "000000000000", "local")
                )
            (root / name / "fleet").mkdir(parents=True, exist_ok=True)
            fleet = FleetProcess(cp.endpoint, cp.data_dir / "join-token", CLUSTER, 100, root / name / "fleet")
            fleets.append(fleet)
            fleet.read()
        rounds: dict[str, list[dict[str, float]]] = {"plain": [], "tls": []}
        for _ in range(ROUNDS):
            for name, cp in (("plain", plain), ("tls", secure)):
                rounds[name].append(asyncio.run(measure(cp, tokens[name])))
                with Client(config_path=cp.config_path) as client:
                    stop_all(client)
    finally:
        for fleet in fleets:
            fleet.close()
        plain.stop()
        secure.stop()
    rows = []
    for key, name in (("runtask", "RunTask"), ("describe", "DescribeTasks")):
        p = sum(r[key] for r in rounds["plain"]) / ROUNDS
        t = sum(r[key] for r in rounds["tls"]) / ROUNDS
        per_round = sorted(a[key] / b[key] for a, b in zip(rounds["plain"], rounds["tls"], strict=True))
        rows.append(
            (
                f"{name}/s at {CLIENTS} clients: plaintext + admin key | TLS + policies",
                f"{p:7.0f} | {t:7.0f}   {p / t:.2f}x the time "
                f"(rounds {per_round[0]:.2f}-{per_round[-1]:.2f})",
            )
        )
    failed = sum(r["runtask_failures"] for rs in rounds.values() for r in rs)
    rows.append(("RunTask failures (capacity) over all rounds", f"{failed:.0f}"))
    return rows


def scrape(cp: ControlPlaneProcess) -> str:
    token = json.loads(cp.config_path.read_text())["token"]
    with urlopen(f"{cp.http}/metrics", cp.ca_file, headers={"Authorization": f"Bearer {token}"}) as r:
        return str(r.read().decode())


def renew_stats(text: str) -> tuple[float, float, dict[float, float]]:
    """(RenewCertificate calls OK, failed, cumulative histogram buckets) from /metrics."""
    ok = failed = 0.0
    buckets: dict[float, float] = {}
    for line in text.splitlines():
        if "RenewCertificate" not in line or line.startswith("#"):
            continue
        name, _, value = line.rpartition(" ")
        if name.startswith("berth_api_requests_total"):
            if 'code="OK"' in name:
                ok += float(value)
            else:
                failed += float(value)
        elif name.startswith("berth_api_request_duration_seconds_bucket"):
            le = name.split('le="', 1)[1].split('"', 1)[0]
            buckets[float("inf") if le == "+Inf" else float(le)] = float(value)
    return ok, failed, buckets


def quantile(buckets: dict[float, float], q: float) -> float:
    total = buckets.get(float("inf"), 0.0)
    for le in sorted(buckets):
        if buckets[le] >= q * total:
            return le
    return float("nan")


def connected(client: Client) -> int:
    """Container instances the control plane shows agentConnected (what placement goes by)."""
    arns = client.list_all("ListContainerInstances", "container_instance_arns", cluster=CLUSTER)
    return sum(
        1
        for i in range(0, len(arns), 100)
        for ci in client.describe_container_instances(
            cluster=CLUSTER, containerInstances=arns[i : i + 100]
        ).container_instances
        if ci.agent_connected
    )


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / 100.0  # utime + stime, in clock ticks of 1/100 s


def renewal(
    etcd: str, root: Path, agents: int = 1000, ttl: int = 60, watch: float = 75.0
) -> list[tuple[str, str]]:
    cp = ControlPlaneProcess(
        etcd,
        root / "renew",
        prefix="/tls-bench-renew/",
        extra=("--agent-cert-ttl", str(ttl), "--log-level", "warning"),
    ).start()
    (root / "renew" / "fleet").mkdir(parents=True, exist_ok=True)
    fleet: FleetProcess | None = None
    try:
        with Client(config_path=cp.config_path) as client:
            client.create_cluster(clusterName=CLUSTER)
        t0 = time.perf_counter()
        fleet = FleetProcess(
            cp.endpoint, cp.data_dir / "join-token", CLUSTER, agents, root / "renew" / "fleet"
        )
        ready = fleet.read()["ready"]
        joined = time.perf_counter() - t0
        assert cp.proc is not None
        cpu0, ok0 = cpu_seconds(cp.proc.pid), renew_stats(scrape(cp))[0]
        start = time.perf_counter()
        lowest = agents
        with Client(config_path=cp.config_path) as client:
            while time.perf_counter() - start < watch:
                time.sleep(2.0)
                lowest = min(lowest, connected(client))
        elapsed = time.perf_counter() - start
        status = fleet.command("status")
        ok, failed, buckets = renew_stats(scrape(cp))
        cpu = (cpu_seconds(cp.proc.pid) - cpu0) / elapsed
    finally:
        if fleet is not None:
            fleet.close()
        cp.stop()
    return [
        (
            f"{agents} simulated agents joined over mutual TLS (CSR, certificate, agent port)",
            f"{ready} in {joined:.1f} s",
        ),
        (
            f"certificate renewals in {elapsed:.0f} s (--agent-cert-ttl {ttl})",
            f"{ok - ok0:.0f} ({(ok - ok0) / elapsed:.1f}/s), {failed:.0f} refused; "
            f"agents counted {status['renewals']}",
        ),
        (
            "RenewCertificate latency in the control plane (histogram bucket bounds)",
            f"p50 <= {quantile(buckets, 0.5) * 1000:.0f} ms, p99 <= {quantile(buckets, 0.99) * 1000:.0f} ms",
        ),
        ("instances shown connected throughout (lowest of samples every 2 s)", f"{lowest} of {agents}"),
        ("control plane CPU while renewing and holding the sessions", f"{cpu:.2f} cores"),
    ]


def run() -> dict[str, float]:
    etcd = start_private_etcd()
    root = Path(tempfile.mkdtemp(prefix="berth-bench-tls-"))
    try:
        rows = throughput(etcd.endpoint, root)
        rows += renewal(etcd.endpoint, root)
    finally:
        etcd.stop()
    report(
        "TLS + policies vs plaintext + admin key (goal <= 1.3x); certificate renewal under 1,000 agents", rows
    )
    return {}
