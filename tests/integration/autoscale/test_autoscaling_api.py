"""The ApplicationAutoScaling API against real etcd: targets, policies, scheduled actions and
activities, the errors bad input gets (naming the field), and the CLI. A scheduled action is
applied by the leader's Autoscaler through UpdateService, recorded as an activity and an event."""

from __future__ import annotations

import datetime as dt
import io
import json
import time
from contextlib import redirect_stdout
from typing import Any

import pytest

from berth import ApiError, Client
from berth.cli import main as cli_main
from tests.support.agents import wait_for

pytestmark = pytest.mark.etcd

NS = {"ServiceNamespace": "ecs", "ScalableDimension": "ecs:service:DesiredCount"}


@pytest.fixture
def service(client: Client, cluster: str, unique: str) -> str:
    td = client.register_task_definition(
        {
            "family": f"as-{unique}",
            "containerDefinitions": [{"name": "c", "image": "berth/busybox", "memory": 16}],
        }
    ).task_definition.task_definition_arn
    client.create_service(cluster=cluster, serviceName="web", taskDefinition=td, desiredCount=0)
    return f"service/{cluster}/web"


def violations(e: pytest.ExceptionInfo[ApiError]) -> list[str]:
    return [v.field for v in e.value.violations]


def test_register_describe_update_deregister(client: Client, service: str) -> None:
    arn = client.autoscaling(
        "RegisterScalableTarget", {**NS, "ResourceId": service, "MinCapacity": 1, "MaxCapacity": 4}
    )
    assert arn.scalable_target_arn.endswith(service.removeprefix("service"))
    client.autoscaling("RegisterScalableTarget", {**NS, "ResourceId": service, "MaxCapacity": 6})  # update
    found = client.autoscaling("DescribeScalableTargets", ServiceNamespace="ecs", ResourceIds=[service])
    (target,) = found.scalable_targets
    assert (target.min_capacity, target.max_capacity, target.resource_id) == (1, 6, service)
    client.autoscaling(
        "PutScalingPolicy",
        {
            **NS,
            "ResourceId": service,
            "PolicyName": "cpu50",
            "PolicyType": "TargetTrackingScaling",
            "TargetTrackingScalingPolicyConfiguration": {
                "TargetValue": 50,
                "PredefinedMetricSpecification": {"PredefinedMetricType": "ECSServiceAverageCPUUtilization"},
                "ScaleInCooldown": 60,
            },
        },
    )
    policies = client.autoscaling("DescribeScalingPolicies", ServiceNamespace="ecs", ResourceId=service)
    assert [p.policy_name for p in policies.scaling_policies] == ["cpu50"]
    assert ":policyName/cpu50" in policies.scaling_policies[0].policy_arn
    client.autoscaling(
        "PutScheduledAction",
        {
            **NS,
            "ResourceId": service,
            "ScheduledActionName": "night",
            "Schedule": "cron(0 22 * * ? *)",
            "Timezone": "Europe/Paris",
            "ScalableTargetAction": {"MinCapacity": 0, "MaxCapacity": 2},
        },
    )
    actions = client.autoscaling("DescribeScheduledActions", ServiceNamespace="ecs", ResourceId=service)
    assert [a.schedule for a in actions.scheduled_actions] == ["cron(0 22 * * ? *)"]

    client.autoscaling("DeregisterScalableTarget", {**NS, "ResourceId": service})
    assert not client.autoscaling(
        "DescribeScalableTargets", ServiceNamespace="ecs", ResourceIds=[service]
    ).scalable_targets
    assert not client.autoscaling(
        "DescribeScalingPolicies", ServiceNamespace="ecs", ResourceId=service
    ).scaling_policies
    assert not client.autoscaling(
        "DescribeScheduledActions", ServiceNamespace="ecs", ResourceId=service
    ).scheduled_actions
    with pytest.raises(ApiError) as e:
        client.autoscaling("DeregisterScalableTarget", {**NS, "ResourceId": service})
    assert e.value.code == "NOT_FOUND" and e.value.ecs_type == "ObjectNotFoundException"


@pytest.mark.parametrize(
    ("request_fields", "field", "says"),
    [
        ({"ServiceNamespace": "ec2"}, "ServiceNamespace", "ECS services only"),
        ({"ScalableDimension": "ecs:service:Memory"}, "ScalableDimension", "ecs:service:DesiredCount"),
        ({"ResourceId": "service/web"}, "ResourceId", "service/<cluster>/<service>"),
        ({"ResourceId": "service/nope/web"}, "ResourceId", "does not exist"),
        ({"MinCapacity": 5, "MaxCapacity": 2}, "MinCapacity", "above MaxCapacity 2"),
        ({"MinCapacity": -1}, "MinCapacity", "out of range"),
        ({"MaxCapacity": None}, "MaxCapacity", "required to register a new scalable target"),
    ],
    ids=[
        "namespace",
        "dimension",
        "resource-shape",
        "no-service",
        "min-above-max",
        "negative",
        "missing-max",
    ],
)
def test_bad_targets_name_the_field(
    client: Client, service: str, request_fields: dict[str, Any], field: str, says: str
) -> None:
    request = {**NS, "ResourceId": service, "MinCapacity": 1, "MaxCapacity": 3, **request_fields}
    request = {k: v for k, v in request.items() if v is not None}
    with pytest.raises(ApiError) as e:
        client.autoscaling("RegisterScalableTarget", request)
    assert e.value.code == "INVALID_ARGUMENT"
    assert field in violations(e), e.value
    assert says in e.value.message


