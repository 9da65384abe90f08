"""What console pages show, shaped from described objects (pure)."""

from __future__ import annotations

from berth.v1 import berth_pb2, types_pb2
from controlplane.console import views


def task(**fields: object) -> types_pb2.Task:
    return types_pb2.Task(task_arn="arn:berth:ecs:local:0:task/c/0123456789abcdef", **fields)  # type: ignore[arg-type]


def test_phases_of_a_running_task_end_in_an_ongoing_running_phase() -> None:
    t = task(
        created_at=100.0,
        pull_started_at=100.5,
        pull_stopped_at=102.0,
        started_at=103.0,
        last_status="RUNNING",
    )
    got = [(p.name, p.seconds, p.ongoing) for p in views.phases(t, now=110.0)]
    assert got == [
        ("provisioning", 0.5, False),
        ("pulling", 1.5, False),
        ("starting", 1.0, False),
        ("running", 7.0, True),
    ]


def test_phases_of_a_stopped_task_end_when_its_containers_exited() -> None:
    t = task(
        created_at=100.0,
        started_at=101.0,
        stopping_at=105.0,
        execution_stopped_at=106.0,
        stopped_at=106.5,
        last_status="STOPPED",
    )
    got = [(p.name, p.seconds, p.ongoing) for p in views.phases(t, now=500.0)]
    assert got == [("provisioning", 1.0, False), ("running", 4.0, False), ("stopping", 1.0, False)]


def test_a_task_that_never_started_is_provisioning_until_now() -> None:
    got = views.phases(task(created_at=100.0, last_status="PROVISIONING"), now=103.0)
    assert [(p.name, p.seconds, p.ongoing) for p in got] == [("provisioning", 3.0, True)]


def test_progress_splits_running_and_pending() -> None:
    d = types_pb2.Deployment(desired_count=4, running_count=1, pending_count=2, failed_tasks=1)
    p = views.progress(d)
    assert (p.percent, p.pending_percent, p.failed) == (25, 50, 1)
    # Scaled to zero: done when nothing runs any more.
    assert views.progress(types_pb2.Deployment(desired_count=0, running_count=0)).percent == 100
    assert views.progress(types_pb2.Deployment(desired_count=0, running_count=2)).percent == 0
    # More running than desired (scaling in): capped.
    assert views.progress(types_pb2.Deployment(desired_count=1, running_count=3)).percent == 100


def test_active_deployments_put_the_primary_first() -> None:
    s = types_pb2.Service(
        deployments=[
            types_pb2.Deployment(id="old", status="ACTIVE", created_at=1.0),
            types_pb2.Deployment(id="gone", status="INACTIVE", created_at=0.5),
            types_pb2.Deployment(id="new", status="PRIMARY", created_at=2.0),
        ]
    )
    assert [d.id for d in views.active_deployments(s)] == ["new", "old"]


def test_usage_is_what_tasks_reserve_of_what_the_instance_registered() -> None:
    i = types_pb2.ContainerInstance(
        registered_resources=[types_pb2.Resource(name="CPU", type="INTEGER", integer_value=2048)],
        remaining_resources=[types_pb2.Resource(name="CPU", type="INTEGER", integer_value=512)],
    )
    u = views.usage(i, "CPU")
    assert (u.used, u.total, u.percent) == (1536, 2048, 75)
    assert views.usage(i, "MEMORY").percent == 0


def test_sparkline_scales_to_the_smallest_axis_that_holds_the_values() -> None:
    assert views.sparkline([]) == ""
    assert views.scale([0.4, None, 3.0]) == 5.0 and views.scale([]) == 5.0
    assert views.scale([60.0]) == 100.0
    assert views.sparkline([0.0, 50.0, None], width=100, height=10) == "0.0,10.0 50.0,0.0 100.0,10.0"
    # A value above 100 % (a task using more CPU than it reserves) is the top itself.
    assert views.sparkline([200.0, 100.0], width=10, height=10) == "0.0,0.0 10.0,5.0"


def test_history_keeps_one_sample_per_interval_and_forgets_unwatched_services() -> None:
    h = views.History(size=3, every=5.0, forget_after=60.0)
    assert h.due("a", now=0.0)
    for t in (0.0, 5.0, 10.0, 15.0):
        h.record("a", views.Sample(t, 1.0, 2.0))
    assert [s.at for s in h.samples("a")] == [5.0, 10.0, 15.0]
    assert not h.due("a", now=17.0) and h.due("a", now=20.0)
    h.record("b", views.Sample(100.0, None, None))
    assert h.samples("a") == [] and len(h.samples("b")) == 1


def test_event_lines_say_what_changed() -> None:
    e = berth_pb2.Event(
        id="7-x-0",
        type="task",
        cluster="c",
        task=task(
            task_definition_arn="arn:berth:ecs:local:0:task-definition/web:3",
            last_status="STOPPED",
            stopped_reason="Essential container in task exited",
        ),
    )
    line = views.event_line(e)
    assert line["what"] == "task 0123456789ab (web:3)"
    assert line["text"] == "STOPPED: Essential container in task exited"
    d = berth_pb2.Event(
        type="deployment",
        deployment_state_change=berth_pb2.DeploymentStateChange(
            deployment_id="ecs-svc/1", event_name="SERVICE_DEPLOYMENT_FAILED", reason="circuit breaker"
        ),
    )
    assert views.event_line(d)["text"] == "SERVICE_DEPLOYMENT_FAILED: circuit breaker"
