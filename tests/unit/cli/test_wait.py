"""The verdicts of `berth wait`: done, failed (with the reason) or still waiting, with progress."""

from __future__ import annotations

from berth.cli.wait import services_verdict, tasks_verdict
from berth.v1 import types_pb2 as m


def task(status: str, arn: str = "arn:t/1", **kw: str) -> m.Task:
    return m.Task(task_arn=arn, last_status=status, **kw)


def service(name: str, running: int, desired: int, *statuses: str, status: str = "ACTIVE") -> m.Service:
    return m.Service(
        service_name=name,
        status=status,
        running_count=running,
        desired_count=desired,
        deployments=[m.Deployment(status=s) for s in statuses],
    )


def test_tasks_running() -> None:
    v = tasks_verdict("RUNNING", [task("RUNNING"), task("PENDING", "arn:t/2")], [])
    assert not v.done and not v.failed and v.progress == "1 of 2 tasks RUNNING (1 PENDING, 1 RUNNING)"
    assert tasks_verdict("RUNNING", [task("RUNNING")] * 2, []).done
    v = tasks_verdict(
        "RUNNING",
        [task("RUNNING"), task("STOPPED", "arn:t/2", stopped_reason="Essential container exited")],
        [],
    )
    assert v.failed == "task arn:t/2 stopped: Essential container exited"
    v = tasks_verdict("RUNNING", [task("RUNNING")], [m.Failure(arn="arn:t/9", reason="MISSING")])
    assert v.failed == "tasks not found: arn:t/9" and v.progress.startswith("1 of 2 tasks RUNNING")


def test_tasks_stopped() -> None:
    assert not tasks_verdict("STOPPED", [task("STOPPING")], []).done
    assert tasks_verdict("STOPPED", [task("STOPPED")], []).done


def test_services_stable_needs_one_deployment_and_the_desired_count() -> None:
    v = services_verdict("STABLE", [service("web", 2, 2, "PRIMARY", "ACTIVE")], [])
    assert not v.done and v.progress == "web 2/2 running, 2 deployments"
    assert services_verdict("STABLE", [service("web", 2, 2, "PRIMARY", "INACTIVE")], []).done
    assert not services_verdict("STABLE", [service("web", 1, 2, "PRIMARY")], []).done
    assert services_verdict("STABLE", [service("web", 0, 0, "PRIMARY", status="DRAINING")], []).failed == (
        "service web is DRAINING"
    )
    assert (
        services_verdict("STABLE", [], [m.Failure(arn="web", reason="MISSING")]).failed
        == "services not found: web"
    )


def test_services_inactive() -> None:
    assert not services_verdict("INACTIVE", [service("web", 0, 0, "PRIMARY", status="DRAINING")], []).done
    assert services_verdict("INACTIVE", [service("web", 0, 0, status="INACTIVE")], []).done
    assert services_verdict("INACTIVE", [], [m.Failure(arn="web", reason="MISSING")]).done
