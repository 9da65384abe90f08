"""Shared pieces of the benchmarks: infrastructure, timing and reporting."""

from __future__ import annotations

import os
import statistics
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.support.infra import ControlPlaneProcess, http_ok, start_private_etcd


def etcd_endpoint() -> str:
    configured = os.environ.get("BERTH_TEST_ETCD", "127.0.0.1:2379")
    if http_ok(f"http://{configured}/health"):
        return configured
    return start_private_etcd().endpoint


@contextmanager
def controlplane_process(prefix: str) -> Iterator[ControlPlaneProcess]:
    cp = ControlPlaneProcess(
        etcd_endpoint(), Path(tempfile.mkdtemp(prefix="berth-bench-")), prefix=prefix
    ).start()
    try:
        yield cp
    finally:
        cp.stop()


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def report(title: str, rows: list[tuple[str, str]]) -> None:
    width = max((len(k) for k, _ in rows), default=0)
    print(f"\n== {title}")
    for key, value in rows:
        print(f"  {key.ljust(width)}  {value}")
