"""Targets from tasks (active, draining, none), hand-registered targets, the health descriptions,
a task's health behind its load balancers, drain time, and the HAProxy/ELB names."""

from __future__ import annotations

from typing import Any

from berth import jsonmsg
from berth.v1 import elb_pb2, types_pb2
from controlplane.discovery.registrations import TaskFacts
from controlplane.lb import targets as tgt

NOW = 1_000_000.0
INSTANCE = "arn:berth:ecs:local:000000000000:container-instance/prod/i-one"
TG_ARN = "arn:berth:elasticloadbalancing:local:000000000000:targetgroup/web/0123456789abcdef"
LB_ARN = "arn:berth:elasticloadbalancing:local:000000000000:loadbalancer/app/front/fedcba9876543210"
BRIDGE = TaskFacts(network_mode="bridge", host_address="192.0.2.10")
CHECKED = TaskFacts(network_mode="bridge", has_health_check=True, host_address="192.0.2.10")
AWSVPC = TaskFacts(network_mode="awsvpc")


def group(kind: str = "instance", **fields: Any) -> elb_pb2.TargetGroup:
    return jsonmsg.parse(
        {"targetGroupArn": TG_ARN, "targetGroupName": "web", "targetType": kind, "port": 80, **fields},
        elb_pb2.TargetGroup,
    )


def task(ident: str = "t1", last: str = "RUNNING", desired: str = "RUNNING", **fields: Any) -> types_pb2.Task:
    return jsonmsg.parse(
        {
            "taskArn": f"arn:berth:ecs:local:000000000000:task/prod/{ident}",
            "lastStatus": last,
            "desiredStatus": desired,
            "containerInstanceArn": INSTANCE,
            "containers": [
                {"name": "app", "networkBindings": [{"containerPort": 8080, "hostPort": 32768}]},
            ],
            "attachments": [{"details": [{"name": "privateIPv4Address", "value": "10.1.0.7"}]}],
            **fields,
        },
        types_pb2.Task,
    )


def member(t: types_pb2.Task, facts: TaskFacts = BRIDGE) -> tgt.Member:
    return tgt.Member(t, facts, "app", 8080)


def test_instance_target_is_the_host_and_its_bound_port() -> None:
    target = tgt.task_target(group(), member(task()), NOW)
    assert target is not None
    assert (target.id, target.address, target.port, target.draining) == ("i-one", "192.0.2.10", 32768, False)
    assert target.task_arn.endswith("/t1")


def test_host_mode_uses_the_container_port_and_ip_mode_the_task_address() -> None:
    bare = task(containers=[{"name": "app"}])
    host = tgt.task_target(group(), member(bare, TaskFacts(network_mode="host", host_address="h")), NOW)
    assert host is not None and host.port == 8080
    ip = tgt.task_target(group("ip"), member(task(), AWSVPC), NOW)
    assert ip is not None and (ip.id, ip.address, ip.port) == ("10.1.0.7", "10.1.0.7", 8080)
    assert tgt.task_target(group("ip"), member(task()), NOW) is None  # bridge task, ip group
    assert tgt.task_target(group(), member(task(), AWSVPC), NOW) is None  # awsvpc task, instance group


def test_no_target_before_running_before_healthy_or_without_address() -> None:
    assert tgt.task_target(group(), member(task(last="PENDING")), NOW) is None
    assert tgt.task_target(group(), member(task(healthStatus="UNKNOWN"), CHECKED), NOW) is None
    assert tgt.task_target(group(), member(task(healthStatus="UNHEALTHY"), CHECKED), NOW) is None
    assert tgt.task_target(group(), member(task(healthStatus="HEALTHY"), CHECKED), NOW) is not None
    assert tgt.task_target(group(), member(task(containers=[])), NOW) is None  # no binding reported
    assert tgt.task_target(group(), member(task(), TaskFacts()), NOW) is None  # no host address


def test_a_stopping_task_drains_until_its_deadline() -> None:
    stopping = task(desired="STOPPED", deactivateUntil=NOW + 5)
    target = tgt.task_target(group(), member(stopping), NOW)
    assert target is not None and target.draining and target.drain_deadline == NOW + 5
    deactivating = task(last="DEACTIVATING", desired="STOPPED", deactivateUntil=NOW + 5)
    assert tgt.task_target(group(), member(deactivating), NOW) is not None
    assert tgt.task_target(group(), member(stopping), NOW + 5) is None  # deadline passed
    assert tgt.task_target(group(), member(task(desired="STOPPED")), NOW) is None  # no drain asked
    past = task(last="STOPPING", desired="STOPPED", deactivateUntil=NOW + 5)
    assert tgt.task_target(group(), member(past), NOW) is None
    never = task(last="PENDING", desired="STOPPED", deactivateUntil=NOW + 5)
    assert tgt.task_target(group(), member(never), NOW) is None  # never served: nothing to drain


def test_node_targets_merge_tasks_and_hand_registered_ones() -> None:
    tg = group(registered=[{"id": "i-two"}, {"id": "i-gone", "port": 81}])
    replaced = task("old", desired="STOPPED", deactivateUntil=NOW + 30)
    targets = tgt.node_targets(tg, [member(replaced), member(task("new"))], {"i-two": "192.0.2.11"}, NOW)
    assert [(t.id, t.port, t.address, t.draining, t.task_arn.rsplit("/", 1)[-1]) for t in targets] == [
        ("i-one", 32768, "192.0.2.10", False, "new"),
        ("i-two", 80, "192.0.2.11", False, ""),
    ]
    ip = group("ip", registered=[{"id": "10.0.0.9", "port": 9000}])
    assert [(t.id, t.address, t.port) for t in tgt.node_targets(ip, [], {}, NOW)] == [
        ("10.0.0.9", "10.0.0.9", 9000)
    ]
    assert tgt.next_deadline(tgt.node_targets(tg, [member(replaced)], {}, NOW)) == NOW + 30


