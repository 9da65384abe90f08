"""ECS Exec Session events, derived from the records of exec sessions."""

from __future__ import annotations

from berth.v1 import berth_pb2
from controlplane.events.derive import EXEC_SESSION, EventFilter, derive, exec_events
from controlplane.store import keys

TASK = "arn:berth:ecs:local:000000000000:task/prod/abc"


def record(**fields: object) -> berth_pb2.ExecSession:
    base: dict[str, object] = {
        "session_id": "s1",
        "task_arn": TASK,
        "container_name": "web",
        "command": "sh",
        "principal": "arn:berth:iam::user/admin",
        "status": "RUNNING",
        "started_at": 100.0,
    }
    return berth_pb2.ExecSession(**(base | fields))  # type: ignore[arg-type]


def test_start_and_exit() -> None:
    [started] = exec_events("prod", None, record())
    assert (started.detail_type, started.type, started.cluster, started.time) == (
        EXEC_SESSION,
        "exec",
        "prod",
        100.0,
    )
    assert started.resources == [TASK]
    assert (
        started.summary
        == "exec session s1 by arn:berth:iam::user/admin in task abc container web: sh started"
    )
    [ended] = exec_events("prod", record(), record(status="STOPPED", stopped_at=160.0, exit_code=3))
    assert ended.summary.endswith("exited 3") and ended.time == 160.0
    assert ended.exec_session.exit_code == 3


def test_an_end_without_exit_code_says_why() -> None:
    [ended] = exec_events("prod", record(), record(status="STOPPED", reason="the caller hung up"))
    assert ended.summary.endswith("ended: the caller hung up")


def test_deletion_and_rewrites_are_no_events() -> None:
    assert exec_events("prod", record(status="STOPPED"), None) == []
    assert exec_events("prod", record(), record(command="other")) == []


def test_derive_and_filters_know_exec_records() -> None:
    key = keys.exec_session("prod", "s1")
    [event] = derive(key, None, record().SerializeToString(), lambda *_: None)
    assert event.type == "exec"
    assert EventFilter().wants_key(key)
    assert not EventFilter(types=frozenset({"task"})).wants_key(key)
    assert not EventFilter(cluster="other").wants_key(key)