def tt(**config: Any) -> dict[str, Any]:
    return {
        "PolicyName": "p",
        "PolicyType": "TargetTrackingScaling",
        "TargetTrackingScalingPolicyConfiguration": config,
    }


CPU = {"PredefinedMetricType": "ECSServiceAverageCPUUtilization"}


@pytest.mark.parametrize(
    ("policy", "field", "says"),
    [
        (
            tt(PredefinedMetricSpecification=CPU),
            "TargetTrackingScalingPolicyConfiguration.TargetValue",
            "required",
        ),
        (
            tt(TargetValue=-5, PredefinedMetricSpecification=CPU),
            "TargetTrackingScalingPolicyConfiguration.TargetValue",
            "above 0",
        ),
        (
            tt(TargetValue=50, PredefinedMetricSpecification={"PredefinedMetricType": "CPU"}),
            "TargetTrackingScalingPolicyConfiguration.PredefinedMetricSpecification.PredefinedMetricType",
            "is not one of",
        ),
        (
            tt(
                TargetValue=50,
                PredefinedMetricSpecification={
                    "PredefinedMetricType": "ALBRequestCountPerTarget",
                    "ResourceLabel": "x",
                },
            ),
            "TargetTrackingScalingPolicyConfiguration.PredefinedMetricSpecification.PredefinedMetricType",
            "has none (its loadBalancers is empty)",
        ),
        (
            tt(TargetValue=50, PredefinedMetricSpecification=CPU, ScaleOutCooldown=-1),
            "TargetTrackingScalingPolicyConfiguration.ScaleOutCooldown",
            "out of range",
        ),
        ({"PolicyName": "p", "PolicyType": "Magic"}, "PolicyType", "is not one of"),
        ({"PolicyName": "a/b", "PolicyType": "StepScaling"}, "PolicyName", "is invalid"),
        (
            {
                "PolicyName": "p",
                "PolicyType": "StepScaling",
                "StepScalingPolicyConfiguration": {
                    "AdjustmentType": "ChangeInCapacity",
                    "Metric": {"Query": "up", "Threshold": 1},
                    "StepAdjustments": [
                        {"MetricIntervalLowerBound": 0, "ScalingAdjustment": 1},
                        {"MetricIntervalLowerBound": 5, "ScalingAdjustment": 2},
                    ],
                },
            },
            "StepScalingPolicyConfiguration.StepAdjustments[1]",
            "overlaps",
        ),
    ],
    ids=[
        "no-target-value",
        "negative-target",
        "unknown-metric",
        "alb-without-lb",
        "cooldown",
        "type",
        "name",
        "overlap",
    ],
)
def test_bad_policies_name_the_field(
    client: Client, service: str, policy: dict[str, Any], field: str, says: str
) -> None:
    client.autoscaling(
        "RegisterScalableTarget", {**NS, "ResourceId": service, "MinCapacity": 0, "MaxCapacity": 3}
    )
    with pytest.raises(ApiError) as e:
        client.autoscaling("PutScalingPolicy", {**NS, "ResourceId": service, **policy})
    assert e.value.code == "INVALID_ARGUMENT"
    assert field in violations(e), e.value
    assert says in e.value.message
    assert not client.autoscaling(
        "DescribeScalingPolicies", ServiceNamespace="ecs", ResourceId=service
    ).scaling_policies


def test_step_policy_needs_a_prometheus_and_a_target(client: Client, service: str) -> None:
    step = {
        "PolicyName": "q",
        "PolicyType": "StepScaling",
        "StepScalingPolicyConfiguration": {
            "AdjustmentType": "ChangeInCapacity",
            "Metric": {"Query": "vector(1)", "Threshold": 0},
            "StepAdjustments": [{"MetricIntervalLowerBound": 0, "ScalingAdjustment": 1}],
        },
    }
    with pytest.raises(ApiError) as e:  # the shared control plane has no --prometheus-url
        client.autoscaling("PutScalingPolicy", {**NS, "ResourceId": service, **step})
    assert e.value.code == "FAILED_PRECONDITION" and "--prometheus-url" in e.value.message
    with pytest.raises(ApiError) as e:
        client.autoscaling(
            "PutScalingPolicy",
            {**NS, "ResourceId": service, **tt(TargetValue=50, PredefinedMetricSpecification=CPU)},
        )
    assert e.value.code == "NOT_FOUND" and "No scalable target registered" in e.value.message


