"""Validation of ELB requests: ELB's defaults and ranges, errors naming the field and the value, ARN
parsing, attributes, listeners, targets, and ECS's checks of a service's loadBalancers[]."""

from __future__ import annotations

from typing import Any

import pytest

from berth import jsonmsg
from berth.errors import InvalidArgument
from berth.v1 import elb_pb2, types_pb2
from controlplane.lb import validate

TG_ARN = "arn:berth:elasticloadbalancing:local:000000000000:targetgroup/web/0123456789abcdef"
LB_ARN = "arn:berth:elasticloadbalancing:local:000000000000:loadbalancer/app/front/fedcba9876543210"


def create_tg(**fields: Any) -> tuple[elb_pb2.TargetGroup, list[str]]:
    req = jsonmsg.parse(
        {"name": "web", "protocol": "HTTP", "port": 80, **fields}, elb_pb2.CreateTargetGroupRequest
    )
    tg, problems = validate.check_target_group(req)
    return tg, [p.field for p in problems]


def test_target_group_defaults_are_elbs() -> None:
    tg, problems = create_tg()
    assert problems == []
    assert tg.target_type == "instance" and tg.health_check_protocol == "HTTP"
    assert tg.health_check_port == "traffic-port" and tg.health_check_enabled
    assert (tg.health_check_interval_seconds, tg.health_check_timeout_seconds) == (30, 5)
    assert (tg.healthy_threshold_count, tg.unhealthy_threshold_count) == (5, 2)
    assert tg.health_check_path == "/" and tg.matcher.http_code == "200"
    assert tg.deregistration_delay_seconds == 300 and tg.slow_start_seconds == 0


def test_tcp_target_group_has_no_path_or_matcher() -> None:
    tg, problems = create_tg(protocol="TCP")
    assert problems == [] and tg.health_check_protocol == "TCP"
    assert tg.health_check_path == "" and not tg.HasField("matcher") and tg.health_check_timeout_seconds == 10
    _, problems = create_tg(protocol="TCP", healthCheckPath="/x", matcher={"httpCode": "200"})
    assert problems == ["healthCheckPath", "matcher"]
    tg, problems = create_tg(protocol="TCP", healthCheckProtocol="HTTP", healthCheckPath="/ok")
    assert problems == [] and tg.health_check_path == "/ok"


@pytest.mark.parametrize(
    ("fields", "bad"),
    [
        ({"name": ""}, "name"),
        ({"name": "-web"}, "name"),
        ({"name": "web-"}, "name"),
        ({"name": "w" * 33}, "name"),
        ({"name": "we_b"}, "name"),
        ({"protocol": "HTTPS"}, "protocol"),
        ({"protocol": ""}, "protocol"),
        ({"port": 0}, "port"),
        ({"port": 65536}, "port"),
        ({"targetType": "lambda"}, "targetType"),
        ({"healthCheckIntervalSeconds": 4}, "healthCheckIntervalSeconds"),
        ({"healthCheckIntervalSeconds": 301}, "healthCheckIntervalSeconds"),
        ({"healthCheckTimeoutSeconds": 1}, "healthCheckTimeoutSeconds"),
        ({"healthCheckTimeoutSeconds": 121}, "healthCheckTimeoutSeconds"),
        ({"healthCheckIntervalSeconds": 10, "healthCheckTimeoutSeconds": 10}, "healthCheckTimeoutSeconds"),
        ({"healthyThresholdCount": 1}, "healthyThresholdCount"),
        ({"unhealthyThresholdCount": 11}, "unhealthyThresholdCount"),
        ({"healthCheckPath": "health"}, "healthCheckPath"),
        ({"healthCheckPort": "0"}, "healthCheckPort"),
        ({"healthCheckPort": "http"}, "healthCheckPort"),
        ({"healthCheckProtocol": "UDP"}, "healthCheckProtocol"),
        ({"matcher": {"httpCode": "199"}}, "matcher.httpCode"),
        ({"matcher": {"httpCode": "500"}}, "matcher.httpCode"),
        ({"matcher": {"httpCode": "299-200"}}, "matcher.httpCode"),
        ({"matcher": {"httpCode": "ok"}}, "matcher.httpCode"),
    ],
)
def test_bad_target_group_names_the_field(fields: dict[str, Any], bad: str) -> None:
    _, problems = create_tg(**fields)
    assert problems == [bad]


def test_a_missing_port_is_named() -> None:
    req = elb_pb2.CreateTargetGroupRequest(name="web", protocol="HTTP")
    assert [p.field for p in validate.check_target_group(req)[1]] == ["port"]


@pytest.mark.parametrize("code", ["200", "200,202", "200-299", "200-299,404", "499"])
def test_matchers(code: str) -> None:
    assert validate.matcher_problems(code, "m") == []


