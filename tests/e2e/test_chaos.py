"""The short chaos run of `make test`: one round of each fault against a whole berth of real
processes (3 etcd members, 3 replicas and an edge replica, 3 agents), each checked (see
tests/support/chaos.py). `make chaos` runs many rounds."""

from __future__ import annotations

import shutil

import pytest

from tests.support.chaos import ROUNDS, World, play
from tests.support.infra import docker_client, missing

pytestmark = [pytest.mark.etcd, pytest.mark.docker, pytest.mark.e2e]


def test_one_round_of_each_fault_breaks_nothing() -> None:
    docker_client()
    if shutil.which("iptables") is None:
        missing("iptables")
    world = World.create()
    try:
        table = play(world, {kind: 1 for kind in ROUNDS})
    finally:
        world.close()
    assert [(kind, survived) for kind, _, survived, _ in table] == [(kind, 1) for kind in ROUNDS]
