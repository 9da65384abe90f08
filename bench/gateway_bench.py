"""The ECS JSON endpoint next to gRPC (issue #7).

The same read calls, at 32 concurrent callers, against one control plane in its own process:
through the JSON endpoint (aiohttp client, AWS JSON 1.1, every request SigV4-signed by botocore's
signer and verified in full by the server) and over gRPC (grpc.aio, bearer token), in the same run.
Prints both rates and their ratio; the goal is JSON within 1.5x of gRPC.

Requests are signed before the clock starts (a pool of distinct signed requests per operation,
reused round-robin; signatures stay valid for 15 minutes), so the figures measure the server, not
botocore's signer in the benchmark process. `OPERATIONS` lists the calls: task definitions, and
DescribeTasks (10 tasks a call) and ListTasks of 10 tasks running on one agent.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import grpc
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from bench.api_bench import rate
from bench.common import agent_process, controlplane_process, report
from berth import Client, jsonmsg
from berth.v1 import ecs_messages_pb2 as ecs

CONCURRENCY = 32
SIGNED_POOL = 256
TARGET = "AmazonEC2ContainerServiceV20141113."
EXAMPLE = Path(__file__).resolve().parent.parent / "deploy" / "examples" / "webapp.json"


@dataclass(frozen=True)
class Fixture:
    refs: list[str]  # task definition ARNs
    family: str
    cluster: str
    tasks: list[str]  # task ARNs


@dataclass(frozen=True)
class Operation:
    name: str
    requests: Callable[[Fixture], list[dict[str, Any]]]  # the ECS JSON bodies to cycle through


OPERATIONS = [
    Operation("DescribeTaskDefinition", lambda f: [{"taskDefinition": r} for r in f.refs]),
    Operation("ListTaskDefinitions", lambda f: [{"familyPrefix": f.family, "maxResults": 10}]),
    Operation("DescribeTasks", lambda f: [{"cluster": f.cluster, "tasks": f.tasks}]),
    Operation("ListTasks", lambda f: [{"cluster": f.cluster}]),
]


def start_tasks(cp: Any, cluster: str, count: int = 10) -> list[str]:
    with Client(config_path=cp.config_path) as client:
        client.create_cluster(clusterName=cluster)
        td = client.register_task_definition(
            {
                "family": f"{cluster}-sleep",
                "containerDefinitions": [
                    {
                        "name": "app",
                        "image": "berth/busybox:latest",
                        "memory": 16,
                        "command": ["sleep", "3600"],
                    }
                ],
            }
        ).task_definition.task_definition_arn
        return [t.task_arn for t in client.run_task(cluster=cluster, taskDefinition=td, count=count).tasks]


async def setup(endpoint: str, token: str, families: int = 16, revisions: int = 4) -> tuple[list[str], str]:
    """Register task definitions to read; the references and the family to list."""
    td = json.loads(EXAMPLE.read_text())
    metadata = (("authorization", f"Bearer {token}"),)
    refs = []
    async with grpc.aio.insecure_channel(endpoint) as channel:
        register = channel.unary_unary(
            "/berth.v1.ECS/RegisterTaskDefinition",
            response_deserializer=ecs.RegisterTaskDefinitionResponse.FromString,
        )
        base = f"gwbench-{uuid.uuid4().hex[:6]}"
        for f in range(families):
            body = jsonmsg.parse({**td, "family": f"{base}-{f}"}, ecs.RegisterTaskDefinitionRequest)
            for _ in range(revisions):
                response = await register(body.SerializeToString(), metadata=metadata)
                refs.append(response.task_definition.task_definition_arn)
    return refs, f"{base}-0"


async def grpc_rate(endpoint: str, token: str, op: Operation, bodies: list[dict[str, Any]]) -> float:
    metadata = (("authorization", f"Bearer {token}"),)
    request_cls = getattr(ecs, f"{op.name}Request")
    payloads = [jsonmsg.parse(b, request_cls).SerializeToString() for b in bodies]
    channels = [grpc.aio.insecure_channel(endpoint) for _ in range(4)]
    calls = [ch.unary_unary(f"/berth.v1.ECS/{op.name}") for ch in channels]

    async def one(i: int) -> None:
        await calls[i % len(calls)](payloads[i % len(payloads)], metadata=metadata)

    await rate(CONCURRENCY, one, seconds=0.5)  # warm-up
    result = await rate(CONCURRENCY, one)
    for ch in channels:
        await ch.close()
    return result


def presign(
    url: str, cfg: dict[str, str], op: Operation, bodies: list[dict[str, Any]]
) -> list[tuple[bytes, dict[str, str]]]:
    signer = SigV4Auth(Credentials(cfg["accessKeyId"], cfg["secretAccessKey"]), "ecs", cfg["region"])
    signed = []
    for i in range(min(SIGNED_POOL, max(len(bodies), SIGNED_POOL))):
        body = json.dumps(bodies[i % len(bodies)]).encode()
        request = AWSRequest(
            method="POST",
            url=url,
            data=body,
            headers={
                "X-Amz-Target": TARGET + op.name,
                "Content-Type": "application/x-amz-json-1.1",
            },
        )
        signer.add_auth(request)
        signed.append((body, dict(request.headers)))
    return signed


async def json_rate(url: str, cfg: dict[str, str], op: Operation, bodies: list[dict[str, Any]]) -> float:
    signed = presign(url, cfg, op, bodies)
    connector = aiohttp.TCPConnector(limit=CONCURRENCY)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def one(i: int) -> None:
            body, headers = signed[i % len(signed)]
            async with session.post(url, data=body, headers=headers) as response:
                await response.read()
                if response.status != 200:
                    raise RuntimeError(f"{op.name}: HTTP {response.status}: {await response.text()}")

        await rate(CONCURRENCY, one, seconds=0.5)  # warm-up
        return await rate(CONCURRENCY, one)


def run() -> dict[str, float]:
    figures: dict[str, float] = {}
    rows = []
    # Plaintext (--insecure): the JSON endpoint's cost next to gRPC's, without TLS on either.
    with controlplane_process(f"/bench-gateway-{uuid.uuid4().hex[:6]}/", "--insecure") as cp:
        cfg = json.loads(cp.config_path.read_text())
        url = cfg["httpEndpoint"] + "/"
        refs, family = asyncio.run(setup(cp.endpoint, cfg["token"]))
        cluster = f"gwbench-{uuid.uuid4().hex[:6]}"
        with agent_process(cp, cluster):
            fixture = Fixture(refs, family, cluster, start_tasks(cp, cluster))
        for op in OPERATIONS:
            bodies = op.requests(fixture)
            by_grpc = asyncio.run(grpc_rate(cp.endpoint, cfg["token"], op, bodies))
            by_json = asyncio.run(json_rate(url, cfg, op, bodies))
            figures[f"{op.name}_grpc"] = by_grpc
            figures[f"{op.name}_json"] = by_json
            figures[f"{op.name}_ratio"] = by_grpc / by_json
            rows.append(
                (
                    f"{op.name}/s, {CONCURRENCY} clients",
                    f"JSON+SigV4 {by_json:8.0f}   gRPC {by_grpc:8.0f}   ratio {by_grpc / by_json:.2f}x",
                )
            )
    report(f"ECS JSON endpoint vs gRPC (goal: JSON within 1.5x of gRPC at {CONCURRENCY} clients)", rows)
    return figures


if __name__ == "__main__":
    run()
