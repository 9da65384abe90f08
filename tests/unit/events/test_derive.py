"""Event derivation from a record's before/after, event ids and filters (pure, no etcd)."""

from __future__ import annotations

import pytest

from berth.errors import InvalidArgument
from berth.v1 import berth_pb2, store_pb2, types_pb2
from controlplane.events.derive import (
    DEPLOYMENT_STATE_CHANGE,
    INSTANCE_STATE_CHANGE,
    SERVICE_ACTION,
    TASK_STATE_CHANGE,
    EventFilter,
    EventId,
    derive,
    instance_events,
    liveness_events,
    placement_reason,
    service_events,
    task_events,
    task_time,
)

TASK_ARN = "arn:berth:ecs:local:000000000000:task/c1/t1"
INSTANCE_ARN = "arn:berth:ecs:local:000000000000:container-instance/c1/i1"
SERVICE_ARN = "arn:berth:ecs:local:000000000000:service/c1/web"


def task(last: str = "PENDING", desired: str = "RUNNING", **fields: object) -> types_pb2.Task:
    t = types_pb2.Task(
        task_arn=TASK_ARN,
        task_definition_arn="arn:berth:ecs:local:000000000000:task-definition/web:3",
        last_status=last,
        desired_status=desired,
        created_at=100.0,
        group="service:web",
        containers=[
            types_pb2.Container(name="app", last_status=last if last != "PROVISIONING" else "PENDING")
        ],
        tags=[types_pb2.Tag(key="k", value="v")],
    )
    for name, value in fields.items():
        setattr(t, name, value)
    return t


def no_view(cluster: str, ident: str, record: types_pb2.ContainerInstance | None) -> None:
    return None


# -- tasks ----------------------------------------------------------------------------------------


def test_a_new_task_is_one_event_with_the_task_as_describe_tasks_shows_it() -> None:
    (event,) = task_events("c1", None, task("PROVISIONING"))
    assert event.detail_type == TASK_STATE_CHANGE and event.source == "berth.ecs"
    assert event.type == "task" and event.cluster == "c1" and event.service_name == "web"
    assert list(event.resources) == [TASK_ARN]
    assert event.task.last_status == "PROVISIONING" and not event.task.tags
    assert event.time == 100.0
    assert event.summary == "task t1 (web:3) PROVISIONING, desired RUNNING"


@pytest.mark.parametrize(
    ("before", "after", "summary"),
    [
        (
            task("PENDING"),
            task("RUNNING", started_at=105.0),
            "task t1 (web:3) PENDING -> RUNNING, container app RUNNING",
        ),
        (
            task("RUNNING"),
            task("RUNNING", "STOPPED", stop_code="UserInitiated", stopped_reason="bye"),
            "task t1 (web:3) RUNNING, desired STOPPED: UserInitiated: bye",
        ),
        (
            task("RUNNING"),
            task("RUNNING", health_status="HEALTHY"),
            "task t1 (web:3) RUNNING, health HEALTHY",
        ),
    ],
    ids=["status", "desired", "health"],
)
def test_a_state_change_is_an_event(before: types_pb2.Task, after: types_pb2.Task, summary: str) -> None:
    (event,) = task_events("c1", before, after)
    assert event.summary == summary


def test_updates_that_change_no_state_are_not_events() -> None:
    before = task("RUNNING")
    after = task("RUNNING", version=7)
    after.usage.vcpu_seconds = 12.0
    after.launch_timing.total_seconds = 0.4
    assert task_events("c1", before, after) == []
    assert task_events("c1", before, None) == []  # deleted by the janitor: nothing happened to it


def test_a_container_exit_is_an_event_with_its_code() -> None:
    before = task("RUNNING")
    after = task("RUNNING")
    after.containers[0].last_status = "STOPPED"
    after.containers[0].exit_code = 3
    (event,) = task_events("c1", before, after)
    assert event.summary == "task t1 (web:3) RUNNING, container app STOPPED (exit 3)"


def test_fargate_tasks_hide_their_pool_host() -> None:
    t = task("RUNNING", launch_type="FARGATE", container_instance_arn=INSTANCE_ARN)
    (event,) = task_events("c1", None, t)
    assert event.task.container_instance_arn == ""


