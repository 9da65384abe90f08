"""API throughput next to raw etcd (issues #2 and #12).

RegisterTaskDefinition, RunTask and DescribeTaskDefinition per second at 1 and 32 concurrent
callers against a control plane in its own process, on a private fresh etcd, next to (in the same
run, on the same etcd) raw etcd puts and gets with the same etcd client (etcd3aio), and a gRPC
server that does nothing (grpc.aio in its own process, the same client): the floor any Python gRPC
control plane starts from. RunTask places onto 100 simulated agents (bench.simagents), so its
tasks also go PENDING and RUNNING while it is measured. The control plane's RSS after start and
after 10,000 revisions. The control planes here run --insecure: these are the API core's figures
next to plaintext etcd; what TLS and policies add is `python -m bench tls`.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path

import etcd3aio
import grpc

from bench.common import median, report, rss_mib
from bench.simagents import FleetProcess
from berth import Client, jsonmsg
from berth.v1 import ecs_messages_pb2 as ecs
from tests.support.infra import ControlPlaneProcess, free_port, start_private_etcd

SECONDS = 3.0
EXAMPLE = Path(__file__).resolve().parent.parent / "deploy" / "examples" / "webapp.json"
CHANNELS = 4
# Each channel its own TCP connection (gRPC shares one between equal channels otherwise).
CHANNEL_OPTIONS = [("grpc.use_local_subchannel_pool", 1)]
CLUSTER = "api-bench"
TINY = {
    "family": "api-bench-tiny",
    "containerDefinitions": [
        {"name": "t", "image": "berth/busybox:latest", "command": ["sleep", "3600"], "cpu": 1, "memory": 6}
    ],
}


async def rate(concurrency: int, op: Callable[[int], Awaitable[object]], seconds: float = SECONDS) -> float:
    done = 0
    stop_at = time.perf_counter() + seconds

    async def worker(w: int) -> None:
        nonlocal done
        i = w
        while time.perf_counter() < stop_at:
            await op(i)
            done += 1
            i += concurrency

    start = time.perf_counter()
    await asyncio.gather(*(worker(w) for w in range(concurrency)))
    return done / (time.perf_counter() - start)


async def raw_etcd(endpoint: str, value: bytes) -> dict[str, float]:
    prefix = f"/bench-raw-{uuid.uuid4().hex[:6]}/"
    out: dict[str, float] = {}
    async with etcd3aio.Etcd3Client([endpoint]) as client:
        kv = client.kv
        assert kv is not None
        for c in (1, 32):
            out[f"put_{c}"] = await rate(c, lambda i: kv.put(f"{prefix}{i % 5000}", value))
            out[f"get_{c}"] = await rate(c, lambda i: kv.get(f"{prefix}{i % 5000}"))
        await kv.delete(prefix, etcd3aio.prefix_range_end(prefix))
    return out


def serve_noop(port: int) -> None:
    """A grpc.aio server whose one method answers its request's bytes back, doing nothing else."""

    async def main() -> None:
        async def echo(request: bytes, context: grpc.aio.ServicerContext) -> bytes:
            return request

        handler = grpc.method_handlers_generic_handler(
            "bench.Noop", {"Echo": grpc.unary_unary_rpc_method_handler(echo)}
        )
        server = grpc.aio.server()
        server.add_generic_rpc_handlers((handler,))
        server.add_insecure_port(f"127.0.0.1:{port}")
        await server.start()
        print("ready", flush=True)
        await server.wait_for_termination()

    asyncio.run(main())


async def noop_grpc(endpoint: str, value: bytes) -> dict[str, float]:
    channels = [grpc.aio.insecure_channel(endpoint, options=CHANNEL_OPTIONS) for _ in range(CHANNELS)]
    echo = [ch.unary_unary("/bench.Noop/Echo") for ch in channels]
    out = {}
    for c in (1, 32):
        out[f"noop_{c}"] = await rate(c, lambda i: echo[i % CHANNELS](value))
    for ch in channels:
        await ch.close()
    return out


