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

    cp = InProcessControlPlane((etcd_endpoint,)).start()
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
