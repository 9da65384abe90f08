"""`make chaos`: many rounds of each fault against a whole berth of real processes, checked after
each round (tests/support/chaos.py), and a table of the rounds survived.

BENCH_CHAOS_AGENT (20), BENCH_CHAOS_LEADER (10), BENCH_CHAOS_ETCD (5), BENCH_CHAOS_PARTITION (5)
set the rounds of each kind."""

from __future__ import annotations

import os

from bench.common import report
from tests.support.chaos import World, play

COUNTS = {
    "kill -9 an agent": int(os.environ.get("BENCH_CHAOS_AGENT", "20")),
    "kill -9 the leader replica": int(os.environ.get("BENCH_CHAOS_LEADER", "10")),
    "kill -9 an etcd member (of 3)": int(os.environ.get("BENCH_CHAOS_ETCD", "5")),
    "partition an agent": int(os.environ.get("BENCH_CHAOS_PARTITION", "5")),
}


def run() -> None:
    world = World.create()
    try:
        table = play(world, COUNTS)
        assert world.writer is not None
        acked, failed = len(world.writer.revisions), world.writer.failures
    finally:
        world.close()
    report(
        "chaos: 3 etcd members, 3 replicas + an edge replica, 3 agents; a service of 4, 2 standalone tasks",
        [
            *[
                (kind, f"{survived}/{rounds} rounds survived, slowest recovery {worst:.1f} s")
                for kind, rounds, survived, worst in table
            ],
            (
                "writes acknowledged (all found after every round)",
                f"{acked} revisions + tags; {failed} refused",
            ),
        ],
    )


if __name__ == "__main__":
    run()