def noop_figures(value: bytes) -> dict[str, float]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "bench.api_bench", "noop", str(port)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        return asyncio.run(noop_grpc(f"127.0.0.1:{port}", value))
    finally:
        proc.kill()
        proc.wait()


async def run_tasks(endpoint: str, token: str, concurrencies: tuple[int, ...] = (1, 32)) -> dict[str, float]:
    metadata = (("authorization", f"Bearer {token}"),)
    channels = [grpc.aio.insecure_channel(endpoint, options=CHANNEL_OPTIONS) for _ in range(CHANNELS)]
    run = [ch.unary_unary("/berth.v1.ECS/RunTask") for ch in channels]
    body = ecs.RunTaskRequest(cluster=CLUSTER, task_definition="api-bench-tiny").SerializeToString()
    failures = 0

    async def one(i: int) -> None:
        nonlocal failures
        resp = ecs.RunTaskResponse.FromString(await run[i % CHANNELS](body, metadata=metadata))
        failures += len(resp.failures)

    out = {f"runtask_{c}": await rate(c, one) for c in concurrencies}
    out["runtask_failures"] = failures
    for ch in channels:
        await ch.close()
    return out


async def berth_api(endpoint: str, token: str, td: dict[str, object]) -> dict[str, float]:
    out: dict[str, float] = {}
    metadata = (("authorization", f"Bearer {token}"),)
    channels = [grpc.aio.insecure_channel(endpoint, options=CHANNEL_OPTIONS) for _ in range(CHANNELS)]
    register = [ch.unary_unary("/berth.v1.ECS/RegisterTaskDefinition") for ch in channels]
    describe = [ch.unary_unary("/berth.v1.ECS/DescribeTaskDefinition") for ch in channels]
    families = [f"bench-{uuid.uuid4().hex[:6]}-{i}" for i in range(32)]
    bodies = [
        jsonmsg.parse({**td, "family": f}, ecs.RegisterTaskDefinitionRequest).SerializeToString()
        for f in families
    ]
    registered: list[str] = []

    async def reg(i: int) -> None:
        resp = await register[i % CHANNELS](bodies[i % 32], metadata=metadata)
        parsed = ecs.RegisterTaskDefinitionResponse.FromString(resp)
        registered.append(f"{parsed.task_definition.family}:{parsed.task_definition.revision}")

    for c in (1, 32):
        out[f"register_{c}"] = await rate(c, reg)
    refs = [
        ecs.DescribeTaskDefinitionRequest(task_definition=r).SerializeToString() for r in registered[:2000]
    ]

    async def desc(i: int) -> None:
        await describe[i % CHANNELS](refs[i % len(refs)], metadata=metadata)

    for c in (1, 32):
        out[f"describe_{c}"] = await rate(c, desc)
    out["registered"] = len(registered)
    for ch in channels:
        await ch.close()
    return out


async def mutating_32(endpoint: str, token: str, td: dict[str, object]) -> dict[str, float]:
    """RegisterTaskDefinition/s and RunTask/s at 32 clients (the calls the audit trail records)."""
    metadata = (("authorization", f"Bearer {token}"),)
    channels = [grpc.aio.insecure_channel(endpoint, options=CHANNEL_OPTIONS) for _ in range(CHANNELS)]
    register = [ch.unary_unary("/berth.v1.ECS/RegisterTaskDefinition") for ch in channels]
    bodies = [
        jsonmsg.parse(
            {**td, "family": f"audit-{uuid.uuid4().hex[:6]}-{i}"}, ecs.RegisterTaskDefinitionRequest
        ).SerializeToString()
        for i in range(32)
    ]
    registered = await rate(32, lambda i: register[i % CHANNELS](bodies[i % 32], metadata=metadata))
    for ch in channels:
        await ch.close()
    runs = await run_tasks(endpoint, token, (32,))
    return {"register": registered, "runtask": runs["runtask_32"], "failures": runs["runtask_failures"]}