def test_task_time_is_when_its_current_state_began() -> None:
    assert task_time(task("RUNNING", started_at=105.0, pull_started_at=101.0)) == 105.0
    assert task_time(task("STOPPED", started_at=105.0, stopped_at=120.0)) == 120.0
    assert task_time(task("PENDING", pull_started_at=101.0)) == 101.0  # no exact stamp: the latest


# -- services and deployments ---------------------------------------------------------------------


def service(
    deployments: list[tuple[str, str]], events: list[tuple[str, str]] = (), desired: int = 2
) -> types_pb2.Service:  # type: ignore[assignment]
    return types_pb2.Service(
        service_arn=SERVICE_ARN,
        service_name="web",
        cluster_arn="arn:berth:ecs:local:000000000000:cluster/c1",
        desired_count=desired,
        created_at=50.0,
        deployments=[
            types_pb2.Deployment(id=i, rollout_state=s, created_at=60.0, updated_at=70.0)
            for i, s in deployments
        ],
        events=[types_pb2.ServiceEvent(id=i, message=m, created_at=80.0) for i, m in events],
    )


def test_a_new_deployment_then_its_completion() -> None:
    (started,) = service_events("c1", None, service([("d1", "IN_PROGRESS")]))
    assert started.detail_type == DEPLOYMENT_STATE_CHANGE and started.type == "deployment"
    assert started.deployment_state_change.event_name == "SERVICE_DEPLOYMENT_IN_PROGRESS"
    assert started.deployment_state_change.event_type == "INFO"
    assert started.deployment_state_change.deployment_id == "d1"
    assert list(started.resources) == [SERVICE_ARN]
    before = service([("d1", "IN_PROGRESS")])
    after = service([("d1", "COMPLETED")], [("e1", "(service web) has reached a steady state.")])
    completed, steady = service_events("c1", before, after)
    assert completed.deployment_state_change.event_name == "SERVICE_DEPLOYMENT_COMPLETED"
    assert completed.deployment_state_change.reason == "ECS deployment d1 completed."
    assert steady.detail_type == SERVICE_ACTION and steady.type == "service"
    assert steady.service_action.event_name == "SERVICE_STEADY_STATE"
    assert steady.service_action.event_type == "INFO"
    assert steady.time == 80.0


def test_a_failed_deployment_rolled_back_gives_both_changes_oldest_first() -> None:
    before = service([("d2", "IN_PROGRESS"), ("d1", "COMPLETED")])
    after = service([("d3", "IN_PROGRESS"), ("d2", "FAILED"), ("d1", "COMPLETED")])
    after.deployments[1].rollout_state_reason = "ECS deployment circuit breaker: task failed to start."
    failed, rollback = service_events("c1", before, after)
    assert failed.deployment_state_change.event_name == "SERVICE_DEPLOYMENT_FAILED"
    assert failed.deployment_state_change.event_type == "ERROR"
    assert failed.deployment_state_change.reason.startswith("ECS deployment circuit breaker")
    assert rollback.deployment_state_change.deployment_id == "d3"


def test_service_events_with_an_ecs_name_become_service_actions_others_do_not() -> None:
    before = service(
        [("d1", "IN_PROGRESS")], [("e1", "(service web) has started 2 tasks: (task a) (task b).")]
    )
    placement = (
        "(service web) was unable to place a task because no container instance met all of its "
        "requirements. The closest matching container-instance i1 has insufficient memory available."
    )
    after = service(
        [("d1", "IN_PROGRESS")],
        [
            ("e3", "(service web) is unable to consistently start tasks successfully."),
            ("e2", placement),
            ("e1", "(service web) has started 2 tasks: (task a) (task b)."),
        ],
    )
    fail, impaired = service_events("c1", before, after)  # oldest first
    assert fail.service_action.event_name == "SERVICE_TASK_PLACEMENT_FAILURE"
    assert fail.service_action.event_type == "ERROR" and fail.service_action.reason == "RESOURCE:MEMORY"
    assert fail.service_action.message == placement and fail.summary == placement
    assert impaired.service_action.event_name == "SERVICE_TASK_START_IMPAIRED"
    assert impaired.service_action.event_type == "WARN"


