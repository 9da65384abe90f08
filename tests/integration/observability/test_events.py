"""`berth events` and WatchEvents against real etcd and agents: a task's lifecycle in order, resuming
after a disconnect without a gap or a repeat, and a clear error when the history is gone."""

from __future__ import annotations

import json
import queue
import subprocess
import sys
import threading
import time
from typing import Any

import pytest

from berth import ApiError, Client
from berth.taskstatus import rank
from tests.support.agents import wait_for, wait_task

pytestmark = [pytest.mark.etcd, pytest.mark.docker]

IMAGE = "berth/busybox:latest"


def register(client: Client, family: str, command: list[str]) -> str:
    td = {
        "family": family,
        "containerDefinitions": [{"name": "c", "image": IMAGE, "memory": 16, "command": command}],
    }
    return client.register_task_definition(td).task_definition.task_definition_arn


class Collector:
    """Reads a stream on a thread into a list."""

    def __init__(self, stream: Any) -> None:
        self.events: list[Any] = []
        self.stream = stream
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        for item in self.stream:
            self.events.append(item)

    def wait(self, predicate: Any, timeout: float = 30) -> None:
        wait_for(lambda: any(predicate(e) for e in list(self.events)), timeout=timeout)


def test_cli_follows_a_task_from_pending_to_stopped(
    controlplane: Any, client: Client, cluster: str, agents: Any, unique: str
) -> None:
    agents().wait_connected(client)
    td = register(client, f"brief-{unique}", ["sh", "-c", "sleep 1"])
    proc = subprocess.Popen(
        [
            *(
                sys.executable,
                "-m",
                "berth.cli",
                "--config",
                str(controlplane.config_path),
                "--output",
                "json",
            ),
            *("events", "-f", "--cluster", cluster, "--type", "task"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()

    def read() -> None:
        assert proc.stdout is not None
        for text in proc.stdout:
            lines.put(text)

    threading.Thread(target=read, daemon=True).start()
    try:
        task = client.run_task(cluster=cluster, taskDefinition=td).tasks[0].task_arn
        seen: list[dict[str, Any]] = []
        deadline = time.monotonic() + 40
        while not any(e["detail"]["lastStatus"] == "STOPPED" for e in seen):
            assert time.monotonic() < deadline, f"no STOPPED event: {seen} {proc.stderr}"
            try:
                event = json.loads(lines.get(timeout=1))
            except queue.Empty:
                continue
            assert event["detail-type"] == "ECS Task State Change" and event["source"] == "berth.ecs"
            if event["resources"] == [task]:
                seen.append(event)
        statuses = [e["detail"]["lastStatus"] for e in seen]
        assert statuses.index("PENDING") < statuses.index("RUNNING") < statuses.index("STOPPED")
        assert [rank(s) for s in statuses] == sorted(rank(s) for s in statuses)  # in order
        ids = [tuple(int(p) for p in e["id"].split("-")) for e in seen]
        assert ids == sorted(ids) and len(set(ids)) == len(ids)
        assert seen[-1]["detail"]["stopCode"] == "EssentialContainerExited"
        assert seen[-1]["detail"]["taskArn"] == task and seen[-1]["detail"]["containers"][0]["exitCode"] == 0
    finally:
        proc.terminate()
        proc.wait(10)


def test_a_client_that_reconnects_with_its_last_id_misses_nothing(
    controlplane: Any, client: Client, cluster: str, agents: Any, unique: str
) -> None:
    agents().wait_connected(client)
    full = Collector(client.watch_events(cluster=cluster, fromOldest=True, follow=True))
    first = client.watch_events(cluster=cluster, fromOldest=True, follow=True)
    part_one = [next(first) for _ in range(2)]  # the instance's registration and connection
    first.close()  # hang up

    td = register(client, f"svc-{unique}", ["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"])
    client.create_service(cluster=cluster, serviceName="web", taskDefinition=td, desiredCount=2)
    full.wait(
        lambda e: (
            e.WhichOneof("detail") == "service_action"
            and e.service_action.event_name == "SERVICE_STEADY_STATE"
        )
    )
    one_off = register(client, f"once-{unique}", ["true"])
    task = client.run_task(cluster=cluster, taskDefinition=one_off).tasks[0].task_arn
    wait_task(client, cluster, task, "STOPPED")
    full.wait(
        lambda e: (
            e.WhichOneof("detail") == "task" and e.task.task_arn == task and e.task.last_status == "STOPPED"
        )
    )
    last = full.events[-1].id

    part_two = []
    for event in client.watch_events(cluster=cluster, afterId=part_one[-1].id, follow=True, timeout=30):
        part_two.append(event)
        if event.id == last:
            break
    resumed = [(e.id, e.summary) for e in part_one + part_two]
    assert resumed == [(e.id, e.summary) for e in full.events[: len(resumed)]]
    assert resumed[-1][0] == last

    kinds = {e.type for e in full.events}
    assert kinds == {"task", "service", "deployment", "instance"}
    names = [e.deployment_state_change.event_name for e in full.events if e.type == "deployment"]
    assert names == ["SERVICE_DEPLOYMENT_IN_PROGRESS", "SERVICE_DEPLOYMENT_COMPLETED"]
    assert [e.service_name for e in full.events if e.type == "task"].count("web") >= 4  # 2 tasks, 2+ changes

    # without follow, the same history ends by itself
    replay = list(client.watch_events(cluster=cluster, fromOldest=True, timeout=30))
    assert [e.id for e in replay[: len(resumed)]] == [i for i, _ in resumed]
    # filters: one service's events (and its tasks'), no instance events
    only_web = list(client.watch_events(cluster=cluster, fromOldest=True, services=["web"], timeout=30))
    assert only_web and all(e.service_name == "web" and e.type != "instance" for e in only_web)
    client.update_service(cluster=cluster, service="web", desiredCount=0)
    client.delete_service(cluster=cluster, service="web", force=True)


def test_resuming_from_compacted_history_fails_clearly(
    controlplane: Any, client: Client, cluster: str
) -> None:
    client.create_cluster(clusterName=f"{cluster}-x")  # one event-free write to have a revision
    events = list(client.watch_events(fromOldest=True, timeout=30, types=["instance"]))
    old = events[0].id if events else None
    revision = controlplane.run(controlplane.cp.store.ping())
    controlplane.run(controlplane.cp.store.compact(revision))
    if old is None:  # no instance ever registered on this control plane: make an id that was compacted
        old = f"{revision - 1}-0-0"
    with pytest.raises(ApiError) as caught:
        list(client.watch_events(afterId=old, timeout=30))
    assert caught.value.code == "FAILED_PRECONDITION" and "no longer in the history" in caught.value.message
    assert caught.value.ecs_type == "EventsExpiredException"
    with pytest.raises(ApiError) as caught:
        list(client.watch_events(afterId="not-an-id", timeout=30))
    assert caught.value.code == "INVALID_ARGUMENT" and "afterId" in caught.value.message
    # starting now, or from the oldest event kept, still works
    assert list(client.watch_events(cluster=cluster, timeout=30)) == []
    list(client.watch_events(fromOldest=True, timeout=30))
