"""Fixtures shared by all tests. Infrastructure fixtures find or start real etcd and Docker."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("TESTCONTAINERS_RYUK_DISABLED", "true")
os.environ.setdefault("TESTCONTAINERS_CONNECTION_MODE", "docker_host")

REPO = Path(__file__).resolve().parent.parent


def pytest_configure(config: pytest.Config) -> None:
    from berth import logs

    logs.configure(json=False, level="info")


EXAMPLES = REPO / "deploy" / "examples"


@pytest.fixture(scope="session")
def etcd_endpoint() -> Iterator[str]:
    from tests.support.infra import shared_etcd_endpoint

    endpoint, server = shared_etcd_endpoint()
    yield endpoint
    if server is not None:
        server.stop()


@pytest.fixture(scope="session")
def controlplane(etcd_endpoint: str) -> Iterator[object]:
    """One in-process control plane for the session, on its own key prefix."""
    from tests.support.controlplane import InProcessControlPlane

    # Agents in tests heartbeat every second, so a short grace keeps disconnection tests quick.
    cp = InProcessControlPlane((etcd_endpoint,), agent_grace_seconds=4, settle_seconds=2).start()
    yield cp
    cp.stop()


@pytest.fixture
def client(controlplane: object) -> Iterator[object]:
    from berth import Client

    c = Client(config_path=controlplane.config_path)  # type: ignore[attr-defined]
    yield c
    c.close()


@pytest.fixture
def unique() -> str:
    """A short unique suffix for names, so tests sharing a control plane never collide."""
    return uuid.uuid4().hex[:8]


@pytest.fixture
def webapp_td() -> dict[str, object]:
    return json.loads((EXAMPLES / "webapp.json").read_text())  # type: ignore[no-any-return]


@pytest.fixture(scope="session")
def docker() -> object:
    from tests.support.infra import docker_client

    return docker_client()


@pytest.fixture
def cluster(client: object, unique: str) -> str:
    name = f"t-{unique}"
    client.create_cluster(clusterName=name)  # type: ignore[attr-defined]
    return name


@pytest.fixture
def agents(controlplane: object, cluster: str, docker: object) -> Iterator[object]:
    """A factory of agents joined to the test's cluster: `agents(name="a", attributes={...})`."""
    from tests.support.agents import AgentProcess

    started: list[AgentProcess] = []
    token = (controlplane.data_dir / "join-token").read_text().strip()  # type: ignore[attr-defined]

    def start(
        name: str = "",
        attributes: dict[str, str] | None = None,
        extra: list[str] | None = None,
        target_cluster: str | None = None,
    ) -> AgentProcess:
        agent = AgentProcess(
            controlplane.endpoint,
            token,
            target_cluster or cluster,  # type: ignore[attr-defined]
            name or f"host{len(started)}",
            attributes or {},
            extra or [],
        ).start()
        started.append(agent)
        return agent

    yield start
    from berth import Client

    with Client(config_path=controlplane.config_path) as c:  # type: ignore[attr-defined]
        for agent in started:
            agent.cleanup(docker)
            if "--pool" in agent.extra and agent.instance_arn:
                # The pool outlives clusters: take this test's pool host out of it again.
                c.deregister_pool_instance(containerInstance=agent.instance_arn, force=True)