def test_a_desired_count_change_is_an_action() -> None:
    (event,) = service_events("c1", service([("d1", "COMPLETED")]), service([("d1", "COMPLETED")], desired=5))
    assert event.service_action.event_name == "SERVICE_DESIRED_COUNT_UPDATED"
    assert event.service_action.desired_count == 5


def test_an_unchanged_service_rewrite_is_no_event() -> None:
    s = service([("d1", "COMPLETED")], [("e1", "(service web) has reached a steady state.")])
    assert service_events("c1", s, s) == []
    assert service_events("c1", s, None) == []


@pytest.mark.parametrize(
    ("message", "reason"),
    [
        ("The closest matching container-instance x has insufficient CPU units available.", "RESOURCE:CPU"),
        (
            "The closest matching container-instance x is already using a port required by your task.",
            "RESOURCE:PORTS",
        ),
        ("Reason: No Container Instances were found in your cluster.", "NO ACTIVE INSTANCES"),
        ("something new", ""),
    ],
)
def test_placement_reason(message: str, reason: str) -> None:
    assert placement_reason(message) == reason


# -- container instances --------------------------------------------------------------------------


def instance(status: str = "ACTIVE", **attrs: str) -> types_pb2.ContainerInstance:
    return types_pb2.ContainerInstance(
        container_instance_arn=INSTANCE_ARN,
        ec2_instance_id="host0",
        status=status,
        registered_at=10.0,
        attributes=[types_pb2.Attribute(name=k, value=v) for k, v in attrs.items()],
    )


def viewed(
    cluster: str, ident: str, record: types_pb2.ContainerInstance | None
) -> types_pb2.ContainerInstance:
    out = types_pb2.ContainerInstance()
    out.CopyFrom(record if record is not None else instance())
    out.running_tasks_count = 4
    return out


def test_instance_registration_status_change_and_deregistration() -> None:
    (registered,) = instance_events("c1", None, instance(), viewed)
    assert registered.detail_type == INSTANCE_STATE_CHANGE and registered.type == "instance"
    assert registered.container_instance.running_tasks_count == 4  # the view, not the bare record
    assert registered.summary == "container instance i1 (host0) registered, ACTIVE"
    (draining,) = instance_events("c1", instance(), instance("DRAINING"), viewed)
    assert draining.summary.endswith("ACTIVE -> DRAINING")
    (gone,) = instance_events("c1", instance(), None, viewed)
    assert gone.container_instance.status == "INACTIVE" and gone.summary.endswith("deregistered")
    assert instance_events("c1", instance(a="1"), instance(a="1"), viewed) == []  # re-registration
    (attrs,) = instance_events("c1", instance(a="1"), instance(a="2"), viewed)
    assert attrs.summary.endswith("attributes changed")


def test_agent_connect_and_loss_but_not_heartbeat_rewrites() -> None:
    live = store_pb2.AgentLiveness(container_instance_arn=INSTANCE_ARN, connected_at=33.0, replica="r1")
    (up,) = liveness_events("c1", "i1", None, live, viewed)
    assert up.container_instance.agent_connected and up.time == 33.0
    assert up.summary.endswith("agent connected")
    (down,) = liveness_events("c1", "i1", live, None, viewed)
    assert not down.container_instance.agent_connected and down.time == 0.0  # the feed stamps it
    rewritten = store_pb2.AgentLiveness()
    rewritten.CopyFrom(live)
    rewritten.warm_sandboxes = 2
    assert liveness_events("c1", "i1", live, rewritten, viewed) == []
    (unknown,) = liveness_events("c1", "i1", None, live, no_view)  # instance not in the mirror
    assert unknown.container_instance.container_instance_arn == INSTANCE_ARN


# -- dispatch, ids, filters -----------------------------------------------------------------------


def test_derive_dispatches_on_the_key() -> None:
    new = task("PENDING").SerializeToString()
    (event,) = derive("tasks/c1/t1", None, new, no_view)
    assert event.type == "task" and event.cluster == "c1"
    assert derive("alloc/c1/i1", None, b"", no_view) == []
    assert derive("clusters/c1", None, b"", no_view) == []
    (conn,) = derive(
        "liveness/c1/i1", None, store_pb2.AgentLiveness(connected_at=1.0).SerializeToString(), no_view
    )
    assert conn.type == "instance"


