"""`berth up` splits the machine between its cluster agent and its pool agent (split_machine)."""

from __future__ import annotations

import pytest

from berth.cli.up import Share, split_machine

MACHINE = Share(4096, 7937)


@pytest.mark.parametrize(
    ("agent", "pool", "expected"),
    [
        (Share(0, 0), Share(0, 0), (Share(2048, 3969), Share(2048, 3968))),
        (Share(3072, 0), Share(0, 0), (Share(3072, 3969), Share(1024, 3968))),
        (Share(0, 0), Share(1024, 1000), (Share(3072, 6937), Share(1024, 1000))),
        (Share(4096, 7937), Share(4096, 7937), (Share(4096, 7937), Share(4096, 7937))),
    ],
    ids=["halves", "agent-cpu-given", "pool-given", "both-given-overcommit"],
)
def test_split(agent: Share, pool: Share, expected: tuple[Share, Share]) -> None:
    assert split_machine(MACHINE, agent, pool) == expected


def test_by_default_the_two_offer_the_machine_once() -> None:
    for machine in (Share(1024, 1), Share(3072, 2049), MACHINE):
        agent, pool = split_machine(machine, Share(0, 0), Share(0, 0))
        assert (agent.cpu + pool.cpu, agent.memory + pool.memory) == (machine.cpu, machine.memory)


@pytest.mark.parametrize(
    ("agent", "pool", "message"),
    [
        (Share(4096, 0), Share(0, 0), "--agent-cpu 4096 leaves no CPU .* has 4096.*--pool-agent-cpu"),
        (Share(0, 0), Share(0, 9000), "--pool-agent-memory 9000 leaves no memory .*--agent-memory"),
        (Share(-1, 0), Share(0, 0), "--agent-cpu -1: must be 0"),
    ],
)
def test_a_share_that_leaves_nothing_is_refused(agent: Share, pool: Share, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        split_machine(MACHINE, agent, pool)
