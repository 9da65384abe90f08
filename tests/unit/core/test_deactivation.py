"""request_stop() with a drain: a RUNNING load balancer target goes DEACTIVATING until
now + drain; a second request never extends the deadline; agents' RUNNING reports are stale then."""

from __future__ import annotations

import pytest

from berth.v1 import agent_pb2, types_pb2
from controlplane.taskstate import (
    apply_state_change,
    deactivation_deadline,
    drain_for,
    request_stop,
)


@pytest.mark.parametrize(
    ("last", "drain", "status", "deadline"),
    [
        pytest.param("RUNNING", 30, "DEACTIVATING", 130.0, id="running-target-drains"),
        pytest.param("RUNNING", 0, "RUNNING", 0.0, id="no-load-balancer-unchanged"),
        pytest.param("PENDING", 30, "PENDING", 0.0, id="not-running-stops-at-once"),
        pytest.param("ACTIVATING", 30, "ACTIVATING", 0.0, id="activating-stops-at-once"),
    ],
)
def test_request_stop_with_drain(last: str, drain: float, status: str, deadline: float) -> None:
    task = types_pb2.Task(last_status=last, desired_status="RUNNING", version=1)
    assert request_stop(task, stop_code="UserInitiated", reason="by user", now=100.0, drain_seconds=drain)
    assert (task.desired_status, task.last_status, task.deactivate_until) == ("STOPPED", status, deadline)
    assert (task.stop_code, task.stopped_reason, task.version) == ("UserInitiated", "by user", 2)


def test_no_drain_is_byte_for_byte_the_old_stop() -> None:
    a = types_pb2.Task(last_status="RUNNING", desired_status="RUNNING")
    b = types_pb2.Task(last_status="RUNNING", desired_status="RUNNING")
    request_stop(a, stop_code="UserInitiated", reason="r")
    request_stop(b, stop_code="UserInitiated", reason="r", now=5.0, drain_seconds=0)
    assert a == b
    assert (b.last_status, b.deactivate_until) == ("RUNNING", 0)


def test_second_stop_does_not_extend_the_deadline() -> None:
    task = types_pb2.Task(last_status="RUNNING", desired_status="RUNNING")
    assert request_stop(
        task, stop_code="ServiceSchedulerInitiated", reason="scale in", now=10, drain_seconds=5
    )
    assert not request_stop(task, stop_code="UserInitiated", reason="by user", now=14, drain_seconds=300)
    assert (task.deactivate_until, task.stop_code) == (15.0, "ServiceSchedulerInitiated")


def test_agent_running_report_is_stale_while_deactivating() -> None:
    task = types_pb2.Task(last_status="RUNNING", desired_status="RUNNING")
    request_stop(task, stop_code="UserInitiated", reason="r", now=10, drain_seconds=5)
    assert not apply_state_change(
        task, agent_pb2.TaskStateChange(last_status="RUNNING", health_status="HEALTHY")
    )
    assert task.last_status == "DEACTIVATING"
    assert apply_state_change(
        task, agent_pb2.TaskStateChange(last_status="DEACTIVATING", health_status="HEALTHY")
    )
    assert apply_state_change(task, agent_pb2.TaskStateChange(last_status="STOPPING", stopping_at=15.0))
    assert (task.last_status, task.deactivate_until) == ("STOPPING", 15.0)


def test_deactivation_deadline() -> None:
    running = types_pb2.Task(last_status="RUNNING")
    assert deactivation_deadline(running, now=1.0, drain_seconds=2.5) == 3.5
    assert deactivation_deadline(running, now=1.0, drain_seconds=-1) == 0.0


def test_drain_for() -> None:
    with_lb = types_pb2.Service(load_balancers=[types_pb2.LoadBalancer(target_group_arn="tg")])

    def broken(service: types_pb2.Service) -> float:
        raise RuntimeError("catalog bug")

    assert drain_for(lambda s: 3, with_lb) == 3.0
    assert drain_for(lambda s: 3, None) == 0.0
    assert drain_for(lambda s: -4, with_lb) == 0.0
    assert drain_for(broken, with_lb) == 0.0  # a stop is never blocked by the catalog
