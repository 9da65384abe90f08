"""Create+start latency of a busybox container: DockerRuntime vs a bare `docker run -d` (CLI).

Run: `.venv/bin/python -m tests.integration.runtime.bench_start_latency [N]` (needs dockerd and
berth/busybox:latest). Prints p50/p90 for both and their ratio; the agent's goal for RunTask ->
RUNNING is within 1.3x of a bare docker run, so the adapter itself must add next to nothing.
Runs are interleaved so that drift on a shared machine hits both alike. Everything it creates
carries the label berth.test=bench-<pid> and is removed at the end.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import sys
import time
import uuid

from agent.runtime import spec
from agent.runtime.docker import DockerRuntime
from berth.v1 import types_pb2

IMAGE = "berth/busybox:latest"


async def main(n: int) -> None:
    label = f"bench-{os.getpid()}"
    rt = DockerRuntime()
    await rt.info()  # negotiate the API version outside the measurement
    ours: list[float] = []
    cli: list[float] = []
    created: list[str] = []
    try:
        for i in range(n + 1):  # the first round warms caches and is not counted
            task_id = uuid.uuid4().hex
            ctx = spec.TaskContext(
                task_arn=f"arn:berth:ecs:local:0:task/bench/{task_id}",
                task_id=task_id,
                cluster="bench",
                family="bench",
                revision=1,
                instance_arn=f"arn:bench-{label}",
                network_mode="bridge",
            )
            definition = types_pb2.ContainerDefinition(name="c", image=IMAGE, command=["sleep", "600"])
            kwargs = spec.create_kwargs(ctx, definition)
            kwargs["labels"]["berth.test"] = label
            t0 = time.perf_counter()
            cid = await rt.create(kwargs)
            await rt.start(cid)
            t1 = time.perf_counter()
            created.append(cid)
            out = await asyncio.to_thread(
                subprocess.run,
                ["docker", "run", "-d", "--label", f"berth.test={label}", IMAGE, "sleep", "600"],
                check=True,
                capture_output=True,
                text=True,
            )
            t2 = time.perf_counter()
            created.append(out.stdout.strip())
            if i:
                ours.append(t1 - t0)
                cli.append(t2 - t1)
            await asyncio.gather(*(rt.remove(c) for c in created[-2:]))
    finally:
        await asyncio.gather(*(rt.remove(c) for c in created))
        await rt.close()

    def line(what: str, xs: list[float]) -> str:
        p90 = sorted(xs)[min(len(xs) - 1, int(0.9 * len(xs)))]
        return f"{what:<28} p50 {statistics.median(xs) * 1000:6.1f} ms   p90 {p90 * 1000:6.1f} ms"

    print(f"n={n}")
    print(line("DockerRuntime create+start:", ours))
    print(line("docker run -d (CLI):", cli))
    print(f"ratio p50: {statistics.median(ours) / statistics.median(cli):.2f}")


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 20))
