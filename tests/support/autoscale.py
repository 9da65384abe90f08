"""A CPU burner service under a target tracking policy, for the autoscaling e2e test and bench.

`burn_and_scale` creates a service of busybox burners (`while ...; do :; done`, one core each, for
a fixed wall-clock window so every task, old or new, stops burning at the same moment), registers
it as a scalable target with a CPU target tracking policy, and watches: when the service's CPU
utilisation (GetServiceUtilization) first crosses the target, when desiredCount goes up, when the
new tasks are RUNNING, when the load stops, when desiredCount comes back down. Bounded in time.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from berth import Client

IMAGE = "berth/busybox:latest"
NS = {"ServiceNamespace": "ecs", "ScalableDimension": "ecs:service:DesiredCount"}


@dataclass
class Timeline:
    loaded_at: float = 0.0  # the first burner RUNNING: the load begins
    crossed_at: float = 0.0  # the service's CPU utilisation first seen above the target
    scaled_out_at: float = 0.0  # desiredCount first seen above the start
    running_at: float = 0.0  # as many tasks RUNNING as the scaled-out desiredCount
    load_stopped_at: float = 0.0  # the burners' end
    scaled_in_at: float = 0.0  # desiredCount back at the minimum
    peak_desired: int = 0
    desired_counts: list[int] = field(default_factory=list)  # every distinct value seen, in order
    activities: list[Any] = field(default_factory=list)

    @property
    def scale_out_seconds(self) -> float:
        return self.scaled_out_at - self.crossed_at

    @property
    def running_seconds(self) -> float:
        return self.running_at - self.crossed_at

    @property
    def scale_in_seconds(self) -> float:
        return self.scaled_in_at - self.load_stopped_at


def burner_command(end: float) -> list[str]:
    # The shell handles SIGTERM itself (PID 1 ignores it otherwise), so scale-in stops are quick.
    script = (
        f'trap "exit 0" TERM; while [ $(date +%s) -lt {int(end)} ]; do :; done; while :; do sleep 1; done'
    )
    return ["sh", "-c", script]


def burn_and_scale(
    client: Client,
    cluster: str,
    family: str,
    *,
    burn_seconds: float = 40,
    target: float = 50.0,
    min_capacity: int = 1,
    max_capacity: int = 3,
    scale_out_cooldown: int = 5,
    scale_in_cooldown: int = 10,
    timeout: float = 150,
) -> Timeline:
    start = time.time()
    end = start + burn_seconds
    td = client.register_task_definition(
        {
            "family": family,
            "containerDefinitions": [
                {"name": "burn", "image": IMAGE, "cpu": 256, "memory": 64, "command": burner_command(end)}
            ],
        }
    ).task_definition.task_definition_arn
    client.create_service(cluster=cluster, serviceName="burner", taskDefinition=td, desiredCount=min_capacity)
    resource = f"service/{cluster}/burner"
    client.autoscaling(
        "RegisterScalableTarget",
        {**NS, "ResourceId": resource, "MinCapacity": min_capacity, "MaxCapacity": max_capacity},
    )
    client.autoscaling(
        "PutScalingPolicy",
        {
            **NS,
            "ResourceId": resource,
            "PolicyName": "cpu",
            "PolicyType": "TargetTrackingScaling",
            "TargetTrackingScalingPolicyConfiguration": {
                "TargetValue": target,
                "PredefinedMetricSpecification": {"PredefinedMetricType": "ECSServiceAverageCPUUtilization"},
                "ScaleOutCooldown": scale_out_cooldown,
                "ScaleInCooldown": scale_in_cooldown,
            },
        },
    )
    tl = Timeline(load_stopped_at=end)
    deadline = start + timeout
    while time.time() < deadline:
        now = time.time()
        service = client.describe_services(cluster=cluster, services=["burner"]).services[0]
        desired = service.desired_count
        if not tl.desired_counts or tl.desired_counts[-1] != desired:
            tl.desired_counts.append(desired)
        tl.peak_desired = max(tl.peak_desired, desired)
        if not tl.loaded_at and service.running_count > 0:
            tl.loaded_at = now
        if not tl.crossed_at and now < end:
            usage = client.get_service_utilization(cluster=cluster, services=["burner"]).services
            if (
                usage
                and usage[0].HasField("cpu_utilization_percent")
                and usage[0].cpu_utilization_percent > target
            ):
                tl.crossed_at = now
        if desired > min_capacity and not tl.scaled_out_at:
            tl.scaled_out_at = now
        if tl.scaled_out_at and not tl.running_at and service.running_count >= tl.peak_desired:
            tl.running_at = now
        if tl.scaled_out_at and now > end and desired == min_capacity:
            tl.scaled_in_at = now
            break
        time.sleep(0.25)
    tl.activities = list(
        client.autoscaling(
            "DescribeScalingActivities", ServiceNamespace="ecs", ResourceId=resource
        ).scaling_activities
    )
    return tl
