"""A three-member etcd cluster (testcontainers, locally built image): losing the etcd leader during
writes loses no acknowledged write, and the API serves again within seconds."""

from __future__ import annotations

import json
import threading
import time
import urllib.request
import uuid
from pathlib import Path
from typing import Any

import pytest

from berth import ApiError, Client
from tests.support.infra import ControlPlaneProcess, docker_client, free_port, http_ok

pytestmark = [pytest.mark.etcd, pytest.mark.docker, pytest.mark.e2e]

IMAGE = "berth/etcd:latest"


def member_status(client_port: int) -> dict[str, Any]:
    req = urllib.request.Request(
        f"http://127.0.0.1:{client_port}/v3/maintenance/status", data=b"{}", method="POST"
    )
    with urllib.request.urlopen(req, timeout=2) as r:
        return json.loads(r.read())  # type: ignore[no-any-return]


@pytest.fixture
def etcd_cluster() -> Any:
    from testcontainers.core.container import DockerContainer

    docker = docker_client()
    try:
        docker.images.get(IMAGE)
    except Exception:
        pytest.fail(f"{IMAGE} is missing: build it with `make images`")
    run = uuid.uuid4().hex[:6]
    ports = [(free_port(), free_port()) for _ in range(3)]
    names = [f"m{i}" for i in range(3)]
    initial = ",".join(f"{n}=http://127.0.0.1:{p[1]}" for n, p in zip(names, ports, strict=True))
    members = []
    for name, (client_port, peer_port) in zip(names, ports, strict=True):
        c = (
            DockerContainer(IMAGE)
            .with_kwargs(network_mode="host", labels={"berth.test": run})
            .with_command(
                f"--name {name} --data-dir /tmp/{name} "
                f"--listen-client-urls http://127.0.0.1:{client_port} "
                f"--advertise-client-urls http://127.0.0.1:{client_port} "
                f"--listen-peer-urls http://127.0.0.1:{peer_port} "
                f"--initial-advertise-peer-urls http://127.0.0.1:{peer_port} "
                f"--initial-cluster {initial} --initial-cluster-state new --initial-cluster-token {run}"
            )
        )
        c.start()
        members.append((c, client_port))
    try:
        deadline = time.monotonic() + 30
        while not all(http_ok(f"http://127.0.0.1:{p}/health") for _, p in members):
            assert time.monotonic() < deadline, "etcd cluster did not become healthy"
            time.sleep(0.1)
        yield members
    finally:
        for c, _ in members:
            try:
                c.stop()
            except Exception:
                pass


def test_leader_loss_keeps_acknowledged_writes(
    etcd_cluster: Any, tmp_path: Path, webapp_td: dict[str, Any]
) -> None:
    endpoints = ",".join(f"127.0.0.1:{p}" for _, p in etcd_cluster)
    cp = ControlPlaneProcess(endpoints, tmp_path / "cp").start()
    webapp_td["family"] = "failover"
    acked: list[int] = []
    errors_at: list[float] = []
    stop = threading.Event()

    def write() -> None:
        with Client(config_path=cp.config_path, timeout=5) as c:
            while not stop.is_set():
                try:
                    acked.append(c.register_task_definition(webapp_td).task_definition.revision)
                except ApiError:
                    errors_at.append(time.monotonic())
                    time.sleep(0.05)

    thread = threading.Thread(target=write)
    thread.start()
    try:
        while len(acked) < 30:
            time.sleep(0.01)
        statuses = [(c, p, member_status(p)) for c, p in etcd_cluster]
        leader = next(c for c, _, s in statuses if s["header"]["member_id"] == s["leader"])
        killed_at = time.monotonic()
        count_at_kill = len(acked)
        leader.get_wrapped_container().kill()
        deadline = time.monotonic() + 30
        while len(acked) < count_at_kill + 30 and time.monotonic() < deadline:
            time.sleep(0.01)
        recovered = len(acked) >= count_at_kill + 30
    finally:
        stop.set()
        thread.join(30)
    try:
        assert recovered, "the API did not serve writes again within 30 s of losing the etcd leader"
        # Served again within seconds: the last error happened shortly after the kill.
        gap = max((t - killed_at for t in errors_at if t >= killed_at), default=0.0)
        assert gap < 15, f"writes failed for {gap:.1f} s after the leader was lost"
        with Client(config_path=cp.config_path) as c:
            listed: list[str] = []
            token = ""
            while True:
                page = c.list_task_definitions(familyPrefix="failover", nextToken=token)
                listed += page.task_definition_arns
                token = page.next_token
                if not token:
                    break
        stored = {int(a.rsplit(":", 1)[1]) for a in listed}
        assert set(acked) <= stored
        assert len(set(acked)) == len(acked)
    finally:
        cp.stop()