def record(state: str, target_id: str = "i-one", port: int = 32768) -> elb_pb2.TargetHealthRecord:
    return elb_pb2.TargetHealthRecord(
        target=elb_pb2.TargetDescription(id=target_id, port=port),
        target_health=elb_pb2.TargetHealth(
            state=state, reason="Target.Timeout" if state == "unhealthy" else ""
        ),
    )


def states(descriptions: list[elb_pb2.TargetHealthDescription]) -> list[tuple[str, int, str, str]]:
    return [(d.target.id, d.target.port, d.target_health.state, d.target_health.reason) for d in descriptions]


def test_describe_health() -> None:
    tg = group(healthCheckEnabled=True)
    active = elb_pb2.NodeTarget(id="i-one", address="a", port=32768, task_arn="t1")
    draining = elb_pb2.NodeTarget(id="i-one", address="a", port=32769, task_arn="t0", draining=True)
    fresh = elb_pb2.NodeTarget(id="i-two", address="b", port=80)
    records = {("i-one", 32768): record("unhealthy"), ("i-gone", 1): record("healthy", "i-gone", 1)}
    out = tgt.describe_health(tg, [active, draining, fresh], records, attached=True, served_by="lb1")
    assert states(out) == [
        ("i-one", 32768, "unhealthy", "Target.Timeout"),
        ("i-one", 32769, "draining", "Target.DeregistrationInProgress"),
        ("i-two", 80, "initial", "Elb.RegistrationInProgress"),
    ]
    assert out[0].task_arn == "t1" and out[0].health_check_port == "32768"
    unserved = tgt.describe_health(tg, [active], records, attached=True, served_by="")
    assert unserved[0].target_health.state == "unavailable"
    assert "no berth-lb node" in unserved[0].target_health.description.lower()
    unused = tgt.describe_health(tg, [active], records, attached=False, served_by="lb1")
    assert states(unused) == [("i-one", 32768, "unused", "Target.NotInUse")]
    off = tgt.describe_health(group(healthCheckEnabled=False), [active], {}, attached=True, served_by="lb1")
    assert states(off) == [("i-one", 32768, "unavailable", "Target.HealthCheckDisabled")]
    wanted = [elb_pb2.TargetDescription(id="i-two"), elb_pb2.TargetDescription(id="i-nine", port=1)]
    picked = tgt.describe_health(tg, [active, fresh], records, attached=True, served_by="lb1", wanted=wanted)
    assert states(picked) == [
        ("i-two", 80, "initial", "Elb.RegistrationInProgress"),
        ("i-nine", 1, "unused", "Target.NotRegistered"),
    ]


def test_task_lb_health() -> None:
    tg = group()
    other = group(targetGroupName="api", targetGroupArn=TG_ARN.replace("/web/", "/api/"))
    mine = elb_pb2.NodeTarget(id="i-one", address="a", port=32768, task_arn="t1")
    elsewhere = elb_pb2.NodeTarget(id="i-one", address="a", port=32770, task_arn="t1")
    assert tgt.task_lb_health("t1", [], {}) is None
    assert tgt.task_lb_health("t1", [(tg, [])], {}) == "initial"  # not a target yet
    assert tgt.task_lb_health("t1", [(tg, [mine])], {}) == "initial"
    healthy = {("web", "i-one", 32768): record("healthy")}
    assert tgt.task_lb_health("t1", [(tg, [mine])], healthy) == "healthy"
    assert tgt.task_lb_health("t1", [(tg, [mine]), (other, [elsewhere])], healthy) == "initial"
    both = {**healthy, ("api", "i-one", 32770): record("unhealthy", port=32770)}
    assert tgt.task_lb_health("t1", [(tg, [mine]), (other, [elsewhere])], both) == "unhealthy"
    assert tgt.task_lb_health("t1", [(group(healthCheckEnabled=False), [mine])], {}) == "healthy"


def test_drain_seconds() -> None:
    short = group(deregistrationDelaySeconds=5)
    longer = group(targetGroupArn=TG_ARN.replace("/web/", "/api/"), deregistrationDelaySeconds=60)
    service = jsonmsg.parse(
        {"loadBalancers": [{"targetGroupArn": TG_ARN}, {"targetGroupArn": longer.target_group_arn}]},
        types_pb2.Service,
    )
    assert tgt.drain_seconds(service, {TG_ARN: short, longer.target_group_arn: longer}) == 60
    assert tgt.drain_seconds(service, {TG_ARN: group()}) == 300  # ELB's default
    assert tgt.drain_seconds(types_pb2.Service(), {}) == 0


def test_names_and_labels() -> None:
    lb = elb_pb2.ElbLoadBalancer(load_balancer_arn=LB_ARN)
    label = tgt.resource_label(lb, group())
    assert label == "app/front/fedcba9876543210/targetgroup/web/0123456789abcdef"
    assert tgt.label_target_group(label) == "web"
    assert tgt.label_backend(label) == tgt.backend_name("web") == "tg-web"
    assert tgt.label_backend("web") == "tg-web"
    assert tgt.frontend_name("front", 8080) == "ln-front-8080"
