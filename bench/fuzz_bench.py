"""The long fuzz run (issue #14): `make fuzz`, or `python -m bench fuzz`.

The generators of tests/support/fuzz.py against a `berth-controlplane` process (controllers off,
so that its keyspace changes only through the calls made): BENCH_FUZZ_REQUESTS gRPC requests
(default 10,000) spread over every RPC of every service, structured and raw garbage, then a tenth
as many ECS JSON requests. Checks every answer as the test suite does (no UNKNOWN/INTERNAL, no
5xx, INVALID_ARGUMENT naming the field, a failed unary call leaves the keyspace as it was), and
reports the codes seen, the request rate and the control plane's RSS before and after.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
import uuid
from typing import Any

from hypothesis import HealthCheck, Phase, given, settings

from bench.common import controlplane_process, report, rss_mib
from controlplane.store import EtcdStore
from tests.support import fuzz

REQUESTS = int(os.environ.get("BENCH_FUZZ_REQUESTS", "10000"))
LONG = settings(
    deadline=None,
    database=None,
    phases=[Phase.generate],  # problems are collected, not raised: nothing to shrink
    suppress_health_check=list(HealthCheck),
)


def fuzz_method(target: fuzz.Target, service: str, method: Any, requests: int) -> fuzz.GrpcFuzzer:
    fuzzer = target.fuzzer(service, method)

    @settings(LONG, max_examples=requests)
    @given(bodies=fuzz.request_bodies(method, target))
    def one(bodies: list[bytes]) -> None:
        fuzzer.send(service, method, bodies)

    one()
    fuzzer.close()
    return fuzzer


def run() -> dict[str, float]:
    prefix = f"/bench-fuzz-{uuid.uuid4().hex[:6]}/"
    loop = asyncio.new_event_loop()
    # No audit trail: it writes for every call by design, and the fuzzer checks failed calls write nothing.
    with controlplane_process(prefix, "--no-controllers", "--no-audit-events") as cp:
        assert cp.proc is not None
        store = EtcdStore(cp.etcd_endpoints.split(","), prefix=prefix)
        loop.run_until_complete(store.start())
        target = fuzz.prepare(cp.endpoint, cp.http, cp.data_dir, cp.ca_file)
        target.probe = lambda: (
            loop.run_until_complete(store.count("")),
            loop.run_until_complete(store.last_modified(""))[0],
        )
        rss_before = rss_mib(cp.proc.pid)
        methods = list(fuzz.every_method())
        codes: dict[str, int] = {}
        problems: list[str] = []
        sent = 0
        start = time.perf_counter()
        for service, method in methods:
            share = max(1, REQUESTS // len(methods) // (10 if method.server_streaming else 1))
            fuzzer = fuzz_method(target, service, method, share)
            sent += fuzzer.sent
            problems += fuzzer.problems
            for code, n in fuzzer.codes.items():
                codes[code] = codes.get(code, 0) + n
        grpc_seconds = time.perf_counter() - start
        json_fuzzer = fuzz.JsonFuzzer(target)

        @settings(LONG, max_examples=max(1, REQUESTS // 10))
        @given(case=fuzz.json_cases(target.known))
        def json_one(case: fuzz.JsonCase) -> None:
            json_fuzzer.send(case)

        start = time.perf_counter()
        json_one()
        json_seconds = time.perf_counter() - start
        problems += json_fuzzer.problems
        alive = cp.proc.poll() is None
        rss_after = rss_mib(cp.proc.pid)
        loop.run_until_complete(store.close())
    loop.close()
    json_sent = sum(json_fuzzer.statuses.values())
    report(
        f"Fuzz: {sent} gRPC requests over {len(methods)} RPCs, {json_sent} ECS JSON requests",
        [
            ("gRPC codes", ", ".join(f"{k} {v}" for k, v in sorted(codes.items(), key=lambda kv: -kv[1]))),
            ("gRPC requests/s", f"{sent / grpc_seconds:.0f} (checked one at a time, keyspace probed)"),
            ("JSON statuses", ", ".join(f"{k} {v}" for k, v in sorted(json_fuzzer.statuses.items()))),
            ("JSON requests/s", f"{json_sent / json_seconds:.0f}"),
            ("problems", str(len(problems))),
            ("control plane", f"{'up' if alive else 'DIED'}, RSS {rss_before:.0f} -> {rss_after:.0f} MiB"),
        ],
    )
    for problem in problems[:20]:
        print(f"  PROBLEM {problem}", file=sys.stderr)
    if problems or not alive:
        raise SystemExit(f"fuzz: {len(problems)} problems, control plane {'up' if alive else 'died'}")
    return {
        "grpc_requests": sent,
        "json_requests": json_sent,
        "problems": len(problems),
        "rss_before_mib": rss_before,
        "rss_after_mib": rss_after,
    }


if __name__ == "__main__":
    run()