def test_matcher_codes() -> None:
    assert validate.matcher_codes("200,202-204") == [(200, 200), (202, 204)]


def test_modify_keeps_what_is_not_given_and_checks_the_result() -> None:
    tg, _ = create_tg(healthCheckPath="/a")
    req = elb_pb2.ModifyTargetGroupRequest(target_group_arn=TG_ARN, health_check_interval_seconds=10)
    modified, problems = validate.modify_target_group(tg, req)
    assert (
        problems == [] and modified.health_check_interval_seconds == 10 and modified.health_check_path == "/a"
    )
    req = elb_pb2.ModifyTargetGroupRequest(target_group_arn=TG_ARN, health_check_interval_seconds=5)
    _, problems = validate.modify_target_group(tg, req)
    assert [p.field for p in problems] == ["healthCheckTimeoutSeconds"]  # 5 is not below 5
    req = elb_pb2.ModifyTargetGroupRequest(target_group_arn=TG_ARN, health_check_protocol="TCP")
    modified, problems = validate.modify_target_group(tg, req)
    assert problems == [] and modified.health_check_path == "" and modified.health_check_timeout_seconds == 10


def test_attributes() -> None:
    tg, _ = create_tg()
    assert {(a.key, a.value) for a in validate.attributes(tg)} == {
        ("deregistration_delay.timeout_seconds", "300"),
        ("slow_start.duration_seconds", "0"),
    }
    attrs = [
        elb_pb2.TargetGroupAttribute(key="deregistration_delay.timeout_seconds", value="5"),
        elb_pb2.TargetGroupAttribute(key="slow_start.duration_seconds", value="30"),
    ]
    changed, problems = validate.apply_attributes(tg, attrs)
    assert problems == [] and changed.deregistration_delay_seconds == 5 and changed.slow_start_seconds == 30
    bad = [
        elb_pb2.TargetGroupAttribute(key="stickiness.enabled", value="true"),
        elb_pb2.TargetGroupAttribute(key="deregistration_delay.timeout_seconds", value="3601"),
        elb_pb2.TargetGroupAttribute(key="slow_start.duration_seconds", value="10"),
        elb_pb2.TargetGroupAttribute(key="deregistration_delay.timeout_seconds", value="-1"),
    ]
    _, problems = validate.apply_attributes(tg, bad)
    assert [p.field for p in problems] == [
        "attributes[0].key",
        "attributes[1].value",
        "attributes[2].value",
        "attributes[3].value",
    ]
    assert "'stickiness.enabled'" in problems[0].description and "'3601'" in problems[1].description


def test_arns_round_trip() -> None:
    lb = validate.load_balancer_arn("local", "000000000000", "application", "front", "fedcba9876543210")
    assert lb == LB_ARN
    assert validate.parse_arn(lb, "loadbalancer", "f") == validate.ArnParts("front", "fedcba9876543210")
    listener = validate.listener_arn(lb, "00000000000000aa")
    assert listener.endswith(":listener/app/front/fedcba9876543210/00000000000000aa")
    parts = validate.parse_arn(listener, "listener", "f")
    assert (parts.name, parts.lb_id, parts.ident) == ("front", "fedcba9876543210", "00000000000000aa")
    assert validate.parse_arn(TG_ARN, "targetgroup", "f").name == "web"
    net = validate.load_balancer_arn("local", "000000000000", "network", "n", "fedcba9876543210")
    assert ":loadbalancer/net/n/" in net


@pytest.mark.parametrize(
    ("ref", "kind"),
    [
        ("web", "targetgroup"),
        (LB_ARN, "targetgroup"),
        (TG_ARN.replace("0123456789abcdef", "xyz"), "targetgroup"),
        (TG_ARN.replace("elasticloadbalancing", "ecs"), "targetgroup"),
        (LB_ARN + "/extra", "loadbalancer"),
        ("", "listener"),
    ],
)
def test_bad_arns_name_the_field(ref: str, kind: str) -> None:
    with pytest.raises(InvalidArgument) as e:
        validate.parse_arn(ref, kind, "targetGroupArn")
    assert [v.field for v in e.value.violations] == ["targetGroupArn"]


def test_load_balancer_defaults_and_errors() -> None:
    assert validate.check_load_balancer(elb_pb2.CreateLoadBalancerRequest(name="front"))[:2] == (
        "internet-facing",
        "application",
    )
    _, _, problems = validate.check_load_balancer(
        elb_pb2.CreateLoadBalancerRequest(name="internal-x", scheme="public", type="gateway")
    )
    assert [p.field for p in problems] == ["name", "scheme", "type"]