def audit_cost(
    etcd_endpoint: str, td: dict[str, object], data_dir: Path, rounds: int = 6
) -> dict[str, float]:
    """The audit trail's cost: replicas of one installation (same etcd, same prefix). A first one
    leads and holds the sessions of 100 simulated agents; two API-only ones (--no-controllers), one
    with audit events (the default) and one with --no-audit-events, are measured in turn (off, on,
    on, off, ...), so they differ in nothing but the audit trail; the mean rates of each and the
    median (and range) of the with/without ratio of each round."""
    prefix = f"/bench-audit-{uuid.uuid4().hex[:6]}/"
    quiet = ("--insecure", "--log-level", "warning")
    api_only = (*quiet, "--no-controllers", "--dns-addr", "")
    started: list[ControlPlaneProcess] = []
    fleet: FleetProcess | None = None
    try:
        hub = ControlPlaneProcess(etcd_endpoint, data_dir / "audit-hub", prefix=prefix, extra=quiet).start()
        started.append(hub)
        on = ControlPlaneProcess(etcd_endpoint, data_dir / "audit-on", prefix=prefix, extra=api_only)
        started.append(on.start())
        off = ControlPlaneProcess(
            etcd_endpoint, data_dir / "audit-off", prefix=prefix, extra=(*api_only, "--no-audit-events")
        )
        started.append(off.start())
        token = json.loads(hub.config_path.read_text())["token"]
        with Client(config_path=hub.config_path) as client:
            client.create_cluster(clusterName=CLUSTER)
            client.register_task_definition(**TINY)
        (data_dir / "audit-fleet").mkdir(exist_ok=True)
        fleet = FleetProcess(
            hub.endpoint, hub.data_dir / "join-token", CLUSTER, 100, data_dir / "audit-fleet"
        )
        fleet.read()
        runs: dict[str, list[dict[str, float]]] = {"on": [], "off": []}
        for i in range(rounds):
            order = (("off", off), ("on", on)) if i % 2 == 0 else (("on", on), ("off", off))
            for name, cp in order:
                runs[name].append(asyncio.run(mutating_32(cp.endpoint, token, td)))
        out = {}
        for name, results in runs.items():
            for key in ("register", "runtask", "failures"):
                out[f"{key}_{name}"] = sum(r[key] for r in results) / len(results)
        for key in ("register", "runtask"):
            ratios = sorted(a[key] / b[key] for a, b in zip(runs["on"], runs["off"], strict=True))
            out[f"{key}_ratio_median"] = median(ratios)
            out[f"{key}_ratio_min"], out[f"{key}_ratio_max"] = ratios[0], ratios[-1]
        return out
    finally:
        if fleet is not None:
            fleet.close()
        for cp in reversed(started):
            cp.stop()


async def fill(endpoint: str, token: str, td: dict[str, object], total: int) -> None:
    metadata = (("authorization", f"Bearer {token}"),)
    async with grpc.aio.insecure_channel(endpoint) as ch:
        register = ch.unary_unary("/berth.v1.ECS/RegisterTaskDefinition")
        bodies = [
            jsonmsg.parse(
                {**td, "family": f"fill-{i}"}, ecs.RegisterTaskDefinitionRequest
            ).SerializeToString()
            for i in range(100)
        ]
        sem = asyncio.Semaphore(32)

        async def one(i: int) -> None:
            async with sem:
                await register(bodies[i % 100], metadata=metadata)

        await asyncio.gather(*(one(i) for i in range(total)))


