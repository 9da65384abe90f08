"""Durability: kill -9 the control plane during writes; every acknowledged write survives whole."""

from __future__ import annotations

import threading
import time
import uuid
from pathlib import Path
from typing import Any

import pytest

from berth import ApiError, Client
from berth.v1 import store_pb2, types_pb2
from tests.support.infra import ControlPlaneProcess

pytestmark = [pytest.mark.etcd, pytest.mark.e2e]


def writer(
    cp: ControlPlaneProcess, td: dict[str, Any], acked: list[tuple[str, int]], stop: threading.Event
) -> None:
    """Register revisions and create clusters until stopped; record what was acknowledged."""
    with Client(config_path=cp.config_path, timeout=5) as c:
        i = 0
        while not stop.is_set():
            i += 1
            try:
                if i % 4 == 0:
                    c.create_cluster(clusterName=f"{td['family']}-{i}")
                    acked.append(("cluster", i))
                else:
                    acked.append(("td", c.register_task_definition(td).task_definition.revision))
            except ApiError:
                time.sleep(0.02)


def test_kill_9_during_writes_loses_nothing_acknowledged(
    etcd_endpoint: str, tmp_path: Path, webapp_td: dict[str, Any]
) -> None:
    prefix = f"/berth-dur-{uuid.uuid4().hex[:8]}/"
    cp = ControlPlaneProcess(etcd_endpoint, tmp_path / "cp", prefix=prefix).start()
    webapp_td["family"] = "durable"
    acked: list[tuple[str, int]] = []
    stop = threading.Event()
    thread = threading.Thread(target=writer, args=(cp, webapp_td, acked, stop))
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while len(acked) < 40 and time.monotonic() < deadline:
            time.sleep(0.01)
        cp.kill()  # SIGKILL mid-stream
        time.sleep(0.3)
        cp.start()  # same data dir, same ports, same etcd
        n_before = len(acked)
        deadline = time.monotonic() + 30
        while len(acked) < n_before + 20 and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        stop.set()
        thread.join(30)
        cp.stop()
    revisions = sorted(r for kind, r in acked if kind == "td")
    clusters = [i for kind, i in acked if kind == "cluster"]
    assert len(revisions) >= 40 and len(set(revisions)) == len(revisions)

    from tests.support.controlplane import InProcessControlPlane

    check = InProcessControlPlane((etcd_endpoint,), prefix=prefix).start()
    try:
        store = check.cp.store
        family = check.run(store.get("families/durable", store_pb2.TaskDefinitionFamily))
        assert family is not None
        stored, _ = check.run(store.list("taskdefs/durable/", types_pb2.TaskDefinition))
        stored_revisions = [r.value.revision for r in stored]
        # Nothing half-written: the counter and the revisions agree, with no gap and no duplicate.
        assert stored_revisions == list(range(1, family.value.last_revision + 1))
        assert family.value.active_revisions == len(stored_revisions)
        # Every acknowledged write is there.
        assert set(revisions) <= set(stored_revisions)
        stored_clusters = {
            r.value.cluster_name for r in check.run(store.list("clusters/", types_pb2.Cluster))[0]
        }
        assert {f"durable-{i}" for i in clusters} <= stored_clusters
    finally:
        check.stop()
