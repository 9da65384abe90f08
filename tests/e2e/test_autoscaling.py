"""Autoscaling as a user runs it: `berth-controlplane --autoscale-interval 1 --stats-min-interval
0.5 --prometheus-url ...`, an agent reporting stats every second, a service of real CPU burners
(busybox loops) under a CPU target tracking policy. It scales out within 30 s of the metric
crossing the target, never above MaxCapacity, and back in once the load stops and the cooldown has
passed, without scaling out again in between. A step policy on a PromQL query against a real
Prometheus scales a service too."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from berth import Client
from controlplane.lb.targets import resource_label
from tests.support.agents import AgentProcess, wait_for
from tests.support.autoscale import NS, burn_and_scale
from tests.support.infra import ControlPlaneProcess
from tests.support.prometheus import PrometheusServer

pytestmark = [pytest.mark.etcd, pytest.mark.docker, pytest.mark.e2e]


@pytest.fixture(scope="module")
def prometheus() -> Iterator[PrometheusServer]:
    server = PrometheusServer({"global": {"scrape_interval": "15s"}}).start()
    yield server
    server.stop()


@pytest.fixture
def plane(etcd_endpoint: str, tmp_path: Path, prometheus: PrometheusServer) -> Iterator[ControlPlaneProcess]:
    cp = ControlPlaneProcess(
        etcd_endpoint,
        tmp_path / "cp",
        prefix=f"/berth-autoscale-{uuid.uuid4().hex[:8]}/",
        extra=(
            "--autoscale-interval",
            "1",
            "--stats-min-interval",
            "0.5",
            "--settle-seconds",
            "1",
            "--prometheus-url",
            prometheus.url,
        ),
    ).start()
    yield cp
    cp.stop()


@pytest.fixture
def cp_client(plane: ControlPlaneProcess) -> Iterator[Client]:
    with Client(config_path=plane.config_path) as c:
        yield c


def test_cpu_burners_scale_out_within_30s_and_back_in_after_the_cooldown(
    plane: ControlPlaneProcess, cp_client: Client, docker: Any, unique: str
) -> None:
    cluster = f"as-{unique}"
    cp_client.create_cluster(clusterName=cluster)
    token = (plane.data_dir / "join-token").read_text().strip()
    agent = AgentProcess(plane.endpoint, token, cluster, "burnhost", extra=["--stats-interval", "1"]).start()
    try:
        agent.wait_connected(cp_client)
        tl = burn_and_scale(cp_client, cluster, f"burn-{unique}", burn_seconds=40, max_capacity=3)
        directions = [a.details.partition(" ")[0] for a in reversed(tl.activities)]
        print(f"timeline: {tl}")
        assert tl.crossed_at, "the burners' CPU utilisation never crossed the target"
        assert tl.scaled_out_at and tl.scale_out_seconds <= 30, tl
        assert tl.running_at, tl
        assert tl.peak_desired == 3 and max(tl.desired_counts) <= 3, tl.desired_counts
        assert tl.scaled_in_at, f"did not scale back in: {tl.desired_counts} {directions}"
        first_in = next(a for a in reversed(tl.activities) if a.details.startswith("in"))
        last_out = max(a.start_time for a in tl.activities if a.details.startswith("out"))
        assert first_in.start_time - last_out >= 10  # not before the scale-in cooldown
        # no flapping: every scale-out comes before every scale-in
        assert directions == sorted(directions, key=lambda d: d != "out"), directions
        assert all(a.status_code == "Successful" for a in tl.activities)
        assert tl.activities[-1].cause.startswith("policy cpu: ECSServiceAverageCPUUtilization")
        assert "Change successfully fulfilled by ecs." in tl.activities[0].status_message
    finally:
        agent.cleanup(docker)


def test_step_policy_on_a_promql_query(cp_client: Client, unique: str) -> None:
    cluster = f"as-{unique}"
    cp_client.create_cluster(clusterName=cluster)
    td = cp_client.register_task_definition(
        {
            "family": f"step-{unique}",
            "containerDefinitions": [{"name": "c", "image": "berth/busybox", "memory": 16}],
        }
    ).task_definition.task_definition_arn
    cp_client.create_service(cluster=cluster, serviceName="queue", taskDefinition=td, desiredCount=0)
    resource = f"service/{cluster}/queue"
    cp_client.autoscaling(
        "RegisterScalableTarget", {**NS, "ResourceId": resource, "MinCapacity": 0, "MaxCapacity": 8}
    )
    cp_client.autoscaling(
        "PutScalingPolicy",
        {
            **NS,
            "ResourceId": resource,
            "PolicyName": "backlog",
            "PolicyType": "StepScaling",
            "StepScalingPolicyConfiguration": {
                "AdjustmentType": "ExactCapacity",
                "MetricAggregationType": "Average",  # of two series: 250 and 40
                "Cooldown": 0,
                "Metric": {
                    "Query": "vector(250) or label_replace(vector(40), 'x', 'y', '', '')",
                    "Threshold": 100,
                },
                "StepAdjustments": [
                    {"MetricIntervalLowerBound": 0, "MetricIntervalUpperBound": 100, "ScalingAdjustment": 2},
                    {"MetricIntervalLowerBound": 100, "ScalingAdjustment": 5},
                ],
            },
        },
    )
    wait_for(
        lambda: (
            cp_client.describe_services(cluster=cluster, services=["queue"]).services[0].desired_count == 2
        ),
        timeout=30,
        message="the step policy did not set desiredCount 2",
    )
    acts = cp_client.autoscaling("DescribeScalingActivities", ServiceNamespace="ecs", ResourceId=resource)
    assert "metric Average 145.0, threshold 100.0" in acts.scaling_activities[0].cause


def test_request_count_policy_is_accepted_for_a_service_with_a_load_balancer(
    cp_client: Client, unique: str
) -> None:
    """ALBRequestCountPerTarget reads HAProxy's request counter from Prometheus: accepted once the
    service has a load balancer (refused without one, see the API tests); with no such series in
    Prometheus there is no reading, so nothing scales."""
    cluster = f"as-{unique}"
    cp_client.create_cluster(clusterName=cluster)
    td = cp_client.register_task_definition(
        {
            "family": f"lb-{unique}",
            "containerDefinitions": [
                {
                    "name": "web",
                    "image": "berth/busybox",
                    "memory": 16,
                    "portMappings": [{"containerPort": 80}],
                }
            ],
        }
    ).task_definition.task_definition_arn
    group = cp_client.elb("CreateTargetGroup", name=f"web-{unique}", protocol="HTTP", port=80).target_groups[
        0
    ]
    front = cp_client.elb("CreateLoadBalancer", name=f"front-{unique}").load_balancers[0]
    cp_client.elb(
        "CreateListener",
        loadBalancerArn=front.load_balancer_arn,
        port=80,
        defaultActions=[{"type": "forward", "targetGroupArn": group.target_group_arn}],
    )
    lb = {"targetGroupArn": group.target_group_arn, "containerName": "web", "containerPort": 80}
    cp_client.create_service(
        cluster=cluster, serviceName="web", taskDefinition=td, desiredCount=0, loadBalancers=[lb]
    )
    resource = f"service/{cluster}/web"
    cp_client.autoscaling(
        "RegisterScalableTarget", {**NS, "ResourceId": resource, "MinCapacity": 0, "MaxCapacity": 4}
    )
    arn = cp_client.autoscaling(
        "PutScalingPolicy",
        {
            **NS,
            "ResourceId": resource,
            "PolicyName": "rps",
            "PolicyType": "TargetTrackingScaling",
            "TargetTrackingScalingPolicyConfiguration": {
                "TargetValue": 100,
                "PredefinedMetricSpecification": {
                    "PredefinedMetricType": "ALBRequestCountPerTarget",
                    "ResourceLabel": resource_label(front, group),
                },
            },
        },
    ).policy_arn
    assert arn.endswith(":policyName/rps")
    time.sleep(3)  # three evaluations
    assert cp_client.describe_services(cluster=cluster, services=["web"]).services[0].desired_count == 0
    assert not cp_client.autoscaling(
        "DescribeScalingActivities", ServiceNamespace="ecs", ResourceId=resource
    ).scaling_activities