def run() -> dict[str, float]:
    td = json.loads(EXAMPLE.read_text())
    value = jsonmsg.parse(td, ecs.RegisterTaskDefinitionRequest).SerializeToString()
    etcd = start_private_etcd()  # fresh: a big, uncompacted dev etcd makes every txn slower
    data_dir = Path(tempfile.mkdtemp(prefix="berth-bench-api-"))
    fleet: FleetProcess | None = None
    try:
        raw = asyncio.run(raw_etcd(etcd.endpoint, value))
        noop = noop_figures(value)
        cp = ControlPlaneProcess(
            etcd.endpoint, data_dir, extra=("--insecure", "--log-level", "warning")
        ).start()
        try:
            assert cp.proc is not None
            rss_start = rss_mib(cp.proc.pid)
            token = json.loads(cp.config_path.read_text())["token"]
            api = asyncio.run(berth_api(cp.endpoint, token, td))
            with Client(config_path=cp.config_path) as client:
                client.create_cluster(clusterName=CLUSTER)
                client.register_task_definition(**TINY)
            fleet = FleetProcess(cp.endpoint, cp.data_dir / "join-token", CLUSTER, 100, data_dir)
            fleet.read()
            api.update(asyncio.run(run_tasks(cp.endpoint, token)))
            fleet.close()
            fleet = None
            fill_n = max(0, 10_000 - int(api["registered"]))
            t0 = time.perf_counter()
            asyncio.run(fill(cp.endpoint, token, td, fill_n))
            fill_s = time.perf_counter() - t0
            rss_10k = rss_mib(cp.proc.pid)
        finally:
            cp.stop()
        audit = audit_cost(etcd.endpoint, td, data_dir)
    finally:
        if fleet is not None:
            fleet.close()
        etcd.stop()
        shutil.rmtree(data_dir, ignore_errors=True)
    figures = {
        **{f"etcd_{k}": v for k, v in raw.items()},
        **noop,
        **api,
        **{f"audit_{k}": v for k, v in audit.items()},
        "rss_start_mib": rss_start,
        "rss_10k_mib": rss_10k,
    }
    rows = []
    for c in (1, 32):
        put, floor = raw[f"put_{c}"], noop[f"noop_{c}"]
        rows.append((f"raw etcd put/s, {c} client(s)", f"{put:8.0f}"))
        rows.append(
            (f"no-op grpc.aio call/s, {c} client(s)", f"{floor:8.0f}   {put / floor:.2f}x raw put's time")
        )
        for name, key in (("RegisterTaskDefinition", "register"), ("RunTask", "runtask")):
            v = api[f"{key}_{c}"]
            rows.append((f"{name}/s, {c} client(s)", f"{v:8.0f}   ratio to raw etcd put {put / v:.2f}x"))
        rows.append(
            (
                f"DescribeTaskDefinition/s, {c} client(s)",
                f"{api[f'describe_{c}']:8.0f}   raw etcd get/s {raw[f'get_{c}']:8.0f}   "
                f"ratio {raw[f'get_{c}'] / api[f'describe_{c}']:.2f}x",
            )
        )
    rows.append(("RunTask failures (no capacity etc.)", f"{api['runtask_failures']:.0f}"))
    rows.append(("control plane RSS after start", f"{rss_start:.0f} MiB"))
    rows.append(
        (
            "control plane RSS after 10,000 revisions",
            f"{rss_10k:.0f} MiB  (filled {fill_n} in {fill_s:.1f} s)",
        )
    )
    report("API vs raw etcd (goal: within 2x of raw etcd at 32 clients; Describe >= 1,500/s)", rows)
    report(
        "Audit events: two API-only replicas of one installation, without (--no-audit-events) and "
        "with, 32 clients, measured in turn (goal: ratio >= 0.9)",
        [
            (
                f"{name}/s, 32 clients",
                f"without {audit[f'{key}_off']:7.0f}   with {audit[f'{key}_on']:7.0f}   "
                f"ratio of the means {audit[f'{key}_on'] / audit[f'{key}_off']:.2f}, per round median "
                f"{audit[f'{key}_ratio_median']:.2f} ({audit[f'{key}_ratio_min']:.2f}-"
                f"{audit[f'{key}_ratio_max']:.2f})",
            )
            for name, key in (("RegisterTaskDefinition", "register"), ("RunTask", "runtask"))
        ]
        + [
            ("RunTask failures (without / with)", f"{audit['failures_off']:.0f} / {audit['failures_on']:.0f}")
        ],
    )
    return figures


if __name__ == "__main__":
    if sys.argv[1:2] == ["noop"]:
        serve_noop(int(sys.argv[2]))
    else:
        run()