def listener(**fields: Any) -> elb_pb2.CreateListenerRequest:
    base = {
        "loadBalancerArn": LB_ARN,
        "port": 80,
        "defaultActions": [{"type": "forward", "targetGroupArn": TG_ARN}],
    }
    return jsonmsg.parse({**base, **fields}, elb_pb2.CreateListenerRequest)


def test_listeners() -> None:
    lb = elb_pb2.ElbLoadBalancer(load_balancer_arn=LB_ARN, type="application")
    target, problems = validate.check_listener(listener(), lb)
    assert problems == [] and target is not None and target.name == "web"
    _, problems = validate.check_listener(listener(protocol="TCP", port=0), lb)
    assert [p.field for p in problems] == ["protocol", "port"]
    _, problems = validate.check_listener(listener(defaultActions=[]), lb)
    assert [p.field for p in problems] == ["defaultActions"]
    _, problems = validate.check_listener(
        listener(defaultActions=[{"type": "redirect", "targetGroupArn": "nope"}]), lb
    )
    assert [p.field for p in problems] == ["defaultActions[0].type", "defaultActions[0].targetGroupArn"]


def test_targets() -> None:
    ip = elb_pb2.TargetGroup(target_type="ip", port=80)
    given = validate.check_targets([elb_pb2.TargetDescription(id="10.0.0.1")], ip)
    assert [(t.id, t.port) for t in given] == [("10.0.0.1", 80)]
    with pytest.raises(InvalidArgument) as e:
        validate.check_targets(
            [elb_pb2.TargetDescription(id="i-1"), elb_pb2.TargetDescription(id="10.0.0.2", port=70000)], ip
        )
    assert [v.field for v in e.value.violations] == ["targets[0].id", "targets[1].port"]
    with pytest.raises(InvalidArgument) as e:
        validate.check_targets([], ip)
    assert [v.field for v in e.value.violations] == ["targets"]


def td(mode: str = "bridge") -> types_pb2.TaskDefinition:
    return jsonmsg.parse(
        {
            "family": "web",
            "revision": 3,
            "networkMode": mode,
            "containerDefinitions": [{"name": "app", "portMappings": [{"containerPort": 8080}]}],
        },
        types_pb2.TaskDefinition,
    )


def entry(**fields: Any) -> types_pb2.LoadBalancer:
    return jsonmsg.parse(
        {"targetGroupArn": TG_ARN, "containerName": "app", "containerPort": 8080, **fields},
        types_pb2.LoadBalancer,
    )


def test_service_load_balancers() -> None:
    tg = elb_pb2.TargetGroup(target_group_arn=TG_ARN, target_group_name="web", target_type="instance")
    groups: dict[str, elb_pb2.TargetGroup | None] = {TG_ARN: tg}

    def check(
        entries: list[types_pb2.LoadBalancer], mode: str = "bridge", attached: bool = True
    ) -> list[str]:
        problems = validate.check_service_load_balancers(entries, td(mode), groups, {TG_ARN: attached})
        return [p.field for p in problems]

    assert check([entry()]) == []
    assert check([entry()], mode="host") == []
    assert check([entry()], mode="awsvpc") == ["loadBalancers[0].targetGroupArn"]
    assert check([entry()], attached=False) == ["loadBalancers[0].targetGroupArn"]
    problems = validate.check_service_load_balancers([entry()], td(), groups, {TG_ARN: False})
    assert "does not have an associated load balancer" in problems[0].description
    assert check([entry(containerPort=80)]) == ["loadBalancers[0].containerPort"]
    assert check([entry(containerName="db")]) == ["loadBalancers[0].containerName"]
    assert check([entry(), entry()]) == ["loadBalancers[1]"]
    groups[TG_ARN] = elb_pb2.TargetGroup(target_group_arn=TG_ARN, target_group_name="web", target_type="ip")
    assert check([entry()], mode="awsvpc") == []
    assert check([entry()]) == ["loadBalancers[0].targetGroupArn"]
    groups[TG_ARN] = None
    problems = validate.check_service_load_balancers([entry()], td(), groups, {})
    assert [p.field for p in problems] == ["loadBalancers[0].targetGroupArn"]
    assert "does not exist" in problems[0].description


def test_service_target_groups_refuses_malformed_entries() -> None:
    with pytest.raises(InvalidArgument) as e:
        validate.service_target_groups([entry()] * 6)
    assert [v.field for v in e.value.violations] == ["loadBalancers"]
    with pytest.raises(InvalidArgument) as e:
        validate.service_target_groups(
            [types_pb2.LoadBalancer(load_balancer_name="classic"), entry(targetGroupArn="web")]
        )
    assert [v.field for v in e.value.violations] == [
        "loadBalancers[0].loadBalancerName",
        "loadBalancers[1].targetGroupArn",
    ]
