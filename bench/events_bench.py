"""Event stream latency (issue #6): state change -> event delivered to a WatchEvents watcher.

Two measurements against a control plane process, each over about 200 task state changes:

- pipeline: the benchmark writes task records itself (compare-and-swap, as the control plane
  does), 50 tasks x 4 states, and times each from just before its etcd write to the moment the
  event arrives at a `berth.Client.watch_events` watcher (matched by the etcd revision in the
  event id). Baseline in the same run: a bare etcd watch on the same keys, timed the same way, so
  the figure shows what the event stream adds to etcd's own delivery.
- end to end: 50 real one-shot tasks on a real agent; each RUNNING and STOPPED event's time is the
  agent's own timestamp of that change (startedAt, stoppedAt: the same host clock), so the
  latency covers the agent's report, the control plane's write, the watch and the stream.
"""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

from bench.common import agent_process, controlplane_process, percentile, report
from berth import Client
from berth.v1 import types_pb2
from controlplane.store import EtcdStore, Put, keys
from tests.support.infra import ControlPlaneProcess

TASKS = 50
STATES = ("PROVISIONING", "PENDING", "RUNNING", "STOPPED")


class Watcher:
    """A WatchEvents stream read on a thread; records (receive time, event)."""

    def __init__(self, stream: Iterator[Any]) -> None:
        self.received: list[tuple[float, float, Any]] = []  # (perf_counter, wall clock, event)
        self._stream = stream
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            for event in self._stream:
                self.received.append((time.perf_counter(), time.time(), event))
        except Exception:  # closed at the end of the benchmark
            return

    def wait(self, count: int, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.01)


async def write_states(cp: ControlPlaneProcess, cluster: str, raw: dict[int, float]) -> dict[int, float]:
    """Write TASKS x STATES task records one at a time; revision -> perf_counter before the write.
    A bare etcd watch fills `raw` (revision -> perf_counter when it arrived)."""
    store = EtcdStore(cp.etcd_endpoints.split(","), prefix=cp.prefix)
    await store.start()
    sent: dict[int, float] = {}
    start = await store.ping()

    async def watch() -> None:
        async for batch in store.watch(keys.tasks_of(cluster), start + 1):
            now = time.perf_counter()
            for change in batch:
                raw.setdefault(change.mod_revision, now)

    watcher = asyncio.create_task(watch())
    try:
        await asyncio.sleep(0.2)  # the watch is established
        for n in range(TASKS):
            task_id = uuid.uuid4().hex
            task = types_pb2.Task(
                task_arn=f"arn:berth:ecs:local:000000000000:task/{cluster}/{task_id}",
                task_definition_arn="arn:berth:ecs:local:000000000000:task-definition/bench:1",
                desired_status="RUNNING",
                created_at=time.time(),
            )
            revision = 0
            for state in STATES:
                task.last_status = state
                before = time.perf_counter()
                revision = await store.commit(Put(keys.task(cluster, task_id), task, revision))
                sent[revision] = before
                await asyncio.sleep(0.005)
            if n % 10 == 9:
                await asyncio.sleep(0.05)
        await asyncio.sleep(0.5)
    finally:
        watcher.cancel()
        await asyncio.gather(watcher, return_exceptions=True)
        await store.close()
    return sent


def pipeline(cp: ControlPlaneProcess, client: Client) -> tuple[list[float], list[float]]:
    cluster = f"bench-events-{uuid.uuid4().hex[:6]}"
    client.create_cluster(clusterName=cluster)
    watcher = Watcher(client.watch_events(cluster=cluster, types=["task"], follow=True))
    time.sleep(0.5)
    raw: dict[int, float] = {}
    sent = asyncio.run(write_states(cp, cluster, raw))
    watcher.wait(len(sent))
    berth = []
    for received, _, event in watcher.received:
        revision = int(event.id.split("-")[0])
        if revision in sent:
            berth.append(received - sent[revision])
    baseline = [raw[r] - t for r, t in sent.items() if r in raw]
    assert len(berth) == len(sent), f"{len(berth)} of {len(sent)} events arrived"
    return berth, baseline


def end_to_end(cp: ControlPlaneProcess, client: Client) -> list[float]:
    cluster = f"bench-e2e-{uuid.uuid4().hex[:6]}"
    client.create_cluster(clusterName=cluster)
    td = client.register_task_definition(
        {
            "family": "bench-once",
            "containerDefinitions": [
                {"name": "once", "image": "berth/busybox:latest", "memory": 8, "command": ["sleep", "2"]}
            ],
        }
    ).task_definition.task_definition_arn
    with agent_process(cp, cluster):
        watcher = Watcher(client.watch_events(cluster=cluster, types=["task"], follow=True))
        time.sleep(0.5)
        for _ in range(TASKS // 10):
            resp = client.run_task(cluster=cluster, taskDefinition=td, count=10)
            assert len(resp.tasks) == 10, resp.failures
            time.sleep(1.0)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            stopped = [e for _, _, e in watcher.received if e.task.last_status == "STOPPED"]
            if len(stopped) >= TASKS:
                break
            time.sleep(0.1)
    latencies = []
    for _, wall, event in watcher.received:
        if event.task.last_status in ("RUNNING", "STOPPED"):
            latencies.append(wall - event.time)
    return latencies


def run() -> dict[str, float]:
    with (
        controlplane_process(f"/bench-events-{uuid.uuid4().hex[:6]}/") as cp,
        Client(config_path=cp.config_path) as client,
    ):
        berth, baseline = pipeline(cp, client)
        e2e = end_to_end(cp, client)
    figures = {
        "pipeline_p50_ms": percentile(berth, 50) * 1000,
        "pipeline_p99_ms": percentile(berth, 99) * 1000,
        "etcd_watch_p50_ms": percentile(baseline, 50) * 1000,
        "etcd_watch_p99_ms": percentile(baseline, 99) * 1000,
        "end_to_end_p50_ms": percentile(e2e, 50) * 1000,
        "end_to_end_p99_ms": percentile(e2e, 99) * 1000,
        "pipeline_events": float(len(berth)),
        "end_to_end_events": float(len(e2e)),
    }
    report(
        "Event stream latency: state change -> event delivered to a WatchEvents watcher",
        [
            (
                f"record written -> event delivered ({len(berth)} changes)",
                f"p50 {figures['pipeline_p50_ms']:.1f} ms  p99 {figures['pipeline_p99_ms']:.1f} ms",
            ),
            (
                "  baseline: same writes -> bare etcd watch",
                f"p50 {figures['etcd_watch_p50_ms']:.1f} ms  p99 {figures['etcd_watch_p99_ms']:.1f} ms",
            ),
            (
                f"agent-observed change -> event delivered ({len(e2e)} RUNNING/STOPPED)",
                f"p50 {figures['end_to_end_p50_ms']:.1f} ms  p99 {figures['end_to_end_p99_ms']:.1f} ms",
            ),
        ],
    )
    return figures


if __name__ == "__main__":
    run()