@pytest.mark.parametrize(
    ("schedule", "says"),
    [
        ("cron(0 12 * * *)", "six fields"),
        ("at(tomorrow)", "yyyy-mm-ddThh:mm:ss"),
        ("rate(5 weeks)", "minute(s)"),
    ],
)
def test_bad_schedules_name_the_field(client: Client, service: str, schedule: str, says: str) -> None:
    client.autoscaling(
        "RegisterScalableTarget", {**NS, "ResourceId": service, "MinCapacity": 0, "MaxCapacity": 3}
    )
    with pytest.raises(ApiError) as e:
        client.autoscaling(
            "PutScheduledAction",
            {
                **NS,
                "ResourceId": service,
                "ScheduledActionName": "s",
                "Schedule": schedule,
                "ScalableTargetAction": {"MinCapacity": 1},
            },
        )
    assert e.value.code == "INVALID_ARGUMENT" and violations(e) == ["Schedule"] and says in e.value.message


def test_scheduled_action_scales_through_update_service_with_an_activity_and_an_event(
    client: Client, service: str, cluster: str
) -> None:
    client.autoscaling(
        "RegisterScalableTarget", {**NS, "ResourceId": service, "MinCapacity": 0, "MaxCapacity": 5}
    )
    at = dt.datetime.fromtimestamp(time.time() + 2, dt.UTC).strftime("%Y-%m-%dT%H:%M:%S")
    client.autoscaling(
        "PutScheduledAction",
        {
            **NS,
            "ResourceId": service,
            "ScheduledActionName": "morning",
            "Schedule": f"at({at})",
            "ScalableTargetAction": {"MinCapacity": 2, "MaxCapacity": 4},
        },
    )

    def scaled() -> Any:
        acts = client.autoscaling("DescribeScalingActivities", ServiceNamespace="ecs", ResourceId=service)
        return acts.scaling_activities[0] if acts.scaling_activities else None

    activity = wait_for(scaled, timeout=30, interval=0.5)
    assert activity.status_code == "Successful"
    assert (
        activity.status_message
        == "Successfully set desired count to 2. Change successfully fulfilled by ecs."
    )
    assert activity.description == "Setting desired count to 2."
    assert "scheduled action morning" in activity.cause and "minimum capacity 2" in activity.cause
    assert client.describe_services(cluster=cluster, services=["web"]).services[0].desired_count == 2
    (target,) = client.autoscaling(
        "DescribeScalableTargets", ServiceNamespace="ecs", ResourceIds=[service]
    ).scalable_targets
    assert (target.min_capacity, target.max_capacity) == (2, 4)
    events = list(client.watch_events(cluster=cluster, types=["autoscaling"], fromOldest=True, follow=False))
    assert [e.detail_type for e in events] == ["Application Auto Scaling Scaling Activity"]
    assert events[0].scaling_activity.activity_id == activity.activity_id
    assert events[0].service_name == "web"


def test_cli(controlplane: Any, service: str) -> None:
    config = str(controlplane.config_path)

    def run(*args: str) -> Any:
        out = io.StringIO()
        with redirect_stdout(out):
            code = cli_main([*args, "--config", config])
        return code, out.getvalue()

    code, out = run(
        "autoscaling",
        "register-scalable-target",
        "--resource-id",
        service,
        "--min-capacity",
        "1",
        "--max-capacity",
        "3",
    )
    assert code == 0 and "ScalableTargetARN" in json.loads(out)
    code, out = run(
        "autoscaling",
        "put-scaling-policy",
        "--resource-id",
        service,
        "--policy-name",
        "cpu",
        "--policy-type",
        "TargetTrackingScaling",
        "--target-tracking-scaling-policy-configuration",
        json.dumps({"TargetValue": 60, "PredefinedMetricSpecification": CPU}),
    )
    assert code == 0 and json.loads(out)["PolicyARN"].endswith(":policyName/cpu")
    code, out = run("autoscaling", "describe-scalable-targets", "--resource-ids", service)
    assert code == 0 and json.loads(out)["ScalableTargets"][0]["MaxCapacity"] == 3
    code, out = run("autoscaling", "describe-scaling-activities", "--resource-id", service)
    assert code == 0
    code, out = run(
        "autoscaling", "describe-scalable-targets", "--resource-ids", service, "--output", "table"
    )
    assert code == 0 and service in out, out
    code, _ = run(
        "autoscaling", "register-scalable-target", "--resource-id", "service/x", "--min-capacity", "1"
    )
    assert code == 1
