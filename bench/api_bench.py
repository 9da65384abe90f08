"""API throughput next to raw etcd (issue #2).

RegisterTaskDefinition and DescribeTaskDefinition per second at 1 and 32 concurrent callers against
a control plane in its own process, next to raw etcd puts and gets with the same etcd client
(etcd3aio) in the same run; and the control plane's RSS after start and after 10,000 revisions.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path

import etcd3aio
import grpc

from bench.common import controlplane_process, etcd_endpoint, report, rss_mib
from berth import jsonmsg
from berth.v1 import ecs_messages_pb2 as ecs

SECONDS = 3.0
EXAMPLE = Path(__file__).resolve().parent.parent / "deploy" / "examples" / "webapp.json"


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


async def raw_etcd(value: bytes) -> dict[str, float]:
    prefix = f"/bench-raw-{uuid.uuid4().hex[:6]}/"
    out: dict[str, float] = {}
    async with etcd3aio.Etcd3Client([etcd_endpoint()]) as client:
        kv = client.kv
        assert kv is not None
        for c in (1, 32):
            out[f"put_{c}"] = await rate(c, lambda i: kv.put(f"{prefix}{i % 5000}", value))
            out[f"get_{c}"] = await rate(c, lambda i: kv.get(f"{prefix}{i % 5000}"))
        await kv.delete(prefix, etcd3aio.prefix_range_end(prefix))
    return out


async def berth_api(endpoint: str, token: str, td: dict[str, object]) -> dict[str, float]:
    out: dict[str, float] = {}
    metadata = (("authorization", f"Bearer {token}"),)
    channels = [grpc.aio.insecure_channel(endpoint) for _ in range(4)]
    register = [ch.unary_unary("/berth.v1.ECS/RegisterTaskDefinition") for ch in channels]
    describe = [ch.unary_unary("/berth.v1.ECS/DescribeTaskDefinition") for ch in channels]
    families = [f"bench-{uuid.uuid4().hex[:6]}-{i}" for i in range(32)]
    bodies = [
        jsonmsg.parse({**td, "family": f}, ecs.RegisterTaskDefinitionRequest).SerializeToString()
        for f in families
    ]
    registered: list[str] = []

    async def reg(i: int) -> None:
        resp = await register[i % 4](bodies[i % 32], metadata=metadata)
        parsed = ecs.RegisterTaskDefinitionResponse.FromString(resp)
        registered.append(f"{parsed.task_definition.family}:{parsed.task_definition.revision}")

    for c in (1, 32):
        out[f"register_{c}"] = await rate(c, reg)
    refs = [
        ecs.DescribeTaskDefinitionRequest(task_definition=r).SerializeToString() for r in registered[:2000]
    ]

    async def desc(i: int) -> None:
        await describe[i % 4](refs[i % len(refs)], metadata=metadata)

    for c in (1, 32):
        out[f"describe_{c}"] = await rate(c, desc)
    out["registered"] = len(registered)
    for ch in channels:
        await ch.close()
    return out


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
    raw = asyncio.run(raw_etcd(value))
    with controlplane_process(f"/bench-api-{uuid.uuid4().hex[:6]}/") as cp:
        assert cp.proc is not None
        rss_start = rss_mib(cp.proc.pid)
        token = json.loads(cp.config_path.read_text())["token"]
        api = asyncio.run(berth_api(cp.endpoint, token, td))
        fill_n = max(0, 10_000 - int(api["registered"]))
        t0 = time.perf_counter()
        asyncio.run(fill(cp.endpoint, token, td, fill_n))
        fill_s = time.perf_counter() - t0
        rss_10k = rss_mib(cp.proc.pid)
    figures = {
        **{f"etcd_{k}": v for k, v in raw.items()},
        **api,
        "rss_start_mib": rss_start,
        "rss_10k_mib": rss_10k,
    }
    rows = []
    for c in (1, 32):
        rows.append(
            (
                f"RegisterTaskDefinition/s, {c} client(s)",
                f"{api[f'register_{c}']:8.0f}   raw etcd put/s {raw[f'put_{c}']:8.0f}   "
                f"ratio {raw[f'put_{c}'] / api[f'register_{c}']:.2f}x",
            )
        )
        rows.append(
            (
                f"DescribeTaskDefinition/s, {c} client(s)",
                f"{api[f'describe_{c}']:8.0f}   raw etcd get/s {raw[f'get_{c}']:8.0f}   "
                f"ratio {raw[f'get_{c}'] / api[f'describe_{c}']:.2f}x",
            )
        )
    rows.append(("control plane RSS after start", f"{rss_start:.0f} MiB"))
    rows.append(
        (
            "control plane RSS after 10,000 revisions",
            f"{rss_10k:.0f} MiB  (filled {fill_n} in {fill_s:.1f} s)",
        )
    )
    report("API vs raw etcd (goal: within 2x of raw etcd at 32 clients; Describe >= 1,500/s)", rows)
    return figures


if __name__ == "__main__":
    run()
