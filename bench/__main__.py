"""Run the benchmarks: `python -m bench` runs all, `python -m bench api scheduler` some."""

from __future__ import annotations

import importlib
import sys
import time

BENCHMARKS = {
    "api": "bench.api_bench",
    "autoscale": "bench.autoscale_bench",
    "chaos": "bench.chaos_bench",
    "discovery": "bench.discovery_bench",
    "events": "bench.events_bench",
    "fargate": "bench.fargate_bench",
    "fuzz": "bench.fuzz_bench",
    "gateway": "bench.gateway_bench",
    "iam": "bench.iam_bench",
    "lb": "bench.lb_bench",
    "observability": "bench.observability_bench",
    "reconcile": "bench.reconcile_bench",
    "replicas": "bench.replicas_bench",
    "scale": "bench.scale_bench",
    "scheduler": "bench.scheduler_bench",
    "services": "bench.services_bench",
    "soak": "bench.soak_bench",
    "tasks": "bench.tasks_bench",
    "tls": "bench.tls_bench",
}


def main(argv: list[str]) -> int:
    names = argv or list(BENCHMARKS)
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(BENCHMARKS)}", file=sys.stderr)
        return 2
    for name in names:
        start = time.perf_counter()
        module = importlib.import_module(BENCHMARKS[name])
        module.run()
        print(f"  ({name} took {time.perf_counter() - start:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