def test_event_ids_round_trip_and_order() -> None:
    a, b, c = EventId(10, 0, 1), EventId(10, 1, 0), EventId(11, 0, 0)
    assert a < b < c
    assert EventId.parse(str(b)) == b and str(b) == "10-1-0"
    for bad in ("", "10", "10-1", "x-1-2", "0-0-0", "10-1-2-3", "-1-0-0"):
        with pytest.raises(InvalidArgument):
            EventId.parse(bad)


def test_filters() -> None:
    every = EventFilter()
    assert every.wants_key("tasks/c1/t1") and every.wants_key("liveness/c1/i1")
    assert not every.wants_key("alloc/c1/i1") and not every.wants_key("instances/@fargate/i9")
    only_tasks = EventFilter(cluster="c1", types=frozenset({"task"}))
    assert only_tasks.wants_key("tasks/c1/t1") and not only_tasks.wants_key("tasks/c2/t1")
    assert not only_tasks.wants_key("services/c1/web")
    web = EventFilter(services=frozenset({"web"}))
    assert not web.wants_key("instances/c1/i1")
    assert web.matches(berth_pb2.Event(type="task", cluster="c1", service_name="web"))
    assert not web.matches(berth_pb2.Event(type="task", cluster="c1", service_name="api"))
    pool = EventFilter(cluster="@fargate")
    assert pool.wants_key("instances/@fargate/i9")


# -- the audit trail ------------------------------------------------------------------------------


def _batch() -> berth_pb2.AuditBatch:
    return berth_pb2.AuditBatch(
        records=[
            berth_pb2.AuditRecord(
                request_id="r1",
                time=5.0,
                principal="arn:berth:iam::user/ann",
                action="ecs:UpdateService",
                resources=["arn:berth:ecs:local:000000000000:service/prod/web"],
                cluster="prod",
                outcome="Denied",
                error_code="PERMISSION_DENIED",
            ),
            berth_pb2.AuditRecord(
                request_id="r2",
                time=6.0,
                principal="arn:berth:iam::user/admin",
                action="iam:CreateUser",
                resources=["*"],
                outcome="Success",
            ),
        ]
    )


def test_a_written_audit_batch_is_one_event_per_record_in_order() -> None:
    events = derive("audit/cp-1/ab-000000000001", None, _batch().SerializeToString(), lambda *_: None)
    assert [(e.detail_type, e.source, e.type, e.time) for e in events] == [
        ("AWS API Call via CloudTrail", "berth.ecs", "audit", 5.0),
        ("AWS API Call via CloudTrail", "berth.iam", "audit", 6.0),
    ]
    denied, created = events
    assert denied.audit.request_id == "r1" and created.audit.request_id == "r2"
    assert (denied.cluster, denied.service_name, list(denied.resources)) == (
        "prod",
        "web",
        ["arn:berth:ecs:local:000000000000:service/prod/web"],
    )
    assert denied.summary == (
        "ecs:UpdateService by arn:berth:iam::user/ann: Denied (PERMISSION_DENIED) on "
        "arn:berth:ecs:local:000000000000:service/prod/web"
    )
    assert (created.cluster, list(created.resources)) == ("", [])
    assert created.summary == "iam:CreateUser by arn:berth:iam::user/admin: Success"


def test_an_audit_batch_expiring_is_no_event() -> None:
    value = _batch().SerializeToString()
    assert derive("audit/cp-1/ab-000000000001", value, None, lambda *_: None) == []


def test_the_audit_trail_is_sent_only_to_who_asks_for_it() -> None:
    every = EventFilter()
    audit = EventFilter(types=frozenset({"audit"}))
    in_prod = EventFilter(cluster="prod", types=frozenset({"audit", "task"}))
    key = "audit/cp-1/ab-000000000001"
    denied, created = derive(key, None, _batch().SerializeToString(), lambda *_: None)
    assert not every.wants_key(key) and not every.matches(denied)
    assert audit.wants_key(key) and audit.matches(denied) and audit.matches(created)
    assert in_prod.wants_key(key) and in_prod.matches(denied) and not in_prod.matches(created)
    assert EventFilter(services=frozenset({"web"}), types=frozenset({"audit"})).matches(denied)
